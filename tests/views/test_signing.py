"""Signing over HTTP: send a PDF with a route, the inbox, sign with the PIN, return, batch."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from meeting_server.extensions import db, socketio
from meeting_server.models import Role, SigningRequest
from meeting_server.services import signatures
from meeting_server.storage import blob_store
from tests.support.clients import fetch, signed_in
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import PIN, enrol_route_people, with_internal_ca


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    app_config["SIGNING_PIN_LIMIT"] = "3 per 15 minutes"
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def people(app, secretary, chair, create_user):
    enrol_route_people(app, create_user)
    create_user("nguoingoai", Role.PARTICIPANT)


def ids(app, *usernames: str) -> list[str]:
    with app.app_context():
        return [str(actor(name).id) for name in usernames]


def send(app, title: str = "Quyết định số 12", **extra) -> int:
    """As the secretary, upload a PDF for chair → vice-chair → seal; return the request id."""
    chair, vice, clerk = ids(app, "chutich", "phochutich", "vanthu")
    form = {
        "title": title,
        "message": "Kính trình.",
        "due_at": "2099-01-31T17:00",
        "signer": [chair, vice, ""],
        "signer_page": ["", "", ""],
        "signer_box": ["", "", ""],
        "seal": clerk,
        "seal_page": "",
        "seal_box": "",
        "file": (io.BytesIO(simple_pdf(2)), "quyet-dinh.pdf"),
        **extra,
    }
    answer = signed_in(app, "thuky").post("/signing/new", data=form)
    assert answer.status_code == 302, answer.text[:500]
    return int(answer.headers["Location"].rstrip("/").split("/")[-1])


def sign(app, username: str, request_id: int, pin: str = PIN):
    return signed_in(app, username).post(f"/signing/{request_id}/sign", json={"pin": pin})


def test_a_document_goes_from_upload_to_fully_signed(app, people):
    request_id = send(app)
    inbox = signed_in(app, "chutich").get("/signing/").text
    assert "Quyết định số 12" in inbox
    assert "Quyết định số 12" not in signed_in(app, "phochutich").get("/signing/").text
    for username in ("chutich", "phochutich", "vanthu"):
        answer = sign(app, username, request_id)
        assert answer.status_code == 200 and answer.json["ok"], answer.json
    assert answer.json["status"] == "completed"
    page = signed_in(app, "thuky").get(f"/signing/{request_id}").text
    assert "Fully signed" in page
    pdf = fetch(signed_in(app, "thuky"), f"/signing/{request_id}/document.pdf").data
    with app.app_context():
        assert signatures.verify_document(pdf).all_valid


def test_a_stamp_placed_by_the_sender_lands_there(app, people):
    chair, vice, clerk = ids(app, "chutich", "phochutich", "vanthu")
    request_id = send(app, signer_page=["0", "", ""], signer_box=["100,500,270,580", "", ""])
    with app.app_context():
        step = db.session.get(SigningRequest, request_id).steps[0]
        assert (step.page, step.box) == (0, (100.0, 500.0, 270.0, 580.0))
    del chair, vice, clerk


def test_wrong_pins_are_refused_then_paused_and_change_nothing(app, people):
    request_id = send(app)
    for left in ("2 more times", "1 more time"):
        answer = sign(app, "chutich", request_id, pin="999999")
        assert answer.status_code == 403 and "Wrong PIN" in answer.json["error"]
        assert f"You may try {left}." in answer.json["error"]
    last = sign(app, "chutich", request_id, pin="999999")
    assert last.status_code == 429 and "signing is paused until" in last.json["error"]
    answer = sign(app, "chutich", request_id)  # the right PIN, but too late: paused
    assert answer.status_code == 429 and "Too many wrong PINs" in answer.json["error"]
    page = signed_in(app, "chutich").get(f"/signing/{request_id}").text
    assert "signing is paused until" in page  # the signer sees until when, before typing
    with app.app_context():
        request = db.session.get(SigningRequest, request_id)
        assert len(request.versions) == 1 and request.steps[0].status == "pending"
    assert sign(app, "phochutich", request_id).status_code == 409  # others are not paused


def test_only_the_current_signer_may_sign_and_outsiders_cannot_look(app, people):
    request_id = send(app)
    assert sign(app, "phochutich", request_id).status_code == 409
    assert signed_in(app, "nguoingoai").get(f"/signing/{request_id}").status_code == 403
    assert (
        fetch(signed_in(app, "nguoingoai"), f"/signing/{request_id}/document.pdf").status_code
        == 403
    )
    assert signed_in(app, "nguoingoai").get("/signing/new").status_code == 403


def test_the_return_path_reaches_the_sender_with_the_comment(app, people):
    request_id = send(app)
    leader = signed_in(app, "chutich")
    assert leader.post(f"/signing/{request_id}/return", data={"comment": ""}).status_code == 303
    answer = leader.post(
        f"/signing/{request_id}/return", data={"comment": "Bổ sung căn cứ pháp lý."}
    )
    assert answer.status_code == 302
    page = signed_in(app, "thuky").get(f"/signing/{request_id}").text
    assert "Returned" in page and "Bổ sung căn cứ pháp lý." in page
    assert "Returned to you" in signed_in(app, "thuky").get("/signing/").text


def test_several_documents_are_signed_in_one_batch_with_progress(app, people):
    first, second = send(app, "Văn bản A"), send(app, "Văn bản B")
    answer = signed_in(app, "chutich").post(
        "/signing/batch", json={"ids": [first, second], "pin": PIN}
    )
    lines = [json.loads(line) for line in answer.data.decode().splitlines()]
    assert [(line["done"], line["total"], line["ok"]) for line in lines] == [
        (1, 2, True),
        (2, 2, True),
    ]
    with app.app_context():
        for request_id in (first, second):
            assert len(db.session.get(SigningRequest, request_id).versions) == 2
    wrong = signed_in(app, "phochutich").post("/signing/batch", json={"ids": [first], "pin": "1"})
    assert wrong.status_code == 403


def test_the_next_signer_is_told_live(app, people):
    request_id = send(app)
    http = signed_in(app, "phochutich")
    tablet = socketio.test_client(app, flask_test_client=http)
    assert tablet.is_connected()
    tablet.get_received()
    sign(app, "chutich", request_id)
    received = [m for m in tablet.get_received() if m["name"] == "inbox_changed"]
    assert received and received[0]["args"][0] == {"request_id": request_id}
    tablet.disconnect()


def test_finalised_minutes_are_sent_with_their_route(app, people, published_meeting):
    from meeting_server.services.minutes import finalise_minutes, save_draft
    from meeting_server.services.presentations import end_meeting, start_meeting

    with app.app_context():
        meeting = db.session.merge(published_meeting)
        start_meeting(actor("chutich"), meeting)
        end_meeting(actor("chutich"), meeting)
        save_draft(actor("thuky"), meeting, "Thống nhất thông qua.")
        minutes = finalise_minutes(actor("thuky"), meeting)
        db.session.commit()
        minutes_id, sha, meeting_id = minutes.id, minutes.pdf_sha256, meeting.id
    page = signed_in(app, "thuky").get(f"/meetings/{meeting_id}/minutes").text
    assert f'href="/signing/new?minutes={minutes_id}"' in page
    form = signed_in(app, "thuky").get(f"/signing/new?minutes={minutes_id}").text
    assert "Minutes:" in form and sha[:16] in form
    chair, secretary, clerk = ids(app, "chutich", "thuky", "vanthu")
    answer = signed_in(app, "thuky").post(
        "/signing/new",
        data={
            "minutes_id": str(minutes_id),
            "title": "Biên bản",
            "due_at": "2099-01-31T17:00",
            "signer": [chair, ""],
            "seal": clerk,
        },
    )
    assert answer.status_code == 302, answer.text[:400]
    with app.app_context():
        request = db.session.scalars(select(SigningRequest)).one()
        assert request.minutes_id == minutes_id and request.source_sha256 == sha
        assert blob_store().exists(request.latest.sha256)
    page = signed_in(app, "thuky").get(f"/meetings/{meeting_id}/minutes").text
    assert 'data-testid="minutes-signing"' in page and "send-minutes" not in page
    del secretary


def test_one_count_of_wrong_pins_for_every_way_of_signing(app, people):
    """A PIN refused on one document counts against the batch too (it gave 5 more before)."""
    first, second = send(app, "Văn bản A"), send(app, "Văn bản B")
    leader = signed_in(app, "chutich")
    assert "3 more times before signing pauses" in leader.get("/signing/").text
    assert sign(app, "chutich", first, pin="111111").status_code == 403
    assert sign(app, "chutich", second, pin="222222").status_code == 403
    assert "1 more time before signing pauses" in leader.get("/signing/").text
    wrong = leader.post("/signing/batch", json={"ids": [first, second], "pin": "333333"})
    assert wrong.status_code == 429
    right = leader.post("/signing/batch", json={"ids": [first, second], "pin": PIN})
    assert right.status_code == 429 and "paused until" in right.json["error"]
    with app.app_context():
        for request_id in (first, second):
            assert len(db.session.get(SigningRequest, request_id).versions) == 1


def test_a_route_signature_is_timestamped_by_the_internal_ca(app, people):
    request_id = send(app)
    assert sign(app, "chutich", request_id).json["ok"]
    with app.app_context():
        latest = db.session.get(SigningRequest, request_id).latest
        data = blob_store().path_for(latest.sha256).read_bytes()
        [report] = signatures.verify_stored_document(data).signatures
    assert report.valid and report.pades_level == "B-T" and report.timestamp is not None


def test_the_last_signature_makes_the_document_long_term(app, people):
    """After the seal: validation data in the DSS and a document timestamp (B-LTA)."""
    request_id = send(app)
    for username in ("chutich", "phochutich", "vanthu"):
        assert sign(app, username, request_id).json["ok"]
    with app.app_context():
        versions = db.session.get(SigningRequest, request_id).versions
        data = blob_store().path_for(versions[-1].sha256).read_bytes()
        before = blob_store().path_for(versions[-2].sha256).read_bytes()
        report = signatures.verify_stored_document(data)
    assert data.startswith(before)  # the chair's and vice-chair's signatures are untouched
    assert report.all_valid, [s.reason_en for s in report.signatures]
    assert [s.pades_level for s in report.signatures] == ["B-LTA"] * 3


def test_the_clerks_seal_numbers_the_document_in_the_register(app, people):
    first = send(app, kind="decision")
    second = send(app, title="Quyết định số 13", kind="decision")
    for request_id in (first, second):
        for username in ("chutich", "phochutich"):
            assert sign(app, username, request_id).json["ok"]
    clerk = signed_in(app, "vanthu")
    page = clerk.get(f"/signing/{second}").text
    assert "register as No. 01/QĐ-UBND" in page  # the next number, before anyone seals
    assert sign(app, "vanthu", second).json["ok"]
    assert sign(app, "vanthu", first).json["ok"]
    assert "No. 01/QĐ-UBND, issued" in clerk.get(f"/signing/{second}").text
    assert "No. 02/QĐ-UBND, issued" in signed_in(app, "thuky").get(f"/signing/{first}").text
    refused = signed_in(app, "thuky").post("/signing/new", data={"kind": "memo"})
    assert refused.status_code == 400 and "Choose a kind of document" in refused.text
