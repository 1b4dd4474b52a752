"""Sending edXML packages: one interface, a folder and an HTTP endpoint here, an adapter by name.

``EDXML_TRANSPORT`` chooses: ``"folder"`` writes ``<message id>.edxml`` atomically into
``EDXML_OUTBOX_DIR`` (default ``<instance>/edxml-outbox``), where another program (the office's
document-management system, an LGSP client) picks it up; ``"http"`` POSTs the package to
``EDXML_ENDPOINT_URL`` within ``EDXML_HTTP_TIMEOUT_S``; anything else is the dotted path of a
class (``"package.module:Class"``) built with the app's configuration: the real LGSP/VDXP
adapter, which speaks that platform's protocol and credentials. Every transport answers a
:class:`Receipt` or raises :class:`TransportError`; the export service audits both.
"""

from __future__ import annotations

import importlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import requests

from ..storage import fsync_path

__all__ = [
    "EnvelopeInfo",
    "FolderTransport",
    "HttpTransport",
    "Receipt",
    "Transport",
    "TransportError",
    "configured_transport",
]

MEDIA_TYPE = "application/xml"


@dataclass(frozen=True)
class EnvelopeInfo:
    """What a transport may need to route a package without reading it."""

    message_id: str  # ours, unique per sending (a UUID in hex)
    document_id: str  # the header's DocumentId: "000.00.00.H29,2026/12/07,05/BB-UBND"
    sender: str  # our organ id
    receivers: tuple[str, ...]  # their organ ids
    sha256: str  # of the package


@dataclass(frozen=True)
class Receipt:
    """What the transport says it did: its name and where the package went (a file, an answer)."""

    transport: str
    reference: str
    detail: str = ""


class TransportError(Exception):
    """The package did not leave; the message says why (no secrets in it)."""


@runtime_checkable
class Transport(Protocol):
    """A way out for packages (``EDXML_TRANSPORT``)."""

    def send(self, package: bytes, envelope: EnvelopeInfo) -> Receipt:
        """Deliver ``package``; return a receipt or raise ``TransportError``."""
        ...


class FolderTransport:
    """Write each package as ``<message id>.edxml`` into a folder, atomically (temp + rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, package: bytes, envelope: EnvelopeInfo) -> Receipt:
        """Write the package; a reader of the folder never sees half a file."""
        target = self.folder / f"{envelope.message_id}.edxml"
        partial = self.folder / f".{secrets.token_hex(8)}.part"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as out:
                out.write(package)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
            fsync_path(self.folder)
        except OSError as error:
            partial.unlink(missing_ok=True)
            why = f"the outbox folder cannot be written ({error.strerror})"
            raise TransportError(why) from None
        return Receipt("folder", str(target))


class HttpTransport:
    """POST each package to an endpoint (``application/xml``), within a timeout."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s

    def send(self, package: bytes, envelope: EnvelopeInfo) -> Receipt:
        """Send the package; any answer but 2xx, a time-out or no connection is an error."""
        headers = {
            "Content-Type": f"{MEDIA_TYPE}; charset=utf-8",
            "X-Edxml-Message-Id": envelope.message_id,
            "X-Edxml-Sha256": envelope.sha256,
        }
        try:
            answer = requests.post(self.url, data=package, headers=headers, timeout=self.timeout_s)
        except requests.Timeout:
            why = f"the endpoint did not answer within {self.timeout_s:g} s"
            raise TransportError(why) from None
        except requests.RequestException as error:
            why = f"the endpoint cannot be reached ({type(error).__name__})"
            raise TransportError(why) from None
        with answer:
            if not 200 <= answer.status_code < 300:
                raise TransportError(f"the endpoint answered HTTP {answer.status_code}")
            return Receipt("http", f"HTTP {answer.status_code}", answer.text[:200])


def configured_transport(config: Mapping[str, Any], instance_path: str) -> Transport:
    """Return the transport ``EDXML_TRANSPORT`` names (``TransportError`` if it cannot be made)."""
    name = str(config.get("EDXML_TRANSPORT") or "folder").strip()
    if name == "folder":
        folder = config.get("EDXML_OUTBOX_DIR") or Path(instance_path) / "edxml-outbox"
        return FolderTransport(Path(folder))
    if name == "http":
        url = str(config.get("EDXML_ENDPOINT_URL") or "").strip()
        if not url:
            raise TransportError("EDXML_ENDPOINT_URL is not set")
        return HttpTransport(url, float(config.get("EDXML_HTTP_TIMEOUT_S") or 30))
    return _adapter(name, config)


def _adapter(dotted: str, config: Mapping[str, Any]) -> Transport:
    """Build the class named "package.module:Class" (or "package.module.Class") with ``config``."""
    module_name, _, class_name = dotted.replace(":", ".").rpartition(".")
    try:
        factory = getattr(importlib.import_module(module_name), class_name)
        transport = factory(config)
    except (ImportError, AttributeError, ValueError, TypeError) as error:
        raise TransportError(f"EDXML_TRANSPORT={dotted!r} cannot be loaded ({error})") from None
    if not isinstance(transport, Transport):
        raise TransportError(f"EDXML_TRANSPORT={dotted!r} has no send(package, envelope)")
    return transport
