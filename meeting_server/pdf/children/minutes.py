"""Render the minutes, the attendance sheet or the conclusion notice in a throw-away,
resource-limited process.

Run as ``python -m meeting_server.pdf.children.minutes KIND IN OUT`` by ``services/minutes.py``:
``KIND`` is ``minutes`` or ``attendance`` (``IN`` holds a pickled ``MinutesData``) or
``conclusion`` (a pickled ``pdf.conclusion.NoticeData``); ``IN`` is what the parent wrote
(our own process's data, never a user's file), ``OUT`` where the PDF goes. fpdf2 is pure
Python: a 200-person meeting takes a couple of seconds of CPU, which inside the (gevent) web
process would hold up every tablet it serves. Prints one JSON line:
``{"ok": true, "size": N}`` or ``{"ok": false, "code": ...}``.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from meeting_server.pdf.children.limits import Rejected, run_worker

USAGE = "meeting_server.pdf.children.minutes KIND IN OUT"


def main(argv: list[str]) -> int:
    """Render ``argv[2]`` as ``argv[1]`` into ``argv[3]`` and print the report."""
    return run_worker(argv, USAGE, lambda args: render(args[0], Path(args[1]), Path(args[2])))


def render(kind: str, source: Path, target: Path) -> dict[str, Any]:
    """Write the PDF of ``kind`` for the data pickled in ``source``."""
    from meeting_server.pdf import conclusion as conclusion_pdf
    from meeting_server.pdf import minutes as minutes_pdf

    renderers: dict[str, Callable[[Any], bytes]] = {
        "minutes": minutes_pdf.render_minutes,
        "attendance": minutes_pdf.render_attendance_sheet,
        "conclusion": conclusion_pdf.render_conclusion,
    }
    if kind not in renderers:
        raise Rejected("unknown_kind")
    data = pickle.loads(source.read_bytes())  # noqa: S301 — written by our parent just now
    pdf = renderers[kind](data)
    with target.open("wb") as out:
        out.write(pdf)
        out.flush()
        os.fsync(out.fileno())
    return {"ok": True, "size": len(pdf)}


if __name__ == "__main__":
    sys.exit(main(sys.argv))
