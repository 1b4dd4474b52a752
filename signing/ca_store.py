"""On-disk storage of an internal CA: atomic writes, the locked index and issued certificates.

:class:`~signing.ca.InternalCA` keeps the CA logic; this module keeps the files that change after
the CA is created::

    index.json           issued certificates, revocations and CRL numbers
    index.lock           the lock file serialising changes to index.json
    issued/<serial>.pem  every issued certificate (serial in lower-case hex)

Every file is written atomically (temporary file, fsync, rename). Changes to ``index.json`` are
serialised with an ``flock`` on ``index.lock``, so several processes may share one CA directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing.errors import CertificateAuthorityError

__all__ = ["CAStore", "write_atomic", "write_service_key"]

_FORMAT = 1


def write_service_key(
    directory: Path, names: tuple[str, str], key: Any, certificate: Any, passphrase: bytes
) -> None:
    """Keep a CA service's certificate and key (its TSA, its OCSP responder) beside the CA:
    ``names`` = (certificate file, key file); the key in PKCS#8, encrypted with the CA
    passphrase, mode 0600; the key first, so a certificate is never without its key."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    write_atomic(directory / names[1], pem, mode=0o600)
    write_atomic(directory / names[0], certificate.public_bytes(serialization.Encoding.PEM))


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory.

    :param path: The file to create or replace; its directory must exist.
    :param data: The new content.
    :param mode: Permission bits, set before the file appears under its name.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class CAStore:
    """Keep the index and the issued certificates of one CA directory.

    ``index.json`` holds ``{"format", "crl_numbers": {"root", "issuing"}, "issued"}``, where
    ``issued`` maps lower-case hex serials, oldest first, to entries with ``subject``, ``kind``,
    ``not_after``, ``fingerprint_sha256``, ``revoked_at`` (ISO 8601 or ``None``) and ``reason``
    (a CRL reason value or ``None``). Nothing is cached: every call reads the files afresh.
    """

    def __init__(self, directory: Path) -> None:
        """Use the CA directory ``directory``; nothing is read or written yet.

        :param directory: The CA's directory.
        """
        self.directory = directory

    def make_directories(self) -> None:
        """Create the CA directory and its ``issued/`` folder (mode 0700) if missing."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.directory / "issued").mkdir(mode=0o700, exist_ok=True)

    def create_index(self) -> None:
        """Write an empty index: nothing issued, both CRL numbers at 0."""
        crl_numbers = {"root": 0, "issuing": 0}
        self._write_index({"format": _FORMAT, "crl_numbers": crl_numbers, "issued": {}})

    def entry(self, serial_number: int) -> dict[str, Any] | None:
        """Return the index entry of a certificate, or ``None`` if it was never issued here.

        :param serial_number: Serial number of the certificate.
        """
        entry: dict[str, Any] | None = self._read_index()["issued"].get(format(serial_number, "x"))
        return entry

    def issued_entries(self) -> dict[str, dict[str, Any]]:
        """Return every index entry, keyed by lower-case hex serial, oldest first."""
        issued: dict[str, dict[str, Any]] = self._read_index()["issued"]
        return issued

    def record_issued(self, certificate: x509.Certificate, kind: str) -> None:
        """Store an issued certificate as PEM and add it to the index.

        :param certificate: The certificate just signed.
        :param kind: ``"signer"`` or ``"seal"``.
        """
        serial = format(certificate.serial_number, "x")
        pem = certificate.public_bytes(serialization.Encoding.PEM)
        write_atomic(self.directory / "issued" / f"{serial}.pem", pem)
        with self._locked_index() as index:
            index["issued"][serial] = {
                "subject": certificate.subject.rfc4514_string(),
                "kind": kind,
                "not_after": certificate.not_valid_after_utc.isoformat(),
                "fingerprint_sha256": certificate.fingerprint(hashes.SHA256()).hex(),
                "revoked_at": None,
                "reason": None,
            }

    def record_revocation(
        self, serial_number: int, revoked_at: datetime, reason: x509.ReasonFlags
    ) -> None:
        """Mark a certificate revoked, keeping the first date and reason if it already is.

        :param serial_number: Serial number of the certificate.
        :param revoked_at: Revocation time (aware UTC).
        :param reason: The CRL reason.
        :raises CertificateAuthorityError: if this CA never issued ``serial_number``.
        """
        with self._locked_index() as index:
            entry = index["issued"].get(format(serial_number, "x"))
            if entry is None:
                raise CertificateAuthorityError(
                    f"This CA has not issued a certificate with serial number {serial_number:x}."
                )
            if entry["revoked_at"] is None:
                entry["revoked_at"] = revoked_at.isoformat()
                entry["reason"] = reason.value

    def next_crl_number(
        self, name: Literal["root", "issuing"]
    ) -> tuple[int, dict[str, dict[str, Any]]]:
        """Take the next CRL number of ``name``; return it with the entries read under that lock.

        :param name: Whose CRL: the root's or the issuing CA's.
        """
        with self._locked_index() as index:
            index["crl_numbers"][name] += 1
            number: int = index["crl_numbers"][name]
            issued: dict[str, dict[str, Any]] = index["issued"]
        return number, issued

    def _read_index(self) -> dict[str, Any]:
        """Read ``index.json``."""
        path = self.directory / "index.json"
        try:
            index: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CertificateAuthorityError(f"The CA index {path} is missing.") from error
        return index

    def _write_index(self, index: dict[str, Any]) -> None:
        """Replace ``index.json``."""
        data = json.dumps(index, ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(self.directory / "index.json", data)

    @contextmanager
    def _locked_index(self) -> Iterator[dict[str, Any]]:
        """Yield the index under an exclusive lock and write it back if the block succeeds."""
        with open(self.directory / "index.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            index = self._read_index()
            yield index
            self._write_index(index)
