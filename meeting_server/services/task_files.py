"""Files a unit attaches to a task's progress report or result: checked, stored by SHA-256.

Accepted: PDF, Word, Excel, OpenDocument text and sheets, PNG and JPEG — recognised by their
first bytes, not only their name. They are kept as sent (a result may be a signed PDF, which
must not change) and always served as a download, never shown inline, so a file cannot run
in the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import TaskAttachment, TaskEvent
from ..storage import blob_store
from .errors import ServiceError, UploadRefused

MAX_FILES = 5
MAX_FILE_MB = 25

_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: extension → (content type, the first bytes a real file of the kind starts with)
KINDS: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it."""

    file_name: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, with its clean name and content type."""

    file_name: str
    content_type: str
    data: bytes


def check_files(files: Sequence[Upload]) -> list[Checked]:
    """Check every file (count, kind, size) before anything is changed; refuse with a reason."""
    if len(files) > MAX_FILES:
        raise ServiceError(_l("Attach at most %(n)s files.", n=MAX_FILES), field="files")
    return [Checked(_clean_name(f.file_name), _content_type(f), f.data) for f in files]


def attach(event: TaskEvent, files: Sequence[Checked]) -> list[TaskAttachment]:
    """Store checked files and attach them to ``event``."""
    attached = []
    for file in files:
        blob = blob_store().put_bytes(file.data)
        attached.append(
            TaskAttachment(
                event_id=event.id,
                file_name=file.file_name,
                content_type=file.content_type,
                sha256=blob.sha256,
                size=blob.size,
            )
        )
    db.session.add_all(attached)
    db.session.flush()
    return attached


def _content_type(upload: Upload) -> str:
    name = _clean_name(upload.file_name)
    extension = PurePath(name).suffix.lower().lstrip(".")
    kind = KINDS.get(extension)
    if kind is None:
        raise UploadRefused(
            _l(
                "%(name)s: attach a PDF, Word, Excel, OpenDocument, PNG or JPEG file.",
                name=name,
            )
        )
    if not upload.data:
        raise UploadRefused(_l("%(name)s is empty.", name=name))
    if len(upload.data) > MAX_FILE_MB * 1024 * 1024:
        raise UploadRefused(_l("%(name)s is larger than %(n)s MB.", name=name, n=MAX_FILE_MB))
    content_type, magic = kind
    if not upload.data.startswith(magic):
        raise UploadRefused(
            _l(
                "%(name)s is not really a .%(ext)s file. Save it again in that format.",
                name=name,
                ext=extension,
            )
        )
    return content_type


def _clean_name(name: str) -> str:
    """Keep the file's own name (Vietnamese letters too) without paths or control characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "_", base).strip() or "tep-dinh-kem"
    return base[-200:]
