"""JSON and text renderings of validation reports."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .validate import DocumentReport, SignatureReport

__all__ = ["document_json", "document_text"]

VIETNAM = timezone(timedelta(hours=7))

_LABELS = {
    "vi": {
        "none": "Tài liệu không có chữ ký số nào.",
        "error": "Không đọc được tệp PDF",
        "trailing": "Có dữ liệu được thêm vào sau phần cuối của tài liệu đã ký.",
        "summary_ok": "Tất cả {n} chữ ký đều hợp lệ.",
        "summary_bad": "Có chữ ký không hợp lệ hoặc tài liệu đã bị thay đổi.",
        "signature": "Chữ ký",
        "signer": "Người ký",
        "time": "Thời gian ký",
        "timestamp": "Dấu thời gian",
        "level": "Mức PAdES",
        "revision": "Phiên bản được ký",
        "pages": "Trang thay đổi sau khi ký",
        "capped": "Chỉ so sánh {n} trang đầu (giới hạn số trang)",
        "compared": "Đã so sánh hình ảnh {n} trang",
    },
    "en": {
        "none": "The document carries no digital signature.",
        "error": "The PDF could not be read",
        "trailing": "Data was appended after the end of the signed document.",
        "summary_ok": "All {n} signatures are valid.",
        "summary_bad": "A signature is not valid or the document was changed.",
        "signature": "Signature",
        "signer": "Signer",
        "time": "Signing time",
        "timestamp": "Timestamp",
        "level": "PAdES level",
        "revision": "Signed revision",
        "pages": "Pages changed after signing",
        "capped": "Only the first {n} pages were compared (page limit)",
        "compared": "Pictures of {n} pages compared",
    },
}


def document_json(report: DocumentReport) -> dict[str, Any]:
    """Return the report as JSON-ready data (times in ISO 8601).

    :param report: The document report.
    """
    return {
        "all_valid": report.all_valid,
        "trailing_data": report.trailing_data,
        "error": report.error,
        "signatures": [_signature_json(sig) for sig in report.signatures],
    }


def document_text(report: DocumentReport, language: str = "vi") -> str:
    """Return a plain-text report.

    :param report: The document report.
    :param language: "vi" or "en".
    """
    words = _LABELS.get(language, _LABELS["en"])
    lines = []
    if report.error:
        lines.append(f"{words['error']}: {report.error}")
    elif not report.signatures:
        lines.append(words["none"])
    for number, sig in enumerate(report.signatures, start=1):
        lines.extend(_signature_text(number, sig, words, language))
    if report.trailing_data:
        lines.append(words["trailing"])
    if report.signatures:
        ok = report.all_valid
        lines.append(words["summary_ok" if ok else "summary_bad"].format(n=len(report.signatures)))
    return "\n".join(lines) + "\n"


def _signature_json(sig: SignatureReport) -> dict[str, Any]:
    data = asdict(sig)
    for key in ("signing_time", "timestamp"):
        if isinstance(data[key], datetime):
            data[key] = data[key].isoformat()
    data["verdict"] = str(sig.verdict)
    data["chain"] = list(sig.chain)
    return data


def _signature_text(
    number: int, sig: SignatureReport, words: dict[str, str], language: str
) -> list[str]:
    reason = sig.reason_vi if language == "vi" else sig.reason_en
    lines = [
        f"{words['signature']} {number} ({sig.field_name}): {sig.verdict}",
        f"  {reason}",
        f"  {words['signer']}: {sig.signer}",
    ]
    if sig.signing_time:
        lines.append(f"  {words['time']}: {sig.signing_time.astimezone(VIETNAM).isoformat()}")
    if sig.timestamp:
        lines.append(f"  {words['timestamp']}: {sig.timestamp.astimezone(VIETNAM).isoformat()}")
    lines.append(f"  {words['level']}: {sig.pades_level}")
    lines.append(f"  {words['revision']}: {sig.signed_revision} ({sig.signed_length} bytes)")
    visual = sig.visual
    if visual is not None and visual.error is None:
        lines.append(
            f"  {words['capped' if visual.capped else 'compared']}".format(n=visual.pages_compared)
        )
        if visual.changed:
            lines.append(f"  {words['pages']}: {', '.join(map(str, visual.changed_pages))}")
    return lines
