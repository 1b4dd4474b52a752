"""Page thumbnails: rendered once per version and width in a limited child, shown to readers."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from meeting_server.extensions import db
from meeting_server.models import Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users
from tests.support import pdf_samples
from tests.support.clients import fetch, log_in

JSON = {"Accept": "application/json"}


@pytest.fixture
def app_config(app_config):
    """Cap the thumbnail child at 128 MB: plain pages fit, a 128 MB bomb does not."""
    return {**app_config, "THUMBNAIL_MEMORY_MB": 128}


def landscape_last_page_pdf() -> bytes:
    """Return three A4 pages, the last one turned to landscape."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_samples.simple_pdf(pages=3))) as pdf:
        pdf.pages[2].mediabox = pikepdf.Array([0, 0, 842, 595])
        pdf.save(out)
    return out.getvalue()


@pytest.fixture
def publish_document(app, client, auth, secretary, draft_meeting, participant):
    """Return a helper: upload ``data`` as the secretary, publish, sign in as daibieu1."""

    def publish(data: bytes) -> str:
        with app.app_context():
            meeting = db.session.get(Meeting, draft_meeting.id)
            actor = db.session.get(User, secretary.id)
            item = add_item(actor, meeting, title="Báo cáo kinh tế - xã hội")
            invite_users(actor, meeting, [db.session.get(User, participant.id)])
            db.session.commit()
            item_id = item.id
        auth.login("thuky")
        uploaded = client.post(
            f"/items/{item_id}/documents",
            headers=JSON,
            data={"file": (io.BytesIO(data), "bao-cao.pdf")},
        ).json
        with app.app_context():
            meeting = db.session.get(Meeting, draft_meeting.id)
            publish_meeting(db.session.get(User, secretary.id), meeting)
            db.session.commit()
        auth.logout()
        auth.login("daibieu1")
        return f"/documents/{uploaded['document_id']}/versions/1"

    return publish


def thumbnail_files(app) -> list[Path]:
    return sorted((Path(app.config["STORAGE_DIR"]) / "thumbnails").rglob("*.webp"))


@pytest.mark.parametrize("width", [160, 320])
def test_every_page_is_a_webp_of_the_asked_width(client, publish_document, width):
    version = publish_document(landscape_last_page_pdf())

    for page, (page_width, page_height) in enumerate([(595, 842)] * 2 + [(842, 595)], 1):
        response = fetch(client, f"{version}/pages/{page}/thumbnail?w={width}")
        assert response.status_code == 200
        assert response.mimetype == "image/webp"
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "WEBP"
        assert image.width == width
        assert abs(image.height - width * page_height / page_width) <= 1
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
        cache = response.headers["Cache-Control"]
        assert "private" in cache and "immutable" in cache


def test_the_page_is_drawn_not_blank(client, publish_document):
    version = publish_document(pdf_samples.simple_pdf(pages=1, text="Trang"))

    image = Image.open(io.BytesIO(fetch(client, f"{version}/pages/1/thumbnail?w=320").data))

    darkest, lightest = image.convert("L").getextrema()
    assert darkest < 100 and lightest > 240  # black text on a white page


def test_width_defaults_to_160_and_a_known_etag_answers_304(client, publish_document):
    version = publish_document(pdf_samples.simple_pdf(pages=2))

    first = fetch(client, f"{version}/pages/1/thumbnail")
    known = {"If-None-Match": first.headers["ETag"]}
    again = fetch(client, f"{version}/pages/1/thumbnail", headers=known)

    assert Image.open(io.BytesIO(first.data)).width == 160
    assert again.status_code == 304


def test_second_request_uses_the_stored_pages(app, client, publish_document):
    version = publish_document(pdf_samples.simple_pdf(pages=3))
    assert fetch(client, f"{version}/pages/1/thumbnail?w=320").status_code == 200
    before = {path: path.stat().st_ino for path in thumbnail_files(app)}
    app.config["THUMBNAIL_TIMEOUT_S"] = 0.001  # any new rendering would now fail

    again = fetch(client, f"{version}/pages/3/thumbnail?w=320")

    assert again.status_code == 200
    assert len(before) == 3
    assert {path: path.stat().st_ino for path in thumbnail_files(app)} == before


def test_two_readers_at_once_get_the_same_single_rendering(app, client, auth, publish_document):
    version = publish_document(pdf_samples.simple_pdf(pages=40))
    clients = [app.test_client(), app.test_client()]
    for other in clients:
        log_in(other, "daibieu1")
    answers: list = [None, None]

    def read(index: int) -> None:
        answers[index] = fetch(clients[index], f"{version}/pages/{index + 1}/thumbnail?w=320")

    threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200, 200]
    assert len(thumbnail_files(app)) == 40
    leftovers = list((Path(app.config["STORAGE_DIR"]) / "tmp").iterdir())
    assert leftovers == []


def test_page_out_of_range_is_not_found(client, publish_document):
    version = publish_document(pdf_samples.simple_pdf(pages=2))

    assert fetch(client, f"{version}/pages/3/thumbnail").status_code == 404
    assert fetch(client, f"{version}/pages/0/thumbnail").status_code == 404
    assert fetch(client, version.replace("/1", "/7") + "/pages/1/thumbnail").status_code == 404


@pytest.mark.parametrize("width", ["200", "abc", "-160", "1600", ""])
def test_width_not_allowed_is_refused_with_an_explanation(client, publish_document, width):
    version = publish_document(pdf_samples.simple_pdf(pages=1))

    response = fetch(client, f"{version}/pages/1/thumbnail?w={width}", headers=JSON)

    assert response.status_code == 400
    assert "160" in response.json["error"] and "320" in response.json["error"]


def test_uninvited_people_and_strangers_see_no_thumbnail(client, auth, publish_document, outsider):
    version = publish_document(pdf_samples.simple_pdf(pages=1))
    auth.logout()

    anonymous = fetch(client, f"{version}/pages/1/thumbnail")
    auth.login("daibieu9")
    uninvited = fetch(client, f"{version}/pages/1/thumbnail")

    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert uninvited.status_code == 403


def test_a_bomb_that_kills_the_renderer_gets_a_clear_answer(app, client, publish_document):
    # 128 KiB that inflate to 128 MiB: passes screening (768 MB), kills pdfium at 128 MB.
    version = publish_document(pdf_samples.flate_bomb_pdf(megabytes=128))

    refused = fetch(client, f"{version}/pages/1/thumbnail?lang=en", headers=JSON)
    started = time.monotonic()
    again = fetch(client, f"{version}/pages/2/thumbnail?lang=en", headers=JSON)

    assert refused.status_code == 503
    assert "too large or too complex" in refused.json["error"]
    assert refused.headers["Cache-Control"] == "no-store"
    assert again.status_code == 503 and time.monotonic() - started < 1  # remembered
    assert thumbnail_files(app) == []
    assert list((Path(app.config["STORAGE_DIR"]) / "tmp").iterdir()) == []


def test_the_server_carries_on_after_a_renderer_ran_out_of_time(
    app, client, auth, secretary, publish_document
):
    version = publish_document(pdf_samples.simple_pdf(pages=2))
    app.config["THUMBNAIL_TIMEOUT_S"] = 0.001

    assert fetch(client, f"{version}/pages/1/thumbnail?w=320").status_code == 503
    app.config["THUMBNAIL_TIMEOUT_S"] = 30.0
    assert fetch(client, f"{version}/pages/1/thumbnail?w=160").status_code == 200
    assert fetch(client, f"{version}/file").status_code == 200
