"""Clerks sealing at the same instant: each takes a number in its own transaction."""

from __future__ import annotations

import threading
import time

from flask import Flask

from meeting_server.extensions import db
from meeting_server.models import DocumentKind
from meeting_server.services import register


def number_at_once(app: Flask, count: int, kind: DocumentKind = DocumentKind.MINUTES) -> list[int]:
    """Have ``count`` threads take a number of ``kind`` at once; return the numbers, sorted."""
    barrier = threading.Barrier(count)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            try:
                entry = register.allocate(None, kind, None)
                time.sleep(0.01)  # the transaction stays open a moment, as a seal's does
                db.session.commit()
                numbers.append(entry.number)
            except Exception as error:  # noqa: BLE001 — reported by the assertion below
                db.session.rollback()
                errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [], errors
    return sorted(numbers)
