"""Vietnamese alphabetical order in every list of people."""

from __future__ import annotations

import re

from meeting_server.collation import seat_key, sorted_by, vietnamese_key
from tests.support.clients import signed_in


def test_the_vietnamese_alphabet_then_the_tones_decide():
    names = [
        "Vũ Văn Long",
        "Đỗ Văn An",
        "Ðinh Lan",
        "Dương Thị Hà",
        "Ánh Dương",
        "Bùi Minh",
        "Trần Thị Ơn",
        "Trần Thị Ôn",
        "Trần Thị Oanh",
        "Lê Bạ",
        "Lê Bá",
        "Lê Bã",
        "Lê Bả",
        "Lê Bà",
        "Lê Ba",
        "An Bình",
        "Anh",
        "An",
        "Ăn",
        "Âu",
    ]
    assert sorted(names, key=vietnamese_key) == [
        "An",
        "An Bình",
        "Anh",
        "Ánh Dương",
        "Ăn",
        "Âu",
        "Bùi Minh",
        "Dương Thị Hà",
        "Ðinh Lan",
        "Đỗ Văn An",
        "Lê Ba",
        "Lê Bà",
        "Lê Bả",
        "Lê Bã",
        "Lê Bá",
        "Lê Bạ",
        "Trần Thị Oanh",
        "Trần Thị Ôn",
        "Trần Thị Ơn",
        "Vũ Văn Long",
    ]


def test_seats_are_in_natural_order_with_no_seat_last():
    seats = ["", "A10", "10", "Đ1", "2", "A2", "B1", "D3"]
    assert sorted(seats, key=seat_key) == ["2", "10", "A2", "A10", "B1", "D3", "Đ1", ""]


def test_sorted_by_follows_dotted_attributes_first_to_last():
    class Person:
        def __init__(self, unit: str, name: str) -> None:
            self.user = type("User", (), {"unit": unit, "full_name": name})()

    people = [Person("Sở Y tế", "An"), Person("Sở Du lịch", "Vũ"), Person("Sở Du lịch", "Đỗ")]
    ordered = sorted_by(people, "user.unit", "user.full_name")
    assert [(p.user.unit, p.user.full_name) for p in ordered] == [
        ("Sở Du lịch", "Đỗ"),
        ("Sở Du lịch", "Vũ"),
        ("Sở Y tế", "An"),
    ]


def test_the_admin_list_and_the_invite_list_put_d_with_stroke_before_v(
    app, secretary, admin, create_user, draft_meeting
):
    for username, name in (("vu", "Vũ Văn Long"), ("do", "Đỗ Thị Hoa"), ("ba", "Bùi Văn Ba")):
        create_user(username, full_name=name, unit="Sở Nội vụ")
    for who, url in (("admin", "/admin/users"), ("thuky", f"/meetings/{draft_meeting.id}")):
        page = signed_in(app, who).get(url).get_data(as_text=True)
        found = re.findall(r"Bùi Văn Ba|Đỗ Thị Hoa|Vũ Văn Long", page)
        in_order = ["Bùi Văn Ba", "Đỗ Thị Hoa", "Vũ Văn Long"]  # in every list the page shows
        assert found and found == in_order * (len(found) // 3), (who, found)
