"""outgoing-document register: numbers per organisation, year and kind; a request's kind

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:10:00
"""

import sqlalchemy as sa
from alembic import op

from meeting_server.models.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KINDS = "'minutes', 'conclusion', 'decision', 'submission', 'plan', 'report', 'letter'"


def upgrade() -> None:
    op.create_table(
        "register_counter",
        sa.Column("organisation", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_register_counter_kind")),
        sa.PrimaryKeyConstraint("organisation", "year", "kind", name=op.f("pk_register_counter")),
    )
    op.create_table(
        "register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("notation", sa.String(length=60), nullable=False),
        sa.Column("signing_request_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_register_entry_kind")),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["user.id"], name=op.f("fk_register_entry_issued_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["signing_request_id"],
            ["signing_request.id"],
            name=op.f("fk_register_entry_signing_request_id_signing_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry")),
        sa.UniqueConstraint(
            "organisation",
            "year",
            "kind",
            "number",
            name=op.f("uq_register_entry_organisation"),
        ),
        sa.UniqueConstraint(
            "signing_request_id", name=op.f("uq_register_entry_signing_request_id")
        ),
    )
    with op.batch_alter_table("signing_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_kind", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            "ck_signing_request_document_kind", f"document_kind IN ({KINDS})"
        )


def downgrade() -> None:
    with op.batch_alter_table("signing_request", schema=None) as batch_op:
        batch_op.drop_constraint("ck_signing_request_document_kind", type_="check")
        batch_op.drop_column("document_kind")
    op.drop_table("register_entry")
    op.drop_table("register_counter")
