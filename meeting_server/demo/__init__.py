"""Demo data for ``meeting-server demo``: rooms, people of every role, a sample meeting."""

from __future__ import annotations

import io
from datetime import datetime, time

from sqlalchemy import select

from ..extensions import db
from ..i18n import from_local, to_local
from ..models import Meeting, Role, Room, User, utcnow
from ..services.agenda import add_item
from ..services.documents import add_document
from ..services.meetings import create_meeting, publish_meeting
from ..services.participants import invite_users, update_invitation
from ..services.rooms import create_room
from ..services.users import create_user
from .history import seed_history
from .integration import seed_integration
from .signing import seed_signing

ROOMS = [
    ("Phòng họp số 1", "Tầng 3, trụ sở UBND thành phố", 60),
    ("Phòng họp số 2", "Tầng 3, trụ sở UBND thành phố", 30),
    ("Phòng họp số 3", "Tầng 4, trụ sở UBND thành phố", 20),
    ("Hội trường lớn", "Tầng 1, trụ sở UBND thành phố", 200),
    ("Phòng họp trực tuyến", "Tầng 2, trụ sở UBND thành phố", 40),
]

OFFICE = "Văn phòng UBND thành phố"
#: (username, full name, roles); position and unit follow in _PROFILE.
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", ("admin",)),
    ("thuky", "Nguyễn Thị Thu", ("secretary",)),
    ("chutich", "Trần Văn Minh", ("leader",)),
    ("phochutich", "Lê Thị Hoa", ("leader",)),
    ("vanthu", "Phạm Văn Nam", ("clerk",)),
]
_PROFILE = {
    "admin": ("Kỹ thuật viên", OFFICE),
    "thuky": ("Chuyên viên tổng hợp", OFFICE),
    "chutich": ("Chủ tịch UBND thành phố", "Lãnh đạo UBND thành phố"),
    "phochutich": ("Phó Chủ tịch UBND thành phố", "Lãnh đạo UBND thành phố"),
    "vanthu": ("Văn thư", OFFICE),
}
_UNITS = [
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Xây dựng",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
]
_NAMES = [
    "Đỗ Văn An",
    "Hoàng Thị Bình",
    "Vũ Đức Cường",
    "Ngô Thị Dung",
    "Bùi Quang Huy",
    "Đặng Thị Lan",
    "Phan Văn Long",
    "Trịnh Thị Mai",
    "Lý Minh Nhật",
    "Dương Thị Oanh",
    "Hồ Văn Phúc",
    "Mai Thị Quỳnh",
    "Tô Văn Sơn",
    "Lâm Thị Tâm",
    "Chu Văn Thắng",
    "Tạ Thị Uyên",
    "Kiều Văn Việt",
    "Quách Thị Xuân",
    "Triệu Văn Yên",
    "Lưu Thị Hạnh",
]
AGENDA = [
    ("Tờ trình về kế hoạch đầu tư công năm 2027", "Sở Kế hoạch và Đầu tư", 45, False),
    ("Báo cáo tình hình kinh tế - xã hội 10 tháng năm 2026", "Sở Tài chính", 40, False),
    ("Dự thảo Quyết định ban hành Quy chế làm việc", "Văn phòng UBND thành phố", 30, True),
]


def seed_demo(password: str) -> bool:
    """Create the demo data unless it exists; return whether anything was created."""
    if db.session.scalar(select(User.id).where(User.username == "thuky")) is not None:
        return False
    for name, location, seats in ROOMS:
        create_room(None, name=name, location=location, seat_count=seats)
    people = _create_people(password)
    _create_sample_meeting(people)
    seed_signing(people, password)
    seed_history(people)
    seed_integration(people)
    return True


def _create_people(password: str) -> dict[str, User]:
    people = {}
    for username, full_name, roles in DEMO_USERS:
        position, unit = _PROFILE[username]
        people[username] = create_user(
            None,
            username=username,
            full_name=full_name,
            password=password,
            roles=roles,
            position=position,
            unit=unit,
        )
    for number, full_name in enumerate(_NAMES, start=1):
        position = "Giám đốc" if number <= len(_UNITS) else "Phó Giám đốc"
        people[f"daibieu{number}"] = create_user(
            None,
            username=f"daibieu{number}",
            full_name=full_name,
            password=password,
            roles=[Role.PARTICIPANT],
            position=position,
            unit=_UNITS[(number - 1) % len(_UNITS)],
        )
    return people


def _invite_everyone(secretary: User, meeting: Meeting, people: dict[str, User]) -> None:
    """Invite the vice-chair (who may see confidential items), the clerk and 20 delegates."""
    invited = [people["phochutich"], people["vanthu"]]
    invited += [people[f"daibieu{n}"] for n in range(1, len(_NAMES) + 1)]
    for seat, invitation in enumerate(invite_users(secretary, meeting, invited), start=2):
        update_invitation(
            secretary,
            invitation,
            role=invitation.role,
            seat=str(seat),
            may_view_confidential=invitation.user.username == "phochutich",
        )


def _create_sample_meeting(people: dict[str, User]) -> Meeting:
    from .documents import build_demo_documents

    today = to_local(utcnow()).date()
    secretary = people["thuky"]
    room = db.session.scalars(select(Room).where(Room.name == ROOMS[0][0])).one()
    meeting = create_meeting(
        secretary,
        title="Phiên họp thường kỳ UBND thành phố tháng 11/2026",
        room=room,
        starts_at=from_local(datetime.combine(today, time(14, 0))),
        ends_at=from_local(datetime.combine(today, time(16, 30))),
        chair=people["chutich"],
        description=(
            "Thảo luận kế hoạch đầu tư công, tình hình kinh tế - xã hội và quy chế làm việc."
        ),
    )
    _invite_everyone(secretary, meeting, people)
    items = [
        add_item(
            secretary,
            meeting,
            title=title,
            presenter_name=presenter,
            planned_minutes=minutes,
            confidential=confidential,
        )
        for title, presenter, minutes, confidential in AGENDA
    ]
    for document in build_demo_documents():
        add_document(
            secretary,
            items[document.agenda_item],
            stream=io.BytesIO(document.data),
            filename=document.filename,
            title=document.title,
        )
    publish_meeting(secretary, meeting)
    return meeting
