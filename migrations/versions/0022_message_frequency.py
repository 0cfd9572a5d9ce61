"""how often a person hears messages that can wait (as things happen, or a daily digest), and a
message held for that digest

Revision ID: 0022
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

import panel.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("message_frequency", sa.String(length=20), nullable=False,
                                      server_default="immediate"))
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("held_until", panel.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("held_until")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("message_frequency")
