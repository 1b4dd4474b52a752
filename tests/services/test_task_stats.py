"""The tasks' on-time arithmetic (docs/decisions.md, issue 16): categories, extensions,
Vietnam days and months, groups, the period, and the office's target."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, OfficeSetting, Role, TaskStatus
from meeting_server.services.errors import ServiceError
from meeting_server.services.task_stats import (
    TARGET_KEY,
    TaskFact,
    count_tasks,
    per_month,
    set_task_target,
    task_board,
    task_target,
    task_target_percent,
)
from tests.support.office_rows import add_task
from tests.support.people import actor
from tests.support.signing_setup import english

NOW = datetime(2025, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 on 10/03/2025 in Vietnam
TODAY = date(2025, 3, 10)


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    """Return ``hour:minute`` Vietnam time on ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def fact(deadline: date, done: date | None = None, first: date | None = None) -> TaskFact:
    return TaskFact("Sở Tài chính", None, 1, 1, deadline, first or deadline, done)


@pytest.fixture
def office(app, chair, create_user, create_meeting_for) -> Iterator[int]:
    """Two leaders, two people in two units, one meeting; yields its id in an English context."""
    create_user("phochutich", Role.LEADER, full_name="Lê Thị Hồng", unit="Lãnh đạo")
    create_user("an", full_name="Đỗ Văn An", unit="Sở Tài chính")
    create_user("binh", full_name="Hoàng Thị Bình", unit="Sở Y tế")
    meeting = create_meeting_for(chair=chair, title="Giao ban tháng 3")
    with english(app):
        yield meeting.id


# --- the categories (pure) ----------------------------------------------------------------------


def test_each_task_falls_in_exactly_one_category():
    facts = [
        fact(date(2025, 3, 5), done=date(2025, 3, 5)),  # on time: reported on the deadline day
        fact(date(2025, 3, 5), done=date(2025, 3, 6)),  # late
        fact(date(2025, 3, 9)),  # overdue open: today is after the deadline
        fact(TODAY),  # on track: today is the deadline day
        fact(date(2025, 4, 1)),  # on track
    ]
    counts = count_tasks(facts, TODAY)
    assert (counts.done_on_time, counts.done_late, counts.overdue_open) == (1, 1, 1)
    assert (counts.open_on_track, counts.extended, counts.total) == (2, 0, 5)
    assert counts.rated == 3 and counts.on_time_rate == pytest.approx(1 / 3)


def test_no_task_in_the_denominator_means_no_rate():
    counts = count_tasks([fact(date(2025, 4, 1)), fact(TODAY)], TODAY)
    assert counts.open_on_track == 2 and counts.on_time_rate is None
    assert count_tasks([], TODAY).on_time_rate is None


def test_an_extension_is_counted_and_judged_against_the_new_deadline():
    facts = [
        fact(date(2025, 3, 15), done=date(2025, 3, 12), first=date(2025, 3, 1)),  # on time
        fact(date(2025, 3, 5), done=date(2025, 3, 7), first=date(2025, 3, 1)),  # late
        fact(date(2025, 3, 20), first=date(2025, 3, 1)),  # open, on track thanks to it
    ]
    counts = count_tasks(facts, TODAY)
    assert (counts.done_on_time, counts.done_late, counts.open_on_track) == (1, 1, 1)
    assert counts.extended == 3 and counts.overdue_open == 0
    assert counts.on_time_rate == 0.5


def test_a_month_holds_the_tasks_due_in_it():
    facts = [fact(date(2025, 2, 28)), fact(date(2025, 3, 1)), fact(date(2025, 3, 31))]
    points = per_month(facts, [(2025, 2), (2025, 3)], TODAY)
    assert [(p.label, p.counts.total, p.counts.overdue_open) for p in points] == [
        ("02/2025", 1, 1),
        ("03/2025", 2, 1),
    ]


# --- from the database: Vietnam days ------------------------------------------------------------


def test_the_done_day_is_the_confirmed_report_in_vietnam_time(office):
    deadline = date(2025, 2, 28)
    add_task(office, deadline=deadline, reported_at=vn(deadline, 23, 30), done_at=NOW)
    add_task(
        office, deadline=deadline, reported_at=vn(deadline + timedelta(days=1), 0, 30), done_at=NOW
    )
    # 23:30 in Vietnam is 16:30 UTC on the deadline day; 00:30 the next day is 17:30 UTC,
    # still the deadline day in UTC, but late in Vietnam.
    assert vn(deadline, 23, 30) == datetime(2025, 2, 28, 16, 30, tzinfo=UTC)
    assert vn(deadline + timedelta(days=1), 0, 30) == datetime(2025, 2, 28, 17, 30, tzinfo=UTC)
    board = task_board(2, now=NOW)
    february = board.months[0].counts
    assert (february.done_on_time, february.done_late) == (1, 1)


def test_a_late_confirmation_does_not_make_the_unit_late(office):
    deadline = date(2025, 3, 3)
    add_task(office, deadline=deadline, reported_at=vn(deadline, 9), done_at=vn(TODAY, 8))
    assert task_board(1, now=NOW).totals.done_on_time == 1


def test_a_reported_task_stays_open_until_it_is_confirmed(office):
    add_task(office, deadline=date(2025, 3, 3), reported_at=vn(date(2025, 3, 2), 9))
    totals = task_board(1, now=NOW).totals
    assert (totals.done, totals.overdue_open, totals.on_time_rate) == (0, 1, 0)


def test_today_is_the_vietnam_day_of_now(office):
    add_task(office, deadline=date(2025, 2, 28))
    evening = datetime(2025, 2, 28, 16, 30, tzinfo=UTC)  # 23:30 on 28/02 in Vietnam
    after_midnight = datetime(2025, 2, 28, 17, 30, tzinfo=UTC)  # 00:30 on 01/03 in Vietnam
    assert task_board(1, now=evening).totals.open_on_track == 1
    late = task_board(2, now=after_midnight)
    assert late.today == date(2025, 3, 1) and late.totals.overdue_open == 1
    assert [p.label for p in late.months] == ["02/2025", "03/2025"]


def test_a_deadline_on_the_first_counts_in_its_own_month(office):
    add_task(
        office, deadline=date(2025, 3, 1), reported_at=vn(date(2025, 2, 28), 23, 30), done_at=NOW
    )
    board = task_board(2, now=NOW)
    assert [p.counts.done_on_time for p in board.months] == [0, 1]  # March, not February


# --- groups and the period ----------------------------------------------------------------------


def test_tasks_are_grouped_by_unit_person_meeting_and_leader(office):
    march = date(2025, 3, 5)
    add_task(office, deadline=march, assignee="an", reported_at=vn(march, 8), done_at=NOW)
    add_task(office, deadline=march, assignee="an")  # overdue
    add_task(office, deadline=march, unit="Sở Y tế", assignee="binh", assigner="phochutich")
    add_task(office, deadline=date(2025, 3, 20), unit="Sở Y tế")  # no one named, on track
    board = task_board(1, now=NOW)
    units = {row.label: row.counts for row in board.units}
    assert units["Sở Tài chính"].on_time_rate == 0.5 and units["Sở Y tế"].overdue_open == 1
    people = {row.label: row.counts.total for row in board.people}
    assert people == {"Đỗ Văn An": 2, "Hoàng Thị Bình": 1, "": 1}
    assert board.people[-1].key is None  # the unnamed last
    leaders = {row.label: row.counts.total for row in board.leaders}
    assert leaders == {"Trần Văn Minh": 3, "Lê Thị Hồng": 1}
    [meeting] = board.meetings
    assert meeting.key == office and meeting.label.startswith("Giao ban tháng 3 (")
    assert meeting.counts.total == 4
    trends = {t.unit: t.months[-1].counts.total for t in board.unit_trends}
    assert trends == {"Sở Tài chính": 2, "Sở Y tế": 2}


def test_the_period_and_the_unit_filter(office):
    add_task(office, deadline=date(2024, 1, 10))  # before the period, still open
    add_task(office, deadline=date(2024, 1, 10), done_at=NOW)  # before the period, done
    add_task(office, deadline=date(2025, 1, 1), unit="Sở Y tế")  # first day of the period
    add_task(office, deadline=date(2025, 6, 1))  # due after this month
    board = task_board(3, now=NOW)
    assert board.since == date(2025, 1, 1)
    assert board.totals.total == 2 and board.overdue_before == 1
    assert sum(p.counts.total for p in board.months) == 1  # June is not a month of the chart
    scoped = task_board(3, unit="Sở Y tế", now=NOW)
    assert scoped.totals.total == 1 and scoped.overdue_before == 0


def test_the_board_reads_a_few_queries_whatever_the_number_of_tasks(office):
    for day in range(1, 29):
        add_task(office, deadline=date(2025, 2, day), assignee="an" if day % 2 else "binh")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        board = task_board(now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert board.totals.total == 28
    assert len(statements) <= 6  # tasks, overdue before, two lists of names, meetings, target


# --- the office's target ------------------------------------------------------------------------


def test_the_target_is_85_percent_until_an_admin_sets_it(office, admin):
    assert task_target() == 0.85 and task_board(now=NOW).target == 0.85
    set_task_target(actor("admin"), 90)
    db.session.commit()
    assert task_target_percent() == 90 and task_board(now=NOW).target == 0.9
    event_row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "office.target_set")
    ).one()
    assert '"after": "90"' in event_row.details and '"before": null' in event_row.details


@pytest.mark.parametrize("percent", [0, 101, -5])
def test_a_target_outside_1_to_100_is_refused_with_a_reason(office, admin, percent):
    with pytest.raises(ServiceError, match="whole percentage from 1 to 100") as refused:
        set_task_target(actor("admin"), percent)
    assert refused.value.field == "target"
    assert db.session.get(OfficeSetting, TARGET_KEY) is None


def test_a_damaged_stored_target_falls_back_to_the_default(office):
    db.session.add(OfficeSetting(key=TARGET_KEY, value="nhiều"))
    db.session.commit()
    assert task_target() == 0.85


def test_a_reported_status_counts_only_once_confirmed_even_with_a_done_time(office):
    """A return after a report: the task is back in progress; its old report is not a result."""
    add_task(
        office,
        deadline=date(2025, 3, 3),
        reported_at=vn(date(2025, 3, 2), 9),
        status=TaskStatus.IN_PROGRESS,
    )
    assert task_board(1, now=NOW).totals.overdue_open == 1
