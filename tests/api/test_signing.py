"""An integration sends documents for signing and follows them, and reads tasks, through the
API; a key is rate-limited."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import SigningRequest
from meeting_server.services.signing_requests import sign_step
from tests.support.pdf_samples import javascript_pdf, simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import PIN, english, enrol_route_people, with_internal_ca


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def route_people(app, secretary, chair, create_user):
    enrol_route_people(app, create_user)
    with app.app_context():
        return {name: actor(name).id for name in ("chutich", "phochutich", "vanthu")}


def _send(api, people, pdf: bytes, **fields):
    form = {
        "title": "Quyết định phê duyệt kế hoạch",
        "due_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        "signer_ids": [str(people["chutich"]), str(people["phochutich"])],
        "seal_clerk_id": str(people["vanthu"]),
        "kind": "decision",
        **fields,
    }
    form["file"] = (io.BytesIO(pdf), "quyet-dinh.pdf")
    return api.post("/api/v1/signing-requests", data=form, content_type="multipart/form-data")


def test_a_document_sent_through_the_api_is_signed_and_checked(
    app, api_as, secretary, route_people
):
    api = api_as(secretary, "signing:read", "signing:write")
    sent = _send(api, route_people, simple_pdf(2))
    assert sent.status_code == 201, sent.get_json()
    request = sent.get_json()
    assert [s["kind"] for s in request["steps"]] == ["signer", "signer", "seal"]
    assert request["status"] == "in_progress" and request["register_number"] is None
    with english(app):
        stored = db.session.get(SigningRequest, request["id"])
        for username, step in zip(("chutich", "phochutich", "vanthu"), stored.steps, strict=True):
            sign_step(actor(username), step, pin=PIN)
            db.session.commit()
    done = api.get(f"/api/v1/signing-requests/{request['id']}").get_json()
    assert done["status"] == "completed" and done["register_number"].endswith("/QĐ-UBND")
    assert [s["status"] for s in done["steps"]] == ["signed", "signed", "signed"]
    pdf = api.get(done["document_url"])
    assert pdf.status_code == 200 and pdf.headers["ETag"].strip('"') == done["latest_sha256"]
    pdf.close()
    checked = api.get(f"/api/v1/signing-requests/{request['id']}/validation").get_json()
    assert checked["all_valid"] and not checked["changed_after_signing"]
    assert [s["verdict"] for s in checked["signatures"]] == ["valid", "valid", "valid"]


def test_a_route_the_pages_would_refuse_is_refused_with_the_reason(
    app, api_as, secretary, route_people, create_user
):
    api = api_as(secretary, "signing:read", "signing:write")
    plain = create_user("daibieu5", full_name="Không Có Khóa")
    cases = {
        "signer_ids": _send(api, route_people, simple_pdf(1), signer_ids=[str(plain.id)]),
        "due_at": _send(api, route_people, simple_pdf(1), due_at="2001-01-01T00:00:00+00:00"),
        "file": _send(api, route_people, javascript_pdf()),
    }
    assert cases["signer_ids"].status_code == 400
    assert "cannot sign" in cases["signer_ids"].get_json()["detail"]
    assert cases["due_at"].get_json()["errors"][0]["field"] == "due_at"
    assert cases["file"].status_code == 422
    assert cases["file"].get_json()["code"] == "upload_refused"
    with app.app_context():
        assert db.session.scalars(select(SigningRequest)).all() == []


def test_only_the_requests_the_owner_may_see_are_listed(
    app, api_as, secretary, route_people, create_user
):
    sent = _send(api_as(secretary), route_people, simple_pdf(1)).get_json()
    stranger = create_user("khach2", full_name="Khách")
    assert api_as(stranger).get("/api/v1/signing-requests").get_json()["data"] == []
    assert api_as(stranger).get(f"/api/v1/signing-requests/{sent['id']}").status_code == 403
    with app.app_context():
        signer = db.session.get(type(stranger), route_people["phochutich"])
    listed = api_as(signer, "signing:read").get("/api/v1/signing-requests").get_json()
    assert [r["id"] for r in listed["data"]] == [sent["id"]]


def test_a_key_over_its_rate_limit_is_told_when_to_come_back(make_app, secretary):
    from tests.support.api import ApiClient, issue_key

    app = make_app(API_RATE_LIMIT="3 per minute")
    api = ApiClient(app.test_client(), issue_key(app, secretary))
    answers = [api.get("/api/v1/rooms") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].get_json()["code"] == "rate_limited"
    assert int(answers[-1].headers["Retry-After"]) > 0
    other = ApiClient(app.test_client(), issue_key(app, secretary, name="Hệ thống khác"))
    assert other.get("/api/v1/rooms").status_code == 200  # counted per key


def test_tasks_are_listed_as_the_pages_show_them(app, api_as, secretary, chair, create_user):
    from meeting_server.models import ConclusionItem, ConclusionNotice, utcnow
    from meeting_server.services.tasks import open_task, vietnam_today

    member = create_user("daibieu7", full_name="Người Sở", unit="Sở Tài chính")
    outsider = create_user("daibieu8", full_name="Người Khác", unit="Sở Y tế")
    meeting = _meeting_with_notice(app, secretary, chair)
    with app.app_context():
        notice = ConclusionNotice(
            meeting_id=meeting, concluded_by_id=chair.id, created_by_id=secretary.id
        )
        item = ConclusionItem(
            position=1,
            text="Rà soát dự toán",
            owner_unit="Sở Tài chính",
            deadline=vietnam_today() + timedelta(days=5),
        )
        notice.items.append(item)
        db.session.add(notice)
        db.session.flush()
        task = open_task(item, actor("chutich"), meeting, utcnow())
        db.session.commit()
        task_id = task.id
    mine = api_as(member, "tasks:read").get("/api/v1/tasks").get_json()["data"]
    assert [t["id"] for t in mine] == [task_id] and mine[0]["owner_unit"] == "Sở Tài chính"
    assert api_as(outsider, "tasks:read").get("/api/v1/tasks").get_json()["data"] == []
    assert api_as(outsider, "tasks:read").get(f"/api/v1/tasks/{task_id}").status_code == 403


def _meeting_with_notice(app, secretary, chair) -> int:
    from meeting_server.services.meetings import create_meeting
    from meeting_server.services.rooms import create_room

    with app.app_context():
        room = create_room(None, name="Phòng 2", location="", seat_count=10)
        start = datetime.now(UTC) - timedelta(days=1)
        meeting = create_meeting(
            actor("thuky"),
            title="Họp đã xong",
            room=room,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            chair=actor("chutich"),
        )
        db.session.commit()
        return meeting.id
