"""Socket.IO handlers of the room's presenter: the presented document, page and zoom."""

from __future__ import annotations


def register() -> None:
    """Register the presenter's handlers on the shared Socket.IO object."""
