"""issue 17 (support and recognition): conflicts asked again when names are revealed (a round on
each conflict declaration), support contacts, asking preferences, check-ins, debrief offers,
concerns, corrected hours; packs not tied to a vacancy (certificates of involvement)

Revision ID: 0018
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0018"
down_revision = "0022"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table("conflict_declarations") as batch_op:
        batch_op.add_column(sa.Column("round", sa.String(length=20), nullable=False, server_default="shortlisting"))
        batch_op.drop_constraint("uq_conflict_declarations_candidate_user", type_="unique")
        batch_op.create_unique_constraint("uq_conflict_declarations_candidate_user_round",
                                          ["candidate_id", "user_id", "round"])
    with op.batch_alter_table("pack_jobs") as batch_op:
        batch_op.alter_column("vacancy_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("pack_requests") as batch_op:
        batch_op.alter_column("vacancy_id", existing_type=sa.Integer(), nullable=True)

    op.create_table(
        "support_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("updated_at", panel.db.UTCDateTime(), nullable=False),
        _fk("support_contacts", "vacancy_id", "vacancies", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_contacts")),
        sa.UniqueConstraint("vacancy_id", name=op.f("uq_support_contacts_vacancy_id")),
    )
    op.create_table(
        "asking_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("avoid_content_notes", sa.Boolean(), nullable=False),
        sa.Column("updated_at", panel.db.UTCDateTime(), nullable=False),
        _fk("asking_preferences", "vacancy_id", "vacancies", "CASCADE"),
        _fk("asking_preferences", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asking_preferences")),
        sa.UniqueConstraint("vacancy_id", "user_id", name="uq_asking_preferences_vacancy_user"),
    )
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", panel.db.UTCDateTime(), nullable=False),
        sa.Column("answered_at", panel.db.UTCDateTime(), nullable=True),
        sa.Column("how_it_went", sa.String(length=20), nullable=False),
        sa.Column("wants_call", sa.Boolean(), nullable=False),
        sa.Column("troubles", sa.Text(), nullable=False),
        sa.Column("call_done_at", panel.db.UTCDateTime(), nullable=True),
        _fk("check_ins", "vacancy_id", "vacancies", "CASCADE"),
        _fk("check_ins", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("vacancy_id", "user_id", name="uq_check_ins_vacancy_user"),
    )
    op.create_table(
        "debrief_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=True),
        sa.Column("offered_at", panel.db.UTCDateTime(), nullable=False),
        _fk("debrief_offers", "vacancy_id", "vacancies", "CASCADE"),
        _fk("debrief_offers", "user_id", "users", "CASCADE"),
        _fk("debrief_offers", "offered_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debrief_offers")),
        sa.UniqueConstraint("vacancy_id", "user_id", name="uq_debrief_offers_vacancy_user"),
    )
    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("wants_reply", sa.Boolean(), nullable=False),
        sa.Column("created_at", panel.db.UTCDateTime(), nullable=False),
        _fk("concerns", "raised_by_id", "users", "SET NULL"),
        _fk("concerns", "vacancy_id", "vacancies", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
    )
    op.create_table(
        "hours_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("activity_key", sa.String(length=40), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", panel.db.UTCDateTime(), nullable=False),
        _fk("hours_corrections", "user_id", "users", "CASCADE"),
        _fk("hours_corrections", "corrected_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_corrections")),
        sa.UniqueConstraint("user_id", "activity_key", name="uq_hours_corrections_user_key"),
    )
    for table, columns in (("asking_preferences", ("vacancy_id", "user_id")), ("check_ins", ("vacancy_id", "user_id")),
                           ("debrief_offers", ("vacancy_id", "user_id")), ("concerns", ("raised_by_id", "created_at")),
                           ("hours_corrections", ("user_id",))):
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table in ("hours_corrections", "concerns", "debrief_offers", "check_ins", "asking_preferences",
                  "support_contacts"):
        op.drop_table(table)
    op.execute("DELETE FROM pack_requests WHERE vacancy_id IS NULL")
    op.execute("DELETE FROM pack_jobs WHERE vacancy_id IS NULL")
    with op.batch_alter_table("pack_requests") as batch_op:
        batch_op.alter_column("vacancy_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("pack_jobs") as batch_op:
        batch_op.alter_column("vacancy_id", existing_type=sa.Integer(), nullable=False)
    op.execute("DELETE FROM conflict_declarations WHERE round <> 'shortlisting'")
    with op.batch_alter_table("conflict_declarations") as batch_op:
        batch_op.drop_constraint("uq_conflict_declarations_candidate_user_round", type_="unique")
        batch_op.create_unique_constraint("uq_conflict_declarations_candidate_user", ["candidate_id", "user_id"])
        batch_op.drop_column("round")
