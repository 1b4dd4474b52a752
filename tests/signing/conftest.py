"""Fixtures for the signing library: an internal CA, a local CRL server and timestamp authority."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signing.ca import CAConfig, InternalCA, generate_private_key
from signing.keys import PinProtectedKey
from signing.trust import TrustSettings, to_asn1

PIN = "246810"
CA_PASSPHRASE = b"ca-passphrase-for-tests"


class LocalServices:
    """CRLs of the CA under test and an RFC 3161 timestamp authority, on 127.0.0.1."""

    def __init__(self) -> None:
        self.ca: InternalCA | None = None
        self.tsa_root, self.timestamper = _make_tsa()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.requests: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def tsa_url(self) -> str:
        return self.base_url + "/tsa"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        services = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 — the stdlib's name
                services.requests.append(self.path)
                ca = services.ca
                body = {"/ca/issuing.crl": ca.crl, "/ca/root.crl": ca.root_crl}.get(self.path)
                if ca is None or body is None:
                    self.send_error(404)
                    return
                self._reply(body(), "application/pkix-crl")

            def do_POST(self) -> None:  # noqa: N802
                services.requests.append(self.path)
                request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
                response = services.timestamper.request_tsa_response(request)
                self._reply(response.dump(), "application/timestamp-reply")

            def _reply(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _make_tsa() -> tuple[x509.Certificate, DummyTimeStamper]:
    """Return a TSA root and a timestamper whose certificate it issued (no revocation info)."""
    now = datetime.now(UTC) - timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's dummy TSA is RSA-only
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    tsa = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
        .issuer_name(root_name).public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    key_der = tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamper = DummyTimeStamper(
        tsa_cert=to_asn1(tsa), tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[to_asn1(root)],
    )  # fmt: skip
    return root, stamper


@pytest.fixture(scope="session")
def services() -> Iterator[LocalServices]:
    running = LocalServices()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def ca(tmp_path: Path, services: LocalServices) -> InternalCA:
    """A fresh internal CA whose CRLs the local server publishes."""
    config = CAConfig(
        organisation="Ủy ban nhân dân Thành phố Hòa Bình Xanh",
        crl_base_url=services.base_url + "/ca",
        key_type="ec-p256",
    )
    services.ca = InternalCA.create(tmp_path / "ca", config, CA_PASSPHRASE)
    return services.ca


@pytest.fixture
def trust(ca: InternalCA, services: LocalServices) -> TrustSettings:
    return TrustSettings.of([ca.root_certificate, services.tsa_root], [ca.issuing_certificate])


@pytest.fixture
def make_signer(ca: InternalCA):
    """Return a factory of unlocked PIN-protected keys with certificates from ``ca``."""

    def factory(full_name: str = "Trần Văn Minh", title: str = "Chủ tịch", *, seal: bool = False,
                **validity: object) -> PinProtectedKey:
        private_key = generate_private_key("ec-p256")
        if seal:
            cert = ca.issue_seal(public_key=private_key.public_key(), organisation=ca.config.organisation)
        else:
            cert = ca.issue_signer(public_key=private_key.public_key(), full_name=full_name,
                                   title=title, organisation=ca.config.organisation, **validity)
        key = PinProtectedKey.seal(private_key, PIN, certificate=cert, chain=ca.chain)
        key.unlock(PIN)
        return key

    return factory


def plain_pdf(pages: int = 1, label: str = "Bien ban") -> bytes:
    """Return a plain A4 PDF with ``pages`` pages of text."""
    out = io.BytesIO()
    with pikepdf.Pdf.new() as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
        for number in range(1, pages + 1):
            page = pdf.add_blank_page(page_size=(595, 842))
            page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
            page.Contents = pdf.make_stream(f"BT /F1 18 Tf 72 760 Td ({label} {number}) Tj ET".encode())
        pdf.save(out, compress_streams=False)  # readable text, so tests can tamper with it
    return out.getvalue()


@pytest.fixture
def make_pdf():
    """Return a factory of plain A4 PDFs: ``make_pdf(pages=1)``."""
    return plain_pdf
