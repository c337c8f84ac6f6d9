"""What the Program Support Team does by hand, through a function with no public route."""
