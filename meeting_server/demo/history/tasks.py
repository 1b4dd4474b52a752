"""What became of each task: its steps through ``services.tasks``, each dated to its day.

A task's ``plan`` (in the catalogue) names its story; the story is a list of steps on days
counted from the day the task was assigned, its deadline and today:

- ``on_time`` / ``late``: accepted, progress reported, done before / after the deadline,
  confirmed;
- ``extended``: more time asked for and granted, then done by the new deadline;
- ``refused``: more time asked for and refused, then done late; ``refused_open``: still open;
- ``redone``: reported done, returned for more work, reported again and confirmed;
- ``overdue``, ``in_progress``: accepted, part done (past / before the deadline);
- ``assigned``: not accepted yet; ``asks_more_time``: an extension awaits the leader;
- ``reported``: done, awaiting the leader's confirmation; ``returned``: sent back to the unit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ...extensions import db
from ...models import Task, TaskEvent, TaskNotice, User
from ...services import tasks as service
from ...services.task_files import Upload
from .catalogue import TaskLine
from .clock import at, newest_id, past, restamp, vietnam_day, weekday_on_or_before
from .people import Cast

ASK_REASONS = (
    "Cần thêm thời gian lấy ý kiến các sở, ngành và UBND các phường liên quan.",
    "Chờ số liệu quyết toán của các đơn vị để tổng hợp.",
    "Vướng mắc về hồ sơ pháp lý, đơn vị đang xin ý kiến Bộ chuyên ngành.",
)
REFUSALS = (
    "Nhiệm vụ cấp bách; đề nghị đơn vị bố trí thêm nhân lực để hoàn thành đúng hạn.",
    "Không gia hạn; đơn vị báo cáo kết quả đã thực hiện được trước thời hạn.",
)
RETURNS = (
    "Báo cáo chưa có số liệu cụ thể của từng phường; đề nghị bổ sung.",
    "Chưa làm rõ trách nhiệm và thời hạn của từng đơn vị phối hợp; đề nghị hoàn thiện.",
)
PROGRESS = "Đã khảo sát, thu thập số liệu; đang dự thảo báo cáo, lấy ý kiến các đơn vị."
DONE = "Đơn vị đã hoàn thành nhiệm vụ; kính gửi báo cáo kết quả kèm theo."
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Step:
    """One thing done about a task: ``action`` on ``day`` around ``hour``."""

    action: str
    day: date
    hour: int
    percent: int = 50
    until: date | None = None


@dataclass(frozen=True)
class Story:
    """The days a task's story is told from."""

    assigned: date
    deadline: date
    today: date
    rnd: random.Random


def drive(
    task: Task,
    line: TaskLine,
    cast: Cast,
    papers: dict[str, bytes],
    today: date,
    rnd: random.Random,
) -> None:
    """Take ``task`` through the steps of its plan, each at its past moment."""
    unit = task.assignee or cast.staff(line.unit)[0]
    story = Story(vietnam_day(task.assigned_at), task.deadline, today, rnd)
    moment = task.assigned_at
    for step in PLANS[line.plan](story):
        planned = at(weekday_on_or_before(step.day), step.hour, rnd.randint(0, 50))
        moment = past(max(planned, moment + timedelta(minutes=10)))
        events, lines = newest_id(TaskEvent), newest_id(TaskNotice)
        _act(step, task, unit, task.assigned_by, papers, rnd)
        restamp(TaskEvent, events, at=moment)
        restamp(TaskNotice, lines, created_at=moment)
        if step.action == "accept":
            task.accepted_at = moment
        elif step.action == "report":
            task.reported_at = moment
        db.session.flush()


def _act(
    step: Step,
    task: Task,
    unit: User,
    leader: User,
    papers: dict[str, bytes],
    rnd: random.Random,
) -> None:
    """Do ``step`` through the service, as the unit's person or the assigning leader."""
    match step.action:
        case "accept":
            service.accept_task(unit, task)
        case "progress":
            files = [Upload("bao-cao-tien-do.pdf", papers["progress"])] if step.percent > 50 else []
            service.report_progress(unit, task, percent=step.percent, text=PROGRESS, files=files)
        case "ask":
            assert step.until is not None  # noqa: S101 — an "ask" step names its day
            reason = rnd.choice(ASK_REASONS)
            service.request_extension(unit, task, until=step.until, reason=reason)
        case "approve":
            service.decide_extension(leader, task, approve=True, reason="Đồng ý gia hạn.")
        case "refuse":
            service.decide_extension(leader, task, approve=False, reason=rnd.choice(REFUSALS))
        case "report":
            result = [Upload("bao-cao-ket-qua.pdf", papers["result"])]
            service.report_done(unit, task, text=DONE, files=result)
        case "confirm":
            service.confirm_task(leader, task, text="Đồng ý với kết quả báo cáo.")
        case "return":
            service.return_task(leader, task, reason=rnd.choice(RETURNS))


# --- the stories ------------------------------------------------------------------------------


def _started(story: Story, percent: int = 40) -> list[Step]:
    """Accept the next day; report progress half-way to the deadline (or to yesterday)."""
    accepted = story.assigned + DAY
    end = max(min(story.deadline, story.today - DAY), accepted)
    halfway = accepted + (end - accepted) // 2
    return [Step("accept", accepted, 9), Step("progress", halfway, 15, percent)]


def _finished(reported: date) -> list[Step]:
    """Report done on ``reported``; the leader confirms the next day."""
    return [Step("report", reported, 16), Step("confirm", reported + DAY, 10)]


def _on_time(story: Story) -> list[Step]:
    steps = _started(story, 60)
    slack = timedelta(days=story.rnd.randint(0, 3))
    reported = min(story.deadline - slack, story.today - 2 * DAY)
    return steps + _finished(max(reported, steps[-1].day))


def _late(story: Story) -> list[Step]:
    reported = story.deadline + timedelta(days=story.rnd.randint(3, 8))
    return _started(story, 60) + _finished(min(reported, story.today - 2 * DAY))


def _asked(story: Story, days: int, approve: bool) -> list[Step]:
    """Ask three days before the deadline for ``days`` more; the leader decides the next day."""
    asked = story.deadline - 3 * DAY
    until = story.deadline + timedelta(days=days)
    decided = Step("approve" if approve else "refuse", asked + DAY, 11)
    return [Step("ask", asked, 14, until=until), decided]


def _extended(story: Story) -> list[Step]:
    reported = min(story.deadline + 12 * DAY, story.today - 2 * DAY)
    return _started(story) + _asked(story, 14, True) + _finished(reported)


def _refused(story: Story) -> list[Step]:
    reported = story.deadline + timedelta(days=story.rnd.randint(4, 8))
    return _started(story) + _asked(story, 10, False) + _finished(min(reported, story.today - DAY))


def _refused_open(story: Story) -> list[Step]:
    more = Step("progress", min(story.deadline + 3 * DAY, story.today - DAY), 15, 70)
    return _started(story) + _asked(story, 14, False) + [more]


def _redone(story: Story) -> list[Step]:
    first = _finished(story.deadline - 6 * DAY)[:1]
    returned = Step("return", story.deadline - 5 * DAY, 10)
    return _started(story) + first + [returned] + _finished(story.deadline - DAY)


def _asks_more_time(story: Story) -> list[Step]:
    until = max(story.deadline, story.today) + 14 * DAY
    return _started(story) + [Step("ask", story.today - DAY, 14, until=until)]


def _reported(story: Story) -> list[Step]:
    return _started(story, 60) + [Step("report", story.today - DAY, 16)]


def _returned(story: Story) -> list[Step]:
    reported = Step("report", story.today - 5 * DAY, 16)
    return _started(story) + [reported, Step("return", story.today - 4 * DAY, 10)]


PLANS: dict[str, Callable[[Story], list[Step]]] = {
    "on_time": _on_time,
    "late": _late,
    "extended": _extended,
    "refused": _refused,
    "refused_open": _refused_open,
    "redone": _redone,
    "overdue": lambda story: _started(story, 60),
    "in_progress": _started,
    "assigned": lambda story: [],
    "asks_more_time": _asks_more_time,
    "reported": _reported,
    "returned": _returned,
}
