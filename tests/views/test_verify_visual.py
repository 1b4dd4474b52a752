"""The verification pages show what changed after signing: both versions side by side."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from meeting_server.extensions import db
from meeting_server.models import SigningRequest
from meeting_server.services.verification import UPLOAD_DIR
from meeting_server.services.visual_check import CACHE_DIR
from meeting_server.storage import blob_store
from signing import InternalCA
from tests.support import attacks
from tests.support.signing_setup import CA_PASSPHRASE, chair_then_seal, with_internal_ca


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture(scope="module")
def keys(tmp_path_factory, ca_template) -> attacks.Keys:
    folder = tmp_path_factory.mktemp("attack-ca") / "ca"
    shutil.copytree(ca_template, folder)
    return attacks.keys_of(InternalCA.load(folder, CA_PASSPHRASE))


@pytest.fixture
def anonymous(client):
    client.get("/lang/en")
    return client


@pytest.fixture
def signed_request(app, secretary, chair, create_user) -> SigningRequest:
    """A decision signed by the chair, then sealed by the clerk."""
    return chair_then_seal(app, create_user)


def upload(client, data: bytes):
    return client.post("/verify", data={"pdf": (io.BytesIO(data), "quyet-dinh.pdf")})


def verdicts(page: str) -> list[str]:
    return re.findall(r'data-verdict="([a-z_]+)"', page)


def test_an_upload_changed_after_signing_shows_both_versions_with_the_change_marked(
    app, anonymous, keys
):
    attack = attacks.RECIPES[2].make(keys)  # shadow_replace: pyHanko alone accepts it
    assert attack.name == "shadow_replace"
    reply = upload(anonymous, attack.data)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and verdicts(page) == ["changed_after_signing"]
    assert "Warning: the document was changed after signing" in page
    assert "Changed after signing: page 1 looks different now." in page
    assert page.count('data-testid="visual-change"') == 1 and "Page 1: content changed" in page
    assert page.count('href="data:image/png;base64,') == 2  # signed and current, once each
    assert page.count('<use href="#pic-1-1-') == 2  # the enlarged pair reuses them
    assert page.count('class="visual-region"') >= 4 and "As signed" in page
    folder = Path(app.config["STORAGE_DIR"]) / UPLOAD_DIR
    kept = sorted(path.suffix for path in folder.iterdir())
    assert kept == [".json", ".pdf"]  # the report and the signed range; no pictures


def test_a_legitimate_route_says_every_page_looks_as_signed(app, anonymous, signed_request):
    page = anonymous.get(f"/v/{signed_request.code}").get_data(as_text=True)
    assert verdicts(page) == ["valid", "valid"]
    assert page.count("The 2 pages look as they did when this signature was made.") == 2
    later = re.findall(r'data-testid="added-later">Signed later, [^:]*: ([^<]*)\.', page)
    assert len(later) == 1 and later[0] != "seal2"  # the clerk's seal, named by its signer
    assert "Filled in later" not in page
    assert 'data-testid="visual-change"' not in page


def test_a_stored_version_changed_on_disk_shows_the_change_on_its_code_page(
    app, anonymous, signed_request
):
    with app.app_context():
        path = blob_store().path_for(
            db.session.get(SigningRequest, signed_request.id).latest.sha256
        )
    path.write_bytes(attacks.drawn_over(path.read_bytes()))
    page = anonymous.get(f"/v/{signed_request.code}").get_data(as_text=True)
    assert verdicts(page) == ["changed_after_signing", "changed_after_signing"]
    assert page.count('data-testid="visual-change"') == 2
    # Page 1 looked the same in both signed revisions (the stamps are on page 2): one pair.
    assert page.count('href="data:image/png;base64,') == 2
    assert "The same change as shown for signature 1." in page
    again = anonymous.get(f"/v/{signed_request.code}").get_data(as_text=True)
    assert again.count('data-testid="visual-change"') == 2
    cache = list((Path(app.config["STORAGE_DIR"]) / CACHE_DIR).glob("*.json"))
    assert len(cache) == 1  # compared once, then read back
