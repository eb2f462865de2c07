"""users and rights: registered persons, client users' rights

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'registered_person',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_registered_person_client_id'), 'registered_person', ['client_id'], unique=False)
    op.create_index(op.f('ix_registered_person_user_id'), 'registered_person', ['user_id'], unique=False)
    op.create_table(
        'user_right',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('consultation', sa.Boolean(), nullable=False),
        sa.Column('gestion', sa.Boolean(), nullable=False),
        sa.Column('validation', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['bank_account.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['connection_id'], ['bank_connection.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'account_id', 'connection_id'),
    )
    op.create_index(op.f('ix_user_right_user_id'), 'user_right', ['user_id'], unique=False)
    op.create_index(op.f('ix_user_right_account_id'), 'user_right', ['account_id'], unique=False)
    op.create_index(op.f('ix_user_right_connection_id'), 'user_right', ['connection_id'], unique=False)


def downgrade() -> None:
    op.drop_table('user_right')
    op.drop_table('registered_person')
