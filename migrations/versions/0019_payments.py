"""involvement payments and expenses: rates, rules, choices, claims, receipts, payroll exports

Revision ID: 0019
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

from panel.db import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _user(name: str, ondelete: str = "SET NULL", nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "activity_rates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("pence", sa.Integer(), nullable=False),
        sa.Column("cost_centre", sa.String(40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        _user("created_by_id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_activity_rates_kind", "activity_rates", ["kind"])
    op.create_table(
        "expense_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("mileage_pence_per_mile", sa.Integer(), nullable=False),
        sa.Column("max_miles", sa.Integer(), nullable=False),
        sa.Column("fares_limit_pence", sa.Integer(), nullable=False),
        sa.Column("parking_limit_pence", sa.Integer(), nullable=False),
        sa.Column("care_limit_pence", sa.Integer(), nullable=False),
        sa.Column("cost_centre", sa.String(40), nullable=False),
        sa.Column("tax_note", sa.Text(), nullable=False),
        sa.Column("advice_url", sa.String(300), nullable=False),
        _user("created_by_id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "payment_choices",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user("user_id", "CASCADE", nullable=False),
        sa.Column("choice", sa.String(20), nullable=False),
        sa.Column("payroll_reference", sa.String(40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        _user("recorded_by_id"),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_payment_choices_user_id", "payment_choices", ["user_id"])
    op.create_table(
        "payroll_exports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period_end", sa.Date(), nullable=False),
        _user("created_by_id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("csv", sa.Text(), nullable=False),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user("user_id", "CASCADE", nullable=False),
        sa.Column("activity_key", sa.String(60), nullable=False),
        sa.Column("activity_kind", sa.String(40), nullable=False),
        sa.Column("activity_title", sa.String(300), nullable=False),
        sa.Column("activity_on", sa.Date(), nullable=False),
        sa.Column("choice", sa.String(20), nullable=False),
        sa.Column("quarter_hours", sa.Integer(), nullable=False),
        sa.Column("rate_pence", sa.Integer(), nullable=False),
        sa.Column("rate_unit", sa.String(20), nullable=False),
        sa.Column("fee_pence", sa.Integer(), nullable=False),
        sa.Column("mileage_from", sa.String(200), nullable=False),
        sa.Column("mileage_to", sa.String(200), nullable=False),
        sa.Column("tenth_miles", sa.Integer(), nullable=False),
        sa.Column("mileage_rate_pence", sa.Integer(), nullable=False),
        sa.Column("mileage_pence", sa.Integer(), nullable=False),
        sa.Column("fares_pence", sa.Integer(), nullable=False),
        sa.Column("parking_pence", sa.Integer(), nullable=False),
        sa.Column("care_pence", sa.Integer(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column("cost_centre", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("on_paper", sa.Boolean(), nullable=False),
        _user("entered_by_id"),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        _user("decided_by_id"),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("payment_reference", sa.String(60), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("export_id", sa.Integer(), sa.ForeignKey("payroll_exports.id", ondelete="SET NULL"), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("receipts_purged_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("user_id", "activity_key", name="uq_claims_user_activity"),
    )
    op.create_index("ix_claims_user_id", "claims", ["user_id"])
    op.create_index("ix_claims_status", "claims", ["status"])
    op.create_index("ix_claims_export_id", "claims", ["export_id"])
    op.create_table(
        "claim_receipts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("store_key", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_claim_receipts_claim_id", "claim_receipts", ["claim_id"])


def downgrade() -> None:
    for table in ("claim_receipts", "claims", "payroll_exports", "payment_choices", "expense_rules", "activity_rates"):
        op.drop_table(table)
