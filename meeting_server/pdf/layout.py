"""The Decree 30 parts of a generated document: letterhead, number and date, title, signature
blocks — each drawn with fpdf2 and, where a signature or the clerk writes later, declared
(``pdf/blocks.py``) so the signing route puts them in place.

The page is A4 in millimetres with fpdf2's origin at the top left; declarations are in PDF
points from the bottom left (:func:`to_points`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from fpdf import FPDF

from .blocks import Block, Field, Rect
from .fonts import FAMILY, drawable

__all__ = [
    "centered",
    "draft_mark",
    "letterhead",
    "line_count",
    "recipients_and_signature",
    "room",
    "rule",
    "signature_blocks",
    "signature_row_height",
    "title",
    "to_points",
]

_POINTS_PER_MM = 72 / 25.4
_LEFT_X, _LEFT_W, _RIGHT_X, _RIGHT_W = 16.0, 74.0, 90.0, 110.0
_NUMBER_LABEL = "Số:"
_NUMBER_W = 44.0  # mm: room for "123/BB-UBND" and a longer organisation code
_BLOCK_GAP = 30.0  # mm between "(Ký, ghi rõ họ tên)" and the name: the stamp's height
_STAMP_W = 53.0  # mm (150 pt): the leader's stamp, centred in its column
_DATE_SAMPLE = "ngày 00 tháng 00 năm 0000"  # as wide as any date the seal writes
_SEAL_TEXT_SIZE = 11  # pt: signing/form_fields.py writes the number and date at this size
_SIGNER_SIZE = 13  # pt: the signer's heading and name (Decree 30: 13-14, bold)
_RECIPIENTS_SHARE = 0.45  # of the text width: "Nơi nhận" on the left, the signer on the right
_ARCHIVE = "Lưu: VT"


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
    pdf: FPDF, organisation: str, dated: datetime | None, notation: str, *, place: str = ""
) -> tuple[Field, ...]:
    """Draw the organisation and number (left), the national motto and date (right).

    ``dated`` None: the document is issued by the clerk's seal, so its number and date of issue
    are left to two declared fields (returned) that the seal's revision fills. Otherwise the
    number is left blank before ``notation`` ("/BB") and the date printed, as on a draft.
    ``place`` ("Quận 1") is printed before the date, as Decree 30 has it; none by default.
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
        centered(pdf, _RIGHT_X, _RIGHT_W, f"{place}, {text}" if place else text, "I", 11)
        pdf.set_y(pdf.y + 7)
        return ()
    return _number_and_date(pdf, row, place)


def _number_and_date(pdf: FPDF, row: float, place: str = "") -> tuple[Field, ...]:
    """Print "Số:" and declare the number's and the date's fields on the letterhead's row."""
    pdf.set_font(FAMILY, "", 11)
    label_w = pdf.get_string_width(_NUMBER_LABEL) + 1.5
    start = _LEFT_X + (_LEFT_W - label_w - _NUMBER_W) / 2
    pdf.set_xy(start, row)
    pdf.cell(label_w, 5.3, _NUMBER_LABEL)
    page = pdf.page - 1
    number = to_points(pdf, start + label_w, row - 2.2, _NUMBER_W, 6.5)
    if place:
        date = Field("doc_date", page, _place_then_date(pdf, row, place), "left")
    else:
        date = Field("doc_date", page, to_points(pdf, _RIGHT_X, row - 2.2, _RIGHT_W, 6.5), "centre")
    pdf.set_y(row + 5.3 + 7)
    return (Field("doc_number", page, number), date)


def _place_then_date(pdf: FPDF, row: float, place: str) -> Rect:
    """Print "<place>, " so that it and the date the seal writes after it are centred together;
    return the date field's rectangle (starting where the place ends)."""
    pdf.set_font(FAMILY, "", _SEAL_TEXT_SIZE)
    date_w = pdf.get_string_width(_DATE_SAMPLE) + 2 / _POINTS_PER_MM  # the field's 1 pt margins
    pdf.set_font(FAMILY, "I", 11)
    lead = drawable(f"{place}, ")
    lead_w = min(pdf.get_string_width(lead), _RIGHT_W - date_w - 4)
    start = _RIGHT_X + (_RIGHT_W - lead_w - date_w) / 2
    pdf.set_xy(start - pdf.c_margin, row)  # a cell's text starts c_margin inside it
    pdf.cell(lead_w + pdf.c_margin, 5.3, lead)
    return to_points(pdf, start + lead_w, row - 2.2, date_w + 4, 6.5)


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


def draft_mark(pdf: FPDF, mark: str) -> None:
    """Mark the current page as a draft: a light diagonal ``mark`` and a red box at the top."""
    with pdf.local_context(text_color=(232, 232, 232)):
        pdf.set_font(FAMILY, "B", 80)
        with pdf.rotation(35, x=pdf.w / 2, y=pdf.h / 2):
            width = pdf.get_string_width(mark)
            pdf.text(pdf.w / 2 - width / 2, pdf.h / 2 + 10, mark)
    with pdf.local_context(text_color=(170, 0, 0), draw_color=(170, 0, 0)):
        pdf.set_font(FAMILY, "B", 11)
        pdf.set_xy(pdf.w - pdf.r_margin - 27, 8)
        pdf.cell(27, 7, mark, border=1, align="C")
    pdf.set_xy(pdf.l_margin, pdf.t_margin)


def line_count(pdf: FPDF, width: float, text: str) -> int:
    """Return how many lines ``text`` takes in the current font over ``width`` mm."""
    lines = pdf.multi_cell(width, 1, drawable(text), dry_run=True, output="LINES")
    return len(cast(list[str], lines))


def signature_row_height(pdf: FPDF, recipients: Sequence[str], heading: str) -> float:
    """Return the height in mm of :func:`recipients_and_signature`'s row (of its signature
    alone when the recipients are longer than a page: they then run onto the next)."""
    left_w, _right_w = _row_widths(pdf)
    left = 12 * 0.5  # "Nơi nhận:"
    pdf.set_font(FAMILY, "", 11)
    for line in _recipient_lines(recipients):
        left += line_count(pdf, left_w, line) * 11 * 0.45
    right = (len(heading.splitlines()) + 1) * _SIGNER_SIZE * 0.5 + _BLOCK_GAP
    if left > pdf.page_break_trigger - pdf.t_margin - 10:
        return right + 6
    return max(left, right) + 6


def recipients_and_signature(
    pdf: FPDF, recipients: Sequence[str], heading: str, name: str
) -> Block:
    """Draw "Nơi nhận" (left) beside the signer's block (right) and return the block.

    The signer's block is ``heading`` ("KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH", one line per line),
    the space for the signature and the seal (declared as role "chair"), and ``name``. The
    recipients are listed one a line, "- Lưu: VT." last (added unless one starts "Lưu").
    The row stays on one page, above the bottom margin, unless the list is longer than a page.
    """
    room(pdf, signature_row_height(pdf, recipients, heading))
    left_w, right_w = _row_widths(pdf)
    top, x = pdf.y + 2, pdf.l_margin + left_w
    pdf.set_y(top)
    for line in heading.splitlines() or [""]:
        centered(pdf, x, right_w, line.upper(), "B", _SIGNER_SIZE)
    stamp_w = min(right_w, _STAMP_W)
    box = to_points(pdf, x + (right_w - stamp_w) / 2, pdf.y + 0.5, stamp_w, _BLOCK_GAP - 1)
    block = Block("chair", pdf.page - 1, box)
    pdf.set_y(pdf.y + _BLOCK_GAP)
    centered(pdf, x, right_w, name, "B", _SIGNER_SIZE)
    page, bottom = pdf.page, pdf.y
    pdf.set_y(top)
    _recipients(pdf, recipients, left_w)
    pdf.set_y((max(bottom, pdf.y) if pdf.page == page else pdf.y) + 4)
    return block


def _row_widths(pdf: FPDF) -> tuple[float, float]:
    left = round(pdf.epw * _RECIPIENTS_SHARE, 1)
    return left, pdf.epw - left


def _recipient_lines(recipients: Sequence[str]) -> list[str]:
    """Return "- <recipient>;" lines, the archive's "- Lưu: VT." last."""
    names = [r.strip().lstrip("-").strip().rstrip(";.").strip() for r in recipients]
    archive = [n for n in names if n.startswith("Lưu")][-1:] or [_ARCHIVE]
    others = [n for n in names if n and not n.startswith("Lưu")]
    return [f"- {n};" for n in others] + [f"- {archive[0]}."]


def _recipients(pdf: FPDF, recipients: Sequence[str], width: float) -> None:
    """Write "Nơi nhận:" (bold italic, 12 pt) and its lines (11 pt) at the left margin."""
    pdf.set_font(FAMILY, "BI", 12)
    pdf.set_x(pdf.l_margin)
    pdf.cell(width, 12 * 0.5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    for line in _recipient_lines(recipients):
        pdf.multi_cell(width, 11 * 0.45, drawable(line), align="L", new_x="LMARGIN", new_y="NEXT")
