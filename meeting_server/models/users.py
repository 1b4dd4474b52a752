"""People who sign in, and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow


class Role(StrEnum):
    """What a person does in the office; a user may hold several."""

    ADMIN = "admin"
    SECRETARY = "secretary"
    LEADER = "leader"
    CLERK = "clerk"
    PARTICIPANT = "participant"


ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(200), default="", index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The blob (transparent PNG, blue ink) of the person's handwritten signature, shown in
    #: their signature stamps (Decree 30/2020, Appendix I); set on "My certificate".
    signature_image_sha256: Mapped[str | None] = mapped_column(String(64))

    # Read when a permission asks (one small query), not with every user: a tablet's join
    # loads the person, the meeting's chair and secretary, and an invitation's invitee, and
    # asks about at most one of them. Lists that show roles load them with ``selectinload``.
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    __table_args__ = (
        CheckConstraint("username = lower(username) AND length(username) >= 2", name="username"),
    )

    @property
    def roles(self) -> frozenset[Role]:
        """Return the roles this user holds."""
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, role: Role) -> bool:
        """Tell whether the user holds ``role``."""
        return any(row.role == role for row in self.role_rows)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, 20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (CheckConstraint(f"role IN ({ROLE_VALUES})", name="role"),)
