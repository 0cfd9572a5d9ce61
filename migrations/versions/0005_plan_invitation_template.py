"""interview plan: invitation templates and a review note on bank questions

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import panel.db


revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitation_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', panel.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_invitation_templates_updated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancies.id'], name=op.f('fk_invitation_templates_vacancy_id_vacancies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_templates')),
    sa.UniqueConstraint('vacancy_id', name=op.f('uq_invitation_templates_vacancy_id'))
    )
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.String(length=500), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.drop_column('review_note')
    op.drop_table('invitation_templates')
