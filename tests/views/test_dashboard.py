"""The signing dashboard: on-time arithmetic, turnaround, pending/overdue, units, months, CSV."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from meeting_server.extensions import db
from meeting_server.models import (
    RequestStatus,
    Role,
    SigningRequest,
    SigningStep,
    StepKind,
    StepStatus,
    utcnow,
)
from meeting_server.services.signing_requests import (
    RouteEntry,
    return_request,
    sign_step,
    submit_request,
)
from meeting_server.services.signing_stats import (
    monthly_rates,
    office_totals,
    people_stats,
    period_start,
    signing_dashboard,
    unit_stats,
)
from tests.support.clients import PASSWORD, fetch, signed_in
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import PIN, enrol, with_internal_ca

NOW = datetime(2025, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 on 10/03/2025 in Vietnam
DUE = NOW - timedelta(days=1)
FORMULA_NAME = "=cmd|' /C calc'!A0"


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def team(app, secretary, chair, participant, create_user) -> Iterator[None]:
    """The sender (thuky), leaders in two units, two clerks; yields inside an app context."""
    create_user("phochutich", Role.LEADER, full_name="Lê Thị Hồng", unit="Văn phòng")
    create_user("congthuc", Role.LEADER, full_name=FORMULA_NAME, unit="Văn phòng")
    create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu", unit="Văn phòng")
    create_user("vanthu2", Role.CLERK, full_name="Vũ Thị Ấn", unit="Văn phòng")
    with app.app_context():
        yield


def done(
    who: str,
    turn_at: datetime,
    acted_at: datetime,
    *,
    status: StepStatus = StepStatus.SIGNED,
    kind: StepKind = StepKind.SIGNER,
    acted_by: str | None = None,
) -> dict[str, Any]:
    """Describe a handled step: whose turn from ``turn_at``, acted at ``acted_at``."""
    return dict(
        signer_id=actor(who).id,
        status=status,
        kind=kind,
        pending_since=turn_at,
        acted_at=acted_at,
        acted_by_id=actor(acted_by or who).id,
    )


def waiting_on(who: str, since: datetime, status: StepStatus = StepStatus.PENDING) -> dict:
    """Describe a step that is ``who``'s turn since ``since`` (or still waiting)."""
    turn = since if status == StepStatus.PENDING else None
    return dict(signer_id=actor(who).id, status=status, pending_since=turn)


def record(
    due_at: datetime, *steps: dict, status: RequestStatus = RequestStatus.IN_PROGRESS
) -> SigningRequest:
    """Insert a request with the given steps (fixture data with chosen timestamps)."""
    request = SigningRequest(
        title="Tờ trình",
        sender_id=actor("thuky").id,
        file_name="to-trinh.pdf",
        source_sha256="0" * 64,
        due_at=due_at,
        status=status,
        code=secrets.token_hex(4).upper(),
    )
    for position, step in enumerate(steps):
        request.steps.append(
            SigningStep(
                position=position,
                field_name=f"signer{position + 1}",
                box_x=0,
                box_y=0,
                box_w=100,
                box_h=50,
                **step,
            )
        )
    db.session.add(request)
    db.session.commit()
    return request


def by_name(rows) -> dict[str, Any]:
    return {row.name: row.counts for row in rows}


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel keeps the accents
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- the arithmetic -----------------------------------------------------------------------------


def test_on_time_and_late_steps_give_the_rate_and_average_turnaround(team):
    record(DUE, done("chutich", DUE - h(5), DUE - h(3)))  # 2 h, on time
    record(DUE, done("chutich", DUE - h(4), DUE))  # 4 h, exactly at the due time: on time
    record(DUE, done("chutich", DUE - h(5), DUE + h(4)))  # 9 h, late
    counts = by_name(people_stats(now=NOW))["Trần Văn Minh"]
    assert (counts.handled, counts.on_time, counts.late) == (3, 2, 1)
    assert counts.on_time_rate == pytest.approx(2 / 3)
    assert counts.average_hours == pytest.approx(5.0)
    assert (counts.pending, counts.overdue) == (0, 0)


def test_a_returned_step_is_handled_and_a_waiting_one_is_not(team):
    record(
        DUE,
        done("phochutich", DUE - h(2), DUE - h(1), status=StepStatus.RETURNED),
        waiting_on("chutich", NOW, StepStatus.WAITING),
        status=RequestStatus.RETURNED,
    )
    rows = by_name(people_stats(now=NOW))
    assert rows["Lê Thị Hồng"].handled == 1 and rows["Lê Thị Hồng"].on_time == 1
    assert "Trần Văn Minh" not in rows


def test_pending_and_overdue_count_only_requests_in_progress(team):
    record(NOW + h(24), waiting_on("chutich", NOW - h(1)))  # pending, not yet due
    record(NOW - h(2), waiting_on("chutich", NOW - h(30)))  # pending and overdue
    record(NOW - h(2), waiting_on("chutich", NOW - h(30)), status=RequestStatus.CANCELLED)
    counts = by_name(people_stats(now=NOW))["Trần Văn Minh"]
    assert (counts.pending, counts.overdue, counts.handled) == (2, 1, 0)
    assert counts.on_time_rate is None and counts.average_hours is None
    totals = office_totals(now=NOW)
    assert (totals.pending, totals.overdue) == (2, 1)


def test_a_seal_counts_for_the_clerk_who_applied_it(team):
    seal = done("vanthu", DUE - h(3), DUE - h(2), kind=StepKind.SEAL, acted_by="vanthu2")
    record(DUE, seal, status=RequestStatus.COMPLETED)
    record(NOW + h(5), {**waiting_on("vanthu", NOW - h(1)), "kind": StepKind.SEAL})
    rows = by_name(people_stats(now=NOW))
    assert rows["Vũ Thị Ấn"].handled == 1 and rows["Vũ Thị Ấn"].pending == 0
    assert rows["Phạm Văn Dấu"].handled == 0 and rows["Phạm Văn Dấu"].pending == 1


def test_units_add_up_their_people(team):
    record(DUE, done("chutich", DUE - h(2), DUE - h(1)))
    record(DUE, done("phochutich", DUE - h(6), DUE + h(2)))  # 8 h, late
    record(DUE, done("congthuc", DUE - h(4), DUE - h(2)))  # 2 h, on time
    record(NOW - h(1), waiting_on("congthuc", NOW - h(10)))  # overdue
    units = {row.unit: row for row in unit_stats(now=NOW)}
    office = units["Văn phòng"]
    assert office.people == 2
    c = office.counts
    assert (c.pending, c.overdue, c.handled, c.on_time) == (1, 1, 2, 1)
    assert c.average_hours == pytest.approx(5.0)
    assert units["Lãnh đạo"].people == 1 and units["Lãnh đạo"].counts.on_time_rate == 1


def test_the_period_filters_handled_steps_but_not_pending_ones(team):
    record(DUE, done("chutich", NOW - h(50), NOW - h(48)))
    record(NOW + h(24), done("chutich", NOW - h(3), NOW - h(2)))
    record(NOW - h(1), waiting_on("chutich", NOW - h(72)))
    counts = by_name(people_stats(since=NOW - h(24), now=NOW))["Trần Văn Minh"]
    assert (counts.handled, counts.pending, counts.overdue) == (1, 1, 1)
    earlier = by_name(people_stats(until=NOW - h(24), now=NOW))["Trần Văn Minh"]
    assert (earlier.handled, earlier.on_time) == (1, 1)


# --- months (Vietnam time) ----------------------------------------------------------------------


def test_a_step_at_2330_utc_on_the_last_day_counts_in_the_next_month_in_vietnam(team):
    jan_31_late = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)  # 06:30 on 01/02 in Vietnam
    jan_31_evening = datetime(2025, 1, 31, 16, 0, tzinfo=UTC)  # 23:00 on 31/01 in Vietnam
    record(datetime(2025, 2, 5, tzinfo=UTC), done("chutich", jan_31_late - h(1), jan_31_late))
    record(jan_31_evening - h(6), done("chutich", jan_31_evening - h(8), jan_31_evening))
    points = monthly_rates(3, now=NOW)
    assert [(p.label, p.handled, p.on_time) for p in points] == [
        ("01/2025", 1, 0),
        ("02/2025", 1, 1),
        ("03/2025", 0, 0),
    ]
    assert points[0].on_time_rate == 0 and points[2].on_time_rate is None


def test_the_series_covers_twelve_months_across_the_new_year(app):
    with app.app_context():
        points = monthly_rates(now=NOW)
        assert len(points) == 12
        assert (points[0].label, points[-1].label) == ("04/2024", "03/2025")
        # 1 April 2024 00:00 in Vietnam is 31 March 17:00 UTC
        assert period_start(12, NOW) == datetime(2024, 3, 31, 17, 0, tzinfo=UTC)


def test_the_series_and_totals_follow_a_unit_or_a_person(team):
    record(DUE, done("chutich", DUE - h(2), DUE - h(1)))
    record(DUE, done("phochutich", DUE - h(2), DUE + h(1)))
    record(DUE, done("congthuc", DUE - h(2), DUE - h(1)))
    assert monthly_rates(1, now=NOW)[0].on_time == 2
    assert monthly_rates(1, unit="Văn phòng", now=NOW)[0].handled == 2
    only = monthly_rates(1, person_id=actor("phochutich").id, now=NOW)[0]
    assert (only.handled, only.on_time) == (1, 0)
    board = signing_dashboard(1, unit="Lãnh đạo", now=NOW)
    assert board.totals.handled == 1 and board.this_month.on_time_rate == 1
    assert len(board.people) == 3  # the tables still compare everyone


def test_the_target_comes_from_the_configuration(app, team):
    assert signing_dashboard(now=NOW).target == 0.85
    app.config["SIGNING_ON_TIME_TARGET"] = 0.75
    assert signing_dashboard(now=NOW).target == 0.75


def test_a_real_route_feeds_the_figures(app, team):
    for username in ("chutich", "phochutich"):
        enrol(actor(username), PASSWORD)
    enrol(actor("vanthu"), PASSWORD, purpose="seal")
    db.session.commit()
    route = [
        RouteEntry(actor("chutich")),
        RouteEntry(actor("phochutich")),
        RouteEntry(actor("vanthu"), StepKind.SEAL),
    ]
    request = submit_request(
        actor("thuky"),
        title="Quyết định",
        message="",
        due_at=utcnow() + h(48),
        pdf=simple_pdf(1),
        file_name="quyet-dinh.pdf",
        route=route,
    ).request
    db.session.commit()
    assert by_name(people_stats())["Trần Văn Minh"].pending == 1
    sign_step(actor("chutich"), request.steps[0], pin=PIN)
    db.session.commit()
    return_request(actor("phochutich"), request.steps[1], "Sửa lại Điều 2.")
    db.session.commit()
    rows = by_name(people_stats())
    assert (rows["Trần Văn Minh"].pending, rows["Trần Văn Minh"].on_time) == (0, 1)
    assert rows["Lê Thị Hồng"].handled == 1 and rows["Lê Thị Hồng"].on_time == 1
    assert 0 <= rows["Trần Văn Minh"].average_hours < 0.1
    assert "Phạm Văn Dấu" not in rows  # the seal never became anyone's turn


# --- the page and the CSV files -----------------------------------------------------------------


@pytest.fixture
def this_month(team) -> datetime:
    """Two steps handled just now (one on time, one late) and one overdue for "=cmd"."""
    now = utcnow()
    record(now + h(24), done("chutich", now - h(3), now))
    record(now - h(2), done("phochutich", now - h(5), now))
    record(now - h(1), waiting_on("congthuc", now - h(48)))
    return now


def test_the_page_shows_a_leader_the_tiles_charts_and_tables(app, this_month):
    page = signed_in(app, "chutich").get("/signing/dashboard/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "css/dashboard.css" in html and html.count("<svg") == 2
    assert "Target 85%" in html and "50.0%" in html  # this month: 1 of 2 on time
    assert "Trần Văn Minh" in html and "Văn phòng" in html
    assert "=cmd|&#39; /C calc&#39;!A0" in html  # escaped in HTML, not run anywhere
    for name in ("people.csv", "units.csv", "months.csv"):
        assert f"/signing/dashboard/{name}" in html


def test_the_page_takes_a_filter_and_ignores_nonsense(app, this_month):
    http = signed_in(app, "thuky")
    person = actor("phochutich").id
    page = http.get(f"/signing/dashboard/?unit=Văn phòng&person={person}&months=6")
    assert page.status_code == 200
    assert "Showing: Lê Thị Hồng" in page.get_data(as_text=True)
    assert http.get("/signing/dashboard/?months=abc&person=x").status_code == 200


def test_a_participant_is_refused_and_a_visitor_sent_to_sign_in(app, this_month):
    http = signed_in(app, "daibieu1")
    for path in ("", "people.csv", "units.csv", "months.csv"):
        assert http.get(f"/signing/dashboard/{path}").status_code == 403
    visitor = app.test_client().get("/signing/dashboard/")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]


def test_the_people_csv_has_the_numbers_and_no_live_formula(app, this_month):
    rows = read_csv(fetch(signed_in(app, "chutich"), "/signing/dashboard/people.csv"))
    assert [row["Họ và tên"] for row in rows] == [
        "'" + FORMULA_NAME,
        "Lê Thị Hồng",
        "Trần Văn Minh",
    ]
    formula, late, on_time = rows
    assert (formula["Đang chờ ký"], formula["Quá hạn"], formula["Đã xử lý"]) == ("1", "1", "0")
    assert formula["Tỷ lệ đúng hạn (%)"] == ""
    assert (late["Đúng hạn"], late["Trễ hạn"], late["Tỷ lệ đúng hạn (%)"]) == ("0", "1", "0.0")
    assert late["Thời gian xử lý trung bình (giờ)"] == "5.0"
    assert (on_time["Đơn vị"], on_time["Tỷ lệ đúng hạn (%)"]) == ("Lãnh đạo", "100.0")
    assert on_time["Thời gian xử lý trung bình (giờ)"] == "3.0"


def test_the_units_and_months_csv_add_up(app, this_month):
    http = signed_in(app, "chutich")
    units = {row["Đơn vị"]: row for row in read_csv(fetch(http, "/signing/dashboard/units.csv"))}
    office = units["Văn phòng"]
    assert (office["Số người"], office["Đã xử lý"], office["Quá hạn"]) == ("2", "1", "1")
    assert units["Lãnh đạo"]["Tỷ lệ đúng hạn (%)"] == "100.0"
    months = read_csv(fetch(http, "/signing/dashboard/months.csv"))
    assert len(months) == 12
    last = months[-1]
    assert (last["Đã xử lý"], last["Đúng hạn"], last["Tỷ lệ đúng hạn (%)"]) == ("2", "1", "50.0")
    assert last["Chỉ tiêu (%)"] == "85.0"
    scoped = read_csv(fetch(http, "/signing/dashboard/months.csv?unit=Văn phòng&months=3"))
    assert len(scoped) == 3 and scoped[-1]["Tỷ lệ đúng hạn (%)"] == "0.0"


def test_csv_files_are_named_and_not_cached(app, this_month):
    response = fetch(signed_in(app, "chutich"), "/signing/dashboard/units.csv")
    assert "ky-so-dung-han-theo-don-vi-" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_figures_come_from_one_query_whatever_the_number_of_rows(team):
    for who in ("chutich", "phochutich", "congthuc", "chutich"):
        record(DUE, done(who, DUE - h(2), DUE - h(1)))
    record(NOW - h(1), waiting_on("phochutich", NOW - h(10)))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        board = signing_dashboard(now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(board.people) == 3 and len(statements) == 1
