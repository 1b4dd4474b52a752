"""Sending webhooks to a real receiver: retries after an outage, dead after the last retry,
leases that survive a dead worker, two workers at once (SQLite and PostgreSQL), 410 Gone,
replays, a key revoked while messages wait."""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from meeting_server import create_app
from meeting_server.cli.webhooks import deliver_once
from meeting_server.extensions import db, make_engine
from meeting_server.migrate import upgrade_database
from meeting_server.models import AuditEvent, DeliveryStatus, Meeting, Role, utcnow
from meeting_server.services import webhook_delivery, webhooks
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.users import create_user as create_user_account
from meeting_server.services.webhook_subscriptions import replay_delivery, send_test
from tests.support.backing import require_service
from tests.support.people import actor
from tests.support.webhooks import (
    MEETING_EVENTS,
    attempts_of,
    deliveries_of,
    end,
    fresh,
    make_key,
    receiving,
    subscribe,
)


@pytest.fixture
def receiver():
    with receiving() as running:
        yield running


def test_a_receiver_outage_is_retried_with_the_same_message_id(
    app, published_meeting, admin, receiver
):
    subscription, secret = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    receiver.answer_next(503)
    end(published_meeting)
    now = utcnow()
    assert deliver_once(now) == 1
    [delivery] = deliveries_of(subscription)
    assert fresh(delivery).status == DeliveryStatus.PENDING
    wait = (delivery.next_attempt_at - now).total_seconds()
    assert 10 <= wait <= 12.01  # 10 s plus up to 20 % jitter
    assert deliver_once(now + timedelta(seconds=5)) == 0  # not due yet
    assert deliver_once(now + timedelta(seconds=13)) == 1
    assert fresh(delivery).status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in attempts_of(delivery)] == [503, 200]
    assert receiver.ids() == [delivery.message_id, delivery.message_id]
    for arrived in receiver.received:
        Webhook(secret).verify(arrived.body, arrived.headers)


def test_a_delivery_is_dead_after_the_last_retry(make_app, published_meeting, admin, receiver):
    with make_app(WEBHOOK_RETRY_SCHEDULE_S="1").app_context():
        subscription, _ = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
        receiver.answer_next(500, 500, 500)
        end(db.session.get(Meeting, published_meeting.id))
        now = utcnow()
        assert deliver_once(now) == 1
        assert deliver_once(now + timedelta(seconds=2)) == 1
        assert deliver_once(now + timedelta(hours=1)) == 0
        [delivery] = deliveries_of(subscription)
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.last_status_code == 500 and len(attempts_of(delivery)) == 2


def test_a_worker_that_died_holding_a_lease_loses_the_row_when_it_runs_out(
    app, make_app, published_meeting, admin, receiver
):
    subscription, _ = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    end(published_meeting)
    now = utcnow()
    dead = webhook_delivery.claim_next(now)  # this process then "crashes" before sending
    db.session.commit()
    assert dead is not None and dead.attempt == 1
    assert "whsec_" not in repr(dead)
    other = make_app()  # another server process on the same database
    with other.app_context():
        assert deliver_once(now + timedelta(seconds=30)) == 0  # the lease still holds
        assert receiver.received == []
        lease = webhook_delivery.lease_seconds()
        assert deliver_once(now + timedelta(seconds=lease + 1)) == 1
    [delivery] = deliveries_of(subscription)
    assert fresh(delivery).status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert receiver.ids() == [delivery.message_id]
    # The first worker comes back and reports: its lease is gone, nothing changes.
    late = webhook_delivery.Answer(503, "HTTP 503", 5, utcnow())
    assert webhook_delivery.record_answer(dead, late, now) is None
    db.session.commit()
    assert fresh(delivery).status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in attempts_of(delivery)] == [200]


def test_two_workers_at_once_send_each_message_once(
    app, make_app, published_meeting, admin, receiver
):
    subscription, _ = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    for _ in range(12):
        send_test(actor("admin"), subscription)
    db.session.commit()
    made: list[int] = []

    def work(worker_app) -> None:
        with worker_app.app_context():
            made.append(deliver_once())

    workers = [threading.Thread(target=work, args=(make_app(),)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(made) == 12
    assert sorted(receiver.ids()) == sorted(d.message_id for d in deliveries_of(subscription))
    assert len(set(receiver.ids())) == 12


def test_410_gone_disables_the_subscription(app, published_meeting, admin, receiver):
    subscription, _ = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    receiver.answer_next(410)
    end(published_meeting)
    assert deliver_once() == 1
    [delivery] = deliveries_of(subscription)
    assert fresh(delivery).status == DeliveryStatus.FAILED
    db.session.refresh(subscription)
    assert not subscription.active and subscription.disabled_reason == "gone"
    gone = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.gone")).all()
    assert [e.object_id for e in gone] == [subscription.id]
    assert webhooks.record("meeting.ended", published_meeting) == 0


def test_a_replay_sends_the_same_message_again_and_is_audited(
    app, published_meeting, admin, receiver
):
    subscription, secret = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    end(published_meeting)
    deliver_once()
    [delivery] = deliveries_of(subscription)
    with pytest.raises(ServiceError, match="why"):
        replay_delivery(actor("admin"), delivery, "  ")
    replay_delivery(actor("admin"), delivery, "Hệ thống nhận bị mất dữ liệu")
    db.session.commit()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    assert deliver_once() == 1
    assert fresh(delivery).status == DeliveryStatus.DELIVERED
    assert receiver.ids() == [delivery.message_id] * 2
    assert receiver.received[0].body == receiver.received[1].body
    Webhook(secret).verify(receiver.received[1].body, receiver.received[1].headers)
    assert len(attempts_of(delivery)) == 2
    replayed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.replay")
    ).one()
    assert json.loads(replayed.details)["reason"] == "Hệ thống nhận bị mất dữ liệu"
    assert replayed.actor_id == actor("admin").id


def test_a_queued_delivery_of_a_key_revoked_since_is_given_up(
    app, published_meeting, admin, receiver
):
    key = make_key("thuky")
    subscription, _ = subscribe(key, receiver.url, MEETING_EVENTS)
    end(published_meeting)
    key.revoked_at = utcnow()
    db.session.commit()
    assert deliver_once() == 0
    [delivery] = deliveries_of(subscription)
    assert fresh(delivery).status == DeliveryStatus.FAILED and receiver.received == []
    assert "revoked" in delivery.last_error
    with pytest.raises(NotAllowed, match="revoked"):
        replay_delivery(actor("admin"), delivery, "Thử lại")


# --- PostgreSQL (required in CI) ---------------------------------------------------------------


@pytest.fixture
def pg_url():
    """A throw-away migrated PostgreSQL database (committed work: two workers share it)."""
    require_service("PostgreSQL", 5432)
    server = os.environ.get("MEETING_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
    name = f"meeting_hooks_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{server}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    upgrade_database(f"{server}/{name}")
    yield f"{server}/{name}"
    db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_two_workers_on_postgresql_send_each_message_once(pg_url, tmp_path, receiver):
    settings = {"TESTING": True, "SECRET_KEY": "pg", "DATABASE_URL": pg_url,
                "STORAGE_DIR": str(tmp_path / "storage")}  # fmt: skip
    apps = [create_app(settings), create_app(settings)]
    with apps[0].app_context():
        create_user_account(None, username="admin", full_name="Quản trị", password="x" * 12,
                            roles=(Role.ADMIN,))  # fmt: skip
        subscription, _ = subscribe(make_key("admin"), receiver.url, MEETING_EVENTS)
        for _ in range(12):
            send_test(actor("admin"), subscription)
        db.session.commit()
        ids = {d.message_id for d in deliveries_of(subscription)}
    made: list[int] = []

    def work(worker_app) -> None:
        with worker_app.app_context():
            made.append(deliver_once())

    workers = [threading.Thread(target=work, args=(worker_app,)) for worker_app in apps]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(made) == 12
    assert sorted(receiver.ids()) == sorted(ids)
