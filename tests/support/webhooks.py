"""Webhook tests' helpers: an integration's key, a subscription, and a receiver — a real HTTP
server on 127.0.0.1 (a free port, its own thread) that keeps what arrives and answers with the
status codes it is given, then 200."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from meeting_server.extensions import db
from meeting_server.models import (
    ApiKey,
    Meeting,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from meeting_server.services.api_keys import create_key
from meeting_server.services.presentations import end_meeting, start_meeting
from meeting_server.services.webhook_subscriptions import create_subscription
from tests.support.people import actor

EVERY_SCOPE = "meetings:read documents:read signing:read tasks:read"
MEETING_EVENTS = ("meeting.published", "meeting.ended", "minutes.finalised")


def make_key(owner: str, scopes: str = EVERY_SCOPE, name: str | None = None) -> ApiKey:
    """Give ``owner``'s integration an API key with ``scopes`` (inside an app context)."""
    person = actor(owner)
    made = create_key(
        person, name=name or f"Hệ thống của {person.username}", owner=person, scopes=scopes.split()
    )
    return made.key


def subscribe(
    key: ApiKey, url: str, events: Iterable[str], admin: str = "admin"
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``key`` to ``events`` at ``url`` as the administrator; commit."""
    subscription, secret = create_subscription(actor(admin), key, url, events)
    db.session.commit()
    return subscription, secret


def deliveries_of(subscription: WebhookSubscription) -> list[WebhookDelivery]:
    """Return the subscription's deliveries, oldest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id)))


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    """Return the delivery's attempts, oldest first."""
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
    return list(db.session.scalars(query.order_by(WebhookAttempt.id)))


def fresh(delivery: WebhookDelivery) -> WebhookDelivery:
    """Return the delivery as the database holds it now."""
    db.session.refresh(delivery)
    return delivery


def end(meeting: Meeting) -> None:
    """Start and end the meeting as its secretary (thuky); commit."""
    start_meeting(actor(), meeting)
    end_meeting(actor(), meeting)
    db.session.commit()


@dataclass(frozen=True)
class Received:
    """One POST as it arrived: its headers (lower-case names) and its body's bytes."""

    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers each POST with the next of ``answers`` (200 once they run out)."""

    def __init__(self, answers: Iterable[int] = ()) -> None:
        self.answers: deque[int] = deque(answers)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}/hooks/meetings"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def answer_next(self, *codes: int) -> None:
        """Answer the next POSTs with ``codes``."""
        with self._lock:
            self.answers.extend(codes)

    def ids(self) -> list[str]:
        """Return the ``webhook-id`` of every POST received, in order."""
        with self._lock:
            return [r.headers["webhook-id"] for r in self.received]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request = Request(environ)
        with self._lock:
            self.received.append(
                Received({k.lower(): v for k, v in request.headers.items()}, request.get_data())
            )
            status = self.answers.popleft() if self.answers else 200
        start_response(f"{status} {HTTPStatus(status).phrase}", [("content-type", "text/plain")])
        return [b"thanks"]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def receiving(answers: Iterable[int] = ()) -> Iterator[Receiver]:
    """Run a receiver for the duration of the block."""
    receiver = Receiver(answers)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
