"""CertTracker's shared code: domain rules, table models, email, errors and settings."""
