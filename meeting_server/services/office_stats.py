"""The leaders' dashboard: what the office did in a period, month by month (Vietnam time).

Definitions (the page states the same):

- A **meeting held** is a meeting ended (status ``ended``); it counts in the month of its
  scheduled start, in its room.
- **Attendance**: every invitation to a meeting held. An invitee **attended** when they, or
  the deputy they named, checked in (in person or online), even if they left before the end;
  they **arrived late** when that check-in came more than ``attendance.LATE_AFTER`` (5
  minutes) after the meeting's actual start (its scheduled start if it never started) —
  ``services/attendance.is_late``. Attendance rate = attended / invited; late = of those
  who attended.
- **Paper saved**: what printing would have taken — every version of every document of a
  meeting held (a replaced document would have been printed again) for every invitee,
  double-sided: ``ceil(pages / 2)`` A4 sheets a copy, 4.99 g a sheet (80 g/m² × 0.06237 m²).
- **Documents signed**: signing requests completed (the last step done) in the month; the
  on-time rate and turnaround of the signing steps are ``services/signing_stats``'s.
- **Tasks**: ``services/task_stats``.

A unit filter scopes attendance (invitees of the unit), signing (signers of the unit) and
tasks (owner unit); meetings and paper are the whole office's. Counting is done in SQL where
it is a plain ``GROUP BY`` of ids; months are bucketed here over narrow rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, TypeVar, TypeVarTuple

from sqlalchemy import Select, func, or_, select

from ..collation import vietnamese_key
from ..extensions import db
from ..i18n import display_zone
from ..models import (
    AgendaItem,
    Attendance,
    Document,
    DocumentVersion,
    Invitation,
    Meeting,
    MeetingStatus,
    RequestStatus,
    Room,
    SigningRequest,
    Task,
    User,
    utcnow,
)
from .attendance import LATE_AFTER
from .narrow_rows import moment, raw
from .signing_stats import Dashboard, signing_dashboard
from .task_stats import TaskBoard, month_keys, task_board, vietnam_today

GRAMS_PER_SHEET = 4.99  # one A4 sheet (0.210 × 0.297 m) of 80 g/m² paper
SHEETS_PER_REAM = 500

Key = tuple[int, int]  # (year, month), Vietnam time
F = TypeVar("F")
Ts = TypeVarTuple("Ts")
S = TypeVar("S", bound="_Figures")


class _Figures:
    """Figures that add up field by field (a month's meetings, the period's months)."""

    def __add__(self: S, other: S) -> S:
        return type(self)(**{name: n + getattr(other, name) for name, n in vars(self).items()})


@dataclass(frozen=True)
class AttendanceFigures(_Figures):
    """Invitations to meetings held, and how many of them attended, late or not."""

    meetings: int = 0
    invited: int = 0
    attended: int = 0
    late: int = 0

    @property
    def rate(self) -> float | None:
        """Return attended / invited, or None when nobody was invited."""
        return self.attended / self.invited if self.invited else None

    @property
    def late_rate(self) -> float | None:
        """Return late / attended, or None when nobody attended."""
        return self.late / self.attended if self.attended else None


@dataclass(frozen=True)
class PaperFigures(_Figures):
    """The printing that meetings held did without."""

    meetings: int = 0  # meetings held with a document
    versions: int = 0  # document versions distributed
    pages: int = 0  # pages of those versions (one copy)
    page_copies: int = 0  # pages × invitees
    sheets: int = 0  # ceil(pages / 2) per version × invitees (double-sided)

    @property
    def kilograms(self) -> float:
        """Return the weight of the sheets (4.99 g an A4 sheet of 80 g/m²)."""
        return self.sheets * GRAMS_PER_SHEET / 1000

    @property
    def reams(self) -> float:
        """Return the sheets in reams of 500."""
        return self.sheets / SHEETS_PER_REAM


@dataclass(frozen=True)
class SigningFigures(_Figures):
    """Documents whose route completed, and the signing steps handled (on time or not)."""

    documents: int = 0
    handled: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        """Return the steps' on-time rate (signing_stats), or None when none was handled."""
        return self.on_time / self.handled if self.handled else None


@dataclass(frozen=True)
class Month(Generic[F]):
    """One month (Vietnam time) of a series."""

    year: int
    month: int
    figures: F

    @property
    def label(self) -> str:
        """Return the month as ``mm/yyyy``."""
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True)
class RoomRow:
    """One room: the meetings held in it, per month of the period."""

    room_id: int
    name: str
    per_month: tuple[int, ...]

    @property
    def total(self) -> int:
        """Return the meetings held in the room in the period."""
        return sum(self.per_month)


@dataclass(frozen=True)
class OfficeBoard:
    """Everything the leaders' dashboard shows for one period (and unit)."""

    since: date  # the first day of the period (Vietnam)
    unit: str | None
    units: tuple[str, ...]  # the units one may choose
    months: tuple[Month[int], ...]  # meetings held per month
    rooms: tuple[RoomRow, ...]
    attendance: tuple[Month[AttendanceFigures], ...]
    paper: tuple[Month[PaperFigures], ...]
    signed: tuple[Month[SigningFigures], ...]
    signing: Dashboard
    tasks: TaskBoard

    @property
    def meetings_held(self) -> int:
        """Return the meetings held in the period."""
        return sum(point.figures for point in self.months)

    @property
    def attendance_total(self) -> AttendanceFigures:
        """Return the period's attendance."""
        return sum((point.figures for point in self.attendance), AttendanceFigures())

    @property
    def paper_total(self) -> PaperFigures:
        """Return the period's paper."""
        return sum((point.figures for point in self.paper), PaperFigures())

    @property
    def documents_signed(self) -> int:
        """Return the documents whose route completed in the period."""
        return sum(point.figures.documents for point in self.signed)


def office_board(
    months: int = 12, *, unit: str | None = None, now: datetime | None = None
) -> OfficeBoard:
    """Return the dashboard's figures for the last ``months`` months (Vietnam time)."""
    now = now or utcnow()
    keys = month_keys(months, vietnam_today(now))
    since = date(keys[0][0], keys[0][1], 1)
    start = datetime(since.year, since.month, 1, tzinfo=display_zone()).astimezone(UTC)
    held = meetings_held(start)
    tasks = task_board(months, unit=unit, now=now)
    signing = signing_dashboard(months, unit=unit, now=now)
    return OfficeBoard(
        since=since,
        unit=unit,
        units=tuple(known_units()),
        months=tuple(Month(y, m, n) for (y, m), n in _per_month(held.values(), keys)),
        rooms=tuple(rooms_per_month(held, keys)),
        attendance=tuple(attendance_per_month(held, keys, unit)),
        paper=tuple(paper_per_month(held, keys)),
        signed=tuple(signed_per_month(start, keys, signing)),
        signing=signing,
        tasks=tasks,
    )


# --- meetings held ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """A meeting held: its room, month, and when it actually started (late arrivals)."""

    room_id: int
    month: Key
    started: datetime


def meetings_held(since: datetime) -> dict[int, Held]:
    """Return the meetings ended that were scheduled from ``since`` on, by id."""
    zone = display_zone()
    rows = db.session.execute(
        select(Meeting.id, Meeting.room_id, Meeting.starts_at, Meeting.started_at).where(
            Meeting.status == MeetingStatus.ENDED, Meeting.starts_at >= since
        )
    )
    held = {}
    for meeting_id, room_id, starts_at, started_at in rows:
        local = starts_at.astimezone(zone)
        held[meeting_id] = Held(room_id, (local.year, local.month), started_at or starts_at)
    return held


def rooms_per_month(held: dict[int, Held], keys: Sequence[Key]) -> list[RoomRow]:
    """Return each room that held a meeting (or is in use) with its meetings per month."""
    by_room: dict[int, list[Held]] = defaultdict(list)
    for meeting in held.values():
        by_room[meeting.room_id].append(meeting)
    rooms = db.session.execute(select(Room.id, Room.name, Room.active)).all()
    rows = [
        RoomRow(room_id, name, tuple(n for _key, n in _per_month(by_room[room_id], keys)))
        for room_id, name, active in rooms
        if active or room_id in by_room
    ]
    return sorted(rows, key=lambda row: vietnamese_key(row.name))


def _per_month(held: Iterable[Held], keys: Sequence[Key]) -> list[tuple[Key, int]]:
    counted = Counter(meeting.month for meeting in held)
    return [(key, counted[key]) for key in keys]


# --- attendance -------------------------------------------------------------------------------


def attendance_per_month(
    held: dict[int, Held], keys: Sequence[Key], unit: str | None
) -> list[Month[AttendanceFigures]]:
    """Return invited / attended / late per month, of ``unit``'s invitees when one is given."""
    per_meeting = _scoped(
        select(
            Invitation.meeting_id,
            func.count(Invitation.id),
            func.count(Attendance.checked_in_at),
        )
        .outerjoin(Attendance, Attendance.invitation_id == Invitation.id)
        .group_by(Invitation.meeting_id),
        held,
        unit,
    )
    late = Counter(_late_arrivals(held, unit))
    figures: dict[Key, AttendanceFigures] = defaultdict(AttendanceFigures)
    for meeting_id, invited, attended in db.session.execute(per_meeting):
        month = held[meeting_id].month
        figures[month] += AttendanceFigures(1, invited, attended, late[meeting_id])
    return [Month(y, m, figures[y, m]) for y, m in keys]


def _late_arrivals(held: dict[int, Held], unit: str | None) -> list[int]:
    """Return the meeting id of each check-in more than LATE_AFTER after the actual start.

    SQL keeps the check-ins after the scheduled or the actual start (a portable comparison
    of columns); the actual start and the grace period are applied here, as ``is_late`` does.
    """
    after = _scoped(
        select(Invitation.meeting_id, raw(Attendance.checked_in_at))
        .join(Attendance, Attendance.invitation_id == Invitation.id)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(
            or_(
                Attendance.checked_in_at > Meeting.starts_at,
                Attendance.checked_in_at > Meeting.started_at,
            )
        ),
        held,
        unit,
    )
    late = []
    for meeting_id, arrived in db.session.connection().execute(after).all():
        checked_in = moment(arrived)
        if checked_in is not None and checked_in > held[meeting_id].started + LATE_AFTER:
            late.append(meeting_id)
    return late


def _scoped(statement: Select[*Ts], held: dict[int, Held], unit: str | None) -> Select[*Ts]:
    """Keep the invitations to the meetings ``held`` (of ``unit``'s people).

    Naming the meetings lets SQLite walk the invitations' index from each of them.
    """
    statement = statement.where(Invitation.meeting_id.in_(list(held)))
    if unit is not None:
        statement = statement.join(User, User.id == Invitation.user_id).where(User.unit == unit)
    return statement


# --- paper --------------------------------------------------------------------------------------


def paper_per_month(held: dict[int, Held], keys: Sequence[Key]) -> list[Month[PaperFigures]]:
    """Return the paper the meetings held did without, per month."""
    ids = list(held)
    invitees = dict(
        db.session.execute(
            select(Invitation.meeting_id, func.count(Invitation.id))
            .where(Invitation.meeting_id.in_(ids))
            .group_by(Invitation.meeting_id)
        ).all()
    )
    documents = db.session.execute(
        select(
            AgendaItem.meeting_id,
            func.count(DocumentVersion.id),
            func.sum(DocumentVersion.page_count),
            func.sum((DocumentVersion.page_count + 1) // 2),
        )
        .join(Document, Document.id == DocumentVersion.document_id)
        .join(AgendaItem, AgendaItem.id == Document.agenda_item_id)
        .where(AgendaItem.meeting_id.in_(ids))
        .group_by(AgendaItem.meeting_id)
    )
    figures: dict[Key, PaperFigures] = defaultdict(PaperFigures)
    for meeting_id, versions, pages, sheets in documents:
        one = paper_of(int(versions), int(pages), int(sheets), invitees.get(meeting_id, 0))
        figures[held[meeting_id].month] += one
    return [Month(y, m, figures[y, m]) for y, m in keys]


def paper_of(versions: int, pages: int, sheets: int, invitees: int) -> PaperFigures:
    """Return one meeting's paper: ``sheets`` is Σ ceil(pages / 2) over its versions."""
    return PaperFigures(1, versions, pages, pages * invitees, sheets * invitees)


# --- signing, units -----------------------------------------------------------------------------


def signed_per_month(
    since: datetime, keys: Sequence[Key], signing: Dashboard
) -> list[Month[SigningFigures]]:
    """Return the documents whose route completed per month, beside the steps' figures."""
    zone = display_zone()
    finished = db.session.scalars(
        select(SigningRequest.finished_at).where(
            SigningRequest.status == RequestStatus.COMPLETED,
            SigningRequest.finished_at >= since,
        )
    )
    counted = Counter((d.astimezone(zone).year, d.astimezone(zone).month) for d in finished if d)
    steps = {(point.year, point.month): point for point in signing.months}
    return [
        Month(y, m, SigningFigures(counted[y, m], steps[y, m].handled, steps[y, m].on_time))
        for y, m in keys
    ]


def known_units() -> list[str]:
    """Return the units people belong to and tasks name, in Vietnamese order."""
    people = db.session.scalars(select(User.unit).where(User.unit != "").distinct())
    owners = db.session.scalars(select(Task.owner_unit).distinct())
    return sorted({*people, *owners}, key=vietnamese_key)
