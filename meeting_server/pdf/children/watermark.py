"""Stamp a reader's watermark on every page of one PDF in a throw-away, limited process.

Run as ``python -m meeting_server.pdf.children.watermark IN OUT FONT_DIR TEXT`` by ``watermark``,
which documents the look and the rules. The process limits its own memory, CPU time, file
size and core dumps (``children.limits``) before it loads pikepdf or fpdf2. It prints exactly
one JSON line: ``{"ok": true, "pages": N, "signed": bool}`` (the stamped copy is at OUT) or
``{"ok": false, "code": "too_complex" | "damaged"}``.

The watermark is real text in Noto Sans (a static SemiBold cut of the variable font by
``signing.fonts.static_noto_sans``, made once and kept in FONT_DIR, the parent's private
folder), drawn by fpdf2 as one form XObject per page size: rows of TEXT at 35°, 22 %
opaque, across the whole visible page, upright as the page is displayed (whatever its
/Rotate). Each page's own content is wrapped in ``q … Q`` and left as it was, so its text
stays extractable.
"""

from __future__ import annotations

import io
import math
import os
import secrets
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meeting_server.pdf.children.limits import run_worker
from meeting_server.pdf.children.screen import scan
from signing.fonts import static_noto_sans

if TYPE_CHECKING:
    import pikepdf

USAGE = "meeting_server.pdf.children.watermark IN OUT FONT_DIR TEXT"
FONT_WEIGHT = 600  # SemiBold: thin strokes vanish at 22 % opacity
ANGLE = 35.0
OPACITY = 0.22
COLOUR = (200, 30, 30)
ROW_GAP = 6.0  # rows are this many font sizes apart
Box = tuple[float, float, float, float]


def main(argv: list[str]) -> int:
    """Stamp ``argv[1]`` into ``argv[2]`` with the text ``argv[4]``; print the report."""
    return run_worker(argv, USAGE, lambda args: stamp(args[0], args[1], Path(args[2]), args[3]))


def stamp(in_path: str, out_path: str, font_dir: Path, text: str) -> dict[str, Any]:
    """Write a copy of the PDF with ``text`` over every page; flatten signatures first."""
    import pikepdf

    font = static_noto_sans(FONT_WEIGHT, folder=font_dir)
    text = drawable(text, font)
    with pikepdf.open(in_path) as pdf:
        signed = scan(pdf).signed
        if signed:
            flatten_signatures(pdf)
        add_watermark(pdf, lambda width, height: overlay_pdf(width, height, font, text))
        with open(out_path, "xb") as out:
            pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            out.flush()
            os.fsync(out.fileno())
        return {"ok": True, "pages": len(pdf.pages), "signed": signed}


def flatten_signatures(pdf: pikepdf.Pdf) -> None:
    """Draw signature stamps into the pages and drop the fields that no longer verify.

    The copy's bytes differ from the signed ones, so its signatures could only show as
    broken; the signed original stays in storage, unchanged, for validation.
    """
    pdf.flatten_annotations("all")
    for key in ("/Perms", "/AcroForm"):
        if key in pdf.Root:
            del pdf.Root[key]


def add_watermark(pdf: pikepdf.Pdf, overlay: Callable[[float, float], bytes]) -> None:
    """Draw the overlay for each page's displayed size over the page's visible area."""
    import pikepdf

    tag = secrets.token_hex(4)  # a resource name no producer uses
    forms: dict[tuple[float, float], tuple[pikepdf.Name, pikepdf.Object]] = {}
    for page in pdf.pages:
        box: Box = tuple(float(v) for v in page.cropbox)  # type: ignore[assignment]
        rotation = page.rotation % 360 if page.rotation % 90 == 0 else 0
        width, height = box[2] - box[0], box[3] - box[1]
        if rotation in (90, 270):
            width, height = height, width
        size = (round(abs(width), 1), round(abs(height), 1))
        if size not in forms:
            with pikepdf.open(io.BytesIO(overlay(*size))) as source:
                form = pdf.copy_foreign(source.pages[0].as_form_xobject())
            forms[size] = (pikepdf.Name(f"/MeetingWatermark{tag}n{len(forms)}"), form)
        name, form = forms[size]
        page.add_resource(form, pikepdf.Name.XObject, name)
        matrix = " ".join(f"{v:.4f}" for v in display_matrix(box, rotation))
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        drawing = f"\nQ\nq {matrix} cm {name} Do Q\n".encode()
        page.contents_add(pdf.make_stream(drawing), prepend=False)


def display_matrix(box: Box, rotation: int) -> tuple[float, ...]:
    """Return the matrix from upright display coordinates to the page's user space."""
    llx, lly, urx, ury = box
    width, height = urx - llx, ury - lly
    return {
        0: (1, 0, 0, 1, llx, lly),
        90: (0, 1, -1, 0, llx + width, lly),
        180: (-1, 0, 0, -1, llx + width, lly + height),
        270: (0, -1, 1, 0, llx, lly + height),
    }[rotation]


def overlay_pdf(width: float, height: float, font: Path, text: str) -> bytes:
    """Return a one-page PDF of ``width`` × ``height`` pt covered in diagonal rows of text."""
    from fpdf import FPDF

    doc = FPDF(unit="pt", format=(max(width, 1.0), max(height, 1.0)))
    doc.set_margin(0)
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.add_font("Watermark", fname=str(font))
    size = min(28.0, max(9.0, min(width, height) / 40))
    doc.set_font("Watermark", size=size)
    doc.set_text_color(*COLOUR)
    step = doc.get_string_width(text + "      ")
    reach = math.hypot(width, height) / 2
    centre_x, centre_y = width / 2, height / 2
    rows = math.ceil(reach / (size * ROW_GAP))
    with doc.local_context(fill_opacity=OPACITY), doc.rotation(ANGLE, centre_x, centre_y):
        for row in range(-rows, rows + 1):
            x = centre_x - reach - (row % 2) * step / 2
            while x < centre_x + reach:
                doc.text(x, centre_y + row * size * ROW_GAP, text)
                x += step
    return bytes(doc.output())


def drawable(text: str, font: Path) -> str:
    """Return ``text`` as one NFC line, with characters the font lacks replaced by "?"."""
    from fontTools import ttLib

    with ttLib.TTFont(font, lazy=True) as loaded:
        covered = set(loaded.getBestCmap())
    line = " ".join(unicodedata.normalize("NFC", text).split())
    return "".join(char if ord(char) in covered else "?" for char in line)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
