"""Generate the Vietnamese sample PDFs that the ``meeting-server demo`` command seeds.

The city, people, document numbers and figures are invented. The layout loosely follows
Nghị định 30/2020/NĐ-CP (administrative document format). Output is byte-for-byte
deterministic so that re-seeding stores each document once by SHA-256.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF, FontFace

from ..pdf.fonts import FAMILY as _FAMILY
from ..pdf.fonts import add_fonts, without_open_action
from . import texts as texts

__all__ = ["DemoDocument", "build_demo_documents"]


@dataclass(frozen=True)
class DemoDocument:
    """One generated sample document and the agenda item it belongs to."""

    filename: str
    title: str
    agenda_item: int
    data: bytes


_Block = tuple[str, str]
"""A body block (kind, text); the kinds are listed in ``_MARKERS``."""

_MARKERS = {"#": "h", "/": "i", "^": "c", "^/": "ci", "@": "l", "---": "n"}
_CREATED = datetime(2026, 10, 28, 1, 0, tzinfo=UTC)
_BODY_SIZE = 12.0
_LINE_HEIGHT = 1.45
_INDENT = 10.0
_PLACE = "Hòa Bình Xanh"
_SIGNER = "Trần Minh Khang"
_HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
_BOLD = FontFace(emphasis="BOLD")


class _OfficialPdf(FPDF):
    """A4 document with Nghị định 30 margins, the Tinos serif and a "Trang x/y" footer."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(left=30, top=20, right=15)
        self.set_auto_page_break(auto=True, margin=22)
        add_fonts(self)
        self.set_title(title)
        self.set_lang("vi")
        self.set_author("Ủy ban nhân dân Thành phố Hòa Bình Xanh")
        self.set_subject("Tài liệu mẫu - phòng họp không giấy")
        self.set_creator("meeting-server demo")
        self.set_producer("meeting-server demo (fpdf2)")
        self.set_creation_date(_CREATED)
        self.add_page()

    def footer(self) -> None:
        """Print the page number as "Trang x/y" centred at the bottom."""
        self.set_y(-15)
        self.set_font(_FAMILY, "", 9)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def _centered(pdf: FPDF, x: float, w: float, text: str, style: str, size: float) -> float:
    """Write one centred line in the column [x, x + w] and return its text width."""
    pdf.set_font(_FAMILY, style, size)
    pdf.set_x(x)
    pdf.cell(w, size * 0.48, text, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.get_string_width(text)


def _rule(pdf: FPDF, x: float, w: float, length: float) -> None:
    """Draw a thin horizontal rule of the given length centred in [x, x + w]."""
    start = x + (w - length) / 2
    pdf.set_line_width(0.3)
    pdf.line(start, pdf.y + 1.6, start + length, pdf.y + 1.6)


def _letterhead(pdf: FPDF, number: str, dated: str, draft: bool = False) -> None:
    """Draw the issuing body, the national motto, the number and the place-and-date line."""
    left_x, left_w, right_x, right_w = 16.0, 74.0, 90.0, 110.0
    if draft:
        pdf.set_font(_FAMILY, "B", 11)
        pdf.set_xy(168, 9)
        pdf.cell(27, 7, "DỰ THẢO", border=1, align="C")
    top = pdf.t_margin
    pdf.set_y(top)
    _centered(pdf, left_x, left_w, "ỦY BAN NHÂN DÂN", "B", 11)
    name_w = _centered(pdf, left_x, left_w, "THÀNH PHỐ HÒA BÌNH XANH", "B", 11)
    _rule(pdf, left_x, left_w, name_w / 3)
    pdf.set_y(top)
    _centered(pdf, right_x, right_w, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", 11)
    motto_w = _centered(pdf, right_x, right_w, "Độc lập - Tự do - Hạnh phúc", "B", 12)
    _rule(pdf, right_x, right_w, motto_w)
    pdf.set_y(pdf.y + 5)
    row = pdf.y
    _centered(pdf, left_x, left_w, number, "", 11)
    pdf.set_y(row)
    _centered(pdf, right_x, right_w, f"{_PLACE}, {dated}", "I", 11)
    pdf.set_y(pdf.y + 7)


def _title(pdf: FPDF, kind: str, subject: str, addressee: str = "") -> None:
    """Write the document kind in bold capitals, its subject and the optional addressee."""
    _centered(pdf, pdf.l_margin, pdf.epw, kind, "B", 14)
    pdf.set_font(_FAMILY, "B", 12.5)
    width = 150.0
    pdf.set_x(pdf.l_margin + (pdf.epw - width) / 2)
    pdf.multi_cell(width, 6.2, subject, align="C", new_x="LMARGIN", new_y="NEXT")
    _rule(pdf, pdf.l_margin, pdf.epw, 35)
    pdf.set_y(pdf.y + 7)
    if addressee:
        pdf.set_font(_FAMILY, "", _BODY_SIZE)
        pdf.cell(0, 7, f"Kính gửi: {addressee}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.y + 3)


def _paragraph(
    pdf: FPDF, text: str, style: str = "", lead: str = "", align: str = "J", top: float = 0
) -> None:
    """Write one paragraph with a first-line indent (none when centred) and a bold lead-in."""
    indent = 0 if align == "C" else _INDENT
    with pdf.text_columns(text_align=align, line_height=_LINE_HEIGHT) as columns:
        with columns.paragraph(
            first_line_indent=indent, top_margin=top, bottom_margin=1.8
        ) as paragraph:
            if lead:
                pdf.set_font(_FAMILY, "B", _BODY_SIZE)
                paragraph.write(lead)
            pdf.set_font(_FAMILY, style, _BODY_SIZE)
            paragraph.write(text)


def _render_blocks(pdf: FPDF, blocks: Sequence[_Block]) -> None:
    """Render body blocks: h heading, p paragraph, i italic, l bold lead, c/ci centred, n page."""
    for kind, text in blocks:
        if kind == "n":
            pdf.add_page()
        elif kind in ("h", "c") and pdf.y > pdf.page_break_trigger - 25:
            pdf.add_page()  # keep a heading together with the text that follows it
        if kind == "h":
            _paragraph(pdf, text, style="B", top=1)
        elif kind == "p":
            _paragraph(pdf, text)
        elif kind == "i":
            _paragraph(pdf, text, style="I")
        elif kind == "l":
            lead, _, rest = text.partition(". ")
            _paragraph(pdf, " " + rest, lead=lead + ".")
        elif kind in ("c", "ci"):
            _paragraph(pdf, text, style="B" if kind == "c" else "I", align="C", top=1)


def _logical_lines(markup: str) -> list[str]:
    """Join indented continuation lines onto the line they continue and drop blank lines."""
    lines: list[str] = []
    for line in markup.splitlines():
        if line.startswith(" ") and lines:
            lines[-1] = f"{lines[-1]} {line.strip()}"
        elif line.strip():
            lines.append(line)
    return lines


def _parse(markup: str) -> list[_Block]:
    """Parse content markup into blocks; a line's first word may be a marker from _MARKERS."""
    blocks: list[_Block] = []
    for line in _logical_lines(markup):
        marker, _, rest = line.partition(" ")
        blocks.append((_MARKERS[marker], rest) if marker in _MARKERS else ("p", line))
    return blocks


def _cells(markup: str) -> list[list[str]]:
    """Split pipe-separated table markup into rows of stripped cells."""
    return [[cell.strip() for cell in line.split("|")] for line in _logical_lines(markup)]


def _table(
    pdf: FPDF,
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    aligns: Sequence[str],
    bold_rows: frozenset[int] = frozenset(),
) -> None:
    """Draw a bordered table whose first row is the heading repeated on every page."""
    pdf.set_font(_FAMILY, "", 10)
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(aligns),
        headings_style=_HEADINGS_STYLE,
        line_height=4.8,
        padding=(1, 1.2),
        v_align="MIDDLE",
    ) as table:
        for index, cells in enumerate(rows):
            style = _BOLD if index in bold_rows else None
            row = table.row()
            for text in cells:
                row.cell(text, style=style, align="C" if index == 0 else None)
    pdf.set_y(pdf.y + 4)


def _signature(pdf: FPDF, recipients: str) -> None:
    """Draw the recipients list (left) and the Chairman's signature block (right)."""
    if pdf.y > pdf.page_break_trigger - 55:
        pdf.add_page()
    top = pdf.y + 3
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(_FAMILY, "B", 11)
    pdf.cell(80, 6, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 10)
    for line in recipients.strip().splitlines():
        pdf.cell(80, 4.6, line, new_x="LEFT", new_y="NEXT")
    left_bottom = pdf.y
    right_x, right_w = pdf.l_margin + 80, pdf.epw - 80
    pdf.set_y(top)
    _centered(pdf, right_x, right_w, "TM. ỦY BAN NHÂN DÂN", "B", 12)
    _centered(pdf, right_x, right_w, "CHỦ TỊCH", "B", 12)
    pdf.set_y(pdf.y + 24)
    _centered(pdf, right_x, right_w, _SIGNER, "B", 12)
    pdf.set_y(max(left_bottom, pdf.y) + 4)


def _vn(number: int) -> str:
    """Format an integer with Vietnamese thousands separators (1.234.567), or "-" for zero."""
    return f"{number:,}".replace(",", ".") if number else "-"


@dataclass
class _Sector:
    """A sector of the investment plan: 2027 funding split and its projects (million VND)."""

    numeral: str
    name: str
    land: int
    central: int
    projects: list[tuple[str, str, str, int, int]]  # name, place, years, total cost, plan 2027

    def amounts(self) -> tuple[int, int, int, int]:
        """Return the 2027 plan and its local-budget, land-use-fee and central-budget parts."""
        plan = sum(project[4] for project in self.projects)
        return plan, plan - self.land - self.central, self.land, self.central


def _sectors() -> list[_Sector]:
    """Parse the project markup: "# numeral" lines open a sector, other lines are projects."""
    sectors: list[_Sector] = []
    for cells in _cells(texts.PROJECTS):
        if cells[0].startswith("# "):
            numeral, name, land, central = cells
            sectors.append(_Sector(numeral[2:], name, int(land), int(central), []))
        else:
            name, place, years, cost, plan = cells
            sectors[-1].projects.append((name, place, years, int(cost), int(plan)))
    return sectors


def _project_rows(sectors: Sequence[_Sector]) -> tuple[list[list[str]], frozenset[int]]:
    """Build the project table rows and the indices of its bold total rows."""
    cost = sum(project[3] for sector in sectors for project in sector.projects)
    plan = sum(sector.amounts()[0] for sector in sectors)
    rows = [texts.PROJECTS_HEAD, ["", "TỔNG CỘNG", "", "", _vn(cost), _vn(plan)]]
    bold = {1}
    for sector in sectors:
        bold.add(len(rows))
        sector_cost = sum(project[3] for project in sector.projects)
        rows.append(
            [sector.numeral, sector.name, "", "", _vn(sector_cost), _vn(sector.amounts()[0])]
        )
        for index, (name, place, years, total, amount) in enumerate(sector.projects, start=1):
            rows.append([str(index), name, place, years, _vn(total), _vn(amount)])
    return rows, frozenset(bold)


def _funding_rows(sectors: Sequence[_Sector]) -> list[list[str]]:
    """Build the table of the 2027 plan by sector and source of funds."""
    totals = [sum(column) for column in zip(*(sector.amounts() for sector in sectors), strict=True)]
    rows = [texts.FUNDING_HEAD, ["", "TỔNG CỘNG", *map(_vn, totals)]]
    rows += [[sector.numeral, sector.name, *map(_vn, sector.amounts())] for sector in sectors]
    return rows


def _build_proposal() -> DemoDocument:
    """Build the proposal (tờ trình) on the 2027 public investment plan."""
    title = "Tờ trình về kế hoạch đầu tư công năm 2027"
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số: 218/TTr-UBND", "ngày 28 tháng 10 năm 2026")
    subject = "Về việc thông qua Kế hoạch đầu tư công năm 2027"
    _title(pdf, "TỜ TRÌNH", subject, addressee="Hội đồng nhân dân Thành phố Hòa Bình Xanh")
    _render_blocks(pdf, _parse(texts.PROPOSAL))
    _signature(pdf, texts.PROPOSAL_RECIPIENTS)
    return DemoDocument(
        "to-trinh-ke-hoach-dau-tu-cong-2027.pdf", title, 0, without_open_action(pdf)
    )


def _build_report() -> DemoDocument:
    """Build the 10-month socio-economic report with its table of indicators."""
    title = "Báo cáo tình hình kinh tế - xã hội 10 tháng năm 2026"
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số: 342/BC-UBND", "ngày 27 tháng 10 năm 2026")
    subject = (
        "Tình hình kinh tế - xã hội 10 tháng năm 2026 và nhiệm vụ, giải pháp trọng tâm "
        "2 tháng cuối năm 2026"
    )
    _title(pdf, "BÁO CÁO", subject)
    _render_blocks(pdf, _parse(texts.REPORT_BEFORE_TABLE))
    aligns = ("C", "L", "C", "R", "R", "R")
    _table(pdf, _cells(texts.INDICATORS), (9, 58, 24, 24, 26, 24), aligns)
    _render_blocks(pdf, _parse(texts.REPORT_AFTER_TABLE))
    _signature(pdf, texts.REPORT_RECIPIENTS)
    return DemoDocument(
        "bao-cao-kinh-te-xa-hoi-10-thang-2026.pdf", title, 1, without_open_action(pdf)
    )


def _build_decision() -> DemoDocument:
    """Build the draft decision issuing the working rules, with the rules attached."""
    title = "Dự thảo Quyết định ban hành Quy chế làm việc"
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số:        /QĐ-UBND", "ngày      tháng 11 năm 2026", draft=True)
    term = "Ủy ban nhân dân Thành phố Hòa Bình Xanh nhiệm kỳ 2026 - 2031"
    _title(pdf, "QUYẾT ĐỊNH", f"Ban hành Quy chế làm việc của {term}")
    _render_blocks(pdf, _parse(texts.DECISION))
    _signature(pdf, texts.DECISION_RECIPIENTS)
    pdf.add_page()
    _title(
        pdf, "QUY CHẾ", "Làm việc của Ủy ban nhân dân Thành phố Hòa Bình Xanh\nnhiệm kỳ 2026 - 2031"
    )
    _render_blocks(pdf, _parse(texts.RULES))
    return DemoDocument(
        "du-thao-quyet-dinh-quy-che-lam-viec.pdf", title, 2, without_open_action(pdf)
    )


def _unit_line(pdf: FPDF) -> None:
    """Write the right-aligned "Đơn vị tính" (unit) line above an appendix table."""
    pdf.set_font(_FAMILY, "I", 10)
    pdf.cell(0, 6, "Đơn vị tính: triệu đồng", align="R", new_x="LMARGIN", new_y="NEXT")


def _build_appendix() -> DemoDocument:
    """Build the appendix listing the projects of the 2027 public investment plan."""
    title = "Phụ lục: Danh mục dự án"
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số: 218/TTr-UBND", "ngày 28 tháng 10 năm 2026")
    _title(pdf, "PHỤ LỤC", "Danh mục dự án dự kiến bố trí Kế hoạch đầu tư công năm 2027")
    sectors = _sectors()
    rows, bold = _project_rows(sectors)
    _render_blocks(pdf, _parse(texts.APPENDIX_INTRO))
    _unit_line(pdf)
    _table(pdf, rows, (10, 55, 32, 20, 24, 24), ("C", "L", "L", "C", "R", "R"), bold)
    if pdf.y > pdf.page_break_trigger - 75:
        pdf.add_page()  # the funding table is short: keep it on one page
    _render_blocks(pdf, [("c", "Biểu 2. Kế hoạch vốn năm 2027 theo lĩnh vực và nguồn vốn")])
    _unit_line(pdf)
    widths, aligns = (10, 55, 25, 25, 25, 25), ("C", "L", "R", "R", "R", "R")
    _table(pdf, _funding_rows(sectors), widths, aligns, frozenset({1}))
    _render_blocks(pdf, _parse(texts.APPENDIX_NOTES))
    return DemoDocument("phu-luc-danh-muc-du-an-2027.pdf", title, 0, without_open_action(pdf))


def build_demo_documents() -> list[DemoDocument]:
    """Build the four sample documents of the demo People's Committee meeting."""
    return [_build_proposal(), _build_report(), _build_decision(), _build_appendix()]
