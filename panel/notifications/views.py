"""'Messages sent to you': every message panel has sent (or tried to send) to the signed-in person."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.db import db
from panel.loaders import user_view
from panel.notifications import queries

bp = Blueprint("notifications", __name__, url_prefix="/account/messages")


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.route("")
@user_view(permissions.is_signed_in)
def mine():
    rows = queries.for_user(db(), current_user.id)
    audit.record(db(), current_user, "view", current_user, summary="Viewed the messages sent to them")
    return render_template("notifications/mine.html", rows=rows)
