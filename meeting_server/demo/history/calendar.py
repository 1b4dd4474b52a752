"""When and where the past meetings took place: the catalogue laid on the real calendar.

Every date is counted back from today (Vietnam time) and falls on a working day; a meeting
that would share its room with another that day moves one working day earlier.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .catalogue import (
    ALL,
    BRIEFING_CONCLUSIONS,
    BRIEFING_TITLE,
    BRIEFING_WEEKS,
    ROOM_2,
    SPECS,
    WEEKLY,
    WEEKLY_ROUND,
    Item,
    Spec,
    TaskLine,
)
from .clock import at, weekday_on_or_before


@dataclass(frozen=True)
class Plan:
    """One past meeting with its day, its times (UTC) and its texts filled in."""

    spec: Spec
    day: date
    title: str
    starts_at: datetime
    ends_at: datetime
    items: tuple[Item, ...]
    conclusions: tuple[str, ...]
    tasks: tuple[TaskLine, ...]

    @property
    def minutes_text(self) -> str:
        """Return the conclusions as the secretary types them in the minutes: numbered."""
        lines = [*self.conclusions, *(task.text for task in self.tasks)]
        return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))


def plans(today: date) -> list[Plan]:
    """Return the past meetings, oldest first, none on a weekend or today."""
    specs = [*SPECS, *(_briefing(today, weeks) for weeks in BRIEFING_WEEKS)]
    taken: set[tuple[int, date]] = set()
    laid = []
    for spec in sorted(specs, key=lambda s: -s.days_ago):
        day = weekday_on_or_before(today - timedelta(days=spec.days_ago))
        while (spec.room, day) in taken:
            day = weekday_on_or_before(day - timedelta(days=1))
        taken.add((spec.room, day))
        laid.append(_plan(spec, day))
    return sorted(laid, key=lambda plan: plan.starts_at)


def _briefing(today: date, weeks: int) -> Spec:
    """Return the Monday briefing (giao ban) ``weeks`` weeks back."""
    monday = today - timedelta(days=today.weekday() + 7 * weeks)
    first = weeks % len(BRIEFING_CONCLUSIONS)
    conclusions = (BRIEFING_CONCLUSIONS * 2)[first : first + 3]
    return Spec(
        (today - monday).days, BRIEFING_TITLE, ROOM_2, (7, 30), 1.5, "chutich", ALL, 1,
        (WEEKLY, WEEKLY_ROUND), conclusions,
    )  # fmt: skip


def _plan(spec: Spec, day: date) -> Plan:
    """Lay ``spec`` on ``day``."""
    starts_at = at(day, *spec.start)
    return Plan(
        spec=spec,
        day=day,
        title=fill(spec.title, day),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=spec.hours),
        items=tuple(
            replace(item, title=fill(item.title, day), vote=fill(item.vote, day))
            for item in spec.items
        ),
        conclusions=tuple(fill(text, day) for text in spec.conclusions),
        tasks=tuple(replace(task, text=fill(task.text, day)) for task in spec.tasks),
    )


def fill(text: str, day: date) -> str:
    """Fill in the week, month, months elapsed and year of ``day``."""
    return text.format(
        w=day.isocalendar().week,
        m=day.month,
        m1=day.month % 12 + 1,
        n=max(day.month - 1, 1),
        y=day.year,
        y1=day.year + 1,
    )
