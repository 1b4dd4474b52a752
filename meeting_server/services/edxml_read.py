"""Reading a received edXML package safely (the subset of ``services/edxml.py``).

Before anything looks inside, a package that is too large or declares a DTD (or an entity) is
refused. It is parsed with entities left unresolved, no network and libxml2's size limits
(``huge_tree`` off: a text node over 10 MB, an attachment over ~7.5 MB, is refused), validated
against the subset's schema, and its manifest must list exactly the one attachment it carries: a
PDF whose SHA-256 is the one the package notes. Each refusal (``PackageRefused``) has a code and
says what is wrong and what to do. Verifying the PDF's signatures is ``edxml_import``'s business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from lxml import etree

from .edxml import (
    NS,
    PDF,
    SHA_NOTE,
    Attachment,
    Header,
    Organ,
    Package,
    PackageRefused,
    Trace,
    schema_errors,
)

__all__ = ["read_package"]

N = {"ed": NS}
_DATE = re.compile(r"^(\d{4})[/-](\d{2})[/-](\d{2})$")
_WHITESPACE = re.compile(rb"\s+")


def read_package(data: bytes, *, max_bytes: int) -> Package:
    """Parse and check a received package (see the module's docstring); ``PackageRefused``
    says what is wrong and what to do."""
    if len(data) > max_bytes:
        raise PackageRefused(
            "too_large",
            _l(
                "The package is larger than %(mb)d MB. Ask the sender to send the document "
                "on its own, or ask the administrator to raise the limit (EDXML_MAX_MB).",
                mb=max_bytes // (1024 * 1024),
            ),
        )
    root = _parse(data)
    _check_root(root)
    errors = schema_errors(root)
    if errors:
        raise PackageRefused(
            "schema",
            _l(
                "The package does not follow the edXML structure we read (QCVN 102:2016): "
                "%(error)s. Ask the sender to check the package with their software.",
                error=errors[0],
            ),
        )
    header = _read_header(root)
    attachment = _the_attachment(root)
    return Package(header, attachment, hashlib.sha256(data).hexdigest(), len(data))


def _parse(data: bytes) -> Any:
    """Parse without DTD, entities, network or huge nodes (XXE and entity bombs refused)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise PackageRefused("dtd", _DTD)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if "too long" in str(error) or "huge" in str(error).lower():
            raise PackageRefused("attachment_too_large", _TOO_LONG) from None
        raise PackageRefused(
            "malformed",
            _l(
                "This file is not well-formed XML (line %(line)s: %(error)s). Check that you "
                "chose the .edxml file itself, or ask the sender for it again.",
                line=error.lineno,
                error=error.msg,
            ),
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:  # another encoding hid it above
        raise PackageRefused("dtd", _DTD)
    return root


_DTD = _l(
    "The package declares a DTD or entities, which edXML never needs and which can be used to "
    "attack the server. It was not read. Ask the sender for a package without them."
)
_TOO_LONG = _l(
    "The package's attachment is larger than the 7.5 MB that is read safely here. Ask the "
    "sender to send a smaller PDF (for example scanned at a lower resolution)."
)


def _check_root(root: Any) -> None:
    name = etree.QName(root)
    if name.localname != "edXML":
        raise PackageRefused(
            "not_edxml",
            _l(
                "This XML file is not an edXML package (its root element is “%(name)s”). "
                "Choose the .edxml file that came from the other agency.",
                name=name.localname[:60],
            ),
        )
    if name.namespace != NS:
        raise PackageRefused(
            "wrong_namespace",
            _l(
                "This edXML package uses the namespace “%(found)s” instead of the one of "
                "QCVN 102:2016 (%(expected)s). Ask the sender for a package made to the standard.",
                found=(name.namespace or "")[:120],
                expected=NS,
            ),
        )


def _text(element: Any, path: str) -> str:
    return str(element.findtext(path, default="", namespaces=N) or "").strip()


def _read_organ(element: Any) -> Organ:
    return Organ(
        organ_id=_text(element, "ed:OrganId"),
        name=_text(element, "ed:OrganName"),
        in_charge=_text(element, "ed:OrganizationInCharge"),
        address=_text(element, "ed:OrganAdd"),
        email=_text(element, "ed:Email"),
        telephone=_text(element, "ed:Telephone"),
        fax=_text(element, "ed:Fax"),
        website=_text(element, "ed:Website"),
    )


def _read_header(root: Any) -> Header:
    head = root.find("ed:edXMLEnvelope/ed:edXMLHeader", N)
    message = head.find("ed:MessageHeader", N)
    due = _text(message, "ed:DueDate")
    pages = _text(message, "ed:OtherInfo/ed:PageAmount")
    return Header(
        sender=_read_organ(message.find("ed:From", N)),
        receivers=tuple(_read_organ(to) for to in message.findall("ed:To", N)),
        code_number=_text(message, "ed:Code/ed:CodeNumber"),
        code_notation=_text(message, "ed:Code/ed:CodeNotation"),
        place=_text(message, "ed:PromulgationInfo/ed:Place"),
        promulgated_on=_date(_text(message, "ed:PromulgationInfo/ed:PromulgationDate")),
        type_code=int(_text(message, "ed:DocumentType/ed:Type")),
        type_name=_text(message, "ed:DocumentType/ed:TypeName"),
        subject=_text(message, "ed:Subject"),
        signer_name=_text(message, "ed:SignerInfo/ed:FullName"),
        signer_position=_text(message, "ed:SignerInfo/ed:Position"),
        signer_competence=_text(message, "ed:SignerInfo/ed:Competence"),
        due_on=_date(due) if due else None,
        to_places=tuple(_text(p, ".") for p in message.findall("ed:ToPlaces/ed:Place", N)),
        priority=int(_text(message, "ed:OtherInfo/ed:Priority") or 0),
        page_amount=int(pages) if pages else None,
        document_id=_text(message, "ed:DocumentId"),
        trace=tuple(
            Trace(_text(t, "ed:OrganId"), _text(t, "ed:Timestamp"))
            for t in head.findall("ed:TraceHeaderList/ed:TraceHeader", N)
        ),
    )


def _date(text: str) -> date:
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise PackageRefused(
            "schema",
            _l("The package gives “%(text)s” as a date, which is not a day of the calendar. "
               "Ask the sender to correct the package.", text=text[:20]),
        ) from None  # fmt: skip


def _content_id(text: str) -> str:
    """The manifest writes "cid:<id>", the attachment "<id>" (the SDKs differ): compare ids."""
    return text[4:] if text.lower().startswith("cid:") else text


def _media_type(text: str) -> str:
    return text.split(";", 1)[0].strip().lower()


def _the_attachment(root: Any) -> Attachment:
    """Match the manifest with the attachments; return the one PDF, decoded and checked."""
    references = root.findall("ed:edXMLEnvelope/ed:edXMLBody/ed:edXMLManifest/ed:Reference", N)
    files: dict[str, Any] = {}
    for element in root.findall("ed:AttachmentEncoded/ed:Attachment", N):
        files.setdefault(_content_id(_text(element, "ed:ContentId")), element)
    for reference in references:
        if _content_id(_text(reference, "ed:ContentId")) not in files:
            raise PackageRefused("missing_attachment", _missing(reference))
    listed = {_content_id(_text(r, "ed:ContentId")) for r in references}
    if set(files) - listed or len(references) != 1:
        raise PackageRefused("several_files", _several(len(references), len(files)))
    reference = references[0]
    element = files[_content_id(_text(reference, "ed:ContentId"))]
    types = {_media_type(_text(e, "ed:ContentType")) for e in (reference, element)}
    data = _decoded(element)
    if types != {PDF} or b"%PDF-" not in data[:1024]:
        raise PackageRefused("not_pdf", _NOT_PDF)
    attachment = Attachment(
        content_id=_content_id(_text(element, "ed:ContentId")),
        name=_text(element, "ed:AttachmentName") or _text(reference, "ed:AttachmentName"),
        content_type=PDF,
        data=data,
        declared_sha256=_declared_sha256(reference, element),
    )
    if attachment.declared_sha256 not in (None, attachment.sha256):
        raise PackageRefused("sha256_mismatch", _CHANGED)
    return attachment


def _missing(reference: Any) -> Any:
    return _l(
        "The package's manifest lists “%(name)s”, but the file itself is not in the package. "
        "Ask the sender to send the package again with its attachment.",
        name=_text(reference, "ed:AttachmentName")[:200],
    )


def _several(listed: int, carried: int) -> Any:
    return _l(
        "The package lists %(listed)d file(s) and carries %(carried)d; this server imports "
        "packages with exactly one signed PDF, listed in the manifest. Ask the sender to send "
        "each document in a package of its own.",
        listed=listed,
        carried=carried,
    )


_NOT_PDF = _l(
    "The package's attachment is not a PDF. Only signed PDF documents can be imported; ask the "
    "sender for the signed PDF."
)
_CHANGED = _l(
    "The attached PDF is not the one the package describes: its SHA-256 differs from the one "
    "noted in the package, so it was changed or damaged on the way. Ask the sender to send it "
    "again."
)


def _decoded(element: Any) -> bytes:
    encoded = element.find("ed:ContentTransferEncoded", N).text or ""
    try:
        return base64.b64decode(_WHITESPACE.sub(b"", encoded.encode("ascii")), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise PackageRefused(
            "bad_base64",
            _l("The package's attachment is not valid base64 and cannot be read. Ask the "
               "sender to send the package again."),
        ) from None  # fmt: skip


def _declared_sha256(*elements: Any) -> str | None:
    """Return the SHA-256 the descriptions note; two different ones count as a mismatch."""
    found = {
        match.group(1).lower()
        for element in elements
        if (match := SHA_NOTE.search(_text(element, "ed:Description")))
    }
    if len(found) > 1:
        raise PackageRefused("sha256_mismatch", _CHANGED)
    return found.pop() if found else None
