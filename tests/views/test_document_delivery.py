"""Behind nginx: Flask checks access, then names the stored file (X-Accel-Redirect)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from meeting_server.extensions import db
from meeting_server.models import Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users, update_invitation
from tests.support import pdf_samples

JSON = {"Accept": "application/json"}
ONE_YEAR = "private, max-age=31536000, immutable"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "DOCUMENT_ACCEL_PREFIX": "/_blobs/"}


@pytest.fixture
def documents(app, client, auth, secretary, draft_meeting, participant) -> dict[str, str]:
    """Publish a plain and a confidential document; return their URLs, signed in as daibieu1."""
    with app.app_context():
        meeting = db.session.get(Meeting, draft_meeting.id)
        actor = db.session.get(User, secretary.id)
        plain = add_item(actor, meeting, title="Báo cáo")
        secret = add_item(actor, meeting, title="Nhân sự", confidential=True)
        [invitation] = invite_users(actor, meeting, [db.session.get(User, participant.id)])
        update_invitation(actor, invitation, role="member", seat="", may_view_confidential=True)
        db.session.commit()
        item_ids = {"plain": plain.id, "confidential": secret.id}
    auth.login("thuky")
    urls = {}
    for kind, item_id in item_ids.items():
        data = pdf_samples.simple_pdf(pages=2, text=kind)
        uploaded = client.post(
            f"/items/{item_id}/documents",
            headers=JSON,
            data={"file": (io.BytesIO(data), "Báo cáo quý 3.pdf")},
        ).json
        urls[kind] = f"/documents/{uploaded['document_id']}/versions/1"
    with app.app_context():
        publish_meeting(
            db.session.get(User, secretary.id), db.session.get(Meeting, draft_meeting.id)
        )
        db.session.commit()
    auth.logout()
    auth.login("daibieu1")
    return urls


def stored(app, redirect: str) -> Path:
    """Return the file nginx would send for an X-Accel-Redirect value."""
    assert redirect.startswith("/_blobs/")
    return Path(app.config["STORAGE_DIR"]) / redirect.removeprefix("/_blobs/")


def test_plain_document_is_handed_to_nginx_with_its_headers(app, client, documents):
    response = client.get(f"{documents['plain']}/file")

    assert response.status_code == 200 and response.data == b""
    path = stored(app, response.headers["X-Accel-Redirect"])
    assert path.parent.parent.parent.name == "blobs"
    assert path.stat().st_mode & 0o777 == 0o640  # nginx, in the server's group, may read it
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert response.headers["X-Accel-Redirect"].endswith(sha256)
    assert response.headers["ETag"] == f'"{sha256}"'
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == ONE_YEAR
    assert response.headers["Accept-Ranges"] == "bytes"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="Bao cao quy 3.pdf";')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%203.pdf" in disposition


def test_a_known_version_is_answered_304_without_nginx(client, documents):
    first = client.get(f"{documents['plain']}/file")

    again = client.get(
        f"{documents['plain']}/file", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert again.status_code == 304
    assert "X-Accel-Redirect" not in again.headers
    assert again.headers["ETag"] == first.headers["ETag"]


def test_confidential_document_points_at_the_readers_own_copy(app, client, documents):
    response = client.get(f"{documents['confidential']}/file")

    path = stored(app, response.headers["X-Accel-Redirect"])
    assert "watermarked" in path.parts
    assert response.headers["ETag"] == f'"{hashlib.sha256(path.read_bytes()).hexdigest()}"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.data == b""


def test_download_keeps_the_attachment_header(app, client, documents):
    response = client.get(f"{documents['plain']}/file?download=1")

    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert stored(app, response.headers["X-Accel-Redirect"]).is_file()


def test_thumbnail_is_handed_to_nginx_too(app, client, documents):
    response = client.get(f"{documents['plain']}/pages/2/thumbnail?w=320")

    path = stored(app, response.headers["X-Accel-Redirect"])
    assert path.parts[-4:-1] == ("thumbnails", path.parts[-3], "320") and path.name == "2.webp"
    assert response.mimetype == "image/webp"
    assert response.headers["ETag"] == f'"{hashlib.sha256(path.read_bytes()).hexdigest()}"'
    assert response.headers["Cache-Control"] == ONE_YEAR


def test_refusals_never_name_a_file(client, auth, documents, outsider):
    refused_download = client.get(f"{documents['confidential']}/file?download=1", headers=JSON)
    auth.logout()
    auth.login("daibieu9")
    uninvited = client.get(f"{documents['plain']}/file")

    assert refused_download.status_code == 403 and uninvited.status_code == 403
    assert "X-Accel-Redirect" not in refused_download.headers
    assert "X-Accel-Redirect" not in uninvited.headers
