"""The minutes (biên bản) of a meeting: drafted by the secretary, then finalised as a PDF."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow
from .meetings import Meeting


class MinutesStatus(StrEnum):
    """Minutes are drafted, then finalised (locked) and handed to signing."""

    DRAFT = "draft"
    FINAL = "final"


class Minutes(Base):
    """The minutes (biên bản) of a meeting: the secretary's conclusions and, once final, the PDF."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    conclusions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MinutesStatus] = mapped_column(
        enum_type(MinutesStatus, 20), default=MinutesStatus.DRAFT
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The finalised PDF in blob storage and its SHA-256 (hex); it never changes afterwards.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    #: For a meeting with confidential items: the extract readers without clearance get.
    extract_sha256: Mapped[str | None] = mapped_column(String(64))

    meeting: Mapped[Meeting] = relationship()

    __table_args__ = (CheckConstraint("status IN ('draft', 'final')", name="status"),)
