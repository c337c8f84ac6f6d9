"""Credentials: what a passed exam earns."""
