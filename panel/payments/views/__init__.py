"""Claims for involvement payments and expenses, under /claims: the "payments" blueprint.

A person's own claims ("Claim for your involvement"), and HR's (or the involvement lead's)
approval, rates, people, paper claims and payroll exports. Split by concern (the endpoint names
are "payments.<function>"):
- mine.py: the claimant's list of activities and claims, their choice and their records;
- claims.py: one claim: making it (online or on paper), showing, changing, answering a
  question, deciding, marking it paid and its receipts;
- payroll.py: HR's review list, rates and expenses rules, payroll exports;
- people.py: HR's list of people and one person's choice and records.
This module holds the blueprint and what they share.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.db import db
from panel.involvement.activities import LABELS
from panel.involvement.queries import activities_as_recorded
from panel.loaders import found, user_view
from panel.models import Claim, User
from panel.payments import queries, records, services
from panel.payments.money import UNITS, pounds, tax_year_label

bp = Blueprint("payments", __name__, url_prefix="/claims")


@bp.before_request
@login_required
def _signed_in():
    return None


claimant = user_view(permissions.can_claim)
manager = user_view(permissions.can_manage_involvement)


def _claim(claim_id: int, predicate=permissions.can_see_claim) -> Claim:
    claim = found(queries.claim_or_none(db(), claim_id))
    permissions.require(predicate(current_user, claim))
    return claim


def _person(user_id: int) -> User:
    return found(db().get(User, user_id))


def _activities_with_claims(person: User):
    claims = {c.activity_key: c for c in queries.claims_of(db(), person.id)}
    return [(a, claims.get(a.key)) for a in activities_as_recorded(db(), person.id)], claims


def _common():
    today = services.today()
    return {"rules": services.rules_on(db(), today), "labels": LABELS, "units": UNITS,
            "choices": services.CHOICES, "expense_kinds": services.EXPENSE_KINDS, "tax_year_label": tax_year_label}


def _pounds(pence: int) -> str:
    return pounds(pence) if pence else ""


def _records_download(person: User):
    data = records.subject_access(db(), person)
    audit.record(db(), current_user, "payments.subject_access", person, entity_type="user",
                 summary="Payments and expenses records downloaded (subject access)")
    return Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="payments-records-{person.id}.json"',
                             "Cache-Control": "no-store"})


# The routes: imported last, as they register on bp.
from panel.payments.views import claims, mine, payroll, people  # noqa: E402,F401
