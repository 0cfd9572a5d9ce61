"""candidates.identity_open: how many details the identity check found that HR has not reviewed
(while names are hidden, an application with any is held back from the panel)

Revision ID: 0024
Revises: 0023
"""
from alembic import op
import sqlalchemy as sa

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.add_column(sa.Column("identity_open", sa.Integer(), nullable=False, server_default="0"))
    candidates = sa.table("candidates", sa.column("id", sa.Integer), sa.column("identity_open", sa.Integer))
    hits = sa.table("identity_hits", sa.column("candidate_id", sa.Integer), sa.column("fine", sa.Boolean))
    open_hits = (sa.select(sa.func.count()).select_from(hits)
                 .where(hits.c.candidate_id == candidates.c.id, hits.c.fine.is_(False)).scalar_subquery())
    op.execute(candidates.update().values(identity_open=open_hits))


def downgrade() -> None:
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.drop_column("identity_open")
