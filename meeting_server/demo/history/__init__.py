"""The demo's last four months: past meetings, their minutes, conclusion notices and tasks.

``seed_history`` runs after the rest of ``meeting-server demo`` (it needs the people, the rooms,
the sample meeting's PDFs and the demo keys). Twenty meetings over the five rooms, on working
days from four months ago to last week (``calendar.py``; what they were about in
``catalogue.py``), go through the real services: prepared, held with check-ins and votes,
minuted (``meetings.py``); the minutes of the latest five are signed along their route
(``routes.py``); ten get a conclusion notice whose seal opens their tasks (``notices.py``),
which the units then take through every state a task can be in (``tasks.py``); the latest
meeting's notice is still a draft. Every row is then dated to its day (``clock.py``).

It costs about a minute and a quarter, mostly rendering every meeting's minutes (each in a
fresh child process) and signing fifteen routes. ``MEETING_DEMO_HISTORY=0`` leaves the past out.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta

from sqlalchemy import update

from ...extensions import db
from ...models import TaskNotice, User, utcnow
from ...services.minutes_record import minutes_of
from .calendar import plans
from .clock import today
from .meetings import hold
from .notices import draft_notice, issue_notice
from .papers import build_papers
from .people import Cast
from .routes import sign_minutes
from .shelf import Shelf
from .tasks import drive

__all__ = ["SIGNED_MINUTES", "history_wanted", "seed_history"]

#: How many of the most recent meetings have signed minutes (the older ones stay final).
SIGNED_MINUTES = 5
#: Task lines in the inbox older than this were read; the last few days' are still unread.
READ_AFTER = timedelta(days=4)


def history_wanted() -> bool:
    """Tell whether the demo should have a past (``MEETING_DEMO_HISTORY``, on unless "0")."""
    return os.environ.get("MEETING_DEMO_HISTORY", "1").strip() != "0"


def seed_history(people: dict[str, User]) -> None:
    """Create the last four months of meetings, minutes, notices and tasks (and commit)."""
    if not history_wanted():
        return
    cast, papers, day = Cast(people), build_papers(), today()
    shelf = Shelf(papers)
    rnd = random.Random(16)  # noqa: S311 — a story, the same at every seeding
    past_meetings = plans(day)
    last_concluded = max(n for n, plan in enumerate(past_meetings) if plan.tasks)
    for number, plan in enumerate(past_meetings):
        meeting = hold(plan, cast, shelf, rnd)
        db.session.commit()
        if number >= len(past_meetings) - SIGNED_MINUTES:
            minutes = minutes_of(meeting)
            assert minutes is not None  # noqa: S101 — ``hold`` finalised them
            sign_minutes(minutes, cast, rnd)
        if number == last_concluded:  # its notice is still being written
            draft_notice(meeting, plan, cast, day)
        elif plan.tasks:
            for task, line in issue_notice(meeting, plan, cast, day, rnd):
                drive(task, line, cast, papers, day, rnd)
        db.session.commit()
    db.session.execute(
        update(TaskNotice)
        .where(TaskNotice.created_at < utcnow() - READ_AFTER, TaskNotice.read_at.is_(None))
        .values(read_at=TaskNotice.created_at)
    )
    db.session.commit()
