"""server-side sessions: each sign-in is a row that can be ended from anywhere

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 02:25:00
"""

import sqlalchemy as sa
from alembic import op

from meeting_server.models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

END_REASONS = (
    "signed_out",
    "idle",
    "password_changed",
    "roles_changed",
    "deactivated",
    "device_paired",
)


def upgrade() -> None:
    reasons = ", ".join(f"'{reason}'" for reason in END_REASONS)
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.CheckConstraint(f"end_reason IN ({reasons})", name=op.f("ck_user_session_end_reason")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index("ix_user_session_user_id_ended_at", ["user_id", "ended_at"])


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index("ix_user_session_user_id_ended_at")
    op.drop_table("user_session")
