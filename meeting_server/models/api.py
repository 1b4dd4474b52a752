"""Interconnection: the API's keys, the answers kept for idempotent creates, calendar feeds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .rooms import Room
from .users import User


class ApiKey(Base):
    """The key of one integration (another system of the administration).

    The integration acts as its *owner*, a real account: every request passes the same
    permission predicates as that person's pages, narrowed further by the key's *scopes*.
    Only the SHA-256 of the secret is stored; the whole key is shown once, when it is made.
    """

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The public part of the key (``msk_<prefix>_<secret>``): finds the row, shown in lists.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: Space-separated scope names (``services/api_keys.SCOPES``).
    scopes: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")

    @property
    def scope_set(self) -> frozenset[str]:
        """Return the key's scopes."""
        return frozenset(self.scopes.split())

    @property
    def active(self) -> bool:
        """Tell whether the key still opens the API (not revoked, its owner active)."""
        return self.revoked_at is None and self.owner.active

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.prefix} {self.name!r}>"


class IdempotentAnswer(Base):
    """The answer given to a create sent with an ``Idempotency-Key``, kept for a day.

    Written in the transaction of the create itself, so a retry finds either nothing (the
    create did not happen) or the answer (it did), never a create without its answer.
    """

    __tablename__ = "idempotent_answer"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the method, the path and the body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class FeedKind(StrEnum):
    """Whose meetings a calendar feed lists."""

    PERSON = "person"
    ROOM = "room"


class CalendarFeed(Base):
    """A secret iCalendar address: one person's meetings, or one room's.

    The address holds a random token; only its SHA-256 is stored. Revoking it (or making a new
    one, which revokes the old) makes every calendar that subscribed to it stop updating.
    """

    __tablename__ = "calendar_feed"
    __table_args__ = (
        CheckConstraint(f"kind IN ({enum_values(FeedKind)})", name="kind"),
        CheckConstraint(
            "(kind = 'person' AND user_id IS NOT NULL AND room_id IS NULL) OR "
            "(kind = 'room' AND room_id IS NOT NULL AND user_id IS NULL)",
            name="one_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedKind] = mapped_column(enum_type(FeedKind, 10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="joined")
