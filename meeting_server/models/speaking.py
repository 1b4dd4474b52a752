"""Requests to speak (đăng ký phát biểu): the queue the chair gives the floor from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .documents import Document
from .meetings import AgendaItem, Invitation, Meeting


class SpeakingStatus(StrEnum):
    """A request's life: waiting → speaking → done, or withdrawn while waiting."""

    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class SpeakingRequest(Base):
    """One raised hand, optionally about an agenda item or a document; times are recorded."""

    __tablename__ = "speaking_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SpeakingStatus] = mapped_column(
        enum_type(SpeakingStatus, 20), default=SpeakingStatus.WAITING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    invitation: Mapped[Invitation] = relationship(lazy="joined")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    document: Mapped[Document | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(SpeakingStatus)})", name="status"),
        Index("ix_speaking_request_meeting_status", "meeting_id", "status"),
    )
