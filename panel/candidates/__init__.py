"""Candidates: HR adds and imports them; the panel knows them by label until interviewing."""
