"""Signing requests: a document, its ordered route of signers ending with the seal, its versions.

Every signature makes a new immutable version (blob by SHA-256); version 0 is the prepared
document (verification QR and one empty field per step), before any signature.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .minutes import Minutes
from .register import DocumentKind
from .users import User


class RequestStatus(StrEnum):
    """Where a request stands as a whole."""

    IN_PROGRESS = "in_progress"
    RETURNED = "returned"  # a signer sent it back with a comment; the route stops
    COMPLETED = "completed"  # every step signed, the seal last
    CANCELLED = "cancelled"  # withdrawn by the sender


class StepKind(StrEnum):
    """A leader's signature, or the organisation's seal applied by a clerk."""

    SIGNER = "signer"
    SEAL = "seal"


class StepStatus(StrEnum):
    """A step waits for the ones before it, is pending (its turn), then signed or returned."""

    WAITING = "waiting"
    PENDING = "pending"
    SIGNED = "signed"
    RETURNED = "returned"


class SigningRequest(Base):
    __tablename__ = "signing_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text, default="")
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    #: The document as submitted (before the QR and the fields), SHA-256 hex.
    source_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus, 20), default=RequestStatus.IN_PROGRESS, index=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The short code of the public verification page (``/v/<code>``), printed with the QR.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: What the clerk numbers it as when sealing (None: not numbered, e.g. an internal draft).
    document_kind: Mapped[DocumentKind | None] = mapped_column(enum_type(DocumentKind, 20))

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    minutes: Mapped[Minutes | None] = relationship()
    steps: Mapped[list[SigningStep]] = relationship(
        back_populates="request", order_by="SigningStep.position", cascade="all, delete-orphan"
    )
    versions: Mapped[list[SigningVersion]] = relationship(
        back_populates="request", order_by="SigningVersion.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(RequestStatus)})", name="status"),
        CheckConstraint(f"document_kind IN ({enum_values(DocumentKind)})", name="document_kind"),
    )

    @property
    def latest(self) -> SigningVersion:
        """Return the newest version (the one the next signer signs)."""
        return self.versions[-1]

    @property
    def current_step(self) -> SigningStep | None:
        """Return the step whose turn it is, if any."""
        return next((s for s in self.steps if s.status == StepStatus.PENDING), None)


class SigningStep(Base):
    __tablename__ = "signing_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("signing_request.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[StepKind] = mapped_column(enum_type(StepKind, 10), default=StepKind.SIGNER)
    #: The signer; for the seal, the clerk chosen (any clerk with a seal key may apply it).
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    field_name: Mapped[str] = mapped_column(String(40))
    #: Where the stamp goes: page index (``-1`` = last) and a box in PDF points.
    page: Mapped[int] = mapped_column(default=-1)
    box_x: Mapped[float] = mapped_column(Float)
    box_y: Mapped[float] = mapped_column(Float)
    box_w: Mapped[float] = mapped_column(Float)
    box_h: Mapped[float] = mapped_column(Float)
    status: Mapped[StepStatus] = mapped_column(
        enum_type(StepStatus, 10), default=StepStatus.WAITING, index=True
    )
    #: When it became this step's turn: turnaround is counted from here.
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[SigningRequest] = relationship(back_populates="steps")
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id])
    acted_by: Mapped[User | None] = relationship(foreign_keys=[acted_by_id])

    __table_args__ = (
        UniqueConstraint("request_id", "position"),
        CheckConstraint(f"kind IN ({enum_values(StepKind)})", name="kind"),
        CheckConstraint(f"status IN ({enum_values(StepStatus)})", name="status"),
    )

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Return (x1, y1, x2, y2) in PDF points."""
        return (self.box_x, self.box_y, self.box_x + self.box_w, self.box_y + self.box_h)


class SigningVersion(Base):
    """One immutable state of the document: 0 prepared, then one per signature."""

    __tablename__ = "signing_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("signing_request.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    step_id: Mapped[int | None] = mapped_column(ForeignKey("signing_step.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[SigningRequest] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("request_id", "number"),)


class NoticeKind(StrEnum):
    """What an inbox notice tells."""

    YOUR_TURN = "your_turn"
    REMINDER = "reminder"  # the step is overdue
    RETURNED = "returned"  # to the sender, with the comment
    COMPLETED = "completed"  # to the sender
    SIGNED = "signed"  # to the sender: a step was signed


class InboxNotice(Base):
    """A line in someone's inbox about a signing request (also pushed live)."""

    __tablename__ = "inbox_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("signing_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[SigningRequest] = relationship()

    __table_args__ = (CheckConstraint(f"kind IN ({enum_values(NoticeKind)})", name="kind"),)
