"""The meeting-server command: schema, accounts, demo data."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import func, select

from meeting_server.extensions import db
from meeting_server.models import (
    Document,
    Meeting,
    MeetingStatus,
    Role,
    Room,
    SigningKey,
    User,
)
from meeting_server.services.certificates import unlock_key
from meeting_server.storage import blob_store


@pytest.fixture(autouse=True)
def _no_demo_history(monkeypatch):
    """The demo's past (four months of meetings) is tests/demo/test_history.py's story."""
    monkeypatch.setenv("MEETING_DEMO_HISTORY", "0")


def test_db_upgrade_is_repeatable(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_create_user_from_the_command_line(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "hoalt",
            "--full-name",
            "Lê Thị Hoa",
            "--role",
            "leader",
            "--role",
            "clerk",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "hoalt")).one()
        assert user.roles == {Role.LEADER, Role.CLERK}


def test_create_user_explains_a_refusal(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "x y",
            "--full-name",
            "A",
            "--role",
            "admin",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code != 0
    assert "Tên đăng nhập" in result.output


def test_demo_seeds_rooms_people_and_a_meeting_with_vietnamese_pdfs(app, runner, monkeypatch):
    monkeypatch.setenv("MEETING_DEMO_PASSWORD", "demo-pass-1")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "thuky" in result.output and "chutich" in result.output
    assert "demo-pass-1" not in result.output  # a password given by the operator is not echoed
    with app.app_context():
        assert db.session.scalar(select(func.count(Room.id))) == 5
        names = set(db.session.scalars(select(User.username)))
        assert {"admin", "thuky", "chutich", "phochutich", "vanthu"} <= names
        assert {f"daibieu{n}" for n in range(1, 21)} <= names
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.status == MeetingStatus.PUBLISHED
        assert len(meeting.agenda_items) == 3 and meeting.agenda_items[2].confidential
        documents = db.session.scalars(select(Document)).all()
        assert len(documents) == 4
        for document in documents:
            assert document.current.page_count >= 3
            with pikepdf.open(blob_store().path_for(document.current.sha256)) as pdf:
                assert len(pdf.pages) == document.current.page_count
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already present" in again.output


def test_demo_creates_an_online_ca_and_signing_keys_under_the_demo_pin(app, runner, app_config):
    result = runner.invoke(args=["demo"])
    assert "Demo signing PIN" in result.output and "123456" in result.output
    passphrase = Path(app_config["CA_PASSPHRASE_FILE"])
    assert passphrase.stat().st_mode & 0o077 == 0  # readable by the server's user only
    with app.app_context():
        keys = db.session.scalars(select(SigningKey)).all()
        holders = {(key.user.username, key.purpose) for key in keys}
        assert holders == {
            ("chutich", "signer"),
            ("phochutich", "signer"),
            ("thuky", "signer"),
            ("vanthu", "seal"),
        }
        assert all("bản trình diễn" in key.issuer for key in keys)
        unlock_key(keys[0], "123456")  # the demo PIN opens them


def test_demo_users_can_sign_in_with_the_demo_password(app, runner, client, monkeypatch):
    monkeypatch.delenv("MEETING_DEMO_PASSWORD", raising=False)
    runner.invoke(args=["demo"])
    response = client.post("/login", data={"username": "chutich", "password": "demo12345"})
    assert response.status_code == 302
    assert "Phiên họp thường kỳ" in client.get("/my").get_data(as_text=True)


def test_demo_prints_an_integration_key_that_opens_the_api(app, runner):
    result = runner.invoke(args=["demo"])
    key = re.search(r"Demo API key .*: (msk_\S+)", result.output).group(1)
    answer = app.test_client().get("/api/v1/meetings", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    assert [m["title"] for m in answer.get_json()["data"]]  # the sample meeting, as thuky
