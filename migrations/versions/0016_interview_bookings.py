"""candidates book their own interview: bookings (with adjustments), the booking cut-off,
the booking pages' throttle, and messages to candidates in the notifications outbox

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STATUSES = ("waiting", "booked", "declined", "asked")


def upgrade() -> None:
    with op.batch_alter_table("interview_days") as batch_op:
        batch_op.add_column(sa.Column("booking_cutoff_hours", sa.Integer(), nullable=False, server_default="48"))
    op.create_table(
        "interview_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.Enum(*STATUSES, name="bookingstatus", native_enum=False, length=20), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("adjustments", sa.String(length=300), nullable=False),
        sa.Column("adjustments_other", sa.Text(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("answered_at", panel.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_interview_bookings_candidate_id_candidates"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"],
                                name=op.f("fk_interview_bookings_vacancy_id_vacancies"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["slot_id"], ["interview_slots.id"],
                                name=op.f("fk_interview_bookings_slot_id_interview_slots"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_bookings")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_interview_bookings_candidate_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_interview_bookings_token_hash")),
        # one booking per slot: of two candidates racing for the last one, exactly one gets it
        sa.UniqueConstraint("slot_id", name=op.f("uq_interview_bookings_slot_id")),
    )
    with op.batch_alter_table("interview_bookings") as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_bookings_vacancy_id"), ["vacancy_id"], unique=False)
    op.create_table(
        "booking_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", panel.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_requests")),
    )
    with op.batch_alter_table("booking_requests") as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_requests_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_requests_at"), ["at"], unique=False)
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_notifications_candidate_id_candidates"), "candidates",
                                    ["candidate_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index(batch_op.f("ix_notifications_candidate_id"), ["candidate_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE user_id IS NULL")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_candidate_id"))
        batch_op.drop_constraint(batch_op.f("fk_notifications_candidate_id_candidates"), type_="foreignkey")
        batch_op.drop_column("candidate_id")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("booking_requests")
    op.drop_table("interview_bookings")
    with op.batch_alter_table("interview_days") as batch_op:
        batch_op.drop_column("booking_cutoff_hours")
