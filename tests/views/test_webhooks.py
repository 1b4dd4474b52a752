"""The webhook admin pages: subscribe an integration, its secret shown once (and on rotate),
the delivery log page by page, test events, replays, disable, enable, delete."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from meeting_server.cli.webhooks import deliver_once
from meeting_server.extensions import db
from meeting_server.models import (
    AuditEvent,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from meeting_server.services.webhook_secrets import unseal
from meeting_server.services.webhook_subscriptions import send_test
from tests.support.clients import signed_in
from tests.support.people import actor
from tests.support.signing_setup import english
from tests.support.webhooks import deliveries_of, make_key, receiving

SECRET = re.compile(r"whsec_[A-Za-z0-9+/]+=*")


@pytest.fixture
def key_id(app, admin, secretary) -> int:
    with app.app_context():
        key = make_key("thuky", name="Hệ thống quản lý văn bản")
        db.session.commit()
        return key.id


@pytest.fixture
def page(app, admin):
    return signed_in(app, "admin")


def create(page, key_id: int, url: str = "https://vpdt.example.gov.vn/hooks", events=None):
    form = {"api_key_id": str(key_id), "url": url}
    return page.post(
        "/admin/webhooks/new",
        data={**form, "events": events or ["meeting.published", "meeting.ended"]},
    )


def audit_actions(app) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.action).where(AuditEvent.action.like("webhook.%"))
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_an_admin_subscribes_an_integration_and_sees_its_secret_once(app, page, key_id):
    form = page.get("/admin/webhooks/new")
    assert "Hệ thống quản lý văn bản" in form.text and "meeting.published" in form.text
    answer = create(page, key_id)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    [secret] = SECRET.findall(answer.text)
    with app.app_context():
        subscription = db.session.scalars(select(WebhookSubscription)).one()
        assert subscription.events == "meeting.published meeting.ended"
        assert secret not in subscription.secret_sealed
        assert unseal(subscription.secret_sealed) == secret
        shown = f"/admin/webhooks/{subscription.id}"
    assert SECRET.findall(page.get(shown).text) == []  # never again
    listing = page.get("/admin/webhooks").text
    assert "https://vpdt.example.gov.vn/hooks" in listing and "Hệ thống quản lý văn bản" in listing
    assert audit_actions(app) == ["webhook.create"]
    assert 'href="/admin/api-keys"' in page.get("/my").text  # Integrations, in the admin's menu
    assert 'href="/admin/webhooks"' in page.get("/admin/api-keys").text  # ... leads here


def test_rotating_shows_a_new_secret_that_signs_from_then_on(app, page, key_id):
    with receiving() as receiver:
        [first] = SECRET.findall(create(page, key_id, receiver.url).text)
        with app.app_context():
            subscription_id = db.session.scalars(select(WebhookSubscription.id)).one()
        answer = page.post(f"/admin/webhooks/{subscription_id}/rotate")
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        [second] = SECRET.findall(answer.text)
        assert second != first
        page.post(f"/admin/webhooks/{subscription_id}/test")
        with app.app_context():
            assert deliver_once() == 1
    [arrived] = receiver.received
    assert Webhook(second).verify(arrived.body, arrived.headers)["type"] == "webhook.test"
    with pytest.raises(Exception, match="signature"):
        Webhook(first).verify(arrived.body, arrived.headers)
    assert audit_actions(app) == ["webhook.create", "webhook.rotate", "webhook.test"]


def test_the_form_says_what_to_fix(app, page, key_id):
    plain = create(page, key_id, url="http://vpdt.example.gov.vn/hooks")
    assert plain.status_code == 400 and "https://" in plain.text
    assert 'value="http://vpdt.example.gov.vn/hooks"' in plain.text  # the form keeps it
    with app.app_context():
        db.session.get(type(make_key("admin")), key_id).scopes = "meetings:read"
        db.session.commit()
    scoped = create(page, key_id, events=["task.changed"])
    assert scoped.status_code == 400 and "tasks:read" in scoped.text
    nothing = create(page, key_id, events=[""])
    assert nothing.status_code == 400
    assert page.post("/admin/webhooks/new", data={"url": "https://a.example/"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_the_delivery_log_pages_newest_first_with_each_attempt(app, page, key_id):
    with receiving([503]) as receiver:
        create(page, key_id, receiver.url)
        with english(app):
            subscription = db.session.scalars(select(WebhookSubscription)).one()
            for _ in range(23):
                send_test(actor("admin"), subscription)
            db.session.commit()
            assert deliver_once() == 23
            ids = [d.id for d in deliveries_of(subscription)]
            failed = db.session.get(WebhookDelivery, ids[0])
            assert failed.status == DeliveryStatus.PENDING and failed.last_status_code == 503
    first = page.get(f"/admin/webhooks/{subscription.id}")
    shown = [int(i) for i in re.findall(r'data-delivery-id="(\d+)"', first.text)]
    assert shown == sorted(ids, reverse=True)[:20]
    second = page.get(f"/admin/webhooks/{subscription.id}?page=2")
    shown_next = [int(i) for i in re.findall(r'data-delivery-id="(\d+)"', second.text)]
    assert shown_next == sorted(ids, reverse=True)[20:]
    assert "HTTP 503" in second.text and "HTTP 200" in second.text
    assert page.get(f"/admin/webhooks/{subscription.id}?page=x").status_code == 200


def test_a_delivery_is_replayed_from_the_log_with_a_reason(app, page, key_id):
    with receiving() as receiver:
        create(page, key_id, receiver.url)
        with app.app_context():
            subscription_id = db.session.scalars(select(WebhookSubscription.id)).one()
        page.post(f"/admin/webhooks/{subscription_id}/test")
        with app.app_context():
            deliver_once()
            delivery_id = db.session.scalars(select(WebhookDelivery.id)).one()
        refused = page.post(f"/admin/webhooks/deliveries/{delivery_id}/replay", data={})
        assert refused.status_code == 302
        answer = page.post(
            f"/admin/webhooks/deliveries/{delivery_id}/replay",
            data={"reason": "Bên nhận khôi phục từ bản sao lưu"},
        )
        assert answer.status_code == 302
        with app.app_context():
            assert deliver_once() == 1
            assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 2
    assert len(receiver.ids()) == 2 and len(set(receiver.ids())) == 1
    with app.app_context():
        replay = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "webhook.replay")
        ).one()
        assert json.loads(replay.details)["reason"] == "Bên nhận khôi phục từ bản sao lưu"


def test_disable_enable_and_delete(app, page, key_id):
    create(page, key_id)
    with app.app_context():
        subscription_id = db.session.scalars(select(WebhookSubscription.id)).one()
    url = f"/admin/webhooks/{subscription_id}"
    assert page.post(f"{url}/disable").status_code == 302
    assert "Disabled by an administrator." in page.get(url).text
    refused = page.post(f"{url}/test", headers={"Referer": url}, follow_redirects=True)
    assert "Enable the subscription before sending a test event." in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    json_answer = page.post(f"{url}/disable", headers={"Accept": "application/json"})
    assert json_answer.status_code == 409 and "already disabled" in json_answer.json["error"]
    assert page.post(f"{url}/enable").status_code == 302
    assert page.post(f"{url}/test").status_code == 302
    assert page.post(f"{url}/delete").status_code == 302
    assert page.get(url).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert audit_actions(app) == [
        "webhook.create",
        "webhook.disable",
        "webhook.enable",
        "webhook.test",
        "webhook.delete",
    ]


def test_only_administrators_reach_the_pages(app, key_id, secretary):
    desk = signed_in(app, "thuky")
    assert desk.get("/admin/webhooks").status_code == 403
    assert desk.post("/admin/webhooks/new", data={"url": "https://a.example/"}).status_code == 403
    assert 'href="/admin/api-keys"' not in desk.get("/my").text
