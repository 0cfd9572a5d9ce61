"""the identity check (hits, the panel's redacted texts) and saved import column mappings

Revision ID: 0020
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

from panel.db import UTCDateTime

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.add_column(sa.Column("panel_supporting_information", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("identity_checked_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("candidate_evidence") as batch_op:
        batch_op.add_column(sa.Column("panel_text", sa.Text(), nullable=True))
    op.create_table(
        "identity_hits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("key", sa.String(600), nullable=False),
        sa.Column("before", sa.String(200), nullable=False),
        sa.Column("after", sa.String(200), nullable=False),
        sa.Column("fine", sa.Boolean(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_identity_hits_candidate_id", "identity_hits", ["candidate_id"])
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_profiles")
    op.drop_index("ix_identity_hits_candidate_id", table_name="identity_hits")
    op.drop_table("identity_hits")
    with op.batch_alter_table("candidate_evidence") as batch_op:
        batch_op.drop_column("panel_text")
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.drop_column("identity_checked_at")
        batch_op.drop_column("panel_supporting_information")
