"""Login limits shared by several server processes through Redis (required in CI)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.backing import require_service
from tests.support.clients import log_in

pytestmark = pytest.mark.redis


def test_account_limit_holds_across_processes_sharing_redis(make_app, secretary):
    require_service("Redis", 6379)
    shared = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"meeting-test-{uuid.uuid4().hex}",
    }
    first, second = make_app(**shared).test_client(), make_app(**shared).test_client()
    for client in (first, second, first, second, first):
        assert (
            client.post("/login", data={"username": "thuky", "password": "bad"}).status_code == 401
        )
    for client in (first, second):
        blocked = log_in(client, "thuky")
        assert blocked.status_code == 429
