"""pack render jobs and who asked for them (issue 14)

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("large_print", sa.Boolean(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("active_key", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", panel.db.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parts_total", sa.Integer(), nullable=False),
        sa.Column("parts_done", sa.Integer(), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("pages_estimate", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("started_at", panel.db.UTCDateTime(), nullable=True),
        sa.Column("finished_at", panel.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], name=op.f("fk_pack_jobs_vacancy_id_vacancies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_jobs")),
        sa.UniqueConstraint("active_key", name=op.f("uq_pack_jobs_active_key")),
    )
    with op.batch_alter_table("pack_jobs") as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_jobs_vacancy_id"), ["vacancy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pack_jobs_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_pack_jobs_status"), ["status"], unique=False)
    op.create_table(
        "pack_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("panelist_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("notified_at", panel.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["pack_jobs.id"], name=op.f("fk_pack_requests_job_id_pack_jobs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pack_requests_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_requests")),
        sa.UniqueConstraint("job_id", "user_id", name=op.f("uq_pack_requests_job_id")),
    )
    with op.batch_alter_table("pack_requests") as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_requests_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pack_requests_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pack_requests_vacancy_id"), ["vacancy_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pack_requests")
    op.drop_table("pack_jobs")
