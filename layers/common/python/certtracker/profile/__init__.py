"""The candidate's profile and privacy: contact details and their history, email preferences, export and erasure."""
