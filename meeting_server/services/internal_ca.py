"""The internal certification authority's folder: create it, open it, revoke, publish CRLs.

Its keys are encrypted with the CA passphrase; the app opens them with the passphrase file
(``CA_PASSPHRASE_FILE``) to issue people's certificates and to run the CA's own timestamping
authority (`services/timestamps.py`) and OCSP responder (`services/ocsp.py`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from flask import current_app

from signing import CAConfig, InternalCA, SigningError
from signing.ocsp import ensure_responder
from signing.tsa import ensure_tsa

from ..offload import offload

__all__ = [
    "PUBLISHED_CRLS",
    "ca_dir",
    "ca_service",
    "create_ca",
    "load_ca",
    "publish_crls",
    "published_crl",
    "revoke_certificate",
]

PUBLISHED_CRLS = ("issuing.crl", "root.crl")
T = TypeVar("T")
_services_lock = threading.Lock()


def ca_dir() -> Path:
    """Return the internal CA's folder (``CA_DIR``)."""
    return Path(current_app.config["CA_DIR"])


def create_ca(organisation: str, key_type: str, passphrase: bytes) -> InternalCA:
    """Create the internal CA, its timestamping authority and OCSP responder; certificates
    name the CRLs at ``PUBLIC_URL/ca/`` and the responder at ``PUBLIC_URL/ca/ocsp``."""
    config = CAConfig(
        organisation=organisation,
        crl_base_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/ca",
        key_type=key_type,  # type: ignore[arg-type]  # checked by CAConfig
    )
    ca = InternalCA.create(ca_dir(), config, passphrase)
    publish_crls(ca)
    ensure_tsa(ca, passphrase)
    ensure_responder(ca, passphrase)
    return ca


def load_ca(passphrase: bytes) -> InternalCA:
    """Open the internal CA (its keys need the passphrase), off the event loop."""
    return offload(InternalCA.load, ca_dir(), passphrase)


def revoke_certificate(ca: InternalCA, serial_hex: str) -> None:
    """Revoke a certificate by its hexadecimal serial and publish the new CRLs."""
    try:
        serial = int(serial_hex, 16)
    except ValueError:
        raise SigningError(f"{serial_hex!r} is not a hexadecimal serial number.") from None
    ca.revoke(serial)
    publish_crls(ca)


def publish_crls(ca: InternalCA) -> None:
    """Write fresh CRLs into the CA folder, where ``/ca/<name>`` serves them."""
    for name, data in zip(PUBLISHED_CRLS, (ca.crl(), ca.root_crl()), strict=True):
        temporary = ca_dir() / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, ca_dir() / name)


def published_crl(name: str) -> Path | None:
    """Return the path of a published CRL, or ``None`` for anything else."""
    path = ca_dir() / name
    return path if name in PUBLISHED_CRLS and path.is_file() else None


def ca_service(
    certificate: str,
    due: Callable[[Path], datetime | None],
    issue: Callable[[InternalCA, bytes], object],
    load: Callable[[Path, bytes], T | None],
) -> T | None:
    """Return one of the CA's own services (its TSA, its OCSP responder), loaded once per
    process and again when its ``certificate`` file changes (a renewal by another process);
    a missing or ending certificate is issued anew first. None without the passphrase file."""
    passphrase_file = Path(current_app.config["CA_PASSPHRASE_FILE"])
    folder = ca_dir()
    if not passphrase_file.is_file() or not (folder / "root.pem").is_file():
        return None
    path = folder / certificate
    cache: dict[str, tuple[int | None, datetime | None, T | None]]
    cache = current_app.extensions.setdefault("meeting.ca_services", {})
    cached = cache.get(certificate)
    now = datetime.now(UTC)
    if cached is not None and cached[0] == _changed(path) and cached[1] and cached[1] > now:
        return cached[2]
    with _services_lock:
        passphrase = passphrase_file.read_bytes().strip()
        renew_at = due(folder)
        if renew_at is None or renew_at <= now:
            offload(issue, load_ca(passphrase), passphrase)  # a new RSA key: off the loop
            renew_at = due(folder)
        found = offload(load, folder, passphrase)  # the key decrypts slowly (PBKDF2, RSA)
        cache[certificate] = (_changed(path), renew_at, found)
        return found


def _changed(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None
