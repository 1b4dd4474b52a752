"""At most N holders at once of a named set of slots, on every process of the server.

One process (the default, memory limiter storage): a ``threading.BoundedSemaphore``. Several
processes sharing Redis (``MEETING_RATELIMIT_STORAGE_URI=redis://…``, as the login and PIN
counts do): a Redis sorted set of leases, taken and freed by one Lua script each, timed by
Redis's own clock; a holder killed with -9 loses its slot when its lease runs out.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from flask import current_app

#: Drop the leases that ran out, then take one if fewer than ARGV[1] are held.
_TAKE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
  return 1
end
return 0
"""
POLL_S = 0.1


@contextmanager
def slot(name: str, size: int, wait_s: float, lease_s: float) -> Iterator[bool]:
    """Hold one of ``size`` slots called ``name`` for the block; yield False (holding nothing)
    if none came free within ``wait_s``. A lease outlives its holder by at most ``lease_s``."""
    store = _shared_store()
    token = uuid.uuid4().hex
    key = f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'meeting'}:slots:{name}"
    try:
        held = None if store is None else _take(store, key, token, size, wait_s, lease_s)
    except redis.RedisError as error:  # the bound stays, per process, until Redis is back
        current_app.logger.warning("shared slots %s: Redis unreachable (%s)", name, error)
        held = None
    if store is None or held is None:  # one process, or Redis down: this process's bound
        local = _local_semaphore(name, size)
        held = local.acquire(timeout=wait_s)
        try:
            yield held
        finally:
            if held:
                local.release()
        return
    try:
        yield held
    finally:
        if held:
            store.zrem(key, token)


def _take(
    store: redis.Redis, key: str, token: str, size: int, wait_s: float, lease_s: float
) -> bool:
    """Try to take a lease until one is free or ``wait_s`` has passed."""
    take = current_app.extensions.get("meeting.slot_script") or current_app.extensions.setdefault(
        "meeting.slot_script", store.register_script(_TAKE)
    )
    deadline = time.monotonic() + wait_s
    while not take(keys=[key], args=[size, lease_s, token]):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


def _local_semaphore(name: str, size: int) -> threading.BoundedSemaphore:
    semaphores: dict[str, Any] = current_app.extensions.setdefault("meeting.slots", {})
    return semaphores.setdefault(name, threading.BoundedSemaphore(size))


def _shared_store() -> redis.Redis | None:
    url = str(current_app.config["RATELIMIT_STORAGE_URI"] or "")
    if not url.startswith(("redis://", "rediss://")):
        return None
    store: redis.Redis | None = current_app.extensions.get("meeting.slot_store")
    if store is None:
        store = current_app.extensions["meeting.slot_store"] = redis.Redis.from_url(url)
    return store
