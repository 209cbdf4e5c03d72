"""Benchmarks that print figures (name=value lines), not pass/fail tests."""
