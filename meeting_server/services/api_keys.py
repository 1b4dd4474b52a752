"""API keys of the integrations: made by an admin, shown once, checked on every call, revoked.

A key reads ``msk_<prefix>_<secret>``. The prefix finds the row and is shown in lists; only
the SHA-256 of the whole key is stored (the secret has 256 random bits, so a slow hash would
add nothing but latency), and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..collation import sorted_by
from ..extensions import db
from ..models import ApiKey, IdempotentAnswer, User, utcnow
from .audit import record_event
from .errors import NotAllowed, ServiceError

#: What a key may be allowed to do; the owner's own permissions still apply to each call.
SCOPES = {
    "meetings:read": _l(
        "Read meetings: agenda, participants, attendance, vote results, minutes; rooms and people"
    ),
    "meetings:write": _l(
        "Create and change draft meetings, their agenda and participants; publish"
    ),
    "documents:read": _l("Read and download the documents of agenda items"),
    "documents:write": _l("Upload documents to agenda items"),
    "signing:read": _l("Read signing requests, download and check the signed documents"),
    "signing:write": _l("Send documents for signing"),
    "tasks:read": _l("Read the tasks assigned by conclusion notices"),
}

_KEY = re.compile(r"msk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
#: ``last_used_at`` is written at most this often per key (not on every call).
USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    """A key just made: the row and the whole key, which is shown this once."""

    key: ApiKey
    secret: str


def digest(presented: str) -> str:
    """Return what is stored of a key: the SHA-256 of the whole of it."""
    return hashlib.sha256(presented.encode("ascii")).hexdigest()


def create_key(actor: User, *, name: str, owner: User | None, scopes: list[str]) -> NewKey:
    """Make a key for an integration that acts as ``owner`` within ``scopes``."""
    name = " ".join(name.split())[:200]
    if not name:
        raise ServiceError(
            _l("Name the integration (e.g. the system that will call the API)."), field="name"
        )
    if owner is None or not owner.active:
        raise ServiceError(
            _l("Choose the active account the integration acts as."), field="owner_id"
        )
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in SCOPES for scope in chosen):
        raise ServiceError(_l("Choose at least one of the listed permissions."), field="scopes")
    prefix = secrets.token_hex(6)
    whole = f"msk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=digest(whole),
        owner_id=owner.id,
        scopes=" ".join(chosen),
        created_by_id=actor.id,
    )
    db.session.add(key)
    db.session.flush()
    record_event(
        actor,
        "api_key.create",
        "api_key",
        key.id,
        name=name,
        prefix=prefix,
        owner_id=owner.id,
        scopes=chosen,
    )
    return NewKey(key, whole)


def revoke_key(actor: User, key: ApiKey) -> ApiKey:
    """Stop the key from opening the API, at once and for good."""
    if key.revoked_at is not None:
        raise NotAllowed(_l("This key is already revoked."))
    key.revoked_at = utcnow()
    key.revoked_by_id = actor.id
    db.session.flush()
    record_event(actor, "api_key.revoke", "api_key", key.id, name=key.name, prefix=key.prefix)
    return key


def key_for(presented: str) -> ApiKey | None:
    """Return the active key ``presented`` is, or None (unknown, malformed, revoked, owner gone)."""
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1)))
    if key is None or not hmac.compare_digest(key.secret_hash, digest(presented)):
        return None
    return key if key.active else None


def mark_used(key: ApiKey) -> bool:
    """Note that the key was used now, at most once a ``USE_RESOLUTION``; tell whether written."""
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at < USE_RESOLUTION:
        return False
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == key.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    key.last_used_at = now
    return True


def list_keys() -> list[ApiKey]:
    """Return every key, active first, then by name."""
    keys = sorted_by(db.session.scalars(select(ApiKey)), "name")
    return sorted(keys, key=lambda k: k.revoked_at is not None)


def prune_answers() -> int:
    """Delete the answers kept for ``Idempotency-Key`` older than ``API_IDEMPOTENCY_HOURS``
    (the serving process's housekeeping); return how many."""
    oldest = utcnow() - timedelta(hours=float(current_app.config["API_IDEMPOTENCY_HOURS"]))
    result = db.session.execute(
        delete(IdempotentAnswer).where(IdempotentAnswer.created_at < oldest)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
