"""A participant's private notes on the pages of a document version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .documents import DocumentVersion


class Note(Base):
    """One person's note on one page of one version; only its author ever reads it.

    A note stays with the version it was written on, so replacing the document keeps it
    (shown with a "document changed" mark on the newer version).
    """

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    document_version_id: Mapped[int] = mapped_column(
        ForeignKey("document_version.id", ondelete="CASCADE")
    )
    page: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    version: Mapped[DocumentVersion] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "document_version_id", "page", name="uq_note_user_page"),
        CheckConstraint("page > 0", name="page"),
    )
