"""Five years of an office for ``bench/dashboard_bench.py``, written with bulk inserts.

≈2,000 meetings held in 5 rooms (15–30 invitations each, check-ins, 3 agenda items with a
document each, a fifth of them replaced once), one completed signing route per meeting
(two leaders and the clerk's seal), and 10 tasks per meeting (≈20,000) in every state: done
on time or late, overdue, on track, reported and waiting, a tenth extended. Deterministic
(``random.Random(16)``); ids are given here, so PostgreSQL's sequences are moved past them.
Only the leader the bench signs in as has a real password hash.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

MEETINGS = 2000
YEARS = 5
ROOMS = (
    "Hội trường lớn",
    "Phòng họp số 1",
    "Phòng họp số 2",
    "Phòng họp trực tuyến",
    "Phòng khách",
)
UNITS = (
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Xây dựng",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Giao thông vận tải",
    "Văn phòng UBND",
)
PEOPLE = 200
TASKS_PER_MEETING = 10
BATCH = 5000


def build(app: Any, password: str, now: datetime) -> dict[str, int]:
    """Fill the app's (migrated, empty) database; return how many rows of each kind."""
    return _write(app, password, _rows(random.Random(16), now))


def build_people(app: Any, password: str) -> dict[str, int]:
    """Write the office's people and rooms only: the empty office of the baseline."""
    return _write(app, password, _rows(random.Random(16), None))


def _write(app: Any, password: str, rows: list[tuple[Any, list[dict[str, Any]]]]) -> dict[str, int]:
    from meeting_server.extensions import db
    from meeting_server.models import Role
    from meeting_server.services.users import create_user

    with app.app_context():
        create_user(
            None,
            username="chutich",
            full_name="Trần Văn Minh",
            password=password,
            roles=[Role.LEADER],
            unit="Lãnh đạo UBND",
        )
        db.session.commit()
        for model, batch in rows:
            for start in range(0, len(batch), BATCH):
                db.session.execute(model.__table__.insert(), batch[start : start + BATCH])
        db.session.commit()
        _move_sequences(db, [model for model, _ in rows])
    counts: dict[str, int] = {}
    for model, batch in rows:
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(batch)
    return counts


def _rows(rng: random.Random, now: datetime | None) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Return the rows to insert per model, parents first (``now`` None: people and rooms)."""
    from meeting_server.models import Room, User, UserRole

    users, roles, people = _users()
    rooms = [dict(id=n, name=name, location="", seat_count=60) for n, name in enumerate(ROOMS, 1)]
    tables: Tables = {name: [] for name in _ORDER}
    if now is not None:
        first = now - timedelta(days=365 * YEARS)
        step = (now - timedelta(days=2) - first) / MEETINGS
        for number in range(1, MEETINGS + 1):
            start = (first + step * number).replace(minute=0, second=0, microsecond=0)
            _meeting(rng, tables, number, start, people, now)
    from meeting_server import models

    filled = [(getattr(models, kind), tables[name]) for name, kind in _ORDER.items()]
    return [(User, users), (UserRole, roles), (Room, rooms), *filled]


#: The tables written per meeting (table name → model), parents first.
_ORDER = {
    "meeting": "Meeting",
    "invitation": "Invitation",
    "attendance": "Attendance",
    "agenda_item": "AgendaItem",
    "document": "Document",
    "document_version": "DocumentVersion",
    "signing_request": "SigningRequest",
    "signing_step": "SigningStep",
    "task": "Task",
}
Tables = dict[str, list[dict[str, Any]]]


def _users() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, list[int]]]:
    """Return the users (ids 2…), their roles, and the participants' ids per unit."""
    from meeting_server.models import Role

    named = [
        ("phochutich", "Lê Thị Hoa", Role.LEADER, "Lãnh đạo UBND"),
        ("thuky", "Nguyễn Thị Thu", Role.SECRETARY, "Văn phòng UBND"),
        ("vanthu", "Phạm Văn Nam", Role.CLERK, "Văn phòng UBND"),
    ]
    users: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    people: dict[str, list[int]] = {unit: [] for unit in UNITS}
    for offset, (username, name, role, unit) in enumerate(named):
        users.append(_user(2 + offset, username, name, unit))
        roles.append(dict(user_id=2 + offset, role=role))
    for n in range(PEOPLE):
        user_id, unit = 10 + n, UNITS[n % len(UNITS)]
        users.append(_user(user_id, f"daibieu{n + 1}", f"Đại biểu {n + 1}", unit))
        roles.append(dict(user_id=user_id, role=Role.PARTICIPANT))
        people[unit].append(user_id)
    return users, roles, people


def _user(user_id: int, username: str, name: str, unit: str) -> dict[str, Any]:
    return dict(
        id=user_id,
        username=username,
        full_name=name,
        unit=unit,
        position="",
        password_hash="!bench-no-password",
        active=True,
        created_at=datetime(2020, 1, 1, tzinfo=UTC),
    )


def _meeting(
    rng: random.Random,
    tables: Tables,
    number: int,
    start: datetime,
    people: dict[str, list[int]],
    now: datetime,
) -> None:
    from meeting_server.models import MeetingStatus

    started = start + timedelta(minutes=rng.randint(0, 15))
    tables["meeting"].append(
        dict(
            id=number,
            title=f"Họp giao ban số {number}",
            room_id=rng.randint(1, len(ROOMS)),
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            status=MeetingStatus.ENDED,
            chair_id=1,
            secretary_id=3,
            created_by_id=3,
            created_at=start - timedelta(days=7),
            updated_at=start,
            started_at=started,
            ended_at=start + timedelta(hours=2),
        )
    )
    everyone = [p for unit in people.values() for p in unit]
    invited = [1, 2, 3, *rng.sample(everyone, rng.randint(12, 27))]
    _attendance(rng, tables, number, invited, started)
    _documents(rng, tables, number, start)
    _signing(rng, tables, number, start)
    _tasks(rng, tables, number, start, people, now)


def _attendance(
    rng: random.Random, tables: Tables, number: int, invited: list[int], started: datetime
) -> None:
    from meeting_server.models import AttendanceStatus, CheckInMethod, MeetingRole

    for user_id in invited:
        invitation_id = len(tables["invitation"]) + 1
        role = MeetingRole.CHAIR if user_id == 1 else MeetingRole.MEMBER
        tables["invitation"].append(
            dict(
                id=invitation_id,
                meeting_id=number,
                user_id=user_id,
                role=role,
                may_view_confidential=False,
                counts_toward_quorum=True,
                may_vote=True,
                invited_at=started - timedelta(days=7),
            )
        )
        luck = rng.random()
        if luck < 0.88:
            arrived = started + timedelta(minutes=rng.triangular(-25, 30, -5))
            status, method, reason = AttendanceStatus.PRESENT, CheckInMethod.TABLET, ""
        elif luck < 0.95:
            arrived, status, method, reason = None, AttendanceStatus.ABSENT, None, "Đi công tác"
        else:
            continue
        tables["attendance"].append(
            dict(
                id=len(tables["attendance"]) + 1,
                invitation_id=invitation_id,
                status=status,
                method=method,
                checked_in_at=arrived,
                reason=reason,
                deputy_name="",
                updated_at=started,
            )
        )


def _documents(rng: random.Random, tables: Tables, number: int, start: datetime) -> None:
    for position in (1, 2, 3):
        item_id = len(tables["agenda_item"]) + 1
        tables["agenda_item"].append(
            dict(
                id=item_id,
                meeting_id=number,
                position=position,
                title=f"Nội dung {position}",
                presenter_name="",
                planned_minutes=30,
                confidential=False,
            )
        )
        tables["document"].append(
            dict(
                id=item_id,
                agenda_item_id=item_id,
                title="Tờ trình",
                created_at=start - timedelta(days=3),
            )
        )
        for version in range(1, 2 + (rng.random() < 0.2)):
            tables["document_version"].append(
                dict(
                    id=len(tables["document_version"]) + 1,
                    document_id=item_id,
                    number=version,
                    sha256=f"{item_id:032x}{version:032x}",
                    size=200_000,
                    page_count=rng.randint(1, 40),
                    original_filename="to-trinh.pdf",
                    screening_note="",
                    uploaded_by_id=3,
                    uploaded_at=start - timedelta(days=3),
                )
            )


def _signing(rng: random.Random, tables: Tables, number: int, start: datetime) -> None:
    from meeting_server.models import RequestStatus, StepKind, StepStatus

    created = start + timedelta(hours=3)
    due = created + timedelta(days=3)
    tables["signing_request"].append(
        dict(
            id=number,
            title=f"Biên bản họp số {number}",
            message="",
            sender_id=3,
            file_name="bien-ban.pdf",
            source_sha256="0" * 64,
            status=RequestStatus.COMPLETED,
            due_at=due,
            created_at=created,
            finished_at=None,
            code=f"B{number:07d}",
        )
    )
    turn = created
    route = ((2, StepKind.SIGNER), (1, StepKind.SIGNER), (4, StepKind.SEAL))
    for position, (signer, kind) in enumerate(route):
        acted = turn + timedelta(hours=rng.triangular(0.2, 60, 6))
        tables["signing_step"].append(
            dict(
                id=len(tables["signing_step"]) + 1,
                request_id=number,
                position=position,
                kind=kind,
                signer_id=signer,
                field_name=f"signer{position + 1}",
                page=-1,
                box_x=0,
                box_y=0,
                box_w=100,
                box_h=50,
                status=StepStatus.SIGNED,
                pending_since=turn,
                acted_at=acted,
                acted_by_id=signer,
                comment="",
            )
        )
        turn = acted
    tables["signing_request"][-1]["finished_at"] = turn


def _tasks(
    rng: random.Random,
    tables: Tables,
    number: int,
    start: datetime,
    people: dict[str, list[int]],
    now: datetime,
) -> None:
    from meeting_server.models import TaskStatus

    today = (now + timedelta(hours=7)).date()
    for _ in range(TASKS_PER_MEETING):
        unit = rng.choice(UNITS)
        first = start.date() + timedelta(days=rng.randint(7, 60))
        deadline = first + timedelta(days=rng.randint(7, 30)) if rng.random() < 0.1 else first
        task = dict(
            id=len(tables["task"]) + 1,
            meeting_id=number,
            title="Triển khai kết luận",
            expected_result="",
            owner_unit=unit,
            assigned_by_id=rng.choice((1, 2)),
            assignee_id=rng.choice(people[unit]) if rng.random() < 0.7 else None,
            assigned_at=start + timedelta(hours=4),
            deadline=deadline,
            original_deadline=first,
            status=TaskStatus.IN_PROGRESS,
            progress=50,
            extension_reason="",
            reported_at=None,
            done_at=None,
        )
        finished = _finish(rng, deadline, today)
        if finished is not None:
            reported = datetime(finished.year, finished.month, finished.day, 3, tzinfo=UTC)
            task.update(reported_at=reported, status=TaskStatus.REPORTED)
            if rng.random() < 0.9 and reported + timedelta(days=2) < now:
                task.update(
                    status=TaskStatus.DONE, done_at=reported + timedelta(days=2), progress=100
                )
        tables["task"].append(task)


def _finish(rng: random.Random, deadline: date, today: date) -> date | None:
    """Return the day the unit reports the result (``None``: not yet)."""
    day = deadline + timedelta(days=round(rng.triangular(-20, 25, -3)))
    return day if day <= today and rng.random() < 0.93 else None


def _move_sequences(db: Any, models: list[Any]) -> None:
    """On PostgreSQL, move each filled table's id sequence past the ids given here, and
    gather the planner's statistics as autovacuum would soon after such a load."""
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        if "id" in model.__table__.c:
            name = model.__tablename__
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                )
            )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
