"""resumable work: a sync in progress, claims of deliveries and messages, statement files waiting for their import

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bank_connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_started_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'statement_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('stored_as', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['firm_id'], ['firm.id']),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['account_id'], ['bank_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('statement_import', schema=None) as batch_op:
        batch_op.create_index('ix_statement_import_status', ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('statement_import')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
    with op.batch_alter_table('bank_connection', schema=None) as batch_op:
        batch_op.drop_column('sync_started_at')
