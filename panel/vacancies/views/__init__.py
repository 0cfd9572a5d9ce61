"""Vacancies, person specifications and panels (HR edits; the panel reads): the "vacancies" blueprint.

Each view declares its permission with @vacancy_view (panel/loaders.py), loads, calls a
service and redirects. One blueprint, split by page family (the endpoint names are
"vacancies.<function>"):
- vacancy.py: the list, a new vacancy, its page, details, job description, stage and archive;
- spec.py: the person specification (criteria);
- panel_members.py: the panel.
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("vacancies", __name__, url_prefix="/vacancies")


@bp.before_request
@login_required
def _signed_in():
    return None


# The routes: imported last, as they register on bp.
from panel.vacancies.views import deadlines, panel_members, spec, vacancy  # noqa: E402,F401
