"""Exams: the catalog, registrations through Pearson VUE, results and the retake rule."""
