"""The demo seed's sample PDFs: real Vietnamese documents, deterministic, without active content."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import pytest
from pypdf import PdfReader

from meeting_server.demo.documents import DemoDocument, build_demo_documents
from signing.fonts import serif_source

EXPECTED_WORDS = {
    "to-trinh-ke-hoach-dau-tu-cong-2027.pdf": ["TỜ TRÌNH", "Kế hoạch đầu tư công năm 2027"],
    "bao-cao-kinh-te-xa-hoi-10-thang-2026.pdf": ["BÁO CÁO", "kinh tế - xã hội 10 tháng"],
    "du-thao-quyet-dinh-quy-che-lam-viec.pdf": ["DỰ THẢO", "QUYẾT ĐỊNH", "Quy chế làm việc"],
    "phu-luc-danh-muc-du-an-2027.pdf": ["PHỤ LỤC", "Danh mục dự án"],
}


@pytest.fixture(scope="module")
def documents() -> list[DemoDocument]:
    return build_demo_documents()


def reader_for(document: DemoDocument) -> PdfReader:
    return PdfReader(io.BytesIO(document.data))


def test_demo_has_four_documents_with_unique_ascii_filenames(documents):
    filenames = [document.filename for document in documents]
    assert sorted(filenames) == sorted(EXPECTED_WORDS)
    assert len(set(filenames)) == len(filenames)
    assert all(name.isascii() and name.endswith(".pdf") for name in filenames)


def test_documents_attach_to_the_sample_agenda_items(documents):
    assert [document.agenda_item for document in documents] == [0, 1, 2, 0]


def test_each_document_is_a_real_multi_page_pdf(documents):
    for document in documents:
        assert document.data.startswith(b"%PDF-")
        pages = len(reader_for(document).pages)
        assert 3 <= pages <= 8, f"{document.filename} has {pages} pages"


def test_first_page_shows_official_header_and_title_with_diacritics(documents):
    for document in documents:
        text = reader_for(document).pages[0].extract_text()
        for words in [
            "ỦY BAN NHÂN DÂN",
            "THÀNH PHỐ HÒA BÌNH XANH",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            *EXPECTED_WORDS[document.filename],
        ]:
            assert words in text, f"{words!r} missing from {document.filename}"


def test_every_page_is_numbered_trang_x_of_y(documents):
    for document in documents:
        pages = reader_for(document).pages
        for number, page in enumerate(pages, start=1):
            assert f"Trang {number}/{len(pages)}" in page.extract_text()


def test_metadata_carries_vietnamese_title_and_language(documents):
    for document in documents:
        reader = reader_for(document)
        assert reader.metadata is not None
        assert reader.metadata.title == document.title
        assert reader.trailer["/Root"]["/Lang"] == "vi"
    assert documents[0].title == "Tờ trình về kế hoạch đầu tư công năm 2027"


def test_documents_have_no_open_action_or_javascript(documents):
    for document in documents:
        root = reader_for(document).trailer["/Root"]
        assert "/OpenAction" not in root
        assert "/AA" not in root
        assert "/JavaScript" not in root.get("/Names", {})
        assert b"/JavaScript" not in document.data
        assert b"/OpenAction" not in document.data


def test_building_twice_gives_identical_bytes(documents):
    again = build_demo_documents()
    assert [document.data for document in again] == [document.data for document in documents]


def test_another_process_builds_identical_bytes(documents):
    script = (
        "import hashlib\n"
        "from meeting_server.demo.documents import build_demo_documents\n"
        "for d in build_demo_documents():\n"
        "    print(hashlib.sha256(d.data).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    expected = [hashlib.sha256(document.data).hexdigest() for document in documents]
    assert result.stdout.split() == expected


def test_the_documents_are_set_in_the_vendored_tinos_serif(documents):
    assert serif_source().is_file()
    for document in documents:
        fonts = reader_for(document).pages[0]["/Resources"]["/Font"]
        names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
        assert names and all("Tinos" in name for name in names), (document.filename, names)
