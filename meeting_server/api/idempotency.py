"""``Idempotency-Key`` on creates: a retried create gets the first answer, not a second object.

The answer is stored in the transaction of the create itself (``IdempotentAnswer``), so after
a crash there is either both or neither. Two calls with the same key at the same moment both
run; the second to commit collides on the unique (key, Idempotency-Key) and is rolled back
whole, then answers what the first stored. The same key with a different request (another
path or body) is refused: 422 ``idempotency_key_reused``. Answers are kept for
``API_IDEMPOTENCY_HOURS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, json, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import IdempotentAnswer, utcnow
from .blueprint import calling_key
from .problems import problem


class IdempotencyHeader(BaseModel):
    """The optional header of a create."""

    idempotency_key: str | None = Field(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description="Any unique string (e.g. a UUID) per create; a retry with the same key and "
        "request gets the first answer (with `Idempotent-Replayed: true`) instead of a second "
        "object. Kept for 24 hours.",
    )


@dataclass(frozen=True)
class Created:
    """What a create made: the object's JSON model and where it lives (endpoint, arguments)."""

    body: BaseModel
    endpoint: str
    args: dict[str, Any]


def _fingerprint() -> str:
    """Return a digest of the request: method, path, and body (a multipart body by its fields
    and files' contents, not its random boundary)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.mimetype == "multipart/form-data":
        # (str(): a part may come without a name or a value)
        fields = sorted((str(name), str(value)) for name, value in request.form.items(multi=True))
        for name, value in fields:
            digest.update(f"{name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda kv: str(kv[0])):
            digest.update(f"{name}:{upload.filename}:".encode())
            digest.update(hashlib.sha256(upload.stream.read()).digest())
            upload.stream.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _kept(key_id: int, idempotency_key: str) -> IdempotentAnswer | None:
    oldest = utcnow() - timedelta(hours=float(current_app.config["API_IDEMPOTENCY_HOURS"]))
    found = db.session.scalar(
        select(IdempotentAnswer).where(
            IdempotentAnswer.api_key_id == key_id,
            IdempotentAnswer.idempotency_key == idempotency_key,
        )
    )
    if found is not None and found.created_at < oldest:
        db.session.delete(found)  # expired: the key may be used again (committed with the create)
        db.session.flush()
        return None
    return found


def _replay(kept: IdempotentAnswer, fingerprint: str) -> Response:
    if kept.fingerprint != fingerprint:
        return problem(
            "idempotency_key_reused",
            _(
                "This Idempotency-Key was used for another request. Use a new key for a new "
                "request, and the same key only to retry exactly the same one."
            ),
        )
    response = _response(kept.body, kept.status, kept.location)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _response(body: str, status: int, location: str) -> Response:
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if location:
        response.headers["Location"] = location
    return response


def create_once(header: IdempotencyHeader, make: Callable[[], Created]) -> Response:
    """Run the create ``make`` (a service call that flushes), commit, answer 201 — once per
    ``Idempotency-Key`` when the call carries one."""
    idempotency_key = header.idempotency_key
    key = calling_key()
    fingerprint = _fingerprint() if idempotency_key else ""
    if idempotency_key and key is not None:
        kept = _kept(key.id, idempotency_key)
        if kept is not None:
            return _replay(kept, fingerprint)
    created = make()
    body = json.dumps(created.body.model_dump(mode="json"))
    location = url_for(created.endpoint, **created.args)
    if not idempotency_key or key is None:
        db.session.commit()
        return _response(body, 201, location)
    db.session.add(
        IdempotentAnswer(
            api_key_id=key.id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            status=201,
            body=body,
            location=location,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another call with this key committed first: answer as it did
        kept = _kept(key.id, idempotency_key)
        if kept is None:
            raise
        return _replay(kept, fingerprint)
    return _response(body, 201, location)
