"""Validate the signatures of one uploaded PDF in a throw-away, resource-limited process.

Run as ``python -m meeting_server.pdf.children.verify IN ROOTS OTHERS CRLS`` by
``services/verification.py``: ``IN`` is the uploaded file (anyone's, untrusted), ``ROOTS``,
``OTHERS`` and ``CRLS`` are JSON lists of the trusted root PEM files, intermediate PEM files
and DER CRL files (``services.signatures.trust_files``). Prints one JSON line:
``{"ok": true, "report": DocumentReport.to_json()}`` or ``{"ok": false, "code": ...}``.

Nothing is fetched from the network: the URLs in an uploaded file's certificates are the
uploader's choice, and our server must not be made to call them. Revocation is checked
against our own CRLs and what the file embeds (PAdES B-LT).

pyHanko is imported inside the functions, after ``children.limits`` has set the limits.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meeting_server.pdf.children.limits import Rejected, run_worker

if TYPE_CHECKING:
    from signing import DocumentReport, TrustSettings

USAGE = "meeting_server.pdf.children.verify IN ROOTS OTHERS CRLS"


def main(argv: list[str]) -> int:
    """Validate ``argv[1]`` with the trust files in ``argv[2:]`` and print the report."""
    return run_worker(argv, USAGE, lambda args: verify(Path(args[0]), *args[1:]))


def verify(source: Path, roots: str, others: str, crls: str) -> dict[str, Any]:
    """Return the report on every signature of the PDF at ``source``."""
    from signing import validate_pdf

    # pyHanko logs the modifications it refuses at ERROR level; they are in the report.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    trust = trust_from_files(_paths(roots), _paths(others), _paths(crls))
    report = validate_pdf(source.read_bytes(), trust)
    if ran_out_of_memory(report):
        raise Rejected("too_complex")
    return {"ok": True, "report": report.to_json()}


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


def ran_out_of_memory(report: DocumentReport) -> bool:
    """Tell whether validation stopped at the memory limit (it reports errors, never raises)."""
    texts = [report.error or "", *(sig.reason_en for sig in report.signatures)]
    return any("MemoryError" in text for text in texts)


def _paths(argument: str) -> list[Path]:
    values = json.loads(argument)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Rejected("bad_arguments")
    return [Path(value) for value in values]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
