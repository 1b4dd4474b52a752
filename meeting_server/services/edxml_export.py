"""Export a completed, signed document as an edXML package, and send it through the transport.

The package's header comes from what the office already keeps: the sender is this organisation
(``EDXML_ORGAN_ID``, ``EDXML_ORGAN_NAME`` and the other ``EDXML_ORGAN_*`` settings), the
receivers are chosen from the directory of organisation codes (``EDXML_DIRECTORY``), the number,
notation and date of issue are the outgoing register's line, the place ``ORGANISATION_PLACE``,
the kind the request's ``document_kind``, the subject its title, the signer the first leader who
signed. The attachment is the request's latest version, byte for byte (B-LTA after the seal).
Only a completed request the register numbered is exported. Each package is kept as a blob and
audited (``edxml.exported``, and ``edxml.sent`` with the transport's receipt).
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..i18n import to_local
from ..models import (
    DocumentKind,
    RegisterEntry,
    RequestStatus,
    SigningRequest,
    StepKind,
    StepStatus,
    User,
    utcnow,
)
from ..storage import blob_store
from . import register
from .audit import record_event
from .edxml import PDF, Attachment, Header, InvalidPackage, Organ, Trace, build_package, date_text
from .edxml_transport import EnvelopeInfo, Receipt, configured_transport
from .errors import NotAllowed, ServiceError

__all__ = [
    "KIND_TYPES",
    "PRIORITIES",
    "Export",
    "directory",
    "export_package",
    "send_package",
    "settings_problem",
]

log = logging.getLogger(__name__)

#: The kind's number and name in Decree 30/2020/NĐ-CP, Appendix III (DocumentType/Type, TypeName).
KIND_TYPES: dict[DocumentKind, tuple[int, str]] = {
    DocumentKind.DECISION: (2, "Quyết định"),
    DocumentKind.CONCLUSION: (7, "Thông báo"),
    DocumentKind.PLAN: (10, "Kế hoạch"),
    DocumentKind.REPORT: (14, "Báo cáo"),
    DocumentKind.MINUTES: (15, "Biên bản"),
    DocumentKind.SUBMISSION: (16, "Tờ trình"),
    DocumentKind.LETTER: (18, "Công văn"),
}
#: OtherInfo/Priority: the urgency marks of Decree 30 (art. 8.11).
PRIORITIES = {
    0: _l("Normal"),
    1: _l("Urgent (Khẩn)"),
    2: _l("Very urgent (Thượng khẩn)"),
    3: _l("Immediate (Hỏa tốc)"),
}
_ORGAN_SETTINGS = {
    "in_charge": "EDXML_ORGAN_IN_CHARGE",
    "address": "EDXML_ORGAN_ADDRESS",
    "email": "EDXML_ORGAN_EMAIL",
    "telephone": "EDXML_ORGAN_TELEPHONE",
    "fax": "EDXML_ORGAN_FAX",
    "website": "EDXML_ORGAN_WEBSITE",
}


@dataclass(frozen=True)
class Export:
    """A package made for one request: its bytes (also kept as a blob), name and header."""

    package: bytes
    sha256: str
    file_name: str  # "05-BB-UBND.edxml"
    header: Header
    envelope: EnvelopeInfo


def directory() -> list[Organ]:
    """Return the organisations packages may be sent to (``EDXML_DIRECTORY``: a list of
    ``{"id", "name"}``, as such, as JSON text, or as the path of a JSON file)."""
    value: Any = current_app.config.get("EDXML_DIRECTORY") or []
    try:
        if isinstance(value, str):
            text = value.strip()
            is_json = text.startswith("[")
            value = json.loads(text if is_json else Path(text).read_text(encoding="utf-8"))
        return [Organ(organ_id=str(e["id"]).strip(), name=str(e["name"]).strip()) for e in value]
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.error("EDXML_DIRECTORY cannot be read: %s", error)
        raise NotAllowed(
            _l("The directory of organisations (EDXML_DIRECTORY) cannot be read. Ask the "
               "administrator to correct it.")
        ) from None  # fmt: skip


def settings_problem() -> str | None:
    """Return what the administrator must still set before packages can be made, if anything."""
    config = current_app.config
    missing = [
        key
        for key in ("EDXML_ORGAN_ID", "EDXML_ORGAN_NAME", "ORGANISATION_PLACE")
        if not str(config.get(key) or "").strip()
    ]
    if not missing:
        return None
    return str(
        _l(
            "Packages cannot be made until the administrator sets %(settings)s (this "
            "organisation's code, name and place of issue).",
            settings=", ".join(missing),
        )
    )


def export_package(
    actor: User,
    signing_request: SigningRequest,
    *,
    receiver_ids: Sequence[str],
    due_on: date | None = None,
    priority: int = 0,
    now: datetime | None = None,
) -> Export:
    """Make the package of a completed, numbered request for the chosen receivers; keep it as a
    blob and audit it."""
    entry = _exportable(signing_request)
    problem = settings_problem()
    if problem:
        raise NotAllowed(problem)
    receivers = _receivers(receiver_ids)
    _check_choices(due_on, priority)
    pdf = blob_store().path_for(signing_request.latest.sha256).read_bytes()
    header = _header(signing_request, entry, receivers, pdf, due_on, priority, now or utcnow())
    name = entry.notation.replace("/", "-")
    attachment = Attachment(uuid.uuid4().hex, f"{name}.pdf", PDF, pdf)
    try:
        package = build_package(header, attachment)
    except InvalidPackage as error:
        log.error("edXML package of request %s does not validate: %s", signing_request.id, error)
        raise NotAllowed(
            _l("The package could not be made: %(why)s. Ask the administrator to check the "
               "organisation's edXML settings.", why=str(error)[:300])
        ) from None  # fmt: skip
    blob = blob_store().put_bytes(package)
    envelope = EnvelopeInfo(
        uuid.uuid4().hex, header.document_id, header.sender.organ_id,
        tuple(r.organ_id for r in receivers), blob.sha256,
    )  # fmt: skip
    record_event(
        actor, "edxml.exported", "signing_request", signing_request.id,
        package_sha256=blob.sha256, pdf_sha256=attachment.sha256, notation=entry.notation,
        receivers=list(envelope.receivers), document_id=header.document_id,
    )  # fmt: skip
    return Export(package, blob.sha256, f"{name}.edxml", header, envelope)


def send_package(
    actor: User, signing_request: SigningRequest, **choices: Any
) -> tuple[Export, Receipt]:
    """Make the package (as :func:`export_package`) and send it through ``EDXML_TRANSPORT``."""
    export = export_package(actor, signing_request, **choices)
    try:
        transport = configured_transport(current_app.config, current_app.instance_path)
        receipt = transport.send(export.package, export.envelope)
    except Exception as error:  # a transport or an adapter failed: told, logged, nothing sent
        log.warning("edXML package %s not sent: %s", export.envelope.message_id, error)
        raise NotAllowed(
            _l("The package was not delivered: %(why)s. Try again later, or download the "
               "package and send it another way.", why=str(error)[:300])
        ) from None  # fmt: skip
    record_event(
        actor, "edxml.sent", "signing_request", signing_request.id,
        message_id=export.envelope.message_id, package_sha256=export.sha256,
        transport=receipt.transport, reference=receipt.reference, detail=receipt.detail,
        receivers=list(export.envelope.receivers),
    )  # fmt: skip
    return export, receipt


def _exportable(signing_request: SigningRequest) -> RegisterEntry:
    """Return the request's register line; refuse what is not signed and numbered."""
    if signing_request.status != RequestStatus.COMPLETED:
        raise NotAllowed(_l("Only a document whose signing route is complete can be exported."))
    entry = register.entry_of(signing_request)
    if entry is None or signing_request.document_kind is None:
        raise NotAllowed(
            _l("This document has no number in the outgoing register, so it cannot be sent to "
               "another agency. Send a numbered copy for signing (choose its kind).")
        )  # fmt: skip
    return entry


def _receivers(receiver_ids: Sequence[str]) -> list[Organ]:
    known = {organ.organ_id: organ for organ in directory()}
    chosen = list(dict.fromkeys(value.strip() for value in receiver_ids if value.strip()))
    if not chosen:
        raise ServiceError(_l("Choose at least one receiving organisation."), field="receivers")
    unknown = [value for value in chosen if value not in known]
    if unknown:
        raise ServiceError(
            _l("“%(code)s” is not in the directory of organisations. Choose from the list.",
               code=unknown[0][:100]),
            field="receivers",
        )  # fmt: skip
    return [known[value] for value in chosen]


def _check_choices(due_on: date | None, priority: int) -> None:
    if priority not in PRIORITIES:
        raise ServiceError(_l("Choose the urgency from the list."), field="priority")
    if due_on is not None and due_on < to_local(utcnow()).date():
        raise ServiceError(_l("The date to answer by cannot be in the past."), field="due_on")


def _header(
    signing_request: SigningRequest,
    entry: RegisterEntry,
    receivers: list[Organ],
    pdf: bytes,
    due_on: date | None,
    priority: int,
    now: datetime,
) -> Header:
    config = current_app.config
    sender = _sender()
    number, _, notation = entry.notation.partition("/")
    issued_on = to_local(entry.issued_at).date()
    type_code, type_name = KIND_TYPES[signing_request.document_kind or DocumentKind.LETTER]
    signer = _signer(signing_request)
    return Header(
        sender=sender, receivers=tuple(receivers), code_number=number, code_notation=notation,
        place=str(config["ORGANISATION_PLACE"]).strip(), promulgated_on=issued_on,
        type_code=type_code, type_name=type_name, subject=signing_request.title,
        signer_name=signer.full_name if signer else sender.name,
        signer_position=signer.position if signer else "",
        due_on=due_on, to_places=tuple(r.name for r in receivers), priority=priority,
        page_amount=_page_count(pdf),
        document_id=f"{sender.organ_id},{date_text(issued_on)},{entry.notation}",
        trace=(Trace(sender.organ_id, f"{to_local(now):%Y/%m/%d %H:%M:%S}"),),
    )  # fmt: skip


def _sender() -> Organ:
    config = current_app.config
    extra = {field: str(config.get(key) or "").strip() for field, key in _ORGAN_SETTINGS.items()}
    return Organ(
        organ_id=str(config["EDXML_ORGAN_ID"]).strip(),
        name=str(config["EDXML_ORGAN_NAME"]).strip(),
        **extra,
    )


def _signer(signing_request: SigningRequest) -> User | None:
    """Return who signed for the organisation: the first leader who signed (the chair of
    minutes), else whoever applied the seal."""
    signed = [step for step in signing_request.steps if step.status == StepStatus.SIGNED]
    leaders = [step for step in signed if step.kind == StepKind.SIGNER]
    chosen = leaders or signed
    return (chosen[0].acted_by or chosen[0].signer) if chosen else None


def _page_count(pdf: bytes) -> int | None:
    """Return the number of pages of our own signed PDF (None if it cannot be counted)."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # the count is a courtesy of the header, never a reason to refuse
        return None
