"""SQLAlchemy models, one module per area."""

from .audit import AuditEvent
from .base import Base, utcnow
from .documents import Document, DocumentVersion
from .events import MeetingEvent
from .meetings import AgendaItem, Invitation, Meeting, MeetingRole, MeetingStatus
from .rooms import Room
from .users import Role, User, UserRole

__all__ = [
    "AgendaItem",
    "AuditEvent",
    "Base",
    "Document",
    "DocumentVersion",
    "Invitation",
    "Meeting",
    "MeetingEvent",
    "MeetingRole",
    "MeetingStatus",
    "Role",
    "Room",
    "User",
    "UserRole",
    "utcnow",
]
