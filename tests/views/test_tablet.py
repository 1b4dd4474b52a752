"""The tablet screens: today's meetings and the state a tablet re-reads after each notice."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from meeting_server.extensions import db
from meeting_server.models import Meeting, User
from meeting_server.services.agenda import add_item
from meeting_server.services.documents import add_document
from meeting_server.services.meetings import publish_meeting, update_meeting
from meeting_server.services.participants import invite_users, update_invitation
from tests.support import pdf_samples
from tests.support.clients import signed_in


@pytest.fixture
def today(app, secretary, chair, draft_meeting, participant, create_user):
    """Today's published meeting: an open and a confidential item, each with a PDF."""
    cleared = create_user("daibieu2", full_name="Hoàng Thị Bình")
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        meeting = db.session.get(Meeting, draft_meeting.id)
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
        update_meeting(
            actor,
            meeting,
            title="Họp hôm nay",
            room=meeting.room,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            chair=meeting.chair,
        )
        invitations = invite_users(
            actor, meeting, [db.session.get(User, u.id) for u in (participant, cleared)]
        )
        update_invitation(actor, invitations[1], role="member", seat="", may_view_confidential=True)
        open_item = add_item(actor, meeting, title="Báo cáo kinh tế")
        secret_item = add_item(actor, meeting, title="Nhân sự", confidential=True)
        for item, name in ((open_item, "bao-cao.pdf"), (secret_item, "nhan-su.pdf")):
            add_document(actor, item, stream=io.BytesIO(pdf_samples.simple_pdf()), filename=name)
        publish_meeting(actor, meeting)
        db.session.commit()
        return meeting.id


def test_the_tablet_lists_todays_meetings_of_the_reader(app, today, participant, outsider):
    page = signed_in(app, "daibieu1").get("/tablet").get_data(as_text=True)
    assert "Họp hôm nay" in page and f'href="/tablet/meetings/{today}"' in page
    assert "Họp hôm nay" not in signed_in(app, "daibieu9").get("/tablet").get_data(as_text=True)
    anonymous = app.test_client().get("/tablet")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_state_holds_only_what_the_reader_may_see(app, today, participant):
    state = signed_in(app, "daibieu1").get(f"/tablet/meetings/{today}/state")
    assert state.headers["Cache-Control"] == "no-store"
    body = state.json
    assert body["meeting"]["status"] == "published"
    assert body["mine"]["reader"]["name"] == "Đỗ Văn An"
    assert [d["title"] for d in body["documents"]] == ["bao-cao"]
    assert [item["title"] for item in body["items"]] == ["Báo cáo kinh tế"]  # not "Nhân sự"
    assert body["can_conduct"] is False and body["presentation"] is None
    doc = body["documents"][0]
    assert doc["file_url"] == f"/documents/{doc['id']}/versions/1/file"
    assert "{page}" in doc["thumbnail_url"] and doc["can_download"] and not doc["can_present"]
    cleared = signed_in(app, "daibieu2").get(f"/tablet/meetings/{today}/state").json
    assert [d["title"] for d in cleared["documents"]] == ["bao-cao", "nhan-su"]
    secret = cleared["documents"][1]
    assert secret["confidential"] and secret["can_download"] is False  # switched off by default


def test_the_chair_may_conduct_and_sees_the_buttons(app, today, chair):
    body = signed_in(app, "chutich").get(f"/tablet/meetings/{today}/state").json
    assert body["can_conduct"] is True
    page = signed_in(app, "chutich").get(f"/tablet/meetings/{today}").get_data(as_text=True)
    assert 'id="start-meeting"' in page and 'id="tablet-config"' in page


def test_strangers_get_nothing(app, today, outsider):
    stranger = signed_in(app, "daibieu9")
    assert stranger.get(f"/tablet/meetings/{today}").status_code == 403
    assert stranger.get(f"/tablet/meetings/{today}/state").status_code == 403


def test_the_offline_worker_is_served_for_the_tablet_scope(app, client):
    worker = client.get("/tablet/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert b"tablet-meeting-" in worker.data and worker.headers["Cache-Control"] == "no-cache"
    worker.close()


def test_the_offline_worker_keeps_every_script_the_meeting_screen_imports(app):
    """Each module meeting.js imports, directly or not, is in the worker's shell list."""
    static = Path(app.static_folder).resolve()
    worker = (static / "js/tablet/sw.js").read_text()
    shell = set(re.findall(r'"(/static/[^"]+)"', worker.split("const SHELL_URLS", 1)[1]))
    pending, imported = [static / "js/tablet/meeting.js", static / "js/common.js"], set()
    while pending:
        module = pending.pop()
        path = "/static/" + module.relative_to(static).as_posix()
        if path in imported:
            continue
        imported.add(path)
        for name in re.findall(r'^import [^;]*?from "(\.[^"]+)";', module.read_text(), re.M):
            pending.append((module.parent / name).resolve())
    assert len(imported) >= 10, imported  # the walk followed the imports
    assert imported - shell == set(), "add these to SHELL_URLS in static/js/tablet/sw.js"
