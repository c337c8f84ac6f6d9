"""Certificates: the PDF that shows a credential held, and how anyone checks it."""
