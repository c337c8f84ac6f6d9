"""Contacting the Program Support Team."""
