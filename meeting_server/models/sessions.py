"""Signed-in sessions, kept on the server so that they can be ended from anywhere."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .users import User


class SessionEnd(StrEnum):
    """Why a session ended."""

    SIGNED_OUT = "signed_out"
    IDLE = "idle"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 — a reason, not a password
    ROLES_CHANGED = "roles_changed"
    DEACTIVATED = "deactivated"
    DEVICE_PAIRED = "device_paired"  # the browser became a room tablet


class UserSession(Base):
    """One sign-in on one browser. The cookie carries a random token; only its SHA-256 is kept.

    A session is valid while ``ended_at`` is empty, its user is active and it was seen within
    the idle timeout; ending it (here, on every process at once) signs that browser out.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[SessionEnd | None] = mapped_column(enum_type(SessionEnd, 20))
    address: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_user_session_user_id_ended_at", "user_id", "ended_at"),
        CheckConstraint(f"end_reason IN ({enum_values(SessionEnd)})", name="end_reason"),
    )

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id} ended={self.ended_at}>"
