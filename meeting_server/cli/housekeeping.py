"""What the serving process does by itself, besides answering: ``run`` and ``serve`` start it.

Every ``AUDIT_SEAL_EVERY_S`` seconds it seals new audit events; every ten minutes it sweeps
what killed processes left in the storage's ``tmp/``, the public checks' expired uploads and
the picture comparisons nobody opened for ``VISUAL_CACHE_DAYS`` and the API's answers kept for
``Idempotency-Key`` past ``API_IDEMPOTENCY_HOURS``;
once a day it appends the audit chain's head to ``<instance>/audit-anchors.txt``. With several
processes each one does it; sealing and sweeping are safe to run at the same time.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

from ..extensions import db, socketio
from ..services import api_keys, audit_chain, verification, visual_check
from ..storage import blob_store
from .audit import anchors_path, seal_now

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 600


def housekeeping_once(state: dict[str, Any]) -> None:
    """One pass (in an app context): seal; sweep when due; anchor once a day."""
    seal_now()
    now = time.monotonic()
    if now - state.get("swept", -SWEEP_EVERY_S) >= SWEEP_EVERY_S:
        blob_store().sweep_tmp()
        verification.prune_uploads(verification.uploads_dir())
        visual_check.prune_cache()
        api_keys.prune_answers()
        db.session.commit()
        state["swept"] = now
    if state.get("anchored") != date.today():
        audit_chain.write_anchor(anchors_path())
        state["anchored"] = date.today()


def start_housekeeping(app: Any) -> None:
    """Run :func:`housekeeping_once` every ``AUDIT_SEAL_EVERY_S`` seconds (0: never)."""
    interval = float(app.config["AUDIT_SEAL_EVERY_S"])
    if interval <= 0:
        return
    state: dict[str, Any] = {}

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            try:
                with app.app_context():
                    housekeeping_once(state)
            except Exception:  # keep going after a failed pass (the database was away)
                log.exception("housekeeping failed")

    socketio.start_background_task(loop)
