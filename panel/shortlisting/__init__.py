"""Shortlisting: independent anonymised scoring, conflicts of interest, moderation and export."""
