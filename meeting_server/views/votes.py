"""Votes from the tablets (JSON): the chair opens and closes, present members cast ballots."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..auth import (
    current_user,
    viewer_allowed,
    viewer_required,
)
from ..extensions import db
from ..models import AgendaItem, Meeting, Vote
from ..models.ids import find
from ..permissions import can_run_votes, can_view_meeting
from ..services import votes as vote_service
from ..services.errors import ServiceError
from . import schemas
from .lookups import get_or_404
from .schemas import read

bp = Blueprint("votes", __name__, url_prefix="/tablet")


@bp.post("/meetings/<int:meeting_id>/votes")
@viewer_required
def open_vote(meeting_id: int):
    """Put a question on an agenda item to the vote (chair or secretariat)."""
    meeting = get_or_404(Meeting, meeting_id)
    actor = viewer_allowed(meeting, can_run_votes)
    choose_item = _("Choose the agenda item to vote on.")
    body = read(schemas.OpenVote, {"item_id": choose_item})
    item = find(AgendaItem, body.item_id)
    if item is None or item.meeting_id != meeting.id:
        raise ServiceError(choose_item, field="item_id")
    vote = vote_service.open_vote(
        actor,
        item,
        body.question,
        options=list(body.options) if body.options is not None else None,
        secret=body.secret,
        rule=body.rule,
    )
    db.session.commit()
    return jsonify(ok=True, error=None, vote_id=vote.id, seq=meeting.seq)


@bp.post("/votes/<int:vote_id>/ballot")
@viewer_required
def cast(vote_id: int):
    """Cast my final ballot (or, at a seat tablet, the ballot of the person at that seat)."""
    # 200 ballots arrive at once: the vote with its item in one query (not the presenter), and
    # the service checks the voter's invitation in one more.
    vote = db.session.get(
        Vote, vote_id, options=[joinedload(Vote.agenda_item).lazyload(AgendaItem.presenter)]
    )
    if vote is None:
        abort(404)
    voter = viewer_allowed(vote.meeting, can_view_meeting)  # the service: may they vote now
    choice = read(schemas.Ballot, {"choice": _("Choose one of the options.")}).choice
    at_seat = current_user() is None
    vote_service.cast_ballot(voter, vote, choice, at_seat=at_seat)
    db.session.commit()
    return jsonify(ok=True, error=None, vote_id=vote.id)


@bp.post("/votes/<int:vote_id>/close")
@viewer_required
def close(vote_id: int):
    """Close the vote: results and the attendance at this moment reach every tablet."""
    vote = get_or_404(Vote, vote_id)
    vote_service.close_vote(viewer_allowed(vote.meeting, can_run_votes), vote)
    db.session.commit()
    return jsonify(ok=True, error=None, snapshot=vote.snapshot, seq=vote.meeting.seq)
