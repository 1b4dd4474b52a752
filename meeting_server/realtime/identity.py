"""Who is on the other end of a Socket.IO connection: a signed-in person or a paired tablet."""

from __future__ import annotations

from flask import request

from ..auth import seated_user, session_user
from ..extensions import db
from ..models import Device, Meeting, User

#: Keys in the connection's WSGI environ, which lives as long as the connection.
DEVICE_ID = "meeting.device_id"
DEVICE_PAIRING = "meeting.device_pairing"  # the hash of the token it connected with


def remember_device(device: Device) -> None:
    """Tie this connection to ``device`` and to the token it connected with."""
    request.environ[DEVICE_ID] = device.id
    request.environ[DEVICE_PAIRING] = device.token_hash


def connection_device() -> Device | None:
    """Return this connection's tablet, re-read now: ``None`` once removed or re-paired."""
    device_id = request.environ.get(DEVICE_ID)
    if device_id is None:
        return None
    device = db.session.get(Device, device_id, populate_existing=True)
    if device is None or not device.active:
        return None
    return device if device.token_hash == request.environ.get(DEVICE_PAIRING) else None


def connection_viewer(meeting: Meeting) -> User | None:
    """Return who reads ``meeting`` over this connection (checked again at every event).

    The signed-in person, else the person invited to the tablet's seat (same room only).
    """
    return session_user() or seated_user(connection_device(), meeting)
