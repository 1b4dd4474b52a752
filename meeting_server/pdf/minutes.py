"""Render the minutes (biên bản) and the attendance sheet as Vietnamese PDFs with fpdf2.

Pure rendering: the data (``services.minutes_record.MinutesData``, times already in Vietnam time)
goes in, PDF bytes come out; nothing here reads the database or the request. The text is
always Vietnamese, the language of the record. The output carries no /OpenAction (see
``pdf.fonts.without_open_action``), so it passes our own upload screening unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from fpdf import FPDF, FontFace

from .blocks import Declaration, declare
from .fonts import FAMILY, add_fonts, drawable, without_open_action
from .layout import letterhead, room, signature_blocks, title

if TYPE_CHECKING:
    from ..services.attendance import Quorum
    from ..services.minutes_record import AttendanceLine, MinutesData, SpeechLine, VoteLine

__all__ = ["render_attendance_sheet", "render_minutes"]

DRAFT_MARK = "DỰ THẢO"

_BODY = 11.5
_HEAD = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
_ATTENDANCE_COLUMNS = (
    ("TT", 7, "C"), ("Họ và tên", 38, "L"), ("Vai trò", 19, "L"), ("Trạng thái", 27, "L"),
    ("Giờ đến", 11, "C"), ("Giờ về", 11, "C"), ("Hình thức", 24, "L"), ("Ghi chú", 28, "L"),
)  # fmt: skip
_SPEECH_COLUMNS = (
    ("TT", 8, "C"), ("Người phát biểu", 45, "L"), ("Nội dung", 60, "L"),
    ("Thời gian", 26, "C"), ("Thời lượng", 26, "C"),
)  # fmt: skip
_RESULT_COLUMNS = (
    ("Phương án", 75, "L"), ("Số phiếu", 30, "C"), ("Tỷ lệ trên số có quyền biểu quyết", 60, "C"),
)  # fmt: skip
_BALLOT_COLUMNS = (("TT", 10, "C"), ("Người biểu quyết", 95, "L"), ("Lựa chọn", 60, "L"))


def render_minutes(data: MinutesData) -> bytes:
    """Render the minutes; a draft (``data.final`` false) is marked "DỰ THẢO" on every page."""
    pdf = _Document(f"Biên bản cuộc họp: {data.title}", data, draft=not data.final)
    # final minutes are issued by the clerk's seal: number and date come with it
    fields = letterhead(pdf, data.organisation or "", None if data.final else _day(data), "/BB")
    title(pdf, "BIÊN BẢN CUỘC HỌP", data.title)
    _details(pdf, data)
    _attendance(pdf, data)
    _agenda(pdf, data)
    _speeches(pdf, data.speeches)
    _votes(pdf, data.votes)
    _conclusions(pdf, data)
    _closing(pdf, data)
    blocks = signature_blocks(
        pdf, (("THƯ KÝ", data.secretary, "secretary"), ("CHỦ TRÌ", data.chair, "chair"))
    )
    return declare(without_open_action(pdf), Declaration(blocks, fields))


def render_attendance_sheet(data: MinutesData) -> bytes:
    """Render the attendance sheet: who was invited, their status, times and the quorum."""
    pdf = _Document(f"Danh sách điểm danh: {data.title}", data, draft=False)
    letterhead(pdf, data.organisation or "", _day(data), "")
    title(pdf, "DANH SÁCH ĐIỂM DANH", data.title)
    _details(pdf, data, numbered=False)
    _attendance(pdf, data, numbered=False)
    signature_blocks(pdf, (("", "", ""), ("THƯ KÝ", data.secretary, "secretary")))
    return without_open_action(pdf)


class _Document(FPDF):
    """A4 with Nghị định 30 margins, Noto Sans, "Trang x/y", and the draft mark if any."""

    def __init__(self, title: str, data: MinutesData, *, draft: bool) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.draft = draft
        self.set_margins(left=30, top=20, right=15)
        self.set_auto_page_break(auto=True, margin=20)
        add_fonts(self)
        self.set_title(drawable(title))
        self.set_lang("vi")
        self.set_author(drawable(data.organisation or data.secretary))
        self.set_creator("meeting-server")
        self.set_producer("meeting-server (fpdf2)")
        self.set_creation_date(data.generated_at)
        self.add_page()

    def header(self) -> None:
        """Mark every page of a draft: a box at the top and a light diagonal stamp."""
        if not self.draft:
            return
        with self.local_context(text_color=(232, 232, 232)):
            self.set_font(FAMILY, "B", 80)
            with self.rotation(35, x=self.w / 2, y=self.h / 2):
                width = self.get_string_width(DRAFT_MARK)
                self.text(self.w / 2 - width / 2, self.h / 2 + 10, DRAFT_MARK)
        with self.local_context(text_color=(170, 0, 0), draw_color=(170, 0, 0)):
            self.set_font(FAMILY, "B", 11)
            self.set_xy(self.w - self.r_margin - 27, 8)
            self.cell(27, 7, DRAFT_MARK, border=1, align="C")
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        """Print "Trang x/y" centred at the bottom."""
        self.set_y(-13)
        self.set_font(FAMILY, "", 9)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def _day(data: MinutesData) -> datetime:
    return data.started_at or data.starts_at


def _time(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _date(value: datetime) -> str:
    return value.strftime("%d/%m/%Y")


def _at(value: datetime) -> str:
    return f"{_time(value)} ngày {_date(value)}"


def _heading(pdf: FPDF, text: str) -> None:
    room(pdf, 30)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, drawable(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.y + 1)


def _line(pdf: FPDF, text: str, lead: str = "", *, size: float = _BODY, style: str = "") -> None:
    """Write a paragraph, with an optional bold lead-in ("Chủ trì: ")."""
    height = size * 0.52
    if lead:
        pdf.set_font(FAMILY, "B", size)
        pdf.write(height, drawable(lead))
    pdf.set_font(FAMILY, style, size)
    pdf.write(height, drawable(text))
    pdf.ln(height)


def _table(
    pdf: FPDF,
    columns: Sequence[tuple[str, float, str]],
    rows: Sequence[Sequence[str]],
    size: float = 9,
) -> None:
    """Draw a bordered table; its heading row is repeated on every page it runs onto."""
    pdf.set_font(FAMILY, "", size)
    with pdf.table(
        col_widths=tuple(width for _, width, _ in columns),
        text_align=tuple(align for _, _, align in columns),
        width=sum(width for _, width, _ in columns), align="LEFT", headings_style=_HEAD,
        line_height=size * 0.5, padding=(0.8, 1.2), v_align="MIDDLE",
    ) as table:  # fmt: skip
        heading = table.row()
        for label, _, _ in columns:
            heading.cell(label, align="C")
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(drawable(text))
    pdf.set_y(pdf.y + 3)


def _details(pdf: FPDF, data: MinutesData, *, numbered: bool = True) -> None:
    """Write when and where the meeting took place, who chaired it and who took the minutes."""
    _heading(pdf, "I. THỜI GIAN, ĐỊA ĐIỂM" if numbered else "Thời gian, địa điểm")
    planned = f"từ {_time(data.starts_at)} đến {_time(data.ends_at)} ngày {_date(data.starts_at)}."
    _line(pdf, planned, "Thời gian dự kiến: ")
    actual = "cuộc họp chưa bắt đầu."
    if data.started_at is not None:
        end = f"kết thúc lúc {_at(data.ended_at)}." if data.ended_at else "chưa kết thúc."
        actual = f"bắt đầu lúc {_at(data.started_at)}, {end}"
    _line(pdf, actual, "Thời gian thực tế: ")
    _line(pdf, f"{data.room}.", "Địa điểm: ")
    _line(pdf, f"{data.chair or 'chưa chỉ định'}.", "Chủ trì: ")
    _line(pdf, f"{data.secretary or 'chưa chỉ định'}.", "Thư ký: ")
    pdf.set_y(pdf.y + 3)


def _attendance(pdf: FPDF, data: MinutesData, *, numbered: bool = True) -> None:
    """Draw the attendance table, the totals, the delegations and the quorum."""
    _heading(pdf, "II. THÀNH PHẦN THAM DỰ" if numbered else "Thành phần tham dự")
    rows = [_attendance_row(n, line) for n, line in enumerate(data.attendance, 1)]
    _table(pdf, _ATTENDANCE_COLUMNS, rows, size=8.5)
    _line(pdf, _totals(data.attendance), "Tổng hợp: ")
    delegations = [line for line in data.attendance if line.status == "delegated"]
    if delegations:
        _line(pdf, "", "Cử người dự thay (ủy quyền):")
        for line in delegations:
            reason = f" Lý do: {line.reason}." if line.reason else ""
            _line(pdf, f"- {line.name} cử {line.deputy} dự thay.{reason}")
    moment = "khi kết thúc cuộc họp" if data.ended_at else "tại thời điểm lập biên bản"
    _line(pdf, _quorum_text(data.quorum) + ".", f"Túc số {moment}: ")
    pdf.set_y(pdf.y + 3)


def _attendance_row(number: int, line: AttendanceLine) -> list[str]:
    about = ", ".join(part for part in (line.position, line.unit) if part)
    notes = [line.reason] if line.reason else []
    if line.deputy:
        notes.insert(0, f"Người dự thay: {line.deputy}")
    return [
        str(number),
        f"{line.name}\n{about}" if about else line.name,
        line.role_label,
        "\n".join(line.status_labels),
        _time(line.checked_in_at),
        _time(line.checked_out_at),
        line.method_label,
        "\n".join(notes),
    ]


def _totals(lines: Sequence[AttendanceLine]) -> str:
    counts = Counter(line.status_labels[0] for line in lines)
    parts = [f"{label.lower()} {count}" for label, count in counts.items()]
    late = sum(1 for line in lines if line.late)
    return f"{len(lines)} người được mời: " + ", ".join(parts) + f"; đến muộn {late}."


def _quorum_text(quorum: Quorum) -> str:
    verdict = "đủ túc số" if quorum.met else "không đủ túc số"
    return (
        f"{quorum.present}/{quorum.members} thành viên tính túc số có mặt "
        f"(cần tối thiểu {quorum.required}) - {verdict}"
    )


def _agenda(pdf: FPDF, data: MinutesData) -> None:
    """List the agenda in order with its presenters and every distributed document version."""
    _heading(pdf, "III. CHƯƠNG TRÌNH VÀ TÀI LIỆU CUỘC HỌP")
    if not data.items:
        _line(pdf, "Không có nội dung.", style="I")
    for item in data.items:
        room(pdf, 20)
        mark = " (Mật)" if item.confidential else ""
        _line(pdf, f"{item.number}. {item.title}{mark}", style="B")
        if item.presenter:
            _line(pdf, item.presenter, "Trình bày: ")
        if not item.documents:
            _line(pdf, "Không có tài liệu.", style="I", size=10)
        for document in item.documents:
            room(pdf, 12)
            state = "hiện hành" if document.current else "đã được thay thế"
            withdrawn = "; tài liệu đã rút khỏi chương trình" if document.withdrawn else ""
            _line(
                pdf, f"- {document.title}: phiên bản {document.version} ({state}{withdrawn}), "
                f"{document.pages} trang.", size=10,
            )  # fmt: skip
            pdf.set_x(pdf.l_margin + 3)
            _line(pdf, document.sha256, "SHA-256: ", size=8.5)
        pdf.set_y(pdf.y + 2)


def _speeches(pdf: FPDF, speeches: Sequence[SpeechLine]) -> None:
    """Draw the speaking log: who, about what, from when to when, for how long."""
    _heading(pdf, "IV. Ý KIẾN PHÁT BIỂU")
    if not speeches:
        _line(pdf, "Không có ý kiến phát biểu được ghi nhận.", style="I")
        pdf.set_y(pdf.y + 3)
        return
    rows = [
        [str(n), turn.name, "\n".join(p for p in (turn.item, turn.topic) if p),
         f"{_time(turn.started_at)} - {_time(turn.ended_at)}",
         _duration(turn.started_at, turn.ended_at)]
        for n, turn in enumerate(speeches, 1)
    ]  # fmt: skip
    _table(pdf, _SPEECH_COLUMNS, rows)


def _duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return ""
    minutes, seconds = divmod(max(0, round((end - start).total_seconds())), 60)
    return f"{minutes} phút {seconds:02d} giây" if minutes else f"{seconds} giây"


def _votes(pdf: FPDF, votes: Sequence[VoteLine]) -> None:
    """Write each vote: question, form, results, turnout and the attendance when it closed."""
    _heading(pdf, "V. KẾT QUẢ BIỂU QUYẾT")
    if not votes:
        _line(pdf, "Không có nội dung biểu quyết.", style="I")
        pdf.set_y(pdf.y + 3)
    for vote in votes:
        room(pdf, 45)
        _line(pdf, f"{vote.question}", f"Biểu quyết {vote.number}: ")
        form = "bỏ phiếu kín" if vote.secret else "biểu quyết công khai (ghi danh)"
        _line(pdf, f"{vote.item}; {form}.", "Nội dung chương trình: ", size=10.5)
        if not vote.closed:
            _line(pdf, f"mở lúc {_time(vote.opened_at)}, chưa kết thúc.", "Thời gian: ", size=10.5)
            pdf.set_y(pdf.y + 3)
            continue
        times = f"từ {_time(vote.opened_at)} đến {_time(vote.closed_at)}."
        _line(pdf, times, "Thời gian: ", size=10.5)
        _vote_results(pdf, vote)


def _vote_results(pdf: FPDF, vote: VoteLine) -> None:
    rows = [[label, str(count), _percent(count, vote.eligible)] for label, count in vote.results]
    pdf.set_y(pdf.y + 1)
    _table(pdf, _RESULT_COLUMNS, rows)
    turnout = f"{vote.cast}/{vote.eligible} người có quyền biểu quyết đã biểu quyết"
    _line(pdf, f"{turnout}; {vote.present} người có mặt.", "Khi kết thúc biểu quyết: ", size=10.5)
    if vote.quorum is not None:
        _line(pdf, _quorum_text(vote.quorum) + ".", "Túc số khi kết thúc: ", size=10.5)
    if vote.verdict is not None:
        carried, yes, base, needed, rule = vote.verdict
        outcome = "THÔNG QUA" if carried else "KHÔNG THÔNG QUA"
        sums = f"{yes}/{base} đồng ý, cần {needed} ({_RULES.get(rule, rule)})"
        _line(pdf, f"{outcome}: {sums}.", "Kết luận: ", size=10.5)
    if vote.ballots:
        room(pdf, 20)
        _line(pdf, "", "Phiếu biểu quyết ghi danh:", size=10.5)
        rows = [[str(n), voter, choice] for n, (voter, choice) in enumerate(vote.ballots, 1)]
        _table(pdf, _BALLOT_COLUMNS, rows)
    pdf.set_y(pdf.y + 2)


#: The vote rules as the minutes state them (services/votes.py, VoteRule).
_RULES = {
    "majority_cast": "quá nửa số phiếu đã bỏ, kể cả phiếu không biểu quyết",
    "majority_present": "quá nửa số thành viên có quyền biểu quyết có mặt",
    "majority_members": "quá nửa tổng số thành viên có quyền biểu quyết",
    "two_thirds_members": "ít nhất hai phần ba tổng số thành viên có quyền biểu quyết",
}


def _percent(count: int, total: int) -> str:
    if total <= 0:
        return "-"
    return f"{count * 100 / total:.2f}".replace(".", ",") + "%"


def _conclusions(pdf: FPDF, data: MinutesData) -> None:
    """Write the secretary's conclusions paragraph by paragraph, then the closing line."""
    _heading(pdf, "VI. KẾT LUẬN CỦA CHỦ TRÌ")
    paragraphs = [p.strip() for p in data.conclusions.split("\n\n") if p.strip()]
    if not paragraphs:
        _line(pdf, "(Chưa có kết luận.)", style="I")
    pdf.set_font(FAMILY, "", _BODY)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, drawable(paragraph), align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.y + 2)
    pdf.set_y(pdf.y + 2)


def _closing(pdf: FPDF, data: MinutesData) -> None:
    """Write when the meeting ended and the minutes were made, kept with the signatures."""
    room(pdf, 62)
    if data.ended_at is not None:
        _line(pdf, f"Cuộc họp kết thúc lúc {_at(data.ended_at)}.")
    _line(pdf, f"Biên bản gồm {{nb}} trang, được lập lúc {_at(data.generated_at)}.")
