"""Render the conclusion notice (Thông báo kết luận) as a Decree 30/2020/NĐ-CP PDF with fpdf2.

Pure rendering, like ``pdf/minutes.py``: a ``NoticeData`` (plain values, dates already in
Vietnam time) goes in, PDF bytes come out, in the sandboxed child ``children/minutes.py``
(kind ``conclusion``). The letterhead leaves a final notice's number ("…/TB-UBND") and date
of issue to the fields the clerk's seal fills; the one signature block, of role ``chair``,
is the leader who concluded, beside "Nơi nhận" at the foot of the last page. The output
carries no /OpenAction (``pdf.fonts.without_open_action``) and declares its block and fields
(``pdf/blocks.py``) for the signing route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fpdf import FPDF

from .blocks import Declaration, declare
from .fonts import FAMILY, add_fonts, drawable, without_open_action
from .layout import (
    draft_mark,
    letterhead,
    line_count,
    recipients_and_signature,
    room,
    signature_row_height,
    title,
)
from .minutes import DRAFT_MARK

__all__ = ["NoticeData", "NoticeItem", "render_conclusion"]

_BODY = 13  # pt (Decree 30: 13-14 for the body)
_LINE = 1.25  # line height, a multiple of the font size
_INDENT = 10.0  # mm: a paragraph's first line, and the lines of an item's task
_GAP = 1.8  # mm between paragraphs (Decree 30: at least 6 pt)
_MM_PER_POINT = 25.4 / 72
_MAX_KEPT = 70.0  # mm: an item up to this height is not split across pages
_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_MEETING_WORDS = ("cuộc họp ", "phiên họp ", "buổi họp ", "hội nghị ", "hội thảo ")


@dataclass(frozen=True)
class NoticeItem:
    """One numbered conclusion; with an owner unit it assigns a task."""

    number: int
    text: str
    owner_unit: str = ""
    assignee: str = ""  # the person in charge, of the owner unit ("" when not named)
    deadline: date | None = None
    expected_result: str = ""


@dataclass(frozen=True)
class NoticeData:
    """What the notice says; see docs/decisions.md (issue 16)."""

    organisation: str  # the issuing organisation, as the letterhead prints it
    organisation_code: str  # the notation's organisation part ("UBND": "…/TB-UBND")
    place: str  # the place name before the date ("Quận 1"); "" prints none
    meeting_title: str
    meeting_day: date
    chair_name: str  # the leader who concluded
    chair_position: str  # "Chủ tịch Ủy ban nhân dân Quận 1"
    signer_name: str
    signer_heading: str  # "CHỦ TỊCH" or "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", one line per line
    preamble: str  # paragraphs, one per line (blank lines between them are fine)
    items: tuple[NoticeItem, ...]
    recipients: tuple[str, ...]  # "Nơi nhận", one per line; "- Lưu: VT." is added last
    final: bool  # False: a draft, marked "DỰ THẢO" on every page
    dated: datetime | None = None  # when it was made: a draft's printed date, the file's date


def render_conclusion(data: NoticeData) -> bytes:
    """Render the notice; a draft (``data.final`` false) is marked "DỰ THẢO" on every page."""
    pdf = _Notice(data)
    code = f"/TB-{data.organisation_code}" if data.organisation_code else "/TB"
    # a final notice is issued by the clerk's seal: its number and date come with it
    day = None if data.final else data.dated or _midnight(data.meeting_day)
    fields = letterhead(pdf, data.organisation, day, code, place=data.place)
    title(pdf, "THÔNG BÁO", _subject(data))
    for paragraph in _paragraphs(data.preamble):
        _paragraph(pdf, [("", paragraph)])
    _paragraph(pdf, [("", f"{_sentence_case(_concluder(data))} kết luận như sau:")])
    for item in data.items:
        _item(pdf, item)
    _closing(pdf, data)
    block = recipients_and_signature(pdf, data.recipients, data.signer_heading, data.signer_name)
    return declare(without_open_action(pdf), Declaration((block,), fields))


class _Notice(FPDF):
    """A4 with Decree 30 margins, Tinos, page numbers from page 2, and the draft mark if any."""

    def __init__(self, data: NoticeData) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.draft = not data.final
        self.set_margins(left=30, top=20, right=15)
        self.set_auto_page_break(auto=True, margin=20)
        add_fonts(self)
        self.set_title(drawable(f"Thông báo kết luận: {data.meeting_title}"))
        self.set_lang("vi")
        self.set_author(drawable(data.organisation or data.signer_name))
        self.set_creator("meeting-server")
        self.set_producer("meeting-server (fpdf2)")
        self.set_creation_date(data.dated or _midnight(data.meeting_day))
        self.add_page()

    def header(self) -> None:
        """Number the pages from the second, centred in the top margin (Decree 30, art. 6)."""
        if self.draft:
            draft_mark(self, DRAFT_MARK)
        if self.page_no() > 1:
            self.set_font(FAMILY, "", _BODY)
            self.set_xy(self.l_margin, 9)
            self.cell(self.epw, 6, str(self.page_no()), align="C")
        self.set_xy(self.l_margin, self.t_margin)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), _VIETNAM)


def _subject(data: NoticeData) -> str:
    """Return "Kết luận của <position> <name> tại cuộc họp <title>"."""
    who = f"{data.chair_position} {data.chair_name}" if data.chair_position else _concluder(data)
    return f"Kết luận của {who.strip()} {_at_meeting(data.meeting_title)}"


def _at_meeting(meeting_title: str) -> str:
    """Return "tại cuộc họp …", without "cuộc họp" twice when the title says it already."""
    text = meeting_title.strip()
    lower = text.lower()
    if lower.startswith(_MEETING_WORDS):
        return f"tại {lower[0]}{text[1:]}"
    if lower.startswith("họp "):
        return f"tại cuộc họp {text[4:]}"
    return f"tại cuộc họp {text}"


def _concluder(data: NoticeData) -> str:
    return data.chair_position or f"đồng chí {data.chair_name}".strip()


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _paragraphs(text: str) -> list[str]:
    """Return the non-empty lines of ``text``: each is a paragraph."""
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def _paragraph(
    pdf: FPDF, runs: Sequence[tuple[str, str]], *, indent: float = 0.0, first: float = _INDENT
) -> None:
    """Write one justified paragraph of (style, text) runs, its first line indented."""
    # the region's margin, not the paragraph's indent: fpdf2 2.8 shifts an indented paragraph
    # without narrowing it, so its lines ran into the right margin
    left = pdf.l_margin + indent
    pdf.set_x(left)  # a region starts at the current x when it lies inside the region
    with pdf.text_columns(text_align="J", line_height=_LINE, l_margin=left) as columns:
        with columns.paragraph(first_line_indent=first, bottom_margin=_GAP) as p:
            for style, text in runs:
                pdf.set_font(FAMILY, style, _BODY)
                p.write(drawable(text))
    pdf.set_font(FAMILY, "", _BODY)
    pdf.set_x(pdf.l_margin)


def _item(pdf: FPDF, item: NoticeItem) -> None:
    """Write a numbered conclusion and, under it, indented, the task it assigns; a short item
    (most are) is kept on one page."""
    head, paragraphs, tasks = f"{item.number}. ", _paragraphs(item.text) or [""], _task_lines(item)
    kept = [head + paragraphs[0], *paragraphs[1:]], [label + value for label, value in tasks]
    room(pdf, min(_MAX_KEPT, _height(pdf, *kept)))
    _paragraph(pdf, [("B", head), ("", paragraphs[0])])
    for paragraph in paragraphs[1:]:
        _paragraph(pdf, [("", paragraph)])
    for label, value in tasks:
        _paragraph(pdf, [("I", label), ("", value)], indent=_INDENT, first=0)


def _height(pdf: FPDF, paragraphs: Sequence[str], indented: Sequence[str]) -> float:
    """Return about how many mm the paragraphs and the indented paragraphs take."""
    pdf.set_font(FAMILY, "", _BODY)
    line = _BODY * _LINE * _MM_PER_POINT
    lines = sum(line_count(pdf, pdf.epw - _INDENT / 2, text) for text in paragraphs)
    lines += sum(line_count(pdf, pdf.epw - _INDENT, text) for text in indented)
    return lines * line + (len(paragraphs) + len(indented)) * _GAP


def _task_lines(item: NoticeItem) -> list[tuple[str, str]]:
    """Return the (label, value) lines of an item's task: only the parts it has."""
    lines = []
    if item.owner_unit:
        person = f" (chủ trì: {item.assignee})" if item.assignee else ""
        lines.append(("Giao: ", f"{item.owner_unit}{person}."))
    if item.deadline is not None:
        lines.append(("Thời hạn hoàn thành: ", f"{item.deadline:%d/%m/%Y}."))
    if item.expected_result:
        result = item.expected_result.strip()
        lines.append(("Kết quả cần đạt: ", result if result.endswith(".") else f"{result}."))
    return lines


def _closing(pdf: FPDF, data: NoticeData) -> None:
    """Write the closing sentence, kept on one page with the signature row below it."""
    text = (
        f"Văn phòng thông báo ý kiến kết luận của {_concluder(data)} để các cơ quan, "
        "đơn vị liên quan biết, thực hiện./."
    )
    height = _height(pdf, [text], []) + 2
    room(pdf, height + signature_row_height(pdf, data.recipients, data.signer_heading))
    _paragraph(pdf, [("", text)])
