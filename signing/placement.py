"""Where stamps go: the default slots at the foot of a page and the seal over a leader's stamp."""

from __future__ import annotations

__all__ = [
    "DEFAULT_BOX",
    "IMAGE_HEIGHT_SHARE",
    "IMAGE_SHARE",
    "INSET",
    "Box",
    "default_box",
    "seal_box",
]

Box = tuple[float, float, float, float]
"""A field rectangle ``(x1, y1, x2, y2)`` in PDF points."""

INSET = 2  # between the field's edge and the image or text
IMAGE_SHARE = 0.7  # the most of a leader's field width that the signature image may take
IMAGE_HEIGHT_SHARE = 0.55  # and of its height (the image sits centred at the top)

_BOX_WIDTH = 170.0
_BOX_HEIGHT = 80.0
_BOX_GAP = 10.0
_PAGE_MARGIN = 30.0
_A4 = (595.28, 841.89)


def default_box(page_width: float, page_height: float, slot: int) -> Box:
    """Return the field rectangle of stamp number ``slot`` near the bottom of a page.

    Slot 0 is at the bottom right (where Vietnamese documents put the signer's block); further
    slots go leftwards, then wrap to a new row above. Boxes are 170 x 80 pt with 10 pt gaps and
    a 30 pt page margin; an A4 page holds three per row. Coordinates assume a page whose
    MediaBox starts at (0, 0) and that is not rotated.

    :param page_width: the page width in points.
    :param page_height: the page height in points.
    :param slot: the stamp's index, from 0.
    :return: ``(x1, y1, x2, y2)`` in PDF points.
    :raises ValueError: ``slot`` is negative or the page has no room for it.
    """
    usable_width = page_width - 2 * _PAGE_MARGIN
    per_row = int((usable_width + _BOX_GAP) // (_BOX_WIDTH + _BOX_GAP))
    if slot < 0 or per_row < 1:
        raise ValueError(f"No stamp slot {slot} on a {page_width:g} x {page_height:g} pt page")
    row, column = divmod(slot, per_row)
    x2 = page_width - _PAGE_MARGIN - column * (_BOX_WIDTH + _BOX_GAP)
    y1 = _PAGE_MARGIN + row * (_BOX_HEIGHT + _BOX_GAP)
    if y1 + _BOX_HEIGHT > page_height - _PAGE_MARGIN:
        raise ValueError(f"No room for stamp slot {slot} on a {page_height:g} pt high page")
    return (x2 - _BOX_WIDTH, y1, x2, y1 + _BOX_HEIGHT)


DEFAULT_BOX = default_box(*_A4, 0)
"""The field rectangle of a leader's stamp at the bottom right of an A4 page."""


def seal_box(leader: Box, diameter: float) -> Box:
    """Return the square field of a seal of ``diameter`` pt over a leader's stamp at ``leader``.

    Decree 30/2020: the seal, at its real size, overlaps about one third of the leader's
    signature image on the left. The image sits centred at the top of the stamp, at most
    ``IMAGE_SHARE`` of its width and ``IMAGE_HEIGHT_SHARE`` of its height: the seal's right
    edge is a third of the way into that width, and the seal is centred on the image's height.

    :param leader: the leader's field rectangle.
    :param diameter: the seal's real diameter in points (36 mm ≈ 102 pt).
    :return: ``(x1, y1, x2, y2)``; it may reach left of the leader's stamp.
    """
    x1, y1, x2, y2 = (
        min(leader[0], leader[2]),
        min(leader[1], leader[3]),
        max(leader[0], leader[2]),
        max(leader[1], leader[3]),
    )
    image_width = (x2 - x1) * IMAGE_SHARE
    right = x1 + ((x2 - x1) - image_width) / 2 + image_width / 3
    middle = y2 - INSET - (y2 - y1) * IMAGE_HEIGHT_SHARE / 2
    return (right - diameter, middle - diameter / 2, right, middle + diameter / 2)
