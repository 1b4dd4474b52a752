"""minutes extract: the finalised minutes without confidential sections, for uncleared readers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extract_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.drop_column("extract_sha256")
