"""The append-only audit trail (the database refuses UPDATE and DELETE on it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    ip: Mapped[str] = mapped_column(String(45), default="")
    #: JSON text with what changed; never document bytes or passwords.
    details: Mapped[str] = mapped_column(Text, default="{}")


class AuditSeal(Base):
    """One link of the audit trail's hash chain, in the order events were sealed.

    ``hash`` = SHA-256 of the previous link's hash and the event's content (``services/audit``);
    editing, deleting or slipping in an event breaks the chain at that event, which
    ``meeting-server audit verify`` names. Append-only like the events.
    """

    __tablename__ = "audit_seal"

    n: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    audit_id: Mapped[int] = mapped_column(unique=True)  # no FK: a deleted event must show
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
