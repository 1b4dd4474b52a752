"""The live state: each audience sees exactly what its readers may see, and notices keep it.

Modelled on Zulip's ``verify_action``: for every service that records a notice, each kind of
reader's state before the change, with the notices it received applied the way the tablet
applies them (``static/js/lib/live.js``), equals a fresh read after the change.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from meeting_server.extensions import db, socketio
from meeting_server.models import CheckInMethod, Invitation, Meeting, User
from meeting_server.permissions import (
    can_conduct_meeting,
    can_download_document,
    can_view_document,
    can_view_item,
)
from meeting_server.services import (
    agenda,
    attendance,
    documents,
    participants,
    presentations,
    speaking,
    votes,
)
from meeting_server.services.live_state import SHARED_PARTS, tablet_state
from tests.support import pdf_samples
from tests.support.clients import signed_in

READERS = ("chutich", "thuky", "daibieu1", "daibieu2", "khach")


def person(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def invitation(meeting: Meeting, username: str) -> Invitation:
    return next(i for i in meeting.invitations if i.user.username == username)


def parts_of(state: dict[str, Any]) -> dict[str, Any]:
    """The state as the tablet holds it: part → value (``conduct``'s parts dotted)."""
    parts = {}
    for name in SHARED_PARTS:
        value: Any = state
        for key in name.split("."):
            value = value[key]
        parts[name] = value
    return parts


class Tablet:
    """A reader's tablet: its socket, its parts and their seqs, applied like live.js does."""

    def __init__(self, app, meeting_id: int, username: str) -> None:
        self.app, self.http, self.meeting_id = app, signed_in(app, username), meeting_id
        self.connect(last_seq=None)

    def connect(self, last_seq: int | None) -> None:
        """Connect and join, as live.js does at the start and after the server closed it."""
        self.socket = socketio.test_client(self.app, flask_test_client=self.http)
        ack = self.socket.emit(
            "join_meeting", {"meeting_id": self.meeting_id, "last_seq": last_seq}, callback=True
        )
        assert ack["ok"], ack
        if ack["state"] is not None:
            self.take(ack["state"], ack["seq"])

    def take(self, state: dict[str, Any], seq: int) -> None:
        self.parts, self.mine, self.seq = parts_of(state), state["mine"], seq
        self.part_seq = dict.fromkeys(SHARED_PARTS, seq)

    def read(self) -> dict[str, Any]:
        return self.http.get(f"/tablet/meetings/{self.meeting_id}/state").get_json()

    def catch_up(self) -> list[dict[str, Any]]:
        """Apply every notice received; a notice naming this reader makes it read again."""
        if not self.socket.is_connected():  # its rights changed: joins again, gets the state
            self.connect(last_seq=self.seq)
            return []
        notices = [m["args"][0] for m in self.socket.get_received() if "seq" in m["args"][0]]
        for notice in sorted(notices, key=lambda n: n["seq"]):
            assert notice["seq"] == self.seq + 1, "a notice is missing or repeated"
            self.seq = notice["seq"]
            if self.mine["reader"]["id"] in notice["readers"]:
                self.take(self.read(), notice["seq"])  # what live.js does: a whole read
                self.socket.emit(
                    "join_meeting", {"meeting_id": self.meeting_id, "last_seq": self.seq}
                )
                continue
            for part, value in notice["state"].items():
                assert part in SHARED_PARTS, part
                if notice["seq"] > self.part_seq[part]:
                    self.parts[part], self.part_seq[part] = value, notice["seq"]
        return notices


def same(held: dict[str, Any], fresh: dict[str, Any]) -> None:
    """Compare parts; the meeting's seq and version are the notice's (checked apart)."""
    strip = {"seq", "version"}
    held = held | {"meeting": {k: v for k, v in held["meeting"].items() if k not in strip}}
    fresh = fresh | {"meeting": {k: v for k, v in fresh["meeting"].items() if k not in strip}}
    assert held == fresh


@pytest.fixture
def room(app, published_meeting):
    """The published meeting with a confidential item; daibieu2 cleared; five tablets."""
    meeting = published_meeting
    desk = person("thuky")
    participants.update_invitation(
        desk, invitation(meeting, "daibieu2"), role="member", seat="2", may_view_confidential=True
    )
    secret = agenda.add_item(desk, meeting, title="Nhân sự", confidential=True)
    db.session.commit()
    tablets = {name: Tablet(app, meeting.id, name) for name in READERS}
    return meeting, secret, tablets


def pdf(pages: int = 2, text: str = "Trang") -> io.BytesIO:
    return io.BytesIO(pdf_samples.simple_pdf(pages=pages, text=text))


def test_every_change_reaches_every_reader_as_a_fresh_read_would_show_it(app, room):
    meeting, secret, tablets = room
    desk, chair = person("thuky"), person("chutich")
    public = meeting.agenda_items[0]
    state: dict[str, Any] = {}

    def add_documents():
        state["open"] = documents.add_document(desk, public, stream=pdf(), filename="bao-cao.pdf")
        state["hidden"] = documents.add_document(
            desk, secret, stream=pdf(3), filename="nhan-su.pdf"
        )

    def ask_about_the_hidden_document():
        speaking.request_to_speak(
            person("daibieu2"),
            invitation(meeting, "daibieu2"),
            item=public,
            document=state["hidden"],
            topic="Về nhân sự",
        )

    def cast_a_ballot():
        votes.cast_ballot(person("daibieu2"), state["vote"], 0)
        # unnumbered (only the live count moves); the voter's own screen marks its ballot
        # from the answer, as conduct.js does
        tablets["daibieu2"].mine["voted"].append(state["vote"].id)

    def open_secret_vote():
        state["vote"] = votes.open_vote(chair, secret, "Thông qua nhân sự?", secret=True)

    actions = [
        ("add an item", lambda: agenda.add_item(desk, meeting, title="Bổ sung")),
        ("add documents", add_documents),
        ("start", lambda: presentations.start_meeting(chair, meeting)),
        (
            "check in by roll call",
            lambda: attendance.check_in(
                desk, invitation(meeting, "daibieu1"), method=CheckInMethod.ROLL_CALL
            ),
        ),
        (
            "check in at the seat",
            lambda: attendance.check_in(
                person("daibieu2"), invitation(meeting, "daibieu2"), method=CheckInMethod.TABLET
            ),
        ),
        (
            "present a confidential page",
            lambda: presentations.present_page(
                chair, state["hidden"], version_number=1, page=2, zoom=100
            ),
        ),
        (
            "present a public page",
            lambda: presentations.present_page(
                chair, state["open"], version_number=1, page=2, zoom=120
            ),
        ),
        (
            "replace the presented document",
            lambda: documents.replace_document(
                desk, state["open"], stream=pdf(1, "Mới"), filename="bao-cao-v2.pdf"
            ),
        ),
        ("ask to speak about a confidential document", ask_about_the_hidden_document),
        ("open a confidential vote", open_secret_vote),
        ("a ballot", cast_a_ballot),
        ("close the vote", lambda: votes.close_vote(chair, state["vote"])),
        (
            "make an item confidential",
            lambda: agenda.update_item(
                desk,
                meeting.agenda_items[-1],
                title="Bổ sung (mật)",
                presenter=None,
                presenter_name="",
                planned_minutes=10,
                confidential=True,
            ),
        ),
        (
            "clear daibieu1 for confidential items",
            lambda: participants.update_invitation(
                desk,
                invitation(meeting, "daibieu1"),
                role="member",
                seat="1",
                may_view_confidential=True,
            ),
        ),
        ("stop presenting", lambda: presentations.stop_presenting(chair, meeting)),
        ("end", lambda: presentations.end_meeting(chair, meeting)),
    ]
    for name, action in actions:
        action()
        db.session.commit()
        for username, tablet in tablets.items():
            tablet.catch_up()
            fresh = tablet.read()
            assert tablet.seq == fresh["meeting"]["seq"], (name, username)
            same(tablet.parts, parts_of(fresh))
            assert tablet.mine == fresh["mine"], (name, username)
    # the presented document moved to its new version with the room (at the last page)
    assert parts_of(tablets["daibieu1"].read())["presentation"] is None  # stopped at the end


def test_each_reader_sees_exactly_what_they_may(app, room):
    meeting, secret, _tablets = room
    desk, chair = person("thuky"), person("chutich")
    public = meeting.agenda_items[0]
    shown = documents.add_document(desk, public, stream=pdf(), filename="bao-cao.pdf")
    hidden = documents.add_document(desk, secret, stream=pdf(3), filename="nhan-su.pdf")
    presentations.start_meeting(chair, meeting)
    attendance.check_in(desk, invitation(meeting, "daibieu2"), method=CheckInMethod.ROLL_CALL)
    speaking.request_to_speak(
        person("daibieu2"), invitation(meeting, "daibieu2"), item=public, document=hidden
    )
    votes.open_vote(chair, secret, "Thông qua nhân sự?")
    presentations.present_page(chair, hidden, version_number=1, page=3, zoom=100)
    db.session.commit()
    for username in READERS:
        reader = person(username)
        with app.test_request_context():  # the state names URLs
            state = tablet_state(meeting, reader, at_seat=False)
        items = [i.title for i in meeting.agenda_items if can_view_item(reader, i)]
        assert [i["title"] for i in state["items"]] == items, username
        docs = [d for d in (shown, hidden) if can_view_document(reader, d)]
        assert [d["id"] for d in state["documents"]] == [d.id for d in docs], username
        assert [d["can_download"] for d in state["documents"]] == [
            can_download_document(reader, d) for d in docs
        ], username
        sees_secret = can_view_item(reader, secret)
        assert (state["conduct"]["vote"] is not None) == sees_secret, username
        assert (state["presentation"] is not None) == sees_secret, username
        assert (state["current_item_id"] == secret.id) == sees_secret, username
        (request,) = state["conduct"]["speaking"]
        assert (request["document"] == hidden.title) == sees_secret, username  # no title leak
        conducts = can_conduct_meeting(reader, meeting)
        assert (state["conduct"]["quorum"] is not None) == conducts, username
        assert state["can_conduct"] == conducts, username
        text = str(state)
        if not sees_secret:
            assert "Nhân sự" not in text and "nhan-su" not in text, username


def test_contract_js_is_generated_from_the_server():
    tool = Path(__file__).resolve().parents[2] / "tools" / "contract_js.py"
    spec = importlib.util.spec_from_file_location("contract_js", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.TARGET.read_text(encoding="utf-8") == module.render(), (
        "run `make contract` and commit static/js/lib/contract.js"
    )
