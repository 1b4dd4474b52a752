"""The internal CA's published CRLs, at the address written into every certificate (public)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file

bp = Blueprint("ca", __name__, url_prefix="/ca")

PUBLISHED = {"issuing.crl", "root.crl"}


@bp.get("/<name>")
def crl(name: str):
    """Send a CRL published by `meeting-server ca crl` (or `ca revoke`)."""
    path = Path(current_app.config["CA_DIR"]) / name
    if name not in PUBLISHED or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pkix-crl", max_age=3600, conditional=True)
    response.cache_control.public = True
    return response
