"""CPU-heavy work off the event loop under ``serve`` (gevent): signing, validation, hashing.

``offload`` runs trusted work (signing our own PDFs, validating) in gevent's thread pool;
``offload_one_at_a_time`` runs work many people start at once (argon2 sign-ins) in one thread
of its own at the lowest priority. Untrusted files go to a limited child process instead
(``pdf.runner.run_child``).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


#: The niceness of the thread that hashes passwords: the kernel runs the event loop first and
#: the hashing in the time it leaves (19 is the lowest priority; raising it needs no privilege).
BACKGROUND_NICENESS = 19


def offload_one_at_a_time(work: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy work off the event loop, one job at a time, at the lowest CPU priority.

    For work many people start at once (20 sign-ins as a meeting begins). argon2 hashes on
    four threads of its own, so even one job at a time would take both cores from the event
    loop and the room's notices with it; at niceness 19 (which the threads argon2 starts
    inherit) the kernel gives the loop the CPU whenever it wants it, and a sign-in waits only
    while the room is busy.
    """
    if not _under_gevent():
        return work(*args)
    return _serial_pool().apply(_in_background, (work, *args))


def _in_background(work: Callable[..., T], *args: Any) -> T:
    """Run ``work`` in this (pool) thread after lowering the thread's CPU priority."""
    import threading

    with contextlib.suppress(OSError):  # (a platform without per-thread niceness)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    return work(*args)


@functools.cache
def _serial_pool() -> Any:
    from gevent.threadpool import ThreadPool

    return ThreadPool(1)


def offload(work: Callable[..., T], *args: Any) -> T:
    """Run trusted CPU-heavy work (signing our own PDFs) off the event loop and return its result.

    Under ``serve`` (gevent) it runs in the hub's thread pool, so other greenlets keep
    serving tablets meanwhile (pyHanko releases the GIL in its hashing and crypto); otherwise
    the request thread does it. Untrusted files go to ``run_child`` instead.
    """
    if not _under_gevent():
        return work(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(work, args)


def _under_gevent() -> bool:
    """Tell whether this process is ``serve`` (gevent has patched threading)."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return bool(monkey.is_module_patched("threading"))
