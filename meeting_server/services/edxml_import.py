"""Import an edXML package from another agency: read it safely, verify the PDF's signatures
first, then put the PDF, unchanged, into a meeting's agenda or a person's received documents.

Reading is ``edxml_read`` (size, no DTD, schema, manifest, SHA-256). The PDF is then checked
exactly as an upload to the public verification page (``verification.verify_upload``: a
limited child without network, our trust settings and ``TRUSTED_ROOTS``, the picture
comparison): a package is imported only when the PDF carries signatures and every one is
valid. Each check is audited (``edxml.checked``, or ``edxml.refused`` with the reason); a
checked package is kept as a blob and placing it checks it again from the blob.

Two targets. An agenda item gets the PDF as a new document through ``documents.add_document``:
screening never rewrites a signed PDF (rule 5), and the stored version is checked to be the
received bytes. A person gets it among their *received documents*, which is what "the signing
inbox" means for a document another agency signed: they read and verify it, they do not sign it
(a new signature field after the sender's certification signature would break that
certification, docs/decisions.md). With no table for incoming documents yet, the delivery is
the audit event ``edxml.received`` on that person, and the PDF a blob; :func:`received_for`
reads them back.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..collation import sorted_by
from ..extensions import db
from ..models import AgendaItem, AuditEvent, Meeting, MeetingStatus, Role, User, UserRole
from ..permissions import can_hold_signing_key
from ..storage import blob_store
from . import verification
from .audit import record_event
from .documents import add_document, clean_filename
from .edxml import Package, PackageRefused
from .edxml_read import read_package
from .errors import NotAllowed, ServiceError
from .verification_view import SignatureCheck, Verification

__all__ = [
    "Inspection",
    "Received",
    "ToAgendaItem",
    "ToPerson",
    "check_package",
    "inspect_package",
    "open_agenda_items",
    "place_package",
    "received_document",
    "received_for",
    "recipients",
]

RECEIVED = "edxml.received"
SHOWN = 50


@dataclass(frozen=True)
class Inspection:
    """A package read and its PDF verified: what the import page shows before placing it."""

    package: Package
    verification: Verification
    addressed_to_us: bool | None  # None: this organisation's code (EDXML_ORGAN_ID) is not set


@dataclass(frozen=True)
class ToAgendaItem:
    """Place the PDF as a new document of this agenda item."""

    item: AgendaItem


@dataclass(frozen=True)
class ToPerson:
    """Deliver the PDF to this person's received documents."""

    person: User


@dataclass(frozen=True)
class Received:
    """A document delivered to a person (one ``edxml.received`` audit event)."""

    at: datetime
    recipient_id: int
    pdf_sha256: str
    package_sha256: str
    subject: str
    notation: str
    sender: str
    file_name: str
    verified: str  # who signed, as checked on import


def check_package(actor: User, data: bytes) -> Inspection:
    """Read and verify an uploaded package; keep it (a blob) for placing, audit either way."""
    try:
        inspection = inspect_package(data)
    except ServiceError as refusal:
        record_event(
            actor, "edxml.refused", "edxml_package", None,
            sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            code=getattr(refusal, "code", "refused"), reason=refusal.message[:500],
        )  # fmt: skip
        raise
    blob_store().put_bytes(data)
    record_event(actor, "edxml.checked", "edxml_package", None, **_summary(inspection))
    return inspection


def inspect_package(data: bytes) -> Inspection:
    """Read the package and verify its PDF's signatures; refuse with the reason (422)."""
    limit = int(current_app.config["EDXML_MAX_MB"]) * 1024 * 1024
    package = read_package(data, max_bytes=limit)
    result = verification.verify_upload(io.BytesIO(package.attachment.data))
    _require_valid(result)
    ours = str(current_app.config.get("EDXML_ORGAN_ID") or "").strip()
    addressed = any(r.organ_id == ours for r in package.header.receivers) if ours else None
    return Inspection(package, result, addressed)


def _require_valid(result: Verification) -> None:
    """Refuse a PDF without signatures, changed after signing, or with any invalid one."""
    if not result.signatures:
        raise PackageRefused(
            "unsigned",
            _l("The attached PDF carries no signature. Only documents signed by the sending "
               "agency can be imported; ask the sender for the signed file."),
        )  # fmt: skip
    bad = next((check for check in result.signatures if not check.valid), None)
    if bad is None and not result.trailing_data:
        return
    if bad is None or bad.verdict == "changed_after_signing":
        raise PackageRefused(
            "changed",
            _l("The attached PDF was changed after it was signed. The package was not imported; "
               "ask the sender to send the document again as it was signed."),
        )  # fmt: skip
    raise PackageRefused(*_invalid(bad))


def _invalid(check: SignatureCheck) -> tuple[str, Any]:
    reason = check.reason(str(get_locale() or "vi")[:2])
    if check.verdict == "unknown_signer":
        return "untrusted", _l(
            "Signature %(n)d (%(signer)s) was made with a certificate from an authority this "
            "server does not trust: %(reason)s If the sending agency is genuine, ask the "
            "administrator to add its authority's root certificate to TRUSTED_ROOTS.",
            n=check.number, signer=check.signer_name, reason=reason,
        )  # fmt: skip
    return "signature_invalid", _l(
        "Signature %(n)d (%(signer)s) is not valid: %(reason)s The package was not imported; "
        "ask the sender to send the document again as it was signed.",
        n=check.number, signer=check.signer_name, reason=reason,
    )  # fmt: skip


def place_package(actor: User, sha256: str, target: ToAgendaItem | ToPerson) -> Inspection:
    """Check the kept package again, then put its PDF into the target (unchanged)."""
    store = blob_store()
    if not store.exists(sha256):
        raise NotAllowed(_l("This package is no longer here. Upload it again."))
    inspection = inspect_package(store.path_for(sha256).read_bytes())
    attachment, summary = inspection.package.attachment, _summary(inspection)
    if isinstance(target, ToAgendaItem):
        document = add_document(
            actor, target.item, stream=io.BytesIO(attachment.data),
            filename=summary["file_name"], title=inspection.package.header.subject[:500],
        )  # fmt: skip
        if document.current.sha256 != attachment.sha256:  # screening never rewrites a signed PDF
            raise NotAllowed(_l("The document would have been changed on the way in; nothing "
                                "was imported. Tell the administrator."))  # fmt: skip
        where = {"document": document.id, "item": target.item.id}
    else:
        _check_recipient(target.person)
        store.put_bytes(attachment.data)
        record_event(actor, RECEIVED, "user", target.person.id, **summary)
        where = {"person": target.person.id}
    record_event(actor, "edxml.imported", "edxml_package", None, **summary, **where)
    return inspection


def _check_recipient(person: User) -> None:
    if not can_hold_signing_key(person, "signer"):
        raise ServiceError(
            _l("%(name)s has no signing inbox (leaders, secretaries and clerks have one). "
               "Choose another person.", name=person.full_name),
            field="person",
        )  # fmt: skip


def _summary(inspection: Inspection) -> dict[str, Any]:
    """What the audit trail keeps of a package (never its bytes)."""
    header, attachment = inspection.package.header, inspection.package.attachment
    return {
        "package_sha256": inspection.package.sha256,
        "pdf_sha256": attachment.sha256,
        "file_name": clean_filename(attachment.name or "document.pdf"),
        "subject": header.subject[:500],
        "notation": header.notation[:100],
        "sender_id": header.sender.organ_id,
        "sender": header.sender.name[:300],
        "document_id": header.document_id[:300],
        "signers": [check.signer_name for check in inspection.verification.signatures],
    }


def received_for(user: User) -> list[Received]:
    """Return the documents delivered to ``user``, newest first."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == RECEIVED, AuditEvent.object_type == "user",
               AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id.desc())
        .limit(SHOWN)
    )  # fmt: skip
    return [_received(event) for event in events]


def received_document(pdf_sha256: str) -> list[Received]:
    """Return every delivery of the PDF with this SHA-256 (whoever it went to)."""
    if len(pdf_sha256) != 64 or any(ch not in "0123456789abcdef" for ch in pdf_sha256):
        return []
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == RECEIVED,
            AuditEvent.details.contains(f'"pdf_sha256": "{pdf_sha256}"'),
        )
    )
    return [found for event in events if (found := _received(event)).pdf_sha256 == pdf_sha256]


def _received(event: AuditEvent) -> Received:
    details = json.loads(event.details)
    return Received(
        at=event.at,
        recipient_id=int(event.object_id or 0),
        pdf_sha256=str(details.get("pdf_sha256", "")),
        package_sha256=str(details.get("package_sha256", "")),
        subject=str(details.get("subject", "")),
        notation=str(details.get("notation", "")),
        sender=str(details.get("sender", "")),
        file_name=str(details.get("file_name", "document.pdf")),
        verified=", ".join(str(name) for name in details.get("signers", [])),
    )


def recipients() -> list[User]:
    """Return the people with a signing inbox (leaders, secretaries, clerks), by name."""
    query = (
        select(User)
        .join(UserRole)
        .where(User.active.is_(True), UserRole.role.in_([Role.LEADER, Role.SECRETARY, Role.CLERK]))
        .distinct()
    )
    return sorted_by(db.session.scalars(query), "full_name")


def open_agenda_items() -> list[AgendaItem]:
    """Return the agenda items of meetings not yet ended, soonest meeting first."""
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.status != MeetingStatus.ENDED).order_by(Meeting.starts_at)
    )
    return [item for meeting in meetings for item in meeting.agenda_items]
