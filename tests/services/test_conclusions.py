"""The conclusion notice: drafted from the minutes, checked, signed by the leader who
concluded, sealed and numbered "TB" by the clerk — and only then its tasks open."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import (
    ConclusionNotice,
    NoticeStatus,
    RegisterEntry,
    Task,
    TaskStatus,
    utcnow,
)
from meeting_server.services import conclusions as service
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.minutes import save_draft
from meeting_server.services.presentations import end_meeting, start_meeting
from meeting_server.services.signing_requests import reserve_number, return_request, sign_step
from meeting_server.services.tasks import vietnam_today
from tests.support.people import actor
from tests.support.signing_setup import PIN, english, enrol_route_people, with_internal_ca

LATER = date.today() + timedelta(days=60)  # a deadline any draft may have
CONCLUSIONS = """1. Giao Sở Tài chính rà soát dự toán ngân sách quý IV.
- Giao UBND phường Bến Nghé hoàn thành giải phóng mặt bằng.

Các đơn vị nghiêm túc thực hiện."""


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def held(app, published_meeting, create_user):
    """The meeting held and ended, its conclusions in the minutes; two units with people."""
    enrol_route_people(app, create_user)
    create_user("ketoan", full_name="Lê Thị Kế Toán", unit="Sở Tài chính")
    create_user("phuong", full_name="Võ Văn Phường", unit="UBND phường Bến Nghé")
    with english(app):
        meeting = db.session.merge(published_meeting)
        start_meeting(actor("chutich"), meeting)
        end_meeting(actor("chutich"), meeting)
        save_draft(actor("thuky"), meeting, CONCLUSIONS)
        db.session.commit()
        yield meeting


def two_tasks() -> list[service.ItemInput]:
    soon = vietnam_today() + timedelta(days=14)
    return [
        service.ItemInput(
            "Rà soát dự toán ngân sách quý IV", "Sở Tài chính", actor("ketoan").id, soon,
            "Báo cáo rà soát",
        ),
        service.ItemInput("Giải phóng mặt bằng", "UBND phường Bến Nghé", None, soon),
        service.ItemInput("Các đơn vị nghiêm túc thực hiện."),
    ]  # fmt: skip


def save(notice: ConclusionNotice, items: list[service.ItemInput]) -> ConclusionNotice:
    return service.save_notice(
        actor("thuky"), notice, concluded_by=actor("chutich"), preamble="Mở đầu",
        recipients="", items=items,
    )  # fmt: skip


def test_the_draft_starts_from_the_minutes_one_item_per_line(held):
    notice = service.start_notice(actor("thuky"), held)
    assert [item.text for item in notice.items] == [
        "Giao Sở Tài chính rà soát dự toán ngân sách quý IV.",
        "Giao UBND phường Bến Nghé hoàn thành giải phóng mặt bằng.",
        "Các đơn vị nghiêm túc thực hiện.",
    ]
    assert notice.concluded_by_id == actor("chutich").id
    assert service.start_notice(actor("thuky"), held).id == notice.id  # one per meeting


def test_a_meeting_not_over_has_no_notice_yet(app, published_meeting):
    with english(app), pytest.raises(NotAllowed):
        service.start_notice(actor("thuky"), db.session.merge(published_meeting))


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (service.ItemInput("Việc", "Sở Không Có"), "choose the unit"),
        (service.ItemInput("Việc", "Sở Tài chính"), "give it a deadline"),
        (service.ItemInput("Việc", "", None, LATER), "choose the unit"),
        (service.ItemInput("  ", "Sở Tài chính", None, LATER), "is empty"),
        (
            service.ItemInput(
                "Việc", "Sở Tài chính", None, date.today() + timedelta(days=20 * 366)
            ),
            "within five years",
        ),
    ],
)
def test_an_item_that_does_not_add_up_is_refused_with_its_number(held, item, message):
    notice = service.start_notice(actor("thuky"), held)
    with pytest.raises(ServiceError, match=message):
        save(notice, [service.ItemInput("Đầu tiên"), item])


def test_the_person_in_charge_must_belong_to_the_unit(held):
    notice = service.start_notice(actor("thuky"), held)
    wrong = service.ItemInput("Việc", "Sở Tài chính", actor("phuong").id, LATER)
    with pytest.raises(ServiceError, match="belong to the unit"):
        save(notice, [wrong])


def send(notice: ConclusionNotice):
    outcome = service.send_notice(
        actor("thuky"), notice, clerk=actor("vanthu"), due_at=utcnow() + timedelta(days=2)
    )
    db.session.commit()
    return outcome.request


def test_tasks_open_only_when_the_seal_issues_the_notice(held):
    notice = save(service.start_notice(actor("thuky"), held), two_tasks())
    request = send(notice)
    assert notice.status == NoticeStatus.FINAL
    with pytest.raises(NotAllowed):
        save(notice, two_tasks())  # locked while it is signed
    chair_step, seal_step = request.steps
    assert chair_step.signer_id == notice.concluded_by_id
    sign_step(actor("chutich"), chair_step, pin=PIN)
    db.session.commit()
    assert db.session.scalars(select(Task)).all() == []
    reserve_number(actor("vanthu"), seal_step)
    db.session.commit()
    sign_step(actor("vanthu"), seal_step, pin=PIN)
    db.session.commit()
    assert notice.status == NoticeStatus.ISSUED
    entry = db.session.scalar(
        select(RegisterEntry).where(RegisterEntry.signing_request_id == request.id)
    )
    assert entry.notation.endswith("/TB-UBND")
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    assert [(t.owner_unit, t.status, t.assigned_by_id) for t in tasks] == [
        ("Sở Tài chính", TaskStatus.ASSIGNED, actor("chutich").id),
        ("UBND phường Bến Nghé", TaskStatus.ASSIGNED, actor("chutich").id),
    ]
    assert tasks[0].assignee_id == actor("ketoan").id
    assert tasks[0].expected_result == "Báo cáo rà soát"


def test_a_returned_notice_can_be_edited_again_and_assigns_nothing(held):
    notice = save(service.start_notice(actor("thuky"), held), two_tasks())
    request = send(notice)
    with pytest.raises(NotAllowed):
        service.reopen_notice(actor("thuky"), notice)  # still in progress
    return_request(actor("chutich"), request.steps[0], comment="Sửa thời hạn mục 2")
    db.session.commit()
    service.reopen_notice(actor("thuky"), notice)
    assert notice.status == NoticeStatus.DRAFT and notice.signing_request_id is None
    save(notice, two_tasks()[:1])
    assert db.session.scalars(select(Task)).all() == []


def test_a_deadline_already_past_stops_the_sending(held):
    items = two_tasks()
    notice = save(service.start_notice(actor("thuky"), held), items)
    notice.items[1].deadline = vietnam_today() - timedelta(days=1)
    with pytest.raises(ServiceError, match="Item 2 is due before the notice is signed"):
        send(notice)
    assert notice.status == NoticeStatus.DRAFT


def test_the_recipients_default_to_the_units_in_charge(held):
    notice = save(service.start_notice(actor("thuky"), held), two_tasks())
    assert service.recipients_of(notice) == ["Sở Tài chính", "UBND phường Bến Nghé"]
    notice.recipients = "- Thường trực Thành ủy;\n- Sở Tài chính;"
    assert service.recipients_of(notice) == ["Thường trực Thành ủy", "Sở Tài chính"]
