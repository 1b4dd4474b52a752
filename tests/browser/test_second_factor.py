"""Signing in with the authenticator app on a phone, when the office requires it for leaders:
the chair sets the app up at the first sign-in, then types its code after the password."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.support.browser import PHONE, live_server, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_leader_sets_up_the_app_then_signs_in_with_its_code_on_a_phone(chromium, tmp_path):
    required = {"MEETING_SECOND_FACTOR_ROLES": "admin,leader"}
    with live_server(tmp_path, extra_env=required) as (base, _env):
        first = chromium.new_context(viewport=PHONE, locale="vi-VN")
        page = first.new_page()
        sign_in(page, base, "chutich")
        assert "/certificates/" in page.url  # nothing else opens before the app is set up
        assert page.get_by_test_id("totp-required").is_visible()
        page.get_by_test_id("totp-start").click()
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        totp = pyotp.TOTP(secret)
        page.fill("input.cert-code", totp.at(time.time() - 30))
        screenshot(page, "phone-authenticator-setup")
        page.get_by_test_id("totp-confirm").click()
        page.locator("#totp .cert-badge-valid").wait_for(timeout=10_000)
        first.close()

        again = chromium.new_context(viewport=PHONE, locale="vi-VN")
        page = again.new_page()
        page.goto(base + "/login")
        page.fill("input[name=username]", "chutich")
        page.fill("input[name=password]", "demo12345")
        page.click("form button.primary")
        page.wait_for_url("**/login/code")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "phone-sign-in-code")
        page.fill("input[name=code]", "000000")
        page.click("form button.primary")
        page.get_by_role("alert").wait_for(timeout=10_000)
        screenshot(page, "phone-sign-in-code-wrong")
        page.fill("input[name=code]", totp.now())
        page.click("form button.primary")
        page.wait_for_url(lambda url: "/login" not in url, timeout=10_000)
        assert "/certificates/" not in page.url  # signed in, nothing more to set up
        assert page.locator(".topbar").is_visible()
        again.close()
