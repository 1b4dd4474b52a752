"""Requests to speak: the queue in order, the floor given and ended, times recorded."""

from __future__ import annotations

import pytest

from meeting_server.extensions import db
from meeting_server.models import SpeakingStatus
from meeting_server.services import speaking
from meeting_server.services.errors import NotAllowed
from meeting_server.services.presentations import end_meeting, start_meeting
from tests.support.people import actor, invitation


def ask(meeting, username, **about):
    return speaking.request_to_speak(actor(username), invitation(meeting, username), **about)


def test_requests_wait_in_order_and_the_chair_gives_the_floor(published_meeting):
    meeting = published_meeting
    with pytest.raises(NotAllowed, match="once the meeting has started"):
        ask(meeting, "daibieu1")
    start_meeting(actor(), meeting)
    item = meeting.agenda_items[0]
    first = ask(meeting, "daibieu2", item=item, topic="Về giải ngân")
    second = ask(meeting, "daibieu1")
    with pytest.raises(NotAllowed, match="already in the queue"):
        ask(meeting, "daibieu1")
    assert [r.id for r in speaking.queue_of(meeting)] == [first.id, second.id]

    speaking.give_floor(actor("chutich"), second)  # the chair may call anyone waiting
    assert [r.id for r in speaking.queue_of(meeting)] == [second.id, first.id]
    speaking.give_floor(actor("chutich"), first)  # the next speaker ends the turn before
    assert second.status == SpeakingStatus.DONE and second.ended_at is not None
    speaking.end_floor(actor("chutich"), first)
    assert first.ended_at >= first.started_at
    assert [r.id for r in speaking.log_of(meeting)] == [second.id, first.id]
    assert first.agenda_item == item and first.topic == "Về giải ngân"


def test_a_waiting_request_can_be_withdrawn_and_the_end_closes_the_queue(published_meeting):
    meeting = published_meeting
    start_meeting(actor(), meeting)
    withdrawn = speaking.withdraw(actor("daibieu1"), ask(meeting, "daibieu1"))
    assert withdrawn.status == SpeakingStatus.WITHDRAWN
    with pytest.raises(NotAllowed, match="still waiting"):
        speaking.withdraw(actor("daibieu1"), withdrawn)
    speaking.give_floor(actor("chutich"), ask(meeting, "daibieu2"))
    waiting = ask(meeting, "daibieu3")
    end_meeting(actor("chutich"), meeting)
    db.session.flush()
    assert speaking.queue_of(meeting) == [] and waiting.status == SpeakingStatus.WITHDRAWN
    assert [r.invitation.user.username for r in speaking.log_of(meeting)] == ["daibieu2"]
