"""stamp images (Decree 30): a person's handwritten signature; the organisation's seal

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

from meeting_server.models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_seal",
        sa.Column("organisation", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("diameter_mm", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "diameter_mm BETWEEN 30 AND 50", name=op.f("ck_organisation_seal_diameter_mm")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_organisation_seal_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("organisation", name=op.f("pk_organisation_seal")),
    )
    # A plain ADD COLUMN, no batch copy: SQLite would drop and recreate "user", the table
    # every other table refers to.
    op.add_column("user", sa.Column("signature_image_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("user", "signature_image_sha256")  # SQLite >= 3.35 drops it in place
    op.drop_table("organisation_seal")
