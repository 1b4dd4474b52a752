"""A finished route extended to B-LT and B-LTA, and its archive timestamp renewed: every
signature stays valid (our validator, pyHanko's and pdfsig agree), and the levels show."""

from __future__ import annotations

import io
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.errors import SigningError
from signing.longterm import archive_ends, extend_to_lta, refresh_archive
from signing.routes import prepare_route
from signing.validate import validate_pdf
from tests.signing_lib.test_routes import ROUTE, _run_route

FIELDS = ("chair", "vice_chair", "secretary", "seal")


@pytest.fixture
def finished(make_pdf, make_signer, trust, services):
    return _run_route(prepare_route(make_pdf(pages=2), ROUTE), make_signer, trust, services)


def test_a_finished_route_becomes_b_lta_and_stays_valid(finished, trust, services, tmp_path):
    before = validate_pdf(finished, trust)
    assert [s.pades_level for s in before.signatures] == ["B-T"] * 4
    archived = extend_to_lta(finished, trust, services.tsa_url)
    assert archived.startswith(finished)  # incremental: every signed byte is kept
    report = validate_pdf(archived, trust)
    assert report.all_valid, [s.reason_en for s in report.signatures]
    assert [s.field_name for s in report.signatures] == list(FIELDS)
    assert [s.pades_level for s in report.signatures] == ["B-LTA"] * 4
    path = tmp_path / "archived.pdf"
    path.write_bytes(archived)
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert pdfsig.stdout.count("Signature is Valid") == 4, pdfsig.stdout
    assert "Signature #5" in pdfsig.stdout  # the document timestamp (pdfsig lists, not checks it)
    ends = archive_ends(archived)
    assert ends is not None and ends.year >= 2027


def test_the_archive_timestamp_is_renewed_over_the_previous_one(finished, trust, services):
    archived = extend_to_lta(finished, trust, services.tsa_url)
    renewed = refresh_archive(archived, trust, services.tsa_url)
    assert renewed.startswith(archived)
    report = validate_pdf(renewed, trust)
    assert report.all_valid and [s.pades_level for s in report.signatures] == ["B-LTA"] * 4

    assert len(PdfFileReader(io.BytesIO(renewed)).embedded_timestamp_signatures) == 2


def test_no_long_term_without_a_timestamp_authority(finished, trust):
    with pytest.raises(SigningError, match="timestamp authority"):
        extend_to_lta(finished, trust, None)
