"""Render pages with pdfium and find what differs (the workings of :mod:`signing.visual`).

Pages are compared in the order of the file, the current page rendered once for every signed
revision. No page is skipped because its objects look unchanged: rendering costs ~1–3 ms a
page at the comparison's resolution, while proving that two revisions draw a page alike
would mean proving that pdfium resolves every object, inherited attribute and document-wide
setting (optional content, form defaults) as pyHanko does, including in files built to make
them disagree.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageDraw

from .visual import (
    Box,
    PageChange,
    Region,
    SignedRange,
    VisualCheck,
    VisualOptions,
    changed_boxes,
)

__all__ = ["Document", "compare", "render"]

#: A difference (0–255, the largest of the three channels) above this is a change;
#: the same bytes render identically, so this only absorbs anti-aliasing at a mask's edge.
THRESHOLD = 40
#: Near-white: a signed picture of a rectangle with no darker pixel was blank.
BLANK = 245
#: Pixels added around every mask (anti-aliasing spills over a widget's edge).
MASK_PAD = 1


@dataclass
class _Widget:
    name: str
    kind: int  # pdfium's FPDF_FORMFIELD_*
    filled: bool  # a signature: has /V; another field: has a value
    value: str  # the field's value ("" for a signature)
    box: Box  # in the rendered picture's pixels


@dataclass
class Document:
    """One rendering of a file: pdfium's document with its form environment."""

    pdf: Any
    length: int
    field_name: str = ""
    signed_length: int = 0

    @classmethod
    def open(cls, data: bytes, sig: SignedRange | None = None) -> Document:
        """Open ``data`` (the revision ``sig`` signed, or the current file)."""
        pdf = pdfium.PdfDocument(data)
        pdf.init_forms()  # draw fields as a viewer does (appearances, NeedAppearances)
        if sig is None:
            return cls(pdf, len(pdf))
        return cls(pdf, len(pdf), sig.field_name, sig.signed_length)

    def close(self) -> None:
        self.pdf.close()


def compare(
    data: bytes, signatures: Sequence[SignedRange], options: VisualOptions
) -> tuple[VisualCheck, ...]:
    """Compare each signed revision with ``data`` (:func:`signing.visual.compare_signatures`).

    A signed revision pdfium cannot open gets a check with its error; the others go on.
    """
    current = Document.open(data)
    opened: list[Document | str] = []
    for sig in signatures:
        try:
            opened.append(Document.open(data[: sig.signed_length], sig))
        except Exception as error:  # one broken signature must not hide the others' result
            opened.append(f"{type(error).__name__}: {error}")
    readable = [doc for doc in opened if isinstance(doc, Document)]
    vouched = frozenset(sig.field_name for sig in signatures if sig.vouched)
    try:
        results = iter(_compare_all(current, readable, options, vouched))
        return tuple(
            next(results)
            if isinstance(doc, Document)
            else VisualCheck(sig.field_name, sig.signed_length, changed=False, error=doc)
            for sig, doc in zip(signatures, opened, strict=True)
        )
    finally:
        for doc in (current, *readable):
            doc.close()


def _compare_all(
    current: Document, signed: list[Document], options: VisualOptions, vouched: frozenset[str]
) -> list[VisualCheck]:
    found: list[list[PageChange]] = [[] for _ in signed]
    allowed: list[set[str]] = [set() for _ in signed]
    pages = max([current.length, *(doc.length for doc in signed)], default=0)
    compared = pages if options.page_limit is None else min(pages, options.page_limit)
    for index in range(compared):
        _compare_page(index, current, signed, (options.dpi, vouched), found, allowed)
    for doc, changes in zip(signed, found, strict=True):
        changes.extend(_counted_beyond(compared, pages, current, doc))
    return [
        VisualCheck(
            field_name=doc.field_name,
            signed_length=doc.signed_length,
            changed=bool(changes),
            pages=tuple(changes),
            pages_signed=doc.length,
            pages_current=current.length,
            pages_compared=compared,
            capped=compared < pages,
            allowed=tuple(sorted(names)),
            later_signatures=tuple(sorted(names & vouched)),
        )
        for doc, changes, names in zip(signed, found, allowed, strict=True)
    ]


def _compare_page(
    index: int,
    current: Document,
    signed: list[Document],
    how: tuple[int, frozenset[str]],
    found: list[list[PageChange]],
    allowed: list[set[str]],
) -> None:
    """Compare page ``index`` of every signed revision with the current one (rendered once);
    ``how`` is the resolution and the vouched signatures."""
    dpi, vouched = how
    now = _PageView.of(current, index, dpi) if index < current.length else None
    for doc, changes, names in zip(signed, found, allowed, strict=True):
        then = _PageView.of(doc, index, dpi) if index < doc.length else None
        if now is None or then is None:
            gone = now is None
            view = then if gone else now
            assert view is not None  # noqa: S101 — index < one of the two lengths
            changes.append(view.whole_page("removed" if gone else "added", index))
            continue
        change = _page_difference(index, then, now, vouched, names)
        if change is not None:
            changes.append(change)


def _counted_beyond(
    compared: int, pages: int, current: Document, signed: Document
) -> Iterator[PageChange]:
    """Pages past the limit were not rendered, but an added or removed page is still known."""
    for index in range(compared, pages):
        if (index < current.length) != (index < signed.length):
            kind = "added" if index < current.length else "removed"
            yield PageChange(index + 1, kind, 0.0, 0.0, ())


@dataclass
class _PageView:
    """A rendered page with its displayed size, rotation and form-field widgets."""

    image: Image.Image
    width: float
    height: float
    rotation: int
    widgets: list[_Widget]

    @classmethod
    def of(cls, doc: Document, index: int, dpi: int) -> _PageView:
        page = doc.pdf[index]
        image = render(page, dpi)
        width, height = page.get_size()
        return cls(image, width, height, page.get_rotation(), _widgets(doc, page, image.size))

    def whole_page(self, kind: str, index: int) -> PageChange:
        width, height = round(self.width, 1), round(self.height, 1)
        return PageChange(index + 1, kind, width, height, (Region(0.0, 0.0, width, height),))

    def region(self, box: Box) -> Region:
        """Return the pixel box ``box`` in points (origin bottom-left)."""
        sx, sy = self.width / self.image.width, self.height / self.image.height
        left, top, right, bottom = box
        return Region(
            round(left * sx, 1),
            round(self.height - (bottom + 1) * sy, 1),
            round((right + 1) * sx, 1),
            round(self.height - top * sy, 1),
        )


def _page_difference(
    index: int, then: _PageView, now: _PageView, vouched: frozenset[str], allowed: set[str]
) -> PageChange | None:
    if (
        abs(then.width - now.width) > 0.5
        or abs(then.height - now.height) > 0.5
        or then.rotation != now.rotation
        or then.image.size != now.image.size
    ):
        return now.whole_page("size", index)
    red, green, blue = ImageChops.difference(then.image, now.image).split()
    difference = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # any channel counts
    masks, forced = _masks(then, now, vouched)
    draw = ImageDraw.Draw(difference)
    allowed.update(masks)
    for box in (box for boxes in masks.values() for box in boxes):
        draw.rectangle(box, fill=0)
    for box in forced:  # a value changed under a kept appearance: a change however it looks
        draw.rectangle(box, fill=255)
    changed = difference.point(lambda value: 255 if value > THRESHOLD else 0)
    if changed.getbbox() is None:
        return None
    boxes = changed_boxes(changed)
    regions = tuple(now.region(box) for box in boxes)
    return PageChange(index + 1, "content", round(now.width, 1), round(now.height, 1), regions)


def _masks(
    then: _PageView, now: _PageView, vouched: frozenset[str]
) -> tuple[dict[str, list[Box]], list[Box]]:
    """Return the allowed additions on this page (field name -> pixel boxes to ignore) and
    the boxes of fields whose value changed (to count whatever the pictures show)."""
    before: dict[str, list[_Widget]] = {}
    for widget in then.widgets:
        before.setdefault(widget.name, []).append(widget)
    widgets_named = Counter(widget.name for widget in now.widgets)
    masks: dict[str, list[Box]] = {}
    forced: list[Box] = []
    for widget in now.widgets:
        olds = before.get(widget.name, [])
        forced.extend(_value_changed(widget, olds, now.image.size))
        left, top, right, bottom = widget.box
        if right <= left or bottom <= top:
            continue  # an invisible signature (a document timestamp) draws nothing
        if widget.kind != pdfium_c.FPDF_FORMFIELD_SIGNATURE:
            boxes = _filled_fields(widget, olds, then.image)
        elif widget.name in vouched and widget.filled and widgets_named[widget.name] == 1:
            boxes = _vouched_stamp(widget, olds, then.image)
        else:
            boxes = []  # an unvouched signature (or a /V without one) draws a change
        if boxes:
            masks.setdefault(widget.name, []).extend(boxes)
    return masks, forced


def _filled_fields(widget: _Widget, olds: list[_Widget], signed: Image.Image) -> list[Box]:
    """A field empty when signed, filled now: masked only where its rectangle was blank."""
    if not widget.filled:
        return []
    return [
        _padded(old.box, signed.size)
        for old in olds
        if old.kind == widget.kind and not old.filled and _blank(signed, old.box)
    ]


def _vouched_stamp(widget: _Widget, olds: list[_Widget], signed: Image.Image) -> list[Box]:
    """A vouched signature: its placeholder's whole rectangle, or a new one on a blank spot."""
    if olds:
        return [
            _padded(old.box, signed.size)
            for old in olds
            if old.kind == pdfium_c.FPDF_FORMFIELD_SIGNATURE and not old.filled
        ]
    box = _padded(widget.box, signed.size)
    return [box] if _blank(signed, box) else []


def _value_changed(widget: _Widget, olds: list[_Widget], size: tuple[int, int]) -> list[Box]:
    """A field that had a value when signed and has another one now: its boxes, then and now."""
    if widget.kind == pdfium_c.FPDF_FORMFIELD_SIGNATURE:
        return []  # a signature's /V is pyHanko's to judge
    changed = [old for old in olds if old.filled and old.value != widget.value]
    if not changed:
        return []
    return [_padded(widget.box, size), *(_padded(old.box, size) for old in changed)]


def _blank(image: Image.Image, box: Box) -> bool:
    left, top, right, bottom = box
    if right <= left or bottom <= top:
        return True
    extrema = image.crop((left, top, right + 1, bottom + 1)).convert("L").getextrema()
    darkest = cast(tuple[int, int], extrema)[0]
    return darkest >= BLANK


def _padded(box: Box, size: tuple[int, int]) -> Box:
    left, top, right, bottom = box
    return (
        max(0, left - MASK_PAD),
        max(0, top - MASK_PAD),
        min(size[0] - 1, right + MASK_PAD),
        min(size[1] - 1, bottom + MASK_PAD),
    )


def render(page: Any, dpi: int) -> Image.Image:
    """Render an open pdfium page as a viewer shows it (annotations and form fields drawn)."""
    bitmap = page.render(scale=dpi / 72, draw_annots=True, may_draw_forms=True)
    image: Image.Image = bitmap.to_pil().convert("RGB")
    return image


def _device_box(page: Any, size: tuple[int, int], rect: tuple[float, float, float, float]) -> Box:
    """Map a user-space rectangle to the rendered picture's pixels (crop box and rotation)."""
    xs, ys = [], []
    for px, py in ((rect[0], rect[1]), (rect[2], rect[3])):
        x, y = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(
            page.raw, 0, 0, size[0], size[1], 0, px, py, ctypes.byref(x), ctypes.byref(y)
        )
        xs.append(x.value)
        ys.append(y.value)
    return (min(xs), min(ys), max(xs), max(ys))


def _widgets(doc: Document, page: Any, size: tuple[int, int]) -> list[_Widget]:
    """Return the form-field widgets on ``page`` with their full names, kinds and state."""
    form = doc.pdf.formenv.raw if doc.pdf.formenv is not None else None
    found = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) != pdfium_c.FPDF_ANNOT_WIDGET:
                continue
            kind = pdfium_c.FPDFAnnot_GetFormFieldType(form, annot)
            rect = pdfium_c.FS_RECTF()
            if not pdfium_c.FPDFAnnot_GetRect(annot, rect):
                continue
            box = _device_box(page, size, (rect.left, rect.bottom, rect.right, rect.top))
            name = _text(pdfium_c.FPDFAnnot_GetFormFieldName, form, annot)
            value = ""
            if kind != pdfium_c.FPDF_FORMFIELD_SIGNATURE:
                value = _text(pdfium_c.FPDFAnnot_GetFormFieldValue, form, annot)
            found.append(_Widget(name, kind, _filled(annot, kind, value), value, box))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return found


def _filled(annot: Any, kind: int, value: str) -> bool:
    if kind == pdfium_c.FPDF_FORMFIELD_SIGNATURE:
        if pdfium_c.FPDFAnnot_HasKey(annot, b"V"):
            return True
        parent = pdfium_c.FPDFAnnot_GetLinkedAnnot(annot, b"Parent")
        if not parent:
            return False
        try:
            return bool(pdfium_c.FPDFAnnot_HasKey(parent, b"V"))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(parent)
    return value != ""


def _text(getter: Any, form: Any, annot: Any) -> str:
    """Call one of pdfium's UTF-16 string getters (length first, then the text)."""
    length = getter(form, annot, None, 0)
    if length <= 2:
        return ""
    buffer = ctypes.create_string_buffer(length)
    getter(form, annot, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), length)
    return buffer.raw[: length - 2].decode("utf-16-le", errors="replace")
