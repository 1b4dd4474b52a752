"""Sending webhooks from the command line (one pass, for cron) and from the serving process's
background task, including a row whose earlier worker died holding it."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest

from meeting_server import create_app
from meeting_server.extensions import db
from meeting_server.models import DeliveryStatus, Role, WebhookDelivery, utcnow
from meeting_server.services import webhook_delivery
from meeting_server.services.users import create_user
from meeting_server.services.webhook_subscriptions import send_test
from tests.support.browser import cli, free_port, server_env, stop, wait_until_up
from tests.support.people import actor
from tests.support.webhooks import deliveries_of, make_key, receiving, subscribe


def test_webhooks_deliver_sends_what_is_due_once(app, runner, admin, secretary):
    with receiving() as receiver:
        with app.app_context():
            subscription, _ = subscribe(make_key("thuky"), receiver.url, ["meeting.ended"])
            send_test(actor("admin"), subscription)
            db.session.commit()
        result = runner.invoke(args=["webhooks", "deliver"])
        assert result.exit_code == 0, result.output
        assert "Webhook attempts made: 1." in result.output
        again = runner.invoke(args=["webhooks", "deliver"])
        assert "Webhook attempts made: 0." in again.output
    assert len(receiver.received) == 1
    with app.app_context():
        [delivery] = deliveries_of(subscription)
        assert delivery.status == DeliveryStatus.DELIVERED


@pytest.mark.slow
def test_the_serving_process_sends_in_the_background_and_takes_over_a_dead_workers_row(
    tmp_path,
):
    """`serve` starts with a queued test event and a row an earlier process claimed and died
    holding (its lease ran out): both reach the receiver, each once, without any request."""
    port = free_port()
    env = server_env(tmp_path, port)
    env.update(MEETING_SESSION_COOKIE_SECURE="false", MEETING_WEBHOOK_DELIVER_EVERY_S="1")
    cli(env, "db", "upgrade")
    with receiving() as receiver:
        ids = _queue_two(env, receiver.url)
        process = subprocess.Popen(
            [sys.executable, "-c", "from meeting_server.cli import main; main()", "serve"]
            + ["--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/login", process, seconds=60)
            deadline = time.monotonic() + 30
            while len(receiver.received) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop(process, seconds=15)
    assert sorted(receiver.ids()) == sorted(ids)


def _queue_two(env: dict[str, str], url: str) -> list[str]:
    """Queue two test events on the server's database; claim the first as a worker that then
    died a while ago. Return their message ids."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": env["MEETING_SECRET_KEY"],
            "DATABASE_URL": env["MEETING_DATABASE_URL"],
            "STORAGE_DIR": env["MEETING_STORAGE_DIR"],
        }
    )
    with app.app_context():
        create_user(None, username="admin", full_name="Quản trị", password="x" * 12,
                    roles=(Role.ADMIN,))  # fmt: skip
        subscription, _ = subscribe(make_key("admin"), url, ["meeting.ended"])
        for _ in range(2):
            send_test(actor("admin"), subscription)
        db.session.commit()
        claimed = webhook_delivery.claim_next()  # ... and never sent: that process died
        assert claimed is not None
        held = db.session.get(WebhookDelivery, claimed.delivery_id)
        assert held.lease_token is not None and held.attempts == 1
        held.lease_until = utcnow() - timedelta(seconds=1)  # a while ago: its lease ran out
        db.session.commit()
        ids = [d.message_id for d in deliveries_of(subscription)]
    db.engine.dispose()
    return ids
