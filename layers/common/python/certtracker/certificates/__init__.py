"""Electronic certificates: requested, rendered to PDF, stored, downloaded and verified by anyone."""
