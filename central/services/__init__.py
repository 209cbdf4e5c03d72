"""The central's work, as keyword-only functions taking the session.

Routes and CLI commands call these; they never touch the session themselves.
"""
