"""Documents of agenda items and their immutable, content-addressed versions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User

if TYPE_CHECKING:
    from .meetings import AgendaItem


class Document(Base):
    """A document of an agenda item; its content lives in its versions."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the secretary withdraws the document; versions stay for the record.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="documents")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document",
        order_by="DocumentVersion.number",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def current(self) -> DocumentVersion:
        """Return the newest version."""
        return self.versions[-1]


class DocumentVersion(Base):
    """One uploaded file: never changed once written."""

    __tablename__ = "document_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    page_count: Mapped[int]
    original_filename: Mapped[str] = mapped_column(String(255))
    #: What screening removed from the upload (e.g. "OpenAction"), empty if stored as uploaded.
    #: Kept for the record (and the audit event) only: screening strips nothing a reader would
    #: miss (dangerous content refuses the whole file), so the pages do not mention it.
    screening_note: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_document_version_number"),
        CheckConstraint("length(sha256) = 64", name="sha256"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint("page_count > 0", name="page_count"),
        CheckConstraint("number > 0", name="number"),
    )
