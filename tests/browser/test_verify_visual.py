"""/verify on a phone and a desktop: a document changed after signing, both versions side by side.

The upload is a shadow "replace" attack (tests/support/attacks.py) signed with a key of the
demo's own CA: pyHanko alone calls it valid; the picture comparison shows the amount changed.
Screenshots: tests/artifacts/verify-visual-phone.png and verify-visual-desktop.png.
"""

from __future__ import annotations

import pytest

from signing import InternalCA
from tests.support import attacks
from tests.support.browser import PHONE, live_server, screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("verify-visual")
    with live_server(instance) as (base, env):
        yield base, instance


@pytest.fixture(scope="module")
def attack_file(server, tmp_path_factory):
    """Sign and tamper before Chromium starts (pyHanko runs its own event loop)."""
    _base, instance = server
    ca = InternalCA.load(instance / "ca", (instance / "ca-passphrase").read_bytes().strip())
    attack = attacks.RECIPES[2].make(attacks.keys_of(ca))
    assert attack.name == "shadow_replace"
    path = tmp_path_factory.mktemp("upload") / "quyet-dinh.pdf"
    path.write_bytes(attack.data)
    return path


def checked_page(chromium, base, path, viewport):
    context = chromium.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{base}/lang/en")
    page.goto(f"{base}/verify")
    page.set_input_files("input[name=pdf]", str(path))
    page.click(".verify-upload button")
    page.wait_for_selector("[data-testid=visual-change]", timeout=60_000)
    return context, page, errors


def boxes(page, selector):
    return [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]


@pytest.mark.parametrize(
    ("viewport", "name"), [(PHONE, "verify-visual-phone"), (DESKTOP, "verify-visual-desktop")]
)
def test_the_signed_and_the_current_page_side_by_side(
    server, attack_file, chromium, viewport, name
):
    base, _instance = server
    context, page, errors = checked_page(chromium, base, attack_file, viewport)
    try:
        assert (
            page.locator("[data-verdict]").first.get_attribute("data-verdict")
            == "changed_after_signing"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        signed, current = boxes(page, ".visual-pair .visual-side svg")
        assert (
            abs(signed["y"] - current["y"]) < 1 and current["x"] > signed["x"] + signed["width"] - 1
        )
        assert signed["width"] >= 150  # both pages, side by side, even at 390 px
        zoom_signed, zoom_current = boxes(page, ".visual-zoom .visual-side svg")
        if viewport is PHONE:  # the enlarged place: one above the other, the whole width
            assert zoom_current["y"] > zoom_signed["y"] + zoom_signed["height"] - 1
            assert zoom_signed["width"] >= 300
        else:
            assert abs(zoom_signed["y"] - zoom_current["y"]) < 1
        marks = boxes(page, ".visual-pair .visual-region")
        assert marks and all(mark["width"] > 2 and mark["height"] > 2 for mark in marks)
        page.locator("[data-testid=visual-change]").scroll_into_view_if_needed()
        screenshot(page, name)
        assert errors == []
    finally:
        context.close()
