"""Generate the Vietnamese sample PDFs that the ``meeting-server demo`` command seeds.

The city, people, document numbers and figures are invented. The layout loosely follows
Nghị định 30/2020/NĐ-CP (administrative document format). Output is byte-for-byte
deterministic so that re-seeding stores each document once by SHA-256.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
from fontTools import ttLib
from fontTools.varLib import instancer
from fpdf import FPDF, FontFace

__all__ = ["DemoDocument", "build_demo_documents", "noto_sans_path"]


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
_FAMILY = "NotoSans"
_CREATED = datetime(2026, 10, 28, 1, 0, tzinfo=UTC)
_BODY_SIZE = 12.0
_LINE_HEIGHT = 1.45
_INDENT = 10.0
_PLACE = "Hòa Bình Xanh"
_SIGNER = "Trần Minh Khang"
_HEADINGS_STYLE = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
_BOLD = FontFace(emphasis="BOLD")


def noto_sans_path() -> Path:
    """Return the variable Noto Sans font shipped by the ``fontpkg-noto-sans`` package."""
    try:
        import fontpkg_noto_sans
    except ImportError as exc:
        raise RuntimeError(
            "Font package fontpkg-noto-sans is not installed; "
            "run `pip install fontpkg-noto-sans` to build the demo documents."
        ) from exc
    path = Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"
    if not path.is_file():
        raise RuntimeError(f"Noto Sans font not found at {path}; reinstall fontpkg-noto-sans.")
    return path


def _instantiate(source: Path, weight: int, target: Path) -> None:
    """Write a static instance of a variable Noto Sans font at the given weight."""
    with ttLib.TTFont(source, recalcTimestamp=False, lazy=True) as font:
        # fpdf2 strips the OpenType layout tables when embedding (we use no text shaping), and
        # instancing their variations is what makes one weight take ~5 s instead of ~1 s.
        for tag in ("GDEF", "GPOS", "GSUB"):
            if tag in font:
                del font[tag]
        axes = {"wght": weight, "wdth": 100}
        instancer.instantiateVariableFont(font, axes, inplace=True, static=True)
        font.save(target)


@functools.cache
def _static_fonts() -> dict[str, Path]:
    """Instantiate the regular, bold and italic faces once per process."""
    regular = noto_sans_path()
    italic = regular.with_name("NotoSans-Italic[wdth,wght].ttf")
    if not italic.is_file():
        raise RuntimeError(f"Noto Sans Italic not found at {italic}; reinstall fontpkg-noto-sans.")
    directory = Path(tempfile.mkdtemp(prefix="meeting-server-fonts-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    faces = {"": (regular, 400), "B": (regular, 700), "I": (italic, 400)}
    paths: dict[str, Path] = {}
    for style, (source, weight) in faces.items():
        paths[style] = directory / f"NotoSans-{style or 'R'}{weight}.ttf"
        _instantiate(source, weight, paths[style])
    return paths


class _OfficialPdf(FPDF):
    """A4 document with Nghị định 30 margins, Noto Sans and a "Trang x/y" footer."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(left=30, top=20, right=15)
        self.set_auto_page_break(auto=True, margin=22)
        for style, path in _static_fonts().items():
            self.add_font(_FAMILY, style, path)
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


def _finish(pdf: FPDF) -> bytes:
    """Serialise the PDF without the /OpenAction that fpdf2 always writes."""
    with pikepdf.open(io.BytesIO(pdf.output())) as document:
        if "/OpenAction" in document.Root:
            del document.Root["/OpenAction"]
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


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
    for cells in _cells(_PROJECTS):
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
    rows = [_PROJECTS_HEAD, ["", "TỔNG CỘNG", "", "", _vn(cost), _vn(plan)]]
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
    rows = [_FUNDING_HEAD, ["", "TỔNG CỘNG", *map(_vn, totals)]]
    rows += [[sector.numeral, sector.name, *map(_vn, sector.amounts())] for sector in sectors]
    return rows


def _build_proposal() -> DemoDocument:
    """Build the proposal (tờ trình) on the 2027 public investment plan."""
    title = "Tờ trình về kế hoạch đầu tư công năm 2027"
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số: 218/TTr-UBND", "ngày 28 tháng 10 năm 2026")
    subject = "Về việc thông qua Kế hoạch đầu tư công năm 2027"
    _title(pdf, "TỜ TRÌNH", subject, addressee="Hội đồng nhân dân Thành phố Hòa Bình Xanh")
    _render_blocks(pdf, _parse(_PROPOSAL))
    _signature(pdf, _PROPOSAL_RECIPIENTS)
    return DemoDocument("to-trinh-ke-hoach-dau-tu-cong-2027.pdf", title, 0, _finish(pdf))


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
    _render_blocks(pdf, _parse(_REPORT_BEFORE_TABLE))
    aligns = ("C", "L", "C", "R", "R", "R")
    _table(pdf, _cells(_INDICATORS), (9, 58, 24, 24, 26, 24), aligns)
    _render_blocks(pdf, _parse(_REPORT_AFTER_TABLE))
    _signature(pdf, _REPORT_RECIPIENTS)
    return DemoDocument("bao-cao-kinh-te-xa-hoi-10-thang-2026.pdf", title, 1, _finish(pdf))


def _build_decision() -> DemoDocument:
    """Build the draft decision issuing the working rules, with the rules attached."""
    title = "Dự thảo Quyết định ban hành Quy chế làm việc"
    pdf = _OfficialPdf(title)
    _letterhead(pdf, "Số:        /QĐ-UBND", "ngày      tháng 11 năm 2026", draft=True)
    term = "Ủy ban nhân dân Thành phố Hòa Bình Xanh nhiệm kỳ 2026 - 2031"
    _title(pdf, "QUYẾT ĐỊNH", f"Ban hành Quy chế làm việc của {term}")
    _render_blocks(pdf, _parse(_DECISION))
    _signature(pdf, _DECISION_RECIPIENTS)
    pdf.add_page()
    _title(
        pdf, "QUY CHẾ", "Làm việc của Ủy ban nhân dân Thành phố Hòa Bình Xanh\nnhiệm kỳ 2026 - 2031"
    )
    _render_blocks(pdf, _parse(_RULES))
    return DemoDocument("du-thao-quyet-dinh-quy-che-lam-viec.pdf", title, 2, _finish(pdf))


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
    _render_blocks(pdf, _parse(_APPENDIX_INTRO))
    _unit_line(pdf)
    _table(pdf, rows, (10, 55, 32, 20, 24, 24), ("C", "L", "L", "C", "R", "R"), bold)
    if pdf.y > pdf.page_break_trigger - 75:
        pdf.add_page()  # the funding table is short: keep it on one page
    _render_blocks(pdf, [("c", "Biểu 2. Kế hoạch vốn năm 2027 theo lĩnh vực và nguồn vốn")])
    _unit_line(pdf)
    widths, aligns = (10, 55, 25, 25, 25, 25), ("C", "L", "R", "R", "R", "R")
    _table(pdf, _funding_rows(sectors), widths, aligns, frozenset({1}))
    _render_blocks(pdf, _parse(_APPENDIX_NOTES))
    return DemoDocument("phu-luc-danh-muc-du-an-2027.pdf", title, 0, _finish(pdf))


def build_demo_documents() -> list[DemoDocument]:
    """Build the four sample documents of the demo People's Committee meeting."""
    return [_build_proposal(), _build_report(), _build_decision(), _build_appendix()]


# Content markup (see _parse): "# " heading, "/ " italic, "^ " centred bold, "^/ " centred italic,
# "@ " paragraph with a bold lead ("Điều 1."), "---" page break; indented lines continue a block.

_PROPOSAL = """\
Căn cứ Luật Tổ chức chính quyền địa phương; Luật Đầu tư công; Luật Ngân sách nhà nước và các
  văn bản hướng dẫn thi hành;
Căn cứ Nghị quyết số 15/NQ-HĐND ngày 10 tháng 7 năm 2026 của Hội đồng nhân dân Thành phố về
  Kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030;
Ủy ban nhân dân Thành phố kính trình Hội đồng nhân dân Thành phố xem xét, thông qua Kế hoạch
  đầu tư công năm 2027 với các nội dung chủ yếu như sau:
# I. SỰ CẦN THIẾT
Năm 2027 là năm thứ hai thực hiện Kế hoạch phát triển kinh tế - xã hội 5 năm 2026 - 2030 và
  Kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030 của Thành phố. Việc sớm thông qua Kế
  hoạch đầu tư công năm 2027 tạo cơ sở pháp lý để giao vốn cho các chủ đầu tư ngay từ đầu năm,
  bảo đảm tiến độ thực hiện và giải ngân, tránh tình trạng dàn trải, phân tán nguồn lực.
Theo quy định của Luật Đầu tư công, Ủy ban nhân dân Thành phố có trách nhiệm lập kế hoạch đầu
  tư công hằng năm, trình Hội đồng nhân dân Thành phố quyết định tại kỳ họp cuối năm.
# II. TÌNH HÌNH THỰC HIỆN KẾ HOẠCH ĐẦU TƯ CÔNG NĂM 2026
Tổng kế hoạch vốn đầu tư công năm 2026 được Hội đồng nhân dân Thành phố giao là 4.600 tỷ
  đồng. Lũy kế giải ngân đến ngày 20 tháng 10 năm 2026 đạt 3.151 tỷ đồng, bằng 68,5% kế hoạch,
  cao hơn cùng kỳ năm 2025 khoảng 6,2 điểm phần trăm. Ước đến ngày 31 tháng 01 năm 2027, giá
  trị giải ngân đạt trên 95% kế hoạch vốn được giao.
Một số dự án trọng điểm đã hoàn thành, đưa vào sử dụng và phát huy hiệu quả như: Cầu Tân An,
  Trường Trung học phổ thông Xuân Lâm, giai đoạn 1 Hệ thống thoát nước phía Nam. Dự án Đường
  vành đai 2 đã hoàn thành giải phóng mặt bằng 92% diện tích, phấn đấu thông xe kỹ thuật trong
  quý III năm 2027.
Bên cạnh kết quả đạt được, công tác giải phóng mặt bằng tại một số dự án còn chậm; năng lực
  của một số chủ đầu tư, nhà thầu còn hạn chế; giá một số loại vật liệu xây dựng biến động làm
  phát sinh thủ tục điều chỉnh dự án.
# III. MỤC TIÊU VÀ NGUYÊN TẮC PHÂN BỔ VỐN
# 1. Mục tiêu
Tập trung nguồn lực hoàn thành các dự án trọng điểm, có tính kết nối vùng; ưu tiên hạ tầng
  giao thông, giáo dục, y tế, chuyển đổi số và thích ứng với biến đổi khí hậu; nâng cao hiệu
  quả sử dụng vốn đầu tư công, phấn đấu giải ngân 100% kế hoạch vốn.
# 2. Nguyên tắc phân bổ
a) Bố trí đủ vốn để thanh toán nợ đọng xây dựng cơ bản (nếu có) và thu hồi các khoản vốn ứng
  trước;
b) Ưu tiên bố trí vốn cho các dự án chuyển tiếp, dự án dự kiến hoàn thành trong năm 2027; bố
  trí vốn đối ứng cho các dự án sử dụng vốn ODA và vốn vay ưu đãi nước ngoài;
c) Chỉ bố trí vốn khởi công mới cho các dự án đã có đủ thủ tục đầu tư theo quy định và đã được
  xác định nguồn vốn, khả năng cân đối vốn;
d) Dành khoảng 5% tổng kế hoạch làm dự phòng để xử lý các vấn đề phát sinh trong quá trình
  thực hiện.
# IV. DỰ KIẾN KẾ HOẠCH ĐẦU TƯ CÔNG NĂM 2027
# 1. Tổng nguồn vốn
Tổng kế hoạch vốn đầu tư công năm 2027 dự kiến là 4.850 tỷ đồng, tăng 5,4% so với kế hoạch
  năm 2026, gồm:
- Vốn cân đối ngân sách địa phương (không bao gồm tiền sử dụng đất): 3.120 tỷ đồng;
- Nguồn thu tiền sử dụng đất: 500 tỷ đồng;
- Vốn ngân sách trung ương bổ sung có mục tiêu: 1.230 tỷ đồng.
# 2. Phương án phân bổ theo lĩnh vực
- Giao thông: 1.940 tỷ đồng (40,0%);
- Giáo dục và đào tạo: 728 tỷ đồng (15,0%);
- Y tế: 485 tỷ đồng (10,0%);
- Chuyển đổi số: 388 tỷ đồng (8,0%);
- Môi trường, thoát nước và ứng phó biến đổi khí hậu: 679 tỷ đồng (14,0%);
- Văn hóa, thể thao và xã hội: 291 tỷ đồng (6,0%);
- Chuẩn bị đầu tư và dự phòng: 339 tỷ đồng (7,0%).
Danh mục chi tiết các dự án và mức vốn dự kiến bố trí tại Phụ lục kèm theo Tờ trình này.
# V. GIẢI PHÁP TỔ CHỨC THỰC HIỆN
1. Giao kế hoạch vốn chi tiết cho các chủ đầu tư trước ngày 31 tháng 12 năm 2026; yêu cầu chủ
  đầu tư lập kế hoạch giải ngân theo từng tháng, từng quý và cam kết tiến độ.
2. Đẩy mạnh công tác bồi thường, hỗ trợ, tái định cư; thành lập các tổ công tác đặc biệt do
  lãnh đạo Ủy ban nhân dân Thành phố làm tổ trưởng để tháo gỡ vướng mắc tại các dự án trọng
  điểm.
3. Kịp thời điều chuyển vốn từ các dự án giải ngân chậm sang các dự án có khả năng giải ngân
  tốt; xử lý trách nhiệm tổ chức, cá nhân gây chậm trễ.
4. Tăng cường ứng dụng công nghệ thông tin trong quản lý đầu tư công; công khai tiến độ giải
  ngân của từng chủ đầu tư trên Cổng thông tin điện tử Thành phố.
# VI. KIẾN NGHỊ
Ủy ban nhân dân Thành phố kính trình Hội đồng nhân dân Thành phố xem xét, ban hành Nghị quyết
  thông qua Kế hoạch đầu tư công năm 2027; giao Ủy ban nhân dân Thành phố tổ chức thực hiện và
  báo cáo kết quả tại kỳ họp cuối năm 2027./.
/ (Kèm theo dự thảo Nghị quyết và Phụ lục danh mục dự án)
"""

_PROPOSAL_RECIPIENTS = """
- Như trên;
- Thường trực Thành ủy;
- Thường trực HĐND Thành phố;
- Các Ban của HĐND Thành phố;
- Chủ tịch, các PCT UBND Thành phố;
- Sở Tài chính;
- Lưu: VT, KT.
"""

_REPORT_BEFORE_TABLE = """\
Thực hiện Chương trình công tác năm 2026, Ủy ban nhân dân Thành phố báo cáo tình hình kinh tế -
  xã hội 10 tháng năm 2026 và nhiệm vụ, giải pháp trọng tâm 2 tháng cuối năm như sau:
# I. KẾT QUẢ THỰC HIỆN 10 THÁNG NĂM 2026
# 1. Về phát triển kinh tế
Kinh tế của Thành phố tiếp tục tăng trưởng khá. Tốc độ tăng tổng sản phẩm trên địa bàn (GRDP)
  10 tháng ước đạt 8,4%, vượt mục tiêu đề ra (8,0%); trong đó khu vực công nghiệp - xây dựng
  tăng 10,1%, khu vực dịch vụ tăng 8,2%, khu vực nông, lâm nghiệp và thủy sản tăng 3,1%.
Thu ngân sách nhà nước trên địa bàn ước đạt 12.450 tỷ đồng, bằng 86,2% dự toán năm, tăng 11,4%
  so với cùng kỳ. Chi ngân sách địa phương được quản lý chặt chẽ, bảo đảm các nhiệm vụ chi
  thường xuyên và an sinh xã hội.
Giải ngân vốn đầu tư công đạt 3.151 tỷ đồng, bằng 68,5% kế hoạch; có 14/38 chủ đầu tư đạt tỷ
  lệ giải ngân trên 75%. Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng ước đạt 49.880
  tỷ đồng, tăng 9,6%. Kim ngạch xuất khẩu ước đạt 1.955 triệu USD, tăng 12,3% so với cùng kỳ.
Du lịch tiếp tục là điểm sáng với 3.864 nghìn lượt khách, tăng 15,2%; doanh thu du lịch ước
  đạt 7.120 tỷ đồng. Trong 10 tháng có 1.236 doanh nghiệp thành lập mới với tổng vốn đăng ký
  14.800 tỷ đồng. Một số chỉ tiêu chủ yếu được tổng hợp tại Bảng 1.
^ Bảng 1. Một số chỉ tiêu chủ yếu 10 tháng năm 2026
"""

_INDICATORS = """
TT | Chỉ tiêu | Đơn vị tính | Kế hoạch năm 2026 | Ước thực hiện 10 tháng | So với kế hoạch (%)
1 | Tốc độ tăng tổng sản phẩm trên địa bàn (GRDP) | % | 8,0 | 8,4 | -
2 | Thu ngân sách nhà nước trên địa bàn | tỷ đồng | 14.440 | 12.450 | 86,2
3 | Giải ngân vốn đầu tư công | tỷ đồng | 4.600 | 3.151 | 68,5
4 | Kim ngạch xuất khẩu | triệu USD | 2.300 | 1.955 | 85,0
5 | Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng | tỷ đồng | 58.000 | 49.880 | 86,0
6 | Lượt khách du lịch | nghìn lượt | 4.200 | 3.864 | 92,0
7 | Doanh nghiệp thành lập mới | doanh nghiệp | 1.500 | 1.236 | 82,4
8 | Số lao động được tạo việc làm mới | người | 22.000 | 19.140 | 87,0
9 | Tỷ lệ hồ sơ thủ tục hành chính trực tuyến toàn trình | % | 60,0 | 63,5 | 105,8
10 | Tỷ lệ hộ nghèo | % | dưới 1,5 | 1,35 | -
"""

_REPORT_AFTER_TABLE = """\
^/ (Số liệu ước thực hiện đến hết ngày 31 tháng 10 năm 2026)
# 2. Về văn hóa - xã hội
Ngành giáo dục hoàn thành tốt kỳ thi tốt nghiệp trung học phổ thông năm 2026 với tỷ lệ tốt
  nghiệp đạt 99,1%; năm học 2026 - 2027 được khai giảng đúng kế hoạch với 218.400 học sinh các
  cấp. Công tác chăm sóc sức khỏe nhân dân được bảo đảm; tỷ lệ người dân tham gia bảo hiểm y tế
  đạt 94,6%.
Các chính sách an sinh xã hội được thực hiện đầy đủ, kịp thời. Thành phố đã giải quyết việc làm
  cho 19.140 lao động, đạt 87% kế hoạch; hỗ trợ xây dựng, sửa chữa 312 căn nhà cho hộ nghèo, hộ
  có hoàn cảnh khó khăn. Tỷ lệ hộ nghèo giảm còn 1,35%.
# 3. Về cải cách hành chính và chuyển đổi số
Chính quyền địa phương hai cấp vận hành ổn định, thông suốt. Tỷ lệ hồ sơ thủ tục hành chính
  được tiếp nhận và giải quyết trực tuyến toàn trình đạt 63,5%, vượt chỉ tiêu năm; 98,7% hồ sơ
  được giải quyết đúng hạn. Hệ thống phòng họp không giấy được triển khai tại Ủy ban nhân dân
  Thành phố và 100% sở, ngành, giúp giảm khoảng 1,2 triệu trang tài liệu in mỗi năm.
# 4. Về quốc phòng, an ninh
Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững. Tai nạn giao thông giảm trên
  cả ba tiêu chí so với cùng kỳ. Công tác tuyển quân, huấn luyện lực lượng dân quân tự vệ và
  diễn tập khu vực phòng thủ được thực hiện đúng kế hoạch.
# II. HẠN CHẾ, KHÓ KHĂN
1. Tỷ lệ giải ngân vốn đầu tư công tuy cao hơn cùng kỳ nhưng chưa đạt yêu cầu; một số dự án
  trọng điểm còn vướng mắc trong giải phóng mặt bằng.
2. Sản xuất công nghiệp ở một số ngành chịu tác động của giá nguyên liệu đầu vào tăng và đơn
  hàng xuất khẩu giảm.
3. Việc khai thác, tái sử dụng dữ liệu trong giải quyết thủ tục hành chính ở một số phường, xã
  còn hạn chế; hạ tầng số ở khu vực ngoại thành chưa đồng bộ.
# III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM 2 THÁNG CUỐI NĂM 2026
1. Tập trung tháo gỡ khó khăn, đẩy nhanh tiến độ giải ngân vốn đầu tư công, phấn đấu đạt trên
  95% kế hoạch; chuẩn bị các điều kiện để giao kế hoạch vốn năm 2027 ngay từ đầu năm.
2. Tăng cường các biện pháp chống thất thu, phấn đấu thu ngân sách vượt 5% dự toán được giao;
  thực hành tiết kiệm, chống lãng phí.
3. Bảo đảm cung ứng hàng hóa, bình ổn giá cả thị trường dịp cuối năm và Tết Nguyên đán Đinh Mùi
  2027; chăm lo Tết cho người có công, hộ nghèo và người lao động có hoàn cảnh khó khăn.
4. Hoàn thành các báo cáo, đề án trình kỳ họp cuối năm của Hội đồng nhân dân Thành phố; xây
  dựng Kế hoạch phát triển kinh tế - xã hội năm 2027.
5. Giữ vững an ninh chính trị, trật tự an toàn xã hội; tổ chức tốt các hoạt động chào mừng năm
  mới.
Trên đây là báo cáo tình hình kinh tế - xã hội 10 tháng năm 2026 và nhiệm vụ, giải pháp trọng
  tâm 2 tháng cuối năm 2026 của Ủy ban nhân dân Thành phố./.
"""

_REPORT_RECIPIENTS = """
- Văn phòng Chính phủ;
- Thường trực Thành ủy;
- Thường trực HĐND Thành phố;
- Chủ tịch, các PCT UBND Thành phố;
- Các sở, ban, ngành Thành phố;
- UBND các phường, xã;
- Lưu: VT, TH.
"""

_DECISION = """\
^ ỦY BAN NHÂN DÂN THÀNH PHỐ HÒA BÌNH XANH
/ Căn cứ Luật Tổ chức chính quyền địa phương;
/ Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
/ Căn cứ Nghị quyết số 01/NQ-HĐND ngày 25 tháng 6 năm 2026 của Hội đồng nhân dân Thành phố về
  việc bầu các chức danh của Ủy ban nhân dân Thành phố nhiệm kỳ 2026 - 2031;
/ Theo đề nghị của Chánh Văn phòng Ủy ban nhân dân Thành phố.
^ QUYẾT ĐỊNH:
@ Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Ủy ban nhân dân Thành phố Hòa
  Bình Xanh nhiệm kỳ 2026 - 2031.
@ Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 1520/QĐ-UBND ngày
  12 tháng 8 năm 2021 của Ủy ban nhân dân Thành phố ban hành Quy chế làm việc nhiệm kỳ
  2021 - 2026.
@ Điều 3. Chánh Văn phòng Ủy ban nhân dân Thành phố, Giám đốc các sở, Thủ trưởng các ban, ngành
  thuộc Ủy ban nhân dân Thành phố, Chủ tịch Ủy ban nhân dân các phường, xã và các tổ chức, cá
  nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.
"""

_DECISION_RECIPIENTS = """
- Như Điều 3;
- Thường trực Thành ủy;
- Thường trực HĐND Thành phố;
- Chủ tịch, các PCT UBND Thành phố;
- Cổng thông tin điện tử Thành phố;
- Lưu: VT, TH.
"""

_RULES = """\
^/ (Ban hành kèm theo Quyết định số      /QĐ-UBND ngày      tháng 11 năm 2026 của Ủy ban nhân
  dân Thành phố)
^ Chương I
^ QUY ĐỊNH CHUNG
# Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng
1. Quy chế này quy định về nguyên tắc, chế độ trách nhiệm, lề lối làm việc, trình tự giải quyết
  công việc và quan hệ công tác của Ủy ban nhân dân Thành phố Hòa Bình Xanh.
2. Thành viên Ủy ban nhân dân Thành phố, Thủ trưởng các cơ quan chuyên môn thuộc Ủy ban nhân dân
  Thành phố, Chủ tịch Ủy ban nhân dân các phường, xã và các tổ chức, cá nhân có quan hệ làm việc
  với Ủy ban nhân dân Thành phố chịu sự điều chỉnh của Quy chế này.
# Điều 2. Nguyên tắc làm việc
1. Ủy ban nhân dân Thành phố làm việc theo chế độ tập thể kết hợp với đề cao trách nhiệm cá
  nhân của Chủ tịch và từng thành viên Ủy ban nhân dân Thành phố. Mỗi việc chỉ giao một cơ quan,
  một người chủ trì và chịu trách nhiệm chính.
2. Tuân thủ trình tự, thủ tục và thời hạn giải quyết công việc theo quy định của pháp luật,
  chương trình, kế hoạch công tác và Quy chế này; bảo đảm công khai, minh bạch và hiệu quả.
3. Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số trong chỉ đạo, điều hành; sử dụng văn
  bản điện tử, chữ ký số và phòng họp không giấy thay thế văn bản giấy, trừ trường hợp pháp
  luật có quy định khác.
^ Chương II
^ TRÁCH NHIỆM, PHẠM VI GIẢI QUYẾT CÔNG VIỆC
# Điều 3. Trách nhiệm, phạm vi giải quyết công việc của Ủy ban nhân dân Thành phố
1. Ủy ban nhân dân Thành phố thảo luận tập thể và quyết định theo đa số các vấn đề thuộc thẩm
  quyền quy định tại Luật Tổ chức chính quyền địa phương và các luật có liên quan.
2. Cách thức giải quyết công việc: thảo luận và biểu quyết tại phiên họp Ủy ban nhân dân Thành
  phố; trường hợp không tổ chức họp, Văn phòng Ủy ban nhân dân Thành phố gửi hồ sơ lấy ý kiến
  các thành viên bằng phiếu điện tử trên hệ thống quản lý văn bản.
# Điều 4. Trách nhiệm, phạm vi giải quyết công việc của Chủ tịch Ủy ban nhân dân Thành phố
1. Chủ tịch Ủy ban nhân dân Thành phố là người đứng đầu, lãnh đạo và điều hành công việc của Ủy
  ban nhân dân Thành phố, chịu trách nhiệm cá nhân về việc thực hiện nhiệm vụ, quyền hạn của
  mình.
2. Chủ tịch Ủy ban nhân dân Thành phố trực tiếp chỉ đạo các lĩnh vực quy hoạch, tổ chức bộ máy,
  cán bộ, quốc phòng, an ninh và phân công các Phó Chủ tịch phụ trách các lĩnh vực còn lại.
# Điều 5. Trách nhiệm, phạm vi giải quyết công việc của Phó Chủ tịch Ủy ban nhân dân Thành phố
Phó Chủ tịch Ủy ban nhân dân Thành phố được Chủ tịch phân công chỉ đạo, giải quyết công việc
  thuộc lĩnh vực được giao; nhân danh Chủ tịch khi giải quyết công việc và chịu trách nhiệm
  trước Chủ tịch, trước pháp luật về quyết định của mình.
^ Chương III
^ CHẾ ĐỘ HỌP VÀ PHÒNG HỌP KHÔNG GIẤY
# Điều 6. Phiên họp Ủy ban nhân dân Thành phố
1. Ủy ban nhân dân Thành phố họp thường kỳ mỗi tháng một lần vào tuần cuối của tháng; họp
  chuyên đề hoặc họp đột xuất theo quyết định của Chủ tịch hoặc theo yêu cầu của ít nhất một
  phần ba tổng số thành viên Ủy ban nhân dân Thành phố.
2. Phiên họp chỉ được tiến hành khi có ít nhất hai phần ba tổng số thành viên tham dự. Nội dung,
  chương trình phiên họp do Chủ tịch quyết định trên cơ sở đề nghị của Chánh Văn phòng Ủy ban
  nhân dân Thành phố.
# Điều 7. Tài liệu và biểu quyết trên hệ thống phòng họp không giấy
1. Tài liệu phiên họp được phát hành dưới dạng điện tử trên hệ thống phòng họp không giấy chậm
  nhất 03 ngày làm việc trước ngày họp; tài liệu mật thực hiện theo quy định về bảo vệ bí mật
  nhà nước.
2. Thành viên dự họp nghiên cứu tài liệu, ghi chú và cho ý kiến trực tiếp trên hệ thống. Kết
  quả biểu quyết được hệ thống ghi nhận theo thời gian thực và được thư ký phiên họp xác nhận
  trước khi kết thúc phiên họp.
3. Biên bản và thông báo kết luận phiên họp được ký số, lưu trữ trên hệ thống và gửi đến các cơ
  quan, đơn vị có liên quan trong thời hạn 03 ngày làm việc kể từ ngày kết thúc phiên họp.
^ Chương IV
^ ĐIỀU KHOẢN THI HÀNH
# Điều 8. Tổ chức thực hiện
1. Chánh Văn phòng Ủy ban nhân dân Thành phố có trách nhiệm theo dõi, đôn đốc, kiểm tra việc
  thực hiện Quy chế này; định kỳ hằng năm báo cáo Ủy ban nhân dân Thành phố.
2. Trong quá trình thực hiện, nếu có vướng mắc hoặc cần sửa đổi, bổ sung, các cơ quan, đơn vị
  phản ánh về Văn phòng Ủy ban nhân dân Thành phố để tổng hợp, báo cáo Chủ tịch Ủy ban nhân dân
  Thành phố xem xét, quyết định./.
"""

_APPENDIX_INTRO = """\
^/ (Kèm theo Tờ trình số 218/TTr-UBND ngày 28 tháng 10 năm 2026 của Ủy ban nhân dân Thành phố)
^ Biểu 1. Danh mục dự án và mức vốn dự kiến bố trí
"""

_PROJECTS_HEAD = [
    "TT", "Danh mục dự án", "Địa điểm xây dựng", "Thời gian KC-HT", "Tổng mức đầu tư",
    "Kế hoạch năm 2027",
]  # fmt: skip
_FUNDING_HEAD = [
    "TT", "Lĩnh vực", "Kế hoạch năm 2027", "Ngân sách địa phương", "Tiền sử dụng đất",
    "Ngân sách trung ương",
]  # fmt: skip

# "# numeral | sector | land-use fees | central budget" opens a sector (the local budget share is
# the rest of the sector's plan); project lines: name | place | years | total cost | plan 2027.
_PROJECTS = """
# I | Giao thông | 250_000 | 650_000
Đường vành đai 2, đoạn Xuân Lâm - Tân An | Phường Xuân Lâm, Phường Tân An | 2025-2028 | 2_850_000
  | 620_000
Cầu Sông Đào 2 | Phường Sông Đào | 2026-2029 | 1_480_000 | 410_000
Nâng cấp, mở rộng đường Lê Lợi kéo dài | Phường Hòa Bình | 2026-2028 | 760_000 | 285_000
Nút giao khác mức Ngã Năm | Phường Tân An | 2027-2029 | 1_120_000 | 230_000
Đường trục Phú Mỹ - Đông Sơn | Xã Phú Mỹ, Xã Đông Sơn | 2026-2028 | 540_000 | 215_000
Hệ thống giao thông thông minh (ITS), giai đoạn 1 | Toàn thành phố | 2026-2027 | 310_000 | 180_000
# II | Giáo dục và đào tạo | 100_000 | 150_000
Trường THPT Chuyên Hòa Bình Xanh (cơ sở 2) | Phường Xuân Lâm | 2026-2028 | 620_000 | 240_000
Trường Tiểu học Tân An | Phường Tân An | 2026-2027 | 145_000 | 98_000
Trường Trung học cơ sở Đông Sơn | Xã Đông Sơn | 2027-2028 | 168_000 | 90_000
Trường Mầm non Thanh Lương | Xã Thanh Lương | 2027-2028 | 72_000 | 50_000
Cải tạo, sửa chữa 12 trường học xuống cấp | Các phường, xã | 2027 | 250_000 | 250_000
# III | Y tế | 50_000 | 180_000
Bệnh viện Đa khoa Thành phố - khối điều trị nội trú 500 giường | Phường Hòa Bình | 2025-2028
  | 1_350_000 | 300_000
Trung tâm Kiểm soát bệnh tật Thành phố | Phường Sông Đào | 2026-2027 | 210_000 | 115_000
Nâng cấp 8 trạm y tế phường, xã | Các phường, xã | 2027 | 70_000 | 70_000
# IV | Chuyển đổi số | 0 | 50_000
Trung tâm dữ liệu Thành phố | Phường Hòa Bình | 2026-2027 | 260_000 | 150_000
Hệ thống phòng họp không giấy và chữ ký số dùng chung | Toàn thành phố | 2027 | 48_000 | 48_000
Nâng cấp nền tảng tích hợp, chia sẻ dữ liệu (LGSP) | Toàn thành phố | 2026-2027 | 95_000 | 60_000
Camera giám sát an ninh trật tự, giai đoạn 2 | Toàn thành phố | 2027-2028 | 240_000 | 130_000
# V | Môi trường, thoát nước và ứng phó biến đổi khí hậu | 100_000 | 200_000
Nhà máy xử lý nước thải phía Bắc, công suất 30.000 m³/ngày đêm | Phường Xuân Lâm | 2025-2028
  | 1_150_000 | 310_000
Cải tạo, nạo vét kênh Tân An | Phường Tân An | 2026-2027 | 320_000 | 164_000
Kè chống sạt lở bờ sông Đào (dài 2,4 km) | Phường Sông Đào | 2026-2028 | 430_000 | 145_000
Khu xử lý chất thải rắn Đông Sơn, giai đoạn 2 | Xã Đông Sơn | 2027-2029 | 380_000 | 60_000
# VI | Văn hóa, thể thao và xã hội | 0 | 0
Nhà văn hóa - Trung tâm thể thao Thành phố | Phường Hòa Bình | 2026-2028 | 420_000 | 150_000
Công viên trung tâm Sông Đào | Phường Sông Đào | 2026-2027 | 185_000 | 96_000
Tu bổ, tôn tạo di tích đình làng Phú Mỹ | Xã Phú Mỹ | 2027 | 45_000 | 45_000
# VII | Chuẩn bị đầu tư và dự phòng | 0 | 0
Chuẩn bị đầu tư các dự án khởi công mới giai đoạn 2027 - 2028 | Toàn thành phố | 2027 | 0
  | 89_000
Dự phòng chưa phân bổ | Toàn thành phố | 2027 | 0 | 250_000
"""

_APPENDIX_NOTES = """\
# Ghi chú:
1. Tổng mức đầu tư theo quyết định phê duyệt dự án hoặc chủ trương đầu tư; đối với dự án khởi
  công mới là tổng mức đầu tư dự kiến.
2. Các dự án khởi công mới chỉ được giao vốn sau khi có quyết định đầu tư theo quy định của
  Luật Đầu tư công.
3. Danh mục và mức vốn của từng dự án có thể được điều chỉnh theo ý kiến của Hội đồng nhân dân
  Thành phố tại kỳ họp.
"""
