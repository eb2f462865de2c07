"""ventilation: allocations and their lines, rules, the file's own accounts, each transaction's state

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'allocation_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('label_contains', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column('label_pattern', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('counterparty', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('min_cents', sa.Integer(), nullable=True),
        sa.Column('max_cents', sa.Integer(), nullable=True),
        sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column('template', sa.Text(), nullable=False),
        sa.Column('applied_count', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('allocation_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_rule_client_id'), ['client_id'], unique=False)

    op.create_table(
        'client_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('collective', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('client_id', 'number', name='uq_client_account_number'),
    )
    with op.batch_alter_table('client_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_account_client_id'), ['client_id'], unique=False)

    op.create_table(
        'allocation',
        sa.Column('transaction_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('counterparty', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=True),
        sa.Column('prepared_by', sa.Integer(), nullable=True),
        sa.Column('prepared_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('validated_by', sa.Integer(), nullable=True),
        sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['client_id'],
            ['client.id'],
        ),
        sa.ForeignKeyConstraint(
            ['prepared_by'],
            ['user.id'],
        ),
        sa.ForeignKeyConstraint(['rule_id'], ['allocation_rule.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['transaction_id'], ['bank_transaction.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['validated_by'],
            ['user.id'],
        ),
        sa.PrimaryKeyConstraint('transaction_id'),
    )
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.create_index('ix_allocation_client_counterparty', ['client_id', 'counterparty'], unique=False)

    op.create_table(
        'allocation_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('transaction_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('account_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('account_label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('vat_rate_bp', sa.Integer(), nullable=False),
        sa.Column('vat_cents', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['transaction_id'], ['allocation.transaction_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('allocation_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_line_transaction_id'), ['transaction_id'], unique=False)

    with op.batch_alter_table('bank_transaction', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'ventilation', sqlmodel.sql.sqltypes.AutoString(length=10), server_default='pending', nullable=False
            )
        )
        batch_op.create_index(
            'ix_transaction_account_ventilation_date', ['account_id', 'ventilation', 'pending', 'date'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('bank_transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_transaction_account_ventilation_date')
        batch_op.drop_column('ventilation')

    with op.batch_alter_table('allocation_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_line_transaction_id'))

    op.drop_table('allocation_line')
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_index('ix_allocation_client_counterparty')

    op.drop_table('allocation')
    with op.batch_alter_table('client_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_account_client_id'))

    op.drop_table('client_account')
    with op.batch_alter_table('allocation_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_rule_client_id'))

    op.drop_table('allocation_rule')
