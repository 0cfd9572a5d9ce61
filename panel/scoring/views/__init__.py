"""Interview scoring, results, outcomes, sign-off, feedback and export: the "scoring" blueprint.

Routes live under /vacancies/<vacancy_id>/interviews, /results and /feedback. Each view
declares its predicate from panel.permissions with ``@vacancy_view`` (the vacancy, or 404),
loads the candidate and question through the loaders here (404 unless they belong to it),
calls a service and redirects.

One blueprint, split by page family (the endpoint names are "scoring.<function>"):
- scoring.py: the list of interviews, a panel member's scoring and submit pages, paper
  score sheets and the offline helper;
- results.py: results, a candidate's results, moderation, outcomes, sign-off, reopening
  and the CSV export;
- feedback.py: feedback to candidates (edit, send, download).
This module holds the blueprint and the loaders the three share.
"""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_required

from panel import permissions
from panel.loaders import found
from panel.models import Candidate, PlanQuestion, User, Vacancy
from panel.scorecore import format_score
from panel.scoring import queries, services

bp = Blueprint("scoring", __name__, url_prefix="/vacancies")

PUBLIC_ENDPOINTS = {"scoring.offline_worker"}


@bp.before_request
def _signed_in():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return login_required(lambda: None)()


@bp.app_template_global("format_score")
def _format_score(value):
    return format_score(value)


@bp.app_template_global("interview_outcomes_for")
def interview_outcomes_for(vacancy: Vacancy) -> dict | None:
    """For a closed vacancy, the outcome of the interviews, for the people who took part
    (the panel and HR). None when there is nothing to show this user."""
    if not vacancy.stage.finished or not permissions.can_view_interviews(current_user, vacancy):
        return None
    signoff = queries.signoff(vacancy)
    return {"candidates": queries.closed_vacancy_outcomes(vacancy), "signoff": signoff,
            "names": permissions.can_see_candidate_identity(current_user, vacancy)}


def _candidate(vacancy: Vacancy, candidate_id: int) -> Candidate:
    """A candidate of this vacancy who is being interviewed, or 404."""
    return found(queries.interviewed_candidate(vacancy, candidate_id))


def _question(questions: list[PlanQuestion], question_id: int) -> PlanQuestion:
    return found(next((q for q in questions if q.id == question_id), None))


def _member_user(vacancy: Vacancy, user_id: int) -> User:
    return found(permissions.member_of(vacancy, user_id)).user


def _results_page(vacancy: Vacancy) -> services.ResultsPage:
    data = queries.everything(vacancy)
    mine = {s.candidate_id for s in data.submissions if s.user_id == current_user.id}
    visible = permissions.visible_interview_result_ids(current_user, vacancy, (c.id for c in data.candidates), mine)
    return services.build_results(vacancy, data, visible)


def _may_see_results(vacancy: Vacancy, candidate: Candidate) -> bool:
    """This user may read the panel's interview scores and notes for this candidate."""
    return permissions.can_view_candidate_results(current_user, vacancy, candidate,
                                                  submitted=queries.submission(candidate, current_user.id) is not None)


def _require_candidate_results(vacancy: Vacancy, candidate: Candidate) -> None:
    permissions.require(_may_see_results(vacancy, candidate))


# The routes: imported last, as they register on bp.
from panel.scoring.views import feedback, results, scoring  # noqa: E402,F401
