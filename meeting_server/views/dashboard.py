"""The signing dashboard: pending, overdue, turnaround and on-time rate per leader and unit.

The definitions are in ``services/signing_stats.py`` (and on the page). The page and the
CSV files read the same figures: the last ``months`` months (12 unless told), the tiles and
the monthly series scoped by ``?unit=`` and/or ``?person=``, the tables comparing everyone.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..auth import login_required, require, signed_in_user
from ..i18n import to_local
from ..models import utcnow
from ..permissions import can_view_signing_dashboard
from ..services.signing_stats import Counts, Dashboard, MonthPoint, signing_dashboard
from .exports import _csv_response

bp = Blueprint("dashboard", __name__, url_prefix="/signing/dashboard")

DEFAULT_MONTHS = 12
MAX_MONTHS = 24
MONTH_CHOICES = (3, 6, 12, 24)

COUNT_HEADER = (
    "Đang chờ ký",
    "Quá hạn",
    "Đã xử lý",
    "Đúng hạn",
    "Trễ hạn",
    "Tỷ lệ đúng hạn (%)",
    "Thời gian xử lý trung bình (giờ)",
)
PEOPLE_HEADER = ("STT", "Họ và tên", "Đơn vị", *COUNT_HEADER)
UNITS_HEADER = ("STT", "Đơn vị", "Số người", *COUNT_HEADER)
MONTHS_HEADER = ("Tháng", "Đã xử lý", "Đúng hạn", "Trễ hạn", "Tỷ lệ đúng hạn (%)", "Chỉ tiêu (%)")


@bp.get("/")
@login_required
def index():
    """Show the tiles, the monthly on-time chart, the turnaround chart and the tables."""
    require(can_view_signing_dashboard(signed_in_user()))
    months, unit, person_id = _filters()
    board = signing_dashboard(months, unit=unit, person_id=person_id)
    return render_template(
        "dashboard/index.html",
        board=board,
        months=months,
        unit=unit,
        person_id=person_id,
        person=next((p for p in board.people if p.person_id == person_id), None),
        month_choices=MONTH_CHOICES,
    )


@bp.get("/people.csv")
@login_required
def people_csv():
    """Send one row per leader (and clerk) as CSV."""
    board = _board()
    rows = [
        [n, row.name, row.unit, *_count_cells(row.counts)] for n, row in enumerate(board.people, 1)
    ]
    return _csv_response(PEOPLE_HEADER, rows, _filename("theo-nguoi"))


@bp.get("/units.csv")
@login_required
def units_csv():
    """Send one row per unit as CSV."""
    board = _board()
    rows = [
        [n, row.unit, row.people, *_count_cells(row.counts)] for n, row in enumerate(board.units, 1)
    ]
    return _csv_response(UNITS_HEADER, rows, _filename("theo-don-vi"))


@bp.get("/months.csv")
@login_required
def months_csv():
    """Send the monthly on-time series (scoped like the page) as CSV."""
    board = _board()
    target = _percent(board.target)
    rows = [_month_cells(point, target) for point in board.months]
    return _csv_response(MONTHS_HEADER, rows, _filename("theo-thang"))


def _board() -> Dashboard:
    """Check the permission and read the figures the query string asks for."""
    require(can_view_signing_dashboard(signed_in_user()))
    months, unit, person_id = _filters()
    return signing_dashboard(months, unit=unit, person_id=person_id)


def _filters() -> tuple[int, str | None, int | None]:
    months = request.args.get("months", DEFAULT_MONTHS, type=int) or DEFAULT_MONTHS
    unit = request.args.get("unit", "").strip() or None
    person_id = request.args.get("person", type=int)
    return min(max(months, 1), MAX_MONTHS), unit, person_id


def _count_cells(counts: Counts) -> list[object]:
    return [
        counts.pending,
        counts.overdue,
        counts.handled,
        counts.on_time,
        counts.late,
        _percent(counts.on_time_rate),
        _round(counts.average_hours),
    ]


def _month_cells(point: MonthPoint, target: object) -> list[object]:
    rate = _percent(point.on_time_rate)
    return [point.label, point.handled, point.on_time, point.late, rate, target]


def _percent(rate: float | None) -> object:
    return "" if rate is None else round(rate * 100, 1)


def _round(value: float | None) -> object:
    return "" if value is None else round(value, 1)


def _filename(kind: str) -> str:
    day = to_local(utcnow()).strftime("%Y-%m-%d")
    return f"ky-so-dung-han-{kind}-{day}.csv"
