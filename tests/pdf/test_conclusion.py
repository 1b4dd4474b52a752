"""The conclusion notice (Thông báo kết luận) as a Decree 30 PDF: what it says, where the
leader signs and the clerk numbers it, drafts, long notices, and the sandboxed child.

Renders for a person to look at: tests/artifacts/conclusion-notice-final-1.png (the notice as
the seal numbers and dates it) and conclusion-notice-draft-*.png.
"""

from __future__ import annotations

import html
import io
import pickle
import re
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from meeting_server.pdf.blocks import Declaration, declared
from meeting_server.pdf.conclusion import NoticeData, NoticeItem, render_conclusion
from meeting_server.pdf.runner import run_child
from signing.form_fields import TextField, add_text_fields, fill_text_fields

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # tests/artifacts
BOTTOM_MARGIN = 20 * 72 / 25.4  # points: nothing is drawn below it
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

ITEMS = (
    NoticeItem(
        1,
        "Thống nhất chủ trương bố trí kinh phí sửa chữa, cải tạo trụ sở làm việc của Ủy ban "
        "nhân dân phường Bến Nghé trong năm 2027 từ nguồn ngân sách quận.",
        owner_unit="Sở Tài chính",
        assignee="Nguyễn Thị Thu Hà",
        deadline=date(2026, 12, 31),
        expected_result="Báo cáo đề xuất phương án bố trí kinh phí, trình Ủy ban nhân dân "
        "Quận 1 xem xét, quyết định",
    ),
    NoticeItem(
        2,
        "Đẩy nhanh tiến độ giải phóng mặt bằng dự án chỉnh trang vỉa hè tuyến đường Tôn Đức "
        "Thắng; kịp thời báo cáo những vướng mắc vượt thẩm quyền.",
        owner_unit="UBND phường Bến Nghé",
        assignee="Trần Văn Minh",
        deadline=date(2027, 1, 15),
        expected_result="Hoàn thành bàn giao mặt bằng cho chủ đầu tư.",
    ),
    NoticeItem(
        3,
        "Các cơ quan, đơn vị tiếp tục quán triệt tinh thần tiết kiệm, chống lãng phí trong tổ "
        "chức các hoạt động dịp Tết Nguyên đán Đinh Mùi 2027.",
    ),
)
NOTICE = NoticeData(
    organisation="ỦY BAN NHÂN DÂN QUẬN 1",
    organisation_code="UBND",
    place="Quận 1",
    meeting_title="Phiên họp thường kỳ UBND Quận 1 tháng 12/2026",
    meeting_day=date(2026, 12, 7),
    chair_name="Lê Văn Thành",
    chair_position="Chủ tịch Ủy ban nhân dân Quận 1",
    signer_name="Lê Văn Thành",
    signer_heading="CHỦ TỊCH",
    preamble=(
        "Ngày 07 tháng 12 năm 2026, tại Phòng họp số 1, Chủ tịch Ủy ban nhân dân Quận 1 Lê Văn "
        "Thành chủ trì phiên họp thường kỳ tháng 12/2026. Tham dự có các Phó Chủ tịch Ủy ban "
        "nhân dân Quận 1, lãnh đạo các phòng, ban chuyên môn và Chủ tịch Ủy ban nhân dân các "
        "phường.\n\nSau khi nghe báo cáo và ý kiến phát biểu của các đại biểu dự họp, Chủ tịch "
        "Ủy ban nhân dân Quận 1 đã có ý kiến chỉ đạo."
    ),
    items=ITEMS,
    recipients=("Sở Tài chính", "- UBND phường Bến Nghé;", "Thường trực Quận ủy (để báo cáo)"),
    final=True,
    dated=datetime(2026, 12, 8, 9, 30, tzinfo=VIETNAM),
)


def long_notice(count: int = 40) -> NoticeData:
    """Return the notice with ``count`` items, the three above in turn."""
    items = tuple(replace(ITEMS[n % 3], number=n + 1) for n in range(count))
    return replace(NOTICE, items=items)


def page_texts(data: bytes) -> list[str]:
    """Return each page's text as poppler reads it (form fields included), spaces collapsed."""
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def words(data: bytes, index: int) -> list[tuple[str, float, float, float, float]]:
    """Return (word, x1, top, x2, bottom) in points from the top left of page ``index``."""
    number = str(index + 1)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", number, "-l", number, "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        (html.unescape(w), float(x1), float(y1), float(x2), float(y2))
        for x1, y1, x2, y2, w in re.findall(pattern, out)
    ]


def word(
    data: bytes, index: int, text: str, nth: int = -1
) -> tuple[str, float, float, float, float]:
    """Return the ``nth`` occurrence of a word on a page (the last by default)."""
    return [w for w in words(data, index) if w[0] == text][nth]


def declaration(data: bytes) -> tuple[Declaration, list[tuple[float, float]]]:
    """Return what the PDF declares, read and checked as the signing code does, and page sizes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages]
        return declared(pdf, sizes), sizes


def sealed(data: bytes, number: str, issued: str) -> bytes:
    """Fill the declared number and date as the clerk's seal does (signing/form_fields.py)."""
    found, _sizes = declaration(data)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    add_text_fields(writer, [TextField(f.name, f.page, f.box, f.align) for f in found.fields])
    fill_text_fields(writer, {"doc_number": number, "doc_date": issued})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def keep_renders(data: bytes, name: str) -> list[Path]:
    """Save every page as PNG at 60 dpi for a person to look at; return the files."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-", ARTIFACTS / name], input=data, check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_the_notice_says_what_was_concluded_and_who_does_what_by_when():
    (text,) = page_texts(render_conclusion(NOTICE))

    assert "ỦY BAN NHÂN DÂN QUẬN 1" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert (
        "THÔNG BÁO Kết luận của Chủ tịch Ủy ban nhân dân Quận 1 Lê Văn Thành tại phiên họp" in text
    )
    assert "Sau khi nghe báo cáo" in text
    assert "Chủ tịch Ủy ban nhân dân Quận 1 kết luận như sau: 1. Thống nhất chủ trương" in text
    assert (
        "Giao: Sở Tài chính (chủ trì: Nguyễn Thị Thu Hà). Thời hạn hoàn thành: 31/12/2026." in text
    )
    assert "Kết quả cần đạt: Báo cáo đề xuất phương án bố trí kinh phí" in text
    assert "Giao: UBND phường Bến Nghé (chủ trì: Trần Văn Minh)." in text
    assert "Thời hạn hoàn thành: 15/01/2027." in text
    assert "Kết quả cần đạt: Hoàn thành bàn giao mặt bằng cho chủ đầu tư." in text
    assert "3. Các cơ quan, đơn vị tiếp tục quán triệt" in text
    assert text.count("Giao:") == 2 and text.count("Thời hạn hoàn thành") == 2  # not item 3
    assert "để các cơ quan, đơn vị liên quan biết, thực hiện./." in text
    assert "Nơi nhận:" in text and "CHỦ TỊCH" in text
    for line in ("- Sở Tài chính;", "- UBND phường Bến Nghé;", "- Lưu: VT."):
        assert line in text
    assert text.index("- Thường trực Quận ủy (để báo cáo);") < text.index("- Lưu: VT.")


def test_an_item_shows_only_the_parts_of_its_task_it_has():
    unit_only = replace(ITEMS[0], assignee="", expected_result="")
    (text,) = page_texts(render_conclusion(replace(NOTICE, items=(unit_only,))))

    assert "Giao: Sở Tài chính. Thời hạn hoàn thành: 31/12/2026." in text
    assert "chủ trì:" not in text and "Kết quả cần đạt" not in text


def test_a_final_notice_leaves_number_and_date_to_the_seal_and_is_signed_beside_noi_nhan():
    pdf = render_conclusion(NOTICE)
    found, sizes = declaration(pdf)

    assert [b.role for b in found.blocks] == ["chair"]
    assert {f.name: f.page for f in found.fields} == {"doc_number": 0, "doc_date": 0}
    (text,) = page_texts(pdf)
    assert "/TB" not in text and "ngày" not in text.split("THÔNG BÁO")[0]  # left to the seal
    chair = found.blocks[0]
    top, bottom = sizes[chair.page][1] - chair.box[3], sizes[chair.page][1] - chair.box[1]
    heading, name = word(pdf, chair.page, "TỊCH"), word(pdf, chair.page, "Thành")
    assert heading[4] <= top + 1 and name[2] >= bottom - 1  # the stamp's space between them
    recipients = word(pdf, chair.page, "Nơi")
    assert abs(recipients[2] - heading[2]) < 4  # side by side, at the same height
    assert recipients[3] < chair.box[0]  # "Nơi nhận" left of the signature's space


def test_the_seal_writes_the_number_and_the_date_after_the_place():
    issued = "ngày 17 tháng 12 năm 2026"
    pdf = sealed(render_conclusion(NOTICE), "05/TB-UBND", issued)

    first = page_texts(pdf)[0]
    assert "Số: 05/TB-UBND" in first
    assert f"Quận 1, {issued}" in first
    place, day = word(pdf, 0, "1,", 0), word(pdf, 0, issued)  # the field's text is one word
    assert 2 < day[1] - place[3] < 6 and abs(place[4] - day[4]) < 2  # a space apart, one line
    assert keep_renders(pdf, "conclusion-notice-final") == [
        ARTIFACTS / "conclusion-notice-final-1.png"
    ]


def test_a_draft_is_marked_and_dated_on_every_page():
    draft = replace(long_notice(12), final=False)
    pdf = render_conclusion(draft)

    texts = page_texts(pdf)
    assert len(texts) >= 2
    assert all("DỰ THẢO" in text for text in texts)
    assert "Số: /TB-UBND" in texts[0] and "Quận 1, ngày 08 tháng 12 năm 2026" in texts[0]
    found, _sizes = declaration(pdf)
    assert found.fields == () and [b.role for b in found.blocks] == ["chair"]
    assert len(keep_renders(pdf, "conclusion-notice-draft")) == len(texts)


def test_vietnamese_letters_are_set_in_tinos_with_none_missing():
    pdf = render_conclusion(NOTICE)

    faces = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert faces == {"Tinos", "TinosBold", "TinosItalic", "TinosBoldItalic"}
    (text,) = page_texts(pdf)
    assert "?" not in text  # what the font lacks would have become "?"
    for phrase in ("Nguyễn Thị Thu Hà", "Đinh Mùi", "vướng mắc vượt thẩm quyền", "Quận ủy"):
        assert phrase in text


def test_a_long_notice_breaks_across_pages_and_keeps_the_signature_row_together():
    pdf = render_conclusion(long_notice(40))

    texts = page_texts(pdf)
    assert len(texts) >= 3
    every = " ".join(texts)
    assert all(f" {n}. " in every for n in range(1, 41))
    assert [t.split()[0] for t in texts[1:]] == [str(n) for n in range(2, len(texts) + 1)]
    found, sizes = declaration(pdf)
    (chair,) = found.blocks
    last = len(texts) - 1
    assert chair.page == last
    assert "Nơi nhận:" in texts[last] and "- Lưu: VT." in texts[last]
    assert "Nơi nhận" not in " ".join(texts[:last])
    assert chair.box[1] > BOTTOM_MARGIN
    assert word(pdf, last, "Thành")[4] < sizes[last][1] - BOTTOM_MARGIN  # the name too
    assert "thực hiện./." in texts[last]  # the closing sentence stays with the signature


def test_the_sandboxed_child_renders_the_notice(tmp_path):
    source, target = tmp_path / "notice.pickle", tmp_path / "notice.pdf"
    source.write_bytes(pickle.dumps(NOTICE))

    report = run_child(
        "meeting_server.pdf.children.minutes",
        ["conclusion", str(source), str(target)],
        timeout_s=60,
        memory_mb=768,
        file_mb=64,
    )

    assert report == {"ok": True, "size": target.stat().st_size}
    assert target.read_bytes() == render_conclusion(NOTICE)
