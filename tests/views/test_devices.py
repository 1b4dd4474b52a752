"""Room tablets: pairing with a one-time code, acting as the person at the seat, removal."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
import segno
import socketio as socketio_client
from sqlalchemy import select

from meeting_server.extensions import db, socketio
from meeting_server.models import AuditEvent, Device, Room, SessionEnd, User
from meeting_server.services.agenda import add_item
from meeting_server.services.devices import create_device as create_device_service
from meeting_server.services.devices import issue_pairing_code, revoke_device
from meeting_server.services.meetings import create_meeting, publish_meeting
from meeting_server.services.participants import invite_users, update_invitation
from meeting_server.services.rooms import create_room
from meeting_server.services.sessions import end_sessions_of
from tests.support.backing import require_service
from tests.support.browser import live_server
from tests.support.browser import signed_in as signed_in_live
from tests.support.clients import signed_in

COOKIE = "meeting_device"
NEW_CODE_HINT = "ask the administrator for a new code"


def english(client):
    """Choose English, so the checks read the messages as written in the code."""
    client.get("/lang/en")
    return client


def code_on(page: str) -> str:
    return re.search(r'data-code="(\d{8})"', page).group(1)


def pending_code(app, admin, room, seat="3"):
    """Add a tablet at ``seat`` and return (its id, a fresh pairing code)."""
    with app.app_context():
        actor = db.session.get(User, admin.id)
        device = create_device_service(actor, db.session.get(Room, room.id), seat, "Máy mới")
        code = issue_pairing_code(actor, device)
        db.session.commit()
        return device.id, code


def tablet_with(app, token):
    client = english(app.test_client())
    client.set_cookie(COOKIE, token)
    return client


def device_socket(app, token, http=None):
    return socketio.test_client(
        app, auth={"device_token": token}, flask_test_client=http or app.test_client()
    )


def second_room(app):
    with app.app_context():
        created = create_room(None, name="Phòng họp số 2", location="Tầng 4", seat_count=20)
        db.session.commit()
        return created


def seated_meeting(app, secretary, room, seats, *, hours=24):
    """Publish a meeting in ``room`` inviting each (user, seat) pair at that seat."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        meeting = create_meeting(
            actor,
            title=f"Họp lúc {hours}h",
            room=db.session.get(Room, room.id),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        people = [db.session.get(User, user.id) for user, _seat in seats]
        for invitation, (_user, seat) in zip(
            invite_users(actor, meeting, people), seats, strict=True
        ):
            update_invitation(
                actor, invitation, role="member", seat=seat, may_view_confidential=False
            )
        add_item(actor, meeting, title="Báo cáo")
        publish_meeting(actor, meeting)
        db.session.commit()
        return meeting.id


def audit_actions(app, device_id):
    with app.app_context():
        query = select(AuditEvent.action).where(
            AuditEvent.object_type == "device", AuditEvent.object_id == device_id
        )
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


# --- pairing over HTTP -------------------------------------------------------------------------


def test_admin_adds_a_tablet_and_its_code_pairs_it(app, client, auth, admin, room):
    auth.login("admin")
    added = client.post("/admin/devices", data={"room_id": room.id, "seat": "12", "name": "Máy 12"})
    assert added.status_code == 302
    device_id = int(re.search(r"/admin/devices/(\d+)$", added.headers["Location"]).group(1))
    shown = client.post(f"/admin/devices/{device_id}/code")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    code = code_on(page)
    url = f"http://127.0.0.1:5000/tablet/pair?code={code}"  # PUBLIC_URL's default
    qr = segno.make(url, error="m").svg_inline(
        scale=6, border=4, dark="#000", light="#fff", svgclass="qr", omitsize=True
    )
    assert qr in page and "style=" not in page  # inline SVG, nothing the CSP would block

    tablet = english(app.test_client())
    assert f'value="{code}"' in tablet.get(f"/tablet/pair?code={code}").get_data(as_text=True)
    paired = tablet.post("/tablet/pair", data={"code": f"{code[:4]} {code[4:]}"})
    assert paired.status_code == 302 and paired.headers["Location"] == "/tablet"
    assert paired.headers["Clear-Site-Data"] == '"cache", "storage"'
    cookie = paired.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie and "Path=/" in cookie and "Secure" not in cookie
    home = tablet.get("/tablet")
    assert home.status_code == 200 and "Máy 12" in home.get_data(as_text=True)
    listing = client.get("/admin/devices").get_data(as_text=True)
    assert "Máy 12" in listing and "badge-device-paired" in listing
    assert audit_actions(app, device_id) == ["device.create", "device.pairing_code", "device.pair"]
    with app.app_context():
        device = db.session.get(Device, device_id)
        assert code not in (device.pairing_code_hash or "") and device.token_hash != cookie


def test_the_cookie_is_secure_when_sessions_are(make_app, admin, room):
    app = make_app(SESSION_COOKIE_SECURE=True)
    _device_id, code = pending_code(app, admin, room)
    paired = app.test_client().post("/tablet/pair", data={"code": code})
    assert "Secure" in paired.headers["Set-Cookie"]


def test_wrong_expired_and_used_codes_are_refused(app, admin, room):
    device_id, code = pending_code(app, admin, room)
    tablet = english(app.test_client())
    wrong = tablet.post("/tablet/pair", data={"code": "0000000" + str((int(code[-1]) + 1) % 10)})
    assert wrong.status_code == 400 and NEW_CODE_HINT in wrong.get_data(as_text=True)
    assert COOKIE not in wrong.headers.get("Set-Cookie", "")
    not_digits = tablet.post("/tablet/pair", data={"code": "12ab"})
    assert not_digits.status_code == 400
    assert "8 digits" in not_digits.get_data(as_text=True)

    assert tablet.post("/tablet/pair", data={"code": code}).status_code == 302
    reused = english(app.test_client()).post("/tablet/pair", data={"code": code})
    assert reused.status_code == 400 and NEW_CODE_HINT in reused.get_data(as_text=True)

    with app.app_context():
        device = db.session.get(Device, device_id)
        late = issue_pairing_code(db.session.get(User, admin.id), device)
        device.pairing_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    expired = english(app.test_client()).post("/tablet/pair", data={"code": late})
    assert expired.status_code == 400 and NEW_CODE_HINT in expired.get_data(as_text=True)


def test_wrong_codes_are_limited_per_address_and_say_how_long_to_wait(make_app, admin, room):
    app = make_app(PAIRING_LIMIT_PER_IP="3 per 10 minutes")
    _first, code = pending_code(app, admin, room, seat="1")
    _second, other_code = pending_code(app, admin, room, seat="2")
    tablet = english(app.test_client())
    for _ in range(2):
        assert tablet.post("/tablet/pair", data={"code": "99999999"}).status_code == 400
    assert tablet.post("/tablet/pair", data={"code": code}).status_code == 302  # not counted
    assert tablet.post("/tablet/pair", data={"code": "99999999"}).status_code == 400
    blocked = tablet.post("/tablet/pair", data={"code": other_code})
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "Wait 10 minutes" in page and 'name="code"' in page
    elsewhere = english(app.test_client())
    other = elsewhere.post(
        "/tablet/pair", data={"code": other_code}, environ_base={"REMOTE_ADDR": "10.0.0.7"}
    )
    assert other.status_code == 302  # another address is not blocked


def test_one_tablet_per_seat(app, client, auth, admin, room, create_device):
    create_device("5", name="Máy cũ")
    auth.login("admin")
    english(client)
    second = client.post("/admin/devices", data={"room_id": room.id, "seat": "5", "name": "Mới"})
    assert second.status_code == 409
    assert "already has the tablet “Máy cũ”" in second.get_data(as_text=True)
    for seat in ("", "x" * 21):
        bad = client.post("/admin/devices", data={"room_id": room.id, "seat": seat, "name": "M"})
        assert bad.status_code == 400
    with app.app_context():
        old = db.session.scalars(select(Device).where(Device.seat == "5")).one()
    assert client.post(f"/admin/devices/{old.id}/revoke").status_code == 302
    again = client.post("/admin/devices", data={"room_id": room.id, "seat": "5", "name": "Mới"})
    assert again.status_code == 302


def test_only_admins_reach_the_device_pages(app, client, auth, secretary, create_device):
    device, token = create_device("1")
    auth.login("thuky")
    assert client.get("/admin/devices").status_code == 403
    assert client.get(f"/admin/devices/{device.id}").status_code == 403
    assert client.post(f"/admin/devices/{device.id}/code").status_code == 403
    assert client.post(f"/admin/devices/{device.id}/revoke").status_code == 403
    tablet = tablet_with(app, token)
    assert tablet.get("/admin/devices").status_code == 302  # a tablet is nobody's account
    assert tablet.get("/tablet").status_code == 200  # … and was not revoked by any of that


# --- the tablet acts as the person at its seat -------------------------------------------------


def test_a_tablet_reads_and_follows_only_the_meetings_of_its_seat(
    app, room, secretary, participant, outsider, create_device
):
    _device, token = create_device("5")
    ours = seated_meeting(app, secretary, room, [(participant, "5")], hours=24)
    nobody_here = seated_meeting(app, secretary, room, [(participant, "7")], hours=48)
    elsewhere = seated_meeting(app, secretary, second_room(app), [(outsider, "5")], hours=24)
    tablet = tablet_with(app, token)
    page = tablet.get(f"/tablet/meetings/{ours}")
    assert page.status_code == 200 and "Họp lúc 24h" in page.get_data(as_text=True)
    live = socketio.test_client(app, auth={"device_token": token}, flask_test_client=tablet)
    assert live.emit("join_meeting", {"meeting_id": ours}, callback=True)["ok"]
    for meeting_id in (nobody_here, elsewhere):
        assert tablet.get(f"/tablet/meetings/{meeting_id}").status_code == 403
        ack = live.emit("join_meeting", {"meeting_id": meeting_id}, callback=True)
        assert ack == {"ok": False, "error": "forbidden"}
    assert app.test_client().get(f"/tablet/meetings/{ours}").status_code == 302  # no tablet


# --- removal and re-pairing over HTTP ----------------------------------------------------------


def test_a_removed_tablet_is_wiped_at_its_next_request(app, client, auth, create_device):
    device, token = create_device("1")
    tablet = tablet_with(app, token)
    assert tablet.get("/tablet").status_code == 200
    auth.login("admin")
    assert client.post(f"/admin/devices/{device.id}/revoke").status_code == 302

    own_fetch = tablet.get("/tablet", headers={"Sec-Fetch-Mode": "cors"})
    assert own_fetch.status_code == 401 and "Set-Cookie" not in own_fetch.headers
    removed = tablet.get("/tablet")
    assert removed.status_code == 401
    assert removed.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert re.match(
        rf"{COOKIE}=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)", removed.headers["Set-Cookie"]
    )
    page = removed.get_data(as_text=True)
    assert "removed from the meeting room" in page and 'href="/tablet/pair"' in page
    assert tablet.get("/tablet").status_code == 302  # the cookie is gone: plain visitor now
    assert audit_actions(app, device.id)[-1] == "device.revoke"
    with app.app_context():
        assert db.session.get(Device, device.id).revoked_at is not None


def test_re_pairing_ends_the_old_token_when_the_new_code_is_used(app, admin, create_device):
    device, old_token = create_device("1")
    with app.app_context():
        code = issue_pairing_code(db.session.get(User, admin.id), db.session.get(Device, device.id))
        db.session.commit()
    old = tablet_with(app, old_token)
    old_live = device_socket(app, old_token)
    assert old.get("/tablet").status_code == 200  # still works while the code waits
    replacement = english(app.test_client())
    assert replacement.post("/tablet/pair", data={"code": code}).status_code == 302
    assert replacement.get("/tablet").status_code == 200
    assert old.get("/tablet").status_code == 401
    assert not old_live.is_connected() and not device_socket(app, old_token).is_connected()


def test_a_removed_tablet_may_open_the_pairing_page(app, admin, room, create_device):
    device, token = create_device("1")
    with app.app_context():
        revoke_device(db.session.get(User, admin.id), db.session.get(Device, device.id))
        db.session.commit()
    _new_id, code = pending_code(app, admin, room, seat="2")
    tablet = tablet_with(app, token)
    assert tablet.get(f"/tablet/pair?code={code}").status_code == 200
    assert tablet.post("/tablet/pair", data={"code": code}).status_code == 302
    assert tablet.get("/tablet").status_code == 200


# --- Socket.IO ---------------------------------------------------------------------------------


def test_socket_connect_needs_a_session_or_a_valid_tablet_token(app, create_device):
    _device, token = create_device("1")
    assert not socketio.test_client(app, flask_test_client=app.test_client()).is_connected()
    assert not device_socket(app, "not-a-token").is_connected()
    assert device_socket(app, token).is_connected()
    by_cookie = socketio.test_client(app, flask_test_client=tablet_with(app, token))
    assert by_cookie.is_connected()


def test_a_removed_tablet_is_told_and_disconnected(
    app, client, auth, room, secretary, participant, create_device
):
    device, token = create_device("5")
    ours = seated_meeting(app, secretary, room, [(participant, "5")], hours=24)
    tablet = device_socket(app, token)
    assert tablet.emit("join_meeting", {"meeting_id": ours}, callback=True)["ok"]
    person = socketio.test_client(app, flask_test_client=signed_in(app, "daibieu1"))
    assert person.is_connected()
    tablet.get_received()
    auth.login("admin")
    assert client.post(f"/admin/devices/{device.id}/revoke").status_code == 302
    assert not tablet.is_connected()
    told = [(m["name"], m["args"]) for m in tablet.queue]
    assert told == [("device_revoked", [{"device_id": device.id}])]
    assert person.is_connected() and person.get_received() == []  # the person is not affected
    assert not device_socket(app, token).is_connected()


# --- a real server process ---------------------------------------------------------------------


def pair_over_http(base: str, seat: str) -> tuple[int, str]:
    """As ``admin``, add a tablet at ``seat`` of the first room and pair it; return (id, token)."""
    desk = signed_in_live(base, "admin")
    page = desk.get(base + "/admin/devices", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    room_id = re.search(r'<option value="(\d+)"', page).group(1)
    added = desk.post(
        base + "/admin/devices",
        data={"room_id": room_id, "seat": seat, "name": f"Máy {seat}", "csrf_token": csrf},
        timeout=10,
        allow_redirects=False,
    )
    assert added.status_code == 302, added.text[:300]
    device_id = int(added.headers["Location"].rsplit("/", 1)[1])
    shown = desk.post(
        f"{base}/admin/devices/{device_id}/code", data={"csrf_token": csrf}, timeout=10
    )
    tablet = requests.Session()
    form = tablet.get(base + "/tablet/pair", timeout=10).text
    tablet_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    paired = tablet.post(
        base + "/tablet/pair",
        data={"code": code_on(shown.text), "csrf_token": tablet_csrf},
        timeout=10,
        allow_redirects=False,
    )
    assert paired.status_code == 302, paired.text[:300]
    return device_id, tablet.cookies[COOKIE]


def revoke_over_http(base: str, device_id: int) -> None:
    desk = signed_in_live(base, "admin")
    page = desk.get(f"{base}/admin/devices/{device_id}", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    reply = desk.post(
        f"{base}/admin/devices/{device_id}/revoke",
        data={"csrf_token": csrf},
        timeout=10,
        allow_redirects=False,
    )
    assert reply.status_code == 302, reply.text[:300]


def tablet_client(base: str, token: str):
    """Connect over websocket with the token; return the client and its revoked/gone events."""
    client = socketio_client.Client(reconnection=False)
    revoked, gone = threading.Event(), threading.Event()
    client.on("device_revoked", lambda _payload: revoked.set())
    client.on("disconnect", lambda *_reason: gone.set())
    client.connect(base, transports=["websocket"], auth={"device_token": token}, wait_timeout=10)
    return client, revoked, gone


def refusal_of(base: str, token: str | None) -> str:
    """Return why a websocket connection with ``token`` (or nothing) is refused."""
    client = socketio_client.Client(reconnection=False)
    reasons: list[str] = []
    client.on("connect_error", lambda data: reasons.append(data.get("message", "")))
    auth = {"device_token": token} if token else None
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        client.connect(base, transports=["websocket"], auth=auth, wait_timeout=10)
    return reasons[0]


@pytest.mark.browser
def test_a_live_tablet_is_disconnected_when_the_admin_removes_it(tmp_path):
    with live_server(tmp_path) as (base, _env):
        device_id, token = pair_over_http(base, "31")
        tablet, revoked, gone = tablet_client(base, token)
        try:
            revoke_over_http(base, device_id)
            assert revoked.wait(5), "no device_revoked within 5 s"
            assert gone.wait(5), "not disconnected within 5 s"
        finally:
            tablet.disconnect()
        assert refusal_of(base, token) == "device_revoked"
        assert refusal_of(base, "made-up") == "device_revoked"
        assert refusal_of(base, None) == "unauthorized"


@pytest.mark.browser
@pytest.mark.redis
def test_removal_reaches_a_tablet_connected_to_another_process(tmp_path):
    require_service("Redis", 6379)
    queue = {
        "MEETING_SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "MEETING_SOCKETIO_CHANNEL": f"meeting-test-{uuid.uuid4().hex}",
    }
    with (
        live_server(tmp_path, extra_env=queue, name="a") as (base_a, _),
        live_server(tmp_path, seed_demo=False, extra_env=queue, name="b") as (base_b, _),
    ):
        device_id, token = pair_over_http(base_a, "32")
        tablet, revoked, gone = tablet_client(base_a, token)
        try:
            revoke_over_http(base_b, device_id)  # served by the other process
            assert revoked.wait(5), "device_revoked did not cross processes within 5 s"
            assert gone.wait(5), "the other process did not disconnect the tablet within 5 s"
        finally:
            tablet.disconnect()


def test_deactivating_the_person_at_a_seat_closes_the_seat_tablets_socket(
    app, room, secretary, participant, create_device
):
    """It read as them: it joins again with what its seat may see now (nothing, here)."""
    device, token = create_device("5")
    ours = seated_meeting(app, secretary, room, [(participant, "5")], hours=24)
    live = device_socket(app, token, tablet_with(app, token))
    assert live.emit("join_meeting", {"meeting_id": ours}, callback=True)["ok"]
    with app.app_context():
        end_sessions_of(None, db.session.get(User, participant.id), SessionEnd.DEACTIVATED)
        db.session.get(User, participant.id).active = False
        db.session.commit()
    assert not live.is_connected()
    again = device_socket(app, token, tablet_with(app, token))
    ack = again.emit("join_meeting", {"meeting_id": ours}, callback=True)
    assert ack == {"ok": False, "error": "forbidden"}
