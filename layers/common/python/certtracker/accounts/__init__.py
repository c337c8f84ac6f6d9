"""Accounts: registration, email verification, login and sessions, recovery, passwords and re-authentication."""
