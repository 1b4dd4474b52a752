"""Every page on a 390 px phone: nothing wider than the screen, a one-line top bar with a menu.

Each role follows the links it is shown, from its home page, one page per kind of address
(``/admin/users/7`` stands for every user's page), so a new page is checked without listing it.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import PHONE, live_server, screenshot, sign_in

pytestmark = pytest.mark.browser

ROLES = ("admin", "thuky", "chutich", "vanthu", "daibieu1")
HREFS = "links => links.map((link) => link.getAttribute('href'))"
PAGES_PER_ROLE = 45  # bound on the walk (each role has fewer kinds of page than this today)
NOT_PAGES = re.compile(r"/logout|/lang/|\.(pdf|crl|cer|pem|csv|xlsx|png|svg|json)\b|download|/ca/")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("phone-pages")) as running:
        yield running


def kind_of(path: str) -> str:
    """``/meetings/12/edit?day=…`` and ``/meetings/3/edit`` are the same kind of page."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def walk(page, base: str) -> list[tuple[str, int, float]]:
    """Visit one page of each kind reachable from home: (path, document width, top bar height)."""
    queue, kinds, seen = ["/"], set(), []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if kind_of(path) in kinds:
            continue
        kinds.add(kind_of(path))
        response = page.goto(base + path)
        if (
            response is None
            or not response.ok
            or "text/html" not in response.headers["content-type"]
        ):
            continue
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        box = page.locator(".topbar").bounding_box() if page.locator(".topbar").count() else None
        height = box["height"] if box else 0.0  # (a full-screen page such as the room's code)
        seen.append((path, width, height))
        links = page.eval_on_selector_all(
            "a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
        )
        queue += [href.split("#")[0] for href in links if not NOT_PAGES.search(href)]
    return seen


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone(chromium, server, username):
    base, _env = server
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a browser dialog opened: {dialog.message}"))
    sign_in(page, base, username)
    seen = walk(page, base)
    assert len(seen) >= 5, seen  # the walk really went through the site
    too_wide = [(path, width) for path, width, _bar in seen if width > PHONE["width"]]
    assert too_wide == [], f"wider than a {PHONE['width']} px phone: {too_wide}"
    tall_bars = [(path, bar) for path, _width, bar in seen if bar > 64]
    assert tall_bars == [], f"the top bar takes more than one line: {tall_bars}"
    context.close()


def test_the_phone_menu_opens_and_closes(chromium, server):
    base, _env = server
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, base, "thuky")
    assert not page.locator(".mainnav").is_visible()  # behind the menu on a phone
    toggle = page.locator("#menu-toggle")
    assert "Nguyễn Thị Thu" in toggle.inner_text()  # the signed-in name stays in sight
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    screenshot(page, "phone-menu-open")
    page.locator(".mainnav a", has_text="Ký số").click()
    page.wait_for_url("**/signing/")
    page.locator("#menu-toggle").click()
    page.keyboard.press("Escape")
    assert not page.locator(".mainnav").is_visible()
    assert page.locator("#menu-toggle").get_attribute("aria-expanded") == "false"
    context.close()
