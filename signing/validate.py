"""Validate every signature of a PDF and explain the verdict in Vietnamese and English.

The verdict of a signature is pyHanko's ``bottom_line`` (integrity, cryptographic validity,
trust chain, timestamp, document-modification policy) plus our revocation policy (a revoked
certificate is never valid). Any exception while checking means "invalid" with the reason:
validation never raises. The report names the revision each signature signed (its
``/ByteRange`` end), not the file's latest bytes.

Policy for bytes after the last ``%%EOF`` that are not a proper incremental update: the file
is reported as changed after signing (``trailing_data``); the signed revisions stay
available through :func:`signed_revision`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

from .reasons import Verdict, explain
from .trust import TrustSettings

__all__ = ["DocumentReport", "SignatureReport", "Verdict", "signed_revision", "validate_pdf"]

_EOF = re.compile(rb"%%EOF[\r\n\x00\t\f ]*\Z")


@dataclass(frozen=True)
class SignatureReport:
    """What one signature says about the document."""

    field_name: str
    verdict: Verdict
    reason_vi: str
    reason_en: str
    signer: str
    certificate_sha256: str
    chain: tuple[str, ...]
    intact: bool
    cryptographically_valid: bool
    trusted: bool
    revoked: bool
    signing_time: datetime | None
    timestamp: datetime | None
    coverage: str
    modification_level: str | None
    docmdp_ok: bool | None
    certification: str | None
    pades_level: str
    signed_revision: int
    signed_length: int
    bottom_line: bool

    @property
    def valid(self) -> bool:
        """Tell whether this signature is valid under our policy."""
        return self.verdict == Verdict.VALID


@dataclass(frozen=True)
class DocumentReport:
    """The verdict on every signature of one file."""

    signatures: tuple[SignatureReport, ...]
    trailing_data: bool
    error: str | None = None

    @property
    def all_valid(self) -> bool:
        """Tell whether there is at least one signature and every one is valid."""
        return (
            self.error is None
            and not self.trailing_data
            and bool(self.signatures)
            and all(s.valid for s in self.signatures)
        )

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        from .report import document_json

        return document_json(self)

    def to_text(self, language: str = "vi") -> str:
        """Return a plain-text report in ``language`` ("vi" or "en")."""
        from .report import document_text

        return document_text(self, language)


def validate_pdf(data: bytes, trust: TrustSettings) -> DocumentReport:
    """Validate every signature in ``data``; never raises.

    :param data: The PDF.
    :param trust: Trust roots, CRLs and the revocation mode.
    """
    trailing = _EOF.search(data[-4096:]) is None
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as error:
        return DocumentReport((), trailing, error=f"{type(error).__name__}: {error}")
    timestamps = _document_timestamp_revisions(reader)
    has_dss = "/DSS" in reader.root
    reports = tuple(_report(sig, trust, timestamps, has_dss) for sig in embedded)
    return DocumentReport(reports, trailing)


def signed_revision(data: bytes, report: SignatureReport) -> bytes:
    """Return the bytes of the revision ``report``'s signature signed.

    :param data: The whole file.
    :param report: One signature's report.
    """
    return data[: report.signed_length]


def _report(
    sig: EmbeddedPdfSignature, trust: TrustSettings, timestamps: list[int], has_dss: bool
) -> SignatureReport:
    name = _safe(lambda: str(sig.field_name), "?")
    try:
        # One context for the signer and the timestamp (pyHanko's default): it caches the
        # CRLs and paths both need.
        status = validate_pdf_signature(sig, signer_validation_context=trust.context())
    except Exception as error:
        return _broken(sig, name, f"{type(error).__name__}: {error}")
    level = _pades_level(sig, status, timestamps, has_dss)
    verdict, detail = _verdict(status)
    reason_vi, reason_en = explain(verdict, detail)
    return SignatureReport(
        field_name=name,
        verdict=verdict,
        reason_vi=reason_vi,
        reason_en=reason_en,
        signer=status.signing_cert.subject.human_friendly,
        certificate_sha256=status.signing_cert.sha256.hex(),
        chain=_chain(status),
        intact=status.intact,
        cryptographically_valid=status.valid,
        trusted=status.trusted,
        revoked=status.revoked,
        signing_time=status.signer_reported_dt,
        timestamp=status.timestamp_validity.timestamp if status.timestamp_validity else None,
        coverage=status.coverage.name if status.coverage else "UNKNOWN",
        modification_level=status.modification_level.name if status.modification_level else None,
        docmdp_ok=status.docmdp_ok,
        certification=sig.docmdp_level.name if sig.docmdp_level else None,
        pades_level=level,
        signed_revision=sig.signed_revision,
        signed_length=_signed_length(sig),
        bottom_line=status.bottom_line,
    )


def _verdict(status: PdfSignatureStatus) -> tuple[Verdict, str]:
    problem = status.trust_problem_indic  # an enum member of one of pyHanko's AdES classes
    indication = str(getattr(problem, "name", problem or ""))
    if not status.intact:
        return Verdict.CHANGED, "digest"
    if not status.valid:
        return Verdict.INVALID, "signature value"
    if status.revoked:
        return Verdict.REVOKED, indication
    if not status.trusted:
        if "EXPIRED" in indication or "OUT_OF_BOUNDS" in indication:
            return Verdict.EXPIRED, indication
        if "TRY_LATER" in indication:
            return Verdict.REVOCATION_UNKNOWN, indication
        return Verdict.UNKNOWN_SIGNER, indication
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid and ts.trusted):
        return Verdict.INVALID, "timestamp"
    if status.docmdp_ok is False or not status.seed_value_ok:
        return Verdict.CHANGED, status.modification_level.name if status.modification_level else ""
    if not status.bottom_line:
        return Verdict.INVALID, "bottom line"
    return Verdict.VALID, ""


def _pades_level(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, timestamps: list[int], has_dss: bool
) -> str:
    if status.timestamp_validity is None:
        return "B-B"
    if not has_dss:
        return "B-T"
    if any(revision > sig.signed_revision for revision in timestamps):
        return "B-LTA"
    return "B-LT"


def _document_timestamp_revisions(reader: PdfFileReader) -> list[int]:
    return [ts.signed_revision for ts in _safe(lambda: reader.embedded_timestamp_signatures, [])]


def _chain(status: PdfSignatureStatus) -> tuple[str, ...]:
    path = status.validation_path
    if path is None:
        return ()
    return tuple(cert.subject.human_friendly for cert in path.iter_certs(include_root=True))


def _signed_length(sig: EmbeddedPdfSignature) -> int:
    start, length1, offset2, length2 = (int(v) for v in sig.sig_object["/ByteRange"])
    return offset2 + length2


def _broken(sig: EmbeddedPdfSignature, name: str, detail: str) -> SignatureReport:
    reason_vi, reason_en = explain(Verdict.INVALID, detail)
    return SignatureReport(
        field_name=name,
        verdict=Verdict.INVALID,
        reason_vi=reason_vi,
        reason_en=reason_en,
        signer=_safe(lambda: sig.signer_cert.subject.human_friendly, "?"),
        certificate_sha256=_safe(lambda: sig.signer_cert.sha256.hex(), ""),
        chain=(),
        intact=False,
        cryptographically_valid=False,
        trusted=False,
        revoked=False,
        signing_time=None,
        timestamp=None,
        coverage="UNKNOWN",
        modification_level=None,
        docmdp_ok=None,
        certification=None,
        pades_level="?",
        signed_revision=_safe(lambda: sig.signed_revision, -1),
        signed_length=_safe(lambda: _signed_length(sig), 0),
        bottom_line=False,
    )


def _safe(get: Any, default: Any) -> Any:
    try:
        return get()
    except Exception:
        return default
