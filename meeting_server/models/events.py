"""The numbered log of every notice a meeting sent to its tablets (for lossless resync)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, enum_type, utcnow


class MeetingNoticeKind(StrEnum):
    """What a meeting notice says changed (the Socket.IO event name is the kind).

    ``static/js/lib/contract.js`` is generated from this (``make contract``); a test checks
    that it is current.
    """

    MEETING_PUBLISHED = "meeting_published"
    MEETING_UPDATED = "meeting_updated"
    MEETING_STARTED = "meeting_started"
    MEETING_ENDED = "meeting_ended"
    AGENDA_CHANGED = "agenda_changed"
    CURRENT_ITEM_CHANGED = "current_item_changed"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_REPLACED = "document_replaced"
    DOCUMENT_REMOVED = "document_removed"
    PRESENTER_PAGE_CHANGED = "presenter_page_changed"
    ATTENDANCE_CHANGED = "attendance_changed"
    SPEAKING_CHANGED = "speaking_changed"
    VOTE_OPENED = "vote_opened"
    VOTE_CLOSED = "vote_closed"
    #: Sent instead of a confidential notice to readers who may not see confidential items.
    NOTICE_WITHHELD = "notice_withheld"


class MeetingEvent(Base):
    """One notice: ``seq`` increases by one per meeting, with no gaps."""

    __tablename__ = "meeting_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[MeetingNoticeKind] = mapped_column(enum_type(MeetingNoticeKind, 40))
    #: JSON list of the ids concerned (agenda items, documents…), never content.
    ids: Mapped[str] = mapped_column(Text, default="[]")
    version: Mapped[int]
    #: Only people allowed to see confidential items receive (or replay) this notice.
    confidential: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("meeting_id", "seq", name="uq_meeting_event_seq"),)
