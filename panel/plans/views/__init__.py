"""A vacancy's interview plan, scoring scale, timetable and invitations: the "plans" blueprint.

The chair and HR edit; everyone on the panel reads the plan and timetable; only HR
sees candidates' email addresses and sends invitations. Each view declares its
permission with @vacancy_view (panel/loaders.py), loads, calls a service and redirects.

One blueprint, split by page family (the endpoint names are "plans.<function>"):
- plan.py: the plan, the question bank search, plan questions and the scoring scale;
- timetable.py: the timetable, the interview day, generating slots and each slot;
- invitations.py: the invitation list, its wording, one invitation and "send all".
This module holds the blueprint and what the three share.
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from panel import permissions
from panel.models import Vacancy
from panel.plans import services

bp = Blueprint("plans", __name__, url_prefix="/vacancies")


@bp.before_request
@login_required
def _signed_in():
    return None


def labeller(vacancy: Vacancy):
    """How candidates are named to this user (a name, or a label while names are hidden),
    and whether names are shown."""
    show_names = permissions.can_see_candidate_identity(current_user, vacancy)
    return (lambda c: services.candidate_label(c, show_names)), show_names


# The routes: imported last, as they register on bp.
from panel.plans.views import invitations, plan, timetable  # noqa: E402,F401
