"""The leaders' dashboard as tables: one per CSV file, one per sheet of the workbook.

Headers are Vietnamese, as in the other CSV exports; rates are percentages with one decimal
(empty when there is no rate). In the workbook every text is written as a text cell, never
as a formula, so a name such as ``=cmd|…`` stays text without the CSV files' apostrophe.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import xlsxwriter

from ..services.office_stats import OfficeBoard
from ..services.task_stats import TaskBoard, TaskCounts, TaskGroup

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_ONE = "(chưa giao người phụ trách)"

TASK_COUNTS = (
    "Tổng số nhiệm vụ",
    "Hoàn thành đúng hạn",
    "Hoàn thành trễ hạn",
    "Quá hạn chưa hoàn thành",
    "Đang thực hiện trong hạn",
    "Được gia hạn",
    "Tỷ lệ đúng hạn (%)",
)
ATTENDANCE = (
    "Tháng",
    "Số cuộc họp",
    "Lượt mời",
    "Lượt dự họp",
    "Tỷ lệ dự họp (%)",
    "Lượt đến muộn",
    "Tỷ lệ đến muộn (%)",
)
PAPER = (
    "Tháng",
    "Số cuộc họp có tài liệu",
    "Số phiên bản tài liệu",
    "Số trang (một bộ)",
    "Số trang nếu in cho mọi người dự",
    "Số tờ A4 (in hai mặt)",
    "Khối lượng giấy (kg)",
)
SIGNING = (
    "Tháng",
    "Văn bản ký xong",
    "Bước ký đã xử lý",
    "Bước ký đúng hạn",
    "Tỷ lệ đúng hạn (%)",
)


@dataclass(frozen=True)
class Table:
    """One table: its file name, its sheet's name (≤ 31 characters), header and rows."""

    name: str
    sheet: str
    header: tuple[str, ...]
    rows: list[list[object]]


def tables(board: OfficeBoard) -> list[Table]:
    """Return every table of the dashboard, in the page's order."""
    tasks = board.tasks
    return [
        *task_tables(tasks),
        Table("phong-hop", "Cuộc họp theo phòng", *_rooms(board)),
        Table("du-hop", "Dự họp", ATTENDANCE, _attendance(board)),
        Table("giay", "Tiết kiệm giấy", PAPER, _paper(board)),
        Table("ky-so", "Ký số", SIGNING, _signing(board)),
    ]


def task_tables(tasks: TaskBoard) -> list[Table]:
    """Return the tasks' tables: per month, unit, unit and month, person, leader, meeting."""
    target = _percent(tasks.target)
    months = [[p.label, *_counts(p.counts), target] for p in tasks.months]
    trend_header = ("Đơn vị chủ trì", *(p.label for p in tasks.months), "Chỉ tiêu (%)")
    trends = [
        [t.unit, *(_percent(p.counts.on_time_rate) for p in t.months), target]
        for t in tasks.unit_trends
    ]
    return [
        Table("nhiem-vu-theo-thang", "Nhiệm vụ theo tháng", _with("Tháng", "Chỉ tiêu (%)"), months),
        _groups("nhiem-vu-theo-don-vi", "Nhiệm vụ theo đơn vị", "Đơn vị chủ trì", tasks.units),
        Table("nhiem-vu-don-vi-theo-thang", "Tỷ lệ đúng hạn đơn vị-tháng", trend_header, trends),
        _groups(
            "nhiem-vu-theo-nguoi", "Nhiệm vụ theo người phụ trách", "Người phụ trách", tasks.people
        ),
        _groups(
            "nhiem-vu-theo-lanh-dao", "Nhiệm vụ theo lãnh đạo giao", "Lãnh đạo giao", tasks.leaders
        ),
        _groups("nhiem-vu-theo-cuoc-hop", "Nhiệm vụ theo cuộc họp", "Cuộc họp", tasks.meetings),
    ]


def _with(first: str, last: str | None = None) -> tuple[str, ...]:
    return (first, *TASK_COUNTS, *((last,) if last else ()))


def _groups(name: str, sheet: str, label: str, groups: Iterable[TaskGroup]) -> Table:
    rows = [[n, g.label or NO_ONE, *_counts(g.counts)] for n, g in enumerate(groups, 1)]
    return Table(name, sheet, ("STT", *_with(label)), rows)


def _counts(counts: TaskCounts) -> list[object]:
    return [
        counts.total,
        counts.done_on_time,
        counts.done_late,
        counts.overdue_open,
        counts.open_on_track,
        counts.extended,
        _percent(counts.on_time_rate),
    ]


def _rooms(board: OfficeBoard) -> tuple[tuple[str, ...], list[list[object]]]:
    header = ("Phòng họp", *(point.label for point in board.months), "Tổng")
    rows: list[list[object]] = [[r.name, *r.per_month, r.total] for r in board.rooms]
    totals = [point.figures for point in board.months]
    rows.append(["Tổng cộng", *totals, sum(totals)])
    return header, rows


def _attendance(board: OfficeBoard) -> list[list[object]]:
    points = [(p.label, p.figures) for p in board.attendance]
    return [
        [label, f.meetings, f.invited, f.attended, _percent(f.rate), f.late, _percent(f.late_rate)]
        for label, f in [*points, ("Cả kỳ", board.attendance_total)]
    ]


def _paper(board: OfficeBoard) -> list[list[object]]:
    points = [(p.label, p.figures) for p in board.paper]
    return [
        [label, f.meetings, f.versions, f.pages, f.page_copies, f.sheets, round(f.kilograms, 1)]
        for label, f in [*points, ("Cả kỳ", board.paper_total)]
    ]


def _signing(board: OfficeBoard) -> list[list[object]]:
    totals = board.signing.totals
    rows: list[list[object]] = [
        [
            p.label,
            p.figures.documents,
            p.figures.handled,
            p.figures.on_time,
            _percent(p.figures.rate),
        ]
        for p in board.signed
    ]
    rate = _percent(totals.on_time_rate)
    rows.append(["Cả kỳ", board.documents_signed, totals.handled, totals.on_time, rate])
    return rows


def _percent(rate: float | None) -> object:
    return "" if rate is None else round(rate * 100, 1)


# --- the workbook -----------------------------------------------------------------------------


def workbook(sheets: Sequence[Table]) -> bytes:
    """Return an .xlsx workbook with one sheet per table (header bold and frozen)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": "Báo cáo lãnh đạo"})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for table in sheets:
        sheet = book.add_worksheet(table.sheet[:31])
        for column, heading in enumerate(table.header):
            sheet.write_string(0, column, heading, bold)
        for row, cells in enumerate(table.rows, 1):
            for column, cell in enumerate(cells):
                _write(sheet, row, column, cell)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, max(len(table.header) - 1, 1), 14)
    book.close()
    return buffer.getvalue()


def _write(sheet: xlsxwriter.worksheet.Worksheet, row: int, column: int, cell: object) -> None:
    if isinstance(cell, bool) or cell is None or cell == "":
        sheet.write_blank(row, column, None)
    elif isinstance(cell, int | float):
        sheet.write_number(row, column, cell)
    else:
        sheet.write_string(row, column, str(cell))
