"""Verdicts and their plain-language reasons, in Vietnamese and English."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Verdict", "explain"]


class Verdict(StrEnum):
    """The one-word answer for a signature."""

    VALID = "valid"
    INVALID = "invalid"
    CHANGED = "changed_after_signing"
    UNKNOWN_SIGNER = "unknown_signer"
    REVOKED = "revoked"
    EXPIRED = "expired"
    REVOCATION_UNKNOWN = "revocation_unknown"


_REASONS: dict[Verdict, tuple[str, str]] = {
    Verdict.VALID: (
        "Chữ ký hợp lệ: tài liệu không bị thay đổi sau khi ký và chứng thư số được tin cậy.",
        "Valid: the document was not changed after signing and the certificate is trusted.",
    ),
    Verdict.INVALID: (
        "Chữ ký không hợp lệ: không kiểm tra được chữ ký này.",
        "Invalid: this signature could not be verified.",
    ),
    Verdict.CHANGED: (
        "Tài liệu đã bị thay đổi sau khi ký: nội dung hiện tại khác với nội dung đã được ký.",
        "Changed after signing: the content now differs from what was signed.",
    ),
    Verdict.UNKNOWN_SIGNER: (
        "Không xác định được người ký: chứng thư số không do tổ chức được tin cậy cấp.",
        "Unknown signer: the certificate was not issued by a trusted authority.",
    ),
    Verdict.REVOKED: (
        "Chứng thư số của người ký đã bị thu hồi.",
        "The signer's certificate has been revoked.",
    ),
    Verdict.EXPIRED: (
        "Chứng thư số của người ký đã hết hạn (hoặc chưa có hiệu lực) vào thời điểm kiểm tra.",
        "The signer's certificate was expired (or not yet valid) at the time checked.",
    ),
    Verdict.REVOCATION_UNKNOWN: (
        "Không kiểm tra được tình trạng thu hồi của chứng thư số; hãy thử lại sau.",
        "The certificate's revocation status could not be checked; try again later.",
    ),
}


def explain(verdict: Verdict, detail: str = "") -> tuple[str, str]:
    """Return the (Vietnamese, English) reason, with the technical detail appended.

    :param verdict: The verdict.
    :param detail: A short technical detail (e.g. the failing check), may be empty.
    """
    vi, en = _REASONS[verdict]
    if detail:
        return f"{vi} ({detail})", f"{en} ({detail})"
    return vi, en
