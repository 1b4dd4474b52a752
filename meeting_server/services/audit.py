"""Writing the audit trail; the client address comes from the request context."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from ..extensions import db
from ..models import AuditEvent, User

#: Set by the web layer for each request ("cli" for commands), read when an event is written.
client_address: ContextVar[str] = ContextVar("client_address", default="")
#: Set by the API for each call ("api-key:<prefix>"), empty otherwise: written as ``via``, so
#: the trail says which integration acted for the person named.
acting_through: ContextVar[str] = ContextVar("acting_through", default="")


def record_event(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    **details: Any,
) -> AuditEvent:
    """Append an audit event (who, what, on which object, from where, through which
    integration) and flush it."""
    via = acting_through.get()
    if via:
        details = {**details, "via": via}
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip=client_address.get(),
        details=json.dumps(details, ensure_ascii=False, default=str, sort_keys=True),
    )
    db.session.add(event)
    db.session.flush()
    return event
