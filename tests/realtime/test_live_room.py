"""A full room pressing the same button at once, on `meeting-server serve` (SQLite, PostgreSQL).

200 participants press *Điểm danh* at the same instant over real HTTP while their 200 tablets
listen over WebSocket: every request succeeds, the notices are numbered without a gap, and
every tablet receives every notice once, in order. Then page turns, check-ins and an upload
at the same time.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import aiohttp
import pytest
import sqlalchemy as sa

from meeting_server.extensions import make_engine
from tests.support.backing import require_service
from tests.support.full_room import Tablets, post_all, seed_room, serving, started
from tests.support.pdf_samples import simple_pdf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE = 200
POSTGRES = os.environ.get("MEETING_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def room(request, tmp_path_factory):
    """A started meeting with 200 invited participants on a running `serve`."""
    instance = tmp_path_factory.mktemp(f"full-room-{request.param}")
    database_url, drop = None, None
    if request.param == "postgresql":
        require_service("PostgreSQL", 5432)
        database_url, drop = _postgres_database()
    try:
        with serving(instance, database_url) as (base, env):
            seeded = seed_room(env, PEOPLE)
            with started(base, env, instance):
                yield base, seeded
    finally:
        if drop:
            drop()


def _postgres_database():
    name = f"meeting_room_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{POSTGRES}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{POSTGRES}/{name}", drop


def _consecutive(notices: list[dict], first: int, count: int) -> bool:
    return [n["seq"] for n in notices] == list(range(first, first + count))


def test_a_full_room_checks_in_at_once(room):
    base, seeded = room

    async def scenario():
        tablets = Tablets()
        await tablets.connect(base, seeded.meeting_id, seeded.people)
        try:
            path = f"/tablet/meetings/{seeded.meeting_id}/check-in"
            answers = await post_all(base, [(p, path, {"online": False}) for p in seeded.people])
            await tablets.wait_for(PEOPLE, seconds=30)
            return answers, tablets.received
        finally:
            await tablets.close()

    answers, received = asyncio.run(scenario())
    assert [status for status, _ in answers] == [200] * PEOPLE, [a for a in answers if a[0] != 200][
        :3
    ]
    assert all(answer["ok"] and answer["status"] == "present" for _, answer in answers)
    first = received[0][0]["seq"]
    for notices in received:
        assert {n["kind"] for n in notices} == {"attendance_changed"}
        assert _consecutive(notices, first, PEOPLE), [n["seq"] for n in notices][:10]
    invitations = sorted(n["ids"][0] for n in received[0])
    assert invitations == sorted(p.invitation_id for p in seeded.people)


def test_page_turns_check_ins_and_an_upload_at_once(room):
    """The chair turns 30 pages over the socket while 100 people check out and one PDF arrives."""
    base, seeded = room
    turns = 30

    async def chair_turns(chair: Tablets, start: asyncio.Event) -> list[dict]:
        await start.wait()
        acks = []
        for page in range(1, turns + 1):
            position = {"document_id": seeded.document_id, "version": 1, "page": page, "zoom": 100}
            acks.append(await chair.clients[0].call("present_page", position, timeout=30))
        return acks

    async def scenario():
        tablets, chair = Tablets(), Tablets()
        await tablets.connect(base, seeded.meeting_id, seeded.people)
        await chair.connect(base, seeded.meeting_id, [seeded.chair])
        try:
            leaving = [
                (p, f"/tablet/meetings/{seeded.meeting_id}/check-out", {})
                for p in seeded.people[:100]
            ]
            form = aiohttp.FormData()
            form.add_field("title", "Phụ lục")
            form.add_field(
                "file", simple_pdf(pages=3), filename="phu-luc.pdf", content_type="application/pdf"
            )
            upload = (seeded.secretary, f"/items/{seeded.item_id}/documents", form)
            start = asyncio.Event()
            turning = asyncio.create_task(chair_turns(chair, start))
            answers = await post_all(base, [*leaving, upload], start)
            acks = await turning
            # the first page turn also makes the item current: one notice more
            await tablets.wait_for(len(leaving) + 1 + turns + 1, seconds=30)
            return answers, acks, tablets.received
        finally:
            await tablets.close()
            await chair.close()

    answers, acks, received = asyncio.run(scenario())
    assert [status for status, _ in answers] == [200] * 100 + [201], answers[-1]
    assert all(ack["ok"] for ack in acks), [a for a in acks if not a["ok"]][:3]
    expected = 100 + 1 + turns + 1
    first = received[0][0]["seq"]
    for notices in received:
        seqs = [n["seq"] for n in notices]
        out_of_place = [
            (i, n["seq"], n["kind"]) for i, n in enumerate(notices) if n["seq"] != first + i
        ]
        late = [(i, n["seq"], n["kind"]) for i, n in enumerate(notices) if n["seq"] < first + i]
        assert _consecutive(notices, first, expected), (len(seqs), out_of_place[:2], late[:3])
    kinds = [n["kind"] for n in received[0]]
    counts = [
        kinds.count(k) for k in ("attendance_changed", "document_added", "current_item_changed")
    ]
    assert counts == [100, 1, 1]
    turned = [n for n in received[0] if n["kind"] == "presenter_page_changed"]
    pages = [n["state"]["presentation"]["page"] for n in turned]
    assert pages == list(range(1, turns + 1))  # in the order the chair turned them
