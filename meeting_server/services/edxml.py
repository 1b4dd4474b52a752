"""edXML packages (QCVN 102:2016/BTTTT, amended by Circular 01/2022/TT-BTTTT): what a package
says, and building one around a signed PDF.

The subset is one document per package (docs/interconnection.md → "edXML"): the header
(``MessageHeader``, ``TraceHeaderList``), a manifest with one ``Reference`` and, outside the
envelope, ``AttachmentEncoded`` with the PDF in base64, its SHA-256 noted in the descriptions.
Every package built here is validated against ``static/edxml/edxml-subset.xsd`` (the schema
written from the standard's element tables) before it is returned; ``edxml_read`` reads received
packages against the same schema.

No database and no request here: ``edxml_export`` and ``edxml_import`` are the services.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import UploadRefused

__all__ = [
    "NS",
    "SCHEMA_FILE",
    "Attachment",
    "Header",
    "InvalidPackage",
    "Organ",
    "Package",
    "PackageRefused",
    "Trace",
    "build_package",
    "date_text",
    "schema_errors",
]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XLINK = "http://www.w3.org/1999/xlink"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "static" / "edxml" / "edxml-subset.xsd"
PDF = "application/pdf"
SHA_NOTE = re.compile(r"SHA-256:\s*([0-9A-Fa-f]{64})\b")


@dataclass(frozen=True)
class Organ:
    """An agency as ``From`` and ``To`` name it (its code, e.g. "000.00.00.H29", and name)."""

    organ_id: str
    name: str
    in_charge: str = ""  # OrganizationInCharge: the governing body
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Trace:
    """One ``TraceHeader``: an agency the package passed and when (as written there)."""

    organ_id: str
    timestamp: str


@dataclass(frozen=True)
class Header:
    """What ``MessageHeader`` and ``TraceHeaderList`` say about the document."""

    sender: Organ
    receivers: tuple[Organ, ...]
    code_number: str  # "05"
    code_notation: str  # "BB-UBND"
    place: str
    promulgated_on: date
    type_code: int  # the kind's number in Decree 30/2020, Appendix III
    type_name: str  # "Biên bản"
    subject: str
    signer_name: str
    signer_position: str = ""
    signer_competence: str = ""
    due_on: date | None = None
    to_places: tuple[str, ...] = ()
    priority: int = 0
    page_amount: int | None = None
    document_id: str = ""
    trace: tuple[Trace, ...] = ()

    @property
    def notation(self) -> str:
        """Return the number and notation as printed after "Số:" ("05/BB-UBND")."""
        return (
            f"{self.code_number}/{self.code_notation}" if self.code_notation else self.code_number
        )


@dataclass(frozen=True)
class Attachment:
    """The package's one file; ``declared_sha256`` is what the package notes (if it does)."""

    content_id: str
    name: str
    content_type: str
    data: bytes
    declared_sha256: str | None = None

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the decoded file (hex)."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Package:
    """A package read and checked: its header, its PDF, and its own SHA-256 and size."""

    header: Header
    attachment: Attachment
    sha256: str
    size: int


class PackageRefused(UploadRefused):
    """A package that is not the subset we read; ``code`` names the reason (tests, audit)."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(message)
        self.code = code


class InvalidPackage(ValueError):
    """A package we built does not validate (a setting is missing or too long)."""


def date_text(day: date) -> str:
    """Return a date as the SDKs write it: "2026/12/07"."""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


# --- building ------------------------------------------------------------------------------


def build_package(header: Header, attachment: Attachment) -> bytes:
    """Return the package (UTF-8 XML) of ``attachment`` under ``header``, validated.

    The root and ``AttachmentEncoded`` take the default namespace, the envelope the prefix
    ``edXML`` (one namespace, written as the SDKs' samples write it). Raises
    ``InvalidPackage`` when the result does not validate against the subset's schema.
    """
    root = etree.Element(_q("edXML"), nsmap={None: NS})
    envelope = etree.SubElement(root, _q("edXMLEnvelope"), nsmap={"edXML": NS})
    head = _el(envelope, "edXMLHeader")
    _message_header(_el(head, "MessageHeader"), header)
    traces = _el(head, "TraceHeaderList")
    for trace in header.trace:
        _children(_el(traces, "TraceHeader"), OrganId=trace.organ_id, Timestamp=trace.timestamp)
    _children(_el(traces, "Bussiness"), BussinessDocType="0", Paper="0")  # a new document
    manifest = _el(_el(envelope, "edXMLBody"), "edXMLManifest", version="1.0")
    _reference(manifest, attachment)
    _attachment(_el(root, "AttachmentEncoded"), attachment)
    errors = schema_errors(root)
    if errors:
        raise InvalidPackage("; ".join(errors))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _message_header(message: Any, header: Header) -> None:
    _organ(_el(message, "From"), header.sender)
    for receiver in header.receivers:
        _organ(_el(message, "To"), receiver)
    _children(
        _el(message, "Code"), CodeNumber=header.code_number, CodeNotation=header.code_notation
    )
    _children(
        _el(message, "PromulgationInfo"),
        Place=header.place,
        PromulgationDate=date_text(header.promulgated_on),
    )
    _children(_el(message, "DocumentType"), Type=str(header.type_code), TypeName=header.type_name)
    _el(message, "Subject", header.subject)
    signer = _el(message, "SignerInfo")
    _children(signer, Competence=header.signer_competence, Position=header.signer_position)
    _children(signer, FullName=header.signer_name)
    if header.due_on is not None:
        _el(message, "DueDate", date_text(header.due_on))
    places = _el(message, "ToPlaces")
    for place in header.to_places:
        _el(places, "Place", place)
    other = _el(message, "OtherInfo")
    _children(other, Priority=str(header.priority))
    if header.page_amount is not None:
        _children(other, PageAmount=str(header.page_amount))
    _children(message, DocumentId=header.document_id)


def _organ(element: Any, organ: Organ) -> None:
    _children(
        element,
        OrganId=organ.organ_id,
        OrganizationInCharge=organ.in_charge,
        OrganName=organ.name,
        OrganAdd=organ.address,
        Email=organ.email,
        Telephone=organ.telephone,
        Fax=organ.fax,
        Website=organ.website,
    )


def _reference(manifest: Any, attachment: Attachment) -> None:
    """The manifest's line: ``cid:`` before the id, as the SDKs' samples write it."""
    reference = etree.SubElement(
        manifest,
        _q("Reference"),
        {f"{{{XLINK}}}href": f"cid:{attachment.content_id}", f"{{{XLINK}}}type": "simple"},
        nsmap={"xlink": XLINK},
    )
    _children(
        reference,
        ContentId=f"cid:{attachment.content_id}",
        ContentType=attachment.content_type,
        AttachmentName=attachment.name,
        Description=f"SHA-256: {attachment.sha256}",
    )


def _attachment(encoded: Any, attachment: Attachment) -> None:
    _children(
        _el(encoded, "Attachment"),
        ContentId=attachment.content_id,
        AttachmentName=attachment.name,
        ContentType=attachment.content_type,
        Description=f"SHA-256: {attachment.sha256}",
        ContentTransferEncoded=base64.b64encode(attachment.data).decode("ascii"),
    )


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _el(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, _q(name), attributes)
    if text is not None:
        element.text = text
    return element


def _children(parent: Any, **texts: str) -> None:
    """Add one child per non-empty text, in the order given (an empty one is left out)."""
    for name, text in texts.items():
        if text:
            _el(parent, name, text)


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))


def schema_errors(root: Any) -> list[str]:
    """Return what does not validate against the subset's schema ("line N: …"), or []."""
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in list(schema.error_log)[:5]]
