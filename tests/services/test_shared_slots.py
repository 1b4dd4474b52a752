"""Slots shared by the server's processes: the public check's bound holds across two apps on
one Redis, and a holder killed without freeing its slot gives it back when its lease ends."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from meeting_server.services.shared_slots import slot
from tests.support.backing import require_service

SIZE = 2


@pytest.fixture
def two_processes(make_app):
    """Two apps (two server processes) sharing one Redis, under a key of their own."""
    require_service("Redis", 6379)
    shared = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"meeting-test-{uuid.uuid4().hex}",
    }
    return make_app(**shared), make_app(**shared)


@pytest.mark.redis
def test_the_bound_holds_across_processes(two_processes):
    first, second = two_processes
    with first.app_context(), slot("verify", SIZE, wait_s=1, lease_s=30) as one:
        with second.app_context(), slot("verify", SIZE, wait_s=1, lease_s=30) as two:
            assert one and two
            with first.app_context(), slot("verify", SIZE, wait_s=0.3, lease_s=30) as three:
                assert not three  # both slots are held, one on each process
        with second.app_context(), slot("verify", SIZE, wait_s=1, lease_s=30) as again:
            assert again  # the second process's slot was given back


@pytest.mark.redis
def test_a_waiting_check_starts_as_soon_as_a_slot_comes_free(two_processes):
    first, second = two_processes
    release = threading.Event()

    def hold() -> None:
        with first.app_context(), slot("verify", 1, wait_s=1, lease_s=30):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    with second.app_context(), slot("verify", 1, wait_s=5, lease_s=30) as held:
        waited = time.monotonic() - started
    holder.join(5)
    assert held and 0.2 < waited < 3


@pytest.mark.redis
def test_a_killed_holders_slot_comes_back_when_its_lease_ends(two_processes):
    first, second = two_processes
    with first.app_context():
        abandoned = slot("verify", 1, wait_s=1, lease_s=1)
        assert abandoned.__enter__()  # taken, then never freed: the process died
    with second.app_context():
        with slot("verify", 1, wait_s=0.2, lease_s=30) as now:
            assert not now
        with slot("verify", 1, wait_s=3, lease_s=30) as later:
            assert later


def test_one_process_bounds_its_own_checks(app):
    with app.app_context(), slot("verify", 1, wait_s=1, lease_s=30) as one:
        with slot("verify", 1, wait_s=0.2, lease_s=30) as two:
            assert one and not two
