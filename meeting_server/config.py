"""Configuration: defaults in code, then ``instance/config.py``, then ``MEETING_*`` variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

#: Every setting the application reads, with its default. ``None`` means "derived at start-up".
DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # default: sqlite:///<instance>/meeting.sqlite3
    "STORAGE_DIR": None,  # default: <instance>/storage
    "MAX_UPLOAD_MB": 100,
    "PDF_SCREEN_TIMEOUT_S": 30.0,
    "PDF_SCREEN_MEMORY_MB": 768,
    "THUMBNAIL_TIMEOUT_S": 30.0,  # rendering page thumbnails (pypdfium2, in a subprocess)
    "THUMBNAIL_MEMORY_MB": 768,
    "WATERMARK_TIMEOUT_S": 60.0,  # stamping confidential documents (in a subprocess)
    "DOCUMENT_ACCEL_PREFIX": "",  # e.g. /_blobs/: nginx sends the bytes (X-Accel-Redirect)
    "TRUSTED_PROXIES": 0,  # 1 behind nginx: client address from X-Forwarded-For (rate limits)
    "PAIRING_CODE_MINUTES": 15,  # how long a tablet's one-time pairing code stays valid
    "PAIRING_LIMIT_PER_IP": "10 per 10 minutes",  # wrong pairing codes tolerated
    "IDLE_TIMEOUT_MINUTES": 30,  # a session unused this long ends (an open meeting screen is use)
    "SESSION_MAX_HOURS": 12,  # a session ends this long after sign-in, however busy
    # The CSRF token lives as long as the session (which is revocable and idles out), so a
    # tablet in a six-hour meeting never holds an expired one.
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_SECURE": True,
    # Failed sign-ins. Per address, across accounts (a room's tablets may share one address):
    "LOGIN_LIMIT_PER_IP": "30 per 10 minutes",
    # Per account from one address, and per account from everywhere, each growing longer (a
    # slower and slower attacker); a browser the person has signed in on before is exempt from
    # both, so guessing at a leader's account never locks the leader out.
    "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": "5 per 10 minutes; 10 per hour",
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 10 minutes; 30 per day",
    # Roles that must sign in with the authenticator app's code as well (comma-separated,
    # e.g. "admin,leader"); off by default. Anyone who turned the app on is asked for it anyway.
    "SECOND_FACTOR_ROLES": "",
    "RATELIMIT_STORAGE_URI": "memory://",
    "BABEL_DEFAULT_LOCALE": "vi",
    "DISPLAY_TIMEZONE": "Asia/Ho_Chi_Minh",
    "ORGANISATION_CODE": "UBND",  # the notation's organisation part: "05/BB-UBND"
    "ORGANISATION_PLACE": "",  # before the date of a notice: "Quận 1, ngày … tháng … năm …"
    # edXML exchange (docs/interconnection.md): this organisation as the packages' sender (its
    # code, "000.00.00.H29" style, and name are required to export), the receivers' directory
    # (a list of {"id", "name"}, JSON text or a JSON file's path), the transport ("folder",
    # "http" or "package.module:Class") and its settings, and the largest package imported.
    "EDXML_ORGAN_ID": "",
    "EDXML_ORGAN_NAME": "",
    "EDXML_ORGAN_IN_CHARGE": "",  # the governing body (OrganizationInCharge)
    "EDXML_ORGAN_ADDRESS": "",
    "EDXML_ORGAN_EMAIL": "",
    "EDXML_ORGAN_TELEPHONE": "",
    "EDXML_ORGAN_FAX": "",
    "EDXML_ORGAN_WEBSITE": "",
    "EDXML_DIRECTORY": [],
    "EDXML_TRANSPORT": "folder",
    "EDXML_OUTBOX_DIR": "",  # default: <instance>/edxml-outbox
    "EDXML_ENDPOINT_URL": "",
    "EDXML_HTTP_TIMEOUT_S": 30.0,
    "EDXML_MAX_MB": 12,  # an attachment over ~7.5 MB is refused anyway (libxml2's safe limit)
    "CA_DIR": None,  # default: <instance>/ca
    # The CA passphrase for issuing certificates from the web (enrolment, revocation); without
    # it only the `meeting-server ca` commands can. Default: <instance>/ca-passphrase if present.
    "CA_PASSPHRASE_FILE": None,
    "TRUSTED_ROOTS": "",  # PEM files of external CAs whose PKCS#12 imports are accepted, comma-sep.
    "SIGNING_PIN_LIMIT": "5 per 15 minutes",  # wrong signing PINs (or codes) per person
    "SIGNING_DUE_DAYS": 3,  # a request's default due date, in days
    "AUDIT_SEAL_EVERY_S": 5,  # `run`/`serve` housekeeping: seal audit events, sweep (0: never)
    "SIGNING_REMIND_EVERY_S": 600,  # how often `run`/`serve` look for overdue steps (0: never)
    "SIGNING_ON_TIME_TARGET": 0.85,  # the dashboard's target share of steps handled on time
    # Reminders of tasks (due tomorrow, overdue): how often `run`/`serve` look (0: never).
    "TASK_REMIND_EVERY_S": 900,
    # The office's mail hook for task news, "package.module:function" called with a
    # services.task_mail.TaskMail after the commit; empty (the default): no mail.
    "TASK_MAIL_HOOK": "",
    # Outgoing webhooks (services/webhook_delivery.py): how often `run`/`serve` send what is
    # due (0: never; then `meeting-server webhooks deliver` from cron), the receiver's time to
    # answer, and the waits before each retry (seconds, comma-separated; dead after the last).
    "WEBHOOK_DELIVER_EVERY_S": 5,
    "WEBHOOK_TIMEOUT_S": 10.0,
    "WEBHOOK_RETRY_SCHEDULE_S": "10,60,300,1800,7200,18000,36000,36000",
    # Plain http:// receivers other than this machine (127.0.0.1, localhost: always allowed).
    "WEBHOOK_ALLOW_HTTP": False,
    "CERTIFICATE_LIMIT_PER_USER": "10 per hour",  # refused enrolments, imports, TOTP codes
    "VERIFY_LIMIT_PER_IP": "60 per minute",  # public verification pages
    "VERIFY_UPLOAD_LIMIT_PER_IP": "20 per 10 minutes",  # PDFs checked on the public page
    "VERIFY_TIMEOUT_S": 60.0,  # checking an uploaded PDF (in a subprocess)
    "VERIFY_MEMORY_MB": 1024,
    "VERIFY_CONCURRENCY": 2,  # public checks at once on the server (more wait, then 503)
    "VERIFY_WAIT_S": 5.0,  # how long a check waits for a free slot before answering 503
    "VERIFY_KEEP_MB": 500,  # what the kept uploads (signed ranges, reports) may take on disk
    "PUBLIC_URL": "http://127.0.0.1:5000",  # written into certificates (CRL, OCSP addresses)
    "TSA_URL": "",  # an outside RFC 3161 TSA; empty: the internal CA's own (B-T without one)
    "TSA_LIMIT_PER_IP": "120 per minute",  # the internal TSA's public endpoint, /ca/tsa
    "OCSP_LIMIT_PER_IP": "300 per minute",  # the internal CA's OCSP responder, /ca/ocsp
    # Calendar feeds (/feeds/<token>.ics): one address from one network (an app polls every
    # 15 minutes), and every address from one network (an office behind one NAT address).
    "FEED_LIMIT_PER_TOKEN": "20 per minute",
    "FEED_LIMIT_PER_IP": "600 per minute",
    "VISUAL_DPI": 50,  # the validator's picture comparison: resolution of the rendered pages
    "VISUAL_PAGE_LIMIT": 0,  # pages compared per signature; 0: every page (a safety valve)
    "VISUAL_CACHE_DAYS": 30,  # a kept comparison nobody opened for this long is removed
    "API_RATE_LIMIT": "600 per minute",  # calls per API key (a bad key: per address)
    "API_IDEMPOTENCY_HOURS": 24,  # how long a create's answer is kept for its Idempotency-Key
    "API_PAGE_MAX": 200,  # the most items one page of a list may hold
    "SOCKETIO_ORIGINS": "",  # extra allowed browser origins, comma-separated (PUBLIC_URL always)
    "SOCKETIO_MESSAGE_QUEUE": "",  # e.g. redis://127.0.0.1:6379/0 with several processes
    "SOCKETIO_CHANNEL": "meeting-server",  # the message queue channel (one per deployment)
    "SOCKETIO_ASYNC_MODE": "",  # "" = gevent if monkey-patched (`serve`), else threading
}

ENV_PREFIX = "MEETING_"


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, ``instance/config.py`` and the environment."""
    app.config.update(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile(os.path.join(app.instance_path, "config.py"), silent=True)
        app.config.update(_from_environment(os.environ))
    else:
        app.config.update(test_config)
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret_key(instance)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'meeting.sqlite3'}"
    if not app.config["CA_DIR"]:
        app.config["CA_DIR"] = str(instance / "ca")
    if not app.config["CA_PASSPHRASE_FILE"]:
        app.config["CA_PASSPHRASE_FILE"] = str(instance / "ca-passphrase")
    if not app.config["STORAGE_DIR"]:
        app.config["STORAGE_DIR"] = str(instance / "storage")
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:  # Flask's default is None
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "meeting_session"


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read ``MEETING_<KEY>`` variables, coerced to the type of the key's default."""
    values: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is not None:
            values[key] = _coerce(key, raw, default)
    if secret := environ.get(ENV_PREFIX + "SECRET_KEY"):
        values["SECRET_KEY"] = secret
    return values


def _coerce(key: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the default's type, or explain which value is wrong."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{ENV_PREFIX}{key}={raw!r}: use true or false")
    try:
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{key}={raw!r}: expected a number") from None
    return raw


def _persistent_secret_key(instance: Path) -> str:
    """Return the key kept in ``instance/secret_key``, creating it (mode 0600) on first run."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
