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
