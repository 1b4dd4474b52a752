"""Backup and restore of a whole instance: the database, the stored files and the CA.

A backup is one file, written beside its final name and renamed into place only when whole
(a backup killed half-way leaves the previous one intact). It is a tar of two members:

* ``key.age`` — a fresh age X25519 identity, encrypted with the operator's passphrase (scrypt);
* ``data.tar.age`` — a tar encrypted to that identity, streamed: ``manifest.json``, the
  database as JSON lines (``database.jsonl``, one consistent snapshot read in a single
  transaction), every stored blob (``blobs/<sha256>``), the CA folder (``ca/…``) and the
  instance's secrets (``instance/secret_key``, the CA passphrase file, the audit anchors).

Encryption is age's (pyrage), not ours. Restoring needs an empty instance: an empty
database (created at the backup's schema revision, then upgraded to this version's) and no
stored files; every blob is checked against its SHA-256 before it is kept.
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import pyrage
from flask import current_app
from sqlalchemy import LargeBinary, MetaData, Table, func, select, text
from sqlalchemy.engine import Connection

from ..extensions import db
from ..models import Base
from ..storage import blob_store, file_digest, fsync_path

FORMAT = 1


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says what to do."""


@dataclass(frozen=True)
class BackupSummary:
    rows: int
    blobs: int
    files: int
    revision: str


# ---- writing --------------------------------------------------------------------------------


def write_backup(target: Path, passphrase: str) -> BackupSummary:
    """Write the instance's backup to ``target`` (atomically), encrypted with ``passphrase``."""
    if len(passphrase) < 12:
        raise BackupError("Choose a backup passphrase of at least 12 characters.")
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    identity = pyrage.x25519.Identity.generate()
    sealed = target.with_name(f".{target.name}.data.part")
    partial = target.with_name(f".{target.name}.part")
    try:
        with sealed.open("wb") as out:
            summary = _encrypt_stream(out, identity.to_public())
            out.flush()
            os.fsync(out.fileno())
        key = pyrage.passphrase.encrypt(str(identity).encode(), passphrase)
        with tarfile.open(partial, "w") as outer:
            _add_bytes(outer, "key.age", key)
            outer.add(sealed, arcname="data.tar.age")
        fsync_path(partial)
        os.replace(partial, target)
        fsync_path(target.parent)
    finally:
        sealed.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return summary


def _encrypt_stream(out: IO[bytes], recipient: Any) -> BackupSummary:
    """Stream the inner tar through age into ``out`` (a pipe: no plaintext copy on disk)."""
    read_fd, write_fd = os.pipe()
    result: dict[str, Any] = {}

    def produce() -> None:
        try:
            with os.fdopen(write_fd, "wb") as pipe, tarfile.open(fileobj=pipe, mode="w|") as inner:
                result["summary"] = _write_inner(inner)
        except BaseException as error:  # handed to the caller after the join
            result["error"] = error

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    producer = threading.Thread(target=lambda: _in_app(app, produce), daemon=True)
    producer.start()
    with os.fdopen(read_fd, "rb") as pipe:
        pyrage.encrypt_io(pipe, out, [recipient])
    producer.join()
    if "error" in result:
        raise result["error"]
    summary: BackupSummary = result["summary"]
    return summary


def _in_app(app: Any, work: Any) -> None:
    with app.app_context():
        work()


def _write_inner(inner: tarfile.TarFile) -> BackupSummary:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        with connection.begin():
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            lines, rows = _database_lines(connection, str(revision))
    _add_bytes(inner, "database.jsonl", lines)
    blobs = 0
    store = blob_store()
    for path in sorted((store.root / "blobs").rglob("*")):
        if path.is_file():
            inner.add(path, arcname=f"blobs/{path.name}")
            blobs += 1
    files = _add_folder(inner, Path(current_app.config["CA_DIR"]), "ca")
    for name, path in _instance_files().items():
        if path.is_file():
            inner.add(path, arcname=f"instance/{name}")
            files += 1
    manifest = {
        "format": FORMAT,
        "revision": revision,
        "rows": rows,
        "blobs": blobs,
        "files": files,
        "dialect": db.engine.dialect.name,
    }
    _add_bytes(inner, "manifest.json", json.dumps(manifest).encode())
    return BackupSummary(rows, blobs, files, str(revision))


def _database_lines(connection: Connection, revision: str) -> tuple[bytes, int]:
    out = io.BytesIO()
    out.write(json.dumps({"t": "alembic_version", "r": {"version_num": revision}}).encode())
    out.write(b"\n")
    rows = 0
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in connection.execute(select(table).order_by(*order)).mappings():
            values = {key: _encode(value) for key, value in row.items()}
            out.write(json.dumps({"t": table.name, "r": values}, ensure_ascii=False).encode())
            out.write(b"\n")
            rows += 1
    return out.getvalue(), rows


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return {"$dt": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    return value


def _instance_files() -> dict[str, Path]:
    instance = Path(current_app.instance_path)
    return {
        "secret_key": instance / "secret_key",
        "ca-passphrase": Path(current_app.config["CA_PASSPHRASE_FILE"]),
        "audit-anchors.txt": instance / "audit-anchors.txt",
    }


def _add_folder(archive: tarfile.TarFile, folder: Path, name: str) -> int:
    count = 0
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=f"{name}/{path.relative_to(folder).as_posix()}")
                count += 1
    return count


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# ---- restoring ------------------------------------------------------------------------------


def restore_backup(source: Path, passphrase: str) -> BackupSummary:
    """Restore ``source`` into this (empty) instance; refuse anything else, changing nothing."""
    _require_empty_instance()
    try:
        with tarfile.open(source, "r") as outer:
            key = _member_bytes(outer, "key.age")
            identity = pyrage.x25519.Identity.from_str(
                pyrage.passphrase.decrypt(key, passphrase).decode()
            )
            sealed = outer.extractfile("data.tar.age")
            if sealed is None:
                raise BackupError("This file is not a meeting-server backup (no data).")
            return _decrypt_stream(sealed, identity)
    except (tarfile.TarError, KeyError) as error:
        raise BackupError(f"This file is not a meeting-server backup ({error}).") from None
    except pyrage.DecryptError:
        raise BackupError("The passphrase is wrong, or the backup was altered.") from None


def _decrypt_stream(sealed: IO[bytes], identity: Any) -> BackupSummary:
    read_fd, write_fd = os.pipe()
    failure: dict[str, BaseException] = {}

    def decrypt() -> None:
        try:
            with os.fdopen(write_fd, "wb") as pipe:
                pyrage.decrypt_io(sealed, pipe, [identity])
        except BaseException as error:
            failure["error"] = error

    consumer = threading.Thread(target=decrypt, daemon=True)
    consumer.start()
    try:
        with os.fdopen(read_fd, "rb") as pipe, tarfile.open(fileobj=pipe, mode="r|") as inner:
            summary = _restore_inner(inner)
    finally:
        consumer.join()
    if "error" in failure:
        raise failure["error"]
    return summary


def _restore_inner(inner: tarfile.TarFile) -> BackupSummary:
    rows = blobs = files = 0
    revision = ""
    store = blob_store()
    for member in _members(inner):
        handle = inner.extractfile(member)
        if handle is None:
            continue
        if member.name == "database.jsonl":
            revision, rows = _restore_database(handle)
        elif member.name.startswith("blobs/"):
            _restore_blob(store, member.name.removeprefix("blobs/"), handle)
            blobs += 1
        elif member.name.startswith(("ca/", "instance/")):
            _restore_file(member.name, handle)
            files += 1
    return BackupSummary(rows, blobs, files, revision)


def _members(inner: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in inner:
        if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
            continue
        yield member


def _restore_database(handle: IO[bytes]) -> tuple[str, int]:
    from ..migrate import upgrade_database

    by_table: dict[str, list[dict[str, Any]]] = {}
    for raw in handle.read().splitlines():
        if raw.strip():
            line = json.loads(raw)
            by_table.setdefault(line["t"], []).append(line["r"])
    versions = by_table.pop("alembic_version", [])
    if not versions:
        raise BackupError("The backup's database has no schema version; it cannot be restored.")
    revision = str(versions[0]["version_num"])
    url = str(current_app.config["DATABASE_URL"])
    db.session.remove()
    upgrade_database(url, revision)  # the schema the rows were read from
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    with db.engine.begin() as connection:
        for name, table in tables.items():
            batch = [_decode(table, values) for values in by_table.get(name, [])]
            if batch:
                connection.execute(table.insert(), batch)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, tables.values())
    upgrade_database(url)  # then this version's schema
    return revision, sum(len(rows) for rows in by_table.values())


def _decode(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for key, value in values.items():
        if isinstance(value, dict) and "$dt" in value and len(value) == 1:
            value = datetime.fromisoformat(value["$dt"])
        elif (
            isinstance(value, dict)
            and "$b" in value
            and isinstance(table.columns[key].type, LargeBinary)
        ):
            value = base64.b64decode(value["$b"])
        decoded[key] = value
    return decoded


def _reset_sequences(connection: Connection, tables: Any) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                sequence = connection.execute(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": column.name},
                ).scalar()
                if sequence:
                    highest = connection.execute(select(func.max(column))).scalar() or 0
                    connection.execute(
                        text("SELECT setval(:s, :v, :called)"),
                        {"s": sequence, "v": max(highest, 1), "called": highest > 0},
                    )


def _restore_blob(store: Any, name: str, handle: IO[bytes]) -> None:
    with store.temporary_file(".restore") as partial:
        with partial.open("wb") as out:
            while chunk := handle.read(1024 * 1024):
                out.write(chunk)
        sha256, _size = file_digest(partial)
        if sha256 != name:
            raise BackupError(f"The stored file {name} in the backup is damaged; nothing is kept.")
        store.put_file(partial)


def _restore_file(name: str, handle: IO[bytes]) -> None:
    target: Path | None
    if name.startswith("ca/"):
        target = Path(current_app.config["CA_DIR"]) / name.removeprefix("ca/")
    else:
        target = _instance_files().get(name.removeprefix("instance/"))
    if target is None:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(handle.read())


def _require_empty_instance() -> None:
    reflected = MetaData()
    reflected.reflect(bind=db.engine)
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if (
                table.name in reflected.tables
                and connection.execute(select(func.count()).select_from(table)).scalar()
            ):
                raise BackupError(
                    "This instance already holds data. Restore onto an empty instance (a new "
                    "database and storage folder), so that nothing is mixed or overwritten."
                )
    if any(path.is_file() for path in (blob_store().root / "blobs").rglob("*")):
        raise BackupError("The storage folder already holds files. Restore into an empty one.")


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise BackupError(f"This file is not a meeting-server backup (no {name}).")
    return handle.read()
