"""Rooms of the office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Room, User
from .audit import record_event
from .errors import ServiceError


def create_room(actor: User | None, *, name: str, location: str, seat_count: int) -> Room:
    """Add a room."""
    room = Room(name="", location="", seat_count=1)
    _apply(room, name, location, seat_count)
    db.session.add(room)
    db.session.flush()
    record_event(actor, "room.create", "room", room.id, name=room.name)
    return room


def update_room(
    actor: User, room: Room, *, name: str, location: str, seat_count: int, active: bool
) -> Room:
    """Change a room's details; an inactive room takes no new meetings."""
    _apply(room, name, location, seat_count)
    room.active = active
    db.session.flush()
    record_event(actor, "room.update", "room", room.id, name=room.name, active=active)
    return room


def list_rooms(*, active_only: bool = False) -> list[Room]:
    """Return rooms by name."""
    query = select(Room).order_by(Room.name)
    if active_only:
        query = query.where(Room.active)
    return list(db.session.scalars(query))


def _apply(room: Room, name: str, location: str, seat_count: int) -> None:
    name = name.strip()
    if not name:
        raise ServiceError(_l("Give the room a name."), field="name")
    if not 1 <= seat_count <= 1000:
        raise ServiceError(_l("Seats must be between 1 and 1000."), field="seat_count")
    clash = db.session.scalar(select(Room.id).where(Room.name == name, Room.id != room.id))
    if clash is not None:
        raise ServiceError(_l("Another room is already called %(n)s.", n=name), field="name")
    room.name, room.location, room.seat_count = name, location.strip(), seat_count
