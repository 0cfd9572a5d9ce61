"""Home pages for each role, health check, audit log, and the static information pages."""
from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from panel import audit, permissions
from panel.loaders import user_view
from panel.converters import id_value
from panel.db import check_writable, db, get_engine
from panel.main import queries
from panel.records import auditlog, secrecy

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    todo = queries.home_for(current_user)
    return render_template("main/home.html", **todo)


@bp.route("/healthz")
def healthz():
    """Whether the app can do its work: the database answers and accepts a write (taken and
    rolled back, waiting no longer than a save would). 503 when either fails."""
    engine = get_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure to talk to the database
        return {"status": "error", "database": "unavailable"}, 503
    try:
        check_writable(engine, float(current_app.config["DATABASE_LOCK_TIMEOUT_SECONDS"]))
    except Exception as exc:  # locked, read-only, disk full ...: reads work, saves would not
        log.warning("healthz: the database does not accept a write: %s", exc)
        return {"status": "degraded", "database": "read-only or locked: saves would fail"}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/audit")
@login_required
@user_view(permissions.can_view_audit_log)
def audit_log():
    filters = queries.parse_audit_filters(request.args)
    page = request.args.get("page", 1, type=id_value)
    events, has_more = queries.audit_events(page=page, filters=filters)
    return render_template("main/audit.html", events=events, vacancies=queries.all_vacancy_choices(),
                           candidates=queries.candidate_choices(filters.vacancy_id),
                           people=queries.person_choices(), filters=filters, vacancy_id=filters.vacancy_id,
                           references=queries.reference_map(events), page=page, has_more=has_more,
                           hidden=secrecy.hidden_events(db(), current_user, events))


@bp.route("/audit/export.csv")
@login_required
@user_view(permissions.can_export_audit_log)
def audit_export():
    """The filtered audit log as a CSV download (itself recorded in the audit log)."""
    filters = queries.parse_audit_filters(request.args)
    events = queries.audit_events_for_export(filters)
    body = auditlog.to_csv(events, queries.reference_map(events), secrecy.hidden_events(db(), current_user, events))
    audit.record(db(), current_user, "download", entity_type="audit log", vacancy_id=filters.vacancy_id,
                 candidate_id=filters.candidate_id, summary=f"Audit log exported as CSV ({len(events)} entries)",
                 changes={"filters": filters.args()} if filters.args() else None)
    stamp = dt.date.today().isoformat()
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"',
                             "Cache-Control": "no-store"})


@bp.route("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("main/privacy.html")
