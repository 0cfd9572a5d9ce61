"""The involvement record (issue 17): profiles, consent, training, shadowing, the role roadmap,
panel composition rules and the "before you start" pages. Routes in views.py ("profiles")."""
