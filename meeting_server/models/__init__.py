"""SQLAlchemy models, one module per area."""

from .api import ApiKey, CalendarFeed, FeedKind, IdempotentAnswer
from .attendance import Attendance, AttendanceStatus, CheckInMethod
from .audit import AuditEvent, AuditSeal
from .base import Base, utcnow
from .certificates import KeyOrigin, KeyPurpose, SigningFactor, SigningKey
from .devices import Device
from .documents import Document, DocumentVersion
from .events import MeetingEvent, MeetingNoticeKind
from .meetings import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingRole,
    MeetingStatus,
    is_member_role,
)
from .minutes import Minutes, MinutesStatus
from .notes import Note
from .presentations import Presentation
from .register import DocumentKind, RegisterCounter, RegisterEntry
from .rooms import Room
from .seals import SEAL_DIAMETERS_MM, OrganisationSeal
from .sessions import SessionEnd, UserSession
from .signing import (
    InboxNotice,
    NoticeKind,
    RequestStatus,
    SigningRequest,
    SigningStep,
    SigningVersion,
    StepKind,
    StepStatus,
)
from .speaking import SpeakingRequest, SpeakingStatus
from .tasks import (
    ConclusionItem,
    ConclusionNotice,
    NoticeStatus,
    OfficeSetting,
    Task,
    TaskAttachment,
    TaskEvent,
    TaskEventKind,
    TaskNotice,
    TaskNoticeKind,
    TaskStatus,
)
from .users import Role, User, UserRole
from .votes import Vote, VoteParticipation, VoteRule, VoteStatus, VoteTally
from .webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "SEAL_DIAMETERS_MM",
    "AgendaItem",
    "ApiKey",
    "Attendance",
    "AttendanceStatus",
    "AuditEvent",
    "AuditSeal",
    "CalendarFeed",
    "Base",
    "CheckInMethod",
    "ConclusionItem",
    "ConclusionNotice",
    "Device",
    "Document",
    "DocumentKind",
    "DocumentVersion",
    "FeedKind",
    "IdempotentAnswer",
    "InboxNotice",
    "Invitation",
    "KeyOrigin",
    "KeyPurpose",
    "Meeting",
    "MeetingEvent",
    "MeetingNoticeKind",
    "MeetingRole",
    "MeetingStatus",
    "Minutes",
    "MinutesStatus",
    "Note",
    "NoticeKind",
    "NoticeStatus",
    "OfficeSetting",
    "OrganisationSeal",
    "Presentation",
    "RegisterCounter",
    "RegisterEntry",
    "RequestStatus",
    "Role",
    "Room",
    "SessionEnd",
    "SigningFactor",
    "SigningKey",
    "SigningRequest",
    "SigningStep",
    "SigningVersion",
    "SpeakingRequest",
    "SpeakingStatus",
    "StepKind",
    "StepStatus",
    "Task",
    "TaskAttachment",
    "TaskEvent",
    "TaskEventKind",
    "TaskNotice",
    "TaskNoticeKind",
    "TaskStatus",
    "User",
    "UserRole",
    "UserSession",
    "Vote",
    "VoteParticipation",
    "VoteRule",
    "VoteStatus",
    "VoteTally",
    "DeliveryStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "is_member_role",
    "utcnow",
]
