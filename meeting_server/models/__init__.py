"""SQLAlchemy models, one module per area."""

from .audit import AuditEvent
from .base import Base, utcnow
from .devices import Device
from .documents import Document, DocumentVersion
from .events import MeetingEvent
from .meetings import AgendaItem, Invitation, Meeting, MeetingRole, MeetingStatus
from .notes import Note
from .presentations import Presentation
from .rooms import Room
from .users import Role, User, UserRole

__all__ = [
    "AgendaItem",
    "AuditEvent",
    "Base",
    "Device",
    "Document",
    "DocumentVersion",
    "Invitation",
    "Meeting",
    "MeetingEvent",
    "MeetingRole",
    "MeetingStatus",
    "Note",
    "Presentation",
    "Role",
    "Room",
    "User",
    "UserRole",
    "utcnow",
]
