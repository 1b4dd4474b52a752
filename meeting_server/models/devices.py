"""Room tablets: paired to a room and seat, then known by a device token until revoked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .rooms import Room


class Device(Base):
    """A tablet fixed at a seat of a room.

    Only SHA-256 hashes of the one-time pairing code and of the device token are stored.
    """

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    seat: Mapped[str] = mapped_column(String(20))
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room: Mapped[Room] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        """Tell whether the device is paired and not revoked."""
        return self.token_hash is not None and self.revoked_at is None

    def __repr__(self) -> str:
        return f"<Device {self.id} {self.name!r} room={self.room_id} seat={self.seat!r}>"
