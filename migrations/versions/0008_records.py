"""records and data protection

When a vacancy closed, when a candidate's personal data was purged, and the candidate
an audit event concerns.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.add_column(sa.Column("closed_at", panel.db.UTCDateTime(), nullable=True))
    # Vacancies closed before this migration: their last change is the best guess.
    op.execute("UPDATE vacancies SET closed_at = updated_at WHERE status = 'closed' AND closed_at IS NULL")
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.add_column(sa.Column("purged_at", panel.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_candidate_id"), ["candidate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_candidate_id"))
        batch_op.drop_column("candidate_id")
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.drop_column("closed_at")
