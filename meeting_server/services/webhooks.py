"""Webhook events: recorded where the change happens, in its transaction, for the integrations
that want them and may see them.

A service calls :func:`record` beside its change (``publish_meeting``, ``end_meeting``,
``finalise_minutes``, the end of a signing route, a task's step). It adds one
``WebhookDelivery`` per active subscription that wants the event type, whose key holds the
read scope, and whose key's owner may see the subject by the same predicates as the pages.
The rows commit (or roll back) with the change itself, so an integration never hears of a
change that did not happen and never misses one that did; the worker
(``services/webhook_delivery.py``) sends them after the commit, off the request.

The body names and links the subject in the API; it never carries document bytes or
confidential items.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import (
    ApiKey,
    Meeting,
    SigningRequest,
    Task,
    User,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from ..permissions import can_view_meeting, can_view_signing_request, can_view_task

MEETING_PUBLISHED = "meeting.published"
MEETING_ENDED = "meeting.ended"
MINUTES_FINALISED = "minutes.finalised"
SIGNING_COMPLETED = "signing.completed"
SIGNING_RETURNED = "signing.returned"
TASK_CHANGED = "task.changed"
#: The administrator's "send a test event": goes to one subscription, whatever it chose.
TEST = "webhook.test"

#: Every event type a subscription may choose, with the scope its key must hold.
SCOPE_OF: dict[str, str] = {
    MEETING_PUBLISHED: "meetings:read",
    MEETING_ENDED: "meetings:read",
    MINUTES_FINALISED: "meetings:read",
    SIGNING_COMPLETED: "signing:read",
    SIGNING_RETURNED: "signing:read",
    TASK_CHANGED: "tasks:read",
}
EVENT_TYPES: tuple[str, ...] = tuple(SCOPE_OF)

Subject = Meeting | SigningRequest | Task


def record(event_type: str, subject: Subject) -> int:
    """Queue ``event_type`` about ``subject`` for every subscription that may hear it; return
    how many deliveries were queued (one small query when nobody subscribed)."""
    listening = _subscriptions_to(event_type)
    if not listening:
        return 0
    now = utcnow()
    body: str | None = None
    queued = 0
    for subscription in listening:
        key = subscription.api_key
        if not key.active or SCOPE_OF[event_type] not in key.scope_set:
            continue
        if not may_see(key.owner, subject):
            continue
        body = body or envelope(event_type, now, data_of(subject))
        enqueue(subscription, event_type, body, now)
        queued += 1
    if queued:
        db.session.flush()
    return queued


def may_see(owner: User, subject: Subject) -> bool:
    """Tell whether the key's owner may see ``subject`` on the pages (and in the API)."""
    if isinstance(subject, Meeting):
        return can_view_meeting(owner, subject)
    if isinstance(subject, SigningRequest):
        return can_view_signing_request(owner, subject)
    return can_view_task(owner, subject)


def enqueue(
    subscription: WebhookSubscription, event_type: str, body: str, now: datetime
) -> WebhookDelivery:
    """Add a delivery of ``body`` to ``subscription``, due now, with a new message id."""
    delivery = WebhookDelivery(
        subscription_id=subscription.id,
        message_id=new_message_id(),
        event_type=event_type,
        payload=body,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(delivery)
    return delivery


def new_message_id() -> str:
    """Return a new ``webhook-id`` (the receiver's idempotency key)."""
    return "msg_" + secrets.token_hex(16)


def envelope(event_type: str, at: datetime, data: dict[str, Any]) -> str:
    """Return the JSON body: ``type``, ``timestamp`` (UTC, ISO 8601) and ``data``."""
    timestamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    message = {"type": event_type, "timestamp": timestamp, "data": data}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def data_of(subject: Subject) -> dict[str, Any]:
    """Return what an event says about ``subject``: ids, state, title and API links."""
    if isinstance(subject, Meeting):
        return _meeting_data(subject)
    if isinstance(subject, SigningRequest):
        return _request_data(subject)
    return _task_data(subject)


def _meeting_data(meeting: Meeting) -> dict[str, Any]:
    api = f"/api/v1/meetings/{meeting.id}"
    return {
        "meeting_id": meeting.id,
        "status": meeting.status.value,
        "title": meeting.title,
        "starts_at": _iso(meeting.starts_at),
        "ends_at": _iso(meeting.ends_at),
        "links": {"meeting": api, "minutes": f"{api}/minutes"},
    }


def _request_data(request: SigningRequest) -> dict[str, Any]:
    api = f"/api/v1/signing-requests/{request.id}"
    return {
        "signing_request_id": request.id,
        "status": request.status.value,
        "title": request.title,
        "finished_at": _iso(request.finished_at),
        "links": {"signing_request": api, "document": f"{api}/document"},
    }


def _task_data(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "meeting_id": task.meeting_id,
        "status": task.status.value,
        "title": task.title,
        "owner_unit": task.owner_unit,
        "progress": task.progress,
        "deadline": task.deadline.isoformat(),
        "extension_requested_until": (
            task.extension_until.isoformat() if task.extension_until else None
        ),
        "links": {"task": f"/api/v1/tasks/{task.id}"},
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _subscriptions_to(event_type: str) -> list[WebhookSubscription]:
    """Return the active subscriptions of unrevoked keys that chose ``event_type``."""
    query = (
        select(WebhookSubscription)
        .join(ApiKey, ApiKey.id == WebhookSubscription.api_key_id)
        .where(
            WebhookSubscription.active,
            ApiKey.revoked_at.is_(None),
            WebhookSubscription.events.contains(event_type, autoescape=True),
        )
        .order_by(WebhookSubscription.id)
    )
    found = db.session.scalars(query).unique().all()
    return [s for s in found if event_type in s.event_set]  # LIKE is a prefilter only
