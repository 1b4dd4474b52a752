"""See what changed after each signature: the signed revision and the current file, rendered.

pyHanko judges an incremental update by the PDF objects it touches; a "shadow" attack passes
that test (an update pyHanko classifies as form filling) while the page shows other content.
This module compares pictures instead: for each signature, the revision it signed (the bytes
up to the end of its ``/ByteRange``) and the current file are rendered with pdfium, page by
page, and every visible difference outside the *allowed later additions* is reported as a
change after signing, with its pages (from 1) and regions (in points).

Allowed later additions (the masking rule). A picture may change after a signature only
where something this signer could foresee was filled in, and only as far as that cannot hide
or alter what the signer saw:

* a **signature field that was an empty placeholder** in the signed revision (the route's
  empty fields in the signature blocks) is masked over its whole signed rectangle, but only
  once a *vouched* signature fills it: a later signature of the document that is itself
  intact, cryptographically valid, trusted and not revoked (:attr:`SignedRange.vouched`,
  known from the validation report). Such a stamp may draw over the signed picture (the
  seal over the left third of the chair's signature, Decree 30);
* a **new vouched signature** (a field that did not exist in the signed revision) is masked
  at its rectangle only where the signed picture of that rectangle was blank: a stamp on an
  empty margin is what a later signer adds, a stamp over content hides what this signer saw;
* any **other field** (a text field such as the clerk's ``doc_number``, ``doc_date`` and
  ``doc_issue``) empty when signed and holding a value now is masked at its signed rectangle
  only if that rectangle rendered **blank** (white) in the signed revision: neither page
  content under it nor the field's own old appearance. Otherwise every difference inside
  it counts (a transparent empty field over the amount, an empty field whose appearance
  shows one).

A signature field with an unvouched signature (unknown signer, broken, revoked), a
``/V`` written without a valid signature, or a name used by more than one widget on a page
is never masked: what it draws is a change. A field's value (``/V``) that changes after
signing while it already had one is a change on its widget's page even if the picture is
the same (an old appearance kept, ``/NeedAppearances`` set). Invisible signatures (document
timestamps) draw nothing. Everything else that renders differently is a change: text,
images, annotations, a changed page size or rotation, pages added or removed. A field's
appearance that changes while the field stays empty is not "filling" and is a change too.
:attr:`VisualCheck.allowed` names the fields masked, :attr:`VisualCheck.later_signatures`
the vouched signatures among them.

The comparison renders at a low resolution (:data:`DEFAULT_DPI`: text changes of a normal
font size change several pixels) with annotations and form fields drawn as a viewer draws
them. Every page is compared; ``page_limit`` is a safety valve only, and a report made under
it says so (:attr:`VisualCheck.capped`): :mod:`signing.validate` does not call such a
signature valid. Hazard: pdfium is not thread-safe and a hostile file
can crash it: call this in a separate, resource-limited process.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from PIL import Image

__all__ = [
    "ALGORITHM",
    "DEFAULT_DPI",
    "PICTURE_DPI",
    "PICTURE_PAGES",
    "PageChange",
    "Region",
    "SignedRange",
    "VisualCheck",
    "VisualOptions",
    "compare_signatures",
    "png",
    "render_page",
]

DEFAULT_DPI = 50
#: Pictures shown for a changed page: their resolution and how many pages per signature.
PICTURE_DPI = 96
PICTURE_PAGES = 3
#: The masking rule's version: kept results made under another one are not served.
ALGORITHM = 2
#: Differences are gathered in cells of this many pixels, then into at most MAX_REGIONS boxes.
CELL = 8
MAX_REGIONS = 8

Box = tuple[int, int, int, int]  # pixels: left, top, right, bottom (inclusive)


@dataclass(frozen=True)
class VisualOptions:
    """How to compare.

    :param dpi: Rendering resolution (dots per inch) of the comparison.
    :param page_limit: Compare at most this many pages (``None``: all; a safety valve only).
    """

    dpi: int = DEFAULT_DPI
    page_limit: int | None = None


@dataclass(frozen=True)
class SignedRange:
    """One signature: its field and where its signed revision ends.

    :param field_name: The signature field's name.
    :param signed_length: The end of its ``/ByteRange`` (the signed revision's length).
    :param vouched: The signature is intact, valid, trusted and not revoked: its stamp may be
        masked in the checks of earlier signatures (see the masking rule).
    """

    field_name: str
    signed_length: int
    vouched: bool = False


@dataclass(frozen=True)
class Region:
    """A changed rectangle in points, origin at the bottom-left of the page as displayed.

    For an unrotated page this is PDF user space measured from the crop box's corner.
    """

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class PageChange:
    """One page that looks different now from what a signer saw.

    :param page: Page number, from 1.
    :param kind: "content", "size" (size or rotation), "added" or "removed".
    :param width: The page's displayed width in points (current page, else the signed one).
    :param height: Its displayed height in points.
    :param regions: Where it changed (bounded: nearby differences are merged).
    """

    page: int
    kind: str
    width: float
    height: float
    regions: tuple[Region, ...]


@dataclass(frozen=True)
class VisualCheck:
    """The visual verdict on one signature.

    :param field_name: The signature field.
    :param signed_length: The length of the revision it signed.
    :param changed: Whether anything visible changed outside the allowed additions.
    :param pages: The changed pages.
    :param pages_signed: Pages in the signed revision.
    :param pages_current: Pages in the current file.
    :param pages_compared: Pages rendered and compared.
    :param capped: The page limit applied: pages after ``pages_compared`` were not compared.
    :param allowed: The fields whose later filling or new stamps were allowed (masked).
    :param later_signatures: The vouched later signatures among them (added by their signers).
    :param error: Why the comparison could not be made (then the signature is not valid).
    """

    field_name: str
    signed_length: int
    changed: bool
    pages: tuple[PageChange, ...] = ()
    pages_signed: int = 0
    pages_current: int = 0
    pages_compared: int = 0
    capped: bool = False
    allowed: tuple[str, ...] = ()
    error: str | None = None
    later_signatures: tuple[str, ...] = ()

    @property
    def changed_pages(self) -> tuple[int, ...]:
        """Return the numbers (from 1) of the changed pages."""
        return tuple(change.page for change in self.pages)

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VisualCheck:
        """Rebuild a check from :meth:`to_json` data.

        :param data: What :meth:`to_json` returned.
        """
        pages = tuple(
            PageChange(
                page=int(p["page"]),
                kind=str(p["kind"]),
                width=float(p["width"]),
                height=float(p["height"]),
                regions=tuple(
                    Region(*(float(r[k]) for k in "x0 y0 x1 y1".split())) for r in p["regions"]
                ),
            )
            for p in data.get("pages", ())
        )
        return cls(
            field_name=str(data["field_name"]),
            signed_length=int(data["signed_length"]),
            changed=bool(data["changed"]),
            pages=pages,
            pages_signed=int(data.get("pages_signed", 0)),
            pages_current=int(data.get("pages_current", 0)),
            pages_compared=int(data.get("pages_compared", 0)),
            capped=bool(data.get("capped", False)),
            allowed=tuple(str(name) for name in data.get("allowed", ())),
            error=data.get("error"),
            later_signatures=tuple(str(name) for name in data.get("later_signatures", ())),
        )


def compare_signatures(
    data: bytes, signatures: Sequence[SignedRange], options: VisualOptions | None = None
) -> tuple[VisualCheck, ...]:
    """Compare what each signature signed with ``data``, page by page; never raises.

    The current file is rendered once per page and compared with every signed revision.

    :param data: The whole (current) file.
    :param signatures: The signatures, each with the end of its signed revision.
    :param options: Resolution and page limit.
    """
    from .visual_pages import compare

    options = options or VisualOptions()
    try:
        return compare(data, signatures, options)
    except Exception as error:  # a file pdfium cannot read is not "unchanged": not valid
        detail = f"{type(error).__name__}: {error}"
        return tuple(
            VisualCheck(sig.field_name, sig.signed_length, changed=False, error=detail)
            for sig in signatures
        )


def render_page(data: bytes, page: int, dpi: int) -> Image.Image | None:
    """Render page ``page`` (from 1) of ``data`` as a viewer shows it, or None if it has none.

    :param data: A PDF (a whole file or a signed revision).
    :param page: Page number, from 1.
    :param dpi: Resolution.
    """
    from .visual_pages import Document, render

    document = Document.open(data)
    try:
        if not 1 <= page <= document.length:
            return None
        return render(document.pdf[page - 1], dpi)
    finally:
        document.close()


def png(image: Image.Image) -> bytes:
    """Return ``image`` as PNG bytes.

    :param image: A rendered page.
    """
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def changed_boxes(changed: Image.Image) -> list[Box]:
    """Gather changed pixels (a 0/255 picture) into cells, cells into nearby groups, groups
    into a few boxes (pixels); for :mod:`signing.visual_pages`."""
    grid = changed.reduce(CELL)
    columns = grid.width
    cells = {(i % columns, i // columns) for i, value in enumerate(grid.tobytes()) if value}
    groups: list[Box] = []
    while cells:
        todo = [cells.pop()]
        left, top = right, bottom = todo[0]
        while todo:
            x, y = todo.pop()
            left, top, right, bottom = min(left, x), min(top, y), max(right, x), max(bottom, y)
            near = {(x + dx, y + dy) for dx in range(-2, 3) for dy in range(-2, 3)} & cells
            cells -= near
            todo.extend(near)
        groups.append((left, top, right, bottom))
    groups = _few(groups)
    width, height = changed.size
    return [
        (x0 * CELL, y0 * CELL, min(width, (x1 + 1) * CELL) - 1, min(height, (y1 + 1) * CELL) - 1)
        for x0, y0, x1, y1 in sorted(groups, key=lambda g: (g[1], g[0]))
    ]


def _few(groups: list[Box]) -> list[Box]:
    """Merge groups into bands of overlapping rows, and into one box if still too many."""
    if len(groups) <= MAX_REGIONS:
        return groups
    bands: list[Box] = []
    for left, top, right, bottom in sorted(groups, key=lambda g: g[1]):
        if bands and top <= bands[-1][3] + 2:
            x0, y0, x1, y1 = bands[-1]
            bands[-1] = (min(x0, left), y0, max(x1, right), max(y1, bottom))
        else:
            bands.append((left, top, right, bottom))
    if len(bands) <= MAX_REGIONS:
        return bands
    return [(min(g[0] for g in bands), bands[0][1], max(g[2] for g in bands), bands[-1][3])]
