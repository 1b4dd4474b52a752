"""Votes (biểu quyết): open on an agenda item, one final ballot per voter, close with results.

Who may vote: an invitee with voting rights who is present (in person or online), or the
deputy of a delegated invitee once the deputy has checked in. A ballot is final once cast.
Two ballots sent at once for the same invitation count once: the second breaks the unique
participation and is answered "already voted" (the tally moves in the same transaction).

A secret vote stores no link between voter and choice: the participation row says only *that*
someone voted, and the choice just adds one to the option's tally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload
from sqlalchemy.sql import Executable

from ..extensions import db
from ..models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    User,
    Vote,
    VoteParticipation,
    VoteRule,
    VoteStatus,
    VoteTally,
    utcnow,
)
from . import outbox
from .attendance import attendance_records, is_present, present_clause, quorum_of
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .notices import record_notice
from .vote_rules import choose_rule, verdict_of

#: Đồng ý / Không đồng ý / Không biểu quyết — stored in Vietnamese, the language of the record.
DEFAULT_OPTIONS = ("Đồng ý", "Không đồng ý", "Không biểu quyết")
MAX_OPTIONS = 10


class AlreadyVoted(NotAllowed):
    """The voter's ballot is already counted; ballots are final."""


@dataclass(frozen=True)
class VoteCount:
    """How many of those who may vote have voted so far."""

    cast: int
    eligible: int


def open_vote(
    actor: User,
    item: AgendaItem,
    question: str,
    *,
    options: list[str] | None = None,
    secret: bool = False,
    rule: str | None = None,
) -> Vote:
    """Put a question on an agenda item to the vote (the meeting must be in progress).

    ``rule`` says when the question is carried (``VoteRule``; by default a majority of the
    ballots cast; ``""``: no verdict). A vote between named options carries no verdict unless
    a rule is given: the rule then applies to the first option.
    """
    meeting = item.meeting
    _require_no_vote_open(meeting)
    question = question.strip()
    if not question:
        raise ServiceError(_l("Write the question to vote on."), field="question")
    labels = _clean_options(options)
    vote = Vote(
        meeting=meeting,
        agenda_item=item,
        question=question,
        options=labels,
        secret=secret,
        rule=choose_rule(rule, default=None if options else VoteRule.MAJORITY_CAST),
        opened_by_id=actor.id,
        status=VoteStatus.OPEN,
    )
    vote.tallies = [VoteTally(option=i, count=0) for i in range(len(labels))]
    db.session.add(vote)
    db.session.flush()
    record_notice(
        meeting, "vote_opened", [vote.id], confidential=item.confidential, changes_content=False
    )
    record_event(actor, "vote.open", "meeting", meeting.id, vote=vote.id, secret=secret)
    return vote


def _require_no_vote_open(meeting: Meeting) -> None:
    """Refuse a new vote unless the meeting is in progress and no other vote is open."""
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise NotAllowed(_l("A vote can only be opened while the meeting is in progress."))
    if open_vote_of(meeting) is not None:
        raise NotAllowed(_l("Another vote is still open. Close it before opening a new one."))


def _clean_options(options: list[str] | None) -> list[str]:
    if not options:
        return list(DEFAULT_OPTIONS)
    labels = [label.strip() for label in options if label.strip()]
    if len(labels) < 2 or len(labels) > MAX_OPTIONS:
        raise ServiceError(
            _l("Give between 2 and %(max)s options, one per line.", max=MAX_OPTIONS),
            field="options",
        )
    if len(set(labels)) != len(labels):
        raise ServiceError(_l("Each option must be different."), field="options")
    return labels


def open_vote_of(meeting: Meeting) -> Vote | None:
    """Return the meeting's open vote, if there is one."""
    return db.session.scalar(
        select(Vote).where(Vote.meeting_id == meeting.id, Vote.status == VoteStatus.OPEN)
    )


def votes_of(meeting: Meeting) -> list[Vote]:
    """Return the meeting's votes, oldest first."""
    return list(
        db.session.scalars(select(Vote).where(Vote.meeting_id == meeting.id).order_by(Vote.id))
    )


def ballot_invitation(
    user: User | None, meeting_id: int, *, at_seat: bool = False
) -> Invitation | None:
    """Return the invitation ``user`` may vote for now: their own, or one delegated to them.

    Whoever delegated does not vote themselves; their deputy does, from the deputy's account
    or (``at_seat``: from the paired tablet at the invitee's seat) without one.
    """
    if user is None:
        return None
    return choose_ballot(invitations_held(user.id, meeting_id), at_seat=at_seat)


@dataclass(frozen=True)
class Held:
    """A person's invitations to one meeting, with attendance: their own, and any delegated."""

    own: tuple[Invitation, Attendance | None] | None
    delegated: tuple[Invitation, Attendance | None] | None


def invitations_held(user_id: int, meeting_id: int) -> Held:
    """Return the person's own invitation and one delegated to them, in one query."""
    rows = db.session.execute(_HELD_QUERY, {"meeting_id": meeting_id, "user_id": user_id}).all()
    own = next(((i, a) for i, a in rows if i.user_id == user_id), None)
    to_me = [(i, a) for i, a in rows if i.user_id != user_id and a and a.deputy_id == user_id]
    return Held(own, to_me[0] if to_me else None)


def choose_ballot(held: Held, *, at_seat: bool = False) -> Invitation | None:
    """Return which of ``held`` the person may vote for now (see :func:`ballot_invitation`)."""
    if held.own is not None:
        invitation, record = held.own
        delegated_away = record is not None and record.status == AttendanceStatus.DELEGATED
        if invitation.may_vote and is_present(record) and (at_seat or not delegated_away):
            return invitation
    if held.delegated is not None:
        invitation, record = held.delegated
        if invitation.may_vote and is_present(record):
            return invitation
    return None


# Built once: each ballot of a full room runs it, and building costs as much as running.
_HELD_QUERY = (
    select(Invitation, Attendance)
    .outerjoin(Attendance, Attendance.invitation_id == Invitation.id)
    .where(
        Invitation.meeting_id == bindparam("meeting_id"),
        or_(
            Invitation.user_id == bindparam("user_id"),
            Attendance.deputy_id == bindparam("user_id"),
        ),
    )
    .order_by(Invitation.id)
    .options(
        lazyload(Invitation.user), lazyload(Attendance.invitation), lazyload(Attendance.deputy)
    )
)


def cast_ballot(actor: User, vote: Vote, choice: int, *, at_seat: bool = False) -> Invitation:
    """Count one final ballot for ``choice`` (an option index); return whose ballot it is.

    The participation is inserted with ``ON CONFLICT DO NOTHING``: a second ballot for the
    same invitation, even one committed a moment ago by another request, inserts nothing and
    is refused, and the transaction stays whole (no savepoint).
    """
    if vote.status != VoteStatus.OPEN:
        raise NotAllowed(_l("This vote is closed; ballots are no longer accepted."))
    if not 0 <= choice < len(vote.options):
        raise ServiceError(_l("Choose one of the options."), field="choice")
    invitation = ballot_invitation(actor, vote.meeting_id, at_seat=at_seat)
    if invitation is None:
        raise NotAllowed(
            _l("Only members with voting rights who have checked in can vote. Check in first.")
        )
    item = vote.agenda_item
    if item.confidential and not invitation.may_view_confidential and invitation.role != "chair":
        raise NotAllowed(_l("This vote is on a confidential item you are not cleared for."))
    values = {
        "vote_id": vote.id, "invitation_id": invitation.id, "cast_by_id": actor.id,
        "choice": None if vote.secret else choice,
    }  # fmt: skip
    if not _insert_participation(values):
        raise AlreadyVoted(_l("Your ballot was already counted. A ballot is final."))
    db.session.execute(_TALLY_UPDATE, {"b_vote": vote.id, "b_option": choice})
    outbox.record(outbox.VoteCounted(vote.id))  # the room's live count (coalesced)
    # No audit row names the voter of a secret vote together with a time: only the count moves.
    if not vote.secret:
        record_event(actor, "vote.ballot", "meeting", vote.meeting_id, vote=vote.id, choice=choice)
    return invitation


def _participation_insert(dialect: Any) -> Executable:
    return (
        dialect.insert(VoteParticipation)
        .values(
            vote_id=bindparam("vote_id"),
            invitation_id=bindparam("invitation_id"),
            cast_by_id=bindparam("cast_by_id"),
            choice=bindparam("choice"),
        )  # fmt: skip
        .on_conflict_do_nothing(index_elements=["vote_id", "invitation_id"])
        .returning(literal_column("1"))
    )


_PARTICIPATION_INSERTS = {d.__name__.rsplit(".", 1)[-1]: _participation_insert(d)
                          for d in (postgresql, sqlite)}  # fmt: skip
_TALLY_UPDATE = (
    update(VoteTally)
    .where(VoteTally.vote_id == bindparam("b_vote"), VoteTally.option == bindparam("b_option"))
    .values(count=VoteTally.count + 1)
)


def _insert_participation(values: dict[str, Any]) -> bool:
    """Insert the participation unless the invitation already voted; tell whether it did."""
    dialect = db.session.get_bind().dialect.name
    statement = _PARTICIPATION_INSERTS["postgresql" if dialect == "postgresql" else "sqlite"]
    return db.session.execute(statement, values).first() is not None


def votes_with_ballots_of(invitations: list[Invitation | None], meeting_id: int) -> list[int]:
    """Return the meeting's votes (ids, in order) holding a ballot of these invitations."""
    ids = {i.id for i in invitations if i is not None}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(VoteParticipation.vote_id)
            .join(Vote, Vote.id == VoteParticipation.vote_id)
            .where(Vote.meeting_id == meeting_id, VoteParticipation.invitation_id.in_(ids))
            .order_by(VoteParticipation.vote_id)
        )
    )


def count_of(vote: Vote) -> VoteCount:
    """Return the ballots cast so far and how many may vote."""
    cast = db.session.scalar(
        select(func.count())
        .select_from(VoteParticipation)
        .where(VoteParticipation.vote_id == vote.id)
    )
    return VoteCount(cast=cast or 0, eligible=_eligible_count(vote.meeting_id))


def _voting_members(meeting_id: int) -> int:
    """Count the members with a vote, present or not."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.meeting_id == meeting_id, Invitation.may_vote)
    )
    return count or 0


def _eligible_count(meeting_id: int) -> int:
    """Count those who may vote now (see :func:`ballot_invitation`), in one query."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .join(Attendance, Attendance.invitation_id == Invitation.id)
        .where(Invitation.meeting_id == meeting_id, Invitation.may_vote, present_clause())
    )
    return count or 0


def close_vote(actor: User, vote: Vote) -> Vote:
    """Close the vote: store the results and who was present at this moment."""
    if vote.status != VoteStatus.OPEN:
        raise NotAllowed(_l("This vote is already closed."))
    vote.status = VoteStatus.CLOSED
    vote.closed_at = utcnow()
    vote.snapshot = _snapshot(vote)
    record_notice(
        vote.meeting,
        "vote_closed",
        [vote.id],
        confidential=vote.agenda_item.confidential,
        changes_content=False,
    )
    record_event(actor, "vote.close", "meeting", vote.meeting_id, vote=vote.id)
    return vote


def vote_summary(vote: Vote) -> dict:
    """Return what every tablet shows of a vote: the question, and once closed the results.

    Sent inside the vote notices (so 200 tablets need no extra request) and in the state.
    """
    summary = {
        "vote_id": vote.id,
        "item_id": vote.agenda_item_id,
        "question": vote.question,
        "options": list(vote.options),
        "secret": vote.secret,
        "status": vote.status,
        "rule": vote.rule,
    }
    if vote.snapshot is not None:
        snap = vote.snapshot
        summary |= {
            "results": snap["results"],
            "cast": snap["cast"],
            "eligible": snap["eligible"],
            "quorum": snap["quorum"],
            "verdict": snap.get("verdict"),
        }
    return summary


def _snapshot(vote: Vote) -> dict:
    """Return the vote's record: results, eligible voters and the attendance at closing."""
    meeting = vote.meeting
    db.session.refresh(vote, ["tallies"])
    records = attendance_records(meeting)
    quorum = quorum_of(meeting)
    present = [
        _person(i, records[i.id]) for i in meeting.invitations
        if i.id in records and is_present(records[i.id])
    ]  # fmt: skip
    snapshot: dict = {
        "results": [{"label": vote.options[t.option], "count": t.count} for t in vote.tallies],
        "eligible": _eligible_count(meeting.id),
        "cast": sum(t.count for t in vote.tallies),
        "quorum": {"members": quorum.members, "present": quorum.present,
                   "required": quorum.required, "met": quorum.met},
        "present": present,
    }  # fmt: skip
    if vote.rule is not None:
        yes = snapshot["results"][0]["count"]
        members = _voting_members(meeting.id)
        snapshot["verdict"] = verdict_of(
            vote.rule, yes, snapshot["cast"], snapshot["eligible"], members
        )
    if not vote.secret:
        snapshot["ballots"] = [
            {"name": _person(p.invitation, records.get(p.invitation_id)),
             "choice": vote.options[p.choice] if p.choice is not None else ""}
            for p in db.session.scalars(
                select(VoteParticipation).where(VoteParticipation.vote_id == vote.id)
                .order_by(VoteParticipation.id)
            )
        ]  # fmt: skip
    return snapshot


def _person(invitation: Invitation, record: Attendance | None) -> str:
    """Return the name of who attends for the invitation (the deputy, for a delegation)."""
    if record is not None and record.status == AttendanceStatus.DELEGATED:
        return f"{record.deputy_name} (thay {invitation.user.full_name})"
    return invitation.user.full_name
