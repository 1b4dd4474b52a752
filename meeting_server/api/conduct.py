"""``/api/v1/meetings/{id}/…``: participants (list, invite), attendance, vote results, minutes."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import abort
from flask_babel import gettext as _
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field

from ..auth import require
from ..extensions import db
from ..models import Meeting, MeetingRole, Minutes, MinutesStatus, User, VoteStatus
from ..models.ids import find
from ..permissions import (
    can_edit_meeting,
    can_view_attendance,
    can_view_confidential,
    can_view_item,
    can_view_meeting,
)
from ..services import minutes as minutes_service
from ..services import participants as participant_service
from ..services.attendance import attendance_records
from ..services.errors import ServiceError
from ..services.signing_requests import requests_for_minutes
from ..services.votes import votes_of
from ..storage import blob_store
from ..views.lookups import get_or_404
from ..views.responses import send_blob
from .blueprint import api_user, bp, require_scope, security
from .documents import PDF_RESPONSE
from .meetings import IdField, MeetingPath
from .schemas import (
    AttendanceOut,
    MinutesOut,
    ParticipantOut,
    VoteOut,
    attendance_out,
    minutes_out,
    participant_out,
    vote_out,
)

PEOPLE = [Tag(name="Participants", description="Who is invited, who came, how they voted")]
MINUTES = [Tag(name="Minutes", description="The meeting's minutes and their signed PDF")]


class ParticipantList(BaseModel):
    data: list[ParticipantOut]


class AttendanceList(BaseModel):
    data: list[AttendanceOut]


class VoteList(BaseModel):
    data: list[VoteOut]


class Invite(BaseModel):
    """People to invite (those already invited are left as they are)."""

    model_config = ConfigDict(extra="forbid")

    person_ids: Annotated[list[IdField], Field(min_length=1, max_length=500)]
    role: Literal["member", "guest"] = "member"


@bp.get(
    "/meetings/<int:meeting_id>/participants",
    tags=PEOPLE,
    security=security("meetings:read"),
    responses={200: ParticipantList},
)
@require_scope("meetings:read")
def list_participants(path: MeetingPath):
    """List the people invited, with their role and seat."""
    meeting = get_or_404(Meeting, path.meeting_id)
    require(can_view_meeting(api_user(), meeting))
    return {"data": [participant_out(i).model_dump(mode="json") for i in meeting.invitations]}


def _people(ids: list[int]) -> list[User]:
    people = [find(User, person_id) for person_id in dict.fromkeys(ids)]
    if any(p is None or not p.active for p in people):
        raise ServiceError(
            _(
                "Some of these people do not exist or are not active. "
                "GET /api/v1/people lists them."
            ),
            field="person_ids",
        )
    return [p for p in people if p is not None]


@bp.post(
    "/meetings/<int:meeting_id>/participants",
    tags=PEOPLE,
    security=security("meetings:write"),
    responses={200: ParticipantList},
)
@require_scope("meetings:write")
def invite_participants(path: MeetingPath, body: Invite):
    """Invite people; answers the whole list (inviting someone twice changes nothing)."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_edit_meeting(user, meeting))
    participant_service.invite_users(
        user, meeting, _people(body.person_ids), MeetingRole(body.role)
    )
    db.session.commit()
    return {"data": [participant_out(i).model_dump(mode="json") for i in meeting.invitations]}


@bp.get(
    "/meetings/<int:meeting_id>/attendance",
    tags=PEOPLE,
    security=security("meetings:read"),
    responses={200: AttendanceList},
)
@require_scope("meetings:read")
def list_attendance(path: MeetingPath):
    """List each invited person's attendance (the secretariat and the chair only)."""
    meeting = get_or_404(Meeting, path.meeting_id)
    require(can_view_attendance(api_user(), meeting))
    records = attendance_records(meeting)
    rows = [attendance_out(i, records.get(i.id)) for i in meeting.invitations]
    return {"data": [row.model_dump(mode="json") for row in rows]}


@bp.get(
    "/meetings/<int:meeting_id>/votes",
    tags=PEOPLE,
    security=security("meetings:read"),
    responses={200: VoteList},
)
@require_scope("meetings:read")
def list_votes(path: MeetingPath):
    """List the votes on the items the account may see; results once closed (counts only:
    a secret vote's ballots are never linked to people)."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_view_meeting(user, meeting))
    visible = {item.id for item in meeting.agenda_items if can_view_item(user, item)}
    rows = []
    for vote in votes_of(meeting):
        if vote.agenda_item_id not in visible:
            continue
        snapshot = vote.snapshot if vote.status == VoteStatus.CLOSED else None
        counts = [int(r["count"]) for r in snapshot["results"]] if snapshot else None
        verdict = (snapshot or {}).get("verdict") or None
        passed = None if verdict is None else ("passed" if verdict.get("passed") else "rejected")
        rows.append(vote_out(vote, counts, passed).model_dump(mode="json"))
    return {"data": rows}


def _minutes_file(meeting: Meeting, minutes: Minutes | None) -> tuple[str, str] | None:
    """Return the finalised PDF the account may read (its SHA-256 and name): the whole
    minutes, or the extract without the confidential items."""
    if minutes is None or minutes.status != MinutesStatus.FINAL or not minutes.pdf_sha256:
        return None
    if can_view_confidential(api_user(), meeting):
        return minutes.pdf_sha256, f"bien-ban-{meeting.id}.pdf"
    if not minutes_service.has_confidential_items(meeting):
        return minutes.pdf_sha256, f"bien-ban-{meeting.id}.pdf"
    if minutes.extract_sha256 is None:
        return None
    return minutes.extract_sha256, f"bien-ban-{meeting.id}-ban-trich.pdf"


@bp.get(
    "/meetings/<int:meeting_id>/minutes",
    tags=MINUTES,
    security=security("meetings:read"),
    responses={200: MinutesOut},
)
@require_scope("meetings:read")
def get_minutes(path: MeetingPath):
    """Read the state of the minutes, and the signing requests made of them."""
    meeting = get_or_404(Meeting, path.meeting_id)
    require(can_view_meeting(api_user(), meeting))
    minutes = minutes_service.minutes_of(meeting)
    requests = requests_for_minutes(minutes) if minutes is not None else []
    out = minutes_out(meeting, minutes, [r.id for r in requests])
    file = _minutes_file(meeting, minutes)
    out.sha256 = file[0] if file else None
    out.document_url = out.document_url if file else None
    return out.model_dump(mode="json")


@bp.get(
    "/meetings/<int:meeting_id>/minutes/document",
    tags=MINUTES,
    security=security("meetings:read"),
    responses=PDF_RESPONSE,
)
@require_scope("meetings:read")
def get_minutes_document(path: MeetingPath):
    """Download the finalised minutes as finalised (the signed copy is the signing request's
    document; without the right to confidential items: the extract)."""
    meeting = get_or_404(Meeting, path.meeting_id)
    require(can_view_meeting(api_user(), meeting))
    file = _minutes_file(meeting, minutes_service.minutes_of(meeting))
    if file is None:
        abort(404)
    sha256, name = file
    return send_blob(
        blob_store().path_for(sha256), sha256, "application/pdf", filename=name, attachment=True
    )
