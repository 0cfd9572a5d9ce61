"""The work of payments and expenses: rates and rules from a date, choices, claims and their
approval, payroll exports. Services flush, never commit; every change is audit-logged; a refusal
is a ServiceError naming its form field, raised before anything is changed.

A claim's state changes by one conditional UPDATE (``WHERE id = ? AND version = ?``): of two
approvers acting at once one wins and the other gets StaleEdit, whatever the database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from panel import audit
from panel.csvexport import to_csv
from panel.deadlines import LONDON
from panel.errors import ServiceError, StaleEdit
from panel.involvement.activities import LABELS, activity_of
from panel.models import (
    ActivityRate,
    Claim,
    ClaimReceipt,
    ClaimStatus,
    ExpenseRules,
    PaymentChoice,
    PayrollExport,
    User,
)
from panel.payments import money, receipts
from panel.uploads import UploadError

PAID, EXPENSES, NEITHER = "paid", "expenses", "none"
CHOICES = {PAID: "Paid for my time, and my expenses", EXPENSES: "My expenses only", NEITHER: "Neither"}
EXPENSE_KINDS = {"fares": "Fares", "parking": "Parking", "care": "Carer or childcare"}
MAX_HOURS = 12
MAX_RATE_PENCE = 100_000         # £1,000 a unit: anything more is a typing slip
MAX_TEXT = 200
SNAPSHOT = ("status", "quarter_hours", "fee_pence", "tenth_miles", "mileage_pence", "fares_pence", "parking_pence",
            "care_pence", "total_pence", "payment_reference", "paid_on", "version")


def today() -> dt.date:
    return dt.datetime.now(LONDON).date()


# --- rates and rules -----------------------------------------------------------------

def rate_on(session: Session, kind: str, day: dt.date) -> ActivityRate | None:
    """The rate for this kind of activity in force on that day."""
    return session.scalars(select(ActivityRate).where(ActivityRate.kind == kind, ActivityRate.effective_from <= day)
                           .order_by(ActivityRate.effective_from.desc(), ActivityRate.id.desc()).limit(1)).first()


def rules_on(session: Session, day: dt.date) -> ExpenseRules | None:
    return session.scalars(select(ExpenseRules).where(ExpenseRules.effective_from <= day)
                           .order_by(ExpenseRules.effective_from.desc(), ExpenseRules.id.desc()).limit(1)).first()


def _not_before_today(effective_from: dt.date, on: dt.date | None) -> None:
    if effective_from < (on or today()):
        raise ServiceError("The date it takes effect must be today or later: claims already made keep the rate "
                           "they were made at, and the past is never changed", "effective_from")


def add_rate(session: Session, actor: User, *, kind: str, unit: str, pence: int, cost_centre: str,
             effective_from: dt.date, on: dt.date | None = None) -> ActivityRate:
    if kind not in LABELS:
        raise ServiceError("Choose the kind of activity", "kind")
    if unit not in money.UNITS:
        raise ServiceError("Choose per hour, per half day or per session", "unit")
    if not 0 <= pence <= MAX_RATE_PENCE:
        raise ServiceError(f"The rate must be between £0.00 and {money.money(MAX_RATE_PENCE)}", "rate")
    _not_before_today(effective_from, on)
    rate = ActivityRate(kind=kind, unit=unit, pence=pence, cost_centre=cost_centre.strip()[:40],
                        effective_from=effective_from, created_by_id=actor.id)
    session.add(rate)
    session.flush()
    audit.record(session, actor, "payments.rate_added", rate,
                 summary=f"{LABELS[kind]}: {money.money(pence)} {money.UNITS[unit]} from {effective_from.isoformat()}",
                 changes={"kind": kind, "unit": unit, "pence": pence, "cost_centre": rate.cost_centre,
                          "effective_from": effective_from.isoformat()})
    return rate


def add_rules(session: Session, actor: User, *, mileage_pence_per_mile: int, max_miles: int, fares_limit_pence: int,
              parking_limit_pence: int, care_limit_pence: int, cost_centre: str, tax_note: str, advice_url: str,
              effective_from: dt.date, on: dt.date | None = None) -> ExpenseRules:
    if not 0 <= mileage_pence_per_mile <= 500:
        raise ServiceError("The mileage rate must be between £0.00 and £5.00 a mile", "mileage_rate")
    if not 0 <= max_miles <= 2000:
        raise ServiceError("The most miles in one claim must be between 0 and 2000", "max_miles")
    for name, value in (("fares_limit", fares_limit_pence), ("parking_limit", parking_limit_pence),
                        ("care_limit", care_limit_pence)):
        if not 0 <= value <= MAX_RATE_PENCE:
            raise ServiceError(f"The limit must be between £0.00 and {money.money(MAX_RATE_PENCE)}", name)
    if advice_url and not advice_url.startswith("https://"):
        raise ServiceError("The advice link must start with https://", "advice_url")
    _not_before_today(effective_from, on)
    rules = ExpenseRules(mileage_pence_per_mile=mileage_pence_per_mile, max_miles=max_miles,
                         fares_limit_pence=fares_limit_pence, parking_limit_pence=parking_limit_pence,
                         care_limit_pence=care_limit_pence, cost_centre=cost_centre.strip()[:40],
                         tax_note=tax_note.strip(), advice_url=advice_url.strip(), effective_from=effective_from,
                         created_by_id=actor.id)
    session.add(rules)
    session.flush()
    audit.record(session, actor, "payments.rules_added", rules,
                 summary=f"Expenses rules from {effective_from.isoformat()}",
                 changes=audit.snapshot(rules, ("mileage_pence_per_mile", "max_miles", "fares_limit_pence",
                                                "parking_limit_pence", "care_limit_pence", "cost_centre",
                                                "advice_url", "effective_from")))
    return rules


# --- choices -----------------------------------------------------------------------

def choice_on(session: Session, user_id: int, day: dt.date) -> PaymentChoice | None:
    return session.scalars(select(PaymentChoice).where(PaymentChoice.user_id == user_id,
                                                       PaymentChoice.effective_from <= day)
                           .order_by(PaymentChoice.effective_from.desc(), PaymentChoice.id.desc()).limit(1)).first()


def choice_history(session: Session, user_id: int) -> list[PaymentChoice]:
    return list(session.scalars(select(PaymentChoice).where(PaymentChoice.user_id == user_id)
                                .order_by(PaymentChoice.effective_from.desc(), PaymentChoice.id.desc())))


def set_choice(session: Session, actor: User, person: User, *, choice: str, payroll_reference: str | None = None,
               effective_from: dt.date | None = None, on: dt.date | None = None) -> PaymentChoice:
    """Record a choice from a date (today unless given): it applies to activity from then on; what
    was claimed before keeps the choice it was made under. The payroll reference is HR's to set
    (None: keep the current one)."""
    if choice not in CHOICES:
        raise ServiceError("Choose whether you want to be paid", "choice")
    effective_from = effective_from or on or today()
    if effective_from < (on or today()):
        raise ServiceError("A change of choice applies from today or a later date, never to the past", "effective_from")
    current = choice_on(session, person.id, dt.date.max)
    reference = current.payroll_reference if (payroll_reference is None and current) else (payroll_reference or "")
    row = PaymentChoice(user_id=person.id, choice=choice, payroll_reference=reference.strip()[:40],
                        effective_from=effective_from, recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "payments.choice", row, summary=f"{CHOICES[choice]} from {effective_from.isoformat()}",
                 changes={"user_id": person.id, "choice": choice, "payroll_reference": row.payroll_reference,
                          "effective_from": effective_from.isoformat()})
    return row


# --- claims --------------------------------------------------------------------------

@dataclass
class ClaimData:
    """What a claim form holds, parsed: hours in quarter hours, miles in tenths, money in pence."""
    quarter_hours: int = 0
    mileage_from: str = ""
    mileage_to: str = ""
    tenth_miles: int = 0
    fares_pence: int = 0
    parking_pence: int = 0
    care_pence: int = 0
    files: dict = field(default_factory=dict)  # expense kind -> uploaded file (FileStorage)


def _amounts(claim_choice: str, rate: ActivityRate | None, rules: ExpenseRules | None, data: ClaimData) -> dict:
    """The claim's figures, checked against the rules in force: ServiceError names the field."""
    if not 1 <= data.quarter_hours <= MAX_HOURS * 4:
        raise ServiceError(f"Enter the time you spent, between a quarter of an hour and {MAX_HOURS} hours", "hours")
    if rules is None:
        rules = ExpenseRules(mileage_pence_per_mile=0, max_miles=0, fares_limit_pence=0, parking_limit_pence=0,
                             care_limit_pence=0, cost_centre="")
    if data.tenth_miles > rules.max_miles * 10:
        raise ServiceError(f"Mileage can be at most {rules.max_miles} miles in one claim"
                           if rules.max_miles else "Mileage is not paid at the moment", "miles")
    if data.tenth_miles and not (data.mileage_from.strip() and data.mileage_to.strip()):
        raise ServiceError("Enter where you travelled from and to", "mileage_from" if not data.mileage_from.strip()
                           else "mileage_to")
    for kind, limit in (("fares", rules.fares_limit_pence), ("parking", rules.parking_limit_pence),
                        ("care", rules.care_limit_pence)):
        amount = getattr(data, f"{kind}_pence")
        if amount > limit:
            raise ServiceError(f"{EXPENSE_KINDS[kind]} can be at most {money.money(limit)}" if limit
                               else f"{EXPENSE_KINDS[kind]} are not paid", kind)
    hours = Decimal(data.quarter_hours) / 4
    paid = claim_choice == PAID and rate is not None
    fee = money.fee(rate.pence, rate.unit, hours) if paid else 0
    mileage = money.mileage(data.tenth_miles, rules.mileage_pence_per_mile)
    figures = {
        "quarter_hours": data.quarter_hours, "rate_pence": rate.pence if paid else 0,
        "rate_unit": rate.unit if rate else money.HOUR, "fee_pence": fee,
        "mileage_from": data.mileage_from.strip()[:MAX_TEXT], "mileage_to": data.mileage_to.strip()[:MAX_TEXT],
        "tenth_miles": data.tenth_miles, "mileage_rate_pence": rules.mileage_pence_per_mile, "mileage_pence": mileage,
        "fares_pence": data.fares_pence, "parking_pence": data.parking_pence, "care_pence": data.care_pence,
        "cost_centre": (rate.cost_centre if rate and rate.cost_centre else rules.cost_centre) or "",
    }
    figures["total_pence"] = fee + mileage + data.fares_pence + data.parking_pence + data.care_pence
    if figures["total_pence"] <= 0:
        raise ServiceError("There is nothing to pay: add your expenses" if claim_choice == EXPENSES
                           else "There is nothing to pay for this activity", "hours")
    return figures


def _need_receipts(data: ClaimData, existing: set[str], on_paper: bool) -> None:
    if on_paper:  # HR holds the paper receipts
        return
    for kind in ("fares", "parking", "care"):
        if getattr(data, f"{kind}_pence") and kind not in existing and not data.files.get(kind):
            raise ServiceError(f"Add a photo or PDF of the {EXPENSE_KINDS[kind].lower()} receipt", f"{kind}_receipt")


def _clean_files(data: ClaimData) -> list[tuple[str, bytes, str, str]]:
    """Every uploaded receipt checked and cleaned before anything is saved: UploadError names its field."""
    cleaned = []
    for kind, file in data.files.items():
        if not file:
            continue
        try:
            cleaned.append((kind, *receipts.clean_receipt(file)))
        except UploadError as exc:
            raise ServiceError(exc.message, f"{kind}_receipt") from exc
    return cleaned


def _store_files(session: Session, claim: Claim, cleaned) -> None:
    for kind, data, content_type, extension in cleaned:
        key = receipts.save(data, content_type, extension)
        session.add(ClaimReceipt(claim_id=claim.id, kind=kind, store_key=key, content_type=content_type,
                                 size=len(data)))


def existing_claim(session: Session, user_id: int, key: str) -> Claim | None:
    return session.scalars(select(Claim).where(Claim.user_id == user_id, Claim.activity_key == key)).first()


def claimable_choice(session: Session, person: User, day: dt.date) -> str:
    choice = choice_on(session, person.id, day)
    if choice is None:
        raise ServiceError("First choose whether you want to be paid for your time", "choice")
    if choice.choice == NEITHER:
        raise ServiceError("You chose not to be paid or claim expenses for this activity. You can change your "
                           "choice for future activity", "choice")
    return choice.choice


def make_claim(session: Session, actor: User, person: User, key: str, data: ClaimData, *,
               on_paper: bool = False) -> Claim:
    """A claim for one of the person's activities, at the rates in force on the day of it."""
    activity = activity_of(session, person.id, key)
    if activity is None:
        raise ServiceError("There is no such activity of yours to claim for", "hours")
    if existing_claim(session, person.id, key) is not None:
        raise ServiceError("This activity has already been claimed for: each activity is claimed once", "hours")
    choice = claimable_choice(session, person, activity.on)
    figures = _amounts(choice, rate_on(session, activity.kind, activity.on), rules_on(session, activity.on), data)
    _need_receipts(data, set(), on_paper)
    cleaned = _clean_files(data)
    claim = Claim(user_id=person.id, activity_key=key, activity_kind=activity.kind,
                  activity_title=activity.vacancy_title[:300], activity_on=activity.on, choice=choice,
                  status=ClaimStatus.SUBMITTED, version=1, on_paper=on_paper,
                  entered_by_id=actor.id, **figures)
    session.add(claim)
    session.flush()
    _store_files(session, claim, cleaned)
    session.flush()
    audit.record(session, actor, "payments.claim_made", claim,
                 summary=f"Claim {money.money(claim.total_pence)} for {activity.label.lower()} on {activity.on.isoformat()}"
                         + (" (paper claim entered for them)" if on_paper else ""),
                 changes=audit.snapshot(claim, SNAPSHOT + ("user_id", "activity_key", "on_paper")))
    return claim


def _transition(session: Session, claim: Claim, version: int, allowed: tuple[str, ...], values: dict) -> None:
    """Change the claim with one conditional UPDATE: StaleEdit (nothing changed) if someone else
    changed it since the person loaded version ``version``, or it is no longer in an allowed state."""
    done = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.version == version, Claim.status.in_(allowed))
        .values(version=Claim.version + 1, **values).execution_options(synchronize_session=False))
    session.refresh(claim)
    if done.rowcount != 1:
        label = claim.status_label.lower()
        raise StaleEdit(f"Someone else changed this claim first: it is now \u201c{label}\u201d. "
                        "Nothing was changed; read it again before you act.", current=claim)


def update_claim(session: Session, actor: User, claim: Claim, version: int, data: ClaimData) -> Claim:
    """Change a claim that waits for approval or has a question; never after approval."""
    if not claim.is_open:
        raise ServiceError(f"This claim is {claim.status_label.lower()} and can no longer be changed",
                           "hours")
    figures = _amounts(claim.choice, rate_on(session, claim.activity_kind, claim.activity_on),
                       rules_on(session, claim.activity_on), data)
    if claim.rate_pence and claim.choice == PAID:  # the rate copied when the claim was made stays
        figures["rate_pence"], figures["rate_unit"] = claim.rate_pence, claim.rate_unit
        figures["fee_pence"] = money.fee(claim.rate_pence, claim.rate_unit, Decimal(data.quarter_hours) / 4)
        figures["total_pence"] = figures["fee_pence"] + sum(
            figures[k] for k in ("mileage_pence", "fares_pence", "parking_pence", "care_pence"))
    _need_receipts(data, {r.kind for r in claim.receipts}, claim.on_paper)
    cleaned = _clean_files(data)
    before = audit.snapshot(claim, SNAPSHOT)
    _transition(session, claim, version, ClaimStatus.OPEN, figures)
    _store_files(session, claim, cleaned)
    session.flush()
    session.refresh(claim)
    audit.record(session, actor, "payments.claim_changed", claim, summary="Claim changed",
                 changes=audit.diff(before, audit.snapshot(claim, SNAPSHOT)))
    return claim


def _reason(text: str, field_name: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(f"Enter {what}", field_name)
    if len(text) > 2000:
        raise ServiceError("Keep it to 2000 characters or fewer", field_name)
    return text


def decide(session: Session, actor: User, claim: Claim, version: int, decision: str, text: str = "") -> Claim:
    """Approve, query (with a question the claimant sees) or reject (with a reason)."""
    if claim.user_id == actor.id:
        raise ServiceError("You cannot approve or decide on your own claim: someone else in the team must",
                           "decision")
    if claim.typed_in_by(actor.id):
        raise ServiceError("You typed this claim in from a paper form, so someone else in the team must check and "
                           "decide it", "decision")
    now = dt.datetime.now(dt.timezone.utc)
    if decision == "approve":
        values = {"status": ClaimStatus.APPROVED, "decided_by_id": actor.id, "decided_at": now}
    elif decision == "query":
        values = {"status": ClaimStatus.QUERIED, "question": _reason(text, "text", "your question for them"),
                  "answer": "", "decided_by_id": actor.id, "decided_at": now}
    elif decision == "reject":
        values = {"status": ClaimStatus.REJECTED, "reject_reason": _reason(text, "text", "the reason"),
                  "decided_by_id": actor.id, "decided_at": now}
    else:
        raise ServiceError("Choose approve, ask a question or reject", "decision")
    before = audit.snapshot(claim, SNAPSHOT)
    _transition(session, claim, version, (ClaimStatus.SUBMITTED,), values)
    audit.record(session, actor, f"payments.claim_{claim.status}", claim,
                 summary=f"Claim {claim.status_label.lower()}",
                 changes={**audit.diff(before, audit.snapshot(claim, SNAPSHOT)),
                          **({"text": audit.digest(text.strip())} if text.strip() else {})})
    return claim


def answer(session: Session, actor: User, claim: Claim, version: int, text: str) -> Claim:
    """The claimant's answer to HR's question: the claim waits for approval again."""
    text = _reason(text, "answer", "your answer")
    _transition(session, claim, version, (ClaimStatus.QUERIED,), {"status": ClaimStatus.SUBMITTED, "answer": text})
    audit.record(session, actor, "payments.claim_answered", claim, summary="Question about the claim answered",
                 changes={"status": {"before": ClaimStatus.QUERIED, "after": ClaimStatus.SUBMITTED},
                          "answer": audit.digest(text)})
    return claim


def mark_paid(session: Session, actor: User, claim: Claim, version: int, reference: str, paid_on: dt.date | None) -> Claim:
    if claim.user_id == actor.id:
        raise ServiceError("You cannot mark your own claim as paid: someone else in the team must", "reference")
    reference = (reference or "").strip()
    if not reference or len(reference) > 60:
        raise ServiceError("Enter the payment reference (60 characters or fewer)", "reference")
    if paid_on is None:
        raise ServiceError("Enter the date it was paid", "paid_on")
    if paid_on > today() or paid_on < claim.activity_on:
        raise ServiceError("The date it was paid must be between the day of the activity and today", "paid_on")
    before = audit.snapshot(claim, SNAPSHOT)
    _transition(session, claim, version, (ClaimStatus.APPROVED,),
                {"status": ClaimStatus.PAID, "payment_reference": reference, "paid_on": paid_on})
    audit.record(session, actor, "payments.claim_paid", claim, summary=f"Claim paid: {reference}",
                 changes=audit.diff(before, audit.snapshot(claim, SNAPSHOT)))
    return claim


# --- payroll export -----------------------------------------------------------------

EXPORT_HEADER = ["Person", "Payroll or supplier reference", "Claim", "Activity", "Vacancy", "Activity date", "Hours",
                 "Rate", "Rate unit", "Amount for time", "Miles", "Mileage", "Fares", "Parking",
                 "Carer or childcare", "Expenses total", "Total", "Cost centre", "Paper claim", "Approved on"]


def export_rows(session: Session, claims: list[Claim]) -> list[list]:
    references = {}
    for c in claims:
        if c.user_id not in references:
            choice = choice_on(session, c.user_id, dt.date.max)
            references[c.user_id] = choice.payroll_reference if choice else ""
    rows = [EXPORT_HEADER]
    for c in claims:
        expenses = c.mileage_pence + c.fares_pence + c.parking_pence + c.care_pence
        rows.append([
            c.user.name, references[c.user_id], c.id, LABELS.get(c.activity_kind, c.activity_kind), c.activity_title,
            c.activity_on.isoformat(), str(Decimal(c.quarter_hours) / 4), money.pounds(c.rate_pence),
            money.UNITS.get(c.rate_unit, c.rate_unit) if c.rate_pence else "", money.pounds(c.fee_pence),
            str(Decimal(c.tenth_miles) / 10), money.pounds(c.mileage_pence), money.pounds(c.fares_pence),
            money.pounds(c.parking_pence), money.pounds(c.care_pence), money.pounds(expenses),
            money.pounds(c.total_pence), c.cost_centre, "yes" if c.on_paper else "no",
            c.decided_at.astimezone(LONDON).date().isoformat() if c.decided_at else "",
        ])
    return rows


def make_export(session: Session, actor: User, period_end: dt.date) -> PayrollExport:
    """A payroll file of every approved claim decided by the end of the pay period and never
    exported before; each claim is marked with it, so a later export leaves it out."""
    end = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    claims = list(session.scalars(
        select(Claim).where(Claim.status == ClaimStatus.APPROVED, Claim.export_id.is_(None), Claim.decided_at < end)
        .order_by(Claim.decided_at, Claim.id).with_for_update()))
    if not claims:
        raise ServiceError("There are no approved claims to export for this pay period", "period_end")
    export = PayrollExport(period_end=period_end, created_by_id=actor.id, claim_count=len(claims),
                           total_pence=sum(c.total_pence for c in claims), csv=to_csv(export_rows(session, claims)))
    savepoint = session.begin_nested()
    session.add(export)
    session.flush()
    marked = session.execute(update(Claim).where(Claim.id.in_([c.id for c in claims]), Claim.export_id.is_(None))
                             .values(export_id=export.id).execution_options(synchronize_session=False))
    if marked.rowcount != len(claims):  # another export took some of them at the same moment
        savepoint.rollback()
        raise StaleEdit("Another payroll export was made at the same moment. Nothing was changed: try again.")
    savepoint.commit()
    for claim in claims:
        session.expire(claim, ["export_id"])
    audit.record(session, actor, "payments.exported", export,
                 summary=f"Payroll export to {period_end.isoformat()}: {len(claims)} claims, {money.money(export.total_pence)}",
                 changes={"claims": [c.id for c in claims], "total_pence": export.total_pence})
    return export
