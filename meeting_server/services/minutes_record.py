"""The record as the minutes show it: who attended, the agenda and its documents, who spoke,
the votes, read at one moment (times in Vietnam time) for the PDF and the CSV exports.

The shapes are plain dataclasses handed to the rendering child (``pdf/minutes.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

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
    Minutes,
    SpeakingRequest,
    Vote,
    utcnow,
)
from .attendance import Quorum, attendance_records, is_late, quorum_of
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
EXTRACT_NOTE = "bản trích, không gồm nội dung mật"
WITHHELD_ITEM = "Nội dung mật (không có trong bản trích)"
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
    #: The extract for readers without clearance: no confidential item, speech or vote.
    extract: bool = False


def minutes_of(meeting: Meeting) -> Minutes | None:
    """Return the meeting's minutes, or ``None`` while nothing has been drafted."""
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))


def has_confidential_items(meeting: Meeting) -> bool:
    """Tell whether the minutes of ``meeting`` need an extract for uncleared readers."""
    return any(item.confidential for item in meeting.agenda_items)


def minutes_data(
    meeting: Meeting, *, final: bool = False, at: datetime | None = None, extract: bool = False
) -> MinutesData:
    """Gather what the minutes show from the record (``at``: when they are generated).

    The ``extract`` leaves out what only cleared readers may learn: a confidential item keeps
    its number (the agenda's order stays readable) but not its title, presenter or documents,
    and its speeches and votes are left out. The conclusions are the secretary's text, in both.
    """
    minutes = minutes_of(meeting)
    records = attendance_records(meeting)
    secretary = meeting.secretary
    items, speeches, votes = _sections(meeting, records, extract)
    return MinutesData(
        meeting_id=meeting.id,
        title=f"{meeting.title} ({EXTRACT_NOTE})" if extract else meeting.title,
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
        items=items,
        speeches=speeches,
        votes=votes,
        conclusions=minutes.conclusions if minutes else "",
        final=final,
        generated_at=to_local(at or utcnow()),
        extract=extract,
    )


def _sections(
    meeting: Meeting, records: dict[int, Attendance], extract: bool
) -> tuple[tuple[ItemLine, ...], tuple[SpeechLine, ...], tuple[VoteLine, ...]]:
    """The agenda, the speeches and the votes; in an extract, none of a confidential item."""

    def shown(item: AgendaItem | None) -> bool:
        return not extract or item is None or not item.confidential

    items = tuple(
        _item_line(n, item) if shown(item) else ItemLine(n, WITHHELD_ITEM, "", True, ())
        for n, item in enumerate(meeting.agenda_items, 1)
    )
    speeches = tuple(
        _speech_line(turn, records)
        for turn in log_of(meeting)
        if shown(turn.agenda_item) and (turn.document is None or shown(turn.document.agenda_item))
    )
    public_votes = (vote for vote in votes_of(meeting) if shown(vote.agenda_item))
    votes = tuple(_vote_line(n, vote) for n, vote in enumerate(public_votes, 1))
    return items, speeches, votes


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
