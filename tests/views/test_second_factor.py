"""Signing in with the authenticator app: asked after a right password for anyone who turned
it on, required for the roles the office names; a code works once and for five minutes."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, SigningFactor
from meeting_server.services.certificates import confirm_totp, start_totp
from tests.support.clients import PASSWORD, log_in
from tests.support.people import actor


def turn_on_the_app(app, username: str) -> pyotp.TOTP:
    with app.app_context():
        secret, _address = start_totp(actor(username))
        totp = pyotp.TOTP(secret)
        confirm_totp(actor(username), totp.at(time.time() - 30))  # a code of the last window
        db.session.commit()
    return totp


def test_a_person_with_the_app_types_its_code_after_the_password(app, client, chair):
    totp = turn_on_the_app(app, "chutich")
    client.get("/lang/en")
    answer = log_in(client, "chutich")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login/code"
    assert "6-digit code" in client.get("/login/code").get_data(as_text=True)
    assert client.get("/my").status_code == 302  # not signed in yet

    wrong = client.post("/login/code", data={"code": "000000"})
    assert wrong.status_code == 401 and "wrong or already used" in wrong.get_data(as_text=True)
    right = client.post("/login/code", data={"code": totp.now()})
    assert right.status_code == 302
    assert client.get("/my").status_code == 200

    other = app.test_client()
    log_in(other, "chutich")
    replay = other.post("/login/code", data={"code": totp.now()})
    assert replay.status_code == 401  # a code works once
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("auth.second_factor_failed") == 2


def test_the_code_must_come_within_five_minutes(app, client, chair, monkeypatch):
    totp = turn_on_the_app(app, "chutich")
    log_in(client, "chutich")
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    answer = client.post("/login/code", data={"code": totp.at(later)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_no_code_page_without_a_right_password_first(client, chair):
    assert client.get("/login/code").headers["Location"] == "/login"


@pytest.fixture
def required_for_leaders(app):
    app.config["SECOND_FACTOR_ROLES"] = "admin,leader"


def test_a_role_that_needs_the_app_sets_it_up_before_anything_else(
    app, client, chair, secretary, required_for_leaders
):
    assert log_in(client, "chutich").status_code == 302
    sent_away = client.get("/my")
    assert sent_away.status_code == 302 and "/certificates/#totp" in sent_away.headers["Location"]
    assert client.get("/certificates/").status_code == 200  # the setup page itself opens

    turn_on_the_app(app, "chutich")
    assert client.get("/my").status_code == 200
    other = app.test_client()  # and from now on the code is asked at sign-in
    assert log_in(other, "chutich").headers["Location"] == "/login/code"

    desk = app.test_client()  # a role the office did not name signs in as before
    assert log_in(desk, "thuky").status_code == 302
    assert desk.get("/meetings").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(SigningFactor).where(SigningFactor.user_id == chair.id))


def test_an_administrator_who_signs_nothing_can_still_set_the_app_up(
    app, client, admin, required_for_leaders
):
    client.get("/lang/en")
    log_in(client, "admin")
    assert "/certificates/#totp" in client.get("/admin/users").headers["Location"]
    page = client.get("/certificates/").get_data(as_text=True)
    assert 'data-testid="totp-required"' in page and 'data-testid="totp-start"' in page
    assert client.post("/certificates/totp/start").status_code == 302
    with app.app_context():
        secret = db.session.get(SigningFactor, actor("admin").id).secret
    answer = client.post("/certificates/totp/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_a_required_app_cannot_be_turned_off_but_the_administrator_can_remove_it(
    app, client, chair, admin, required_for_leaders
):
    turn_on_the_app(app, "chutich")
    turn_on_the_app(app, "admin")
    desk = app.test_client()
    desk.get("/lang/en")
    log_in(desk, "chutich")
    with app.app_context():  # (the code page itself is tested above)
        secret = db.session.get(SigningFactor, actor("chutich").id).secret
    desk.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    refused = desk.post("/certificates/totp/disable", data={"password": PASSWORD})
    assert refused.status_code == 409
    assert "requires the authenticator app" in refused.get_data(as_text=True)

    chair_id = str(chair.id)
    with app.app_context():
        admin_secret = db.session.get(SigningFactor, actor("admin").id).secret
    log_in(client, "admin")
    client.post("/login/code", data={"code": pyotp.TOTP(admin_secret).now()})
    form = client.get(f"/admin/users/{chair_id}").get_data(as_text=True)
    assert 'data-testid="remove-authenticator"' in form
    fields = {"full_name": "Chủ trì", "roles": ["leader"], "active": "on"}
    saved = client.post(f"/admin/users/{chair_id}", data={**fields, "remove_authenticator": "on"})
    assert saved.status_code == 302
    again = app.test_client()
    log_in(again, "chutich")  # no code asked now: the app is to be set up again first
    assert "/certificates/#totp" in again.get("/my").headers["Location"]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "signing.totp_removed" in actions
