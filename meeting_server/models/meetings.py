"""Meetings, who is invited, and the ordered agenda."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .rooms import Room
from .users import User

if TYPE_CHECKING:
    from .documents import Document


class MeetingStatus(StrEnum):
    """A meeting's life: draft → published → in_progress → ended."""

    DRAFT = "draft"
    PUBLISHED = "published"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"


class MeetingRole(StrEnum):
    """The part an invited person plays in one meeting."""

    CHAIR = "chair"
    MEMBER = "member"
    GUEST = "guest"
    SECRETARY = "secretary"


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus, 20), default=MeetingStatus.DRAFT
    )
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: May participants download or print confidential items (always watermarked)?
    confidential_download: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Bumped by every change participants can see; tablets compare it (real-time contract).
    version: Mapped[int] = mapped_column(default=1)
    #: The number of the last notice sent about this meeting (see MeetingEvent).
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The quorum: more than this percentage of the members who count toward it must be present.
    quorum_percent: Mapped[int] = mapped_column(default=50, server_default="50")

    room: Mapped[Room] = relationship(lazy="joined")
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id], lazy="joined")
    secretary: Mapped[User | None] = relationship(foreign_keys=[secretary_id], lazy="joined")
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status IN ({enum_values(MeetingStatus)})", name="status"),
        CheckConstraint("length(title) > 0", name="title"),
        CheckConstraint("quorum_percent >= 0 AND quorum_percent < 100", name="quorum_percent"),
    )

    @property
    def is_draft(self) -> bool:
        """Tell whether participants cannot see the meeting yet."""
        return self.status == MeetingStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title!r}>"


def is_member_role(role: str) -> bool:
    """Tell whether the role counts toward the quorum and votes by default (chair, member)."""
    return role in (MeetingRole.CHAIR, MeetingRole.MEMBER)


class Invitation(Base):
    """A person invited to a meeting, with their role and seat."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[MeetingRole] = mapped_column(
        enum_type(MeetingRole, 20), default=MeetingRole.MEMBER
    )
    seat: Mapped[str | None] = mapped_column(String(20))
    may_view_confidential: Mapped[bool] = mapped_column(default=False)
    #: Counted when checking the quorum (members and the chair by default, not guests).
    counts_toward_quorum: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: May cast a ballot (members and the chair by default); a deputy inherits it.
    may_vote: Mapped[bool] = mapped_column(default=True, server_default=true())
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_invitation_meeting_user"),
        CheckConstraint(f"role IN ({enum_values(MeetingRole)})", name="role"),
    )


class AgendaItem(Base):
    """One point of the agenda, in order, with its presenter and documents."""

    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Free text for presenters without an account (e.g. "Sở Tài chính").
    presenter_name: Mapped[str] = mapped_column(String(200), default="")
    planned_minutes: Mapped[int] = mapped_column(default=15)
    confidential: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    presenter: Mapped[User | None] = relationship(lazy="joined")
    documents: Mapped[list[Document]] = relationship(
        back_populates="agenda_item", order_by="Document.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("meeting_id", "position", name="uq_agenda_item_meeting_position"),
        CheckConstraint("planned_minutes >= 0 AND planned_minutes <= 1440", name="planned_minutes"),
        CheckConstraint("length(title) > 0", name="title"),
    )

    @property
    def presenter_label(self) -> str:
        """Return who presents: the user's name, else the free text."""
        return self.presenter.full_name if self.presenter else self.presenter_name
