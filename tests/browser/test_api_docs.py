"""The API in a real browser: an administrator makes an integration's key on a phone, copies
it once, and opens the API reference, which shows every operation from the OpenAPI document —
under the Content Security Policy, without errors."""

from __future__ import annotations

import pytest
import requests

from tests.support.browser import PHONE, TABLET, answer_yes, live_server, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("api")) as (base, env):
        yield base


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_an_admin_makes_a_key_on_a_phone_and_it_opens_the_api_once(chromium, server):
    base = server
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    errors = _watch(page)
    sign_in(page, base, "admin")
    page.goto(base + "/admin/api-keys")
    page.fill("input[name=name]", "Cổng dịch vụ công")
    owner = page.locator("select[name=owner_id] option", has_text="Nguyễn Thị Thu")
    page.select_option("select[name=owner_id]", value=owner.get_attribute("value"))
    page.check("input[value='meetings:read']")
    page.get_by_test_id("make-key").click()
    key = page.get_by_test_id("new-key").input_value()
    screenshot(page, "api-key-made-phone")
    assert key.startswith("msk_")
    answer = requests.get(
        base + "/api/v1/meetings", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert answer.status_code == 200 and answer.json()["data"]  # the demo's sample meeting
    page.goto(base + "/admin/api-keys")
    assert key not in page.content()  # shown once (beside the demo's own integration)
    screenshot(page, "api-keys-phone")
    mine = page.get_by_test_id("api-key-row").filter(has_text="Cổng dịch vụ công")
    mine.get_by_test_id("revoke-key").click()
    answer_yes(page)
    page.wait_for_url("**/admin/api-keys")
    refused = requests.get(
        base + "/api/v1/meetings", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert refused.status_code == 401
    assert errors == []
    context.close()


@pytest.mark.parametrize(("size", "name"), [(TABLET, "tablet"), (PHONE, "phone")])
def test_the_reference_page_shows_every_operation(chromium, server, size, name):
    base = server
    spec = requests.get(base + "/api/v1/openapi.json", timeout=10).json()
    summaries = [op["summary"] for item in spec["paths"].values() for op in item.values()]
    context = chromium.new_context(viewport=size)
    page = context.new_page()
    errors = _watch(page)
    page.goto(base + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() == len(summaries)
    shown = page.locator(".opblock-summary-description").all_inner_texts()
    assert sorted(shown) == sorted(summaries)
    page.locator(".opblock-summary", has_text="/api/v1/meetings").first.click()
    page.wait_for_selector(".opblock-body")
    screenshot(page, f"api-docs-{name}")
    assert errors == [], errors
    context.close()
