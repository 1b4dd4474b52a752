"""The minutes (biên bản): the secretary drafts the conclusions, then finalises a Vietnamese PDF.

Everything else in the minutes is gathered from the record — attendance, delegations, the
agenda and its documents (version and SHA-256), the speaking log, the votes with their
attendance snapshots — when the PDF is rendered. Finalising (only once the meeting has ended)
stores the PDF by its SHA-256 and locks the minutes for good: it is the file the signing
workflow (chair, secretary, clerk's seal) works on, so every later edit is refused.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..collation import seat_key, vietnamese_key
from ..extensions import db
from ..i18n import to_local
from ..models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingRole,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    SpeakingRequest,
    User,
    Vote,
    utcnow,
)
from ..pdf.runner import ChildFailed, run_child
from ..storage import StoredBlob, blob_store
from .attendance import Quorum, attendance_records, is_late, quorum_of
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .speaking import log_of
from .votes import votes_of

#: The record's wording (always Vietnamese), shared by the PDF and the CSV exports.
ROLE_LABELS = {
    "chair": "Chủ trì", "member": "Thành viên", "guest": "Khách mời", "secretary": "Thư ký",
}  # fmt: skip
STATUS_LABELS = {
    "present": "Có mặt", "online": "Trực tuyến", "absent": "Vắng mặt",
    "delegated": "Cử người dự thay", "left": "Rời cuộc họp", "": "Không điểm danh",
}  # fmt: skip
METHOD_LABELS = {"tablet": "Máy tính bảng", "qr": "Quét mã QR", "roll_call": "Thư ký điểm danh"}
LATE = "Đến muộn"
#: Long enough for any real set of conclusions; a paste of a whole report is refused.
MAX_CONCLUSIONS = 50_000
#: Limits of the rendering child (a 200-person meeting with three named votes: ≈ 2 s).
RENDER_TIMEOUT_S = 60
RENDER_MEMORY_MB = 768

log = logging.getLogger(__name__)


class RenderFailed(ServiceError):
    """The rendering child gave no PDF (a limit, or a bug): nothing was stored."""

    status = 503


_ROLE_ORDER: dict[str, int] = {role.value: n for n, role in enumerate(MeetingRole)}


@dataclass(frozen=True)
class AttendanceLine:
    """One invitee in the attendance table (times in Vietnam time)."""

    name: str
    position: str
    unit: str
    role: str  # a MeetingRole value
    seat: str
    status: str  # an AttendanceStatus value, "" when nothing was recorded
    late: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    method: str  # a CheckInMethod value, or ""
    reason: str
    deputy: str  # who attended instead, after a delegation
    counts_toward_quorum: bool
    may_vote: bool

    @property
    def role_label(self) -> str:
        """Return the meeting role in Vietnamese."""
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def status_labels(self) -> list[str]:
        """Return the status in Vietnamese, then "Đến muộn" when late."""
        labels = [STATUS_LABELS.get(self.status, self.status)]
        if self.status == AttendanceStatus.DELEGATED and self.checked_in_at is None:
            labels.append("Người dự thay chưa đến")
        return [*labels, LATE] if self.late else labels

    @property
    def method_label(self) -> str:
        """Return how the check-in was recorded, in Vietnamese."""
        return METHOD_LABELS.get(self.method, self.method)


@dataclass(frozen=True)
class DocumentLine:
    """One distributed version of an agenda item's document."""

    title: str
    version: int
    sha256: str
    pages: int
    current: bool  # the newest version of its document
    withdrawn: bool


@dataclass(frozen=True)
class ItemLine:
    """One agenda item, in order, with its documents."""

    number: int
    title: str
    presenter: str
    confidential: bool
    documents: tuple[DocumentLine, ...]


@dataclass(frozen=True)
class SpeechLine:
    """One turn at speaking (times in Vietnam time)."""

    name: str
    item: str
    topic: str
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class VoteLine:
    """One vote: the question, and once closed its results and the attendance at closing."""

    number: int
    item: str
    question: str
    secret: bool
    closed: bool
    opened_at: datetime
    closed_at: datetime | None
    results: tuple[tuple[str, int], ...]  # (option, ballots)
    cast: int
    eligible: int
    quorum: Quorum | None
    present: int  # people present when it closed (guests included)
    ballots: tuple[tuple[str, str], ...]  # (voter, choice): open votes only
    #: (carried, in favour, counted, needed, rule) when the vote had a rule
    verdict: tuple[bool, int, int, int, str] | None = None


@dataclass(frozen=True)
class MinutesData:
    """Everything the minutes show, read from the record at one moment (Vietnam time)."""

    meeting_id: int
    title: str
    organisation: str
    room: str
    starts_at: datetime
    ends_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    chair: str
    secretary: str
    attendance: tuple[AttendanceLine, ...]
    quorum: Quorum
    items: tuple[ItemLine, ...]
    speeches: tuple[SpeechLine, ...]
    votes: tuple[VoteLine, ...]
    conclusions: str
    final: bool
    generated_at: datetime


def minutes_of(meeting: Meeting) -> Minutes | None:
    """Return the meeting's minutes, or ``None`` while nothing has been drafted."""
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))


def save_draft(actor: User, meeting: Meeting, conclusions: str) -> Minutes:
    """Save the secretary's conclusions in the draft (refused once the minutes are final)."""
    if meeting.is_draft:
        raise NotAllowed(_l("Publish the meeting before drafting its minutes."))
    text = conclusions.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_CONCLUSIONS:
        raise ServiceError(
            _l("Keep the conclusions under %(n)s characters.", n=MAX_CONCLUSIONS),
            field="conclusions",
        )
    minutes = minutes_of(meeting)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
    _require_draft(minutes)
    minutes.conclusions = text
    minutes.updated_by_id = actor.id
    db.session.flush()
    record_event(actor, "minutes.save", "meeting", meeting.id, length=len(text))
    return minutes


def preview_pdf(meeting: Meeting) -> bytes:
    """Render the draft minutes as they stand now, marked "DỰ THẢO" on every page."""
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.status == MinutesStatus.FINAL:
        raise NotAllowed(_l("The minutes are final. Download the finalised PDF instead."))
    return render_pdf("minutes", minutes_data(meeting))


def finalise_minutes(actor: User, meeting: Meeting) -> Minutes:
    """Render the final PDF, store it by SHA-256 and lock the minutes for signing."""
    if meeting.status != MeetingStatus.ENDED:
        raise NotAllowed(_l("The minutes can be finalised once the meeting has ended."))
    minutes = minutes_of(meeting)
    if minutes is not None:
        _require_draft(minutes)
    if minutes is None or not minutes.conclusions:
        raise ServiceError(
            _l("Write the conclusions and save the draft before finalising the minutes."),
            field="conclusions",
        )
    now = utcnow()
    blob = blob_store().put_bytes(render_pdf("minutes", minutes_data(meeting, final=True, at=now)))
    _lock(minutes, actor, blob, now)
    record_event(
        actor, "minutes.finalise", "meeting", meeting.id, sha256=blob.sha256, size=blob.size
    )
    return minutes


def render_pdf(kind: str, data: MinutesData) -> bytes:
    """Render the minutes or the attendance sheet (``kind``) in a limited child process."""
    store = blob_store()
    with store.temporary_file(".minutes-data") as source, store.temporary_file(".pdf") as target:
        source.write_bytes(pickle.dumps(data))
        try:
            report = run_child(
                "meeting_server.pdf.children.minutes", [kind, str(source), str(target)],
                timeout_s=RENDER_TIMEOUT_S, memory_mb=RENDER_MEMORY_MB, file_mb=64,
            )  # fmt: skip
        except ChildFailed as error:
            log.error("rendering %s failed: %s", kind, error)
            report = {"ok": False}
        if report.get("ok") is not True:
            raise RenderFailed(
                _l("The PDF could not be made. Try again; if it fails again, tell the "
                   "administrator.")
            )  # fmt: skip
        return target.read_bytes()


def _lock(minutes: Minutes, actor: User, blob: StoredBlob, now: datetime) -> None:
    """Make the draft that was rendered final, unless someone changed it in the meantime."""
    # A save or a finalisation committed at the same moment leaves no row to update.
    locked = db.session.execute(
        update(Minutes)
        .where(
            Minutes.id == minutes.id,
            Minutes.status == MinutesStatus.DRAFT,
            Minutes.conclusions == minutes.conclusions,
        )
        .values(
            status=MinutesStatus.FINAL,
            finalised_at=now,
            finalised_by_id=actor.id,
            pdf_sha256=blob.sha256,
            pdf_size=blob.size,
        )
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed(_l("Someone changed the minutes at the same moment. Reload the page."))
    db.session.refresh(minutes)


def _require_draft(minutes: Minutes) -> None:
    if minutes.status == MinutesStatus.FINAL:
        raise NotAllowed(
            _l(
                "The minutes are final and locked for signing; they can no longer be changed. "
                "Download the finalised PDF to read them."
            )
        )


def minutes_data(
    meeting: Meeting, *, final: bool = False, at: datetime | None = None
) -> MinutesData:
    """Gather what the minutes show from the record (``at``: when they are generated)."""
    minutes = minutes_of(meeting)
    records = attendance_records(meeting)
    secretary = meeting.secretary
    return MinutesData(
        meeting_id=meeting.id,
        title=meeting.title,
        organisation=secretary.unit if secretary else "",
        room=meeting.room.name,
        starts_at=to_local(meeting.starts_at),
        ends_at=to_local(meeting.ends_at),
        started_at=_local(meeting.started_at),
        ended_at=_local(meeting.ended_at),
        chair=meeting.chair.full_name if meeting.chair else "",
        secretary=secretary.full_name if secretary else "",
        attendance=tuple(_attendance_lines(meeting, records)),
        quorum=quorum_of(meeting),
        items=tuple(_item_line(n, item) for n, item in enumerate(meeting.agenda_items, 1)),
        speeches=tuple(_speech_line(turn, records) for turn in log_of(meeting)),
        votes=tuple(_vote_line(n, vote) for n, vote in enumerate(votes_of(meeting), 1)),
        conclusions=minutes.conclusions if minutes else "",
        final=final,
        generated_at=to_local(at or utcnow()),
    )


def _local(value: datetime | None) -> datetime | None:
    return to_local(value) if value is not None else None


def _attendance_lines(meeting: Meeting, records: dict[int, Attendance]) -> list[AttendanceLine]:
    """Return the invitees: the chair, members by seat, guests, the secretary; then by name."""

    def order(invitation: Invitation) -> tuple:
        role = _ROLE_ORDER.get(invitation.role, 9)
        return (role, seat_key(invitation.seat or ""), vietnamese_key(invitation.user.full_name))

    return [
        _attendance_line(invitation, records.get(invitation.id), meeting)
        for invitation in sorted(meeting.invitations, key=order)
    ]


def _attendance_line(
    invitation: Invitation, record: Attendance | None, meeting: Meeting
) -> AttendanceLine:
    user = invitation.user
    return AttendanceLine(
        name=user.full_name, position=user.position, unit=user.unit,
        role=invitation.role, seat=invitation.seat or "",
        status=record.status if record else "",
        late=record is not None and is_late(record, meeting),
        checked_in_at=_local(record.checked_in_at) if record else None,
        checked_out_at=_local(record.checked_out_at) if record else None,
        method=(record.method or "") if record else "",
        reason=record.reason if record else "",
        deputy=record.deputy_name if record and record.status == AttendanceStatus.DELEGATED else "",
        counts_toward_quorum=invitation.counts_toward_quorum, may_vote=invitation.may_vote,
    )  # fmt: skip


def _item_line(number: int, item: AgendaItem) -> ItemLine:
    documents = tuple(
        DocumentLine(
            title=document.title,
            version=version.number,
            sha256=version.sha256,
            pages=version.page_count,
            current=version is document.current,
            withdrawn=document.removed_at is not None,
        )
        for document in item.documents
        for version in document.versions
    )
    return ItemLine(number, item.title, item.presenter_label, item.confidential, documents)


def _speech_line(turn: SpeakingRequest, records: dict[int, Attendance]) -> SpeechLine:
    assert turn.started_at is not None  # noqa: S101 — log_of lists only turns that started
    return SpeechLine(
        name=_attendee_name(turn.invitation, records.get(turn.invitation_id)),
        item=turn.agenda_item.title if turn.agenda_item else "",
        topic=turn.topic,
        started_at=to_local(turn.started_at),
        ended_at=_local(turn.ended_at),
    )


def _attendee_name(invitation: Invitation, record: Attendance | None) -> str:
    """Return who attends for the invitation: the deputy, after a delegation."""
    if record is not None and record.status == AttendanceStatus.DELEGATED and record.deputy_name:
        return f"{record.deputy_name} (thay {invitation.user.full_name})"
    return invitation.user.full_name


def _vote_line(number: int, vote: Vote) -> VoteLine:
    snapshot = vote.snapshot or {}
    quorum = snapshot.get("quorum")
    return VoteLine(
        number=number, item=vote.agenda_item.title, question=vote.question,
        secret=vote.secret, closed=vote.snapshot is not None,
        opened_at=to_local(vote.opened_at), closed_at=_local(vote.closed_at),
        results=tuple((r["label"], r["count"]) for r in snapshot.get("results", [])),
        cast=snapshot.get("cast", 0), eligible=snapshot.get("eligible", 0),
        quorum=Quorum(quorum["members"], quorum["present"], quorum["required"]) if quorum else None,
        present=len(snapshot.get("present", [])),
        ballots=tuple((b["name"], b["choice"]) for b in snapshot.get("ballots", [])),
        verdict=_verdict(snapshot.get("verdict")),
    )  # fmt: skip


def _verdict(verdict: dict | None) -> tuple[bool, int, int, int, str] | None:
    if not verdict:
        return None
    return (verdict["passed"], verdict["yes"], verdict["base"], verdict["needed"], verdict["rule"])
