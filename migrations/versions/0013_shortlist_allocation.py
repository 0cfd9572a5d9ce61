"""sharing the reading: shortlisting allocations, readers who stopped, and the vacancy's k

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.add_column(sa.Column("shortlist_readers", sa.Integer(), nullable=True))
    op.create_table(
        "shortlist_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("allocated_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], name=op.f("fk_shortlist_allocations_vacancy_id_vacancies"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_shortlist_allocations_candidate_id_candidates"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_shortlist_allocations_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_allocations")),
        sa.UniqueConstraint("candidate_id", "user_id", name="uq_shortlist_allocations_candidate_user"),
    )
    with op.batch_alter_table("shortlist_allocations") as batch_op:
        for column in ("vacancy_id", "candidate_id", "user_id"):
            batch_op.create_index(batch_op.f(f"ix_shortlist_allocations_{column}"), [column], unique=False)
    op.create_table(
        "shortlist_reader_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("released_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"],
                                name=op.f("fk_shortlist_reader_releases_vacancy_id_vacancies"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_shortlist_reader_releases_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_reader_releases")),
        sa.UniqueConstraint("vacancy_id", "user_id", name="uq_shortlist_reader_releases_vacancy_user"),
    )
    with op.batch_alter_table("shortlist_reader_releases") as batch_op:
        for column in ("vacancy_id", "user_id"):
            batch_op.create_index(batch_op.f(f"ix_shortlist_reader_releases_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shortlist_reader_releases") as batch_op:
        for column in ("vacancy_id", "user_id"):
            batch_op.drop_index(batch_op.f(f"ix_shortlist_reader_releases_{column}"))
    op.drop_table("shortlist_reader_releases")
    with op.batch_alter_table("shortlist_allocations") as batch_op:
        for column in ("vacancy_id", "candidate_id", "user_id"):
            batch_op.drop_index(batch_op.f(f"ix_shortlist_allocations_{column}"))
    op.drop_table("shortlist_allocations")
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.drop_column("shortlist_readers")
