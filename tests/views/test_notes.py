"""Private notes: only their author reads them, and they survive a document replacement."""

from __future__ import annotations

import io

import pytest

from meeting_server.extensions import db
from meeting_server.models import Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.documents import add_document
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users
from tests.support import pdf_samples
from tests.support.clients import signed_in


@pytest.fixture
def document(app, secretary, draft_meeting, participant, create_user):
    """A 3-page document in a published meeting with two invited participants."""
    other = create_user("daibieu2", full_name="Hoàng Thị Bình")
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        meeting = db.session.get(Meeting, draft_meeting.id)
        invite_users(actor, meeting, [db.session.get(User, u.id) for u in (participant, other)])
        item = add_item(actor, meeting, title="Báo cáo")
        doc = add_document(
            actor, item, stream=io.BytesIO(pdf_samples.simple_pdf(pages=3)), filename="a.pdf"
        )
        publish_meeting(actor, meeting)
        db.session.commit()
        return doc.id


def write(http, document_id, page, text, version=1):
    return http.put(
        f"/tablet/documents/{document_id}/versions/{version}/pages/{page}/note",
        json={"text": text},
        headers={"Accept": "application/json"},
    )


def notes_of(http, document_id):
    return http.get(f"/tablet/documents/{document_id}/notes").json


def test_a_note_is_read_back_only_by_its_author(app, document, participant):
    me, neighbour = signed_in(app, "daibieu1"), signed_in(app, "daibieu2")
    saved = write(me, document, 2, "  Hỏi lại số liệu quý III  ")
    assert saved.status_code == 200 and saved.json["note"]["text"] == "Hỏi lại số liệu quý III"
    mine = notes_of(me, document)
    assert [(n["page"], n["text"], n["document_changed"]) for n in mine["notes"]] == [
        (2, "Hỏi lại số liệu quý III", False)
    ]
    assert notes_of(neighbour, document)["notes"] == []
    write(neighbour, document, 2, "Ghi chú của tôi")
    assert [n["text"] for n in notes_of(me, document)["notes"]] == ["Hỏi lại số liệu quý III"]


def test_writing_again_replaces_and_an_empty_note_is_deleted(app, document, participant):
    me = signed_in(app, "daibieu1")
    write(me, document, 1, "bản nháp")
    write(me, document, 1, "bản cuối")
    assert [n["text"] for n in notes_of(me, document)["notes"]] == ["bản cuối"]
    assert write(me, document, 1, "   ").json["note"] is None
    assert notes_of(me, document)["notes"] == []


def test_notes_survive_a_replacement_marked_document_changed(app, document, participant):
    me = signed_in(app, "daibieu1")
    write(me, document, 3, "Trang 3 cần sửa")
    desk = signed_in(app, "thuky")
    replaced = desk.post(
        f"/documents/{document}/versions",
        headers={"Accept": "application/json"},
        data={"file": (io.BytesIO(pdf_samples.simple_pdf(pages=4)), "a-v2.pdf")},
    )
    assert replaced.status_code == 201
    listing = notes_of(me, document)
    assert listing["current_version"] == 2
    assert [(n["version"], n["page"], n["document_changed"]) for n in listing["notes"]] == [
        (1, 3, True)
    ]
    write(me, document, 4, "Trang mới", version=2)
    assert [n["document_changed"] for n in notes_of(me, document)["notes"]] == [True, False]


def test_bad_notes_are_refused_with_a_reason(app, document, participant, outsider):
    me = signed_in(app, "daibieu1")
    assert write(me, document, 9, "x").json["error"] == "This page does not exist in the document."
    too_long = write(me, document, 1, "x" * 10_001)
    assert too_long.status_code == 400 and "10000" in too_long.json["error"]
    no_text = me.put(
        f"/tablet/documents/{document}/versions/1/pages/1/note",
        json={"note": "x"},
        headers={"Accept": "application/json"},
    )
    assert no_text.status_code == 400 and '"text"' in no_text.json["error"]
    assert write(me, document, 1, "x", version=7).status_code == 404
    stranger = signed_in(app, "daibieu9")
    assert write(stranger, document, 1, "x").status_code == 403
    assert stranger.get(f"/tablet/documents/{document}/notes").status_code == 403
    assert notes_of(me, document)["notes"] == []
