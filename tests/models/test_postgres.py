"""The same schema and flows on PostgreSQL (required in CI)."""

from __future__ import annotations

import io
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import DBAPIError, IntegrityError

from meeting_server import create_app
from meeting_server.extensions import db, make_engine
from meeting_server.migrate import upgrade_database
from meeting_server.models import AuditEvent, Base, CheckInMethod, Meeting, Role, User, Vote
from meeting_server.services import attendance, votes
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import create_meeting, publish_meeting
from meeting_server.services.participants import invite_users
from meeting_server.services.presentations import start_meeting
from meeting_server.services.rooms import create_room
from meeting_server.services.users import create_user
from tests.support import pdf_samples
from tests.support.backing import require_service
from tests.support.register import number_at_once

pytestmark = pytest.mark.postgres
SERVER = os.environ.get("MEETING_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


@pytest.fixture(scope="module")
def pg_url():
    """Create a throw-away database, migrate it, and drop it afterwards."""
    require_service("PostgreSQL", 5432)
    name = f"meeting_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"{SERVER}/{name}"
    upgrade_database(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_app(pg_url, tmp_path):
    """An app whose every session joins one outer transaction, rolled back after the test."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "pg",
            "DATABASE_URL": pg_url,
            "WTF_CSRF_ENABLED": False,
            "STORAGE_DIR": str(tmp_path / "storage"),
            "SESSION_COOKIE_SECURE": False,
        }
    )
    connection = db.engine.connect()
    outer = connection.begin()
    db._factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield app
    db.session.remove()
    outer.rollback()
    connection.close()
    db.engine.dispose()


def test_migrations_match_the_models(pg_url):
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_whole_preparation_flow_on_postgresql(pg_app):
    with pg_app.app_context():
        create_user(
            None,
            username="thuky",
            full_name="Nguyễn Thị Thu",
            password="mat-khau-123",
            roles=[Role.SECRETARY],
        )
        create_user(
            None,
            username="daibieu1",
            full_name="Đỗ Văn An",
            password="mat-khau-123",
            roles=[Role.PARTICIPANT],
        )
        room = create_room(None, name="Phòng họp số 1", location="", seat_count=30)
        db.session.commit()
        room_id = room.id
    client = pg_app.test_client()
    client.post("/login", data={"username": "thuky", "password": "mat-khau-123"})
    start = datetime.now(UTC) + timedelta(days=1, hours=7)
    created = client.post(
        "/meetings/new",
        data={
            "title": "Họp trên PostgreSQL",
            "room_id": room_id,
            "chair_id": "",
            "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT10:00"),
        },
    )
    meeting_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with pg_app.app_context():
        participant_id = db.session.scalar(
            sa.select(sa.text("id"))
            .select_from(sa.text('"user"'))
            .where(sa.text("username = 'daibieu1'"))
        )
    client.post(f"/meetings/{meeting_id}/participants", data={"user_ids": [str(participant_id)]})
    client.post(f"/meetings/{meeting_id}/items", data={"title": "Khai mạc"})
    client.post(f"/meetings/{meeting_id}/items", data={"title": "Thảo luận"})
    with pg_app.app_context():
        items = [i.id for i in db.session.get(Meeting, meeting_id).agenda_items]
    reordered = client.post(f"/meetings/{meeting_id}/items/order", json={"order": items[::-1]})
    assert reordered.json["order"] == items[::-1]
    uploaded = client.post(
        f"/items/{items[0]}/documents",
        headers={"Accept": "application/json"},
        data={"file": (io.BytesIO(pdf_samples.simple_pdf(pages=2)), "a.pdf")},
    )
    assert uploaded.status_code == 201
    assert client.post(f"/meetings/{meeting_id}/publish").status_code == 302
    client.post("/logout")
    client.post("/login", data={"username": "daibieu1", "password": "mat-khau-123"})
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Thảo luận" in page and "Khai mạc" in page
    with pg_app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == "published" and meeting.starts_at.tzinfo is not None


def test_database_refuses_a_meeting_that_ends_before_it_starts(pg_app):
    with pg_app.app_context():
        user = create_user(
            None, username="thuky", full_name="T", password="mat-khau-123", roles=[Role.SECRETARY]
        )
        room = create_room(None, name="P1", location="", seat_count=10)
        now = datetime.now(UTC)
        db.session.add(
            Meeting(
                title="X",
                room=room,
                starts_at=now,
                ends_at=now - timedelta(hours=1),
                created_by_id=user.id,
            )
        )
        with pytest.raises(IntegrityError, match="ck_meeting_ends_after_start"):
            db.session.flush()
        db.session.rollback()


def test_audit_trail_is_append_only(pg_app):
    with pg_app.app_context():
        create_user(
            None, username="thuky", full_name="T", password="mat-khau-123", roles=[Role.SECRETARY]
        )
        event = db.session.scalars(sa.select(AuditEvent)).first()
        db.session.commit()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(
                sa.update(AuditEvent).where(AuditEvent.id == event.id).values(action="forged")
            )
        db.session.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(sa.delete(AuditEvent))
        db.session.rollback()


def test_ballots_sent_at_once_by_one_voter_count_once_on_postgresql(pg_url, tmp_path):
    """Real concurrent transactions (no shared outer one): six ballots, one counted."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "pg",
            "DATABASE_URL": pg_url,
            "STORAGE_DIR": str(tmp_path / "storage"),
            "SESSION_COOKIE_SECURE": False,
        }
    )
    suffix = uuid.uuid4().hex[:6]
    with app.app_context():
        desk = create_user(
            None,
            username=f"thuky{suffix}",
            full_name="Thư ký",
            password="mat-khau-123",
            roles=[Role.SECRETARY],
        )
        voter = create_user(
            None,
            username=f"daibieu{suffix}",
            full_name="Đại biểu",
            password="mat-khau-123",
            roles=[Role.PARTICIPANT],
        )
        room = create_room(None, name=f"Phòng {suffix}", location="", seat_count=10)
        start = datetime.now(UTC) + timedelta(hours=1)
        meeting = create_meeting(
            desk,
            title="Biểu quyết đồng thời",
            room=room,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            chair=None,
        )
        (invited,) = invite_users(desk, meeting, [voter])
        item = add_item(desk, meeting, title="Tờ trình")
        publish_meeting(desk, meeting)
        start_meeting(desk, meeting)
        attendance.check_in(desk, invited, method=CheckInMethod.ROLL_CALL)
        vote_id = votes.open_vote(desk, item, "Thông qua?").id
        db.session.commit()
        voter_id = voter.id

    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def send(choice: int) -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            try:
                votes.cast_ballot(
                    db.session.get(User, voter_id), db.session.get(Vote, vote_id), choice % 3
                )
                db.session.commit()
                outcomes.append("counted")
            except votes.AlreadyVoted:
                outcomes.append("refused")
            finally:
                db.session.rollback()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["counted"] + ["refused"] * 5
    with app.app_context():
        assert votes.count_of(db.session.get(Vote, vote_id)).cast == 1
        assert sum(t.count for t in db.session.get(Vote, vote_id).tallies) == 1
    db.engine.dispose()


def test_twenty_clerks_numbering_at_once_get_one_to_twenty_on_postgresql(pg_url, tmp_path):
    """The register's counter row lock: no duplicate, no gap under real concurrency."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "pg",
            "DATABASE_URL": pg_url,
            "STORAGE_DIR": str(tmp_path / "storage"),
            "ORGANISATION_CODE": f"T{uuid.uuid4().hex[:6]}",  # a sequence of its own
        }
    )
    assert number_at_once(app, 20) == list(range(1, 21))
    with app.app_context():
        db.engine.dispose()
