"""a marking guide per criterion (what 0, 1 and 2 look like), and each panel member's way of
reviewing applications (one candidate at a time, or one criterion at a time)

Revision ID: 0021
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("criteria") as batch_op:
        for score in (0, 1, 2):
            batch_op.add_column(sa.Column(f"guide_{score}", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("panel_members") as batch_op:
        batch_op.add_column(sa.Column("review_mode", sa.String(length=20), nullable=False, server_default="candidate"))


def downgrade() -> None:
    with op.batch_alter_table("panel_members") as batch_op:
        batch_op.drop_column("review_mode")
    with op.batch_alter_table("criteria") as batch_op:
        for score in (2, 1, 0):
            batch_op.drop_column(f"guide_{score}")
