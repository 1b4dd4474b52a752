"""Webhook events: who hears of what (subscription, scope, the owner's rights, a revoked key),
the body (signed as Standard Webhooks, no confidential item), the secret kept encrypted, and
what the service refuses. Sending itself: test_webhook_delivery.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from standardwebhooks.webhooks import Webhook

from meeting_server.cli.webhooks import deliver_once
from meeting_server.extensions import db
from meeting_server.models import (
    AuditEvent,
    ConclusionItem,
    ConclusionNotice,
    DeliveryStatus,
    Meeting,
    Role,
    StepKind,
    User,
    WebhookDelivery,
    utcnow,
)
from meeting_server.services.agenda import add_item
from meeting_server.services.errors import ServiceError
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.minutes import finalise_minutes, save_draft
from meeting_server.services.participants import invite_users
from meeting_server.services.signing_requests import RouteEntry, return_request, submit_request
from meeting_server.services.tasks import accept_task, open_task, vietnam_today
from meeting_server.services.webhook_subscriptions import check_url, create_subscription
from tests.support.clients import PASSWORD
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import chair_then_seal, english, enrol, with_internal_ca
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
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def receiver():
    with receiving() as running:
        yield running


def test_publishing_a_meeting_with_no_subscriptions_adds_no_rows(app, draft_meeting, create_user):
    create_user("daibieu1")
    with english(app):
        meeting = db.session.get(Meeting, draft_meeting.id)
        add_item(actor(), meeting, title="Báo cáo")
        invite_users(actor(), meeting, [actor("daibieu1")])
        asked: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            if "webhook" in statement:
                asked.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            publish_meeting(actor(), meeting)
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
        assert len(asked) == 1  # one small query: is anybody listening?


def test_a_delivery_is_signed_as_standard_webhooks_and_names_no_confidential_item(
    app, published_meeting, admin, receiver
):
    meeting = published_meeting
    add_item(actor(), meeting, title="Nhân sự mật", confidential=True)
    subscription, secret = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    end(meeting)
    assert deliver_once() == 1

    [arrived] = receiver.received
    body = Webhook(secret).verify(arrived.body, arrived.headers)
    assert body["type"] == "meeting.ended"
    assert body["timestamp"].endswith("Z")
    assert body["data"]["meeting_id"] == meeting.id
    assert body["data"]["status"] == "ended"
    assert body["data"]["links"]["meeting"] == f"/api/v1/meetings/{meeting.id}"
    assert "Nhân sự mật" not in arrived.body.decode()
    assert arrived.headers["content-type"] == "application/json"
    [delivery] = deliveries_of(subscription)
    assert arrived.headers["webhook-id"] == delivery.message_id
    assert fresh(delivery).status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in attempts_of(delivery)] == [200]
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(arrived.body, arrived.headers)


def test_an_owner_who_may_not_see_the_meeting_hears_nothing_of_it(app, published_meeting, admin):
    invited, _ = subscribe(make_key("daibieu1"), "https://hook.example/a", MEETING_EVENTS)
    stranger, _ = subscribe(make_key("phogiamdoc"), "https://hook.example/b", MEETING_EVENTS)
    end(published_meeting)
    assert [d.event_type for d in deliveries_of(invited)] == ["meeting.ended"]
    assert deliveries_of(stranger) == []


def test_a_key_without_the_scope_or_revoked_hears_nothing(app, published_meeting, admin):
    narrow_key, revoked_key, kept_key = make_key("thuky"), make_key("thuky"), make_key("thuky")
    narrow, _ = subscribe(narrow_key, "https://hook.example/narrow", MEETING_EVENTS)
    revoked, _ = subscribe(revoked_key, "https://hook.example/revoked", MEETING_EVENTS)
    kept, _ = subscribe(kept_key, "https://hook.example/kept", ["meeting.ended"])
    narrow_key.scopes = "tasks:read signing:read"  # as if the key had been made so
    revoked_key.revoked_at = utcnow()
    db.session.commit()
    end(published_meeting)
    assert deliveries_of(narrow) == [] and deliveries_of(revoked) == []
    assert len(deliveries_of(kept)) == 1


def test_a_subscription_hears_only_the_events_it_chose(app, published_meeting, admin):
    subscription, _ = subscribe(make_key("thuky"), "https://hook.example/", ["meeting.published"])
    end(published_meeting)
    assert deliveries_of(subscription) == []


def test_finalised_minutes_are_an_event(app, published_meeting, admin):
    subscription, _ = subscribe(make_key("chutich"), "https://hook.example/", MEETING_EVENTS)
    end(published_meeting)
    save_draft(actor(), published_meeting, "Thống nhất thông qua kế hoạch.")
    finalise_minutes(actor(), published_meeting)
    db.session.commit()
    kinds = [d.event_type for d in deliveries_of(subscription)]
    assert kinds == ["meeting.ended", "minutes.finalised"]
    data = json.loads(deliveries_of(subscription)[-1].payload)["data"]
    assert data["links"]["minutes"] == f"/api/v1/meetings/{published_meeting.id}/minutes"


def test_a_returned_signing_request_is_told_to_those_who_may_see_it(
    app, published_meeting, admin, create_user
):
    create_user("vanthu", Role.CLERK)
    enrol(actor("chutich"), PASSWORD)
    enrol(actor("vanthu"), PASSWORD, purpose="seal")
    sender, _ = subscribe(make_key("thuky"), "https://hook.example/s", ["signing.returned"])
    outsider, _ = subscribe(make_key("daibieu1"), "https://hook.example/o", ["signing.returned"])
    request = submit_request(
        actor(),
        title="Quyết định",
        message="",
        due_at=utcnow() + timedelta(days=2),
        pdf=simple_pdf(1),
        file_name="qd.pdf",
        route=[RouteEntry(actor("chutich")), RouteEntry(actor("vanthu"), StepKind.SEAL)],
    ).request
    db.session.commit()
    return_request(actor("chutich"), request.steps[0], "Sửa lại điều 2.")
    db.session.commit()
    [delivery] = deliveries_of(sender)
    data = json.loads(delivery.payload)["data"]
    assert data["signing_request_id"] == request.id and data["status"] == "returned"
    assert data["links"]["document"] == f"/api/v1/signing-requests/{request.id}/document"
    assert deliveries_of(outsider) == []


def test_a_completed_route_is_an_event(app, secretary, chair, admin, create_user):
    with app.app_context():
        subscription, _ = subscribe(
            make_key("thuky"), "https://hook.example/", ["signing.completed"]
        )
    request = chair_then_seal(app, create_user)
    with app.app_context():
        [delivery] = deliveries_of(subscription)
        data = json.loads(delivery.payload)["data"]
        assert data["signing_request_id"] == request.id and data["status"] == "completed"


def test_each_step_of_a_task_is_an_event_for_those_who_may_see_it(
    app, published_meeting, chair, admin
):
    actor("daibieu2").unit = "Sở Tài chính"
    unit, _ = subscribe(make_key("daibieu2"), "https://hook.example/u", ["task.changed"])
    other, _ = subscribe(make_key("daibieu3"), "https://hook.example/o", ["task.changed"])
    notice = ConclusionNotice(
        meeting_id=published_meeting.id, concluded_by_id=chair.id, created_by_id=actor().id
    )
    item = ConclusionItem(
        position=0, text="Báo cáo", owner_unit="Sở Tài chính", deadline=vietnam_today()
    )
    notice.items.append(item)
    db.session.add(notice)
    db.session.flush()
    task = open_task(item, actor("chutich"), published_meeting.id, utcnow())
    accept_task(actor("daibieu2"), task)
    db.session.commit()
    bodies = [json.loads(d.payload)["data"] for d in deliveries_of(unit)]
    assert [(b["task_id"], b["status"]) for b in bodies] == [
        (task.id, "assigned"),
        (task.id, "in_progress"),
    ]
    assert bodies[0]["links"]["task"] == f"/api/v1/tasks/{task.id}"
    assert deliveries_of(other) == []


def test_the_service_refuses_what_the_key_may_not_hear_and_unsafe_addresses(
    app, published_meeting, admin, make_app
):
    key = make_key("thuky", scopes="meetings:read")
    with pytest.raises(ServiceError, match="signing:read"):
        create_subscription(actor("admin"), key, "https://hook.example/", ["signing.completed"])
    for url in ("http://hook.example/", "ftp://hook.example/", "https://user:pw@hook.example/",
                "https://", "https://hook.example/ a", "https://hook.example:99999/"):  # fmt: skip
        with pytest.raises(ServiceError):
            check_url(url)
    assert check_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"
    with make_app(WEBHOOK_ALLOW_HTTP=True).app_context():
        assert check_url("http://hook.example/") == "http://hook.example/"


def test_the_secret_is_kept_encrypted_and_unreadable_under_another_secret_key(
    app, published_meeting, admin, make_app, receiver
):
    subscription, secret = subscribe(make_key("thuky"), receiver.url, MEETING_EVENTS)
    assert secret.startswith("whsec_") and len(secret) == 6 + 44
    assert secret not in subscription.secret_sealed
    assert secret[6:] not in json.dumps([e.details for e in db.session.scalars(select(AuditEvent))])
    end(published_meeting)
    with make_app(SECRET_KEY="another-secret-key").app_context():
        assert deliver_once() == 0
    assert receiver.received == []
    db.session.refresh(subscription)
    assert not subscription.active and subscription.disabled_reason == "secret_unreadable"


def test_the_key_of_a_deactivated_owner_hears_nothing(app, published_meeting, admin):
    key = make_key("daibieu1")
    subscription, _ = subscribe(key, "https://hook.example/", MEETING_EVENTS)
    db.session.get(User, key.owner_id).active = False  # deactivated: the key opens nothing
    db.session.commit()
    end(published_meeting)
    assert deliveries_of(subscription) == []
