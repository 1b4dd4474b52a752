"""What the room is looking at: the current agenda item and the presented page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .documents import Document
from .meetings import AgendaItem
from .users import User


class Presentation(Base):
    """One row per meeting once it has a current item or a presented document.

    Kept apart from ``meeting`` so that meeting ↔ agenda item foreign keys do not form a cycle.
    """

    __tablename__ = "presentation"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    #: The version number shown when presenting started (a replacement moves tablets on).
    version_number: Mapped[int | None]
    page: Mapped[int] = mapped_column(default=1)
    #: Zoom as a percentage of the page width (100 = fit width).
    zoom: Mapped[int] = mapped_column(default=100)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    current_item: Mapped[AgendaItem | None] = relationship(lazy="joined")
    document: Mapped[Document | None] = relationship(lazy="joined")
    presenter: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("page > 0", name="page"),
        CheckConstraint("zoom >= 25 AND zoom <= 400", name="zoom"),
    )
