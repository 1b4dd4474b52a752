"""meeting-server backup / restore: a round trip onto an empty instance gives back the same
data, files and CA; a wrong passphrase, a non-empty instance and a killed backup change nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Document, Meeting, User, UserRole
from meeting_server.storage import blob_store

PASSPHRASE = "mat-khau-sao-luu-rat-dai"


@pytest.fixture
def held(app, published_meeting):
    """The published meeting with a stored document, a CA file and a secret key on disk."""
    import io

    from meeting_server.services.documents import add_document
    from tests.support.pdf_samples import simple_pdf
    from tests.support.people import actor

    add_document(
        actor(),
        published_meeting.agenda_items[0],
        stream=io.BytesIO(simple_pdf(3)),
        filename="bao-cao.pdf",
    )
    db.session.commit()
    ca = Path(app.config["CA_DIR"])
    ca.mkdir(parents=True, exist_ok=True)
    (ca / "issuing.crl").write_bytes(b"CRL bytes")
    return published_meeting


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, UserRole, Meeting, Document, AuditEvent)
    }


def blob_hashes(app) -> set[str]:
    root = Path(app.config["STORAGE_DIR"]) / "blobs"
    return {path.name for path in root.rglob("*") if path.is_file()}


def test_a_backup_restores_onto_an_empty_instance(
    app, make_app, runner, held, tmp_path, monkeypatch
):
    monkeypatch.setenv("MEETING_BACKUP_PASSPHRASE", PASSPHRASE)
    before, blobs = counts(), blob_hashes(app)
    target = tmp_path / "backups" / "meeting.backup"
    written = runner.invoke(args=["backup", str(target)])
    assert written.exit_code == 0, written.output
    assert b"Nguy" not in target.read_bytes()  # encrypted: no name readable in the file

    empty = tmp_path / "empty"
    other = make_app(
        DATABASE_URL=f"sqlite:///{empty / 'meeting.sqlite3'}",
        STORAGE_DIR=str(empty / "storage"),
        CA_DIR=str(empty / "ca"),
        CA_PASSPHRASE_FILE=str(empty / "ca-passphrase"),
    )
    empty.mkdir(exist_ok=True)
    with other.app_context():  # the command runs in the innermost app: the empty instance
        restored = other.test_cli_runner().invoke(args=["restore", str(target)])
        assert restored.exit_code == 0, restored.output
        assert counts() == before
        assert blob_hashes(other) == blobs
        for name in blobs:
            data = blob_store().path_for(name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == name
    assert (empty / "ca" / "issuing.crl").read_bytes() == b"CRL bytes"

    with other.app_context():
        again = other.test_cli_runner().invoke(args=["restore", str(target)])
    assert again.exit_code == 1 and "already holds data" in again.output  # nothing mixed


def test_a_wrong_passphrase_is_refused(app, make_app, runner, held, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_BACKUP_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "meeting.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    other = make_app(
        DATABASE_URL=f"sqlite:///{empty / 'meeting.sqlite3'}", STORAGE_DIR=str(empty / "storage")
    )
    monkeypatch.setenv("MEETING_BACKUP_PASSPHRASE", "mot-mat-khau-khac-han")
    with other.app_context():
        refused = other.test_cli_runner().invoke(args=["restore", str(target)])
    assert refused.exit_code == 1 and "passphrase is wrong" in refused.output


def test_a_killed_backup_leaves_the_previous_one_intact(app, runner, held, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_BACKUP_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "meeting.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    previous = target.read_bytes()
    big = Path(app.config["STORAGE_DIR"]) / "blobs" / "ff" / "ff"
    big.mkdir(parents=True, exist_ok=True)
    (big / ("f" * 64)).write_bytes(os.urandom(64 * 1024 * 1024))  # a backup that takes a while
    env = {
        **os.environ,
        "MEETING_DATABASE_URL": app.config["DATABASE_URL"],
        "MEETING_STORAGE_DIR": app.config["STORAGE_DIR"],
        "MEETING_CA_DIR": app.config["CA_DIR"],
        "MEETING_INSTANCE_PATH": str(tmp_path / "instance"),
        "MEETING_SECRET_KEY": "test-secret-key",
    }
    child = subprocess.Popen(  # noqa: S603 — our own command
        [str(Path(sys.executable).parent / "meeting-server"), "backup", str(target)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        partial = target.with_name(f".{target.name}.data.part")
        while not partial.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL, "the backup ended before it could be killed"
    assert target.read_bytes() == previous


@pytest.mark.postgres
def test_a_sqlite_backup_restores_onto_postgresql_and_new_rows_follow(
    app, make_app, runner, held, tmp_path, monkeypatch
):
    """The format is the rows, not a dump of one engine; ids continue after the restored ones."""
    import uuid

    import sqlalchemy as sa

    from meeting_server.extensions import make_engine
    from meeting_server.services.rooms import create_room
    from tests.support.backing import require_service

    require_service("PostgreSQL", 5432)
    monkeypatch.setenv("MEETING_BACKUP_PASSPHRASE", PASSPHRASE)
    before = counts()
    target = tmp_path / "meeting.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    server = os.environ.get("MEETING_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
    name = f"meeting_restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{server}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        other = make_app(DATABASE_URL=f"{server}/{name}", STORAGE_DIR=str(tmp_path / "pg-storage"))
        with other.app_context():
            restored = other.test_cli_runner().invoke(args=["restore", str(target)])
            assert restored.exit_code == 0, restored.output
            assert counts() == before
            create_room(None, name="Phòng họp mới", location="Tầng 3", seat_count=20)
            db.session.commit()  # a new id after the restored ones: the sequences were moved on
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
