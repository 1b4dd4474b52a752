"""The picture comparison's cost (issue 15): ``validate_visual_per_page_ms`` for 10 and 100 pages.

A Vietnamese text document of 10 and of 100 A4 pages (fpdf2, the stamps' Noto face, ~40
lines a page) goes through a route: ``prepare_route``, then the chair, the secretary and the
clerk's seal (``sign_route_step``, B-B, visible stamps on the last page). On the result:

* **baseline in the same run**: pyHanko's own validation of the three signatures
  (``validate_pdf_signature`` per signature, as bench/sign_bench.py's baseline);
* ``signing.validate_pdf`` (pyHanko + our report), then the picture comparison alone
  (``signing.visual.compare_signatures``: three signed revisions against the file, the
  current pages rendered once) — ``validate_visual_per_page_ms`` is that time divided by the
  pages (target ≤ 40 ms) — and both together;
* the comparison as the server runs it: ``python -m meeting_server.pdf.children.visual_compare``
  (process start, imports, comparison), once per round.

Medians of ``ROUNDS`` (after one warm-up). ``visual_bench.py quick`` runs 10 pages only and
writes nothing.
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fanout_bench import finish
from fpdf import FPDF
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from signing import (
    CAConfig,
    InternalCA,
    LeaderStamp,
    PadesLevel,
    PinProtectedKey,
    RouteSlot,
    SealStamp,
    TrustSettings,
    generate_private_key,
    prepare_route,
    sign_route_step,
    validate_pdf,
)
from signing.fonts import vietnamese_font_path
from signing.testing import LocalServices
from signing.visual import SignedRange, VisualOptions, compare_signatures

ROUNDS = 7
TARGET_MS = 40.0
PIN = "864213"
ROUTE = [RouteSlot("chair"), RouteSlot("secretary"), RouteSlot("seal", "seal")]
LINE = "Điều {n}. Ủy ban nhân dân thành phố giao các phòng, ban thực hiện nội dung đã thống nhất."


def median_ms(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    action()  # warm up
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def document(pages: int) -> bytes:
    """Return ``pages`` A4 pages of Vietnamese text (about 40 lines each)."""
    pdf = FPDF(format="A4")
    pdf.add_font("Noto", fname=str(vietnamese_font_path()))
    pdf.set_font("Noto", size=11)
    for page in range(pages):
        pdf.add_page()
        for line in range(40):
            pdf.cell(0, 6, LINE.format(n=page * 40 + line + 1), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def routed(data: bytes, ca: InternalCA, trust: TrustSettings) -> bytes:
    data = prepare_route(data, ROUTE)
    now = datetime.now(UTC)
    for slot in ROUTE:
        seal = slot.kind == "seal"
        private_key = generate_private_key("ec-p256")
        organisation = ca.config.organisation
        if seal:
            cert = ca.issue_seal(public_key=private_key.public_key(), organisation=organisation)
            stamp: LeaderStamp | SealStamp = SealStamp(agency=organisation, signed_at=now)
        else:
            cert = ca.issue_signer(
                public_key=private_key.public_key(),
                full_name="Trần Văn Minh",
                title="Chủ tịch",
                organisation=organisation,
            )
            stamp = LeaderStamp(
                full_name="Trần Văn Minh",
                title="Chủ tịch",
                organisation=organisation,
                signed_at=now,
            )
        key = PinProtectedKey.seal(private_key, PIN, certificate=cert, chain=ca.chain)
        key.unlock(PIN)
        data = sign_route_step(
            data, key, field_name=slot.field_name, trust=trust, stamp=stamp, level=PadesLevel.B_B
        )
    return data


def baseline(data: bytes, trust: TrustSettings) -> None:
    """pyHanko's own validation of every signature."""
    reader = PdfFileReader(io.BytesIO(data))
    for sig in reader.embedded_regular_signatures:
        status = validate_pdf_signature(sig, signer_validation_context=trust.context())
        assert status.bottom_line  # noqa: S101 — a bench of a valid route


def in_child(path: Path, ranges: list[tuple[str, int]]) -> None:
    done = subprocess.run(  # noqa: S603 — our interpreter and module
        [sys.executable, "-m", "meeting_server.pdf.children.visual_compare", str(path),
         json.dumps(ranges), json.dumps({})],
        capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    answer = json.loads(done.stdout.splitlines()[-1])
    if not answer["ok"] or any(check["changed"] for check in answer["checks"]):
        raise RuntimeError(f"the child found a change in a valid route: {answer}")


def measure(pages: int, ca: InternalCA, trust: TrustSettings, work: Path) -> dict[str, float]:
    data = routed(document(pages), ca, trust)
    report = validate_pdf(data, trust)
    assert report.all_valid  # noqa: S101
    ranges = [SignedRange(*entry) for entry in report.ranges()]
    checks = compare_signatures(data, ranges)
    assert not any(check.changed or check.error for check in checks)  # noqa: S101
    path = work / f"route-{pages}.pdf"
    path.write_bytes(data)
    rounds = ROUNDS if pages <= 10 else 3
    visual = median_ms(lambda: compare_signatures(data, ranges), rounds)
    return {
        f"baseline_validate_route_{pages}p_ms": median_ms(lambda: baseline(data, trust), rounds),
        f"validate_route_{pages}p_ms": median_ms(lambda: validate_pdf(data, trust), rounds),
        f"visual_route_{pages}p_ms": visual,
        f"validate_with_visual_route_{pages}p_ms": median_ms(
            lambda: validate_pdf(data, trust, visual=VisualOptions()), rounds
        ),
        f"visual_child_route_{pages}p_ms": median_ms(
            lambda: in_child(path, report.ranges()), rounds
        ),
        f"validate_visual_per_page_ms_{pages}p": round(visual / pages, 2),
    }


def main(argv: list[str]) -> int:
    sizes = [10] if argv[:1] == ["quick"] else [10, 100]
    results: dict[str, float] = {}
    with LocalServices() as services, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = CAConfig(
            organisation="UBND Thành phố Hòa Bình Xanh",
            crl_base_url=services.base_url + "/ca",
            key_type="ec-p256",
        )
        services.ca = ca = InternalCA.create(work / "ca", config, b"bench-passphrase")
        trust = TrustSettings.of(
            [ca.root_certificate], [ca.issuing_certificate], [ca.crl(), ca.root_crl()]
        )
        for pages in sizes:
            print(f"{pages} pages …", flush=True)
            results.update(measure(pages, ca, trust, work))
    targets = {
        f"validate_visual_per_page_ms_{pages}p": {
            "measured": results[f"validate_visual_per_page_ms_{pages}p"],
            "target": TARGET_MS,
            "met": results[f"validate_visual_per_page_ms_{pages}p"] <= TARGET_MS,
        }
        for pages in sizes
    }
    report = {"results": {"visual": results}, "targets": targets}
    return finish(report, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
