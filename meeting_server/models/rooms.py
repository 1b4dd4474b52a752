"""Meeting rooms of the office."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Room(Base):
    __tablename__ = "room"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    seat_count: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (CheckConstraint("seat_count > 0 AND seat_count <= 1000", name="seat_count"),)

    def __repr__(self) -> str:
        return f"<Room {self.name}>"
