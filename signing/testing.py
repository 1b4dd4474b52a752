"""Local stand-ins for the outside services signing needs, for tests and benchmarks only.

:class:`LocalServices` serves, on 127.0.0.1 and a free port, the CRLs of an
:class:`~signing.ca.InternalCA` (``/ca/issuing.crl``, ``/ca/root.crl``), its OCSP responder when
one is set (``POST /ca/ocsp``, ``GET /ca/ocsp/<base64>``) and an RFC 3161
timestamp authority (``POST /tsa``): :class:`~signing.tsa.InternalTimeStamper` under a
throw-away root of its own (an outside TSA, as an office might use one).
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import pikepdf
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .ca import InternalCA
from .ocsp import OcspResponder, get_request_body
from .tsa import InternalTimeStamper

__all__ = ["LocalServices", "plain_pdf"]


class LocalServices:
    """A CRL server for one CA and a timestamp authority on 127.0.0.1 (start, then stop)."""

    def __init__(self) -> None:
        self.ca: InternalCA | None = None
        self.ocsp: OcspResponder | None = None
        self.tsa_root, self.timestamper = _make_tsa()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._crl_state: object = None
        self._crls: dict[str, bytes] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def tsa_url(self) -> str:
        """Return the timestamp authority's URL."""
        return self.base_url + "/tsa"

    def start(self) -> LocalServices:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalServices:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def crl(self, path: str) -> bytes | None:
        """Return the CRL published at ``path``, if any.

        Like a real deployment, which serves a published file, a CRL is made again only when
        the CA's revocations changed (making one signs it and updates the CA's index).
        """
        ca = self.ca
        if ca is None or path not in {"/ca/issuing.crl", "/ca/root.crl"}:
            return None
        state = (id(ca), tuple(sorted(c.serial_number for c in ca.issued() if c.revoked_at)))
        with self._lock:
            if self._crl_state != state:
                self._crls = {"/ca/issuing.crl": ca.crl(), "/ca/root.crl": ca.root_crl()}
                self._crl_state = state
            return self._crls[path]

    def ocsp_response(self, request: bytes) -> bytes | None:
        """Return :attr:`ocsp`'s answer to ``request`` if it is the responder of :attr:`ca`."""
        responder, ca = self.ocsp, self.ca
        if responder is None or ca is None:
            return None
        if ca.issuing_certificate != responder.issuing_certificate:
            return None  # left over from another test's CA
        return responder.respond(request)


OCSP_PATH, OCSP_TYPE = "/ca/ocsp", "application/ocsp-response"


def _handler(services: LocalServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
        # delayed ACK would add ~40 ms to every answer.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 — the standard library's name
            services.requests.append(self.path)
            if self.path.startswith(OCSP_PATH + "/"):
                encoded = self.path.removeprefix(OCSP_PATH + "/")
                self._send(services.ocsp_response(get_request_body(encoded)), OCSP_TYPE)
            else:
                self._send(services.crl(self.path), "application/pkix-crl")

        def do_POST(self) -> None:  # noqa: N802
            services.requests.append(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == OCSP_PATH:
                self._send(services.ocsp_response(body), OCSP_TYPE)
                return
            response = services.timestamper.request_tsa_response(tsp.TimeStampReq.load(body))
            self._reply(response.dump(), "application/timestamp-reply")

        def _send(self, body: bytes | None, content_type: str) -> None:
            if body is None:
                self.send_error(404)
            else:
                self._reply(body, content_type)

        def _reply(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Keep test output quiet."""

    return Handler


def _make_tsa() -> tuple[x509.Certificate, InternalTimeStamper]:
    """Return a TSA root and a timestamper its certificate comes from (with a root of its own)."""
    now = datetime.now(UTC) - timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Local test TSA root")])
    root = _certificate(root_name, root_name, root_key.public_key(), root_key, now, ca=True)
    tsa_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Local test TSA")])
    tsa = _certificate(tsa_name, root_name, tsa_key.public_key(), root_key, now, ca=False)
    return root, InternalTimeStamper.of(tsa, tsa_key, [root])


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    now: datetime,
    *,
    ca: bool,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    else:
        eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
        builder = builder.add_extension(eku, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def plain_pdf(pages: int = 1, label: str = "Bien ban", lines: int = 1) -> bytes:
    """Return an unsigned A4 PDF with ``pages`` pages of readable (uncompressed) text.

    :param pages: Number of pages.
    :param label: Text on each page, followed by the page number (Latin-1 only).
    :param lines: Times the line is repeated on a page (bulk for benchmarks).
    """
    out = io.BytesIO()
    with pikepdf.Pdf.new() as pdf:
        font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        for number in range(1, pages + 1):
            page = pdf.add_blank_page(page_size=(595, 842))
            page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
            text = f"BT /F1 18 Tf 72 760 Td ({label} {number}) Tj ET " * lines
            page.Contents = pdf.make_stream(text.encode("latin-1"))
        pdf.save(out, compress_streams=False)  # readable text, so tests can tamper with it
    return out.getvalue()
