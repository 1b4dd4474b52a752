"""Who attended a meeting, how and when: the legal attendance record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .meetings import Invitation
from .users import User


class AttendanceStatus(StrEnum):
    """An invitee's attendance; "late" is derived from the check-in time and the start."""

    PRESENT = "present"  # in person
    ONLINE = "online"
    ABSENT = "absent"  # with a reason
    DELEGATED = "delegated"  # a named deputy attends instead
    LEFT = "left"  # checked out before the end


class CheckInMethod(StrEnum):
    """How a check-in was recorded."""

    TABLET = "tablet"  # self check-in at the seat
    QR = "qr"  # at the door
    ROLL_CALL = "roll_call"  # by the secretary


class Attendance(Base):
    """One row per invitation once anything is known about its attendance."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus, 20))
    method: Mapped[CheckInMethod | None] = mapped_column(enum_type(CheckInMethod, 20))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The deputy of a delegation: an account if they have one, else their name.
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deputy_name: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    invitation: Mapped[Invitation] = relationship(lazy="joined")
    deputy: Mapped[User | None] = relationship(foreign_keys=[deputy_id], lazy="joined")

    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(AttendanceStatus)})", name="status"),
        CheckConstraint(
            f"method IS NULL OR method IN ({enum_values(CheckInMethod)})", name="method"
        ),
    )
