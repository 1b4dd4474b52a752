"""Every Socket.IO event × every kind of person, built from the registered handlers (a new
event without an entry here fails): who may connect, join, present and stop presenting, and
what each one's socket receives when a public and a confidential change happen.

The people are those of the page matrix (`tests/views/test_access_matrix.py`) plus the two
kinds of tablet: one paired to seat 1 (it reads as the cleared member sitting there) and one
the administrator removed.
"""

from __future__ import annotations

import io
import time

import pytest

from meeting_server.auth import DEVICE_COOKIE
from meeting_server.extensions import db, socketio
from meeting_server.models import Device, Role
from meeting_server.services.agenda import add_item
from meeting_server.services.devices import revoke_device
from meeting_server.services.documents import add_document
from meeting_server.services.participants import update_invitation
from meeting_server.services.presentations import start_meeting
from tests.support.clients import signed_in
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor, invitation

ANON, OUTSIDER, MEMBER, CLEARED, GUEST = "anonymous", "daibieu9", "daibieu2", "daibieu1", "khach"
SECRETARY, CHAIR, ADMIN, CLERK = "thuky", "chutich", "admin", "vanthu"
SEAT, REMOVED = "tablet at seat 1", "removed tablet"
KINDS = (ANON, OUTSIDER, MEMBER, CLEARED, GUEST, SECRETARY, CHAIR, ADMIN, CLERK, SEAT, REMOVED)

CONNECTED = frozenset(KINDS) - {ANON, REMOVED}
READERS = frozenset({MEMBER, CLEARED, GUEST, SECRETARY, CHAIR, SEAT})  # invited, or the desk
CLEARED_READERS = frozenset({CLEARED, SECRETARY, CHAIR, SEAT})  # seat 1 is the cleared member's
CONDUCT = frozenset({SECRETARY, CHAIR})
PRESENTER = CONDUCT | {MEMBER}  # daibieu2 presents the public item

#: (event, what is sent) -> who gets ``ok: true``. Every registered event must appear.
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("connect", ""): CONNECTED,
    ("still_here", ""): CONNECTED,
    ("join_meeting", "the meeting"): READERS,
    ("leave_meeting", "the meeting"): CONNECTED,  # leaving what one is not in changes nothing
    ("present_page", "the public item's document"): PRESENTER,
    ("present_page", "the confidential item's document"): CONDUCT,
    ("stop_presenting", "the meeting"): PRESENTER,  # the presenter may stop their own
}


@pytest.fixture
def world(app, published_meeting, create_user, admin, create_device):
    """The meeting in progress: a public item presented by daibieu2 and a confidential one,
    each with a document; daibieu1 cleared at seat 1; a tablet there and a removed one."""
    create_user(CLERK, Role.CLERK)
    create_user(OUTSIDER)
    meeting, desk = published_meeting, actor()
    public = add_item(desk, meeting, title="Báo cáo của Sở", presenter=actor(MEMBER))
    secret = add_item(desk, meeting, title="Phương án nhân sự", confidential=True)
    documents = {
        item.id: add_document(desk, item, stream=io.BytesIO(simple_pdf(3)), filename="tl.pdf")
        for item in (public, secret)
    }
    update_invitation(
        desk, invitation(meeting, CLEARED), role="member", seat="1", may_view_confidential=True
    )
    start_meeting(desk, meeting)
    db.session.commit()
    _seat, seat_token = create_device("1")
    removed, removed_token = create_device("3")
    revoke_device(actor(ADMIN), db.session.get(Device, removed.id))
    db.session.commit()
    return {
        "meeting": meeting.id,
        "public_document": documents[public.id].id,
        "secret_document": documents[secret.id].id,
        "secret_item": secret.id,
        "tokens": {SEAT: seat_token, REMOVED: removed_token},
    }


def socket_of(app, kind: str, world: dict):
    """Connect as ``kind``: a signed-in browser, a paired tablet, or nobody."""
    if kind in world["tokens"]:
        http = app.test_client()
        http.set_cookie(DEVICE_COOKIE, world["tokens"][kind])
    else:
        http = app.test_client() if kind == ANON else signed_in(app, kind)
    return socketio.test_client(app, flask_test_client=http)


def payload(event: str, sent: str, world: dict) -> dict:
    if event == "present_page":
        document = world["public_document" if "public" in sent else "secret_document"]
        return {"document_id": document, "version": 1, "page": 2, "zoom": 100}
    return {"meeting_id": world["meeting"]} if sent else {}


def test_every_registered_event_has_a_policy(app):
    registered = set(socketio.server.handlers["/"]) - {"disconnect"}
    assert registered == {event for event, _sent in POLICY}, "add the new events to POLICY"


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_person_gets_what_the_policy_says(app, world, kind):
    client = socket_of(app, kind, world)
    wrong = []
    if client.is_connected() != (kind in POLICY[("connect", "")]):
        wrong.append(f"connect → {client.is_connected()}")
    if client.is_connected():
        for (event, sent), allowed in POLICY.items():
            if event == "connect":
                continue
            ack = client.emit(event, payload(event, sent, world), callback=True)
            if not isinstance(ack, dict) or ack.get("ok") is not (kind in allowed):
                wrong.append(f"{event} with {sent or 'nothing'} → {ack}")
        client.disconnect()
    assert wrong == [], f"{kind}:\n" + "\n".join(wrong)


def test_each_socket_receives_only_what_its_person_may_see(app, world):
    """Everyone who may joins; a public change reaches them all, the confidential vote's
    question only the cleared readers (the others learn that something was withheld)."""
    sockets = {kind: socket_of(app, kind, world) for kind in KINDS}
    joined = set()
    for kind, client in sockets.items():
        if client.is_connected():
            ack = client.emit("join_meeting", {"meeting_id": world["meeting"]}, callback=True)
            joined |= {kind} if ack["ok"] else set()
            client.get_received()
    assert joined == READERS

    desk = signed_in(app, SECRETARY)
    desk.post(f"/meetings/{world['meeting']}/items", data={"title": "Kiến nghị cử tri"})
    question = "Đồng ý bổ nhiệm ông Trần Văn X?"
    opened = signed_in(app, CHAIR).post(
        f"/tablet/meetings/{world['meeting']}/votes",
        json={"item_id": world["secret_item"], "question": question},
    )
    assert opened.status_code == 200, opened.text
    time.sleep(0.3)
    seen = {
        kind: repr(client.get_received())
        for kind, client in sockets.items()
        if client.is_connected()
    }  # the connected but refused (outsider, clerk, admin) are watched too
    got_public = {kind for kind, text in seen.items() if "Kiến nghị cử tri" in text}
    got_secret = {kind for kind, text in seen.items() if question in text}
    assert got_public == READERS
    assert got_secret == CLEARED_READERS
    for client in sockets.values():
        if client.is_connected():
            client.disconnect()
