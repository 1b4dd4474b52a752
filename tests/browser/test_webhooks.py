"""Webhooks in a real browser: an administrator subscribes an integration, copies the secret,
sends a test event that the running server delivers in the background, rotates the secret
and replays the delivery — under the pages' Content Security Policy, without errors."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from meeting_server import create_app
from meeting_server.extensions import db
from tests.support.browser import TABLET, answer_yes, live_server, poll, screenshot, sign_in
from tests.support.webhooks import make_key, receiving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("webhooks")
    fast = {"MEETING_WEBHOOK_DELIVER_EVERY_S": "1"}
    with live_server(instance, extra_env=fast) as (base, env):
        _add_key(env)
        yield base, env


def _add_key(env: dict[str, str]) -> None:
    """Give the demo secretary's document system an API key, on the server's database."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": env["MEETING_SECRET_KEY"],
            "DATABASE_URL": env["MEETING_DATABASE_URL"],
            "STORAGE_DIR": env["MEETING_STORAGE_DIR"],
        }
    )
    with app.app_context():
        make_key("thuky", name="Hệ thống báo cáo thành phố")
        db.session.commit()
    db.engine.dispose()


def delivered_shown(page) -> bool:
    page.reload()
    return page.locator("[data-status='delivered']").count() == 1


def test_an_admin_subscribes_tests_rotates_and_replays(chromium, server):
    base, _env = server
    context = chromium.new_context(viewport=TABLET, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "admin")
    with receiving() as receiver:
        page.get_by_test_id("nav-integrations").click()  # the keys' page leads to webhooks
        page.get_by_test_id("nav-webhooks").click()
        page.get_by_test_id("webhook-new").click()
        option = page.locator(
            "select[name=api_key_id] option", has_text="Hệ thống báo cáo thành phố"
        )
        page.select_option("select[name=api_key_id]", value=option.get_attribute("value"))
        page.fill("input[name=url]", receiver.url)
        page.check("input[value='meeting.ended']")
        page.click("form button.primary")
        first = page.get_by_test_id("secret-value").input_value()
        assert first.startswith("whsec_")
        screenshot(page, "tablet-webhook-created")

        page.get_by_test_id("webhook-test").click()
        assert poll(lambda: len(receiver.received) == 1, 20), "the test event never arrived"
        arrived = receiver.received[0]
        assert Webhook(first).verify(arrived.body, arrived.headers)["type"] == "webhook.test"
        assert poll(lambda: delivered_shown(page), 10)  # the server records the answer after
        assert page.get_by_test_id("secret-value").count() == 0  # shown once only

        page.get_by_test_id("webhook-rotate").click()
        with page.expect_navigation():
            answer_yes(page)
        second = page.get_by_test_id("secret-value").input_value()
        assert second.startswith("whsec_") and second != first

        page.fill(".webhook-replay input[name=reason]", "Bên nhận mất dữ liệu")
        page.get_by_test_id("webhook-replay").click()
        page.locator(".flash-ok").wait_for()
        assert poll(lambda: len(receiver.received) == 2, 20), "the replay never arrived"
    again = receiver.received[1]
    assert again.headers["webhook-id"] == arrived.headers["webhook-id"]
    Webhook(second).verify(again.body, again.headers)  # signed with the new secret
    page.reload()
    screenshot(page, "tablet-webhook-log")
    assert errors == []
    context.close()
