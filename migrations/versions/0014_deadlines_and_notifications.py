"""deadlines on vacancies (shortlisting, interview scoring) and the notifications outbox

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STATUSES = ("queued", "sending", "sent", "failed", "cancelled")


def upgrade() -> None:
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.add_column(sa.Column("shortlisting_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("scoring_deadline", sa.Date(), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment", sa.Text(), nullable=True),
        sa.Column("due_at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="notificationstatus", native_enum=False, length=20),
                  nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", panel.db.UTCDateTime(), nullable=True),
        sa.Column("provider_id", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", panel.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", panel.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], name=op.f("fk_notifications_vacancy_id_vacancies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
    )
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_vacancy_id"), ["vacancy_id"], unique=False)
        batch_op.create_index("ix_notifications_status_due_at", ["status", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_table("notifications")
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.drop_column("scoring_deadline")
        batch_op.drop_column("shortlisting_deadline")
