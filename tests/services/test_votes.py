"""Votes: who may vote, one final ballot each, secret ballots unlinkable, results on closing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from meeting_server.extensions import db
from meeting_server.models import (
    AuditEvent,
    CheckInMethod,
    Meeting,
    Vote,
    VoteParticipation,
    VoteTally,
)
from meeting_server.services import attendance, vote_rules, votes
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.presentations import end_meeting, start_meeting
from tests.support.people import actor, invitation


@pytest.fixture
def meeting(published_meeting):
    """The meeting in progress, with the chair, daibieu1, daibieu2 and the guest checked in."""
    desk = actor()
    attendance.delegate(
        desk,
        invitation(published_meeting, "daibieu4"),
        deputy=actor("phogiamdoc"),
        deputy_name="",
        reason="Đi công tác",
    )
    start_meeting(desk, published_meeting)
    for name in ("chutich", "daibieu1", "daibieu2", "khach"):
        attendance.check_in(desk, invitation(published_meeting, name), method=CheckInMethod.TABLET)
    db.session.commit()
    return published_meeting


def open_on_first_item(meeting: Meeting, *, secret: bool = False) -> Vote:
    vote = votes.open_vote(
        actor("chutich"), meeting.agenda_items[0], "Thông qua báo cáo?", secret=secret
    )
    db.session.commit()
    return vote


def test_only_present_members_with_voting_rights_or_arrived_deputies_may_vote(meeting):
    vote = open_on_first_item(meeting)
    assert votes.count_of(vote) == votes.VoteCount(cast=0, eligible=3)
    with pytest.raises(NotAllowed, match="Check in first"):
        votes.cast_ballot(actor("daibieu3"), vote, 0)  # not checked in
    with pytest.raises(NotAllowed, match="Check in first"):
        votes.cast_ballot(actor("khach"), vote, 0)  # a guest has no vote
    with pytest.raises(NotAllowed, match="Check in first"):
        votes.cast_ballot(actor("phogiamdoc"), vote, 0)  # the deputy has not arrived yet
    attendance.check_in(actor(), invitation(meeting, "daibieu4"), method=CheckInMethod.QR)
    cast = votes.cast_ballot(actor("phogiamdoc"), vote, 1)
    assert cast.user.username == "daibieu4"  # the deputy votes for the delegator
    with pytest.raises(NotAllowed, match="Check in first"):
        votes.cast_ballot(actor("daibieu4"), vote, 0)  # who delegated does not vote as well
    with pytest.raises(ServiceError, match="Choose one of the options"):
        votes.cast_ballot(actor("daibieu1"), vote, 3)
    assert votes.count_of(vote) == votes.VoteCount(cast=1, eligible=4)


def test_a_ballot_is_final(meeting):
    vote = open_on_first_item(meeting)
    votes.cast_ballot(actor("daibieu1"), vote, 0)
    db.session.commit()
    with pytest.raises(votes.AlreadyVoted, match="already counted"):
        votes.cast_ballot(actor("daibieu1"), vote, 1)
    db.session.rollback()
    assert [t.count for t in db.session.scalars(select(VoteTally).order_by(VoteTally.option))] == [
        1,
        0,
        0,
    ]


def test_a_ballot_is_all_or_nothing(meeting):
    vote = open_on_first_item(meeting)
    votes.cast_ballot(actor("daibieu1"), vote, 0)
    db.session.rollback()  # the request failed after the service: nothing of it stays
    assert db.session.scalars(select(VoteParticipation)).all() == []
    assert sum(t.count for t in db.session.get(Vote, vote.id).tallies) == 0
    assert votes.cast_ballot(actor("daibieu1"), vote, 1).user.username == "daibieu1"


def test_ballots_sent_at_once_by_one_voter_count_once(app, meeting):
    vote_id = open_on_first_item(meeting).id
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def send(choice: int) -> None:
        with app.app_context():
            vote = db.session.get(Vote, vote_id)
            barrier.wait()
            try:
                votes.cast_ballot(actor("daibieu2"), vote, choice % 3)
                db.session.commit()
                outcomes.append("counted")
            except votes.AlreadyVoted:
                outcomes.append("refused")
            except Exception as error:  # a database lock timeout would show here
                outcomes.append(repr(error))
            finally:
                db.session.rollback()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["counted"] + ["refused"] * 5
    db.session.expire_all()
    vote = db.session.get(Vote, vote_id)
    assert votes.count_of(vote).cast == 1 and sum(t.count for t in vote.tallies) == 1


def test_a_secret_vote_stores_no_link_between_voter_and_choice(meeting):
    vote = open_on_first_item(meeting, secret=True)
    votes.cast_ballot(actor("chutich"), vote, 0)
    votes.cast_ballot(actor("daibieu1"), vote, 1)
    db.session.commit()
    rows = db.session.scalars(select(VoteParticipation)).all()
    assert len(rows) == 2 and all(row.choice is None for row in rows)
    # Nothing else stored names a voter with a choice: not the audit log, not the snapshot.
    ballots = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.ballot"))
    assert list(ballots) == []
    closed = votes.close_vote(actor("chutich"), vote)
    assert "ballots" not in closed.snapshot
    columns = {
        c["name"] for c in db.session.execute(text("PRAGMA table_info(vote_tally)")).mappings()
    }
    assert columns == {"vote_id", "option", "count"}


def test_closing_stores_the_results_and_the_attendance_at_that_moment(meeting):
    vote = open_on_first_item(meeting)
    votes.cast_ballot(actor("chutich"), vote, 0)
    votes.cast_ballot(actor("daibieu1"), vote, 0)
    votes.cast_ballot(actor("daibieu2"), vote, 2)
    closed = votes.close_vote(actor("chutich"), vote)
    db.session.commit()
    snapshot = closed.snapshot
    assert snapshot["results"] == [
        {"label": "Đồng ý", "count": 2},
        {"label": "Không đồng ý", "count": 0},
        {"label": "Không biểu quyết", "count": 1},
    ]
    assert (snapshot["eligible"], snapshot["cast"]) == (3, 3)
    assert snapshot["quorum"] == {"members": 5, "present": 3, "required": 3, "met": True}
    assert len(snapshot["present"]) == 4  # the guest is present too, without a vote
    assert {b["choice"] for b in snapshot["ballots"]} == {"Đồng ý", "Không biểu quyết"}
    attendance.check_out(actor(), invitation(meeting, "daibieu1"))  # later changes: same record
    assert db.session.get(Vote, vote.id).snapshot["quorum"]["present"] == 3
    with pytest.raises(NotAllowed, match="closed"):
        votes.cast_ballot(actor("daibieu2"), closed, 0)


def test_one_open_vote_at_a_time_and_not_over_the_end_of_the_meeting(meeting):
    vote = open_on_first_item(meeting)
    with pytest.raises(NotAllowed, match="Another vote is still open"):
        votes.open_vote(actor("chutich"), meeting.agenda_items[0], "Lần hai?")
    with pytest.raises(NotAllowed, match="Close it before ending"):
        end_meeting(actor("chutich"), meeting)
    votes.close_vote(actor("chutich"), vote)
    with pytest.raises(ServiceError, match="between 2 and"):
        votes.open_vote(actor("chutich"), meeting.agenda_items[0], "Chọn?", options=["Một"])
    custom = votes.open_vote(
        actor("chutich"), meeting.agenda_items[0], "Chọn phương án?", options=["A", "B", "C", "D"]
    )
    assert custom.options == ["A", "B", "C", "D"] and len(custom.tallies) == 4


@pytest.mark.parametrize(
    ("rule", "yes", "cast", "present", "members", "needed", "passed"),
    [
        ("majority_cast", 3, 5, 8, 10, 3, True),  # 3 of 5 ballots
        ("majority_cast", 2, 4, 8, 10, 3, False),  # a tie is not a majority
        ("majority_present", 4, 5, 8, 10, 5, False),  # abstaining or absent: not in favour
        ("majority_present", 5, 5, 8, 10, 5, True),
        ("majority_members", 5, 9, 9, 10, 6, False),  # half of all members is not enough
        ("majority_members", 6, 9, 9, 10, 6, True),
        ("two_thirds_members", 6, 9, 9, 10, 7, False),  # 2/3 of 10 = 6.67: 7 needed
        ("two_thirds_members", 6, 9, 9, 9, 6, True),  # 2/3 of 9 = 6 exactly
        ("majority_cast", 0, 0, 0, 10, 1, False),  # nobody voted: nothing is carried
    ],
)
def test_the_verdict_follows_the_rule(rule, yes, cast, present, members, needed, passed):
    verdict = vote_rules.verdict_of(rule, yes, cast, present, members)
    assert (verdict["needed"], verdict["passed"]) == (needed, passed)
    assert verdict["base"] == {"majority_cast": cast, "majority_present": present}.get(
        rule, members
    )


def test_a_closed_vote_says_whether_it_was_carried(meeting):
    vote = votes.open_vote(
        actor("chutich"), meeting.agenda_items[0], "Thông qua báo cáo?", rule="majority_members"
    )
    votes.cast_ballot(actor("chutich"), vote, 0)
    votes.cast_ballot(actor("daibieu1"), vote, 0)
    votes.cast_ballot(actor("daibieu2"), vote, 2)  # abstains
    votes.close_vote(actor("chutich"), vote)
    db.session.commit()
    summary = votes.vote_summary(vote)
    # 2 of the 5 members with a vote (the chair, daibieu1–4): 3 needed, not carried
    assert summary["rule"] == "majority_members"
    assert summary["verdict"] == {
        "rule": "majority_members",
        "yes": 2,
        "base": 5,
        "needed": 3,
        "passed": False,
    }
    by_default = votes.open_vote(actor("chutich"), meeting.agenda_items[0], "Thông qua lần 2?")
    votes.cast_ballot(actor("daibieu1"), by_default, 0)
    votes.close_vote(actor("chutich"), by_default)
    assert votes.vote_summary(by_default)["verdict"]["passed"] is True  # 1 of 1 ballot cast
    named = votes.open_vote(
        actor("chutich"), meeting.agenda_items[0], "Chọn phương án", options=["A", "B"]
    )
    votes.close_vote(actor("chutich"), named)
    assert votes.vote_summary(named)["verdict"] is None  # named options: no verdict
    with pytest.raises(ServiceError, match="carried"):
        votes.open_vote(actor("chutich"), meeting.agenda_items[0], "?", rule="unanimity")
