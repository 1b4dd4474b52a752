"""On-time arithmetic of the tasks that conclusion notices assign (docs/decisions.md, issue 16).

Days are Vietnam days; ``today`` is the Vietnam date of ``now``.

- A task is **done** when the assigner confirmed it (status ``done``); its **done day** is the
  Vietnam day of the report the assigner confirmed (``reported_at``; ``done_at`` only for a
  task confirmed without a report), so the unit is not late because the leader read it late.
- **Done on time**: done day ≤ the deadline in force (an approved extension moves it).
  **Done late**: after it. **Extended**: the deadline in force is later than the first one;
  counted in its own column too, and on time or late against the extended deadline.
- **Overdue open**: not done (a reported task not yet confirmed is open) and today is after
  the deadline in force. **Open on track**: not done and not overdue.
- **On-time rate** = done on time / (done + overdue open); none when that is 0.
- A **month** holds the tasks whose deadline in force falls in it. A period of ``months``
  months holds the tasks due from the first day of its first month on, those due later too.

The figures come from one query of narrow rows aggregated here (names in one more query
each): an office has tens of thousands of tasks, not millions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..collation import vietnamese_key
from ..extensions import db
from ..i18n import display_zone
from ..models import Meeting, OfficeSetting, Task, TaskStatus, User, utcnow
from .audit import record_event
from .errors import ServiceError
from .narrow_rows import day, moment, raw

K = TypeVar("K", bound=Hashable)

TARGET_KEY = "task_on_time_target"
DEFAULT_TARGET_PERCENT = 85


@dataclass(frozen=True)
class TaskCounts:
    """The tasks of a group, by where they stand."""

    done_on_time: int = 0
    done_late: int = 0
    overdue_open: int = 0
    open_on_track: int = 0
    extended: int = 0  # also counted in one of the four above

    def __add__(self, other: TaskCounts) -> TaskCounts:
        return TaskCounts(**{name: n + getattr(other, name) for name, n in vars(self).items()})

    @property
    def total(self) -> int:
        """Return how many tasks the group holds."""
        return self.done + self.overdue_open + self.open_on_track

    @property
    def done(self) -> int:
        """Return how many tasks were confirmed done."""
        return self.done_on_time + self.done_late

    @property
    def rated(self) -> int:
        """Return the rate's denominator: done + overdue open."""
        return self.done + self.overdue_open

    @property
    def on_time_rate(self) -> float | None:
        """Return done on time / (done + overdue open), or None when that is 0."""
        return self.done_on_time / self.rated if self.rated else None


class TaskFact(NamedTuple):
    """One task reduced to what the arithmetic needs (a tuple: 20,000 are made per read)."""

    owner_unit: str
    assignee_id: int | None
    assigned_by_id: int
    meeting_id: int
    deadline: date  # in force
    original_deadline: date
    done_day: date | None  # None while not confirmed done

    @property
    def extended(self) -> bool:
        """Tell whether an extension moved the deadline later."""
        return self.deadline > self.original_deadline

    @property
    def month(self) -> tuple[int, int]:
        """Return (year, month) of the deadline in force."""
        return self.deadline.year, self.deadline.month


@dataclass(frozen=True)
class TaskGroup:
    """One unit, person in charge, meeting or assigning leader (``key`` None: no one named)."""

    key: int | str | None
    label: str
    counts: TaskCounts


@dataclass(frozen=True)
class TaskMonth:
    """The tasks due in one month."""

    year: int
    month: int
    counts: TaskCounts

    @property
    def label(self) -> str:
        """Return the month as ``mm/yyyy``."""
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True)
class UnitTrend:
    """One unit's months, for its trend against the target."""

    unit: str
    months: tuple[TaskMonth, ...]


@dataclass(frozen=True)
class TaskBoard:
    """Every task figure of the leaders' dashboard for one period (and unit)."""

    today: date
    since: date
    target: float
    totals: TaskCounts
    overdue_before: int  # overdue open tasks due before the period (not in the totals)
    months: tuple[TaskMonth, ...]  # oldest first, the current month last
    units: tuple[TaskGroup, ...]
    people: tuple[TaskGroup, ...]  # person in charge
    meetings: tuple[TaskGroup, ...]  # newest meeting first
    leaders: tuple[TaskGroup, ...]  # the assigning leader
    unit_trends: tuple[UnitTrend, ...]

    @property
    def this_month(self) -> TaskMonth:
        """Return the current month's figures."""
        return self.months[-1]


# --- the board ------------------------------------------------------------------------------


def task_board(
    months: int = 12, *, unit: str | None = None, now: datetime | None = None
) -> TaskBoard:
    """Return the task figures of the last ``months`` months (Vietnam time), scoped to ``unit``."""
    today = vietnam_today(now or utcnow())
    keys = month_keys(months, today)
    since = date(keys[0][0], keys[0][1], 1)
    facts = load_facts(since, unit=unit)
    # One pass by (unit, month) gives the units, the months, the trends and the totals.
    fine = group_counts(facts, lambda fact: (fact.owner_unit, fact.month), today)
    units = _sum_by(fine, lambda key: key[0])
    months_due = _sum_by(fine, lambda key: key[1])
    return TaskBoard(
        today=today,
        since=since,
        target=task_target(),
        totals=sum(units.values(), TaskCounts()),
        overdue_before=_overdue_before(since, unit),
        months=tuple(TaskMonth(y, m, months_due.get((y, m), TaskCounts())) for y, m in keys),
        units=tuple(sorted((TaskGroup(u, u, c) for u, c in units.items()), key=_by_label)),
        people=tuple(_named(facts, lambda fact: fact.assignee_id, today)),
        meetings=tuple(_meetings(facts, today)),
        leaders=tuple(_named(facts, lambda fact: fact.assigned_by_id, today)),
        unit_trends=tuple(_trends(fine, keys)),
    )


def load_facts(since: date | None = None, *, unit: str | None = None) -> list[TaskFact]:
    """Load the tasks due on or after ``since`` (of ``unit``) as narrow rows, in one query.

    The done moment is the confirmed report's (the confirmation's for a task confirmed
    without one), read only for tasks done. Dates come raw (``narrow_rows``).
    """
    finished = case(
        (Task.status == TaskStatus.DONE, func.coalesce(Task.reported_at, Task.done_at)),
        else_=None,
    )
    statement = select(
        Task.owner_unit,
        Task.assignee_id,
        Task.assigned_by_id,
        Task.meeting_id,
        raw(Task.deadline),
        raw(Task.original_deadline),
        raw(finished),
    )
    if since is not None:
        statement = statement.where(Task.deadline >= since)
    if unit is not None:
        statement = statement.where(Task.owner_unit == unit)
    zone = display_zone()
    return [_fact(*row, zone=zone) for row in db.session.connection().execute(statement).all()]


def _fact(
    owner: str,
    person: int | None,
    leader: int,
    meeting: int,
    due: Any,
    first: Any,
    done: Any,
    *,
    zone: tzinfo,
) -> TaskFact:
    finished = moment(done)
    done_day = finished.astimezone(zone).date() if finished else None
    return TaskFact(owner, person, leader, meeting, day(due), day(first), done_day)


# --- the arithmetic (pure) ------------------------------------------------------------------

ON_TIME, LATE, OVERDUE, ON_TRACK = range(4)


def category(fact: TaskFact, today: date) -> int:
    """Return where a task stands on ``today``: ON_TIME, LATE, OVERDUE or ON_TRACK."""
    if fact.done_day is not None:
        return ON_TIME if fact.done_day <= fact.deadline else LATE
    return OVERDUE if today > fact.deadline else ON_TRACK


def count_tasks(facts: Iterable[TaskFact], today: date) -> TaskCounts:
    """Return the counts of ``facts`` as they stand on ``today`` (a Vietnam day)."""
    return group_counts(facts, lambda _fact: 0, today).get(0, TaskCounts())


def group_counts(
    facts: Iterable[TaskFact], key: Callable[[TaskFact], K], today: date
) -> dict[K, TaskCounts]:
    """Return the counts per value of ``key`` (a unit, a person in charge, a meeting …)."""
    tallies: dict[K, list[int]] = {}
    for fact in facts:
        tally = tallies.setdefault(key(fact), [0, 0, 0, 0, 0])
        tally[category(fact, today)] += 1
        tally[4] += fact.extended
    return {k: TaskCounts(*tally) for k, tally in tallies.items()}


def per_month(
    facts: Iterable[TaskFact], keys: Sequence[tuple[int, int]], today: date
) -> list[TaskMonth]:
    """Return one point per month of ``keys``: the tasks due that month."""
    counts = group_counts(facts, lambda fact: fact.month, today)
    return [TaskMonth(y, m, counts.get((y, m), TaskCounts())) for y, m in keys]


def unit_trends(
    facts: Iterable[TaskFact], keys: Sequence[tuple[int, int]], today: date
) -> list[UnitTrend]:
    """Return each owner unit's monthly points, in Vietnamese order of the units."""
    return _trends(group_counts(facts, lambda fact: (fact.owner_unit, fact.month), today), keys)


def _trends(
    fine: dict[tuple[str, tuple[int, int]], TaskCounts], keys: Sequence[tuple[int, int]]
) -> list[UnitTrend]:
    units = sorted({unit for unit, _month in fine}, key=vietnamese_key)
    empty = TaskCounts()
    return [
        UnitTrend(unit, tuple(TaskMonth(y, m, fine.get((unit, (y, m)), empty)) for y, m in keys))
        for unit in units
    ]


def _sum_by(
    fine: dict[tuple[str, tuple[int, int]], TaskCounts],
    part: Callable[[tuple[str, tuple[int, int]]], K],
) -> dict[K, TaskCounts]:
    sums: dict[K, TaskCounts] = {}
    for key, counts in fine.items():
        sums[part(key)] = sums.get(part(key), TaskCounts()) + counts
    return sums


def _by_label(row: TaskGroup) -> tuple[object, ...]:
    return (row.key is None, vietnamese_key(row.label))


# --- names of people and meetings -----------------------------------------------------------


def _named(
    facts: Sequence[TaskFact], key: Callable[[TaskFact], int | None], today: date
) -> list[TaskGroup]:
    """Return one row per person (``None``: no one named), in Vietnamese order of names."""
    counts = group_counts(facts, key, today)
    ids = [k for k in counts if k is not None]
    names: dict[int, str] = {}
    if ids:
        found = db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
        names = {user_id: name for user_id, name in found}
    rows = [TaskGroup(k, names.get(k, "") if k else "", c) for k, c in counts.items()]
    return sorted(rows, key=_by_label)


def _meetings(facts: Sequence[TaskFact], today: date) -> list[TaskGroup]:
    """Return one row per meeting (its title and day), the newest first."""
    counts = group_counts(facts, lambda fact: fact.meeting_id, today)
    ids = list(counts)
    if not ids:
        return []
    found = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at).where(Meeting.id.in_(ids))
    )
    zone = display_zone()
    known = {
        i: (start, f"{title} ({start.astimezone(zone):%d/%m/%Y})") for i, title, start in found
    }
    rows = [(known[i][0], TaskGroup(i, known[i][1], counts[i])) for i in ids if i in known]
    return [row for _start, row in sorted(rows, key=lambda pair: pair[0], reverse=True)]


def _overdue_before(since: date, unit: str | None) -> int:
    """Count the open tasks due before the period (all overdue, since it started)."""
    statement = select(func.count(Task.id)).where(
        Task.status != TaskStatus.DONE, Task.deadline < since
    )
    if unit is not None:
        statement = statement.where(Task.owner_unit == unit)
    return int(db.session.scalar(statement) or 0)


# --- days and months ------------------------------------------------------------------------


def vietnam_today(now: datetime) -> date:
    """Return the Vietnam date of ``now`` (an aware datetime)."""
    return now.astimezone(display_zone()).date()


def month_keys(months: int, today: date) -> list[tuple[int, int]]:
    """Return (year, month) of the ``months`` months ending with ``today``'s, oldest first."""
    last = today.year * 12 + today.month - 1
    return [(n // 12, n % 12 + 1) for n in range(last - max(months, 1) + 1, last + 1)]


# --- the office's target ----------------------------------------------------------------------


def task_target_percent() -> int:
    """Return the office's on-time target for tasks in percent (``task_on_time_target``)."""
    setting = db.session.get(OfficeSetting, TARGET_KEY)
    try:
        percent = round(float(setting.value)) if setting else DEFAULT_TARGET_PERCENT
    except ValueError:
        return DEFAULT_TARGET_PERCENT
    return percent if 1 <= percent <= 100 else DEFAULT_TARGET_PERCENT


def task_target() -> float:
    """Return the office's on-time target for tasks (0…1); 85 % until an admin sets one."""
    return task_target_percent() / 100


def set_task_target(actor: User, percent: int) -> OfficeSetting:
    """Set the tasks' on-time target (a whole percentage, 1…100); flush and audit it."""
    if not 1 <= percent <= 100:
        raise ServiceError(
            _l("Enter the on-time target as a whole percentage from 1 to 100."), field="target"
        )
    setting = db.session.get(OfficeSetting, TARGET_KEY)
    before = setting.value if setting else None
    if setting is None:
        setting = OfficeSetting(key=TARGET_KEY, value="")
        db.session.add(setting)
    setting.value, setting.updated_by_id = str(percent), actor.id
    db.session.flush()
    record_event(
        actor,
        "office.target_set",
        "office_setting",
        None,
        key=TARGET_KEY,
        before=before,
        after=setting.value,
    )
    return setting
