"""outbox: what a message is about (shown) apart from its body, and whether the body holds a secret

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))
    # messages written before this revision may hold passwords, codes and links: those already sent lose their body
    op.execute("UPDATE outbox_message SET body = '', confidential = true WHERE status IN ('sent', 'kept')")


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('confidential')
        batch_op.drop_column('summary')
