"""Candidates book their own interview through the link in their invitation (no account):
choose a free slot of the timetable, decline, or ask for another time, and say what
adjustments they need. See services.py for the rules, views.py for the pages."""
