"""'Messages sent to you': every message panel has sent (or tried to send) to the signed-in person;
and the calendar file of an interview-day message, by the signed link in a GOV.UK Notify email."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.db import db
from panel.loaders import user_view
from panel.models import Notification
from panel.notifications import calendar, links, queries

bp = Blueprint("notifications", __name__, url_prefix="/account/messages")
calendar_bp = Blueprint("calendar_files", __name__, url_prefix="/calendar")


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.route("")
@user_view(permissions.is_signed_in)
def mine():
    rows = queries.for_user(db(), current_user.id)
    audit.record(db(), current_user, "view", current_user, summary="Viewed the messages sent to them")
    # a link that is a key (password reset, invitation) was never stored: its place is said in words
    return render_template("notifications/mine.html", rows=rows, shown=links.shown)


@calendar_bp.route("/<token>/invitation.ics")
def calendar_file(token: str):
    """The calendar file sent with one message, for the person it was sent to. No sign-in: the
    link itself is the key (signed with the app's secret, so it cannot be guessed or altered),
    sent only in that person's email. Unknown, unsent or purged messages are 404."""
    nid = calendar.notification_id_from(token)
    row = db().get(Notification, nid) if nid is not None else None
    if row is None or not row.attachment or not row.gone_out:
        abort(404)
    return Response(row.attachment, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="invitation.ics"',
                             "Cache-Control": "no-store"})
