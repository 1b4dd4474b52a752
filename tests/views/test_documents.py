"""Uploading, replacing and reading agenda PDFs; hostile uploads leave nothing behind."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meeting_server.extensions import db
from meeting_server.models import AgendaItem, AuditEvent, Document, DocumentVersion, Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.documents import replace_document
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users
from tests.support import pdf_samples

JSON = {"Accept": "application/json"}


@pytest.fixture
def item(app, secretary, draft_meeting):
    with app.app_context():
        meeting = db.session.get(Meeting, draft_meeting.id)
        created = add_item(db.session.get(User, secretary.id), meeting, title="Tờ trình")
        db.session.commit()
        return created


def upload(client, item_id, data, filename="to-trinh.pdf", **form):
    return client.post(
        f"/items/{item_id}/documents",
        headers=JSON,
        data={"file": (io.BytesIO(data), filename), **form},
    )


def fetch(client, url, **kwargs):
    """GET a file and close the response (send_file keeps the file open until then)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def stored_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return [path for path in root.rglob("*") if path.is_file()]


def test_upload_stores_a_version_by_content_hash(app, client, auth, secretary, item):
    auth.login("thuky")
    data = pdf_samples.simple_pdf(pages=3)
    response = upload(client, item.id, data, title="Tờ trình số 12")
    assert response.status_code == 201
    body = response.json
    assert body["ok"] and body["page_count"] == 3 and body["number"] == 1
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    [blob] = stored_files(app)
    assert blob.name == body["sha256"] and blob.read_bytes() == data
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        assert document.title == "Tờ trình số 12"
        assert document.current.original_filename == "to-trinh.pdf"


def test_identical_content_is_stored_once(app, client, auth, secretary, item):
    auth.login("thuky")
    data = pdf_samples.simple_pdf()
    assert upload(client, item.id, data, "a.pdf").status_code == 201
    assert upload(client, item.id, data, "b.pdf").status_code == 201
    assert len(stored_files(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(DocumentVersion.id))) == 2


def test_replace_adds_a_version_and_keeps_the_old_one(app, client, auth, secretary, item):
    auth.login("thuky")
    first = upload(client, item.id, pdf_samples.simple_pdf(pages=2)).json
    replaced = client.post(
        f"/documents/{first['document_id']}/versions",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.simple_pdf(pages=5)), "v2.pdf")},
    )
    assert replaced.status_code == 201
    assert replaced.json["number"] == 2 and replaced.json["page_count"] == 5
    page = client.get(f"/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "v2.pdf" in page and "Phiên bản trước" in page
    old = fetch(client, f"/documents/{first['document_id']}/versions/1/file")
    assert old.status_code == 200 and old.headers["ETag"] == f'"{first["sha256"]}"'
    assert len(stored_files(app)) == 2


def test_replacing_with_the_same_file_changes_nothing(app, client, auth, secretary, item):
    auth.login("thuky")
    data = pdf_samples.simple_pdf()
    first = upload(client, item.id, data).json
    again = client.post(
        f"/documents/{first['document_id']}/versions",
        headers=JSON,
        data={"file": (io.BytesIO(data), "same.pdf")},
    )
    assert again.status_code == 409
    assert "giống hệt" in again.json["error"]


def test_harmless_open_action_is_stripped_before_storing(app, client, auth, secretary, item):
    auth.login("thuky")
    response = upload(client, item.id, pdf_samples.goto_open_action_pdf())
    assert response.status_code == 201 and "OpenAction" in response.json["stripped"]
    [blob] = stored_files(app)
    with pikepdf.open(blob) as pdf:
        assert "/OpenAction" not in pdf.Root
    with app.app_context():  # recorded for the audit, not shown as an alarm to the secretary
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.add")
        ).one()
        assert "OpenAction" in json.loads(event.details)["stripped"]
    page = client.get(f"/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "automatic actions" not in page and "thao tác tự động" not in page


HOSTILE = {  # case -> (sample, words the secretary's message must contain)
    "renamed text file": (pdf_samples.renamed_text_file, "không phải là tệp PDF"),
    "zero bytes": (lambda: b"", "trống"),
    "truncated": (pdf_samples.truncated_pdf, "hỏng"),
    "encrypted": (pdf_samples.encrypted_pdf, "mật khẩu"),
    "javascript": (pdf_samples.javascript_pdf, "JavaScript"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_upload_is_refused_and_leaves_nothing(app, client, auth, secretary, item, case):
    make, expected = HOSTILE[case]
    auth.login("thuky")
    response = upload(client, item.id, make(), filename="bao-cao.pdf")
    assert response.status_code == 422, response.json
    assert response.json["ok"] is False
    assert expected.lower() in response.json["error"].lower()
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_oversize_upload_is_refused_before_reading_it(app, client, auth, secretary, item):
    auth.login("thuky")
    too_big = b"%PDF-1.7\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    # A raw body: the refusal comes from Content-Length alone, before any byte is parsed.
    response = client.post(
        f"/items/{item.id}/documents",
        data=too_big,
        headers=JSON,
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 413
    assert "5 MB" in response.json["error"]
    assert stored_files(app) == []


def test_upload_without_a_file_explains_what_to_do(client, auth, secretary, item):
    auth.login("thuky")
    response = client.post(f"/items/{item.id}/documents", headers=JSON, data={})
    assert response.status_code == 400
    assert "Chọn một tệp PDF" in response.json["error"]


def test_reading_is_permission_checked_and_cacheable(
    app, client, auth, secretary, item, participant, outsider
):
    auth.login("thuky")
    data = pdf_samples.simple_pdf()
    doc = upload(client, item.id, data).json
    with app.app_context():
        meeting = db.session.get(Meeting, item.meeting_id)
        invite_users(
            db.session.get(User, secretary.id), meeting, [db.session.get(User, participant.id)]
        )
        publish_meeting(db.session.get(User, secretary.id), meeting)
        db.session.commit()
    auth.logout()
    url = f"/documents/{doc['document_id']}/versions/1/file"
    auth.login("daibieu9")
    assert fetch(client, url).status_code == 403
    auth.logout()
    auth.login("daibieu1")
    response = fetch(client, url)
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    assert (
        "immutable" in response.headers["Cache-Control"]
        and "private" in response.headers["Cache-Control"]
    )
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "Content-Encoding" not in response.headers
    partial = fetch(client, url, headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206 and partial.data == data[:8]
    cached = fetch(client, url, headers={"If-None-Match": f'"{doc["sha256"]}"'})
    assert cached.status_code == 304
    assert fetch(client, f"/documents/{doc['document_id']}/versions/9/file").status_code == 404


def test_withdrawn_document_is_hidden_from_participants(app, client, auth, secretary, item, chair):
    auth.login("thuky")
    doc = upload(client, item.id, pdf_samples.simple_pdf()).json
    assert client.post(f"/documents/{doc['document_id']}/remove").status_code == 302
    url = f"/documents/{doc['document_id']}/versions/1/file"
    assert fetch(client, url).status_code == 200  # the secretariat keeps the record
    auth.logout()
    auth.login("chutich")
    assert fetch(client, url).status_code == 403
    with app.app_context():
        assert db.session.get(AgendaItem, item.id).documents[0].removed_at is not None


def test_two_replacements_at_the_same_moment_keep_one_and_refuse_the_other(
    app, client, auth, secretary, item
):
    """Both secretaries saw version 1; the second save collides on the version number."""
    auth.login("thuky")
    first = upload(client, item.id, pdf_samples.simple_pdf(pages=2)).json
    with app.app_context():  # the slower secretary's view of the document: version 1
        stale = db.session.get(Document, first["document_id"])
        assert len(stale.versions) == 1
    other = client.post(
        f"/documents/{first['document_id']}/versions",
        headers=JSON,
        data={"file": (io.BytesIO(pdf_samples.simple_pdf(pages=3)), "a.pdf")},
    )
    assert other.status_code == 201
    with app.app_context():
        db.session.add(stale)
        with pytest.raises(IntegrityError):
            replace_document(
                db.session.get(User, secretary.id),
                stale,
                stream=io.BytesIO(pdf_samples.simple_pdf(pages=4)),
                filename="b.pdf",
            )
        db.session.rollback()
    with app.app_context():
        numbers = [v.number for v in db.session.get(Document, first["document_id"]).versions]
    assert numbers == [1, 2]


def test_a_colliding_change_gets_a_409_that_says_what_to_do(
    app, client, auth, secretary, draft_meeting
):
    from sqlalchemy.exc import IntegrityError

    def collide():
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))

    app.add_url_rule("/__collide", "collide", collide)
    response = client.get("/__collide", headers=JSON)
    assert response.status_code == 409
    assert "tải lại trang" in response.json["error"]
