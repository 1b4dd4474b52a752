"""Requests to speak from the tablets (JSON): raise a hand, withdraw; the chair gives the floor."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, jsonify
from flask_babel import gettext as _

from ..auth import viewer_allowed, viewer_required
from ..extensions import db
from ..models import AgendaItem, Document, Invitation, Meeting, SpeakingRequest, User
from ..models.ids import find
from ..permissions import (
    can_ask_to_speak,
    can_run_votes,
    can_view_document,
    can_view_item,
    can_withdraw_request_to_speak,
    invitation_of,
)
from ..services import speaking as speaking_service
from ..services.errors import ServiceError
from . import schemas
from .lookups import get_or_404
from .schemas import read

bp = Blueprint("speaking", __name__, url_prefix="/tablet")


@bp.post("/meetings/<int:meeting_id>/speaking")
@viewer_required
def raise_hand(meeting_id: int):
    """Ask to speak, optionally about an agenda item or a document."""
    meeting = get_or_404(Meeting, meeting_id)
    reader = viewer_allowed(meeting, can_ask_to_speak)
    invitation = cast(Invitation, invitation_of(reader, meeting))  # can_ask_to_speak found it
    body = read(schemas.RaiseHand)
    item = _item(meeting, reader, body.item_id)
    document = _document(meeting, reader, body.document_id)
    request_ = speaking_service.request_to_speak(
        reader, invitation, item=item, document=document, topic=body.topic
    )
    db.session.commit()
    return jsonify(ok=True, error=None, request_id=request_.id)


@bp.post("/speaking/<int:request_id>/withdraw")
@viewer_required
def withdraw(request_id: int):
    """Take my request (or, for the chair, anyone's) out of the queue."""
    request_ = get_or_404(SpeakingRequest, request_id)
    actor = viewer_allowed(request_.meeting, can_withdraw_request_to_speak, request_)
    speaking_service.withdraw(actor, request_)
    db.session.commit()
    return jsonify(ok=True, error=None)


@bp.post("/speaking/<int:request_id>/floor")
@viewer_required
def give_floor(request_id: int):
    """Give the requester the floor (chair or secretariat)."""
    request_ = get_or_404(SpeakingRequest, request_id)
    speaking_service.give_floor(viewer_allowed(request_.meeting, can_run_votes), request_)
    db.session.commit()
    return jsonify(ok=True, error=None)


@bp.post("/speaking/<int:request_id>/end")
@viewer_required
def end_floor(request_id: int):
    """End the speaker's turn (chair or secretariat)."""
    request_ = get_or_404(SpeakingRequest, request_id)
    speaking_service.end_floor(viewer_allowed(request_.meeting, can_run_votes), request_)
    db.session.commit()
    return jsonify(ok=True, error=None)


def _item(meeting: Meeting, reader: User, item_id: object) -> AgendaItem | None:
    if not item_id:
        return None
    item = find(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id or not can_view_item(reader, item):
        raise ServiceError(_("That agenda item is not part of this meeting."), field="item_id")
    return item


def _document(meeting: Meeting, reader: User, document_id: object) -> Document | None:
    if not document_id:
        return None
    document = find(Document, document_id)
    if (
        document is None
        or document.agenda_item.meeting_id != meeting.id
        or not can_view_document(reader, document)
    ):
        raise ServiceError(_("That document is not part of this meeting."), field="document_id")
    return document
