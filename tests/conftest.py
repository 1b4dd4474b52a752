"""Fixtures: the app on a migrated SQLite copy, clients, and people, rooms, meetings."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale

from meeting_server import create_app
from meeting_server.extensions import db
from meeting_server.migrate import upgrade_database
from meeting_server.models import Device, Meeting, Role, Room, User
from meeting_server.services.agenda import add_item
from meeting_server.services.devices import create_device as create_device_service
from meeting_server.services.devices import issue_pairing_code, pair_device
from meeting_server.services.meetings import create_meeting, publish_meeting
from meeting_server.services.participants import invite_users, update_invitation
from meeting_server.services.rooms import create_room
from meeting_server.services.users import create_user as create_user_service
from tests.support.api import ALL_SCOPES, ApiClient, issue_key
from tests.support.clients import PASSWORD, log_in

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the modules that start servers or build packages first, keeping each file whole.

    With two workers (`make test`) the long files then start early and the many quick tests
    fill the end, instead of one worker finishing a long browser file while the other idles.
    """
    slow = {item.path for item in items if item.get_closest_marker("browser")}
    slow |= {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the schema once with Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def ca_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An internal CA made once; tests that sign copy it (``signing_setup.with_internal_ca``)."""
    from tests.support.signing_setup import create_ca_template

    folder = tmp_path_factory.mktemp("ca-template") / "ca"
    return create_ca_template(folder, "http://127.0.0.1:5000/ca")


@pytest.fixture
def app_config(tmp_path: Path, migrated_db: Path) -> dict[str, Any]:
    """Return the test configuration (tests may change it before ``app`` is built)."""
    database = tmp_path / "meeting.sqlite3"
    shutil.copy(migrated_db, database)
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": f"sqlite:///{database}",
        "STORAGE_DIR": str(tmp_path / "storage"),
        "CA_DIR": str(tmp_path / "ca"),  # none until a test creates one (or copies the template)
        "CA_PASSPHRASE_FILE": str(tmp_path / "ca-passphrase"),
        "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAX_UPLOAD_MB": 5,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """Return the application under test."""
    application = create_app(app_config)
    yield application
    db.engine.dispose()


@pytest.fixture
def make_app(app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Return a factory of apps on the test's database and storage with some settings changed
    (``make_app(LOGIN_LIMIT_PER_IP="3 per 10 minutes")``); two apps are two server processes."""

    def factory(**overrides: Any) -> Flask:
        return create_app({**app_config, **overrides})

    yield factory
    db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return log_in(self._client, username, password)

    def logout(self) -> Any:
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def create_user(app: Flask) -> Callable[..., User]:
    """Return a factory that creates and commits a user (password ``PASSWORD``)."""

    def factory(username: str, *roles: Role, **fields: str) -> User:
        with app.app_context():
            user = create_user_service(
                None,
                username=username,
                full_name=fields.pop("full_name", username.title()),
                password=PASSWORD,
                roles=roles or (Role.PARTICIPANT,),
                **fields,
            )
            db.session.commit()
            return user

    return factory


@pytest.fixture
def secretary(create_user: Callable[..., User]) -> User:
    return create_user("thuky", Role.SECRETARY, full_name="Nguyễn Thị Thu", unit="Văn phòng")


@pytest.fixture
def chair(create_user: Callable[..., User]) -> User:
    return create_user("chutich", Role.LEADER, full_name="Trần Văn Minh", unit="Lãnh đạo")


@pytest.fixture
def participant(create_user: Callable[..., User]) -> User:
    return create_user("daibieu1", full_name="Đỗ Văn An", unit="Sở Tài chính")


@pytest.fixture
def outsider(create_user: Callable[..., User]) -> User:
    return create_user("daibieu9", full_name="Người Ngoài", unit="Sở Y tế")


@pytest.fixture
def room(app: Flask) -> Room:
    with app.app_context():
        created = create_room(None, name="Phòng họp số 1", location="Tầng 3", seat_count=40)
        db.session.commit()
        return created


@dataclass
class MeetingFactory:
    app: Flask
    room: Room
    secretary: User

    def __call__(
        self, *, chair: User | None = None, hours_from_now: int = 24, **fields: Any
    ) -> Meeting:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours_from_now)
        with self.app.app_context():
            meeting = create_meeting(
                db.session.get(User, self.secretary.id),
                title=fields.get("title", "Họp giao ban"),
                room=db.session.get(Room, self.room.id),
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                chair=db.session.get(User, chair.id) if chair else None,
            )
            db.session.commit()
            return meeting


@pytest.fixture
def create_meeting_for(app: Flask, room: Room, secretary: User) -> MeetingFactory:
    """Return a factory of draft meetings prepared by ``secretary`` in ``room``."""
    return MeetingFactory(app, room, secretary)


@pytest.fixture
def draft_meeting(create_meeting_for: MeetingFactory, chair: User) -> Meeting:
    return create_meeting_for(chair=chair)


@pytest.fixture
def published_meeting(app, secretary, chair, draft_meeting, create_user) -> Iterator[Meeting]:
    """A published meeting with one agenda item: the chair, daibieu1…4 (members, seats 1–4),
    the guest "khach", and thuky (secretary); "phogiamdoc" exists but is not invited.

    Yields the meeting inside an app context (services may be called directly), with
    messages in English (the msgids tests match).
    """
    people = [create_user(f"daibieu{n}") for n in range(1, 5)] + [create_user("khach")]
    create_user("phogiamdoc", full_name="Phó Giám đốc Sở")
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        meeting = db.session.get(Meeting, draft_meeting.id)
        invitations = invite_users(actor, meeting, [db.session.get(User, u.id) for u in people])
        for seat, invited in enumerate(invitations[:4], start=1):
            update_invitation(
                actor, invited, role="member", seat=str(seat), may_view_confidential=False
            )
        update_invitation(
            actor, invitations[-1], role="guest", seat="", may_view_confidential=False
        )
        add_item(actor, meeting, title="Báo cáo")
        publish_meeting(actor, meeting)
        db.session.commit()
    with app.app_context(), force_locale("en"):
        yield db.session.get(Meeting, draft_meeting.id)


@pytest.fixture
def admin(create_user: Callable[..., User]) -> User:
    return create_user("admin", Role.ADMIN, full_name="Quản trị hệ thống")


@pytest.fixture
def api_as(app: Flask) -> Callable[..., ApiClient]:
    """Return a factory of API clients: ``api_as(user, "meetings:read", …)`` makes a key acting
    as ``user`` with those scopes (all of them when none are named)."""

    def factory(user: User, *scopes: str) -> ApiClient:
        return ApiClient(app.test_client(), issue_key(app, user, scopes or ALL_SCOPES))

    return factory


@pytest.fixture
def create_device(app: Flask, room: Room, admin: User) -> Callable[..., tuple[Device, str]]:
    """Return a factory of tablets paired to a seat (of ``room`` unless told): (device, token)."""

    def factory(
        seat: str = "1", *, in_room: Room | None = None, name: str | None = None
    ) -> tuple[Device, str]:
        with app.app_context():
            actor = db.session.get(User, admin.id)
            target = db.session.get(Room, (in_room or room).id)
            device = create_device_service(actor, target, seat, name or f"Máy ghế {seat}")
            device, token = pair_device(issue_pairing_code(actor, device))
            db.session.commit()
            return device, token

    return factory


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(
                "Debian's chromium is missing: `make test` installs it (make test-packages)"
            )
        pytest.skip("Debian's chromium is not installed (run `make test-packages`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
