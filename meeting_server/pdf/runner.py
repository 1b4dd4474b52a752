"""Run risky PDF work in a resource-limited child process, one at a time, remembering failures.

The parent side of the children (``pdf/children/``: screening, thumbnails, watermarks, minutes,
signing preparation, verification; their side is ``children/limits.py``). ``run_child`` starts
``python -m <module>`` with the limits in its environment; the child applies them itself (as
``preexec_fn`` is not safe with threads or gevent) and prints a one-line JSON report last,
so a hostile file can exhaust or kill the child, never the web process.

Work on a stored file (thumbnails, watermarked copies) is done once: ``exclusive_lock``
makes a second request wait for the first (``flock`` works across the server processes of
one machine), and ``remembered_failure`` keeps a failure for ``RETRY_AFTER_S``, so repeated
requests cannot keep a CPU busy with a file that will fail again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .children.limits import CPU_ENV, FILE_ENV, MEMORY_ENV, MIB

__all__ = [
    "RETRY_AFTER_S",
    "ChildExhausted",
    "ChildFailed",
    "WorkFailed",
    "exclusive_lock",
    "failed_recently",
    "output_allowance_mb",
    "remembered_failure",
    "run_child",
]

log = logging.getLogger(__name__)

RETRY_AFTER_S = 600
LOCK_POLL_S = 0.05


class ChildFailed(Exception):
    """A limited child process gave no usable report."""


class ChildExhausted(ChildFailed):
    """A limited child ran out of time or memory or was killed (a limit or a crash)."""


class WorkFailed(Exception):
    """Work on a file could not be done; ``reason`` is "busy" or the child's failure code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run_child(
    module: str, args: Sequence[str], *, timeout_s: float, memory_mb: int, file_mb: int
) -> dict[str, Any]:
    """Run ``python -m module args`` under limits and return its one-line JSON report.

    Raises ``ChildExhausted`` when the child ran out of time, was killed by a signal or hit
    a MemoryError, and ``ChildFailed`` when it printed no report.
    """
    env = {
        **os.environ,
        MEMORY_ENV: str(memory_mb),
        CPU_ENV: str(math.ceil(timeout_s)),
        FILE_ENV: str(file_mb),
    }
    try:
        # Trusted argv (our interpreter, our module, paths we chose), no shell.
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed and reaped the child
        raise ChildExhausted(f"{module}: no answer within {timeout_s} s") from None
    if done.stderr:
        log.warning("%s said: %s", module, done.stderr[-2000:].decode(errors="replace"))
    # A MemoryError outside the worker's own handler (say, while printing) ends it without
    # a report, or with one that only says "damaged": it is still the memory limit.
    if done.returncode < 0 or b"MemoryError" in done.stderr:
        raise ChildExhausted(f"{module}: killed or out of memory (status {done.returncode})")
    report = last_json_line(done.stdout) if done.returncode == 0 else None
    if report is None:
        raise ChildFailed(f"{module}: exit status {done.returncode}, no report")
    return report


def last_json_line(stdout: bytes) -> dict[str, Any] | None:
    """Return the JSON object on the last line of ``stdout``, or None if there is none."""
    lines = stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def output_allowance_mb(source: Path) -> int:
    """Return a written-file limit that fits a rewritten copy of ``source``."""
    return math.ceil(4 * source.stat().st_size / MIB) + 16


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait_s: float) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path``; yield False if it stayed taken for ``wait_s``.

    Polls without blocking, so that under gevent other requests run while this one waits.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(LOCK_POLL_S)
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def failed_recently(marker: Path) -> str | None:
    """Return the failure remembered in ``marker`` if it is less than RETRY_AFTER_S old."""
    try:
        if time.time() - marker.stat().st_mtime < RETRY_AFTER_S:
            return marker.read_text() or "too_complex"
    except FileNotFoundError:
        pass
    return None


@contextlib.contextmanager
def remembered_failure(marker: Path, failure: type[WorkFailed]) -> Iterator[None]:
    """Raise ``failure`` for a failure remembered in ``marker``; remember one raised inside."""
    reason = failed_recently(marker)
    if reason is not None:
        raise failure(reason)
    try:
        yield
    except failure as failed:
        marker.write_text(failed.reason)
        raise
