"""Confidential documents reach each reader stamped with their name; downloads follow the switch."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pypdf
import pytest
from sqlalchemy import select

from meeting_server.auth import DEVICE_COOKIE
from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Meeting, MeetingEvent, User
from meeting_server.pdf.watermark import copy_for
from meeting_server.permissions import invitation_of
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users, update_invitation
from meeting_server.storage import blob_store
from tests.support import pdf_samples
from tests.support.clients import fetch

JSON = {"Accept": "application/json"}
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def second_participant(create_user) -> User:
    return create_user("daibieu2", full_name="Lê Thị Bình", unit="Sở Xây dựng")


@pytest.fixture
def publish_document(app, client, auth, secretary, draft_meeting, participant, second_participant):
    """Return a helper: upload ``data`` to a (confidential) item, publish, sign in as daibieu1.

    Both participants are invited and may see confidential items.
    """

    def publish(data: bytes, *, confidential: bool = True, filename: str = "mat.pdf") -> str:
        with app.app_context():
            meeting = db.session.get(Meeting, draft_meeting.id)
            actor = db.session.get(User, secretary.id)
            item = add_item(actor, meeting, title="Nhân sự", confidential=confidential)
            people = [db.session.get(User, u.id) for u in (participant, second_participant)]
            for invitation in invite_users(actor, meeting, people):
                update_invitation(
                    actor, invitation, role="member", seat="", may_view_confidential=True
                )
            db.session.commit()
            item_id = item.id
        auth.login("thuky")
        uploaded = client.post(
            f"/items/{item_id}/documents",
            headers=JSON,
            data={"file": (io.BytesIO(data), filename)},
        ).json
        with app.app_context():
            publish_meeting(
                db.session.get(User, secretary.id), db.session.get(Meeting, draft_meeting.id)
            )
            db.session.commit()
        auth.logout()
        auth.login("daibieu1")
        return f"/documents/{uploaded['document_id']}/versions/1/file"

    return publish


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def vietnam_minutes(start: datetime, end: datetime) -> set[str]:
    """Return every dd/mm/yyyy HH:MM between two instants (a request may cross a minute)."""
    moment, found = start.replace(second=0, microsecond=0), set()
    while moment <= end:
        found.add(moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"))
        moment += timedelta(minutes=1)
    return found


def test_every_page_carries_the_readers_name_and_the_time(client, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=3, text="Bien ban"))

    before = datetime.now(UTC)
    response = fetch(client, url)
    minutes = vietnam_minutes(before, datetime.now(UTC))

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    texts = page_texts(response.data)
    assert len(texts) == 3
    for number, text in enumerate(texts, 1):
        assert "MẬT" in text and "Đỗ Văn An" in text
        assert any(minute in text for minute in minutes)
        assert f"Bien ban {number}" in text  # the page's own text stays readable
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Content-Encoding" not in response.headers


def test_plain_document_is_sent_as_stored(client, publish_document):
    data = pdf_samples.simple_pdf(pages=2)
    url = publish_document(data, confidential=False)

    response = fetch(client, url)

    assert response.data == data
    assert response.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert "immutable" in response.headers["Cache-Control"]


def test_ranges_come_from_the_same_copy(client, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=4))
    whole = fetch(client, url)

    head = fetch(client, url, headers={"Range": "bytes=0-99"})
    middle = fetch(client, url, headers={"Range": "bytes=100-1099"})
    tail = fetch(client, url, headers={"Range": "bytes=-50"})
    again = fetch(client, url)
    revalidated = fetch(client, url, headers={"If-None-Match": whole.headers["ETag"]})

    assert [r.status_code for r in (head, middle, tail)] == [206, 206, 206]
    assert head.data == whole.data[:100]
    assert middle.data == whole.data[100:1100]
    assert tail.data == whole.data[-50:]
    assert {r.headers["ETag"] for r in (head, middle, tail, again)} == {whole.headers["ETag"]}
    assert again.data == whole.data
    assert revalidated.status_code == 304


def test_each_participant_gets_a_copy_with_their_own_name(client, auth, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=2))
    first = fetch(client, url)
    auth.logout()
    auth.login("daibieu2")

    second = fetch(client, url)

    assert all("Lê Thị Bình" in text for text in page_texts(second.data))
    assert not any("Đỗ Văn An" in text for text in page_texts(second.data))
    assert second.headers["ETag"] != first.headers["ETag"]


def test_confidential_thumbnails_come_from_each_readers_copy(app, client, auth, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=2))
    thumbnail = url.replace("/file", "/pages/1/thumbnail?w=320")
    first = fetch(client, thumbnail)
    auth.logout()
    auth.login("daibieu2")

    second = fetch(client, thumbnail)

    assert first.status_code == second.status_code == 200
    assert first.data != second.data  # each shows its reader's watermark
    assert second.headers["Cache-Control"] == "private, no-cache"
    storage = Path(app.config["STORAGE_DIR"])
    assert not (storage / "thumbnails").exists()  # no unmarked shared rendering
    assert len(list((storage / "watermarked").rglob("*-thumbnails/320/1.webp"))) == 2


def test_a_paired_tablet_reads_as_the_person_in_its_seat(
    app, secretary, participant, draft_meeting, publish_document, create_device
):
    url = publish_document(pdf_samples.simple_pdf(pages=1))
    with app.app_context():
        meeting = db.session.get(Meeting, draft_meeting.id)
        invitation = invitation_of(db.session.get(User, participant.id), meeting)
        update_invitation(
            db.session.get(User, secretary.id),
            invitation,
            role="member",
            seat="5",
            may_view_confidential=True,
        )
        db.session.commit()
    seated, empty = app.test_client(), app.test_client()
    seated.set_cookie(DEVICE_COOKIE, create_device("5")[1])
    empty.set_cookie(DEVICE_COOKIE, create_device("6")[1])

    response = fetch(seated, url)

    assert response.status_code == 200
    assert "Đỗ Văn An" in page_texts(response.data)[0]
    assert fetch(empty, url).status_code == 403
    assert fetch(seated, f"{url}?download=1").status_code == 403


def test_the_stored_original_is_never_changed(app, client, publish_document):
    data = pdf_samples.simple_pdf(pages=2)
    url = publish_document(data)

    fetch(client, url)

    blob = Path(app.config["STORAGE_DIR"]) / "blobs"
    [stored] = [path for path in blob.rglob("*") if path.is_file()]
    assert stored.read_bytes() == data


def test_a_signed_document_is_stamped_on_a_flattened_copy(app, client, publish_document):
    data = pdf_samples.signed_like_pdf_with_open_action()
    url = publish_document(data)

    response = fetch(client, url)

    assert response.status_code == 200
    assert all("Đỗ Văn An" in text for text in page_texts(response.data))
    with pikepdf.open(io.BytesIO(response.data)) as copy:
        assert "/AcroForm" not in copy.Root and "/Perms" not in copy.Root
    stored = next(p for p in (Path(app.config["STORAGE_DIR"]) / "blobs").rglob("*") if p.is_file())
    assert stored.read_bytes() == data  # signed: stored unchanged, even the open action


def test_download_follows_the_meetings_switch(app, client, auth, publish_document, draft_meeting):
    url = publish_document(pdf_samples.simple_pdf(pages=1), filename="nhân-sự.pdf")

    refused = fetch(client, f"{url}?download=1&lang=en", headers=JSON)
    inline = fetch(client, url)
    assert refused.status_code == 403
    assert "read on screen only" in refused.json["error"]
    assert inline.status_code == 200
    assert inline.headers["Content-Disposition"].startswith("inline;")

    auth.logout()
    auth.login("thuky")
    saved = client.post(f"/meetings/{draft_meeting.id}/edit", data=_form(app, draft_meeting, True))
    assert saved.status_code == 302
    auth.logout()
    auth.login("daibieu1")
    allowed = fetch(client, f"{url}?download=1")

    assert allowed.status_code == 200
    disposition = allowed.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "nh%C3%A2n-s%E1%BB%B1.pdf" in disposition
    assert all("Đỗ Văn An" in text for text in page_texts(allowed.data))


def test_secretariat_and_chair_may_always_download(client, auth, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=1))
    for username, name in (("thuky", "Nguyễn Thị Thu"), ("chutich", "Trần Văn Minh")):
        auth.logout()
        auth.login(username)
        response = fetch(client, f"{url}?download=1")
        assert response.status_code == 200, username
        assert name in page_texts(response.data)[0]


def _form(app, meeting, allow: bool) -> dict[str, str]:
    """Return the meeting form as the secretary would send it, with the switch set."""
    with app.app_context():
        current = db.session.get(Meeting, meeting.id)
        data = {
            "title": current.title,
            "room_id": str(current.room_id),
            "starts_at": current.starts_at.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": current.ends_at.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M"),
            "chair_id": str(current.chair_id or ""),
            "description": current.description,
        }
    if allow:
        data["confidential_download"] = "on"
    return data


def test_secretary_sets_the_download_switch_on_the_meeting_form(
    app, client, auth, secretary, draft_meeting
):
    auth.login("thuky")
    edit = f"/meetings/{draft_meeting.id}/edit"
    assert 'name="confidential_download" >' in client.get(edit).get_data(as_text=True)

    assert client.post(edit, data=_form(app, draft_meeting, True)).status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, draft_meeting.id).confidential_download is True
        kinds = db.session.scalars(
            select(MeetingEvent.kind).where(MeetingEvent.meeting_id == draft_meeting.id)
        ).all()
    assert kinds[-1] == "meeting_updated"
    assert 'name="confidential_download" checked>' in client.get(edit).get_data(as_text=True)

    assert client.post(edit, data=_form(app, draft_meeting, False)).status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, draft_meeting.id).confidential_download is False


def test_new_meeting_may_allow_downloads_from_the_start(app, client, auth, secretary, room):
    auth.login("thuky")
    response = client.post(
        "/meetings/new",
        data={
            "title": "Họp kín",
            "room_id": str(room.id),
            "starts_at": "2026-12-03T08:00",
            "ends_at": "2026-12-03T09:00",
            "confidential_download": "on",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalars(select(Meeting).where(Meeting.title == "Họp kín")).one()
        assert meeting.confidential_download is True


def test_a_copy_that_cannot_be_made_in_time_is_explained(app, client, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=2))
    app.config["WATERMARK_TIMEOUT_S"] = 0.001

    response = fetch(client, f"{url}?lang=en", headers=JSON)

    assert response.status_code == 503
    assert "could not be prepared" in response.json["error"]
    assert response.headers["Cache-Control"] == "no-store"
    assert list((Path(app.config["STORAGE_DIR"]) / "tmp").iterdir()) == []


def test_a_document_open_across_midnight_keeps_reading_the_same_bytes(app):
    with app.app_context():
        store = blob_store()
        sha256 = store.put_bytes(pdf_samples.simple_pdf(pages=1)).sha256

        def copy_at(moment: datetime, continuing: bool = False):
            return copy_for(
                store,
                sha256,
                reader_id=7,
                full_name="Đỗ Văn An",
                moment=moment,
                timeout_s=60,
                memory_mb=768,
                continuing=continuing,
            )

        evening = datetime(2026, 12, 1, 23, 59, tzinfo=VIETNAM)
        three_days_ago = copy_at(evening - timedelta(days=3))
        first = copy_at(evening)
        ranged = copy_at(evening + timedelta(minutes=2), continuing=True)
        reopened = copy_at(evening + timedelta(minutes=3))
        later_range = copy_at(evening + timedelta(minutes=4), continuing=True)

    assert ranged == first
    assert reopened != first and later_range == reopened
    assert "01/12/2026 23:59" in page_texts(first.path.read_bytes())[0]
    assert "02/12/2026 00:02" in page_texts(reopened.path.read_bytes())[0]
    assert not three_days_ago.path.exists()  # older days are cleared as new copies are made


def test_each_confidential_read_is_audited_once_not_per_range(app, client, publish_document):
    url = publish_document(pdf_samples.simple_pdf(pages=4))
    fetch(client, url, headers={"Range": "bytes=0-99"})  # the reader opens it…
    fetch(client, url, headers={"Range": "bytes=100-1099"})  # …and reads on
    with app.app_context():
        reads = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.read_confidential")
        ).all()
        reader = db.session.scalars(select(User).where(User.username == "daibieu1")).one()
        assert [(read.actor_id, read.object_type) for read in reads] == [(reader.id, "document")]
