"""Schema: migrations equal the models; invariants enforced by SQLite too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Base, Meeting, User


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_foreign_keys_are_enforced_on_sqlite(app):
    with app.app_context():
        now = datetime.now(UTC)
        db.session.add(
            Meeting(
                title="X",
                room_id=999,
                starts_at=now,
                ends_at=now + timedelta(hours=1),
                created_by_id=999,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_audit_trail_refuses_changes(app, secretary):
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).first()
        assert event.action == "user.create"
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.update(AuditEvent).values(action="forged"))
        db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.delete(AuditEvent))


def test_times_come_back_in_utc(app, draft_meeting):
    with app.app_context():
        meeting = db.session.get(Meeting, draft_meeting.id)
        assert meeting.starts_at.tzinfo is UTC or meeting.starts_at.utcoffset() == timedelta(0)
        meeting.ends_at = datetime(2030, 1, 1)
        with pytest.raises(sa.exc.StatementError, match="naive"):
            db.session.flush()


def test_usernames_are_lower_case_in_the_database(app):
    with app.app_context():
        db.session.add(User(username="HoaLT", full_name="x", password_hash="x"))
        with pytest.raises(IntegrityError, match="ck_user_username"):
            db.session.flush()
