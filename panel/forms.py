"""Form helpers shared by every area: the NHS three-box date field, text limits, the strip filter,
the empty confirm form (a CSRF-checked button), and the two answers to a service's refusal:
field_error (invalid input: the view answers 400) and stale_edit (someone else saved first: 409)."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import Length, ValidationError

from panel.db import db
from panel.errors import StaleEdit

#: The status of the page that answers a stale edit (stale_edit).
STALE_EDIT_STATUS = 409


class DatePartsField(Field):
    """A date typed as day, month and year in three boxes (the NHS date input pattern).

    Reads ``<name>-day``, ``<name>-month`` and ``<name>-year``. Empty is allowed
    unless the form adds DataRequired-style checks through ``required=True``.
    """

    field_type = "date_parts"

    def __init__(self, label=None, validators=None, required: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.parts = {"day": "", "month": "", "year": ""}

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.data = self.default if data is None else data
        self.raw_data = None
        if isinstance(self.data, dt.date):
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is not None:
            self.parts = {p: (formdata.get(f"{self.name}-{p}") or "").strip()[:10] for p in ("day", "month", "year")}
            self.raw_data = list(self.parts.values())
            self.data = None
            self._parse_error = None
            if any(self.parts.values()):
                try:
                    day, month, year = (int(self.parts[p]) for p in ("day", "month", "year"))
                    if year < 1900 or year > 2200:
                        raise ValueError
                    self.data = dt.date(year, month, day)
                except (ValueError, TypeError):
                    self._parse_error = f"{self.label.text} must be a real date, for example 27 3 2027"

    def pre_validate(self, form):
        if getattr(self, "_parse_error", None):
            raise ValidationError(self._parse_error)
        if self.required and self.data is None:
            raise ValidationError(f"Enter the {self.label.text.lower()}")

    def _value(self):
        return self.parts


def max_length(n: int, what: str) -> Length:
    return Length(max=n, message=f"{what} must be {n} characters or fewer")


def field_error(form, exc, default: str | None = None) -> str | None:
    """Put a service's refusal (panel.errors.ServiceError) where the person will see it: next
    to its field (exc.field, or `default` when it names no field of this form), added to any
    errors already there. With neither, returns the message for the form's general errors
    (the error summary at the top of the page); otherwise None."""
    name = exc.field if exc.field and exc.field in form._fields else default
    if name is None:
        return exc.message
    field = form[name]
    field.errors = list(field.errors) + [exc.message]
    return None


def refused_status(form=None, error: str | None = None) -> int:
    """The status of a form page drawn again: 400 when a POST was refused (errors on the form,
    or a service's message for the error summary), else 200. The house rule for invalid input."""
    refused = bool(error) or (form is not None and bool(form.errors))
    return 400 if request.method == "POST" and refused else 200


def stale_edit(form, exc: StaleEdit, version_field: str = "version") -> str | None:
    """The one answer to a stale edit (panel.errors.StaleEdit: someone else saved first), for
    every view that saves with a version number. The service changed nothing (or undid its own
    change inside a savepoint) and left the request's transaction alone, so the view does not
    roll back; it calls this, reloads what the page shows and answers STALE_EDIT_STATUS (409).

    This forgets what the request had loaded (so the page reads the current state again),
    keeps everything the person typed in the form, points the form's version field at the
    current row (``exc.current``) so that saving again, having read it, is deliberate, and puts
    the message where field_error puts it (returned for the error summary when it names no field)."""
    db().expire_all()
    if version_field in form._fields:
        form[version_field].data = exc.current.version if exc.current is not None else 0
    return field_error(form, exc)


def strip(value):
    """A field filter: surrounding whitespace removed from text, anything else unchanged."""
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """A form with no fields: a button whose POST is only checked for its CSRF token."""
