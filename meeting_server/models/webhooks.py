"""Outgoing webhooks: an integration's subscriptions, the durable queue of deliveries, and the
log of every attempt.

A change that an integration may hear about (``services/webhooks.py``) adds one
``WebhookDelivery`` per interested subscription in the transaction of the change; the
delivery worker (``services/webhook_delivery.py``) claims due rows with a lease, POSTs them
signed (Standard Webhooks v1) and writes a ``WebhookAttempt`` for each try.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .api import ApiKey
from .base import Base, UTCDateTime, enum_type, enum_values, utcnow


class WebhookSubscription(Base):
    """Where an integration (its API key) wants to hear of some kinds of events.

    ``secret_sealed`` holds the signing secret (``whsec_…``) encrypted with Fernet under a key
    derived from the app's ``SECRET_KEY``: it signs every message, so it cannot be hashed;
    it is shown to the administrator once, when made or rotated.
    """

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(
        ForeignKey("api_key.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    #: Space-separated event types (``services/webhooks.EVENT_TYPES``).
    events: Mapped[str] = mapped_column(String(500))
    secret_sealed: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    #: Why it stopped (the receiver answered 410 Gone, an administrator disabled it…).
    disabled_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    api_key: Mapped[ApiKey] = relationship(lazy="joined")

    @property
    def event_set(self) -> frozenset[str]:
        """Return the event types this subscription wants."""
        return frozenset(self.events.split())

    def __repr__(self) -> str:
        return f"<WebhookSubscription {self.id} key={self.api_key_id} {self.url!r}>"


class DeliveryStatus(StrEnum):
    """A delivery waits (and is retried), was delivered, or failed for good (dead)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(Base):
    """One message for one subscription: the body as signed, and where its sending stands.

    ``message_id`` is the ``webhook-id`` header: the same on every retry and replay, so the
    receiver can drop a message it already handled. A worker owns the row while
    ``lease_until`` is in the future and ``lease_token`` is its own (a conditional ``UPDATE``
    takes it); a worker that died leaves a lease that simply runs out.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(DeliveryStatus)})", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    #: The JSON body exactly as sent (and signed) on every attempt.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, 10), default=DeliveryStatus.PENDING
    )
    #: Attempts in the current round (a replay starts a new round; the log keeps them all).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event_type} {self.status}>"


class WebhookAttempt(Base):
    """One try at sending a delivery: when, the receiver's answer or the error, how long."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
