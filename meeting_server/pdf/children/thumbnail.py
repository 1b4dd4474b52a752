"""Render every page of one PDF as a thumbnail in a throw-away, resource-limited process.

Run as ``python -m meeting_server.pdf.children.thumbnail IN OUT_DIR WIDTH`` by ``thumbnails``.
The process limits its own memory, CPU time, file size and core dumps (``children.limits``)
before it loads pdfium: pdfium is not thread-safe and aborts the whole process on some
hostile files, so it never runs inside the web process. Page N (1-based) is written to
``OUT_DIR/N.webp`` and fsynced. The process prints exactly one JSON
line: ``{"ok": true, "pages": N}`` or ``{"ok": false, "code": "too_complex" | "damaged"}``.

pypdfium2 and Pillow are imported inside the functions, after the limits are in place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meeting_server.pdf.children.limits import run_worker

if TYPE_CHECKING:
    from PIL import Image

USAGE = "meeting_server.pdf.children.thumbnail IN OUT_DIR WIDTH"
#: A page taller than this many times its width is rendered narrower (a 1 × 200 inch strip
#: would otherwise need a bitmap hundreds of megabytes high).
MAX_HEIGHT_RATIO = 8
#: Lossless WebP: text stays crisp and files are about a third of PNG's; method 1 is the
#: fastest setting that keeps most of that gain.
WEBP_OPTIONS: dict[str, Any] = {"lossless": True, "method": 1}


def main(argv: list[str]) -> int:
    """Render ``argv[1]`` at width ``argv[3]`` into ``argv[2]`` and print the report."""
    return run_worker(argv, USAGE, lambda args: render_all(args[0], Path(args[1]), int(args[2])))


def render_all(in_path: str, out_dir: Path, width: int) -> dict[str, Any]:
    """Write a ``width``-pixel-wide WebP of every page of the PDF at ``in_path``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(in_path)
    try:
        count = len(pdf)
        for index in range(count):
            page = pdf[index]
            try:
                image = render_page(page, width)
            finally:
                page.close()
            write_image(image, out_dir / f"{index + 1}.webp")
    finally:
        pdf.close()
    return {"ok": True, "pages": count}


def render_page(page: Any, width: int) -> Image.Image:
    """Return the page as an RGB image ``width`` pixels wide (narrower for extreme strips)."""
    page_width, page_height = page.get_size()  # in points, as displayed (after /Rotate)
    if page_width <= 0 or page_height <= 0:
        raise ValueError("page without a size")
    scale = min(width / page_width, MAX_HEIGHT_RATIO * width / page_height)
    # pypdfium2 rounds the bitmap size up: a hair less keeps exactly ``width`` pixels.
    scale *= 1 - 1e-9
    image: Image.Image = page.render(scale=scale, may_draw_forms=False).to_pil()
    return image.convert("RGB")


def write_image(image: Image.Image, path: Path) -> None:
    """Write ``image`` as WebP to a new file and fsync it."""
    with path.open("xb") as out:
        image.save(out, "WEBP", **WEBP_OPTIONS)
        out.flush()
        os.fsync(out.fileno())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
