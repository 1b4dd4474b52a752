"""A full room on `meeting-server serve`: N participants, their sessions, their tablets.

Seeding goes through the app's services (cheap password hashes: nobody types these
passwords); each participant's session cookie and CSRF token are minted with the app's own
serializer, which is what signing in stores. Tablets are python-socketio ``AsyncClient``s on
the WebSocket transport; requests go out at once with aiohttp. Everything is loopback, bounded
in time, and the server is stopped by its PID.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from tests.support.browser import free_port, server_env, stop, wait_until_up
from tests.support.pdf_samples import simple_pdf

#: The notices a full-room test listens to (the Socket.IO event name is the notice's kind).
WATCHED = (
    "attendance_changed",
    "current_item_changed",
    "presenter_page_changed",
    "document_added",
    "notice_withheld",
)


@dataclass(frozen=True)
class Person:
    """A seeded person: their user id, invitation id and minted session."""

    user_id: int
    invitation_id: int
    cookie: str
    csrf: str


@dataclass(frozen=True)
class Room:
    """What seeding made: the meeting, its first item, the chair and the participants."""

    meeting_id: int
    item_id: int
    document_id: int
    secretary: Person
    chair: Person
    people: list[Person]


def seed_room(env: dict[str, str], participants: int) -> Room:
    """Create a started meeting with ``participants`` invited members and a chair."""
    from argon2 import PasswordHasher

    from meeting_server import passwords
    from meeting_server.extensions import db
    from meeting_server.migrate import upgrade_database
    from meeting_server.models import Role
    from meeting_server.services.agenda import add_item
    from meeting_server.services.audit import client_address
    from meeting_server.services.documents import add_document
    from meeting_server.services.meetings import create_meeting, publish_meeting
    from meeting_server.services.participants import invite_users
    from meeting_server.services.presentations import start_meeting
    from meeting_server.services.rooms import create_room
    from meeting_server.services.users import create_user

    upgrade_database(env["MEETING_DATABASE_URL"])
    app = app_of(env)
    real_hasher = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        with app.app_context():
            client_address.set("test")
            secretary = create_user(
                None,
                username="thuky",
                full_name="Thư ký",
                password="mat-khau-123",
                roles=[Role.SECRETARY],
            )
            chair = create_user(
                None,
                username="chutich",
                full_name="Chủ trì",
                password="mat-khau-123",
                roles=[Role.LEADER],
            )
            people = [
                create_user(
                    None,
                    username=f"daibieu{n}",
                    full_name=f"Đại biểu {n}",
                    password="mat-khau-123",
                    roles=[Role.PARTICIPANT],
                )
                for n in range(1, participants + 1)
            ]
            room = create_room(None, name="Hội trường", location="", seat_count=participants)
            starts = datetime.now(UTC) + timedelta(minutes=30)
            meeting = create_meeting(
                secretary,
                title="Phiên họp đông người",
                room=room,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                chair=chair,
            )
            invitations = invite_users(secretary, meeting, people)
            item = add_item(secretary, meeting, title="Báo cáo")
            pdf = io.BytesIO(simple_pdf(pages=40))
            document = add_document(secretary, item, stream=pdf, filename="bao-cao.pdf")
            publish_meeting(secretary, meeting)
            start_meeting(secretary, meeting)
            db.session.commit()
            seeded = Room(
                meeting.id,
                item.id,
                document.id,
                Person(secretary.id, 0, *minted_session(app, secretary.id)),
                Person(chair.id, 0, *minted_session(app, chair.id)),
                [Person(i.user_id, i.id, *minted_session(app, i.user_id)) for i in invitations],
            )
        db.engine.dispose()
    finally:
        passwords._hasher = real_hasher
    return seeded


def app_of(env: dict[str, str]) -> Any:
    """Return an app on the same instance as the server started with ``env``."""
    from meeting_server import create_app

    keys = ("DATABASE_URL", "STORAGE_DIR", "SECRET_KEY", "CA_DIR", "CA_PASSPHRASE_FILE")
    return create_app({key: env[f"MEETING_{key}"] for key in keys + ("PUBLIC_URL",)})


def minted_session(app: Any, user_id: int) -> tuple[str, str]:
    """Return a signed-in session cookie for ``user_id`` and the CSRF token of that session."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from meeting_server.auth import start_session
    from meeting_server.extensions import db
    from meeting_server.models import User

    with app.app_context(), app.test_request_context():  # a fresh ``g`` for each token
        start_session(db.session.get(User, user_id))  # the session signing in opens
        db.session.commit()
        token = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


@contextmanager
def serving(instance: Path, database_url: str | None = None) -> Iterator[tuple[str, dict]]:
    """Yield ``(base URL, env)`` of `meeting-server serve` on ``instance`` (not yet seeded)."""
    port = free_port()
    env = server_env(instance, port)
    env["MEETING_SESSION_COOKIE_SECURE"] = "false"
    if database_url:
        env["MEETING_DATABASE_URL"] = database_url
    yield f"http://127.0.0.1:{port}", env


@contextmanager
def started(base: str, env: dict[str, str], instance: Path) -> Iterator[subprocess.Popen]:
    """Run the server seeded by now; stop it by its PID."""
    port = base.rsplit(":", 1)[1]
    with (instance / "serve.log").open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from meeting_server.cli import main; main()", "serve"]
            + ["--port", port],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(base + "/login", process, seconds=60)
            yield process
        finally:
            stop(process, seconds=15)


@dataclass
class Tablets:
    """Connected tablets and every watched notice each received, in arrival order."""

    clients: list[socketio.AsyncClient] = field(default_factory=list)
    received: list[list[dict[str, Any]]] = field(default_factory=list)

    async def connect(self, base: str, meeting_id: int, people: list[Person]) -> None:
        gate = asyncio.Semaphore(20)
        await asyncio.gather(*(self._one(base, meeting_id, p, gate) for p in people))

    async def _one(self, base: str, meeting_id: int, person: Person, gate: Any) -> None:
        async with gate:
            client = socketio.AsyncClient(reconnection=False)
            notices: list[dict[str, Any]] = []
            for kind in WATCHED:
                client.on(kind, lambda notice, kind=kind: notices.append({**notice, "kind": kind}))
            await client.connect(
                base,
                transports=["websocket"],
                headers={"Cookie": person.cookie},
                wait_timeout=20,
            )
            ack = await client.call("join_meeting", {"meeting_id": meeting_id}, timeout=20)
            assert ack["ok"], ack
            self.clients.append(client)
            self.received.append(notices)

    async def wait_for(self, count: int, seconds: float) -> None:
        """Wait until every tablet has ``count`` notices, at most ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(len(notices) >= count for notices in self.received):
                return
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


async def post_all(
    base: str, requests: list[tuple[Person, str, Any]], start: asyncio.Event | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """Send every ``(person, path, body)`` at the same instant; return ``(status, answer)``.

    A dict body goes as JSON, an ``aiohttp.FormData`` as a form. ``start`` (set here) lets
    other work begin at that instant too.
    """
    start = start or asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def send(person: Person, path: str, body: Any) -> tuple[int, dict[str, Any]]:
            headers = {"Cookie": person.cookie, "X-CSRFToken": person.csrf}
            headers["Accept"] = "application/json"
            payload = {"data": body} if isinstance(body, aiohttp.FormData) else {"json": body}
            await start.wait()
            async with http.post(
                base + path, headers=headers, timeout=timeout, **payload
            ) as answer:
                return answer.status, await answer.json(content_type=None)

        tasks = [asyncio.create_task(send(*request)) for request in requests]
        await asyncio.sleep(0.2)  # every request is waiting for the start
        start.set()
        return list(await asyncio.gather(*tasks))
