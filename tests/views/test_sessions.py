"""Sessions live on the server: signing out, a password reset, deactivation or a role change
ends every session of that person at once, pages and sockets alike; other changes do not."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from meeting_server.extensions import db, socketio
from meeting_server.models import AuditEvent, Role, SessionEnd, UserSession, utcnow
from tests.support.clients import signed_in


def copy_of(app, http):
    """Return a second browser holding a copy of ``http``'s session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, http.get_cookie(name).value)
    return thief


def is_signed_in(http) -> bool:
    """Tell whether a page answers this browser instead of sending it to the sign-in form."""
    return http.get("/meetings").status_code != 302


def test_after_signing_out_a_copied_cookie_is_worthless_and_every_session_ends(app, secretary):
    desk = signed_in(app, "thuky")
    phone = signed_in(app, "thuky")
    thief = copy_of(app, desk)
    assert is_signed_in(thief) and is_signed_in(phone)

    desk.post("/logout")

    assert not is_signed_in(desk)
    assert not is_signed_in(thief)
    assert not is_signed_in(phone)  # "sign out" signs this person out everywhere
    with app.app_context():
        reasons = db.session.scalars(select(UserSession.end_reason)).all()
        assert reasons == [SessionEnd.SIGNED_OUT, SessionEnd.SIGNED_OUT]


def test_a_session_ended_elsewhere_says_so_on_the_next_page(app, secretary):
    desk = signed_in(app, "thuky")
    signed_in(app, "thuky").post("/logout")
    answer = desk.get("/meetings")
    assert answer.status_code == 302
    page = desk.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You were signed out (on another device, or your account changed)." in page


ADMIN_FORM = {"full_name": "Nguyễn Văn Thư", "position": "", "unit": "", "roles": ["secretary"]}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"password": "mat-khau-moi-dai", "active": "on"}, SessionEnd.PASSWORD_CHANGED),
        ({"password": ""}, SessionEnd.DEACTIVATED),  # the "active" box left unticked
        (
            {"password": "", "active": "on", "roles": ["secretary", "leader"]},
            SessionEnd.ROLES_CHANGED,
        ),
    ],
)
def test_an_administrators_change_ends_the_persons_sessions(
    app, secretary, create_user, change, reason
):
    create_user("quantri", Role.ADMIN)
    admin = signed_in(app, "quantri")
    desk = signed_in(app, "thuky")

    saved = admin.post(f"/admin/users/{secretary.id}", data={**ADMIN_FORM, **change})

    assert saved.status_code == 302
    assert not is_signed_in(desk)
    assert is_signed_in(admin)
    with app.app_context():
        ended = db.session.scalars(select(UserSession).where(UserSession.user_id == secretary.id))
        assert [row.end_reason for row in ended] == [reason]
        audit = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sessions_ended")
        ).one()
        assert json.loads(audit.details)["reason"] == reason.value


def test_changing_only_a_name_keeps_the_person_signed_in(app, secretary, create_user):
    create_user("quantri", Role.ADMIN)
    admin = signed_in(app, "quantri")
    desk = signed_in(app, "thuky")
    form = {**ADMIN_FORM, "full_name": "Nguyễn Thị Thư", "password": "", "active": "on"}
    assert admin.post(f"/admin/users/{secretary.id}", data=form).status_code == 302
    assert is_signed_in(desk)


def test_signing_out_closes_the_persons_open_sockets(app, participant):
    tablet_http = signed_in(app, "daibieu1")
    tablet = socketio.test_client(app, flask_test_client=tablet_http)
    assert tablet.is_connected()

    signed_in(app, "daibieu1").post("/logout")  # on their phone

    assert not tablet.is_connected()
    again = socketio.test_client(app, flask_test_client=tablet_http)
    assert not again.is_connected()  # refused: the session is over


def test_an_open_socket_stops_working_the_moment_its_session_ends(app, participant):
    """Even a socket the disconnect has not reached yet is refused at its next event."""
    tablet_http = signed_in(app, "daibieu1")
    tablet = socketio.test_client(app, flask_test_client=tablet_http)
    assert tablet.emit("still_here", callback=True) == {"ok": True, "error": None}
    with app.app_context():  # ended in the database only, as another process would
        db.session.execute(
            update(UserSession).values(ended_at=utcnow(), end_reason=SessionEnd.DEACTIVATED)
        )
        db.session.commit()
    assert tablet.emit("still_here", callback=True) == {"ok": False, "error": "unauthorized"}
