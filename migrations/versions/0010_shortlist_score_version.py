"""shortlisting scores carry a version, so they save one answer at a time like interview scores

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # every row saved so far is its first version (the score and comment of one criterion
    # are one answer, so one version covers both)
    with op.batch_alter_table("shortlist_scores") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("shortlist_scores") as batch_op:
        batch_op.drop_column("version")
