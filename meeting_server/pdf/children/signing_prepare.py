"""Put the verification QR code and short address on a document before it is signed.

Run as ``python -m meeting_server.pdf.children.signing_prepare IN OUT FONT_DIR URL`` by
``services/signing_requests.py`` on a screened upload (or our own minutes), in a throw-away,
resource-limited process like the other PDF workers. A document that already carries a
signature is refused (we never modify one, and a route starts unsigned).

The QR code (40 pt, ~14 mm) sits in the top-left corner of the first page, inside the binding
margin that Vietnamese administrative documents keep free (30–35 mm, Nghị định 30/2020); the
address runs upwards beside the page's left edge under it. Prints one JSON line:
``{"ok": true, "pages": [[w, h], ...], "declared": {...}}`` (displayed sizes in points; the
signature blocks and issue fields the document declares, ``pdf/blocks.py``) or
``{"ok": false, "code": "signed" | "too_complex" | "damaged"}``.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from meeting_server.pdf.blocks import declared
from meeting_server.pdf.children.limits import Rejected, run_worker
from meeting_server.pdf.children.screen import scan
from meeting_server.pdf.children.watermark import FONT_WEIGHT, display_matrix, drawable
from signing.fonts import static_noto_sans

USAGE = "meeting_server.pdf.children.signing_prepare IN OUT FONT_DIR URL"
QR_SIZE = 40.0
EDGE = 10.0
TEXT_SIZE = 6.0


def main(argv: list[str]) -> int:
    """Stamp ``argv[1]`` into ``argv[2]`` with the QR of ``argv[4]``; print the report."""
    return run_worker(argv, USAGE, lambda args: prepare(args[0], args[1], Path(args[2]), args[3]))


def prepare(in_path: str, out_path: str, font_dir: Path, url: str) -> dict[str, Any]:
    """Write a copy with the verification mark on page 1; report every page's size."""
    import pikepdf

    font = static_noto_sans(FONT_WEIGHT, folder=font_dir)
    with pikepdf.open(in_path) as pdf:
        if scan(pdf).signed:
            raise Rejected("signed")
        sizes = [_displayed_size(page) for page in pdf.pages]
        declaration = declared(pdf, sizes)
        _mark_first_page(pdf, font, url)
        with open(out_path, "xb") as out:
            pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            out.flush()
            os.fsync(out.fileno())
    pages = [[round(w, 2), round(h, 2)] for w, h in sizes]
    return {"ok": True, "pages": pages, "declared": json.loads(declaration.as_json())}


def _displayed_size(page: Any) -> tuple[float, float]:
    box = [float(v) for v in page.cropbox]
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    return (height, width) if page.rotation % 180 == 90 else (width, height)


def _mark_first_page(pdf: Any, font: Path, url: str) -> None:
    import pikepdf

    page = pdf.pages[0]
    width, height = _displayed_size(page)
    with pikepdf.open(io.BytesIO(_overlay(width, height, font, url))) as source:
        form = pdf.copy_foreign(source.pages[0].as_form_xobject())
    name = pikepdf.Name("/MeetingVerifyMark")
    page.add_resource(form, pikepdf.Name.XObject, name)
    box = tuple(float(v) for v in page.cropbox)
    rotation = page.rotation % 360 if page.rotation % 90 == 0 else 0
    matrix = " ".join(f"{v:.4f}" for v in display_matrix(box, rotation))  # type: ignore[arg-type]
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(f"\nQ\nq {matrix} cm {name} Do Q\n".encode()), prepend=False)


def _overlay(width: float, height: float, font: Path, url: str) -> bytes:
    """Return a one-page PDF with the QR code of ``url`` and the address beside it."""
    import segno
    from fpdf import FPDF

    doc = FPDF(unit="pt", format=(max(width, 1.0), max(height, 1.0)))
    doc.set_margin(0)
    doc.set_auto_page_break(False)
    doc.add_page()
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=4, border=1)
    doc.image(png, x=EDGE, y=EDGE, w=QR_SIZE, h=QR_SIZE)
    doc.add_font("Mark", fname=str(font))
    doc.set_font("Mark", size=TEXT_SIZE)
    doc.set_text_color(60, 60, 60)
    text = drawable(f"Kiểm tra chữ ký số: {url}", font)
    x = EDGE + TEXT_SIZE  # the baseline, upwards along the left edge below the code
    y = EDGE + QR_SIZE + 4 + doc.get_string_width(text)
    if y < height - EDGE:  # a page too small for the address keeps the QR code only
        with doc.rotation(90, x, y):
            doc.text(x, y, text)
    return bytes(doc.output())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
