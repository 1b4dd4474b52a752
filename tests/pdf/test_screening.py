"""Upload screening: what a secretary's PDF goes through before the tablets see it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from meeting_server.pdf.screening import (
    REJECTION_CODES,
    REJECTION_MESSAGES,
    PdfRejected,
    screen_pdf,
)
from tests.support import pdf_samples


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """Return the directory the screening may write its cleaned copies into."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def upload(tmp_path: Path) -> Callable[[bytes], Path]:
    """Return a helper that stores bytes as an uploaded file named like a PDF."""

    def store(data: bytes) -> Path:
        path = tmp_path / "upload.pdf"
        path.write_bytes(data)
        return path

    return store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plain_pdf_is_accepted_as_it_is(upload, workdir):
    screened = screen_pdf(upload(pdf_samples.simple_pdf(pages=3)), workdir=workdir)

    assert screened.page_count == 3
    assert screened.stripped == ()
    assert screened.output_path is None
    assert list(workdir.iterdir()) == []


def test_pdf_header_after_some_leading_bytes_is_accepted(upload, workdir):
    path = upload(b"\r\n" * 100 + pdf_samples.simple_pdf())

    assert screen_pdf(path, workdir=workdir).page_count == 2


@pytest.mark.parametrize(
    ("make_sample", "code"),
    [
        (lambda: b"", "empty"),
        (pdf_samples.renamed_text_file, "not_pdf"),
        (lambda: b"\n" * 1024 + pdf_samples.simple_pdf(), "not_pdf"),
        (pdf_samples.truncated_pdf, "damaged"),
        (pdf_samples.broken_xref_pdf, "damaged"),
        (pdf_samples.encrypted_pdf, "encrypted"),
        (pdf_samples.owner_only_encrypted_pdf, "encrypted"),
        (pdf_samples.no_pages_pdf, "no_pages"),
        (pdf_samples.javascript_pdf, "javascript"),
        (pdf_samples.javascript_names_pdf, "javascript"),
        (pdf_samples.launch_pdf, "launch"),
        (pdf_samples.embedded_file_pdf, "embedded_files"),
        (pdf_samples.submit_form_pdf, "forms_submit"),
        (pdf_samples.rich_media_pdf, "rich_media"),
        (pdf_samples.xfa_pdf, "xfa"),
        (pdf_samples.signed_like_pdf_with_javascript, "javascript"),
    ],
)
def test_unsafe_or_unusable_upload_is_refused_without_leftovers(upload, workdir, make_sample, code):
    with pytest.raises(PdfRejected) as refused:
        screen_pdf(upload(make_sample()), workdir=workdir)

    assert refused.value.code == code
    assert refused.value.message is REJECTION_MESSAGES[code]
    assert list(workdir.iterdir()) == []


def test_harmless_open_action_and_page_actions_are_stripped(upload, workdir):
    original = upload(pdf_samples.goto_open_action_pdf())
    before = digest(original)

    screened = screen_pdf(original, workdir=workdir)

    assert screened.stripped == ("OpenAction", "AA")
    assert screened.output_path is not None
    assert screened.output_path.parent == workdir
    with pikepdf.open(screened.output_path) as cleaned:
        assert "/OpenAction" not in cleaned.Root
        assert all("/AA" not in page.obj for page in cleaned.pages)
        assert len(cleaned.pages) == screened.page_count == 2
    assert digest(original) == before


def test_fpdf2_zoom_setting_counts_as_an_open_action(upload, workdir):
    screened = screen_pdf(upload(pdf_samples.fpdf2_pdf()), workdir=workdir)

    assert screened.stripped == ("OpenAction",)
    assert screened.output_path is not None
    assert screened.output_path.is_file()


def test_signed_document_is_never_modified(upload, workdir):
    original = upload(pdf_samples.signed_like_pdf_with_open_action())
    before = digest(original)

    screened = screen_pdf(original, workdir=workdir)

    assert screened.stripped == ()
    assert screened.output_path is None
    assert digest(original) == before
    assert list(workdir.iterdir()) == []


def test_decompression_bomb_hits_the_memory_limit(upload, workdir):
    bomb = upload(pdf_samples.flate_bomb_pdf(megabytes=128))  # 128 KiB that inflates to 128 MiB

    with pytest.raises(PdfRejected) as refused:
        screen_pdf(bomb, workdir=workdir, memory_limit_mb=64)

    assert refused.value.code == "too_complex"
    assert list(workdir.iterdir()) == []


def test_small_memory_limit_still_screens_a_plain_pdf(upload, workdir):
    screened = screen_pdf(upload(pdf_samples.simple_pdf()), workdir=workdir, memory_limit_mb=64)

    assert screened.page_count == 2


def test_screening_that_runs_out_of_time_is_refused(upload, workdir):
    with pytest.raises(PdfRejected) as refused:
        screen_pdf(upload(pdf_samples.simple_pdf()), workdir=workdir, timeout_s=0.001)

    assert refused.value.code == "too_complex"
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("code", sorted(REJECTION_CODES))
def test_every_refusal_explains_itself_to_the_secretary(code):
    message = str(PdfRejected(code).message)

    assert len(message) > 40
    assert message.endswith(".")


def test_unknown_refusal_code_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown rejection code"):
        PdfRejected("virus")
