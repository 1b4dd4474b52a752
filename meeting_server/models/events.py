"""The numbered log of every notice a meeting sent to its tablets (for lossless resync)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class MeetingEvent(Base):
    """One notice: ``seq`` increases by one per meeting, with no gaps."""

    __tablename__ = "meeting_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    #: JSON list of the ids concerned (agenda items, documents…), never content.
    ids: Mapped[str] = mapped_column(Text, default="[]")
    version: Mapped[int]
    #: Only people allowed to see confidential items receive (or replay) this notice.
    confidential: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("meeting_id", "seq", name="uq_meeting_event_seq"),)
