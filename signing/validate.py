"""Validate every signature of a PDF and explain the verdict in Vietnamese and English.

The verdict of a signature is pyHanko's ``bottom_line`` (integrity, cryptographic validity,
trust chain, timestamp, document-modification policy) plus our revocation policy (a revoked
certificate is never valid). Any exception while checking means "invalid" with the reason:
validation never raises. The report names the revision each signature signed (its
``/ByteRange`` end), not the file's latest bytes.

Policy for bytes after the last ``%%EOF`` that are not a proper incremental update: the file
is reported as changed after signing (``trailing_data``); the signed revisions stay
available through :func:`signed_revision`.

pyHanko judges the PDF objects an update touches, not what the pages show. With
``visual=VisualOptions()`` (or :meth:`DocumentReport.with_visual` on checks made elsewhere)
each signature's revision is also rendered beside the current file (:mod:`signing.visual`):
a signature pyHanko finds valid whose pages look different now is "changed after signing",
and one whose pages could not be compared is not valid either. Rendering uses pdfium: run it
in a separate, limited process for files from outside.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

from .reasons import Verdict, explain
from .trust import TrustSettings

if TYPE_CHECKING:
    from .visual import VisualCheck, VisualOptions

__all__ = [
    "DocumentReport",
    "SignatureReport",
    "Verdict",
    "signed_revision",
    "validate_pdf",
    "visual_reason",
]

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
    visual: VisualCheck | None = None

    @property
    def valid(self) -> bool:
        """Tell whether this signature is valid under our policy."""
        return self.verdict == Verdict.VALID

    @property
    def vouched(self) -> bool:
        """Tell whether pyHanko found this signature intact, valid, trusted and not revoked
        (its stamp may then cover earlier signatures' placeholders: :mod:`signing.visual`).

        What changed after it (DocMDP, the pictures) is its own verdict's business, not a
        reason to report its stamp as a change on the signatures before it."""
        return self.intact and self.cryptographically_valid and self.trusted and not self.revoked

    def with_visual(self, check: VisualCheck) -> SignatureReport:
        """Return this report with the visual comparison of its revision taken into account.

        A signature otherwise valid whose pages changed becomes "changed after signing"; one
        whose pages could not be compared, or were compared only up to the page limit,
        becomes invalid ("not fully verified"). Other verdicts stay (they already say "not
        valid"); the check is attached either way.

        :param check: The comparison of this signature's revision with the current file.
        """
        if self.verdict != Verdict.VALID or not (check.changed or check.error or check.capped):
            return replace(self, visual=check)
        verdict = Verdict.CHANGED if check.changed else Verdict.INVALID
        reason_vi, reason_en = visual_reason(check)
        return replace(
            self, visual=check, verdict=verdict, reason_vi=reason_vi, reason_en=reason_en
        )


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

    def with_visual(self, checks: Sequence[VisualCheck]) -> DocumentReport:
        """Return the report with each signature's visual comparison applied (matched by the
        length of the revision it signed); a signature without a check is not valid.

        :param checks: From :func:`signing.visual.compare_signatures`.
        """
        by_length = {check.signed_length: check for check in checks}
        signatures = tuple(
            sig.with_visual(by_length.get(sig.signed_length) or _not_compared(sig))
            for sig in self.signatures
        )
        return replace(self, signatures=signatures)

    def with_visual_json(self, checks: Sequence[dict[str, Any]]) -> DocumentReport:
        """As :meth:`with_visual`, from checks as JSON (made in another process).

        :param checks: ``VisualCheck.to_json()`` of each check.
        """
        from .visual import VisualCheck

        return self.with_visual([VisualCheck.from_json(check) for check in checks])

    def ranges(self) -> list[tuple[str, int, bool]]:
        """Return (field name, signed revision length, vouched) of every signature, for a
        comparison (:class:`signing.visual.SignedRange`)."""
        return [(sig.field_name, sig.signed_length, sig.vouched) for sig in self.signatures]

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        from .report import document_json

        return document_json(self)

    def to_text(self, language: str = "vi") -> str:
        """Return a plain-text report in ``language`` ("vi" or "en")."""
        from .report import document_text

        return document_text(self, language)


def validate_pdf(
    data: bytes, trust: TrustSettings, *, visual: VisualOptions | None = None
) -> DocumentReport:
    """Validate every signature in ``data``; never raises.

    :param data: The PDF.
    :param trust: Trust roots, CRLs and the revocation mode.
    :param visual: Also compare each signed revision's pages with the current ones (pdfium:
        see the module's hazard); ``None``: pyHanko's verdict alone.
    """
    report = _validate(data, trust)
    if visual is None or not report.signatures:
        return report
    from .visual import SignedRange, compare_signatures

    ranges = [SignedRange(*entry) for entry in report.ranges()]
    return report.with_visual(compare_signatures(data, ranges, visual))


def visual_reason(check: VisualCheck) -> tuple[str, str]:
    """Return the (Vietnamese, English) reason for a visual change or a failed comparison.

    :param check: A check that found a change, could not be made or stopped at the limit.
    """
    if not check.changed and check.error is None:
        total = max(check.pages_signed, check.pages_current)
        return (
            "Chưa kiểm tra đầy đủ: chỉ so sánh được "
            f"{check.pages_compared}/{total} trang với bản đã ký (giới hạn của máy chủ), nên "
            "không thể xác nhận tài liệu không bị thay đổi.",
            f"Not fully verified: only {check.pages_compared} of {total} pages were compared "
            "with what was signed (a limit set on this server), so the document cannot be "
            "shown unchanged.",
        )
    if not check.changed:
        return (
            "Không so sánh được nội dung hiển thị với bản đã ký, nên không thể xác nhận "
            f"tài liệu không bị thay đổi ({check.error}).",
            "The pages could not be compared with what was signed, so the document cannot be "
            f"shown unchanged ({check.error}).",
        )
    pages = ", ".join(str(page) for page in check.changed_pages)
    return (
        f"Tài liệu đã bị thay đổi sau khi ký: nội dung hiển thị của trang {pages} khác với "
        "bản đã được ký.",
        f"Changed after signing: what page {pages} shows differs from what was signed.",
    )


def _not_compared(sig: SignatureReport) -> VisualCheck:
    from .visual import VisualCheck

    return VisualCheck(sig.field_name, sig.signed_length, changed=False, error="not compared")


def _validate(data: bytes, trust: TrustSettings) -> DocumentReport:
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
