"""vote rules: when a question is carried

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as sa_batch:
        sa_batch.drop_column("rule")
