"""Subject access exports for one candidate (JSON and PDF), HR only, each logged in the audit log."""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.db import db
from panel.loaders import found, vacancy_view
from panel.models import Candidate, Vacancy
from panel.packs import render
from panel.records import retention, subject_access
from panel.templating import london
from panel.uploads import safe_download_name

bp = Blueprint("records", __name__, url_prefix="/vacancies/<int:vacancy_id>/candidates/<int:candidate_id>")


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.app_template_global()
def retention_dates(vacancy: Vacancy) -> dict | None:
    """{"unsuccessful": when, "appointed": when} for a closed vacancy, else None."""
    return retention.configured_due_dates(vacancy)


@bp.app_template_global()
def subject_access_allowed(vacancy: Vacancy) -> bool:
    """Show the subject access links on the candidate page (HR only)."""
    return permissions.can_export_subject_access(current_user, vacancy)


def _candidate(vacancy: Vacancy, candidate_id: int) -> Candidate:
    return found(subject_access.load_candidate(db(), vacancy.id, candidate_id))


def _purged(vacancy: Vacancy, candidate: Candidate, kind: str):
    audit.record(db(), current_user, "subject-access", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Subject access export ({kind}) asked for {candidate.label}: personal data already purged")
    return render_template("records/purged.html", vacancy=vacancy, candidate=candidate)


def _name(vacancy: Vacancy, candidate: Candidate, suffix: str) -> str:
    return safe_download_name(f"{vacancy.reference} {candidate.label} subject access").removesuffix(".pdf") + suffix


@bp.route("/subject-access.json")
@vacancy_view(permissions.can_export_subject_access)
def subject_access_json(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    if candidate.is_purged:
        return _purged(vacancy, candidate, "JSON")
    data = subject_access.build(db(), vacancy, candidate, viewer=current_user)
    audit.record(db(), current_user, "subject-access", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Subject access export (JSON) for {candidate.label} downloaded")
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{_name(vacancy, candidate, ".json")}"',
                             "Cache-Control": "no-store"})


def _for_print(value, key: str = ""):
    """The export with its ISO dates written the way people read them (Europe/London)."""

    if isinstance(value, dict):
        return {k: _for_print(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_print(v, key) for v in value]
    if isinstance(value, str) and (key.endswith("_at")) and value:
        try:
            return london(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


@bp.route("/subject-access.pdf")
@vacancy_view(permissions.can_export_subject_access)
def subject_access_pdf(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    if candidate.is_purged:
        return _purged(vacancy, candidate, "PDF")
    data = subject_access.build(db(), vacancy, candidate, viewer=current_user)
    html = render_template("records/subject_access.html", sar=_for_print(data))
    with tempfile.TemporaryDirectory(prefix="panel-sar-") as tmp:
        target = Path(tmp) / "subject-access.pdf"
        try:
            render.render_html_to_pdf(html, target, tagged=True)
        except render.RenderError as exc:
            return render_template("packs/failed.html", vacancy=vacancy, label="subject access export",
                                   message=str(exc)), 503
        pdf = target.read_bytes()
    audit.record(db(), current_user, "subject-access", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Subject access export (PDF) for {candidate.label} downloaded")
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_name(vacancy, candidate, ".pdf")}"',
                             "Cache-Control": "no-store"})
