"""Reachability of the CI services: required under CI=true, skipped elsewhere when absent."""

from __future__ import annotations

import os
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(name: str, port: int) -> None:
    """Fail (CI) or skip (elsewhere) unless something listens on 127.0.0.1:``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as error:
        message = f"{name} is not reachable at 127.0.0.1:{port} ({error})"
        if IN_CI:
            pytest.fail(message + " — CI must provide it")
        pytest.skip(message)
