"""kill -9 of `meeting-server serve` in the middle of ballots, check-ins and uploads: after a
restart on the same instance every count, row and stored file agrees; nothing is half-done."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import signal

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.support.full_room import Person, seed_room, serving, started
from tests.support.pdf_samples import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE = 40
UPLOADS = 4


async def storm(
    base: str, requests: list[tuple[Person, str, object]], kill_after_s: float, pid: int
):
    """Send every request at once, kill -9 the server ``kill_after_s`` later; return answers."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def send(person: Person, path: str, body: object) -> int:
            headers = {
                "Cookie": person.cookie,
                "X-CSRFToken": person.csrf,
                "Accept": "application/json",
            }
            payload = {"data": body()} if callable(body) else {"json": body}
            async with http.post(
                base + path, headers=headers, timeout=timeout, **payload
            ) as answer:
                await answer.read()
                return answer.status

        tasks = [asyncio.create_task(send(*request)) for request in requests]
        await asyncio.sleep(kill_after_s)
        os.kill(pid, signal.SIGKILL)
        return await asyncio.gather(*tasks, return_exceptions=True)


def upload_form() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(simple_pdf(pages=30)), filename="bao-cao.pdf")
    return form


def test_kill_9_mid_storm_leaves_a_consistent_record(tmp_path):
    with serving(tmp_path) as (base, env):
        room = seed_room(env, PEOPLE)
        people, desk = room.people, room.secretary
        with started(base, env, tmp_path) as server:
            check_ins = [
                (p, f"/tablet/meetings/{room.meeting_id}/check-in", {"online": False})
                for p in people
            ]
            assert set(_all(base, check_ins)) == {200}
            vote_id = _open_vote(base, room)
            ballots = [(p, f"/tablet/votes/{vote_id}/ballot", {"choice": 0}) for p in people]
            uploads = [(desk, f"/items/{room.item_id}/documents", upload_form)] * UPLOADS
            answers = asyncio.run(storm(base, ballots + uploads, 0.15, server.pid))
        assert any(isinstance(a, Exception) for a in answers), "the kill came after everything"
        with started(base, env, tmp_path):  # the same instance, restarted
            _check_consistent(env, vote_id)
            late = [p for p, answer in zip(people, answers, strict=False) if answer != 200]
            retried = _all(
                base, [(p, f"/tablet/votes/{vote_id}/ballot", {"choice": 0}) for p in late]
            )
            assert set(retried) <= {200, 409}  # counted now, or already counted before the kill
            _check_consistent(env, vote_id)


def _all(base, requests):
    async def run():
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession() as http:
            statuses = []
            for person, path, body in requests:
                headers = {
                    "Cookie": person.cookie,
                    "X-CSRFToken": person.csrf,
                    "Accept": "application/json",
                }
                async with http.post(
                    base + path, headers=headers, json=body, timeout=timeout
                ) as answer:
                    await answer.read()
                    statuses.append(answer.status)
            return statuses

    return asyncio.run(run())


def _open_vote(base, room) -> int:
    async def run():
        headers = {"Cookie": room.chair.cookie, "X-CSRFToken": room.chair.csrf}
        body = {"item_id": room.item_id, "question": "Thông qua báo cáo?"}
        async with aiohttp.ClientSession() as http:
            url = f"{base}/tablet/meetings/{room.meeting_id}/votes"
            async with http.post(url, json=body, headers=headers) as answer:
                assert answer.status == 200, await answer.text()
                return (await answer.json())["vote_id"]

    return asyncio.run(run())


def _check_consistent(env, vote_id: int) -> None:
    """Ballots and tallies agree; every document version's file is stored whole."""
    from meeting_server import create_app
    from meeting_server.extensions import db
    from meeting_server.models import DocumentVersion, VoteParticipation, VoteTally
    from meeting_server.storage import blob_store

    app = create_app(
        {
            "DATABASE_URL": env["MEETING_DATABASE_URL"],
            "STORAGE_DIR": env["MEETING_STORAGE_DIR"],
            "SECRET_KEY": env["MEETING_SECRET_KEY"],
        }
    )
    with app.app_context():
        ballots = db.session.scalar(
            select(func.count()).where(VoteParticipation.vote_id == vote_id)
        )
        tallied = db.session.scalar(
            select(func.coalesce(func.sum(VoteTally.count), 0)).where(VoteTally.vote_id == vote_id)
        )
        assert ballots == tallied
        for version in db.session.scalars(select(DocumentVersion)):
            data = blob_store().path_for(version.sha256).read_bytes()
            assert hashlib.sha256(data).hexdigest() == version.sha256
            assert len(data) == version.size
    db.engine.dispose()
