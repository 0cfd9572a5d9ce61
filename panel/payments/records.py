"""Financial records of involvement payments: what a person may ask for (subject access), and the
purge once FINANCE_RETENTION_DAYS (six years by default: HMRC and NHS finance keep payment
records for six years) have passed since a claim was paid or rejected. The purge removes the
receipts (from the store) and the free text in the claim (places travelled between, questions,
answers, reasons); the claim row stays with its amounts, so ledger and tax-year totals stay
right. Separate from the candidate retention periods (panel/records/retention.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from panel import audit
from panel.db import session_scope, utcnow
from panel.involvement.activities import LABELS
from panel.models import Claim, ClaimStatus, PaymentChoice, User
from panel.payments import receipts
from panel.payments.money import pounds
from panel.storage import get_store


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def subject_access(session: Session, person: User) -> dict[str, Any]:
    """Everything panel holds about a person's payments and expenses, as plain data."""
    choices = session.scalars(select(PaymentChoice).where(PaymentChoice.user_id == person.id)
                              .order_by(PaymentChoice.effective_from, PaymentChoice.id))
    claims = session.scalars(select(Claim).where(Claim.user_id == person.id).options(selectinload(Claim.receipts))
                             .order_by(Claim.activity_on, Claim.id))
    return {
        "person": {"name": person.name, "email": person.email},
        "payment_choices": [{"choice": c.choice, "payroll_reference": c.payroll_reference,
                             "from": _iso(c.effective_from), "recorded_at": _iso(c.recorded_at)} for c in choices],
        "claims": [{
            "claim": c.id, "activity": LABELS.get(c.activity_kind, c.activity_kind), "vacancy": c.activity_title,
            "date": _iso(c.activity_on), "hours": str(c.quarter_hours / 4), "rate": pounds(c.rate_pence),
            "amount_for_time": pounds(c.fee_pence), "mileage_from": c.mileage_from, "mileage_to": c.mileage_to,
            "miles": str(c.tenth_miles / 10), "mileage": pounds(c.mileage_pence), "fares": pounds(c.fares_pence),
            "parking": pounds(c.parking_pence), "carer_or_childcare": pounds(c.care_pence),
            "total": pounds(c.total_pence), "status": c.status, "entered_on_paper": c.on_paper,
            "question": c.question, "answer": c.answer, "reason_not_approved": c.reject_reason,
            "payment_reference": c.payment_reference, "paid_on": _iso(c.paid_on),
            "receipts": [{"kind": r.kind, "type": r.content_type, "uploaded_at": _iso(r.uploaded_at)}
                         for r in c.receipts],
            "receipts_deleted_at": _iso(c.receipts_purged_at),
        } for c in claims],
    }


@dataclass
class FinancePurge:
    claims: int = 0
    receipt_keys: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"Payment claims past financial retention: {self.claims} "
                f"({len(self.receipt_keys)} receipts deleted; amounts kept for the ledger).")


def due(session: Session, now: dt.datetime, days: int | None = None) -> list[Claim]:
    days = current_app.config["FINANCE_RETENTION_DAYS"] if days is None else days
    cutoff = now - dt.timedelta(days=days)
    return list(session.scalars(
        select(Claim).where(Claim.receipts_purged_at.is_(None), or_(
            and_(Claim.status == ClaimStatus.PAID, Claim.paid_on < cutoff.date()),
            and_(Claim.status == ClaimStatus.REJECTED, Claim.decided_at < cutoff)))
        .options(selectinload(Claim.receipts))))


def purge(session: Session, now: dt.datetime | None = None, dry_run: bool = False) -> FinancePurge:
    """Flushes, never commits; the caller deletes the receipts' files after its commit (delete_files)."""
    now = now or utcnow()
    result = FinancePurge()
    for claim in due(session, now):
        result.claims += 1
        result.receipt_keys += [r.store_key for r in claim.receipts]
        if dry_run:
            continue
        for receipt in list(claim.receipts):
            session.delete(receipt)
        claim.mileage_from = claim.mileage_to = claim.question = claim.answer = claim.reject_reason = ""
        claim.receipts_purged_at = now
        audit.record(session, None, "payments.claim_purged", claim,
                     summary="Receipts and free text deleted after financial retention; amounts kept")
    session.flush()
    return result


def delete_files(result: FinancePurge) -> int:
    """Delete the purged receipts from the store, after the purge was committed."""
    if not result.receipt_keys:
        return 0
    with session_scope() as session:  # the database store deletes in a transaction of its own
        store = get_store(session)
        return sum(1 for key in result.receipt_keys if receipts.delete(key, store))
