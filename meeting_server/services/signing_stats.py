"""On-time statistics of the signing route: pending, overdue, turnaround, on-time rate.

The office measures the share of records handled on time (target 75 % → 85 %). Definitions:

- A step is **handled** when it is signed or returned (``acted_at`` is set).
  **Turnaround** = ``acted_at − pending_since`` (from when it became that step's turn).
- A handled step is **on time** when ``acted_at ≤`` its request's ``due_at``.
- A step is **pending** when its status is pending in a request still in progress;
  it is **overdue** when pending and now is past the request's ``due_at``.
- A step belongs to its signer (``signer_id``); a seal step belongs to the clerk who applied
  it (``acted_by_id``) once applied, else to the clerk chosen. A **unit** is that person's
  ``unit`` as it stands today.
- A handled step's **month** is the month of ``acted_at`` in Vietnam time; a month's on-time
  rate = handled on time that month / handled that month (none when nothing was handled).
- The period (``since ≤ acted_at < until``) filters handled steps only; pending and overdue
  are always counted as they stand now.

Each report is one query of narrow rows aggregated here: date arithmetic and time-zone month
buckets differ between SQLite and PostgreSQL, and an office has thousands of steps, not millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import and_, case, or_, select

from ..collation import vietnamese_key
from ..extensions import db
from ..i18n import display_zone, to_local
from ..models import RequestStatus, SigningRequest, SigningStep, StepKind, StepStatus, User, utcnow

HANDLED = (StepStatus.SIGNED, StepStatus.RETURNED)


@dataclass(frozen=True)
class Counts:
    """What a person, a unit or the office did: counts and the average turnaround."""

    pending: int
    overdue: int
    handled: int
    on_time: int
    average_hours: float | None  # None: nothing handled (with a known start)

    @property
    def on_time_rate(self) -> float | None:
        """Return on-time / handled (0…1), or None when nothing was handled."""
        return self.on_time / self.handled if self.handled else None

    @property
    def late(self) -> int:
        """Return how many handled steps were handled after the due date."""
        return self.handled - self.on_time


@dataclass(frozen=True)
class PersonRow:
    """One signer (leader) or clerk."""

    person_id: int
    name: str
    unit: str
    counts: Counts


@dataclass(frozen=True)
class UnitRow:
    """One unit (department): its people's steps together."""

    unit: str
    people: int
    counts: Counts


@dataclass(frozen=True)
class MonthPoint:
    """One month of the series (Vietnam time)."""

    year: int
    month: int
    handled: int
    on_time: int

    @property
    def on_time_rate(self) -> float | None:
        """Return on-time / handled (0…1), or None when nothing was handled."""
        return self.on_time / self.handled if self.handled else None

    @property
    def late(self) -> int:
        """Return how many steps handled that month were handled after the due date."""
        return self.handled - self.on_time

    @property
    def label(self) -> str:
        """Return the month as ``mm/yyyy``."""
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows, from one query."""

    since: datetime
    target: float
    totals: Counts  # in the scope (unit and/or person) and the period
    months: tuple[MonthPoint, ...]  # in the scope, oldest first, the current month last
    people: tuple[PersonRow, ...]  # everyone, for comparison
    units: tuple[UnitRow, ...]

    @property
    def this_month(self) -> MonthPoint:
        """Return the current month's point."""
        return self.months[-1]


@dataclass(frozen=True)
class _Fact:
    """One step reduced to what the statistics need."""

    person_id: int | None
    name: str
    unit: str
    pending: bool
    overdue: bool
    handled: bool
    on_time: bool
    hours: float | None
    acted_at: datetime | None


def on_time_target() -> float:
    """Return the office's on-time target (0…1), ``SIGNING_ON_TIME_TARGET``."""
    return float(current_app.config["SIGNING_ON_TIME_TARGET"])


def period_start(months: int, now: datetime | None = None) -> datetime:
    """Return (in UTC) the first instant of the month ``months − 1`` months before now's."""
    return _month_start(_month_keys(months, now or utcnow())[0])


def people_stats(
    since: datetime | None = None, until: datetime | None = None, *, now: datetime | None = None
) -> list[PersonRow]:
    """Return one row per person with a pending step or a step handled in the period."""
    return _people(_facts(since, until, now or utcnow()))


def unit_stats(
    since: datetime | None = None, until: datetime | None = None, *, now: datetime | None = None
) -> list[UnitRow]:
    """Return one row per unit of the people with a pending or handled step."""
    return _units(_facts(since, until, now or utcnow()))


def office_totals(
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    unit: str | None = None,
    person_id: int | None = None,
    now: datetime | None = None,
) -> Counts:
    """Return the office's counts (or one unit's, one person's) for the period."""
    return _count(_scoped(_facts(since, until, now or utcnow()), unit, person_id))


def monthly_rates(
    months: int = 12,
    *,
    until: datetime | None = None,
    unit: str | None = None,
    person_id: int | None = None,
    now: datetime | None = None,
) -> list[MonthPoint]:
    """Return the on-time series of the ``months`` months ending with ``until``'s (or now's)."""
    end = until or now or utcnow()
    keys = _month_keys(months, end)
    since = _month_start(keys[0])
    facts = _scoped(_facts(since, until, now or utcnow()), unit, person_id)
    return _months(facts, keys)


def signing_dashboard(
    months: int = 12,
    *,
    unit: str | None = None,
    person_id: int | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """Return the page's figures for the last ``months`` months, the tiles and chart scoped."""
    now = now or utcnow()
    keys = _month_keys(months, now)
    since = period_start(months, now)
    facts = _facts(since, None, now)
    scoped = _scoped(facts, unit, person_id)
    return Dashboard(
        since=since,
        target=on_time_target(),
        totals=_count(scoped),
        months=tuple(_months(scoped, keys)),
        people=tuple(_people(facts)),
        units=tuple(_units(facts)),
    )


# --- the query and the aggregation ----------------------------------------------------------

#: Whose step it is: the seal belongs to the clerk who applied it, once applied.
_PERSON = case(
    (
        and_(SigningStep.kind == StepKind.SEAL, SigningStep.acted_by_id.is_not(None)),
        SigningStep.acted_by_id,
    ),
    else_=SigningStep.signer_id,
)


def _facts(since: datetime | None, until: datetime | None, now: datetime) -> list[_Fact]:
    """Load the pending steps and the steps handled in the period, in one query."""
    handled = and_(SigningStep.status.in_(HANDLED), SigningStep.acted_at.is_not(None))
    if since is not None:
        handled = and_(handled, SigningStep.acted_at >= since)
    if until is not None:
        handled = and_(handled, SigningStep.acted_at < until)
    pending = and_(
        SigningStep.status == StepStatus.PENDING,
        SigningRequest.status == RequestStatus.IN_PROGRESS,
    )
    statement = (
        select(
            _PERSON.label("person_id"),
            User.full_name,
            User.unit,
            SigningStep.status,
            SigningStep.pending_since,
            SigningStep.acted_at,
            SigningRequest.due_at,
        )
        .join(SigningRequest, SigningStep.request_id == SigningRequest.id)
        .outerjoin(User, User.id == _PERSON)
        .where(or_(handled, pending))
    )
    return [_fact(*row, now=now) for row in db.session.execute(statement)]


def _fact(
    person_id: int | None,
    name: str | None,
    unit: str | None,
    status: str,
    pending_since: datetime | None,
    acted_at: datetime | None,
    due_at: datetime,
    *,
    now: datetime,
) -> _Fact:
    handled = status in HANDLED and acted_at is not None
    hours = None
    if handled and acted_at is not None and pending_since is not None:
        hours = (acted_at - pending_since).total_seconds() / 3600
    return _Fact(
        person_id=person_id,
        name=name or "",
        unit=unit or "",
        pending=not handled,
        overdue=not handled and now > due_at,
        handled=handled,
        on_time=handled and acted_at is not None and acted_at <= due_at,
        hours=hours,
        acted_at=acted_at if handled else None,
    )


def _scoped(facts: Iterable[_Fact], unit: str | None, person_id: int | None) -> list[_Fact]:
    return [
        f
        for f in facts
        if (unit is None or f.unit == unit) and (person_id is None or f.person_id == person_id)
    ]


def _count(facts: Iterable[_Fact]) -> Counts:
    pending = overdue = handled = on_time = 0
    hours: list[float] = []
    for fact in facts:
        pending += fact.pending
        overdue += fact.overdue
        handled += fact.handled
        on_time += fact.on_time
        if fact.hours is not None:
            hours.append(fact.hours)
    average = sum(hours) / len(hours) if hours else None
    return Counts(pending, overdue, handled, on_time, average)


def _people(facts: Iterable[_Fact]) -> list[PersonRow]:
    groups: dict[int, list[_Fact]] = defaultdict(list)
    for fact in facts:
        if fact.person_id is not None:
            groups[fact.person_id].append(fact)
    rows = [PersonRow(pid, fs[0].name, fs[0].unit, _count(fs)) for pid, fs in groups.items()]
    return sorted(rows, key=lambda row: (vietnamese_key(row.name), row.person_id))


def _units(facts: Iterable[_Fact]) -> list[UnitRow]:
    groups: dict[str, list[_Fact]] = defaultdict(list)
    for fact in facts:
        if fact.person_id is not None:
            groups[fact.unit].append(fact)
    rows = [
        UnitRow(unit, len({f.person_id for f in fs}), _count(fs)) for unit, fs in groups.items()
    ]
    return sorted(rows, key=lambda row: vietnamese_key(row.unit))


def _months(facts: Iterable[_Fact], keys: Sequence[tuple[int, int]]) -> list[MonthPoint]:
    handled: dict[tuple[int, int], int] = defaultdict(int)
    on_time: dict[tuple[int, int], int] = defaultdict(int)
    for fact in facts:
        if fact.acted_at is None:
            continue
        local = to_local(fact.acted_at)
        handled[local.year, local.month] += 1
        on_time[local.year, local.month] += fact.on_time
    return [MonthPoint(y, m, handled[y, m], on_time[y, m]) for y, m in keys]


def _month_start(key: tuple[int, int]) -> datetime:
    """Return (in UTC) the first instant of a month in Vietnam time."""
    return datetime(key[0], key[1], 1, tzinfo=display_zone()).astimezone(UTC)


def _month_keys(months: int, end: datetime) -> list[tuple[int, int]]:
    """Return (year, month) of the ``months`` months ending with ``end``'s, in Vietnam time."""
    local = to_local(end)
    last = local.year * 12 + local.month - 1
    return [(n // 12, n % 12 + 1) for n in range(last - max(months, 1) + 1, last + 1)]


__all__ = [
    "Counts",
    "Dashboard",
    "MonthPoint",
    "PersonRow",
    "UnitRow",
    "monthly_rates",
    "office_totals",
    "on_time_target",
    "people_stats",
    "period_start",
    "signing_dashboard",
    "unit_stats",
]
