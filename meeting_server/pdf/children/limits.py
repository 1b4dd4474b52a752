"""The child side of the resource-limited children: limits, failure codes and ``main``.

Each child in this folder (screen, thumbnail, watermark, minutes, signing_prepare, verify) is
run by ``pdf.runner.run_child`` as ``python -m meeting_server.pdf.children.<name> ARGS``. It
imports only the standard library and PDF libraries, never Flask or the database (importing
``meeting_server`` loads nothing else; ``tests/test_layout.py`` checks). Before it loads its
PDF library it caps its own address space, CPU time, written file size and core dumps with
the values the parent put in ``MEETING_CHILD_MEMORY_MB``, ``MEETING_CHILD_CPU_S`` and
``MEETING_CHILD_FILE_MB``. It prints exactly one JSON line, its report:
``{"ok": true, ...}`` or ``{"ok": false, "code": "..."}``.

Standard library only: this module runs before the limits are in place. So does the package
``meeting_server/__init__.py``, which ``python -m`` imports first: keep both light.
"""

from __future__ import annotations

import errno
import json
import math
import os
import resource
import sys
import traceback
from collections.abc import Callable
from typing import Any

MIB = 1024 * 1024
MEMORY_ENV = "MEETING_CHILD_MEMORY_MB"
CPU_ENV = "MEETING_CHILD_CPU_S"
FILE_ENV = "MEETING_CHILD_FILE_MB"

Report = dict[str, Any]


class Rejected(Exception):
    """Stop the work with a failure code of the worker's own; it is reported as it is."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def run_worker(argv: list[str], usage: str, work: Callable[[list[str]], Report]) -> int:
    """Check ``argv``, apply the limits, run ``work`` on the arguments, print its report.

    ``usage`` is the module and its argument names (``"meeting_server._x_worker IN OUT"``);
    any failure of ``work`` is reported as ``{"ok": false, "code": ...}``.
    """
    if len(argv) != len(usage.split()):
        print(f"usage: python -m {usage}", file=sys.stderr)
        return 2
    limit_from_environment()
    try:
        report = work(argv[1:])
    except Rejected as rejection:
        report = {"ok": False, "code": rejection.code}
    except MemoryError:
        report = {"ok": False, "code": "too_complex"}
    except Exception as exc:
        report = {"ok": False, "code": failure_code(exc)}
    print(json.dumps(report), flush=True)
    return 0


def limit_from_environment() -> None:
    """Cap address space, CPU time, written file size and core dumps as the parent asked."""
    memory_mb = int(os.environ.get(MEMORY_ENV, "512"))
    cpu_s = math.ceil(float(os.environ.get(CPU_ENV, "30")))
    file_mb = int(os.environ.get(FILE_ENV, "64"))
    lower_limit(resource.RLIMIT_AS, memory_mb * MIB)
    lower_limit(resource.RLIMIT_CPU, cpu_s, hard=cpu_s + 1)  # SIGXCPU first, SIGKILL after
    lower_limit(resource.RLIMIT_FSIZE, file_mb * MIB)
    lower_limit(resource.RLIMIT_CORE, 0)


def lower_limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Set a resource limit, never above the hard limit this process already has."""
    _, current_hard = resource.getrlimit(kind)
    wanted_hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        wanted_hard = min(wanted_hard, current_hard)
    resource.setrlimit(kind, (min(soft, wanted_hard), wanted_hard))


def failure_code(exc: Exception) -> str:
    """Map an unexpected exception to a code; report the unexpected ones on stderr."""
    text = str(exc)
    # qpdf turns an allocation failure inside a stream filter into a decoding error, and a
    # failed import of a native library under the memory cap reads "Cannot allocate".
    if "bad_alloc" in text or "Cannot allocate memory" in text:
        return "too_complex"
    # Python ignores SIGXFSZ, so a write over RLIMIT_FSIZE fails with EFBIG instead.
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return "too_complex"
    loaded = sys.modules.get("pikepdf")  # not imported here: the import may be what failed
    if loaded is None or not isinstance(exc, loaded.PdfError):
        traceback.print_exc(file=sys.stderr)
    return "damaged"
