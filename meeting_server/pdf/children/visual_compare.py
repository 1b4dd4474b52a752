"""Compare what each signature signed with the current file, in pictures, in a limited process.

Run as ``python -m meeting_server.pdf.children.visual_compare IN RANGES OPTIONS`` by
``services/visual_check.py``: ``IN`` is the PDF, ``RANGES`` a JSON list of ``[field name,
signed length, vouched]`` (``DocumentReport.ranges()``), ``OPTIONS`` a JSON object (``dpi``,
``page_limit``, ``picture_dpi``, ``picture_pages``). Prints one JSON line:
``{"ok": true, "checks": [VisualCheck.to_json()...], "pictures": {...}}`` (see
:func:`pictures`) or ``{"ok": false, "code": ...}``.

pdfium renders here, never in the web process: it is not thread-safe and some files crash
it. Only pypdfium2, Pillow and ``signing.visual`` load (no pyHanko): the child starts fast.
The verify child (uploads) calls :func:`pictures` too, after its own comparison.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meeting_server.pdf.children.limits import Rejected, run_worker

if TYPE_CHECKING:
    from signing.visual import VisualCheck

USAGE = "meeting_server.pdf.children.visual_compare IN RANGES OPTIONS"


def main(argv: list[str]) -> int:
    """Compare the revisions of ``argv[1]`` named in ``argv[2]`` and print the checks."""
    return run_worker(argv, USAGE, lambda args: compare(Path(args[0]), args[1], args[2]))


def compare(source: Path, ranges: str, options: str) -> dict[str, Any]:
    """Return the visual checks of every signed revision of ``source``, with pictures."""
    from signing.visual import compare_signatures

    settings = _json(options, dict)
    signed = signed_ranges(_json(ranges, list))
    data = source.read_bytes()
    checks = compare_signatures(data, signed, visual_options(settings))
    if any("MemoryError" in (check.error or "") for check in checks):
        raise Rejected("too_complex")
    return {
        "ok": True,
        "checks": [check.to_json() for check in checks],
        "pictures": pictures(data, checks, settings),
    }


def signed_ranges(wanted: list[Any]) -> list[Any]:
    """Return ``signing.visual.SignedRange`` of each ``[name, length, vouched]``."""
    from signing.visual import SignedRange

    try:
        return [
            SignedRange(str(name), int(length), vouched is True) for name, length, vouched in wanted
        ]
    except (TypeError, ValueError):
        raise Rejected("bad_arguments") from None


def visual_options(settings: dict[str, Any]) -> Any:
    """Return ``signing.visual.VisualOptions`` from the options JSON."""
    from signing.visual import DEFAULT_DPI, VisualOptions

    limit = settings.get("page_limit")
    return VisualOptions(
        dpi=int(settings.get("dpi") or DEFAULT_DPI),
        page_limit=int(limit) if limit else None,
    )


def pictures(
    data: bytes, checks: tuple[VisualCheck, ...], settings: dict[str, Any]
) -> dict[str, Any]:
    """Return PNG pictures of the changed pages, each once.

    ``{"images": {id: base64 PNG}, "pages": {signed length: {page: [signed id, current
    id]}}}``; an id is ``null`` where that side has no such page. At most ``picture_pages``
    changed pages per signature get pictures.
    """
    from signing.visual import PICTURE_DPI, PICTURE_PAGES

    dpi = int(settings.get("picture_dpi") or PICTURE_DPI)
    most = int(settings.get("picture_pages") or PICTURE_PAGES)
    images: dict[str, str] = {}
    made: dict[tuple[int, int], str | None] = {}

    def picture(length: int, page: int) -> str | None:
        if (length, page) not in made:
            made[length, page] = _encoded(data[:length], page, dpi, images)
        return made[length, page]

    pages: dict[str, dict[str, list[str | None]]] = {}
    for check in checks:
        shown = [
            p for p in check.changed_pages if p <= max(check.pages_signed, check.pages_current)
        ]
        pages[str(check.signed_length)] = {
            str(page): [picture(check.signed_length, page), picture(len(data), page)]
            for page in shown[:most]
        }
    return {"images": images, "pages": pages}


def _encoded(data: bytes, page: int, dpi: int, images: dict[str, str]) -> str | None:
    """Render ``page`` into ``images`` (64-colour PNG, base64) and return its id, or None."""
    from signing.visual import png, render_page

    try:
        image = render_page(data, page, dpi)
    except Exception:  # the verdict stands; only this picture is missing
        return None
    if image is None:
        return None
    encoded = png(image.quantize(colors=64))
    key = hashlib.sha256(encoded).hexdigest()[:16]
    images[key] = base64.b64encode(encoded).decode("ascii")
    return key


def _json(argument: str, kind: type) -> Any:
    try:
        value = json.loads(argument)
    except ValueError:
        raise Rejected("bad_arguments") from None
    if not isinstance(value, kind):
        raise Rejected("bad_arguments")
    return value


if __name__ == "__main__":
    sys.exit(main(sys.argv))
