"""``/api/v1/meetings``: list, read, create, change and publish meetings; rooms and people to
choose from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from flask_openapi3 import Tag
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Select, and_, exists, or_, select

from ..auth import require
from ..extensions import db
from ..models import Invitation, Meeting, MeetingStatus, Room, User
from ..models.ids import MAX_ID, find
from ..permissions import can_create_meeting, can_edit_meeting, can_view_meeting, is_secretary
from ..services import meetings as meeting_service
from ..services.errors import ServiceError
from ..views.lookups import get_or_404
from .blueprint import api_user, bp, require_scope, security
from .errors import api_fields
from .idempotency import Created, IdempotencyHeader, create_once
from .paging import Page, PageQuery, answer, page_of
from .schemas import MeetingOut, PersonOut, RoomOut, meeting_out, person, room_out

#: The services' field names, as the API's bodies call them.
MEETING_FIELDS = {"room": "room_id", "chair": "chair_id", "quorum": "quorum_percent"}

MEETINGS = [Tag(name="Meetings", description="Meetings, from draft to ended")]
DIRECTORY = [Tag(name="Directory", description="Rooms and people to choose from")]

IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
Title = Annotated[str, Field(min_length=1, max_length=500)]
Text = Annotated[str, Field(max_length=100_000)]


class MeetingPath(BaseModel):
    meeting_id: IdField


class MeetingQuery(PageQuery):
    starts_from: AwareDatetime | None = Field(None, description="Meetings starting at or after")
    starts_before: AwareDatetime | None = Field(None, description="Meetings starting before")
    room_id: IdField | None = None
    status: Literal["draft", "published", "in_progress", "ended"] | None = None


class NewMeeting(BaseModel):
    """A draft meeting; the calling account becomes its secretary."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    room_id: IdField
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    chair_id: IdField | None = None
    description: Text = ""
    confidential_download: bool = False
    quorum_percent: Annotated[int, Field(ge=0, le=100)] | None = None


class MeetingChange(BaseModel):
    """The fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    room_id: IdField | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    chair_id: IdField | None = None
    description: Text | None = None
    confidential_download: bool | None = None
    quorum_percent: Annotated[int, Field(ge=0, le=100)] | None = None


def visible_meetings(user: User) -> Select[Any]:
    """Return the meetings ``user`` may open, as SQL (``can_view_meeting``'s twin)."""
    query = select(Meeting)
    if is_secretary(user):
        return query
    invited = exists().where(Invitation.meeting_id == Meeting.id, Invitation.user_id == user.id)
    return query.where(
        or_(Meeting.chair_id == user.id, and_(Meeting.status != MeetingStatus.DRAFT, invited))
    )


@bp.get(
    "/meetings",
    tags=MEETINGS,
    security=security("meetings:read"),
    responses={200: Page[MeetingOut]},
)
@require_scope("meetings:read")
def list_meetings(query: MeetingQuery):
    """List the meetings the key's account may open, by start time."""
    user = api_user()
    select_ = visible_meetings(user)
    if query.starts_from is not None:
        select_ = select_.where(Meeting.starts_at >= query.starts_from)
    if query.starts_before is not None:
        select_ = select_.where(Meeting.starts_at < query.starts_before)
    if query.room_id is not None:
        select_ = select_.where(Meeting.room_id == query.room_id)
    if query.status is not None:
        select_ = select_.where(Meeting.status == MeetingStatus(query.status))
    rows, cursor = page_of(select_, (Meeting.starts_at, Meeting.id), query, (datetime, int))
    return answer([m for m in rows if can_view_meeting(user, m)], cursor, meeting_out)


@bp.get(
    "/meetings/<int:meeting_id>",
    tags=MEETINGS,
    security=security("meetings:read"),
    responses={200: MeetingOut},
)
@require_scope("meetings:read")
def get_meeting(path: MeetingPath):
    """Read one meeting."""
    meeting = get_or_404(Meeting, path.meeting_id)
    require(can_view_meeting(api_user(), meeting))
    return meeting_out(meeting).model_dump(mode="json")


def _room(room_id: int) -> Room:
    room = find(Room, room_id)
    if room is None or not room.active:
        raise ServiceError(
            _l("There is no such room in use. GET /api/v1/rooms lists them."), field="room_id"
        )
    return room


def _chair(chair_id: int | None) -> User | None:
    if chair_id is None:
        return None
    chair = find(User, chair_id)
    if chair is None or not chair.active:
        raise ServiceError(
            _l("There is no such active person. GET /api/v1/people lists them."), field="chair_id"
        )
    return chair


@bp.post(
    "/meetings", tags=MEETINGS, security=security("meetings:write"), responses={201: MeetingOut}
)
@require_scope("meetings:write")
def create_meeting(header: IdempotencyHeader, body: NewMeeting):
    """Create a draft meeting (invite, add the agenda, then publish it)."""
    user = api_user()
    require(can_create_meeting(user))

    def make() -> Created:
        with api_fields(MEETING_FIELDS):
            meeting = meeting_service.create_meeting(
                user,
                title=body.title,
                room=_room(body.room_id),
                starts_at=body.starts_at,
                ends_at=body.ends_at,
                chair=_chair(body.chair_id),
                description=body.description,
                confidential_download=body.confidential_download,
                quorum_percent=body.quorum_percent,
            )
        return Created(meeting_out(meeting), "api.get_meeting", {"meeting_id": meeting.id})

    return create_once(header, make)


@bp.patch(
    "/meetings/<int:meeting_id>",
    tags=MEETINGS,
    security=security("meetings:write"),
    responses={200: MeetingOut},
)
@require_scope("meetings:write")
def update_meeting(path: MeetingPath, body: MeetingChange):
    """Change a meeting; the tablets of a published one show the change at once."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_edit_meeting(user, meeting))
    chair = meeting.chair if "chair_id" not in body.model_fields_set else _chair(body.chair_id)
    with api_fields(MEETING_FIELDS):
        meeting_service.update_meeting(
            user,
            meeting,
            title=body.title or meeting.title,
            room=meeting.room if body.room_id is None else _room(body.room_id),
            starts_at=body.starts_at or meeting.starts_at,
            ends_at=body.ends_at or meeting.ends_at,
            chair=chair,
            description=meeting.description if body.description is None else body.description,
            confidential_download=body.confidential_download,
            quorum_percent=body.quorum_percent,
        )
    db.session.commit()
    return meeting_out(meeting).model_dump(mode="json")


@bp.post(
    "/meetings/<int:meeting_id>/publish",
    tags=MEETINGS,
    security=security("meetings:write"),
    responses={200: MeetingOut},
)
@require_scope("meetings:write")
def publish_meeting(path: MeetingPath):
    """Publish a draft: its participants see it, with its agenda and documents."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_edit_meeting(user, meeting))
    meeting_service.publish_meeting(user, meeting)
    db.session.commit()
    return meeting_out(meeting).model_dump(mode="json")


@bp.get(
    "/rooms", tags=DIRECTORY, security=security("meetings:read"), responses={200: Page[RoomOut]}
)
@require_scope("meetings:read")
def list_rooms(query: PageQuery):
    """List the rooms."""
    rows, cursor = page_of(select(Room), (Room.id,), query, (int,))
    return answer(rows, cursor, room_out)


class PeopleQuery(PageQuery):
    unit: Annotated[str, Field(max_length=200)] | None = Field(None, description="Only this unit")


@bp.get(
    "/people", tags=DIRECTORY, security=security("meetings:read"), responses={200: Page[PersonOut]}
)
@require_scope("meetings:read")
def list_people(query: PeopleQuery):
    """List the active people (for chairs, participants, signers)."""
    select_ = select(User).where(User.active)
    if query.unit is not None:
        select_ = select_.where(User.unit == query.unit)
    rows, cursor = page_of(select_, (User.id,), query, (int,))
    return answer(rows, cursor, person)  # type: ignore[arg-type]
