"""An integration prepares a meeting through /api/v1, as a secretary would on the pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Meeting, MeetingStatus
from tests.support.pdf_samples import simple_pdf


def _start(hours: int = 48) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)


def _new_meeting(api, room, chair, **fields):
    start = fields.pop("starts_at", _start())
    body = {
        "title": "Họp giao ban tháng 12",
        "room_id": room.id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "chair_id": chair.id,
        **fields,
    }
    return api.post("/api/v1/meetings", json=body)


def test_a_secretary_key_prepares_and_publishes_a_meeting(
    app, api_as, secretary, chair, participant, room
):
    api = api_as(secretary)
    created = _new_meeting(api, room, chair)
    assert created.status_code == 201, created.get_json()
    meeting = created.get_json()
    assert meeting["status"] == "draft" and meeting["room"]["name"] == "Phòng họp số 1"
    assert meeting["chair"]["full_name"] == "Trần Văn Minh"
    assert created.headers["Location"] == f"/api/v1/meetings/{meeting['id']}"
    base = f"/api/v1/meetings/{meeting['id']}"

    item = api.post(f"{base}/agenda-items", json={"title": "Báo cáo ngân sách"})
    assert item.status_code == 201, item.get_json()
    invited = api.post(f"{base}/participants", json={"person_ids": [participant.id]})
    assert invited.status_code == 200
    assert {p["person"]["full_name"] for p in invited.get_json()["data"]} >= {"Đỗ Văn An"}
    upload = api.post(
        f"/api/v1/agenda-items/{item.get_json()['id']}/documents",
        data={"file": (io.BytesIO(simple_pdf(3)), "du-toan.pdf"), "title": "Dự toán"},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    document = upload.get_json()
    assert document["versions"][0]["file_name"] == "du-toan.pdf"

    published = api.post(f"{base}/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    content = api.get(document["content_url"])
    assert content.status_code == 200 and content.data.startswith(b"%PDF")
    assert content.headers["ETag"].strip('"') == document["versions"][0]["sha256"]
    content.close()

    with app.app_context():
        stored = db.session.get(Meeting, meeting["id"])
        assert stored.status == MeetingStatus.PUBLISHED
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "meeting.publish")
        ).one()
        assert event.actor_id == secretary.id and '"via": "api-key:' in event.details


def test_a_participant_key_lists_only_the_published_meetings_they_are_invited_to(
    api_as, published_meeting, create_meeting_for, create_user
):
    create_meeting_for(title="Bản nháp", hours_from_now=72)  # only the secretariat sees drafts
    daibieu1 = next(i.user for i in published_meeting.invitations if i.user.username == "daibieu1")
    mine = api_as(daibieu1).get("/api/v1/meetings").get_json()
    assert [m["id"] for m in mine["data"]] == [published_meeting.id]
    stranger = create_user("ngoai", full_name="Người Khác")
    assert api_as(stranger).get("/api/v1/meetings").get_json()["data"] == []
    refused = api_as(stranger).get(f"/api/v1/meetings/{published_meeting.id}")
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["code"] == "forbidden"


def test_lists_are_paged_by_cursor_without_repeats_or_gaps(api_as, secretary, chair, room):
    api = api_as(secretary)
    for hours in (30, 10, 20, 40, 50):
        assert _new_meeting(api, room, chair, starts_at=_start(hours)).status_code == 201
    seen, cursor = [], None
    for _page in range(5):
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"/api/v1/meetings?{query}").get_json()
        seen += [m["starts_at"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


def test_a_cursor_that_was_not_given_is_refused_with_a_reason(api_as, secretary):
    api = api_as(secretary)
    for cursor in ("nonsense!", "WzFd", "eyJhIjogMX0", "WyIyMDI2LTAxLTAxIiwgMV0"):
        answer = api.get(f"/api/v1/meetings?cursor={cursor}")
        assert answer.status_code == 400, cursor
        problem = answer.get_json()
        assert problem["code"] == "invalid_request" and problem["errors"][0]["field"] == "cursor"


def test_a_retried_create_with_the_same_idempotency_key_makes_one_meeting(
    app, api_as, secretary, chair, room
):
    api = api_as(secretary)
    headers = {"Idempotency-Key": "8e0c1b7e-retry-1"}
    start = _start()
    first = _new_meeting(api, room, chair, starts_at=start)
    assert first.status_code == 201
    body = {
        "title": "Họp một lần",
        "room_id": room.id,
        "starts_at": (start + timedelta(hours=5)).isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
    }
    once = api.post("/api/v1/meetings", json=body, headers=headers)
    assert once.status_code == 201, once.get_json()
    again = api.post("/api/v1/meetings", json=body, headers=headers)
    assert once.status_code == again.status_code == 201
    assert once.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = api.post("/api/v1/meetings", json={**body, "title": "Khác"}, headers=headers)
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"
    with app.app_context():
        titles = db.session.scalars(select(Meeting.title)).all()
        assert titles.count("Họp một lần") == 1


def test_bad_input_names_each_field_and_changes_nothing(app, api_as, secretary, room):
    api = api_as(secretary)
    answer = api.post(
        "/api/v1/meetings",
        json={"title": "", "room_id": 0, "starts_at": "tomorrow", "extra": 1},
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert {"title", "room_id", "starts_at", "ends_at", "extra"} <= fields
    start = _start()
    backwards = {
        "title": "Ngược",
        "room_id": room.id,
        "starts_at": start.isoformat(),
        "ends_at": (start - timedelta(hours=1)).isoformat(),
    }
    refused = api.post("/api/v1/meetings", json=backwards)
    assert refused.status_code == 400 and refused.get_json()["detail"]
    with app.app_context():
        assert db.session.scalars(select(Meeting)).all() == []


def test_changing_a_meeting_keeps_what_is_not_sent(api_as, secretary, chair, room):
    api = api_as(secretary)
    meeting = _new_meeting(api, room, chair, description="Giữ nguyên").get_json()
    changed = api.patch(f"/api/v1/meetings/{meeting['id']}", json={"title": "Họp chuyên đề"})
    assert changed.status_code == 200, changed.get_json()
    after = changed.get_json()
    assert after["title"] == "Họp chuyên đề" and after["description"] == "Giữ nguyên"
    assert after["chair"]["id"] == chair.id and after["starts_at"] == meeting["starts_at"]


def test_problems_are_in_the_callers_language(api_as, secretary):
    api = api_as(secretary)
    english = api.get("/api/v1/meetings/999999", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert english.get_json()["detail"].startswith("There is no such object")
    vietnamese = api.get("/api/v1/meetings/999999", headers={"Accept-Language": "vi"})
    assert vietnamese.get_json()["code"] == "not_found"
    assert vietnamese.get_json()["title"] == "Not found"  # titles never change with the language
