"""edXML exchange: a signed decision travels to another office unchanged and still verifies;
packages that are tampered with, malformed, hostile or too large are refused with their reason;
the transports deliver (a folder, an HTTP endpoint on 127.0.0.1, an adapter by name)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from lxml import etree
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Role, Room, SigningRequest
from meeting_server.services import verification
from meeting_server.services.agenda import add_item
from meeting_server.services.edxml import (
    NS,
    PDF,
    SCHEMA_FILE,
    Attachment,
    Header,
    Organ,
    PackageRefused,
    build_package,
)
from meeting_server.services.edxml_export import export_package, send_package
from meeting_server.services.edxml_import import (
    ToAgendaItem,
    ToPerson,
    check_package,
    inspect_package,
    place_package,
    received_for,
)
from meeting_server.services.edxml_transport import (
    EnvelopeInfo,
    HttpTransport,
    Receipt,
    TransportError,
    configured_transport,
)
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.meetings import create_meeting
from meeting_server.services.rooms import create_room
from meeting_server.storage import blob_store
from tests.support.edxml_setup import (
    RECEIVER_CODE,
    SENDER,
    SENDER_CODE,
    TITLE,
    Exported,
    add_people,
    export_from_another_office,
    numbered_decision,
    receiver_settings,
)
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import chair_then_seal, english, with_internal_ca

N = {"ed": NS}


@pytest.fixture(scope="session")
def sent(tmp_path_factory, migrated_db, ca_template) -> Exported:
    """A decision another office signed, numbered and exported to RECEIVER_CODE."""
    return export_from_another_office(tmp_path_factory.mktemp("sender"), migrated_db, ca_template)


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    """This office sends (SENDER) and trusts the test CA, the other office's too."""
    config = {**app_config, **SENDER, "EDXML_OUTBOX_DIR": str(tmp_path / "outbox")}
    return with_internal_ca(config, ca_template, tmp_path)


@pytest.fixture
def clerk(create_user):
    return create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu", position="Văn thư")


def refusal(app, package: bytes) -> PackageRefused:
    """Inspect ``package`` in ``app`` (English messages); return the refusal."""
    with english(app), pytest.raises(PackageRefused) as refused:
        inspect_package(package)
    return refused.value


# --- the round trip -----------------------------------------------------------------------------


def test_a_signed_decision_travels_to_another_office_unchanged_and_still_verifies(
    app, secretary, chair, clerk, make_app, migrated_db, tmp_path
):
    request = numbered_decision(app)
    with english(app):
        request = db.session.get_one(SigningRequest, request.id)
        signed = blob_store().path_for(request.latest.sha256).read_bytes()
        made, receipt = send_package(
            actor("thuky"), request, receiver_ids=[RECEIVER_CODE], due_on=None, priority=1
        )
        db.session.commit()
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("edxml.%"))).all()  # fmt: skip
    assert receipt.transport == "folder" and actions == ["edxml.exported", "edxml.sent"]
    package = Path(receipt.reference).read_bytes()  # what the other office picks up
    assert package == made.package and Path(receipt.reference).parent == tmp_path / "outbox"

    other = another_office(make_app, migrated_db, tmp_path)
    with english(other):
        item = _meeting_item()
        inspection = check_package(actor("vanthu"), package)
        place_package(actor("thuky"), inspection.package.sha256, ToAgendaItem(item))
        place_package(actor("vanthu"), inspection.package.sha256, ToPerson(actor("chutich")))
        db.session.commit()
        stored = blob_store().path_for(item.documents[0].current.sha256).read_bytes()
        again = verification.verify_upload(io.BytesIO(stored))  # the other office's own check
        delivered = received_for(actor("chutich"))
    assert inspection.addressed_to_us is True
    assert inspection.package.header.notation == "01/QĐ-UBND"
    assert stored == signed  # byte for byte
    assert again.all_valid and [s.pades_level for s in again.signatures] == ["B-LTA", "B-LTA"]
    assert [d.pdf_sha256 for d in delivered] == [hashlib.sha256(signed).hexdigest()]
    assert delivered[0].subject == TITLE and "Trần Văn Minh" in delivered[0].verified


def another_office(make_app: Callable[..., Any], migrated_db: Path, tmp_path: Path) -> Any:
    """The receiving office: its own database, storage and no CA, trusting ours."""
    shutil.copy(migrated_db, tmp_path / "other.sqlite3")
    other = make_app(
        DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        STORAGE_DIR=str(tmp_path / "other-storage"),
        CA_DIR=str(tmp_path / "other-ca"),
        CA_PASSPHRASE_FILE=str(tmp_path / "other-ca-passphrase"),
        EDXML_DIRECTORY=[],
        **receiver_settings(tmp_path / "ca" / "root.pem"),
    )
    add_people(other)
    return other


def _meeting_item() -> Any:
    secretary = actor("thuky")
    room = create_room(None, name="Phòng họp 2", location="Tầng 2", seat_count=20)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    meeting = create_meeting(
        secretary, title="Họp giao ban", room=db.session.get_one(Room, room.id),
        starts_at=start, ends_at=start + timedelta(hours=2), chair=actor("chutich"),
    )  # fmt: skip
    return add_item(secretary, meeting, title="Kế hoạch chuyển đổi số")


def test_the_package_follows_the_schema_and_names_sender_receiver_number_and_signer(sent):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))
    root = etree.fromstring(sent.package)
    assert schema.validate(root), schema.error_log
    header = root.find("ed:edXMLEnvelope/ed:edXMLHeader/ed:MessageHeader", N)

    def text(path: str) -> str:
        return header.findtext(path, namespaces=N)

    assert text("ed:From/ed:OrganId") == SENDER_CODE
    assert text("ed:To/ed:OrganId") == RECEIVER_CODE
    assert (text("ed:Code/ed:CodeNumber"), text("ed:Code/ed:CodeNotation")) == ("01", "QĐ-UBND")
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", text("ed:PromulgationInfo/ed:PromulgationDate"))
    assert (text("ed:DocumentType/ed:Type"), text("ed:DocumentType/ed:TypeName")) == (
        "2",
        "Quyết định",
    )
    assert text("ed:Subject") == TITLE
    assert text("ed:SignerInfo/ed:FullName") == "Trần Văn Minh"
    assert text("ed:SignerInfo/ed:Position") == "Chủ tịch"
    trace = root.find("ed:edXMLEnvelope/ed:edXMLHeader/ed:TraceHeaderList/ed:TraceHeader", N)
    assert trace.findtext("ed:OrganId", namespaces=N) == SENDER_CODE
    encoded = root.findtext("ed:AttachmentEncoded/ed:Attachment/ed:ContentTransferEncoded", None, N)
    assert base64.b64decode(encoded) == sent.pdf
    note = f"SHA-256: {hashlib.sha256(sent.pdf).hexdigest()}"
    assert root.findtext(".//ed:Reference/ed:Description", None, N) == note


# --- tampered packages --------------------------------------------------------------------------


def _edited(package: bytes, change: Callable[[Any], None]) -> bytes:
    root = etree.fromstring(package)
    change(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _pdf_of(root: Any) -> Any:
    return root.find("ed:AttachmentEncoded/ed:Attachment/ed:ContentTransferEncoded", N)


def _set_pdf(root: Any, pdf: bytes, *, note: bool) -> None:
    _pdf_of(root).text = base64.b64encode(pdf).decode()
    if note:  # the forger also rewrites the SHA-256 the package notes
        for element in root.iterfind(".//ed:Description", N):
            element.text = f"SHA-256: {hashlib.sha256(pdf).hexdigest()}"


def _one_byte_changed(pdf: bytes) -> bytes:
    """Change one byte of the binary comment on line 2 (inside every signed range)."""
    at = pdf.index(b"\n%") + 3
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def _signature_broken(pdf: bytes) -> bytes:
    """Change one hex digit in the middle of the first signature's value (its RSA block)."""
    start = pdf.index(b"/Contents <") + len(b"/Contents <")
    der = bytes.fromhex(pdf[start : pdf.index(b">", start)].decode())
    signer = cms.ContentInfo.load(der.rstrip(b"\0"))["content"]["signer_infos"][0]
    value = signer["signature"].native.hex().encode()
    found = max(pdf.find(value, start), pdf.find(value.upper(), start))
    at = found + len(value) // 2
    digit = b"1" if pdf[at : at + 1] != b"1" else b"2"
    return pdf[:at] + digit + pdf[at + 1 :]


def _other_sha(root: Any) -> None:
    for element in root.iterfind(".//ed:Description", N):
        element.text = "SHA-256: " + "ab" * 32


def _no_attachment(root: Any) -> None:
    encoded = root.find("ed:AttachmentEncoded", N)
    encoded.remove(encoded.find("ed:Attachment", N))


TAMPERING = {
    "a byte of the PDF changed": (
        lambda root, pdf: _set_pdf(root, _one_byte_changed(pdf), note=False),
        "sha256_mismatch",
        "changed or damaged on the way",
    ),
    "a byte changed and the SHA-256 rewritten": (
        lambda root, pdf: _set_pdf(root, _one_byte_changed(pdf), note=True),
        "changed",
        "changed after it was signed",
    ),
    "the signature broken": (
        lambda root, pdf: _set_pdf(root, _signature_broken(pdf), note=True),
        "signature_invalid",
        "is not valid",
    ),
    "the header's SHA-256 changed": (
        lambda root, pdf: _other_sha(root),
        "sha256_mismatch",
        "its SHA-256 differs",
    ),
    "the attachment removed": (
        lambda root, pdf: _no_attachment(root),
        "missing_attachment",
        "the file itself is not in the package",
    ),
}


@pytest.mark.parametrize("how", TAMPERING)
def test_a_tampered_package_is_refused_with_the_reason(app, sent, how):
    change, code, words = TAMPERING[how]
    refused = refusal(app, _edited(sent.package, lambda root: change(root, sent.pdf)))
    assert refused.code == code and words in refused.message, refused.message
    assert refused.status == 422


# --- not edXML, hostile, too large ---------------------------------------------------------------

MALFORMED = {
    "not XML": (b"%PDF-1.7 not xml at all", "malformed", "not well-formed XML"),
    "cut off": (b"<edXML xmlns='" + NS.encode() + b"'><edXMLEnvelope>", "malformed", "line"),
    "another XML": (b"<invoice><total>5</total></invoice>", "not_edxml", "root element"),
    "wrong namespace": (
        b"<edXML xmlns='http://www.e-doc.vn/Schema/'/>",
        "wrong_namespace",
        "http://www.e-doc.vn/Schema/",
    ),
    "no header": (
        b"<edXML xmlns='" + NS.encode() + b"'><edXMLEnvelope/></edXML>",
        "schema",
        "does not follow the edXML structure",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_xml_that_is_not_an_edxml_package_is_refused(app, case):
    data, code, words = MALFORMED[case]
    refused = refusal(app, data)
    assert refused.code == code and words in refused.message, refused.message


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&secret;</edXML>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b']><edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>'
)


@pytest.mark.parametrize(
    "data",
    [XXE, LAUGHS, XXE.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>').encode("utf-16")],
    ids=["external entity", "billion laughs", "a DTD hidden in UTF-16"],
)
def test_entity_attacks_are_refused_before_anything_expands(app, data):
    refused = refusal(app, data)
    assert refused.code == "dtd" and "DTD" in refused.message


def test_a_package_over_the_size_limit_is_refused(app, make_app, sent):
    small = make_app(EDXML_MAX_MB=0)
    refused = refusal(small, sent.package)
    assert refused.code == "too_large" and "EDXML_MAX_MB" in refused.message
    huge = _edited(
        sent.package, lambda root: _set_pdf(root, b"%PDF-" + b"\0" * 8_000_000, note=True)
    )
    refused = refusal(app, huge)  # 10.7 MB of base64 in one text node: libxml2's safe limit
    assert refused.code == "attachment_too_large" and "7.5 MB" in refused.message


def _package(pdf: bytes, *, content_type: str = PDF, files: int = 1) -> bytes:
    header = Header(
        sender=Organ("000.00.00.H99", "Sở Thử nghiệm"), receivers=(Organ(SENDER_CODE, "UBND"),),
        code_number="07", code_notation="TB-STN", place="Hà Nội",
        promulgated_on=date(2026, 12, 1), type_code=7, type_name="Thông báo",
        subject="Thông báo thử", signer_name="Người Ký",
    )  # fmt: skip
    package = build_package(header, Attachment("a1", "thu.pdf", content_type, pdf))
    if files == 1:
        return package
    root = etree.fromstring(package)
    encoded = root.find("ed:AttachmentEncoded", N)
    extra = etree.fromstring(etree.tostring(encoded.find("ed:Attachment", N)))
    extra.find("ed:ContentId", N).text = "a2"
    encoded.append(extra)
    return bytes(etree.tostring(root))


@pytest.mark.parametrize(
    ("package", "code", "words"),
    [
        (lambda: _package(simple_pdf(1)), "unsigned", "carries no signature"),
        (
            lambda: _package(b"PK\x03\x04 a zip", content_type="application/zip"),
            "not_pdf",
            "not a PDF",
        ),
        (lambda: _package(b"hello", content_type=PDF), "not_pdf", "not a PDF"),
        (lambda: _package(simple_pdf(1), files=2), "several_files", "exactly one signed PDF"),
    ],
    ids=["unsigned PDF", "a zip", "text called a PDF", "two files"],
)
def test_what_is_not_one_signed_pdf_is_refused(app, package, code, words):
    refused = refusal(app, package())
    assert refused.code == code and words in refused.message, refused.message


def test_a_signer_whose_authority_is_not_trusted_is_refused_with_what_to_do(
    make_app, sent, tmp_path
):
    stranger = make_app(CA_DIR=str(tmp_path / "no-ca"), TRUSTED_ROOTS="")
    refused = refusal(stranger, sent.package)
    assert refused.code == "untrusted" and "TRUSTED_ROOTS" in refused.message


def test_checking_audits_the_refusal_and_keeps_an_accepted_package(app, secretary, sent):
    with english(app):
        with pytest.raises(PackageRefused):
            check_package(actor("thuky"), b"<invoice/>")
        inspection = check_package(actor("thuky"), sent.package)
        db.session.commit()
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("edxml.%")))
        found = [(e.action, e.details) for e in events]
        kept = blob_store().path_for(inspection.package.sha256).read_bytes()
    assert [action for action, _ in found] == ["edxml.refused", "edxml.checked"]
    assert '"code": "not_edxml"' in found[0][1] and sent.notation in found[1][1]
    assert kept == sent.package


# --- export refusals ----------------------------------------------------------------------------


def test_only_a_completed_numbered_document_is_exported(app, secretary, chair, create_user):
    unnumbered = chair_then_seal(app, create_user)  # no kind: never entered in the register
    with english(app), pytest.raises(NotAllowed, match="no number in the outgoing register"):
        export_package(actor("thuky"), db.session.get_one(SigningRequest, unnumbered.id),
                       receiver_ids=[RECEIVER_CODE])  # fmt: skip


def test_export_needs_this_organisation_and_a_known_receiver(make_app, secretary, chair, clerk):
    unset = make_app(EDXML_ORGAN_ID="")
    request = numbered_decision(unset)
    with english(unset), pytest.raises(NotAllowed, match="EDXML_ORGAN_ID"):
        export_package(actor("thuky"), db.session.get_one(SigningRequest, request.id),
                       receiver_ids=[RECEIVER_CODE])  # fmt: skip
    with english(make_app()), pytest.raises(ServiceError, match="not in the directory") as error:
        export_package(actor("thuky"), db.session.get_one(SigningRequest, request.id),
                       receiver_ids=["000.00.00.X99"])  # fmt: skip
    assert error.value.field == "receivers"


# --- transports ---------------------------------------------------------------------------------

ENVELOPE = EnvelopeInfo("m" * 32, "doc", SENDER_CODE, (RECEIVER_CODE,), "0" * 64)


class Receiver(BaseHTTPRequestHandler):
    """A receiving endpoint on 127.0.0.1: keeps each body; answers with its server's status."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append((dict(self.headers), body))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.end_headers()
        self.wfile.write(b"received")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[ThreadingHTTPServer]:
    """A local receiver in a thread, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.bodies, server.status = [], 202  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_http_transport_posts_the_package_to_the_endpoint(endpoint, sent):
    url = f"http://127.0.0.1:{endpoint.server_address[1]}/edxml"
    receipt = HttpTransport(url, timeout_s=5).send(sent.package, ENVELOPE)
    headers, body = endpoint.bodies[0]
    assert body == sent.package and headers["Content-Type"].startswith("application/xml")
    assert headers["X-Edxml-Message-Id"] == ENVELOPE.message_id
    assert receipt == Receipt("http", "HTTP 202", "received")
    endpoint.status = 503
    with pytest.raises(TransportError, match="HTTP 503"):
        HttpTransport(url, timeout_s=5).send(sent.package, ENVELOPE)


def test_an_endpoint_that_cannot_be_reached_is_a_transport_error(endpoint):
    port = endpoint.server_address[1]
    endpoint.shutdown()
    endpoint.server_close()
    with pytest.raises(TransportError, match="cannot be reached"):
        HttpTransport(f"http://127.0.0.1:{port}/", timeout_s=2).send(b"<x/>", ENVELOPE)


def test_the_folder_transport_writes_whole_files_only(tmp_path):
    transport = configured_transport({"EDXML_OUTBOX_DIR": str(tmp_path / "out")}, str(tmp_path))
    receipt = transport.send(b"<edXML/>", ENVELOPE)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{'m' * 32}.edxml"]
    assert Path(receipt.reference).read_bytes() == b"<edXML/>"


class RecordingTransport:
    """An adapter named by its dotted path, as a real LGSP/VDXP adapter would be."""

    sent: list[bytes] = []

    def __init__(self, config: Any) -> None:
        self.config = config

    def send(self, package: bytes, envelope: EnvelopeInfo) -> Receipt:
        RecordingTransport.sent.append(package)
        return Receipt("recording", envelope.message_id)


def test_an_adapter_is_configured_by_its_dotted_path(tmp_path):
    name = f"{__name__}:RecordingTransport"
    transport = configured_transport({"EDXML_TRANSPORT": name}, str(tmp_path))
    assert transport.send(b"<edXML/>", ENVELOPE) == Receipt("recording", ENVELOPE.message_id)
    for wrong in ("no_such_module:Nothing", f"{__name__}:ENVELOPE", "http"):
        with pytest.raises(TransportError):
            configured_transport({"EDXML_TRANSPORT": wrong}, str(tmp_path))
