"""Involvement payments and expenses (issue 18): rates and rules with the dates they take effect,
each person's choice (paid, expenses only, neither), claims with their receipts, and payroll
exports. Money is integer pence everywhere; hours are kept in quarter hours, miles in tenths.

Rates, rules and choices are never edited: a change is a new row taking effect from a date, so
the past is never rewritten. A claim copies the rate it was made at."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, utcnow
from panel.models.users import User


class ClaimStatus:
    """Where a claim is: submitted -> approved / queried (-> submitted again when answered) /
    rejected; approved -> paid."""
    SUBMITTED, QUERIED, APPROVED, REJECTED, PAID = "submitted", "queried", "approved", "rejected", "paid"
    OPEN = (SUBMITTED, QUERIED)          # the claimant (or HR for them) may still change it
    ALL = (SUBMITTED, QUERIED, APPROVED, REJECTED, PAID)
    LABELS = {SUBMITTED: "Waiting for approval", QUERIED: "Question for you", APPROVED: "Approved",
              REJECTED: "Not approved", PAID: "Paid"}


class ActivityRate(Base):
    """What one kind of activity is paid, from a date."""
    __tablename__ = "activity_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)   # panel.involvement.activities kinds
    unit: Mapped[str] = mapped_column(String(20))               # hour, half_day, session
    pence: Mapped[int] = mapped_column(Integer)
    cost_centre: Mapped[str] = mapped_column(String(40), default="")
    effective_from: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpenseRules(Base):
    """Mileage rate, the limits of each kind of expense (0: not allowed), the cost centre and the
    organisation's note on tax and benefits, from a date."""
    __tablename__ = "expense_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    mileage_pence_per_mile: Mapped[int] = mapped_column(Integer)
    max_miles: Mapped[int] = mapped_column(Integer)             # per claim
    fares_limit_pence: Mapped[int] = mapped_column(Integer)
    parking_limit_pence: Mapped[int] = mapped_column(Integer)
    care_limit_pence: Mapped[int] = mapped_column(Integer)
    cost_centre: Mapped[str] = mapped_column(String(40), default="")
    tax_note: Mapped[str] = mapped_column(Text, default="")
    advice_url: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentChoice(Base):
    """A person's choice from a date: paid, expenses only, or neither (history: never edited)."""
    __tablename__ = "payment_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    choice: Mapped[str] = mapped_column(String(20))             # paid, expenses, none
    payroll_reference: Mapped[str] = mapped_column(String(40), default="")
    effective_from: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def paid_for_time(self) -> bool:
        return self.choice == "paid"

    @property
    def expenses_only(self) -> bool:
        return self.choice == "expenses"


class PayrollExport(Base):
    """One CSV for payroll: the claims in it point here, so none is exported twice; the file is
    kept so a second download is the same file."""
    __tablename__ = "payroll_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_count: Mapped[int] = mapped_column(Integer, default=0)
    total_pence: Mapped[int] = mapped_column(Integer, default=0)
    csv: Mapped[str] = mapped_column(Text, default="")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("user_id", "activity_key", name="uq_claims_user_activity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # the activity claimed for (panel.involvement.activities), copied when the claim is made
    activity_key: Mapped[str] = mapped_column(String(60))
    activity_kind: Mapped[str] = mapped_column(String(40))
    activity_title: Mapped[str] = mapped_column(String(300), default="")
    activity_on: Mapped[dt.date] = mapped_column(Date)
    choice: Mapped[str] = mapped_column(String(20))              # the person's choice on that day
    quarter_hours: Mapped[int] = mapped_column(Integer, default=0)
    rate_pence: Mapped[int] = mapped_column(Integer, default=0)  # 0 when expenses only
    rate_unit: Mapped[str] = mapped_column(String(20), default="hour")
    fee_pence: Mapped[int] = mapped_column(Integer, default=0)
    mileage_from: Mapped[str] = mapped_column(String(200), default="")
    mileage_to: Mapped[str] = mapped_column(String(200), default="")
    tenth_miles: Mapped[int] = mapped_column(Integer, default=0)
    mileage_rate_pence: Mapped[int] = mapped_column(Integer, default=0)
    mileage_pence: Mapped[int] = mapped_column(Integer, default=0)
    fares_pence: Mapped[int] = mapped_column(Integer, default=0)
    parking_pence: Mapped[int] = mapped_column(Integer, default=0)
    care_pence: Mapped[int] = mapped_column(Integer, default=0)
    total_pence: Mapped[int] = mapped_column(Integer, default=0)
    cost_centre: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)      # every change adds one (two approvers)
    on_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str] = mapped_column(String(60), default="")
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    export_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_exports.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    receipts_purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    receipts: Mapped[list["ClaimReceipt"]] = relationship(back_populates="claim", cascade="all, delete-orphan",
                                                           order_by="ClaimReceipt.id")

    # where the claim is, asked by meaning (templates and views never compare the status string)
    @property
    def status_label(self) -> str:
        """Where the claim is, in the claimant's words ("Waiting for approval" ...)."""
        return ClaimStatus.LABELS[self.status]

    @property
    def is_open(self) -> bool:
        """Waiting for approval or answering a question: the claimant (or HR for them) may still change it."""
        return self.status in ClaimStatus.OPEN

    def typed_in_by(self, user_id: int) -> bool:
        """A paper claim this person typed in (so someone else must check and decide it)."""
        return self.on_paper and self.entered_by_id == user_id

    @property
    def is_submitted(self) -> bool:
        return self.status == ClaimStatus.SUBMITTED

    @property
    def is_queried(self) -> bool:
        return self.status == ClaimStatus.QUERIED

    @property
    def is_approved(self) -> bool:
        return self.status == ClaimStatus.APPROVED

    @property
    def is_rejected(self) -> bool:
        return self.status == ClaimStatus.REJECTED

    @property
    def is_paid(self) -> bool:
        return self.status == ClaimStatus.PAID


class ClaimReceipt(Base):
    __tablename__ = "claim_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))                # fares, parking, care
    store_key: Mapped[str] = mapped_column(String(255))          # receipts/<32 hex>.<jpg|png|pdf>
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="receipts")
