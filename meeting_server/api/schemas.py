"""What the API answers: one pydantic model per kind of object, and the functions that fill
them from the models. The OpenAPI document's schemas are these classes.

Times are UTC, ISO 8601 with an offset; dates (task deadlines) are calendar days in Vietnam.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from flask_openapi3 import FileStorage
from pydantic import AfterValidator, BaseModel, Field
from werkzeug.datastructures import FileStorage as WerkzeugFile

from ..models import (
    AgendaItem,
    Attendance,
    Document,
    DocumentVersion,
    Invitation,
    Meeting,
    Minutes,
    Room,
    SigningRequest,
    SigningStep,
    Task,
    User,
    Vote,
)

Id = int


def _a_file(value: object) -> object:
    if not isinstance(value, WerkzeugFile) or not value.filename:
        raise ValueError("send a file here: a multipart part with a file name")
    return value


#: An uploaded file (flask-openapi3's type documents it, and accepts anything: this checks).
UploadedFile = Annotated[FileStorage, AfterValidator(_a_file)]


class PersonOut(BaseModel):
    id: Id
    full_name: str
    position: str
    unit: str


class RoomOut(BaseModel):
    id: Id
    name: str
    location: str
    seat_count: int
    active: bool


class MeetingOut(BaseModel):
    id: Id
    title: str
    description: str
    status: str = Field(description="draft, published, in_progress, ended…")
    room: RoomOut
    starts_at: datetime
    ends_at: datetime
    chair: PersonOut | None
    secretary: PersonOut | None
    quorum_percent: int
    confidential_download: bool
    published_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime
    version: int = Field(description="Grows with every change the participants see")


class VersionOut(BaseModel):
    number: int
    sha256: str
    size: int
    page_count: int
    file_name: str
    uploaded_at: datetime


class DocumentOut(BaseModel):
    id: Id
    agenda_item_id: Id
    meeting_id: Id
    title: str
    created_at: datetime
    removed_at: datetime | None
    versions: list[VersionOut]
    content_url: str = Field(description="Downloads the latest version (`?version=N`: another)")


class AgendaItemOut(BaseModel):
    id: Id
    meeting_id: Id
    position: int
    title: str
    presenter: PersonOut | None
    presenter_name: str
    planned_minutes: int
    confidential: bool
    document_ids: list[Id]


class ParticipantOut(BaseModel):
    invitation_id: Id
    person: PersonOut
    role: str
    seat: str | None
    may_view_confidential: bool
    may_vote: bool
    counts_toward_quorum: bool


class AttendanceOut(BaseModel):
    invitation_id: Id
    person: PersonOut
    status: str = Field(description="not_recorded, present, online, absent, delegated, left…")
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    reason: str
    deputy_name: str


class VoteOut(BaseModel):
    id: Id
    agenda_item_id: Id
    question: str
    options: list[str]
    secret: bool
    status: str
    rule: str | None
    opened_at: datetime
    closed_at: datetime | None
    counts: list[int] | None = Field(description="Per option, once the vote is closed")
    verdict: str | None = Field(description="The rule's verdict, once closed")


class MinutesOut(BaseModel):
    meeting_id: Id
    status: str = Field(description="none, draft or final")
    updated_at: datetime | None
    finalised_at: datetime | None
    sha256: str | None = Field(description="Of the finalised PDF")
    document_url: str | None
    signing_request_ids: list[Id]


class StepOut(BaseModel):
    position: int
    kind: str = Field(description="signer or seal")
    signer: PersonOut | None
    status: str
    acted_at: datetime | None
    comment: str


class SigningRequestOut(BaseModel):
    id: Id
    title: str
    status: str = Field(description="in_progress, completed, returned, cancelled")
    sender: PersonOut
    document_kind: str | None
    due_at: datetime
    created_at: datetime
    finished_at: datetime | None
    verification_code: str
    verification_url: str
    steps: list[StepOut]
    version_count: int
    latest_sha256: str
    document_url: str
    register_number: str | None = Field(description="The number the seal gave, e.g. 05/BB-UBND")


class TaskOut(BaseModel):
    id: Id
    meeting_id: Id
    title: str
    expected_result: str
    owner_unit: str
    assignee: PersonOut | None
    assigned_by: PersonOut
    assigned_at: datetime
    deadline: date
    original_deadline: date
    status: str
    progress: int
    extension_until: date | None
    done_at: datetime | None


def person(user: User | None) -> PersonOut | None:
    """Return a person's public card (never their account name or roles)."""
    if user is None:
        return None
    return PersonOut(id=user.id, full_name=user.full_name, position=user.position, unit=user.unit)


def room_out(room: Room) -> RoomOut:
    return RoomOut(
        id=room.id,
        name=room.name,
        location=room.location,
        seat_count=room.seat_count,
        active=room.active,
    )


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.id,
        title=meeting.title,
        description=meeting.description,
        status=meeting.status.value,
        room=room_out(meeting.room),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        chair=person(meeting.chair),
        secretary=person(meeting.secretary),
        quorum_percent=meeting.quorum_percent,
        confidential_download=meeting.confidential_download,
        published_at=meeting.published_at,
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
        updated_at=meeting.updated_at,
        version=meeting.version,
    )


def version_out(version: DocumentVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        sha256=version.sha256,
        size=version.size,
        page_count=version.page_count,
        file_name=version.original_filename,
        uploaded_at=version.uploaded_at,
    )


def document_out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        agenda_item_id=document.agenda_item_id,
        meeting_id=document.agenda_item.meeting_id,
        title=document.title,
        created_at=document.created_at,
        removed_at=document.removed_at,
        versions=[version_out(v) for v in document.versions],
        content_url=f"/api/v1/documents/{document.id}/content",
    )


def item_out(item: AgendaItem) -> AgendaItemOut:
    return AgendaItemOut(
        id=item.id,
        meeting_id=item.meeting_id,
        position=item.position,
        title=item.title,
        presenter=person(item.presenter),
        presenter_name=item.presenter_name,
        planned_minutes=item.planned_minutes,
        confidential=item.confidential,
        document_ids=[d.id for d in item.documents if d.removed_at is None],
    )


def participant_out(invitation: Invitation) -> ParticipantOut:
    return ParticipantOut(
        invitation_id=invitation.id,
        person=person(invitation.user),  # type: ignore[arg-type]
        role=invitation.role.value,
        seat=invitation.seat,
        may_view_confidential=invitation.may_view_confidential,
        may_vote=invitation.may_vote,
        counts_toward_quorum=invitation.counts_toward_quorum,
    )


def attendance_out(invitation: Invitation, record: Attendance | None) -> AttendanceOut:
    return AttendanceOut(
        invitation_id=invitation.id,
        person=person(invitation.user),  # type: ignore[arg-type]
        status=record.status.value if record else "not_recorded",
        checked_in_at=record.checked_in_at if record else None,
        checked_out_at=record.checked_out_at if record else None,
        reason=record.reason if record else "",
        deputy_name=record.deputy_name if record else "",
    )


def vote_out(vote: Vote, counts: list[int] | None, verdict: str | None) -> VoteOut:
    return VoteOut(
        id=vote.id,
        agenda_item_id=vote.agenda_item_id,
        question=vote.question,
        options=list(vote.options),
        secret=vote.secret,
        status=vote.status.value,
        rule=vote.rule.value if vote.rule else None,
        opened_at=vote.opened_at,
        closed_at=vote.closed_at,
        counts=counts,
        verdict=verdict,
    )


def minutes_out(meeting: Meeting, minutes: Minutes | None, request_ids: list[int]) -> MinutesOut:
    final = minutes is not None and minutes.pdf_sha256 is not None
    return MinutesOut(
        meeting_id=meeting.id,
        status=minutes.status.value if minutes else "none",
        updated_at=minutes.updated_at if minutes else None,
        finalised_at=minutes.finalised_at if minutes else None,
        sha256=minutes.pdf_sha256 if minutes else None,
        document_url=f"/api/v1/meetings/{meeting.id}/minutes/document" if final else None,
        signing_request_ids=request_ids,
    )


def step_out(step: SigningStep) -> StepOut:
    return StepOut(
        position=step.position,
        kind=step.kind.value,
        signer=person(step.signer),
        status=step.status.value,
        acted_at=step.acted_at,
        comment=step.comment,
    )


def signing_request_out(request: SigningRequest, url: str, number: str | None) -> SigningRequestOut:
    latest = request.versions[-1]
    return SigningRequestOut(
        id=request.id,
        title=request.title,
        status=request.status.value,
        sender=person(request.sender),  # type: ignore[arg-type]
        document_kind=request.document_kind.value if request.document_kind else None,
        due_at=request.due_at,
        created_at=request.created_at,
        finished_at=request.finished_at,
        verification_code=request.code,
        verification_url=url,
        steps=[step_out(s) for s in request.steps],
        version_count=len(request.versions),
        latest_sha256=latest.sha256,
        document_url=f"/api/v1/signing-requests/{request.id}/document",
        register_number=number,
    )


def task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.id,
        meeting_id=task.meeting_id,
        title=task.title,
        expected_result=task.expected_result,
        owner_unit=task.owner_unit,
        assignee=person(task.assignee),
        assigned_by=person(task.assigned_by),  # type: ignore[arg-type]
        assigned_at=task.assigned_at,
        deadline=task.deadline,
        original_deadline=task.original_deadline,
        status=task.status.value,
        progress=task.progress,
        extension_until=task.extension_until,
        done_at=task.done_at,
    )
