"""Hold one past meeting through the services, then put it back in its day.

The secretary prepares it (invitations, agenda, documents, publication); some directors send
a deputy; the chair opens it; people check in, most on time, some late, a few absent with a
reason; the room votes on the items that carry a question; someone may leave early; the
chair closes it. Then the times are moved to the meeting's day and the secretary writes and
finalises the minutes, rendered from that record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import (
    Attendance,
    CheckInMethod,
    Invitation,
    Meeting,
    MeetingRole,
    Minutes,
    Role,
    Room,
    User,
    Vote,
)
from ...services import attendance, votes
from ...services.agenda import add_item
from ...services.meetings import create_meeting, publish_meeting
from ...services.minutes import finalise_minutes, save_draft
from ...services.participants import invite_users
from ...services.presentations import end_meeting, start_meeting
from .calendar import Plan
from .catalogue import ONLINE
from .clock import days_later, office_day
from .people import Cast
from .shelf import Shelf

ABSENCE_REASONS = (
    "Đi công tác theo kế hoạch",
    "Dự hội nghị tại Bộ",
    "Nghỉ phép năm",
    "Trùng lịch tiếp công dân định kỳ",
)
DELEGATION_REASONS = ("Bận công tác đột xuất", "Dự họp với đoàn công tác của Trung ương")
#: Chances that an invited member is absent, sends a deputy (a director), arrives late.
ABSENT, DELEGATES, LATE = 0.05, 0.10, 0.22
METHODS = (CheckInMethod.TABLET, CheckInMethod.TABLET, CheckInMethod.QR, CheckInMethod.ROLL_CALL)


@dataclass
class Arrival:
    """One invitee's attendance as the story has it: ``minutes`` after the start, or away."""

    invitation: Invitation
    minutes: int | None  # None: absent
    deputy: User | None = None


def hold(plan: Plan, cast: Cast, shelf: Shelf, rnd: random.Random) -> Meeting:
    """Prepare, hold and minute the meeting of ``plan``; return it ended, minutes final."""
    chair = cast.people[plan.spec.chair]
    meeting = _prepare(plan, cast, shelf, chair)
    arrivals = _arrivals(meeting, cast, rnd)
    for arrival in arrivals:
        if arrival.deputy is not None:
            attendance.delegate(
                cast.secretary, arrival.invitation, deputy=arrival.deputy, deputy_name="",
                reason=rnd.choice(DELEGATION_REASONS),
            )  # fmt: skip
    start_meeting(chair, meeting)
    records = _check_in(plan, cast.secretary, arrivals, rnd)
    ballots = _vote(plan, meeting, chair, arrivals, rnd)
    departures = _leave_early(plan, cast.secretary, arrivals, rnd)
    end_meeting(chair, meeting)
    _put_back(plan, meeting, rnd)
    _put_back_session(records, departures, ballots)
    _minute(plan, meeting, cast.secretary)
    return meeting


def _prepare(plan: Plan, cast: Cast, shelf: Shelf, chair: User) -> Meeting:
    """Create, invite, set the agenda with its documents, publish."""
    secretary = cast.secretary
    room = db.session.scalars(select(Room).order_by(Room.id)).all()[plan.spec.room]
    meeting = create_meeting(
        secretary, title=plan.title, room=room, starts_at=plan.starts_at,
        ends_at=plan.ends_at, chair=chair,
    )  # fmt: skip
    invite_users(secretary, meeting, _invitees(plan, cast, chair))
    for item in plan.items:
        presenter = cast.unit(item.unit) if item.unit is not None else secretary.unit
        agenda_item = add_item(
            secretary, meeting, title=item.title, presenter_name=presenter,
            planned_minutes=item.minutes,
        )  # fmt: skip
        shelf.attach(secretary, agenda_item, item.document)
    publish_meeting(secretary, meeting)
    return meeting


def _invitees(plan: Plan, cast: Cast, chair: User) -> list[User]:
    """Return the members: the other leader (if the meeting has them), then each unit's staff."""
    spec = plan.spec
    other = "phochutich" if chair.username == "chutich" else "chutich"
    people = [cast.people[other]] if spec.vice else []
    for unit in spec.units:
        people += cast.staff(unit)[: spec.depth]
    return people


def _arrivals(meeting: Meeting, cast: Cast, rnd: random.Random) -> list[Arrival]:
    """Decide who comes when: the leaders and the secretary early, the others as chance has it."""
    invited = {invitation.user_id for invitation in meeting.invitations}
    arrivals = []
    for invitation in meeting.invitations:
        if invitation.role != MeetingRole.MEMBER or invitation.user.has_role(Role.LEADER):
            arrivals.append(Arrival(invitation, -rnd.randint(5, 20)))
            continue
        chance = rnd.random()
        deputy = next((p for p in cast.deputies(invitation.user) if p.id not in invited), None)
        if chance < ABSENT:
            arrivals.append(Arrival(invitation, None))
        elif chance < ABSENT + DELEGATES and deputy is not None:
            invited.add(deputy.id)
            arrivals.append(Arrival(invitation, -rnd.randint(0, 10), deputy))
        elif chance < ABSENT + DELEGATES + LATE:
            arrivals.append(Arrival(invitation, rnd.randint(7, 40)))
        else:
            arrivals.append(Arrival(invitation, rnd.randint(-15, 3)))
    return arrivals


def _check_in(
    plan: Plan, secretary: User, arrivals: list[Arrival], rnd: random.Random
) -> list[tuple[Attendance, datetime]]:
    """Record arrivals (a deputy's for a delegation) and absences; return when each came."""
    online = plan.spec.room == ONLINE
    records = []
    for arrival in sorted(arrivals, key=lambda a: a.minutes if a.minutes is not None else 99):
        if arrival.minutes is None:
            reason = rnd.choice(ABSENCE_REASONS)
            attendance.record_absence(secretary, arrival.invitation, reason)
            continue
        method = CheckInMethod.TABLET if online else rnd.choice(METHODS)
        record = attendance.check_in(secretary, arrival.invitation, method=method, online=online)
        records.append((record, plan.starts_at + timedelta(minutes=arrival.minutes)))
    return records


def _vote(
    plan: Plan, meeting: Meeting, chair: User, arrivals: list[Arrival], rnd: random.Random
) -> list[tuple[Vote, datetime]]:
    """Put each item's question to the vote; everyone present votes, mostly in favour."""
    opened = []
    voters = [a.deputy or a.invitation.user for a in arrivals if a.minutes is not None]
    pairs = zip(plan.items, meeting.agenda_items, strict=True)
    for number, (item, agenda_item) in enumerate(pairs):
        if not item.vote:
            continue
        vote = votes.open_vote(chair, agenda_item, item.vote)
        for voter in voters:
            if votes.ballot_invitation(voter, meeting.id) is not None:
                votes.cast_ballot(voter, vote, rnd.choices((0, 1, 2), (86, 4, 10))[0])
        votes.close_vote(chair, vote)
        opened.append((vote, plan.starts_at + timedelta(minutes=50 + 35 * number)))
    return opened


def _leave_early(
    plan: Plan, secretary: User, arrivals: list[Arrival], rnd: random.Random
) -> list[tuple[Attendance, datetime]]:
    """In a long meeting, one member who came on time leaves before the end."""
    staying = [a for a in arrivals if a.minutes is not None and a.deputy is None]
    members = [a for a in staying if a.invitation.role == MeetingRole.MEMBER]
    if plan.spec.hours < 3 or len(members) < 8:
        return []
    leaving = rnd.choice(members[1:])
    record = attendance.check_out(secretary, leaving.invitation)
    return [(record, plan.ends_at - timedelta(minutes=rnd.randint(30, 50)))]


def _put_back(plan: Plan, meeting: Meeting, rnd: random.Random) -> None:
    """Move the meeting's preparation, start and end to its days."""
    meeting.created_at = office_day(plan.day - timedelta(days=7), 9, 15)
    meeting.published_at = office_day(plan.day - timedelta(days=3), 16, 0)
    meeting.started_at = plan.starts_at + timedelta(minutes=rnd.randint(1, 4))
    meeting.ended_at = plan.ends_at + timedelta(minutes=rnd.randint(-10, 15))
    for invitation in meeting.invitations:
        invitation.invited_at = meeting.created_at + timedelta(minutes=10)
    for item in meeting.agenda_items:
        for document in item.documents:
            document.created_at = office_day(plan.day - timedelta(days=4), 10, 30)
            document.versions[0].uploaded_at = document.created_at
    db.session.flush()


def _put_back_session(
    arrived: list[tuple[Attendance, datetime]],
    left: list[tuple[Attendance, datetime]],
    ballots: list[tuple[Vote, datetime]],
) -> None:
    """Move the check-ins, departures and votes to the meeting's hours."""
    for record, moment in arrived:
        record.checked_in_at = moment
    for record, moment in left:
        record.checked_out_at = moment
    for vote, moment in ballots:
        vote.opened_at, vote.closed_at = moment, moment + timedelta(minutes=4)
    db.session.flush()


def _minute(plan: Plan, meeting: Meeting, secretary: User) -> Minutes:
    """Write the conclusions and finalise the minutes the next working day."""
    save_draft(secretary, meeting, plan.minutes_text)
    minutes = finalise_minutes(secretary, meeting)
    minutes.finalised_at = days_later(plan.day, 1, 10, 30)
    minutes.updated_at = minutes.finalised_at - timedelta(hours=1)
    db.session.flush()
    return minutes
