"""stored_files: uploaded PDFs, their cleaned copies and finished packs kept in the database
(the default store of panel/storage.py), so that several app servers share them

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", panel.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_files")),
    )
    with op.batch_alter_table("stored_files") as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stored_files") as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_created_at"))
    op.drop_table("stored_files")
