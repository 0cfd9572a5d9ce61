"""a candidate's interview invitation is sent through the notifications outbox: the row that sends it

Revision ID: 0023
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa

revision = "0023"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_invitations") as batch_op:
        batch_op.add_column(sa.Column("notification_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_candidate_invitations_notification_id_notifications", "notifications",
                                    ["notification_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("candidate_invitations") as batch_op:
        batch_op.drop_constraint("fk_candidate_invitations_notification_id_notifications", type_="foreignkey")
        batch_op.drop_column("notification_id")
