"""The leaders' dashboard: meetings, attendance, paper, signing and tasks, month by month.

The definitions are in ``services/office_stats.py`` and ``services/task_stats.py`` (and on the
page). The page, the CSV files and the workbook read the same figures: the last ``months``
months (12 unless told), scoped by ``?unit=`` where a figure has a unit.
"""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..i18n import to_local
from ..models import utcnow
from ..permissions import can_set_office_target, can_view_office_dashboard
from ..services.errors import ServiceError
from ..services.office_stats import OfficeBoard, office_board
from ..services.task_stats import set_task_target, task_target_percent
from . import forms
from .exports import _csv_response
from .office_tables import XLSX_TYPE, tables, workbook

bp = Blueprint("office", __name__, url_prefix="/office")

DEFAULT_MONTHS = 12
MONTH_CHOICES = (3, 6, 12, 24, 60)


@bp.get("/")
@login_required
def index():
    """Show the tiles, the charts (each with its table) and the downloads."""
    require(can_view_office_dashboard(signed_in_user()))
    months, unit = _filters(request.args)
    return _page(office_board(months, unit=unit), months)


@bp.get("/<name>.csv")
@login_required
def table_csv(name: str):
    """Send one of the page's tables as CSV (Vietnamese headers, UTF-8 with a BOM)."""
    require(can_view_office_dashboard(signed_in_user()))
    months, unit = _filters(request.args)
    found = {table.name: table for table in tables(office_board(months, unit=unit))}
    if name not in found:
        abort(404)
    table = found[name]
    return _csv_response(table.header, table.rows, _filename(table.name, "csv"))


@bp.get("/workbook.xlsx")
@login_required
def workbook_xlsx():
    """Send every table of the page as one Excel workbook, a sheet per table."""
    require(can_view_office_dashboard(signed_in_user()))
    months, unit = _filters(request.args)
    response = make_response(workbook(tables(office_board(months, unit=unit))))
    response.mimetype = XLSX_TYPE
    name = _filename("tong-hop", "xlsx")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/target")
@login_required
def set_target():
    """Set the tasks' on-time target (administrators); a wrong figure is said on the page."""
    user = signed_in_user()
    require(can_set_office_target(user))
    months, unit = _filters(request.form)
    raw = forms.text("target").removesuffix("%").strip()
    try:
        setting = set_task_target(user, int(raw) if raw.isascii() and raw.isdigit() else 0)
    except ServiceError as error:
        db.session.rollback()
        return _page(office_board(months, unit=unit), months, error=error, typed=raw), 400
    db.session.commit()
    flash(_("The on-time target for tasks is now %(percent)s%%.", percent=setting.value), "ok")
    return redirect(url_for("office.index", months=months, unit=unit))


def _page(board: OfficeBoard, months: int, error: ServiceError | None = None, typed: str = ""):
    user = signed_in_user()
    return render_template(
        "office/index.html",
        board=board,
        months=months,
        unit=board.unit,
        month_choices=MONTH_CHOICES,
        may_set_target=can_set_office_target(user),
        target_percent=typed or task_target_percent(),
        target_error=error,
        links={"months": months, "unit": board.unit},
    )


@bp.app_template_filter("nice_top")
def nice_top(value: float) -> float:
    """Return a chart's top: the smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (1 for 0)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if value <= step * magnitude)


def _filters(values) -> tuple[int, str | None]:
    months = values.get("months", DEFAULT_MONTHS, type=int) or DEFAULT_MONTHS
    unit = values.get("unit", "").strip() or None
    return min(max(months, 1), MONTH_CHOICES[-1]), unit


def _filename(kind: str, extension: str) -> str:
    day = to_local(utcnow()).strftime("%Y-%m-%d")
    return f"bao-cao-lanh-dao-{kind}-{day}.{extension}"
