"""The desk's screens, one module each (login, home, take-in, cases, case, settings)."""
