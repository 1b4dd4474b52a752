"""Signing in and out: sessions, CSRF, rate limits, idle timeout, cookie flags, language."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from meeting_server import create_app
from meeting_server.extensions import db
from meeting_server.models import AuditEvent, User, UserSession, utcnow
from tests.support.clients import PASSWORD, log_in


def test_login_redirects_secretary_to_schedule(client, auth, secretary):
    response = auth.login("thuky")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/meetings")
    page = client.get("/meetings")
    assert "Nguyễn Thị Thu" in page.get_data(as_text=True)


def test_participant_lands_on_my_meetings(client, auth, participant):
    auth.login("daibieu1")
    assert client.get("/").headers["Location"].endswith("/my")


def test_wrong_password_is_refused_with_a_message_and_audited(app, client, auth, secretary):
    response = auth.login("thuky", "wrong-password")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert client.get("/meetings").status_code == 302  # still anonymous
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.login_failed" in actions


def test_username_is_case_insensitive(client, auth, secretary):
    assert auth.login("ThuKy").status_code == 302


def test_logout_ends_the_session_and_empties_the_tablet_caches(client, auth, secretary):
    auth.login("thuky")
    signed_out = auth.logout()
    assert signed_out.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/meetings").headers["Location"].startswith("/login")


def test_pages_need_login_and_come_back_after_it(client, secretary):
    response = client.get("/meetings?day=2026-11-23")
    assert response.status_code == 302
    assert "next=" in response.headers["Location"]
    login = client.post(
        "/login",
        data={
            "username": "thuky",
            "password": PASSWORD,
            "next": "/meetings?day=2026-11-23",
        },
    )
    assert login.headers["Location"] == "/meetings?day=2026-11-23"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(client, secretary, target):
    login = client.post("/login", data={"username": "thuky", "password": PASSWORD, "next": target})
    assert login.headers["Location"] == "/"


@pytest.mark.parametrize("password", [PASSWORD, "wrong-password"])
def test_the_password_hash_runs_with_no_database_connection_held(
    app, client, auth, secretary, monkeypatch, password
):
    """Twenty sign-ins queued behind each other's hashes must not hold the pool's connections."""
    from meeting_server.services import users

    held_during_hash = []

    def verify_and_look(*args):
        held_during_hash.append(db.engine.pool.checkedout())
        return real_verify(*args)

    real_verify = users.verify_password
    monkeypatch.setattr(users, "verify_password", verify_and_look)
    auth.login("thuky", password)
    assert held_during_hash == [0]
    with app.app_context():  # the sign-in (or the failure) was still recorded
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert ("auth.login" if password == PASSWORD else "auth.login_failed") in actions


def test_ending_a_read_refuses_once_something_was_written(app, secretary):
    with app.app_context():
        user = db.session.get(User, secretary.id)
        db.session().end_read()  # only read: fine, and the object is still usable
        assert user.username == "thuky"
        user.full_name = "Đổi tên"
        with pytest.raises(RuntimeError, match="commit first"):
            db.session().end_read()
        db.session.flush()
        with pytest.raises(RuntimeError, match="commit first"):
            db.session().end_read()
        db.session.commit()
        db.session().end_read()  # a new transaction: nothing written in it yet


def test_deactivated_user_cannot_sign_in(app, client, auth, create_user):
    user = create_user("nghiviec")
    with app.app_context():
        db.session.get(type(user), user.id).active = False
        db.session.commit()
    assert auth.login("nghiviec").status_code == 401


def failed_sign_in(client, address: str, username: str = "thuky"):
    answer = client.post(
        "/login",
        data={"username": username, "password": "bad"},
        environ_base={"REMOTE_ADDR": address},
    )
    assert answer.status_code == 401
    return answer


def test_guessing_from_many_addresses_slows_the_guesser_not_the_owner(app, secretary):
    owner = app.test_client()
    assert log_in(owner, "thuky").status_code == 302  # a browser the owner has used before
    owner.post("/logout")
    attacker = app.test_client()
    for attempt in range(10):
        failed_sign_in(attacker, f"10.0.0.{attempt}")

    blocked = attacker.post(
        "/login",
        data={"username": "thuky", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )  # even the right password, from a browser the account never used
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "10 phút" in page and 'name="username"' in page  # the form stays, with what to do
    assert "đã dùng trước đây" in page  # and the way in that still works
    assert log_in(owner, "thuky").status_code == 302  # the owner is not locked out


def test_guessing_from_one_address_is_stopped_sooner(app, secretary, create_user):
    create_user("daibieu1")
    attacker = app.test_client()
    for _ in range(5):
        failed_sign_in(attacker, "10.0.0.7")

    def from_there(username: str) -> int:
        data = {"username": username, "password": PASSWORD}
        return attacker.post(
            "/login", data=data, environ_base={"REMOTE_ADDR": "10.0.0.7"}
        ).status_code

    assert from_there("thuky") == 429
    assert from_there("daibieu1") == 302  # other accounts from there: fine
    assert log_in(app.test_client(), "thuky").status_code == 302  # from elsewhere: fine


def test_a_forged_known_browser_cookie_does_not_pass(app, secretary):
    attacker = app.test_client()
    attacker.set_cookie("meeting_known", "WyJ0aHVreSJd.forged")
    for attempt in range(10):
        failed_sign_in(attacker, f"10.0.1.{attempt}")
    assert log_in(attacker, "thuky").status_code == 429


def test_one_ip_is_limited_across_accounts(make_app, secretary):
    client = make_app(LOGIN_LIMIT_PER_IP="3 per 10 minutes").test_client()
    for name in ("a1", "a2", "a3"):
        assert client.post("/login", data={"username": name, "password": "x"}).status_code == 401
    response = client.post("/login", data={"username": "thuky", "password": PASSWORD})
    assert response.status_code == 429
    scripted = client.post(
        "/login",
        data={"username": "thuky", "password": PASSWORD},
        headers={"Accept": "application/json"},
    )  # every limit answers a script the same way: 429 and what to do, in JSON
    assert scripted.status_code == 429 and scripted.json["ok"] is False
    assert "10 phút" in scripted.json["error"]


def test_successful_logins_do_not_count_toward_the_limit(client, auth, secretary):
    for _ in range(8):
        assert auth.login("thuky").status_code == 302


def test_forms_without_csrf_token_are_refused(make_app, secretary):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"username": "thuky", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ok = client.post(
        "/login", data={"username": "thuky", "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302


def test_json_posts_need_the_csrf_header(make_app, secretary, draft_meeting):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "thuky", "password": PASSWORD, "csrf_token": token})
    # Signing in starts a fresh session, so the page after it carries a new token.
    page = client.get(f"/meetings/{draft_meeting.id}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    url = f"/meetings/{draft_meeting.id}/items/order"
    refused = client.post(url, json={"order": []})
    assert refused.status_code == 400
    assert refused.json["ok"] is False
    accepted = client.post(url, json={"order": []}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200


def test_session_cookie_is_httponly_samesite_and_secure_by_default(tmp_path, migrated_db):
    app = create_app(
        {
            "SECRET_KEY": "k",
            "DATABASE_URL": f"sqlite:///{migrated_db}",
            "STORAGE_DIR": str(tmp_path),
        }
    )
    app.config.update(SESSION_COOKIE_SECURE=True)
    with app.test_request_context():
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert app.config["SESSION_COOKIE_SECURE"] is True


def test_login_cookie_carries_the_flags(make_app, secretary):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    response = client.post(
        "/login",
        data={"username": "thuky", "password": PASSWORD},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_idle_session_expires(app: Flask, client, auth, secretary):
    auth.login("thuky")
    with app.app_context():
        db.session.execute(
            update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session.commit()
    response = client.get("/meetings")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "không hoạt động" in page


def test_language_switch_to_english(client, auth, secretary):
    auth.login("thuky")
    assert "Lịch họp" in client.get("/meetings").get_data(as_text=True)
    client.get("/lang/en")
    assert "Meeting schedule" in client.get("/meetings").get_data(as_text=True)


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("proxies", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_behind_nginx_the_client_address_comes_from_x_forwarded_for(make_app, proxies, expected):
    app = make_app(TRUSTED_PROXIES=proxies)
    app.test_client().post(
        "/login",
        data={"username": "nobody", "password": "wrong"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.ip) == ("auth.login_failed", expected)


def test_a_refusal_is_audited_with_who_and_where(app, client, auth, secretary):
    auth.login("thuky")
    assert client.get("/admin/users").status_code == 403
    with app.app_context():
        refusal = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.refused")
        ).one()
        assert refusal.actor_id == secretary.id
        assert json.loads(refusal.details) == {"method": "GET", "path": "/admin/users"}
