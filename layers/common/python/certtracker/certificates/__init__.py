"""Certificates of the credentials held: PDFs, their verification, and Open Badges."""
