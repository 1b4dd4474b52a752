"""Sending webhooks: claim a due delivery with a lease, POST it signed, record the answer.

The worker (``cli/webhooks.py``: the background task of ``run``/``serve`` and
``meeting-server webhooks deliver``) runs claim → commit → send → record → commit: no
transaction, and so no lock, is open while a receiver takes its time.

A claim is a conditional ``UPDATE`` (still pending, no lease or an expired one) that sets a
lease and a random token; only one process wins a row, and it keeps it until the lease runs
out. Recording the answer matches the token again, so a worker that was too slow (its lease
expired and another took the row) changes nothing. A worker that dies leaves a lease that
runs out: the next pass sends the row again, with the same ``webhook-id``.

2xx is delivered; 410 Gone disables the subscription; anything else (or no answer) is
retried after ``WEBHOOK_RETRY_SCHEDULE_S`` plus up to 20 % jitter, then dead.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from . import webhook_secrets
from .audit import record_event

log = logging.getLogger(__name__)

MAX_ERROR = 500
#: Due rows looked at per claim (the others wait for the next claim).
CLAIM_WINDOW = 20
USER_AGENT = "meeting-server-webhooks/1"
#: ``disabled_reason`` values the pages explain (``templates/webhooks/_state.html``).
GONE, SECRET_UNREADABLE = "gone", "secret_unreadable"


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease of, with everything needed to send it."""

    delivery_id: int
    lease_token: str
    attempt: int
    url: str
    message_id: str
    body: bytes
    secret: str = field(repr=False)  # never in a log line or a traceback's locals


@dataclass(frozen=True)
class Answer:
    """What one attempt got: the status code (None: no answer) and a short error."""

    status_code: int | None
    error: str
    duration_ms: int
    started_at: datetime

    @property
    def ok(self) -> bool:
        """Tell whether the receiver took it (2xx)."""
        return self.status_code is not None and 200 <= self.status_code < 300


def claim_next(now: datetime | None = None) -> Claimed | None:
    """Take the lease of the next due delivery of an active subscription; None if none."""
    now = now or utcnow()
    due = (
        select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookSubscription.active,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            _lease_free(now),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(CLAIM_WINDOW)
    )
    for delivery_id in db.session.scalars(due).all():
        claimed = _claim(delivery_id, now)
        if claimed is not None:
            return claimed
    return None


def send(claimed: Claimed, timeout: float) -> Answer:
    """POST the delivery, signed now; never follows a redirect (touches no database)."""
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **webhook_secrets.signed_headers(
            claimed.secret, claimed.message_id, timestamp, claimed.body
        ),
    }
    started_at, started = utcnow(), time.monotonic()
    try:
        with requests.post(
            claimed.url,
            data=claimed.body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,  # the receiver's body is never read
        ) as response:
            code, error = response.status_code, _describe(response)
    except requests.Timeout:
        code, error = None, f"No answer within {timeout:g} s."
    except requests.RequestException as failure:
        code, error = None, f"{type(failure).__name__}: {failure}"
    duration = int((time.monotonic() - started) * 1000)
    return Answer(code, error[:MAX_ERROR], duration, started_at)


def record_answer(
    claimed: Claimed, answer: Answer, now: datetime | None = None
) -> DeliveryStatus | None:
    """Store the attempt and what follows from it; None when the lease was lost meanwhile."""
    now = now or utcnow()
    outcome = _outcome(claimed.attempt, answer, now)
    won = _changed(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claimed.delivery_id,
            WebhookDelivery.lease_token == claimed.lease_token,
        )
        .values(
            lease_until=None,
            lease_token=None,
            last_status_code=answer.status_code,
            last_error=answer.error,
            **outcome,
        )
    )
    if won != 1:
        log.info("webhook delivery %s: lease lost, its answer not recorded", claimed.delivery_id)
        return None
    db.session.add(
        WebhookAttempt(
            delivery_id=claimed.delivery_id,
            at=answer.started_at,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=answer.duration_ms,
        )
    )
    if answer.status_code == 410:
        _disable_gone(claimed)
    db.session.flush()
    status: DeliveryStatus = outcome["status"]
    return status


def retry_delays() -> list[float]:
    """Return the waits before each retry (``WEBHOOK_RETRY_SCHEDULE_S``), in seconds."""
    raw = str(current_app.config["WEBHOOK_RETRY_SCHEDULE_S"])
    return [float(part) for part in raw.replace(" ", "").split(",") if part]


def lease_seconds() -> float:
    """Return how long a claim holds a row: well past the receiver's timeout."""
    return 3 * float(current_app.config["WEBHOOK_TIMEOUT_S"]) + 30


# --- helpers ------------------------------------------------------------------------------------


def _lease_free(now: datetime) -> Any:
    return or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until <= now)


def _claim(delivery_id: int, now: datetime) -> Claimed | None:
    """Win the row's lease (one attempt more), or None if another worker did, or if the row
    ends here without sending (key revoked, attempts used up, secret unreadable)."""
    token = secrets.token_hex(16)
    won = _changed(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            _lease_free(now),
        )
        .values(
            lease_until=now + timedelta(seconds=lease_seconds()),
            lease_token=token,
            attempts=WebhookDelivery.attempts + 1,
        )
    )
    if won != 1:
        return None
    # Read afresh: a worker's session outlives commits, and the secret may have been rotated.
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    assert delivery is not None  # noqa: S101 — the UPDATE above just matched it
    return _ready(delivery, token)


def _ready(delivery: WebhookDelivery, token: str) -> Claimed | None:
    """Return the claimed delivery ready to send, or None if it ends here unsent."""
    subscription = db.session.get(
        WebhookSubscription, delivery.subscription_id, populate_existing=True
    )
    assert subscription is not None  # noqa: S101 — the delivery's foreign key holds it
    if not subscription.api_key.active:
        _give_up(delivery, "The integration's key was revoked or its owner deactivated.")
        return None
    if delivery.attempts > len(retry_delays()) + 1:
        _give_up(delivery, "The last attempt did not finish (its worker stopped).")
        return None
    try:
        secret = webhook_secrets.unseal(subscription.secret_sealed)
    except webhook_secrets.SecretUnreadable:
        _disable_unreadable(subscription, delivery)
        return None
    return Claimed(
        delivery.id,
        token,
        delivery.attempts,
        subscription.url,
        delivery.message_id,
        delivery.payload.encode("utf-8"),
        secret,
    )


def _outcome(attempt: int, answer: Answer, now: datetime) -> dict[str, Any]:
    """Return the delivery's new state after ``answer`` to its ``attempt``-th try."""
    if answer.ok:
        return {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    delays = retry_delays()
    if answer.status_code == 410 or attempt > len(delays):
        return {"status": DeliveryStatus.FAILED}
    wait = delays[attempt - 1]
    wait += wait * random.uniform(0, 0.2)  # noqa: S311 — jitter spreads retries, not a secret
    return {"status": DeliveryStatus.PENDING, "next_attempt_at": now + timedelta(seconds=wait)}


def _describe(response: requests.Response) -> str:
    if 200 <= response.status_code < 300:
        return ""
    if response.is_redirect:
        where = response.headers.get("location", "")
        return f"HTTP {response.status_code}: redirects are not followed (to {where})."
    return f"HTTP {response.status_code} {response.reason or ''}".strip()


def _give_up(delivery: WebhookDelivery, why: str) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = why
    delivery.lease_until = delivery.lease_token = None
    db.session.flush()


def _disable_gone(claimed: Claimed) -> None:
    """The receiver answered 410 Gone: it wants no more; stop the subscription."""
    delivery = db.session.get(WebhookDelivery, claimed.delivery_id)
    if delivery is None:
        return
    subscription = delivery.subscription
    subscription.active = False
    subscription.disabled_reason = GONE
    record_event(
        None, "webhook.gone", "webhook_subscription", subscription.id,
        message_id=claimed.message_id,
    )  # fmt: skip
    log.warning("webhook subscription %s disabled: its receiver answered 410", subscription.id)


def _disable_unreadable(subscription: WebhookSubscription, delivery: WebhookDelivery) -> None:
    """The secret cannot be decrypted (SECRET_KEY changed): stop until it is rotated."""
    subscription.active = False
    subscription.disabled_reason = SECRET_UNREADABLE
    delivery.lease_until = delivery.lease_token = None
    delivery.attempts -= 1  # nothing was sent
    record_event(None, "webhook.secret_unreadable", "webhook_subscription", subscription.id)
    log.error("webhook subscription %s disabled: its secret cannot be read", subscription.id)
    db.session.flush()


def _changed(statement: Any) -> int:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
