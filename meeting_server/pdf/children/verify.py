"""Validate the signatures of one uploaded PDF in a throw-away, resource-limited process.

Run as ``python -m meeting_server.pdf.children.verify IN ROOTS OTHERS CRLS VISUAL`` by
``services/verification.py``: ``IN`` is the uploaded file (anyone's, untrusted), ``ROOTS``,
``OTHERS`` and ``CRLS`` are JSON lists of the trusted root PEM files, intermediate PEM files
and DER CRL files (``services.signatures.trust_files``), ``VISUAL`` the options of the
picture comparison (``children.visual_compare``) as JSON, or ``null`` for none. Prints one
JSON line: ``{"ok": true, "report": DocumentReport.to_json(), "pictures": {...}}`` or
``{"ok": false, "code": ...}``.

Nothing is fetched from the network: the URLs in an uploaded file's certificates are the
uploader's choice, and our server must not be made to call them. Revocation is checked
against our own CRLs and what the file embeds (PAdES B-LT).

pyHanko is imported inside the functions, after ``children.limits`` has set the limits.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meeting_server.pdf.children import visual_compare
from meeting_server.pdf.children.limits import Rejected, run_worker

if TYPE_CHECKING:
    from signing import DocumentReport, TrustSettings

USAGE = "meeting_server.pdf.children.verify IN ROOTS OTHERS CRLS VISUAL"


def main(argv: list[str]) -> int:
    """Validate ``argv[1]`` with the trust files in ``argv[2:]`` and print the report."""
    return run_worker(argv, USAGE, lambda args: verify(Path(args[0]), *args[1:]))


def verify(source: Path, roots: str, others: str, crls: str, visual: str) -> dict[str, Any]:
    """Return the report on every signature of the PDF at ``source`` (with the pictures of
    what changed when ``visual`` asks for the comparison)."""
    from signing import validate_pdf

    # pyHanko logs the modifications it refuses at ERROR level; they are in the report.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    settings = _settings(visual)
    data = source.read_bytes()
    trust = with_document_revinfo(
        trust_from_files(_paths(roots), _paths(others), _paths(crls)), data
    )
    options = None if settings is None else visual_compare.visual_options(settings)
    report = validate_pdf(data, trust, visual=options)
    if ran_out_of_memory(report):
        raise Rejected("too_complex")
    answer: dict[str, Any] = {"ok": True, "report": report.to_json()}
    if settings is not None:
        checks = tuple(sig.visual for sig in report.signatures if sig.visual is not None)
        answer["pictures"] = visual_compare.pictures(data, checks, settings)
    return answer


def trust_from_files(roots: list[Path], others: list[Path], crls: list[Path]) -> TrustSettings:
    """Build the trust settings, with fetching from the network turned off."""
    from cryptography import x509

    from signing import TrustSettings

    def certificates(paths: list[Path]) -> list[x509.Certificate]:
        return [cert for p in paths for cert in x509.load_pem_x509_certificates(p.read_bytes())]

    return TrustSettings.of(
        certificates(roots),
        certificates(others),
        [path.read_bytes() for path in crls],
        allow_fetching=False,
    )


def with_document_revinfo(trust: TrustSettings, data: bytes) -> TrustSettings:
    """Add the validation data the document carries in its DSS (PAdES B-LT: CRLs, OCSP answers,
    certificates) to ``trust``, so a long-term document from another agency whose root we
    trust validates offline. pyHanko checks each CRL and answer like any other (signed by the
    certificate's issuer, fresh); certificates only help to build paths to our roots. A DSS
    that cannot be read adds nothing."""
    from cryptography import x509
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        dss = PdfFileReader(io.BytesIO(data), strict=False).root.get("/DSS")
        if dss is None:
            return trust
        dss = dss.get_object()

        def streams(key: str) -> tuple[bytes, ...]:
            return tuple(entry.get_object().data for entry in dss.get(key, ()))

        certificates = tuple(x509.load_der_x509_certificate(der) for der in streams("/Certs"))
        crls, ocsps = streams("/CRLs"), streams("/OCSPs")
    except Exception:  # a damaged DSS: validate with what we have (the report says the rest)
        return trust
    return replace(
        trust,
        other_certs=trust.other_certs + certificates,
        crls=trust.crls + crls,
        ocsps=trust.ocsps + ocsps,
    )


def ran_out_of_memory(report: DocumentReport) -> bool:
    """Tell whether validation stopped at the memory limit (it reports errors, never raises)."""
    texts = [report.error or "", *(sig.reason_en for sig in report.signatures)]
    return any("MemoryError" in text for text in texts)


def _settings(argument: str) -> dict[str, Any] | None:
    try:
        value = json.loads(argument)
    except ValueError:
        raise Rejected("bad_arguments") from None
    if value is not None and not isinstance(value, dict):
        raise Rejected("bad_arguments")
    return value


def _paths(argument: str) -> list[Path]:
    values = json.loads(argument)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Rejected("bad_arguments")
    return [Path(value) for value in values]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
