"""Administering webhook subscriptions: create, rotate the secret, disable and enable, delete,
send a test event, replay a delivery; and what the admin pages list.

Every change is audited (never with the secret). A new or rotated secret is returned once,
for the page to show; only its encrypted form is kept (``services/webhook_secrets.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from ..extensions import db
from ..models import (
    ApiKey,
    DeliveryStatus,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from . import webhook_secrets
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .webhooks import EVENT_TYPES, SCOPE_OF, TEST, enqueue, envelope

#: ``disabled_reason`` when an administrator disabled it (``webhook_delivery`` has the others).
DISABLED = "disabled"
PER_PAGE = 20
MAX_URL = 2000
#: Plain http:// is allowed to this machine (tests, a local relay) without WEBHOOK_ALLOW_HTTP.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class SubscriptionRow:
    """A line of the list: the subscription and its latest delivery."""

    subscription: WebhookSubscription
    last: WebhookDelivery | None


@dataclass(frozen=True)
class DeliveryPage:
    """One page of a subscription's delivery log, newest first, with each one's attempts."""

    deliveries: list[WebhookDelivery]
    attempts: dict[int, list[WebhookAttempt]]
    page: int
    pages: int
    total: int


def integrations() -> list[ApiKey]:
    """Return the keys a subscription may be made for: not revoked, their owner active."""
    keys = db.session.scalars(select(ApiKey).where(ApiKey.revoked_at.is_(None)))
    return sorted((k for k in keys if k.active), key=lambda k: (k.name.casefold(), k.id))


def create_subscription(
    actor: User, key: ApiKey | None, url: str, events: Iterable[str]
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``key``'s integration to ``events`` at ``url``; return it and its secret."""
    if key is None or not key.active:
        raise ServiceError(_l("Choose an integration whose key is in use."), field="api_key_id")
    url = check_url(url)
    chosen = check_events(key, events)
    secret = webhook_secrets.new_secret()
    subscription = WebhookSubscription(
        api_key_id=key.id,
        url=url,
        events=" ".join(chosen),
        secret_sealed=webhook_secrets.seal(secret),
        created_by_id=actor.id,
    )
    db.session.add(subscription)
    db.session.flush()
    record_event(
        actor, "webhook.create", "webhook_subscription", subscription.id,
        api_key=key.id, url=url, events=chosen,
    )  # fmt: skip
    return subscription, secret


def check_url(raw: str) -> str:
    """Return the receiver's address, or refuse one that is not a plain https:// URL."""
    url = (raw or "").strip()
    unusable = ServiceError(
        _l("Enter the receiver's full address, starting with https://."), field="url"
    )
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise unusable
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # .port refuses a port that is no number
    except ValueError:
        raise unusable from None
    if parts.scheme not in ("https", "http") or not host:
        raise unusable
    if parts.username or parts.password:
        raise ServiceError(
            _l("Leave the user name and password out of the address: the signature tells the "
               "receiver who sends."),
            field="url",
        )  # fmt: skip
    if parts.scheme == "http" and host not in LOCAL_HOSTS and not _http_allowed():
        raise ServiceError(
            _l("Use an https:// address: these messages must travel encrypted. Plain "
               "http:// is allowed only to this server itself."),
            field="url",
        )  # fmt: skip
    return url


def check_events(key: ApiKey, events: Iterable[str]) -> list[str]:
    """Return the chosen event types in the list's order, refusing unknown ones and those the
    key's scopes do not cover."""
    wanted = set(events)
    if not wanted or wanted - set(EVENT_TYPES):
        raise ServiceError(_l("Choose at least one event from the list."), field="events")
    chosen = [event for event in EVENT_TYPES if event in wanted]
    missing = sorted({SCOPE_OF[event] for event in chosen} - key.scope_set)
    if missing:
        raise ServiceError(
            _l("The integration's key lacks the scope %(scopes)s these events need. Choose "
               "other events, or make the subscription for a key that has it.",
               scopes=", ".join(missing)),
            field="events",
        )  # fmt: skip
    return chosen


def rotate_secret(actor: User, subscription: WebhookSubscription) -> str:
    """Give the subscription a new secret (the next attempts are signed with it); return it."""
    secret = webhook_secrets.new_secret()
    subscription.secret_sealed = webhook_secrets.seal(secret)
    db.session.flush()
    record_event(actor, "webhook.rotate", "webhook_subscription", subscription.id)
    return secret


def disable_subscription(actor: User, subscription: WebhookSubscription) -> None:
    """Stop sending: new events are not queued, queued ones wait until it is enabled."""
    if not subscription.active:
        raise NotAllowed(_l("This subscription is already disabled."))
    subscription.active = False
    subscription.disabled_reason = DISABLED
    db.session.flush()
    record_event(actor, "webhook.disable", "webhook_subscription", subscription.id)


def enable_subscription(actor: User, subscription: WebhookSubscription) -> None:
    """Send again, starting with what was queued while it was disabled."""
    if subscription.active:
        raise NotAllowed(_l("This subscription is already enabled."))
    _require_key_in_use(subscription)
    try:
        webhook_secrets.unseal(subscription.secret_sealed)
    except webhook_secrets.SecretUnreadable:
        raise NotAllowed(
            _l("Its secret can no longer be read (the server's secret key changed). Rotate "
               "the secret, give the new one to the receiver, then enable it.")
        ) from None  # fmt: skip
    subscription.active = True
    subscription.disabled_reason = ""
    db.session.flush()
    record_event(actor, "webhook.enable", "webhook_subscription", subscription.id)


def delete_subscription(actor: User, subscription: WebhookSubscription) -> None:
    """Remove the subscription with its queue and delivery log (the audit trail remains)."""
    record_event(
        actor, "webhook.delete", "webhook_subscription", subscription.id,
        api_key=subscription.api_key_id, url=subscription.url, events=subscription.events,
    )  # fmt: skip
    db.session.delete(subscription)
    db.session.flush()


def send_test(actor: User, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a ``webhook.test`` message for this subscription alone."""
    if not subscription.active:
        raise NotAllowed(_l("Enable the subscription before sending a test event."))
    _require_key_in_use(subscription)
    now = utcnow()
    data = {"subscription_id": subscription.id, "api_key_id": subscription.api_key_id}
    delivery = enqueue(subscription, TEST, envelope(TEST, now, data), now)
    db.session.flush()
    record_event(
        actor, "webhook.test", "webhook_subscription", subscription.id,
        message_id=delivery.message_id,
    )  # fmt: skip
    return delivery


def replay_delivery(actor: User, delivery: WebhookDelivery, reason: str) -> None:
    """Send a delivery again now, with the same message id and body, in a new round of
    attempts; the reason goes to the audit trail."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 500:
        raise ServiceError(_l("Say in a few words why it is sent again."), field="reason")
    if not delivery.subscription.active:
        raise NotAllowed(_l("Enable the subscription before replaying a delivery."))
    _require_key_in_use(delivery.subscription)
    now = utcnow()
    result = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until <= now),
        )
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now,
                lease_until=None, lease_token=None, delivered_at=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed(_l("This delivery is being sent right now. Reload the page in a moment."))
    db.session.refresh(delivery)
    record_event(
        actor, "webhook.replay", "webhook_delivery", delivery.id,
        subscription=delivery.subscription_id, message_id=delivery.message_id,
        event_type=delivery.event_type, reason=reason,
    )  # fmt: skip


def subscription_rows() -> list[SubscriptionRow]:
    """Return every subscription with its latest delivery, oldest subscription first."""
    subscriptions = db.session.scalars(
        select(WebhookSubscription).order_by(WebhookSubscription.id)
    ).all()
    latest = select(func.max(WebhookDelivery.id)).group_by(WebhookDelivery.subscription_id)
    last = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(latest)))
    by_subscription = {d.subscription_id: d for d in last}
    return [SubscriptionRow(s, by_subscription.get(s.id)) for s in subscriptions]


def delivery_page(subscription: WebhookSubscription, page: int) -> DeliveryPage:
    """Return page ``page`` (from 1) of the subscription's deliveries, newest first."""
    mine = WebhookDelivery.subscription_id == subscription.id
    total = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(mine))
    pages = max(1, math.ceil((total or 0) / PER_PAGE))
    page = min(max(page, 1), pages)
    deliveries = list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(mine)
            .order_by(WebhookDelivery.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
    )
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    rows = db.session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(attempts))
        .order_by(WebhookAttempt.id.desc())
    )
    for attempt in rows:
        attempts[attempt.delivery_id].append(attempt)
    return DeliveryPage(deliveries, attempts, page, pages, total or 0)


def _http_allowed() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_HTTP"])


def _require_key_in_use(subscription: WebhookSubscription) -> None:
    if not subscription.api_key.active:
        raise NotAllowed(
            _l("The integration's key is revoked (or its owner deactivated): nothing can be "
               "sent for it. Create a subscription for its new key.")
        )  # fmt: skip
