"""The signing route engine: submit, sign in order, seal, return, concurrency, reminders, audit."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import (
    AuditEvent,
    InboxNotice,
    RequestStatus,
    SigningRequest,
    StepKind,
    StepStatus,
    utcnow,
)
from meeting_server.services import route_pdf, signatures
from meeting_server.services.certificates import WrongSecret
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.signing_archive import due_for_renewal
from meeting_server.services.signing_reminders import remind_overdue
from meeting_server.services.signing_requests import (
    RouteEntry,
    return_request,
    sign_step,
    submit_request,
)
from meeting_server.storage import blob_store
from signing.longterm import archive_ends
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import PIN, english, enrol_route_people, with_internal_ca


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def people(app, secretary, chair, create_user):
    """The sender, two leaders and a clerk, each leader and the clerk enrolled."""
    enrol_route_people(app, create_user)


def submit(title: str = "Quyết định phê duyệt kế hoạch") -> SigningRequest:
    outcome = submit_request(
        actor("thuky"),
        title=title,
        message="Kính trình lãnh đạo ký.",
        due_at=utcnow() + timedelta(days=2),
        pdf=simple_pdf(2),
        file_name="quyet-dinh.pdf",
        route=[
            RouteEntry(actor("chutich")),
            RouteEntry(actor("phochutich")),
            RouteEntry(actor("vanthu"), StepKind.SEAL),
        ],
    )
    db.session.commit()
    return outcome.request


def latest_bytes(request: SigningRequest) -> bytes:
    return blob_store().path_for(request.latest.sha256).read_bytes()


def test_a_document_is_signed_in_order_then_sealed_and_verifies(app, people):
    with english(app):
        request = submit()
        assert [s.status for s in request.steps] == ["pending", "waiting", "waiting"]
        prepared = latest_bytes(request)
        assert route_pdf.route_field_state(prepared) == {
            "signer1": False,
            "signer2": False,
            "seal3": False,
        }
        with pytest.raises(NotAllowed):  # not their turn: the view refuses, the service too
            sign_step(actor("phochutich"), request.steps[1], pin=PIN)
        for username, step in zip(("chutich", "phochutich", "vanthu"), request.steps, strict=True):
            sign_step(actor(username), step, pin=PIN)
            db.session.commit()
        assert request.status == RequestStatus.COMPLETED
        assert [v.number for v in request.versions] == [0, 1, 2, 3]
        report = signatures.verify_document(latest_bytes(request))
        assert report.all_valid, report.to_text("en")
        assert [s.field_name for s in report.signatures] == ["signer1", "signer2", "seal3"]
        assert "Trần Văn Minh" in report.signatures[0].signer


def test_the_next_signer_and_the_sender_are_told(app, people):
    with english(app):
        request = submit()
        kinds = lambda username: [  # noqa: E731
            n.kind
            for n in db.session.scalars(
                select(InboxNotice).where(InboxNotice.user_id == actor(username).id)
            )
        ]
        assert kinds("chutich") == ["your_turn"]
        outcome = sign_step(actor("chutich"), request.steps[0], pin=PIN)
        db.session.commit()
        # the next signer, the sender, and the signer's own other pages
        assert outcome.notify == {actor(name).id for name in ("phochutich", "thuky", "chutich")}
        assert kinds("phochutich") == ["your_turn"]
        assert kinds("thuky") == ["signed"]


def test_a_wrong_pin_changes_nothing(app, people):
    with english(app):
        request = submit()
        before = request.latest.sha256
        with pytest.raises(WrongSecret, match="Wrong PIN"):
            sign_step(actor("chutich"), request.steps[0], pin="000000")
        db.session.rollback()
        assert request.steps[0].status == StepStatus.PENDING
        assert request.latest.sha256 == before and len(request.versions) == 1


def test_every_signature_is_in_the_audit_log_with_hashes_and_certificate(app, people):
    with english(app):
        request = submit()
        sign_step(actor("chutich"), request.steps[0], pin=PIN)
        db.session.commit()
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "signing.signed")
        ).one()
        details = json.loads(event.details)
        assert event.actor_id == actor("chutich").id
        assert details["sha256_before"] == request.versions[0].sha256
        assert details["sha256_after"] == request.versions[1].sha256
        assert len(details["certificate_sha256"]) == 64


def test_a_returned_document_stops_and_goes_back_to_the_sender(app, people):
    with english(app):
        request = submit()
        with pytest.raises(ServiceError, match="why"):
            return_request(actor("chutich"), request.steps[0], "  ")
        return_request(actor("chutich"), request.steps[0], "Sửa lại số liệu ở mục 2.")
        db.session.commit()
        assert request.status == RequestStatus.RETURNED
        assert request.steps[0].comment == "Sửa lại số liệu ở mục 2."
        with pytest.raises(NotAllowed):
            sign_step(actor("chutich"), request.steps[0], pin=PIN)


def test_two_presses_on_the_same_step_make_exactly_one_signature(app, people):
    """Two sessions of the signer press Sign at once: one signature, one clear refusal."""
    with english(app):
        request_id = submit().id
    results: list[str] = []

    def press() -> None:
        with english(app):
            request = db.session.get(SigningRequest, request_id)
            try:
                sign_step(actor("chutich"), request.steps[0], pin=PIN)
                db.session.commit()
                results.append("signed")
            except NotAllowed as refusal:
                db.session.rollback()
                results.append(str(refusal))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results)[-1] == "signed" and results.count("signed") == 1, results
    with english(app):
        request = db.session.get(SigningRequest, request_id)
        assert [v.number for v in request.versions] == [0, 1]
        assert request.steps[1].status == StepStatus.PENDING


def test_overdue_steps_get_one_reminder_a_day(app, people):
    with english(app):
        request = submit()
        request.due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        assert remind_overdue() == {(actor("chutich").id, request.id)}
        assert remind_overdue() == set()  # not twice the same day
        assert remind_overdue(utcnow() + timedelta(hours=25)) == {(actor("chutich").id, request.id)}


def test_a_route_must_end_with_the_seal(app, people):
    with english(app), pytest.raises(ServiceError, match="seal"):
        submit_request(
            actor("thuky"),
            title="X",
            message="",
            due_at=utcnow() + timedelta(days=1),
            pdf=simple_pdf(1),
            file_name="x.pdf",
            route=[RouteEntry(actor("chutich"))],
        )


def test_the_remind_command_reminds_overdue_signers_once(app, people, runner):
    with english(app):
        request = submit()
        request.due_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    assert "Reminders sent: 1" in runner.invoke(args=["signing", "remind"]).output
    assert "Reminders sent: 0" in runner.invoke(args=["signing", "remind"]).output
    with english(app):
        notice = db.session.scalars(select(InboxNotice).where(InboxNotice.kind == "reminder")).one()
        assert notice.user_id == actor("chutich").id


def sign_all(request: SigningRequest) -> None:
    for username, step in zip(("chutich", "phochutich", "vanthu"), request.steps, strict=True):
        sign_step(actor(username), step, pin=PIN)
        db.session.commit()


def test_archive_timestamps_are_renewed_before_they_stop_protecting(app, people, runner):
    with english(app):
        request = submit()
        sign_all(request)
        ends = archive_ends(latest_bytes(request))
        assert ends is not None  # long-term since the seal, protected until the TSA's end
        assert due_for_renewal() == []  # years left
        years = ends - utcnow() + timedelta(days=1)
        assert [r.request_id for r in due_for_renewal(years)] == [request.id]
        before = latest_bytes(request)
    listed = runner.invoke(args=["signing", "archive-refresh", "--within-days", str(years.days)])
    assert listed.exit_code == 0 and f"request {request.id} → version 4" in listed.output
    with english(app):
        request = db.session.get(SigningRequest, request.id)
        renewed = latest_bytes(request)
        assert renewed.startswith(before) and request.latest.step_id is None
        report = signatures.verify_document(renewed)
        assert report.all_valid and {s.pades_level for s in report.signatures} == {"B-LTA"}
        audit = select(AuditEvent).where(AuditEvent.action == "signing.archive_renewed")
        assert db.session.scalar(audit).object_id == request.id


def test_a_document_completed_without_a_timestamp_becomes_long_term(app, people, runner):
    with english(app):
        app.config["CA_PASSPHRASE_FILE"] = "/nonexistent"  # no internal TSA then: B-B
        request = submit()
        sign_all(request)
        assert archive_ends(latest_bytes(request)) is None
        app.config["CA_PASSPHRASE_FILE"] = str(Path(app.config["CA_DIR"]).parent / "ca-passphrase")
    dry = runner.invoke(args=["signing", "archive-refresh", "--dry-run"])
    assert "not long-term yet" in dry.output and "1 document(s) due." in dry.output
    assert runner.invoke(args=["signing", "archive-refresh"]).exit_code == 0
    with english(app):
        request = db.session.get(SigningRequest, request.id)
        assert archive_ends(latest_bytes(request)) is not None
        assert signatures.verify_document(latest_bytes(request)).all_valid
