"""After the meeting: the conclusion notice (Thông báo kết luận) and the tasks it assigns.

The secretary drafts a notice from the meeting's conclusions: numbered items, each of which
may assign a task to a unit (owner unit, person in charge, deadline, expected result). The
notice is rendered as a PDF, signed by the leader who concluded and sealed (numbered "TB") by
the clerk; when the seal completes its route every assigning item becomes a ``Task`` the unit
works on (accept, progress, extension, done) and the assigner confirms or returns. Every step
is a ``TaskEvent`` (the history); ``TaskNotice`` is a line in someone's inbox.

A **unit** is the text people carry in ``User.unit`` (as in the signing dashboard and the
invitation of a whole unit): a task's ``owner_unit`` names one. Deadlines are calendar days in
Vietnam time (``Date``); a task done any time on its deadline day is on time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .meetings import Meeting
from .signing import SigningRequest
from .users import User


class NoticeStatus(StrEnum):
    """A notice is drafted, finalised (PDF locked, sent for signing), then issued by the seal."""

    DRAFT = "draft"
    FINAL = "final"
    ISSUED = "issued"


class ConclusionNotice(Base):
    """A meeting's conclusion notice (Thông báo kết luận): at most one per meeting."""

    __tablename__ = "conclusion_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[NoticeStatus] = mapped_column(
        enum_type(NoticeStatus, 10), default=NoticeStatus.DRAFT
    )
    #: The leader who concluded (the chair unless changed): signs the notice, assigns the tasks.
    concluded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: The opening paragraph ("Ngày …, đồng chí … chủ trì cuộc họp …"), editable.
    preamble: Mapped[str] = mapped_column(Text, default="")
    #: "Nơi nhận": one recipient per line (the owner units are added when empty).
    recipients: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The rendered PDF (blob SHA-256) that went for signing.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The signing request carrying it; a returned or withdrawn one lets the notice reopen.
    signing_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("signing_request.id"), index=True
    )
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    concluded_by: Mapped[User] = relationship(foreign_keys=[concluded_by_id])
    signing_request: Mapped[SigningRequest | None] = relationship()
    items: Mapped[list[ConclusionItem]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="ConclusionItem.position"
    )

    __table_args__ = (CheckConstraint(f"status IN ({enum_values(NoticeStatus)})", name="status"),)


class ConclusionItem(Base):
    """One numbered conclusion; with an owner unit and a deadline it assigns a task."""

    __tablename__ = "conclusion_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("conclusion_notice.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    owner_unit: Mapped[str] = mapped_column(String(200), default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deadline: Mapped[date | None] = mapped_column(Date)
    expected_result: Mapped[str] = mapped_column(Text, default="")

    notice: Mapped[ConclusionNotice] = relationship(back_populates="items")
    assignee: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("notice_id", "position"),
        CheckConstraint("length(text) > 0", name="text"),
        CheckConstraint("owner_unit = '' OR deadline IS NOT NULL", name="task_has_deadline"),
    )

    @property
    def assigns_task(self) -> bool:
        """Tell whether this item assigns work to a unit."""
        return bool(self.owner_unit)


class TaskStatus(StrEnum):
    """A task's life: assigned → in progress → reported done → done (confirmed).

    The assigner may return a reported task to in progress, with a reason.
    """

    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    DONE = "done"


class Task(Base):
    """Work a conclusion assigns to a unit, tracked to its confirmed result."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("conclusion_item.id"), unique=True)
    #: The meeting that decided it (kept here: the dashboard groups 20,000 tasks by it).
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    expected_result: Mapped[str] = mapped_column(Text, default="")
    owner_unit: Mapped[str] = mapped_column(String(200), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The deadline in force (moved by an approved extension) and the one first given.
    deadline: Mapped[date] = mapped_column(Date, index=True)
    original_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(
        enum_type(TaskStatus, 20), default=TaskStatus.ASSIGNED, index=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress: Mapped[int] = mapped_column(default=0)  # percent, from the last report
    #: The pending extension request, if any (one at a time).
    extension_until: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    #: When the unit reported it done (the last report), and when the assigner confirmed it.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The Vietnam day of the last reminder: at most one a day.
    reminded_on: Mapped[date | None] = mapped_column(Date)

    meeting: Mapped[Meeting] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])
    events: Mapped[list[TaskEvent]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskEvent.id"
    )

    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(TaskStatus)})", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("length(owner_unit) > 0", name="owner_unit"),
        CheckConstraint("status != 'done' OR done_at IS NOT NULL", name="done_at"),
    )


class TaskEventKind(StrEnum):
    """One step in a task's history."""

    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    PROGRESS = "progress"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    REPORTED = "reported"  # reported done, with the result document
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    REMINDED = "reminded"


class TaskEvent(Base):
    """A line of a task's history: who did what, with their comment and files."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TaskEventKind] = mapped_column(enum_type(TaskEventKind, 30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int | None]
    #: For an extension: the day asked for (requested) or given (approved).
    until: Mapped[date | None] = mapped_column(Date)

    task: Mapped[Task] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    attachments: Mapped[list[TaskAttachment]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="TaskAttachment.id"
    )

    __table_args__ = (CheckConstraint(f"kind IN ({enum_values(TaskEventKind)})", name="kind"),)


class TaskAttachment(Base):
    """A file attached to a progress report or to the result (a blob, by SHA-256)."""

    __tablename__ = "task_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("task_event.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]

    event: Mapped[TaskEvent] = relationship(back_populates="attachments")


class TaskNoticeKind(StrEnum):
    """What a task line in the inbox tells."""

    ASSIGNED = "assigned"  # to the unit
    DUE_SOON = "due_soon"  # to the unit: the deadline is near
    OVERDUE = "overdue"  # to the unit and the assigner
    CHANGED = "changed"  # to the other side: progress, a report, a decision


class TaskNotice(Base):
    """A line in someone's inbox about a task (also pushed live)."""

    __tablename__ = "task_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TaskNoticeKind] = mapped_column(enum_type(TaskNoticeKind, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[Task] = relationship()

    __table_args__ = (CheckConstraint(f"kind IN ({enum_values(TaskNoticeKind)})", name="kind"),)


class OfficeSetting(Base):
    """A figure the office sets on its own (e.g. the tasks' on-time target), by key."""

    __tablename__ = "office_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
