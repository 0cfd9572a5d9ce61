"""Messages to people (issue 15): written to the notifications table (the outbox) in the same
transaction as the event that causes them, sent later by the worker.

    services.py  what each event writes (and the reminders planned before each deadline)
    queries.py   what the worker and pages read (work still owed, failures to show HR)
    calendar.py  interview-day invitations (icalendar): one UID per person and day
    channels.py  how a message leaves (email today; the seam for GOV.UK Notify and text messages)
    links.py     links that are keys (booking, set-password): made as the message is sent, never stored
    worker.py    claim due messages safely, send, retry with back-off, give up and say so
    cli.py       flask --app panel notifications run [--once]
"""
from panel.notifications.services import (added_to_panel, frequency_changed, replan, signed_off, stage_entered,
                                          sync_calendar)

__all__ = ["added_to_panel", "frequency_changed", "replan", "signed_off", "stage_entered", "sync_calendar"]
