"""after the meeting: the conclusion notice, its items, the tasks they assign, their history
and inbox lines; the office's own settings (the tasks' on-time target)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from meeting_server.models.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_office_setting_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_office_setting")),
    )
    op.create_table(
        "conclusion_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "final", "issued", name="noticestatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("concluded_by_id", sa.Integer(), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finalised_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("signing_request_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'final', 'issued')", name=op.f("ck_conclusion_notice_status")
        ),
        sa.ForeignKeyConstraint(
            ["concluded_by_id"], ["user.id"], name=op.f("fk_conclusion_notice_concluded_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_conclusion_notice_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_conclusion_notice_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signing_request_id"],
            ["signing_request.id"],
            name=op.f("fk_conclusion_notice_signing_request_id_signing_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conclusion_notice")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_conclusion_notice_meeting_id")),
    )
    with op.batch_alter_table("conclusion_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conclusion_notice_signing_request_id"),
            ["signing_request_id"],
            unique=False,
        )

    op.create_table(
        "conclusion_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_unit", sa.String(length=200), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("expected_result", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "owner_unit = '' OR deadline IS NOT NULL",
            name=op.f("ck_conclusion_item_task_has_deadline"),
        ),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_conclusion_item_text")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_conclusion_item_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["conclusion_notice.id"],
            name=op.f("fk_conclusion_item_notice_id_conclusion_notice"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conclusion_item")),
        sa.UniqueConstraint("notice_id", "position", name=op.f("uq_conclusion_item_notice_id")),
    )
    with op.batch_alter_table("conclusion_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conclusion_item_notice_id"), ["notice_id"], unique=False
        )

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("expected_result", sa.Text(), nullable=False),
        sa.Column("owner_unit", sa.String(length=200), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("original_deadline", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "assigned",
                "in_progress",
                "reported",
                "done",
                name="taskstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("accepted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("extension_until", sa.Date(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("reported_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.CheckConstraint("status != 'done' OR done_at IS NOT NULL", name=op.f("ck_task_done_at")),
        sa.CheckConstraint(
            "status IN ('assigned', 'in_progress', 'reported', 'done')", name=op.f("ck_task_status")
        ),
        sa.CheckConstraint("length(owner_unit) > 0", name=op.f("ck_task_owner_unit")),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_task_progress")),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["user.id"], name=op.f("fk_task_assigned_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_task_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["conclusion_item.id"], name=op.f("fk_task_item_id_conclusion_item")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_task_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint("item_id", name=op.f("uq_task_item_id")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_assigned_at"), ["assigned_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_task_assigned_by_id"), ["assigned_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_done_at"), ["done_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_owner_unit"), ["owner_unit"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_status"), ["status"], unique=False)

    op.create_table(
        "task_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "assigned",
                "accepted",
                "progress",
                "extension_requested",
                "extension_approved",
                "extension_refused",
                "reported",
                "confirmed",
                "returned",
                "reminded",
                name="taskeventkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('assigned', 'accepted', 'progress', 'extension_requested', 'extension_approved', 'extension_refused', 'reported', 'confirmed', 'returned', 'reminded')",
            name=op.f("ck_task_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_task_event_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_event_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_event")),
    )
    with op.batch_alter_table("task_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_event_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "assigned",
                "due_soon",
                "overdue",
                "changed",
                name="tasknoticekind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('assigned', 'due_soon', 'overdue', 'changed')",
            name=op.f("ck_task_notice_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_notice_task_id_task"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_task_notice_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_notice")),
    )
    with op.batch_alter_table("task_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_notice_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_notice_user_id"), ["user_id"], unique=False)

    op.create_table(
        "task_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["task_event.id"],
            name=op.f("fk_task_attachment_event_id_task_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_attachment")),
    )
    with op.batch_alter_table("task_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_attachment_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_attachment_event_id"))

    op.drop_table("task_attachment")
    with op.batch_alter_table("task_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_notice_user_id"))
        batch_op.drop_index(batch_op.f("ix_task_notice_task_id"))

    op.drop_table("task_notice")
    with op.batch_alter_table("task_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_event_task_id"))

    op.drop_table("task_event")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_status"))
        batch_op.drop_index(batch_op.f("ix_task_owner_unit"))
        batch_op.drop_index(batch_op.f("ix_task_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_task_done_at"))
        batch_op.drop_index(batch_op.f("ix_task_deadline"))
        batch_op.drop_index(batch_op.f("ix_task_assignee_id"))
        batch_op.drop_index(batch_op.f("ix_task_assigned_by_id"))
        batch_op.drop_index(batch_op.f("ix_task_assigned_at"))

    op.drop_table("task")
    with op.batch_alter_table("conclusion_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conclusion_item_notice_id"))

    op.drop_table("conclusion_item")
    with op.batch_alter_table("conclusion_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conclusion_notice_signing_request_id"))

    op.drop_table("conclusion_notice")
    op.drop_table("office_setting")
