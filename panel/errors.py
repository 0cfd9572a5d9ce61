"""The one shape of a refusal from a service.

A service that will not do what was asked raises ServiceError (or an area's subclass of
it, so views can catch their own area's refusals): a plain-English message for the person
and, when the problem belongs to one form field, that field's name, so the view can put
the message next to it. Nothing has been changed when it is raised.
"""
from __future__ import annotations


class ServiceError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEdit(ServiceError):
    """Someone else saved this first (the version the person edited is not the current one).

    The one house rule for a stale edit: the service raises this before it changes
    anything (or undoes its own change inside a savepoint, ``session.begin_nested()``),
    never rolling back the caller's transaction; the view answers 409 and shows the
    current state next to the person's own unsaved text. ``current`` may carry the row
    as it now stands."""

    def __init__(self, message: str, field: str | None = None, current=None):
        super().__init__(message, field)
        self.current = current
