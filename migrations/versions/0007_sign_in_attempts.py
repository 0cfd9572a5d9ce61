"""sign-in attempts per client address

Revision ID: 0007
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts") as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_attempts_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_attempts_client"), ["client"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_attempts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_client"))
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_at"))
    op.drop_table("sign_in_attempts")
