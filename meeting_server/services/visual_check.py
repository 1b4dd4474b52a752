"""What each signer saw beside what the file shows now (issue 15): the picture comparison.

pyHanko judges which PDF objects an update touched; a shadow attack passes as form filling
while the page shows something else. ``signing.visual`` renders each signed revision and the
current file and reports what differs outside the allowed additions (the masking rule of
``signing.visual``: a placeholder signature field filled by a later *vouched* signature, one
that pyHanko found intact and trusted, as ``DocumentReport.ranges()`` says; a new vouched
stamp on a blank spot; a text field filled where its signed rectangle was blank).

pdfium renders only in a limited child (``children.visual_compare``; for uploads the verify
child compares in the same run). Our own stored versions are immutable, so their result,
pictures included, is kept in ``<STORAGE_DIR>/visual/<sha256>-<key>.json``, the key hashing
the rule's version (``signing.visual.ALGORITHM``), the ranges and the settings; a failed
comparison is not kept (the next view tries again) and leaves the signatures "not compared",
which is not valid. ``VISUAL_DPI`` (default 50) and ``VISUAL_PAGE_LIMIT`` (default 0: every
page) are read from the configuration; the limit is a safety valve, the page says when it
applied, and a signature compared under it is not valid ("not fully verified").
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from signing.visual import ALGORITHM, DEFAULT_DPI, PICTURE_DPI, PICTURE_PAGES

from ..pdf.runner import ChildFailed, exclusive_lock, run_child

__all__ = ["Comparison", "compare_stored", "options", "prune_cache"]

CACHE_DIR = "visual"


def options() -> dict[str, Any]:
    """Return the comparison's settings (the children's ``OPTIONS``/``VISUAL`` argument)."""
    config = current_app.config
    limit = config.get("VISUAL_PAGE_LIMIT")
    return {
        "dpi": int(config.get("VISUAL_DPI") or DEFAULT_DPI),
        "page_limit": int(limit) if limit else None,
        "picture_dpi": PICTURE_DPI,
        "picture_pages": PICTURE_PAGES,
    }


@dataclass(frozen=True)
class Comparison:
    """The child's answer: one check per signature (JSON) and the pictures of changed pages."""

    checks: list[dict[str, Any]]
    pictures: dict[str, Any]


def compare_stored(
    sha256: str, path: Path, ranges: list[tuple[str, int, bool]]
) -> Comparison | None:
    """Compare every signed revision of our stored file ``path`` with the whole file.

    ``ranges`` is ``DocumentReport.ranges()``: which signatures are vouched is part of the
    question (and of the kept result's key, with the masking rule's version). Returns None
    when the child gave no answer (a limit, a crash): nothing is kept then.
    """
    if not ranges:
        return Comparison([], {})
    settings = options()
    question = [ALGORITHM, ranges, settings]
    key = hashlib.sha256(json.dumps(question, sort_keys=True).encode()).hexdigest()
    folder = Path(current_app.config["STORAGE_DIR"]) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{sha256}-{key[:16]}.json"
    with exclusive_lock(folder / f".{sha256}.lock", wait_s=_timeout()) as held:
        if held and kept.is_file():
            saved = json.loads(kept.read_bytes())
            os.utime(kept)  # last used now: the pruning keeps what people still open
            return Comparison(saved["checks"], saved["pictures"])
        answer = _run(path, ranges, settings)
        if answer is not None and held:
            _write_atomically(kept, json.dumps(answer.__dict__).encode())
        return answer


def prune_cache(now: float | None = None) -> int:
    """Remove kept comparisons nobody opened for ``VISUAL_CACHE_DAYS``; return how many.

    A removed one is computed again the next time its page is opened.
    """
    folder = Path(current_app.config["STORAGE_DIR"]) / CACHE_DIR
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - current_app.config["VISUAL_CACHE_DAYS"] * 86400
    removed = 0
    for kept in folder.glob("*.json"):
        try:
            if kept.stat().st_mtime < cutoff:
                kept.unlink()
                removed += 1
        except FileNotFoundError:  # another process pruned it first
            continue
    return removed


def _run(
    path: Path, ranges: list[tuple[str, int, bool]], settings: dict[str, Any]
) -> Comparison | None:
    config = current_app.config
    try:
        answer = run_child(
            "meeting_server.pdf.children.visual_compare",
            [str(path), json.dumps(ranges), json.dumps(settings)],
            timeout_s=_timeout(),
            memory_mb=int(config["VERIFY_MEMORY_MB"]),
            file_mb=1,  # the child writes nothing
        )
    except ChildFailed:
        return None
    if not answer.get("ok") or not isinstance(answer.get("checks"), list):
        return None
    return Comparison(answer["checks"], answer.get("pictures") or {})


def _timeout() -> float:
    return float(current_app.config["VERIFY_TIMEOUT_S"])


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{secrets.token_hex(8)}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
