"""Partner companies of the program and the email domains that belong to them."""
