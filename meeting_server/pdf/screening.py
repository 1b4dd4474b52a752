"""Screen uploaded PDFs before they are stored and shown on the tablets.

The rule:

1. The file must be a real PDF: not empty, a ``%PDF-`` header within the first 1024 bytes
   (the content decides, not the file name), a ``%%EOF`` marker within the last 2 KiB.
2. It must open in qpdf (pikepdf) without any repair and without any qpdf warning, must not be
   encrypted in any way (an owner password alone counts too) and must have at least one page.
   Every stream that qpdf can decompress is decompressed once, so a compression bomb runs
   into the limits here and not on the tablets.
3. Dangerous content anywhere in any object rejects the file: JavaScript (a /JS key, an
   /S /JavaScript action, a /Names /JavaScript tree), /Launch actions, embedded files (an
   /EmbeddedFiles tree, /EF file streams, /FileAttachment annotations, /GoToE actions),
   /SubmitForm or /ImportData actions, rich media (/RichMedia annotations,
   /RichMediaExecute actions) and XFA forms (/XFA in the AcroForm).
4. Harmless automatic actions, i.e. the document /OpenAction and every /AA (document, page,
   annotation and form-field additional actions), are stripped and the file is rewritten;
   links the reader clicks on (/A) are kept.
5. A file that carries a signature (a /FT /Sig field with a /V value, a signature value
   with /ByteRange, or a /Perms /DocMDP or /UR3 entry) is never modified: with only harmless
   actions it is accepted unchanged. Dangerous content rejects it all the same.

The parsing runs in a child process (``children.screen``) with its own memory, CPU and
file-size limits and a wall-clock timeout; a file that exceeds them or kills the process is
rejected as "too_complex" and the web process carries on.

"damaged" covers files that cannot be parsed, truncated files (no ``%%EOF`` in the last
2 KiB) and files whose cross-reference table qpdf would have to reconstruct or repair
(qpdf warnings). Repairs are refused on purpose: a repaired file may be read differently
by the viewer on the tablets than by this check.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .runner import ChildExhausted, ChildFailed, output_allowance_mb, run_child

__all__ = [
    "REJECTION_CODES",
    "REJECTION_MESSAGES",
    "PdfRejected",
    "ScreenedPdf",
    "screen_pdf",
]

log = logging.getLogger(__name__)

HEADER_WINDOW = 1024
TRAILER_WINDOW = 2048
STRIPPABLE = frozenset({"OpenAction", "AA"})

REJECTION_MESSAGES: dict[str, LazyString] = {
    "empty": _l(
        "This file is empty (0 bytes). Check that you picked the right file and upload it again."
    ),
    "not_pdf": _l(
        "This file is not a PDF document, even if its name ends in .pdf. Open it, save or "
        "print it as a PDF, and upload that PDF."
    ),
    "damaged": _l(
        "This PDF is damaged or incomplete. Open it on your computer and print it to a new "
        "PDF (or ask the sender for a new copy), then upload that file."
    ),
    "encrypted": _l(
        "This file is protected with a password or encryption. Remove the protection (open "
        "it and print it to a new PDF) and upload it again."
    ),
    "no_pages": _l(
        "This PDF has no pages. Check that you picked the right file, or save the document "
        "as a PDF again, then upload it."
    ),
    "javascript": _l(
        "This PDF contains scripts (JavaScript), which are not allowed on the meeting "
        "tablets. Print it to a new PDF to remove the scripts and upload that file."
    ),
    "launch": _l(
        "This PDF tries to start other programs or open other files, which is not allowed. "
        "Print it to a new PDF and upload that file."
    ),
    "embedded_files": _l(
        "This PDF has other files attached inside it, which is not allowed. Upload each "
        "document as its own PDF, or print this one to a new PDF to leave out the attachments."
    ),
    "forms_submit": _l(
        "This PDF contains a form that sends or loads data over the network, which is not "
        "allowed. Print it to a new PDF (this keeps what you see) and upload that file."
    ),
    "rich_media": _l(
        "This PDF contains video, sound or Flash content, which is not allowed. Print it to a "
        "new PDF and upload that file; share the media another way if it is needed."
    ),
    "xfa": _l(
        "This PDF is a dynamic (XFA) form, which the tablets cannot show. Print it to a new "
        "PDF and upload that file."
    ),
    "too_complex": _l(
        "This PDF is too large or too complex to check in time. Make it smaller (lower image "
        "quality, or split it into parts) or print it to a new PDF, then upload it again."
    ),
}
REJECTION_CODES = frozenset(REJECTION_MESSAGES)


@dataclass(frozen=True)
class ScreenedPdf:
    """An accepted upload: its page count and the cleaned copy, if one was written."""

    page_count: int
    stripped: tuple[str, ...]
    output_path: Path | None


class PdfRejected(Exception):
    """An upload refused by the screening; ``code`` says why, ``message`` tells the user."""

    def __init__(self, code: str) -> None:
        if code not in REJECTION_CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> LazyString:
        """Return the translatable explanation for the user."""
        return REJECTION_MESSAGES[self.code]


def screen_pdf(
    path: Path, *, workdir: Path, timeout_s: float = 20.0, memory_limit_mb: int = 512
) -> ScreenedPdf:
    """Screen the PDF at ``path`` or raise PdfRejected; a cleaned copy goes into ``workdir``.

    The caller owns ``output_path`` when it is set and must move or delete it. On rejection
    nothing is left in ``workdir``.
    """
    check_envelope(Path(path))
    out = Path(workdir) / f"screened-{secrets.token_hex(16)}.pdf"
    try:
        report = run_worker(Path(path), out, timeout_s, memory_limit_mb)
        return screened_from(report, out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def check_envelope(path: Path) -> None:
    """Reject empty files, files without a PDF header and files cut off before %%EOF."""
    size = path.stat().st_size
    if size == 0:
        raise PdfRejected("empty")
    with path.open("rb") as file:
        head = file.read(HEADER_WINDOW)
        file.seek(max(0, size - TRAILER_WINDOW))
        tail = file.read(TRAILER_WINDOW)
    if b"%PDF-" not in head:
        raise PdfRejected("not_pdf")
    if b"%%EOF" not in tail:
        raise PdfRejected("damaged")


def run_worker(path: Path, out: Path, timeout_s: float, memory_limit_mb: int) -> dict[str, Any]:
    """Run the screening child process and return its parsed report."""
    try:
        return run_child(
            "meeting_server.pdf.children.screen",
            [str(path), str(out)],
            timeout_s=timeout_s,
            memory_mb=memory_limit_mb,
            file_mb=output_allowance_mb(path),
        )
    except ChildExhausted:
        raise PdfRejected("too_complex") from None  # a limit, a signal or out of memory
    except ChildFailed as failed:
        log.warning("PDF screening worker failed: %s", failed)
        raise PdfRejected("damaged") from None


def screened_from(report: dict[str, Any], out: Path) -> ScreenedPdf:
    """Turn the worker's report into a result, or raise the rejection it names."""
    if report.get("ok") is not True:
        code = report.get("code")
        raise PdfRejected(code if isinstance(code, str) and code in REJECTION_CODES else "damaged")
    page_count: object = report.get("page_count")
    stripped: object = report.get("stripped")
    if not isinstance(page_count, int) or page_count < 1 or not isinstance(stripped, list):
        raise PdfRejected("damaged")
    if not all(isinstance(name, str) and name in STRIPPABLE for name in stripped):
        raise PdfRejected("damaged")
    if stripped and not out.is_file():
        raise PdfRejected("damaged")
    if not stripped:
        out.unlink(missing_ok=True)
        return ScreenedPdf(page_count=page_count, stripped=(), output_path=None)
    return ScreenedPdf(page_count=page_count, stripped=tuple(stripped), output_path=out)
