"""Stamp images on the web: my handwritten signature on "My certificate", the admin's seal page."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from meeting_server.extensions import db
from meeting_server.models import OrganisationSeal, Role
from meeting_server.storage import blob_store
from tests.support.clients import PASSWORD, fetch, signed_in
from tests.support.ink_pictures import blank_photo, seal_scan, signature_photo
from tests.support.people import actor

PNG_LINK = re.compile(r'src="(/(?:certificates/signature-image|admin/seal)/([0-9a-f]{64})\.png)"')


@pytest.fixture
def admin(create_user):
    return create_user("quantri", Role.ADMIN, full_name="Quản Trị")


def upload(http, url: str, data: bytes, name: str = "chu-ky.jpg", **fields: str):
    files = {"image": (io.BytesIO(data), name), **fields}
    return http.post(url, data=files, content_type="multipart/form-data")


def saved_signature(app, username: str = "chutich") -> str | None:
    with app.app_context():
        return actor(username).signature_image_sha256


def stored_blobs(app) -> int:
    with app.app_context():
        return sum(1 for path in (blob_store().root / "blobs").rglob("*") if path.is_file())


def section(page: str, name: str) -> str:
    """Return the HTML of the page's ``<section id=name>``."""
    start = page.index(f'id="{name}"')
    return page[start : page.index("</section>", start)]


# --- my handwritten signature -----------------------------------------------------------------


def test_a_leader_uploads_sees_the_preview_then_saves_their_signature(app, chair):
    http = signed_in(app, "chutich")
    page = http.get("/certificates/").get_data(as_text=True)
    assert "Upload your signature" in section(page, "signature")

    answer = upload(http, "/certificates/signature-image/preview", signature_photo("chutich"))
    assert answer.status_code == 302 and answer.location.endswith("/certificates/#signature")
    page = http.get("/certificates/").get_data(as_text=True)
    card = section(page, "signature")
    assert 'data-testid="signature-preview"' in card and "not saved yet" in card
    link, sha256 = PNG_LINK.search(card).groups()
    image = fetch(http, link)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert Image.open(io.BytesIO(image.data)).mode == "RGBA"
    assert saved_signature(app) is None  # a preview only

    saved = http.post("/certificates/signature-image", data={"action": "save"})
    assert saved.status_code == 302
    assert saved_signature(app) == sha256
    page = http.get("/certificates/").get_data(as_text=True)
    assert "Your signature image is saved" in page
    card = section(page, "signature")
    assert 'data-testid="signature-saved"' in card and "Replace it" in card
    assert PNG_LINK.search(card).group(2) == sha256


def test_a_picture_without_a_signature_is_refused_on_the_page_and_nothing_is_kept(app, chair):
    http = signed_in(app, "chutich")
    before = stored_blobs(app)
    answer = upload(http, "/certificates/signature-image/preview", blank_photo())
    assert answer.status_code == 422
    card = section(answer.get_data(as_text=True), "signature")
    assert "No signature was found in the picture" in card and 'aria-invalid="true"' in card
    not_a_picture = upload(http, "/certificates/signature-image/preview", b"%PDF-1.7", "x.jpg")
    assert "Upload a photo (JPEG) or a PNG" in not_a_picture.get_data(as_text=True)
    no_file = http.post("/certificates/signature-image/preview", data={})
    assert no_file.status_code == 400
    assert "Choose a photo or a scan" in no_file.get_data(as_text=True)
    assert stored_blobs(app) == before
    assert 'data-testid="signature-preview"' not in http.get("/certificates/").get_data(True)


def test_a_picture_over_the_upload_limit_is_refused_before_it_is_read(app, chair):
    http = signed_in(app, "chutich")
    before = stored_blobs(app)
    too_big = b"\xff\xd8" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    # A raw body: the refusal comes from Content-Length alone, before any byte is parsed.
    answer = http.post(
        "/certificates/signature-image/preview",
        data=too_big,
        content_type="multipart/form-data; boundary=xyz",
    )
    assert answer.status_code == 413
    assert stored_blobs(app) == before


@pytest.mark.parametrize(
    ("url", "picture"),
    [
        ("/certificates/signature-image/preview", blank_photo),
        ("/certificates/signature-image/preview", lambda: b"GIF89a" + b"\0" * 64),
        ("/admin/seal/preview", blank_photo),
        ("/admin/seal/preview", lambda: signature_photo("a")),  # black ink: no red seal
    ],
    ids=["blank-signature", "gif", "blank-seal", "black-seal"],
)
def test_a_refused_picture_leaves_no_file_anywhere(app, chair, admin, url, picture):
    http = signed_in(app, "quantri" if url.startswith("/admin") else "chutich")
    before = set(os.listdir(tempfile.gettempdir()))
    answer = upload(http, url, picture(), diameter_mm="36")
    assert answer.status_code == 422
    root = Path(app.config["STORAGE_DIR"])
    assert sorted(path for path in root.rglob("*") if path.is_file()) == []
    new = set(os.listdir(tempfile.gettempdir())) - before
    assert {name for name in new if not name.startswith("pytest")} == set()


def test_saving_needs_a_preview_of_this_browser(app, chair):
    upload(signed_in(app, "chutich"), "/certificates/signature-image/preview", signature_photo("a"))
    elsewhere = signed_in(app, "chutich")  # another browser: its session has no preview
    refused = elsewhere.post("/certificates/signature-image", data={"action": "save"})
    assert refused.status_code == 400
    assert "There is no picture to save" in section(refused.get_data(as_text=True), "signature")
    assert saved_signature(app) is None


def test_discarding_a_preview_keeps_the_saved_signature_and_removing_drops_it(app, chair):
    http = signed_in(app, "chutich")
    upload(http, "/certificates/signature-image/preview", signature_photo("first"))
    http.post("/certificates/signature-image", data={"action": "save"})
    first = saved_signature(app)
    upload(http, "/certificates/signature-image/preview", signature_photo("second"))
    http.post("/certificates/signature-image", data={"action": "discard"})
    assert saved_signature(app) == first
    page = http.get("/certificates/").get_data(as_text=True)
    assert 'data-testid="signature-preview"' not in page

    http.post("/certificates/signature-image", data={"action": "remove"})
    assert saved_signature(app) is None
    assert "Your signature image is removed" in http.get("/certificates/").get_data(True)
    again = http.post("/certificates/signature-image", data={"action": "remove"})
    assert again.status_code == 409


def test_a_signature_image_is_only_its_owners(app, chair, secretary, participant):
    owner = signed_in(app, "chutich")
    upload(owner, "/certificates/signature-image/preview", signature_photo("chutich"))
    page = owner.get("/certificates/").get_data(as_text=True)
    link = PNG_LINK.search(page).group(1)
    owner.post("/certificates/signature-image", data={"action": "save"})

    assert fetch(owner, link).status_code == 200
    assert fetch(signed_in(app, "thuky"), link).status_code == 404  # a signer, but not theirs
    assert fetch(app.test_client(), link).status_code in {302, 401}  # signed out: to login
    delegate = signed_in(app, "daibieu1")  # a participant holds no key, so no signature image
    assert 'id="signature"' not in delegate.get("/certificates/").get_data(as_text=True)
    refused = upload(delegate, "/certificates/signature-image/preview", signature_photo("x"))
    assert refused.status_code == 403
    assert (
        delegate.post("/certificates/signature-image", data={"action": "save"}).status_code == 403
    )


def test_the_signature_forms_need_the_csrf_token(make_app, chair):
    app = make_app(WTF_CSRF_ENABLED=True)
    http = app.test_client()
    http.get("/lang/en")
    page = http.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    http.post("/login", data={"username": "chutich", "password": PASSWORD, "csrf_token": token})
    page = http.get("/certificates/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', section(page, "signature")).group(1)

    photo = signature_photo("chutich")
    refused = upload(http, "/certificates/signature-image/preview", photo)
    assert refused.status_code == 400 and "The form expired" in refused.get_data(as_text=True)
    accepted = upload(http, "/certificates/signature-image/preview", photo, csrf_token=token)
    assert accepted.status_code == 302
    assert http.post("/certificates/signature-image", data={"action": "save"}).status_code == 400
    saved = http.post("/certificates/signature-image", data={"action": "save", "csrf_token": token})
    assert saved.status_code == 302 and saved_signature(app) is not None


# --- the organisation's seal ------------------------------------------------------------------


def test_an_administrator_sets_the_seal_at_its_real_size(app, admin):
    http = signed_in(app, "quantri")
    page = http.get("/admin/seal").get_data(as_text=True)
    assert 'data-testid="seal-drawn"' in page and 'value="36"' in page  # the usual diameter

    answer = upload(http, "/admin/seal/preview", seal_scan(), "dau.png", diameter_mm="38")
    assert answer.status_code == 302
    page = http.get("/admin/seal").get_data(as_text=True)
    preview = section(page, "preview")
    link, sha256 = PNG_LINK.search(preview).groups()
    assert 'width="144"' in preview  # 38 mm in CSS pixels (96 per inch)
    assert fetch(http, link).mimetype == "image/png"

    assert http.post("/admin/seal", data={"action": "save", "diameter_mm": "40"}).status_code == 302
    with app.app_context():
        row = db.session.get(OrganisationSeal, app.config["ORGANISATION_CODE"])
        assert (row.sha256, row.diameter_mm) == (sha256, 40)
    page = http.get("/admin/seal").get_data(as_text=True)
    assert "The seal image is saved" in page and 'data-testid="seal-saved"' in page

    http.post("/admin/seal", data={"action": "remove"})
    with app.app_context():
        assert db.session.get(OrganisationSeal, app.config["ORGANISATION_CODE"]) is None
    assert 'data-testid="seal-drawn"' in http.get("/admin/seal").get_data(as_text=True)


@pytest.mark.parametrize(
    ("picture", "diameter", "message"),
    [
        (seal_scan, "36", None),
        (blank_photo, "36", "No seal was found in the picture"),
        (seal_scan, "25", "from 30 to 50"),
        (seal_scan, "ba mươi", "Enter a whole number"),
    ],
    ids=["ok", "no-seal", "too-small-diameter", "not-a-number"],
)
def test_a_bad_seal_upload_is_refused_with_what_to_do(app, admin, picture, diameter, message):
    http = signed_in(app, "quantri")
    answer = upload(http, "/admin/seal/preview", picture(), "dau.png", diameter_mm=diameter)
    if message is None:
        assert answer.status_code == 302
        return
    assert answer.status_code in {400, 422}
    assert message in section(answer.get_data(as_text=True), "upload")
    assert 'data-testid="seal-preview"' not in http.get("/admin/seal").get_data(as_text=True)


def test_only_administrators_set_the_seal(app, admin, chair, create_user):
    create_user("vanthu", Role.CLERK)
    owner = signed_in(app, "quantri")
    upload(owner, "/admin/seal/preview", seal_scan(), "dau.png", diameter_mm="36")
    link = PNG_LINK.search(owner.get("/admin/seal").get_data(as_text=True)).group(1)
    for username in ("chutich", "vanthu"):
        other = signed_in(app, username)
        assert other.get("/admin/seal").status_code == 403
        assert fetch(other, link).status_code == 403
        assert (
            upload(other, "/admin/seal/preview", seal_scan(), diameter_mm="36").status_code == 403
        )
        assert other.post("/admin/seal", data={"action": "remove"}).status_code == 403
    assert fetch(owner, link).status_code == 200
    assert fetch(owner, "/admin/seal/" + "0" * 64 + ".png").status_code == 404
