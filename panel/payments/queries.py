"""Reads for the claims pages: a person's claims, the claims waiting for HR, totals per person
per UK tax year, the exports. A fixed number of queries each."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from panel.deadlines import LONDON
from panel.models import ActivityRate, Claim, ClaimStatus, ExpenseRules, PayrollExport, User
from panel.payments.money import tax_year_start


def claim_or_none(session: Session, claim_id: int) -> Claim | None:
    return session.scalars(select(Claim).where(Claim.id == claim_id)
                           .options(selectinload(Claim.receipts), selectinload(Claim.user))).first()


def claims_of(session: Session, user_id: int) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.user_id == user_id)
                                .order_by(Claim.activity_on.desc(), Claim.id.desc())))


def claims_in(session: Session, statuses: tuple[str, ...]) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.status.in_(statuses)).options(selectinload(Claim.user))
                                .order_by(Claim.submitted_at, Claim.id)))


def people(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))


def all_rates(session: Session) -> list[ActivityRate]:
    return list(session.scalars(select(ActivityRate).order_by(ActivityRate.kind, ActivityRate.effective_from.desc(),
                                                              ActivityRate.id.desc())))


def all_rules(session: Session) -> list[ExpenseRules]:
    return list(session.scalars(select(ExpenseRules).order_by(ExpenseRules.effective_from.desc(),
                                                              ExpenseRules.id.desc())))


def exports(session: Session) -> list[PayrollExport]:
    return list(session.scalars(select(PayrollExport).order_by(PayrollExport.id.desc())))


def waiting_for_export(session: Session) -> int:
    return len(session.scalars(select(Claim.id).where(Claim.status == ClaimStatus.APPROVED,
                                                      Claim.export_id.is_(None))).all())


@dataclass
class YearTotal:
    user_id: int
    name: str
    tax_year: int
    claims: int
    fee_pence: int
    expenses_pence: int
    total_pence: int
    paid_pence: int


def ledger_day(claim: Claim) -> dt.date:
    """The day a claim counts in a tax year: the day it was paid, else the day it was approved."""
    if claim.paid_on:
        return claim.paid_on
    return claim.decided_at.astimezone(LONDON).date() if claim.decided_at else claim.activity_on


def tax_year_totals(session: Session, user_id: int | None = None) -> list[YearTotal]:
    """Approved and paid claims per person per UK tax year (6 April to 5 April), newest year first.
    Payments for time are taxable income; HR watches these totals (and a person's benefits limits)."""
    query = select(Claim).where(Claim.status.in_((ClaimStatus.APPROVED, ClaimStatus.PAID))).options(
        selectinload(Claim.user))
    if user_id is not None:
        query = query.where(Claim.user_id == user_id)
    totals: dict[tuple[int, int], YearTotal] = {}
    for c in session.scalars(query):
        year = tax_year_start(ledger_day(c))
        row = totals.get((c.user_id, year))
        if row is None:
            row = totals[(c.user_id, year)] = YearTotal(c.user_id, c.user.name, year, 0, 0, 0, 0, 0)
        row.claims += 1
        row.fee_pence += c.fee_pence
        row.expenses_pence += c.total_pence - c.fee_pence
        row.total_pence += c.total_pence
        row.paid_pence += c.total_pence if c.status == ClaimStatus.PAID else 0
    return sorted(totals.values(), key=lambda r: (-r.tax_year, r.name.casefold(), r.user_id))


def counts_by_status(session: Session) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in session.scalars(select(Claim.status)):
        counts[status] += 1
    return counts
