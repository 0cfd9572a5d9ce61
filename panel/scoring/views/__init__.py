"""Interview scoring, results, outcomes, sign-off, feedback and export: the "scoring" blueprint.

Routes live under /vacancies/<vacancy_id>/interviews, /results and /feedback. Each view
checks one predicate from panel.permissions on the vacancy (404 otherwise), checks that
the candidate and question belong to it, calls a service and redirects.

One blueprint, split by page family (the endpoint names are "scoring.<function>"):
- scoring.py: the list of interviews, a panel member's scoring and submit pages, paper
  score sheets and the offline helper;
- results.py: results, a candidate's results, moderation, outcomes, sign-off, reopening
  and the CSV export;
- feedback.py: feedback to candidates (edit, send, download).
This module holds the blueprint and the loaders the three share.
"""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from panel import permissions
from panel.models import Candidate, PlanQuestion, User, Vacancy
from panel.scorecore import format_score
from panel.scoring import queries, services
from panel.vacancies.queries import vacancy_with_everything

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


def _vacancy(vacancy_id: int, predicate=permissions.can_view_interviews, *, lean: bool = False) -> Vacancy:
    vacancy = queries.vacancy_for_saving(vacancy_id) if lean else vacancy_with_everything(vacancy_id)
    if vacancy is None or not predicate(current_user, vacancy):
        abort(404)
    return vacancy


def _candidate(vacancy: Vacancy, candidate_id: int) -> Candidate:
    candidate = queries.interviewed_candidate(vacancy, candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _question(questions: list[PlanQuestion], question_id: int) -> PlanQuestion:
    question = next((q for q in questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _member_user(vacancy: Vacancy, user_id: int) -> User:
    member = permissions.member_of(vacancy, user_id)
    if member is None:
        abort(404)
    return member.user


def _results_page(vacancy: Vacancy) -> services.ResultsPage:
    data = queries.everything(vacancy)
    visible = permissions.visible_interview_result_ids(current_user, vacancy, (c.id for c in data.candidates))
    return services.build_results(vacancy, data, visible)


def _require_candidate_results(vacancy: Vacancy, candidate: Candidate) -> None:
    permissions.require(permissions.can_view_results(current_user, vacancy, candidate))


# The routes: imported last, as they register on bp.
from panel.scoring.views import feedback, results, scoring  # noqa: E402,F401
