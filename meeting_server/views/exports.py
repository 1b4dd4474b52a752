"""Exports of the meeting's record: the attendance sheet (PDF, CSV) and the vote results (CSV).

CSV files are UTF-8 with a byte-order mark, so that Excel in Vietnamese offices opens them
with the accents intact; headers are Vietnamese, times Vietnam time. Any cell that a
spreadsheet would read as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from flask import Blueprint, make_response

from ..auth import login_required, require, signed_in_user
from ..i18n import to_local
from ..models import Meeting
from ..permissions import can_view_attendance
from ..services import minutes as minutes_service
from ..services.minutes_record import LATE, AttendanceLine, VoteLine
from .lookups import get_or_404
from .responses import generated_pdf

bp = Blueprint("exports", __name__)

#: What a spreadsheet may take for the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ATTENDANCE_HEADER = (
    "STT",
    "Họ và tên",
    "Chức vụ",
    "Đơn vị",
    "Vai trò",
    "Ghế",
    "Trạng thái",
    "Đến muộn",
    "Giờ đến",
    "Giờ về",
    "Hình thức điểm danh",
    "Lý do",
    "Người dự thay",
    "Tính túc số",
    "Có quyền biểu quyết",
)
VOTES_HEADER = (
    "Biểu quyết số",
    "Nội dung chương trình",
    "Câu hỏi",
    "Hình thức",
    "Mở lúc",
    "Đóng lúc",
    "Loại dòng",
    "Phương án",
    "Số phiếu",
    "Người biểu quyết",
    "Số đã biểu quyết",
    "Số có quyền biểu quyết",
    "Số người có mặt khi đóng",
    "Đủ túc số",
)


@bp.get("/meetings/<int:meeting_id>/attendance.csv")
@login_required
def attendance_csv(meeting_id: int):
    """Send the attendance sheet as CSV: one row per invitee."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_view_attendance(signed_in_user(), meeting))
    data = minutes_service.minutes_data(meeting)
    rows = [_attendance_row(n, line) for n, line in enumerate(data.attendance, 1)]
    return _csv_response(ATTENDANCE_HEADER, rows, _filename("diem-danh", meeting, "csv"))


@bp.get("/meetings/<int:meeting_id>/attendance.pdf")
@login_required
def attendance_pdf(meeting_id: int):
    """Send the attendance sheet as a PDF (Vietnamese, with the quorum)."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_view_attendance(signed_in_user(), meeting))
    pdf = minutes_service.render_pdf("attendance", minutes_service.minutes_data(meeting))
    return generated_pdf(pdf, _filename("diem-danh", meeting, "pdf"))


@bp.get("/meetings/<int:meeting_id>/votes.csv")
@login_required
def votes_csv(meeting_id: int):
    """Send the vote results as CSV: the counts, and for open votes one row per voter."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_view_attendance(signed_in_user(), meeting))
    data = minutes_service.minutes_data(meeting)
    rows = [row for vote in data.votes for row in _vote_rows(vote)]
    return _csv_response(VOTES_HEADER, rows, _filename("bieu-quyet", meeting, "csv"))


def _attendance_row(number: int, line: AttendanceLine) -> list[object]:
    return [
        number,
        line.name,
        line.position,
        line.unit,
        line.role_label,
        line.seat,
        "; ".join(s for s in line.status_labels if s != LATE),
        "Có" if line.late else "",
        _when(line.checked_in_at),
        _when(line.checked_out_at),
        line.method_label,
        line.reason,
        line.deputy,
        _yes_no(line.counts_toward_quorum),
        _yes_no(line.may_vote),
    ]


def _vote_rows(vote: VoteLine) -> Iterable[list[object]]:
    form = "Bỏ phiếu kín" if vote.secret else "Công khai"
    head = [vote.number, vote.item, vote.question, form, _when(vote.opened_at)]
    if not vote.closed:
        yield [*head, "", "Chưa kết thúc"]
        return
    quorum = _yes_no(vote.quorum.met) if vote.quorum else ""
    tail = [vote.cast, vote.eligible, vote.present, quorum]
    for label, count in vote.results:
        yield [*head, _when(vote.closed_at), "Kết quả", label, count, "", *tail]
    for voter, choice in vote.ballots:  # empty for a secret vote
        yield [*head, _when(vote.closed_at), "Phiếu", choice, "", voter, *tail]


def _csv_response(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    response = make_response(buffer.getvalue().encode("utf-8-sig"))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _safe(cell: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (numbers stay numbers)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _when(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def _yes_no(value: bool) -> str:
    return "Có" if value else "Không"


def _filename(kind: str, meeting: Meeting, extension: str) -> str:
    day = to_local(meeting.starts_at).strftime("%Y-%m-%d")
    return f"{kind}-cuoc-hop-{meeting.id}-{day}.{extension}"
