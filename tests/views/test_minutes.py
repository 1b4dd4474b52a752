"""Minutes (biên bản): a draft the secretary edits and previews, then a locked Vietnamese PDF."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, CheckInMethod, Meeting, Minutes, MinutesStatus
from meeting_server.pdf import minutes as minutes_pdf
from meeting_server.pdf.screening import screen_pdf
from meeting_server.services import attendance, speaking, votes
from meeting_server.services import minutes as minutes_service
from meeting_server.services.agenda import add_item
from meeting_server.services.documents import add_document, replace_document
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.participants import update_invitation
from meeting_server.services.presentations import end_meeting, start_meeting
from meeting_server.storage import blob_store
from tests.support.clients import fetch, signed_in
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor, invitation

CONCLUSIONS = (
    "Thống nhất thông qua báo cáo quý III.\n\n"
    "Giao Văn phòng hoàn thiện hồ sơ, trình ký trước ngày 30/11."
)


@pytest.fixture(autouse=True)
def english(published_meeting):
    """Read the services' messages and the pages in English (the msgids)."""
    with force_locale("en"):
        yield


@pytest.fixture
def held_meeting(published_meeting):
    """The meeting held and ended: a document in two versions, a delegation, an absence, a late
    guest, a member who left early, one speech, an open and a secret vote."""
    meeting, desk, chair = published_meeting, actor(), actor("chutich")
    item = meeting.agenda_items[0]
    document = add_document(
        desk, item, stream=io.BytesIO(simple_pdf(2)), filename="bc.pdf", title="Báo cáo quý III"
    )
    replace_document(desk, document, stream=io.BytesIO(simple_pdf(3)), filename="bc-v2.pdf")
    attendance.delegate(
        desk,
        invitation(meeting, "daibieu4"),
        deputy=actor("phogiamdoc"),
        deputy_name="",
        reason="Đi công tác",
    )
    attendance.record_absence(desk, invitation(meeting, "daibieu3"), "Nghỉ ốm")
    start_meeting(desk, meeting)
    for name in ("chutich", "daibieu1", "daibieu2", "daibieu4"):
        attendance.check_in(desk, invitation(meeting, name), method=CheckInMethod.TABLET)
    guest = attendance.check_in(desk, invitation(meeting, "khach"), method=CheckInMethod.QR)
    guest.checked_in_at = meeting.started_at + timedelta(minutes=20)
    turn = speaking.request_to_speak(
        actor("daibieu2"), invitation(meeting, "daibieu2"), item=item, topic="Về tiến độ giải ngân"
    )
    speaking.give_floor(chair, turn)
    speaking.end_floor(chair, turn)
    named = votes.open_vote(chair, item, "Thông qua báo cáo quý III?")
    for name, choice in (("chutich", 0), ("daibieu1", 0), ("daibieu2", 1), ("phogiamdoc", 0)):
        votes.cast_ballot(actor(name), named, choice)
    votes.close_vote(chair, named)
    secret = votes.open_vote(chair, item, "Đề nghị khen thưởng tập thể?", secret=True)
    for name, choice in (("chutich", 0), ("daibieu1", 1)):
        votes.cast_ballot(actor(name), secret, choice)
    votes.close_vote(chair, secret)
    attendance.check_out(desk, invitation(meeting, "daibieu1"))
    end_meeting(chair, meeting)
    db.session.commit()
    return meeting


def pdf_text(data: bytes) -> str:
    """Return the text of every page, whitespace collapsed (lines wrap at spaces)."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages(data))


def pages(data: bytes) -> list:
    return list(PdfReader(io.BytesIO(data)).pages)


def test_the_secretary_drafts_and_previews_the_minutes(app, published_meeting):
    desk = signed_in(app, "thuky")
    preparation = desk.get(f"/meetings/{published_meeting.id}").text
    assert f'href="/meetings/{published_meeting.id}/minutes"' in preparation
    page = desk.get(f"/meetings/{published_meeting.id}/minutes")
    assert page.status_code == 200 and "Save draft" in page.text
    assert "finalised once the meeting has ended" in page.text
    saved = desk.post(
        f"/meetings/{published_meeting.id}/minutes", data={"conclusions": CONCLUSIONS}
    )
    assert saved.status_code == 302
    assert CONCLUSIONS.split("\n")[0] in desk.get(saved.location).text
    preview = fetch(desk, f"/meetings/{published_meeting.id}/minutes/preview.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert preview.headers["Cache-Control"] == "no-store"
    text = pdf_text(preview.data)
    assert "BIÊN BẢN CUỘC HỌP" in text and "Họp giao ban" in text
    assert "Giao Văn phòng hoàn thiện hồ sơ" in text
    assert all("DỰ THẢO" in (page.extract_text() or "") for page in pages(preview.data))
    stored = db.session.scalar(select(Minutes))
    assert stored.status == MinutesStatus.DRAFT and stored.updated_by_id == actor().id


def test_finalising_is_refused_until_the_meeting_has_ended(app, published_meeting):
    minutes_service.save_draft(actor(), published_meeting, CONCLUSIONS)
    db.session.commit()
    with pytest.raises(NotAllowed, match="once the meeting has ended"):
        minutes_service.finalise_minutes(actor(), published_meeting)
    db.session.rollback()
    refused = signed_in(app, "thuky").post(f"/meetings/{published_meeting.id}/minutes/finalise")
    assert refused.status_code == 302
    assert db.session.scalar(select(Minutes)).status == MinutesStatus.DRAFT


def test_finalising_needs_conclusions(held_meeting):
    with pytest.raises(ServiceError, match="Write the conclusions"):
        minutes_service.finalise_minutes(actor(), held_meeting)


def test_finalising_stores_an_immutable_pdf_whose_hash_matches(app, held_meeting):
    desk = signed_in(app, "thuky")
    desk.post(f"/meetings/{held_meeting.id}/minutes", data={"conclusions": CONCLUSIONS})
    assert desk.post(f"/meetings/{held_meeting.id}/minutes/finalise").status_code == 302
    db.session.expire_all()
    minutes = db.session.scalar(select(Minutes))
    assert minutes.status == MinutesStatus.FINAL and minutes.finalised_by_id == actor().id
    stored = blob_store().path_for(minutes.pdf_sha256).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == minutes.pdf_sha256
    assert len(stored) == minutes.pdf_size

    download = fetch(desk, f"/meetings/{held_meeting.id}/minutes.pdf")
    assert download.status_code == 200 and download.data == stored
    assert download.headers["ETag"] == f'"{minutes.pdf_sha256}"'
    again = fetch(desk, download.request.path, headers={"If-None-Match": download.headers["ETag"]})
    assert again.status_code == 304
    assert "DỰ THẢO" not in pdf_text(stored)
    page = desk.get(f"/meetings/{held_meeting.id}/minutes").text
    assert minutes.pdf_sha256 in page
    assert (
        f'href="/signing/new?minutes={minutes.id}"' in page
    )  # "Send for signing", its route filled in
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes.finalise"))
    assert minutes.pdf_sha256 in event.details


def test_a_failed_rendering_stores_nothing_and_says_so(app, held_meeting, monkeypatch):
    desk = signed_in(app, "thuky")
    desk.post(f"/meetings/{held_meeting.id}/minutes", data={"conclusions": CONCLUSIONS})
    monkeypatch.setattr(minutes_service, "RENDER_MEMORY_MB", 20)  # the child cannot even start
    failed = desk.post(
        f"/meetings/{held_meeting.id}/minutes/finalise", headers={"Accept": "application/json"}
    )
    assert failed.status_code == 503 and "could not be made" in failed.get_json()["error"]
    db.session.expire_all()
    assert db.session.scalar(select(Minutes)).status == MinutesStatus.DRAFT


def test_final_minutes_are_locked(app, held_meeting):
    minutes_service.save_draft(actor(), held_meeting, CONCLUSIONS)
    final = minutes_service.finalise_minutes(actor(), held_meeting)
    db.session.commit()
    sha256 = final.pdf_sha256
    with pytest.raises(NotAllowed, match="final and locked"):
        minutes_service.save_draft(actor(), held_meeting, "Sửa lại kết luận")
    with pytest.raises(NotAllowed, match="final and locked"):
        minutes_service.finalise_minutes(actor(), held_meeting)
    desk = signed_in(app, "thuky")
    refused = desk.post(f"/meetings/{held_meeting.id}/minutes", data={"conclusions": "Khác"})
    assert refused.status_code == 409 and "final and locked" in refused.text
    assert fetch(desk, f"/meetings/{held_meeting.id}/minutes/preview.pdf").status_code == 302
    db.session.expire_all()
    minutes = db.session.scalar(select(Minutes))
    assert (minutes.conclusions, minutes.pdf_sha256) == (CONCLUSIONS, sha256)


def test_only_the_secretariat_edits_and_only_invitees_read_the_final_pdf(app, held_meeting):
    url = f"/meetings/{held_meeting.id}/minutes"
    member = signed_in(app, "daibieu1")
    assert member.get(url).status_code == 403
    assert member.post(url, data={"conclusions": "Của tôi"}).status_code == 403
    assert member.post(url + "/finalise").status_code == 403
    assert fetch(member, url + "/preview.pdf").status_code == 403
    assert fetch(member, url + ".pdf").status_code == 404  # not final yet
    chair = signed_in(app, "chutich")  # reads the draft it will sign, cannot change it
    assert chair.get(url).status_code == 200 and "Save draft" not in chair.get(url).text
    assert chair.post(url, data={"conclusions": "Của chủ trì"}).status_code == 403
    minutes_service.save_draft(actor(), held_meeting, CONCLUSIONS)
    minutes_service.finalise_minutes(actor(), held_meeting)
    db.session.commit()
    assert fetch(member, url + ".pdf").status_code == 200
    assert fetch(signed_in(app, "phogiamdoc"), url + ".pdf").status_code == 403  # not invited


def test_the_pdf_records_attendance_documents_speeches_votes_and_conclusions(held_meeting):
    minutes_service.save_draft(actor(), held_meeting, CONCLUSIONS)
    minutes = minutes_service.finalise_minutes(actor(), held_meeting)
    text = pdf_text(blob_store().path_for(minutes.pdf_sha256).read_bytes())
    for name in ("Trần Văn Minh", "Daibieu1", "Daibieu3", "Khach", "Nguyễn Thị Thu"):
        assert name in text
    for status in ("Có mặt", "Vắng mặt", "Rời cuộc họp", "Đến muộn", "Không điểm danh"):
        assert status in text
    assert "Nghỉ ốm" in text
    assert "Daibieu4 cử Phó Giám đốc Sở dự thay. Lý do: Đi công tác." in text
    assert "3/5 thành viên tính túc số có mặt (cần tối thiểu 3) - đủ túc số" in text
    document = held_meeting.agenda_items[0].documents[0]
    for version in document.versions:
        assert f"SHA-256: {version.sha256}" in text
    assert "phiên bản 2 (hiện hành), 3 trang" in text
    assert "Daibieu2" in text and "Về tiến độ giải ngân" in text
    assert "Biểu quyết 1: Thông qua báo cáo quý III?" in text
    assert "Đồng ý 3 75,00%" in text and "Không đồng ý 1 25,00%" in text
    assert "4/4 người có quyền biểu quyết đã biểu quyết; 5 người có mặt" in text
    assert "Phó Giám đốc Sở (thay Daibieu4) Đồng ý" in text
    assert "Biểu quyết 2: Đề nghị khen thưởng tập thể?" in text and "bỏ phiếu kín" in text
    assert text.count("Phiếu biểu quyết ghi danh") == 1  # the secret vote names nobody
    assert "Thống nhất thông qua báo cáo quý III." in text
    assert "CHỦ TRÌ" in text and "THƯ KÝ" in text


def test_the_final_pdf_passes_our_own_upload_screening(app, held_meeting, tmp_path):
    minutes_service.save_draft(actor(), held_meeting, CONCLUSIONS)
    minutes = minutes_service.finalise_minutes(actor(), held_meeting)
    path = blob_store().path_for(minutes.pdf_sha256)
    screened = screen_pdf(path, workdir=tmp_path)
    assert screened.stripped == () and screened.output_path is None  # stored as is
    assert screened.page_count == len(pages(path.read_bytes()))


def test_long_tables_break_across_pages_with_their_headings(held_meeting):
    data = minutes_service.minutes_data(held_meeting)
    crowd = tuple(
        replace(data.attendance[1], name=f"Đại biểu số {n}", reason="") for n in range(1, 121)
    )
    pdf = minutes_pdf.render_minutes(replace(data, attendance=crowd))
    texts = [page.extract_text() or "" for page in pages(pdf)]
    with_table = [t for t in texts if "Đại biểu số" in t]
    assert len(with_table) >= 3
    assert all("Họ và tên" in t and "DỰ THẢO" in t for t in with_table)
    assert "Đại biểu số 120" in " ".join(texts)


def test_readers_without_clearance_get_an_extract_without_confidential_sections(
    app, published_meeting
):
    """They were given the full minutes: a confidential item, its speech and its vote."""
    meeting, desk, chair = _meeting_with_a_confidential_item()
    minutes_service.save_draft(desk, meeting, CONCLUSIONS)
    minutes_service.finalise_minutes(desk, meeting)
    db.session.commit()
    url = f"/meetings/{meeting.id}/minutes.pdf"
    secrets = ("Phương án nhân sự", "Đồng ý phương án nhân sự?", "Về nhân sự cấp phòng")

    extract = fetch(signed_in(app, "daibieu2"), url)
    assert extract.status_code == 200
    assert "ban-trich" in extract.headers["Content-Disposition"]
    text = pdf_text(extract.data)
    assert [secret for secret in secrets if secret in text] == []
    assert "bản trích, không gồm nội dung mật" in text
    assert "Thông qua báo cáo quý III?" in text and "Thống nhất thông qua" in text

    for cleared in ("daibieu1", "chutich", "thuky"):  # cleared, the chair, the secretariat
        full = pdf_text(fetch(signed_in(app, cleared), url).data)
        assert all(secret in full for secret in secrets), cleared


def _meeting_with_a_confidential_item():
    """Held and ended: a public vote, and on a confidential item a speech and a vote;
    daibieu1 is cleared for confidential items, daibieu2 is not."""
    meeting = db.session.scalars(select(Meeting)).one()
    desk, chair = actor(), actor("chutich")
    public = meeting.agenda_items[0]
    secret = add_item(desk, meeting, title="Phương án nhân sự", confidential=True)
    update_invitation(
        desk, invitation(meeting, "daibieu1"), role="member", seat="1", may_view_confidential=True
    )
    start_meeting(desk, meeting)
    for name in ("chutich", "daibieu1", "daibieu2"):
        attendance.check_in(desk, invitation(meeting, name), method=CheckInMethod.TABLET)
    speaker = invitation(meeting, "daibieu1")
    turn = speaking.request_to_speak(
        actor("daibieu1"), speaker, item=secret, topic="Về nhân sự cấp phòng"
    )
    speaking.give_floor(chair, turn)
    speaking.end_floor(chair, turn)
    questions = ((public, "Thông qua báo cáo quý III?"), (secret, "Đồng ý phương án nhân sự?"))
    for item, question in questions:
        vote = votes.open_vote(chair, item, question)
        votes.cast_ballot(chair, vote, 0)
        votes.close_vote(chair, vote)
    end_meeting(chair, meeting)
    db.session.commit()
    return meeting, desk, chair
