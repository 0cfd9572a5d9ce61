"""Home pages for each role, health check, audit log, and the static information pages."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from panel import permissions
from panel.db import db, get_engine
from panel.main import queries

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    todo = queries.home_for(current_user)
    return render_template("main/home.html", **todo)


@bp.route("/healthz")
def healthz():
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure to talk to the database
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/audit")
@login_required
def audit_log():
    permissions.require(permissions.can_view_audit_log(current_user))
    vacancy_id = request.args.get("vacancy", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    events, has_more = queries.audit_events(vacancy_id=vacancy_id, page=page)
    vacancies = queries.all_vacancy_choices()
    return render_template("main/audit.html", events=events, vacancies=vacancies, vacancy_id=vacancy_id,
                           page=page, has_more=has_more)


@bp.route("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("main/privacy.html")
