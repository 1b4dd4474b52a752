"""kill -9 of `meeting-server serve` in the middle of ballots, check-ins, uploads and signing:
after a restart on the same instance every count, row and stored file agrees, every signed
version validates, and what was not done can be done again; nothing is half-done."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import signal
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.support.browser import demo_template
from tests.support.full_room import Person, app_of, minted_session, seed_room, serving, started
from tests.support.pdf_samples import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE = 40
UPLOADS = 4


async def storm(
    base: str,
    requests: list[tuple[Person, str, object]],
    kill_after_s: float,
    pid: int,
    *,
    after_first_answer: bool = False,
):
    """Send every request at once, kill -9 the server ``kill_after_s`` later (after the first
    answer, with ``after_first_answer``); return the answers (an exception where none came)."""
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
        if after_first_answer:
            await asyncio.wait(tasks, timeout=60, return_when=asyncio.FIRST_COMPLETED)
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
    from meeting_server.extensions import db
    from meeting_server.models import DocumentVersion, VoteParticipation, VoteTally
    from meeting_server.storage import blob_store

    app = app_of(env)
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


SIGNING_REQUESTS = 10
DEMO_PIN = "123456"


def test_kill_9_mid_signing_leaves_each_document_signed_whole_or_untouched(tmp_path):
    """Five documents signed one by one and five in a batch; the kill lands after the first
    answer. Each document is then either signed (its new version stored whole, validating,
    with its audit row) or untouched and still waiting; signing again finishes the rest."""
    shutil.copytree(demo_template(), tmp_path, dirs_exist_ok=True)
    with serving(tmp_path) as (base, env):
        chair, request_ids = _send_for_signing(env, SIGNING_REQUESTS)
        half = SIGNING_REQUESTS // 2
        singles = [(chair, f"/signing/{rid}/sign", {"pin": DEMO_PIN}) for rid in request_ids[:half]]
        batch = [(chair, "/signing/batch", {"ids": request_ids[half:], "pin": DEMO_PIN})]
        with started(base, env, tmp_path) as server:
            answers = asyncio.run(
                storm(base, singles + batch, 0.05, server.pid, after_first_answer=True)
            )
        assert any(isinstance(a, Exception) for a in answers), "the kill came after everything"
        with started(base, env, tmp_path):
            signed = _check_signing_whole(env, request_ids)
            assert 0 < len(signed) < SIGNING_REQUESTS, "nothing was cut in the middle"
            again = _all(
                base, [(chair, f"/signing/{rid}/sign", {"pin": DEMO_PIN}) for rid in request_ids]
            )
            assert [s for rid, s in zip(request_ids, again, strict=True) if rid in signed] == [
                409
            ] * len(signed)  # already signed before the kill: "not waiting for you"
            assert set(again) - {409} == {200}
            assert _check_signing_whole(env, request_ids) == set(request_ids)


def _send_for_signing(env, count: int) -> tuple[Person, list[int]]:
    """As the demo secretary, send ``count`` PDFs to the chair then the clerk's seal."""
    from meeting_server.extensions import db
    from meeting_server.models import StepKind, User, utcnow
    from meeting_server.services.audit import client_address
    from meeting_server.services.signing_requests import RouteEntry, submit_request

    app = app_of(env)
    with app.app_context():
        client_address.set("test")
        people = {u.username: u for u in db.session.scalars(select(User))}
        route = [RouteEntry(people["chutich"]), RouteEntry(people["vanthu"], StepKind.SEAL)]
        ids = [
            submit_request(
                people["thuky"], title=f"Quyết định số {n}", message="", pdf=simple_pdf(pages=3),
                due_at=utcnow() + timedelta(days=2), file_name=f"qd-{n}.pdf", route=route,
            ).request.id
            for n in range(1, count + 1)
        ]  # fmt: skip
        db.session.commit()
        chair = Person(people["chutich"].id, 0, *minted_session(app, people["chutich"].id))
    db.engine.dispose()
    return chair, ids


def _check_signing_whole(env, request_ids: list[int]) -> set[int]:
    """Check each request is signed whole or untouched; return the ids the chair has signed."""
    from meeting_server.extensions import db
    from meeting_server.models import AuditEvent, SigningRequest, StepStatus
    from meeting_server.services.signatures import verify_stored_document
    from meeting_server.storage import blob_store

    signed: set[int] = set()
    app = app_of(env)
    with app.app_context():
        for request in db.session.scalars(
            select(SigningRequest).where(SigningRequest.id.in_(request_ids))
        ):
            step = request.steps[0]
            audited = db.session.scalar(
                select(func.count()).where(
                    AuditEvent.action == "signing.signed", AuditEvent.object_id == request.id
                )
            )
            for version in request.versions:
                data = blob_store().path_for(version.sha256).read_bytes()
                assert hashlib.sha256(data).hexdigest() == version.sha256
            if step.status == StepStatus.SIGNED:
                assert [v.step_id for v in request.versions] == [None, step.id]
                assert audited == 1
                data = blob_store().path_for(request.latest.sha256).read_bytes()
                report = verify_stored_document(data)
                assert report.all_valid and len(report.signatures) == 1, report.to_text("en")
                signed.add(request.id)
            else:
                assert step.status == StepStatus.PENDING
                assert len(request.versions) == 1 and audited == 0
    db.engine.dispose()
    return signed
