"""Who is on the other end of a Socket.IO connection: a signed-in person or a paired tablet."""

from __future__ import annotations

from ..auth import session_user
from ..models import Meeting, User


def connection_viewer(meeting: Meeting) -> User | None:
    """Return who reads ``meeting`` over this connection (checked again at every event)."""
    return session_user()
