"""sign-in throttling by (address, account), capped password-reset requests, lock emails

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_attempts") as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_sign_in_attempts_account"), ["account"], unique=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("lock_notified_at", panel.db.UTCDateTime(), nullable=True))
    op.create_table(
        "password_reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_requests")),
    )
    with op.batch_alter_table("password_reset_requests") as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_requests_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_password_reset_requests_account"), ["account"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("password_reset_requests") as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_requests_account"))
        batch_op.drop_index(batch_op.f("ix_password_reset_requests_at"))
    op.drop_table("password_reset_requests")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("lock_notified_at")
    with op.batch_alter_table("sign_in_attempts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_account"))
        batch_op.drop_column("account")
