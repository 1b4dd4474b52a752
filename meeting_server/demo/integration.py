"""The demo's integration: an API key that acts as the secretary with every scope.

Its value is fixed and printed by ``meeting-server demo``, like the demo password and PIN, so
the README's example calls work on a fresh ``make run``. Demo mode only: a real key is made
at /admin/api-keys, random and shown once.
"""

from __future__ import annotations

from ..extensions import db
from ..models import ApiKey, User
from ..services.api_keys import SCOPES, digest
from ..services.audit import record_event

DEMO_API_KEY = "msk_000000de7000_demo-key-for-make-run-only-never-in-product"


def seed_integration(people: dict[str, User]) -> ApiKey:
    """Give the demo's document system a key acting as ``thuky``, with every scope."""
    admin, owner = people["admin"], people["thuky"]
    key = ApiKey(
        name="Hệ thống quản lý văn bản (demo)",
        prefix=DEMO_API_KEY.split("_")[1],
        secret_hash=digest(DEMO_API_KEY),
        owner_id=owner.id,
        scopes=" ".join(SCOPES),
        created_by_id=admin.id,
    )
    db.session.add(key)
    db.session.flush()
    record_event(admin, "api_key.create", "api_key", key.id, name=key.name, demo=True)
    return key
