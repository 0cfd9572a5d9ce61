"""Shortlisting: each panel member scores anonymised applications on their own, the chair
moderates, HR and the chair follow progress and export the results: the "shortlisting"
blueprint, under /vacancies/<vacancy_id>/shortlisting.

Each view declares its permission with ``@vacancy_view(permissions.can_x)`` and gets the
loaded vacancy (404 otherwise). Split by page family (endpoint names "shortlisting.<function>"):
- scores.py: a panel member's list, a candidate's page (conflict answer, scores saved one
  answer at a time as JSON, or the whole form without JavaScript) and submitting;
- moderation.py: progress, moderation, decisions and the CSV export.
This module holds the blueprint and what the two share.
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from panel import permissions
from panel.models import Candidate, Vacancy
from panel.loaders import found
from panel.shortlisting import queries, scoring, services

bp = Blueprint("shortlisting", __name__, url_prefix="/vacancies/<int:vacancy_id>/shortlisting")


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.app_template_global()
def shortlisting_score_text(score: int | None) -> str:
    return scoring.score_text(score)


def candidate_in(data: queries.ShortlistingData, candidate_id: int) -> Candidate:
    """The vacancy's candidate, or 404."""
    return found(data.candidate(candidate_id))


def my_candidate(vacancy: Vacancy, data: queries.ShortlistingData, candidate_id: int) -> Candidate:
    """The vacancy's candidate for the signed-in panel member's own shortlisting pages, or 404
    when it is not theirs to read (the reading is shared out and it is not allocated to them)."""
    candidate = candidate_in(data, candidate_id)
    permissions.require(permissions.can_open_shortlisting_candidate(
        current_user, vacancy, candidate, allocated=data.allocated(candidate.id, current_user.id)))
    return candidate


def visible_results(vacancy: Vacancy, data: queries.ShortlistingData):
    """The ranked results, each with whether this user may see its scores."""
    results = services.moderate_all(data)
    visible = {}
    for r in results:
        declaration = data.declaration(r.candidate_id, current_user.id)
        visible[r.candidate_id] = permissions.can_see_scores_of_others(
            current_user, vacancy, permissions.SHORTLISTING, submitted=data.submitted(r.candidate_id, current_user.id),
            stepped_aside=permissions.did_not_read(vacancy, declaration, data.allocated(r.candidate_id, current_user.id)),
            all_in=r.all_in)
    return results, visible


# The routes: imported last, as they register on bp.
from panel.shortlisting.views import allocation, moderation, review, scores  # noqa: E402,F401
