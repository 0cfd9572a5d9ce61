"""involvement profiles, consents, training, shadowing, panel rule overrides; the involvement lead

Revision ID: 0017
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa
import panel.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TRAINING = ("recruitment", "equality", "confidentiality", "chairing")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("involvement_lead", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "involvement_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("postal_address", sa.Text(), nullable=False),
        sa.Column("contact_by_phone", sa.Boolean(), nullable=False),
        sa.Column("contact_by_post", sa.Boolean(), nullable=False),
        sa.Column("easy_read", sa.Boolean(), nullable=False),
        sa.Column("step_free", sa.Boolean(), nullable=False),
        sa.Column("hearing_loop", sa.Boolean(), nullable=False),
        sa.Column("bsl_interpreter", sa.Boolean(), nullable=False),
        sa.Column("breaks", sa.Boolean(), nullable=False),
        sa.Column("break_every", sa.String(length=60), nullable=False),
        sa.Column("quiet_room", sa.Boolean(), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("other_needs", sa.Text(), nullable=False),
        sa.Column("preferred_sites", sa.String(length=500), nullable=False),
        sa.Column("travel", sa.String(length=200), nullable=False),
        sa.Column("availability", sa.Text(), nullable=False),
        sa.Column("updated_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "profile_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("given_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "item", name="uq_profile_consents_user_item"),
    )
    op.create_index("ix_profile_consents_user_id", "profile_consents", ["user_id"])
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*TRAINING, name="trainingkind", native_enum=False, length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_training_records_user_id", "training_records", ["user_id"])
    op.create_table(
        "shadowing_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("chair_name", sa.String(length=120), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shadowing_sessions_user_id", "shadowing_sessions", ["user_id"])
    op.create_table(
        "panel_rule_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at_status", sa.String(length=20), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", panel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vacancy_id", "rule", name="uq_panel_rule_overrides_vacancy_rule"),
    )
    op.create_index("ix_panel_rule_overrides_vacancy_id", "panel_rule_overrides", ["vacancy_id"])


def downgrade() -> None:
    for table in ("panel_rule_overrides", "shadowing_sessions", "training_records", "profile_consents",
                  "involvement_profiles"):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("involvement_lead")
