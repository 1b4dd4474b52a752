"""The Decree 30 parts of a generated document: letterhead, number and date, title, signature
blocks — each drawn with fpdf2 and, where a signature or the clerk writes later, declared
(``pdf/blocks.py``) so the signing route puts them in place.

The page is A4 in millimetres with fpdf2's origin at the top left; declarations are in PDF
points from the bottom left (:func:`to_points`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF

from .blocks import Block, Field, Rect
from .fonts import FAMILY, drawable

__all__ = ["centered", "letterhead", "room", "rule", "signature_blocks", "title", "to_points"]

_POINTS_PER_MM = 72 / 25.4
_LEFT_X, _LEFT_W, _RIGHT_X, _RIGHT_W = 16.0, 74.0, 90.0, 110.0
_NUMBER_LABEL = "Số:"
_NUMBER_W = 44.0  # mm: room for "123/BB-UBND" and a longer organisation code
_BLOCK_GAP = 30.0  # mm between "(Ký, ghi rõ họ tên)" and the name: the stamp's height
_STAMP_W = 53.0  # mm (150 pt): the leader's stamp, centred in its column


def room(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm fit below (keeps a heading with what follows)."""
    if pdf.y + height > pdf.page_break_trigger:
        pdf.add_page()


def centered(pdf: FPDF, x: float, w: float, text: str, style: str, size: float) -> float:
    """Write one centred line in the column [x, x + w] and return its text width."""
    pdf.set_font(FAMILY, style, size)
    pdf.set_x(x)
    pdf.multi_cell(w, size * 0.48, drawable(text), align="C", new_x="LEFT", new_y="NEXT")
    return min(w, pdf.get_string_width(drawable(text)))


def rule(pdf: FPDF, x: float, w: float, length: float) -> None:
    """Draw the short rule under a heading, centred in [x, x + w]."""
    start = x + (w - length) / 2
    pdf.set_line_width(0.3)
    pdf.line(start, pdf.y + 1.2, start + length, pdf.y + 1.2)


def to_points(pdf: FPDF, x: float, top: float, w: float, h: float) -> Rect:
    """Return the rectangle at (x, top) mm, w × h mm, as PDF points from the bottom left."""
    k = _POINTS_PER_MM
    bottom = pdf.h - (top + h)
    return (
        round(x * k, 2),
        round(bottom * k, 2),
        round((x + w) * k, 2),
        round((bottom + h) * k, 2),
    )


def letterhead(
    pdf: FPDF, organisation: str, dated: datetime | None, notation: str
) -> tuple[Field, ...]:
    """Draw the organisation and number (left), the national motto and date (right).

    ``dated`` None: the document is issued by the clerk's seal, so its number and date of issue
    are left to two declared fields (returned) that the seal's revision fills. Otherwise the
    number is left blank before ``notation`` ("/BB") and the date printed, as on a draft.
    """
    top = pdf.t_margin
    pdf.set_y(top)
    name_w = centered(pdf, _LEFT_X, _LEFT_W, organisation.upper(), "B", 11)
    if organisation:
        rule(pdf, _LEFT_X, _LEFT_W, name_w / 3)
    left_bottom = pdf.y
    pdf.set_y(top)
    centered(pdf, _RIGHT_X, _RIGHT_W, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", 11)
    motto_w = centered(pdf, _RIGHT_X, _RIGHT_W, "Độc lập - Tự do - Hạnh phúc", "B", 12)
    rule(pdf, _RIGHT_X, _RIGHT_W, motto_w)
    pdf.set_y(max(left_bottom, pdf.y) + 4)
    row = pdf.y
    if dated is not None:
        centered(pdf, _LEFT_X, _LEFT_W, f"Số:        {notation}", "", 11)
        pdf.set_y(row)
        text = f"ngày {dated.day:02d} tháng {dated.month:02d} năm {dated.year}"
        centered(pdf, _RIGHT_X, _RIGHT_W, text, "I", 11)
        pdf.set_y(pdf.y + 7)
        return ()
    return _number_and_date(pdf, row)


def _number_and_date(pdf: FPDF, row: float) -> tuple[Field, ...]:
    """Print "Số:" and declare the number's and the date's fields on the letterhead's row."""
    pdf.set_font(FAMILY, "", 11)
    label_w = pdf.get_string_width(_NUMBER_LABEL) + 1.5
    start = _LEFT_X + (_LEFT_W - label_w - _NUMBER_W) / 2
    pdf.set_xy(start, row)
    pdf.cell(label_w, 5.3, _NUMBER_LABEL)
    page = pdf.page - 1
    fields = (
        Field("doc_number", page, to_points(pdf, start + label_w, row - 2.2, _NUMBER_W, 6.5)),
        Field("doc_date", page, to_points(pdf, _RIGHT_X, row - 2.2, _RIGHT_W, 6.5), "centre"),
    )
    pdf.set_y(row + 5.3 + 7)
    return fields


def title(pdf: FPDF, kind: str, subject: str) -> None:
    """Draw the document's kind ("BIÊN BẢN CUỘC HỌP") and subject, centred, with a rule."""
    centered(pdf, pdf.l_margin, pdf.epw, kind, "B", 14)
    pdf.set_y(pdf.y + 1)
    centered(pdf, pdf.l_margin, pdf.epw, subject, "B", 12.5)
    rule(pdf, pdf.l_margin, pdf.epw, 35)
    pdf.set_y(pdf.y + 6)


def signature_blocks(pdf: FPDF, blocks: Sequence[tuple[str, str, str]]) -> tuple[Block, ...]:
    """Draw signature blocks side by side and return where their stamps go.

    Each block is (title, name, role): "CHỦ TRÌ", "(Ký, ghi rõ họ tên)", the stamp's space,
    the name; an empty title leaves its column empty. The whole row stays on one page, above
    the footer.
    """
    room(pdf, _BLOCK_GAP + 30)
    top = pdf.y + 4
    width = pdf.epw / len(blocks)
    declared = []
    for index, (heading, name, role) in enumerate(blocks):
        if not heading:
            continue
        x = pdf.l_margin + index * width
        pdf.set_y(top)
        centered(pdf, x, width, heading, "B", 12)
        centered(pdf, x, width, "(Ký, ghi rõ họ tên)", "I", 10)
        stamp_w = min(width, _STAMP_W)
        box = to_points(pdf, x + (width - stamp_w) / 2, pdf.y + 0.5, stamp_w, _BLOCK_GAP - 1)
        declared.append(Block(role, pdf.page - 1, box))
        pdf.set_y(pdf.y + _BLOCK_GAP)
        centered(pdf, x, width, name, "B", 12)
    pdf.set_y(pdf.y + 4)
    return tuple(declared)
