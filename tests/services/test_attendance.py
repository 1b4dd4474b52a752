"""Attendance: check-in, absence, delegation, late arrivals and the quorum."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AttendanceStatus, CheckInMethod, MeetingEvent
from meeting_server.services import attendance
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.presentations import start_meeting
from tests.support.people import actor, invitation


@pytest.fixture
def meeting(published_meeting):
    return published_meeting


def test_members_count_toward_the_quorum_guests_and_secretaries_do_not(meeting):
    rights = {i.user.username: (i.counts_toward_quorum, i.may_vote) for i in meeting.invitations}
    assert rights["chutich"] == rights["daibieu1"] == (True, True)
    assert rights["khach"] == rights["thuky"] == (False, False)
    assert attendance.quorum_of(meeting) == attendance.Quorum(members=5, present=0, required=3)


def test_quorum_counts_present_online_and_arrived_deputies(meeting):
    desk = actor()
    attendance.check_in(desk, invitation(meeting, "chutich"), method=CheckInMethod.ROLL_CALL)
    attendance.check_in(desk, invitation(meeting, "daibieu1"), method=CheckInMethod.QR, online=True)
    attendance.check_in(desk, invitation(meeting, "khach"), method=CheckInMethod.TABLET)
    attendance.delegate(
        desk,
        invitation(meeting, "daibieu2"),
        deputy=actor("phogiamdoc"),
        deputy_name="",
        reason="Đi công tác",
    )
    assert attendance.quorum_of(meeting).present == 2  # the guest does not count; deputy not here
    assert not attendance.quorum_of(meeting).met
    record = attendance.check_in(desk, invitation(meeting, "daibieu2"), method=CheckInMethod.QR)
    assert record.status == AttendanceStatus.DELEGATED and record.deputy_name == "Phó Giám đốc Sở"
    assert attendance.quorum_of(meeting).met  # 3 of 5
    attendance.check_out(desk, invitation(meeting, "daibieu1"))
    assert attendance.quorum_of(meeting) == attendance.Quorum(members=5, present=2, required=3)


def test_a_check_in_after_the_start_is_late(meeting):
    start_meeting(actor(), meeting)
    on_time = attendance.check_in(
        actor(), invitation(meeting, "daibieu1"), method=CheckInMethod.TABLET
    )
    assert not attendance.is_late(on_time, meeting)
    meeting.started_at -= timedelta(minutes=20)
    assert attendance.is_late(on_time, meeting)


def test_delegation_after_the_start_is_refused(meeting):
    start_meeting(actor(), meeting)
    with pytest.raises(NotAllowed, match="before the meeting starts"):
        attendance.delegate(
            actor(),
            invitation(meeting, "daibieu3"),
            deputy=None,
            deputy_name="Ông Ba",
            reason="Ốm",
        )


def test_absences_and_delegations_need_their_reason_and_deputy(meeting):
    with pytest.raises(ServiceError, match="reason for the absence"):
        attendance.record_absence(actor(), invitation(meeting, "daibieu3"), "  ")
    with pytest.raises(ServiceError, match="Name the deputy"):
        attendance.delegate(
            actor(), invitation(meeting, "daibieu3"), deputy=None, deputy_name=" ", reason="Ốm"
        )
    record = attendance.record_absence(actor(), invitation(meeting, "daibieu3"), "Nghỉ phép")
    assert (record.status, record.reason) == (AttendanceStatus.ABSENT, "Nghỉ phép")
    with pytest.raises(NotAllowed, match="checked in"):
        attendance.check_out(actor(), invitation(meeting, "daibieu3"))


def test_every_change_is_numbered_for_the_tablets(meeting):
    before = meeting.seq
    attendance.check_in(actor(), invitation(meeting, "daibieu4"), method=CheckInMethod.TABLET)
    assert meeting.seq == before + 1
    event = db.session.scalars(select(MeetingEvent).where(MeetingEvent.seq == meeting.seq)).one()
    assert (
        event.kind == "attendance_changed"
        and event.ids == f"[{invitation(meeting, 'daibieu4').id}]"
    )
