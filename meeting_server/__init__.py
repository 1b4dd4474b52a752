"""Paperless meeting-room server: the application factory.

Flask is imported inside ``create_app``, not here: the sandboxed PDF children are modules of
this package, and importing the package must not load the web stack before their limits apply.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask
    from flask_openapi3 import OpenAPI


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI."""
    from flask_openapi3 import OpenAPI

    from . import api

    # templates/ and static/ live inside the package, so an installed wheel serves its pages.
    # flask-openapi3's OpenAPI is a Flask app that also builds the API's OpenAPI document.
    app = OpenAPI(
        __name__,
        instance_relative_config=True,
        instance_path=_instance_path(),
        **api.OPENAPI_SETTINGS,  # type: ignore[arg-type]
    )
    from . import auth, cli, config, i18n, realtime, security_headers, storage
    from .extensions import csrf, db, limiter

    config.load_config(app, test_config)
    _trust_proxies(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    storage.init_app(app)
    auth.init_app(app)
    cli.init_app(app)
    security_headers.init_app(app)
    realtime.init_app(app)
    _register_blueprints(app)
    return app


def _instance_path() -> str | None:
    """Return ``MEETING_INSTANCE_PATH`` if set, else None: Flask's default (``instance/``
    beside a source checkout, ``<venv>/var/meeting_server-instance`` for an installed wheel)."""
    return os.environ.get("MEETING_INSTANCE_PATH") or None


def _trust_proxies(app: Flask) -> None:
    """Behind nginx, take the client's address and scheme from its X-Forwarded-* headers."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


#: The blueprints, one per area (``views/<area>.py``), in the order they are registered.
BLUEPRINTS = (
    "auth meetings participants agenda documents admin ca tablet notes devices attendance "
    "speaking votes minutes conclusions tasks exports certificates signing inbox dashboard "
    "office verify feeds api_keys webhooks edxml"
).split()


def _register_blueprints(app: OpenAPI) -> None:
    import importlib

    from . import api
    from .views import errors, lookups

    app.url_map.converters["int"] = lookups.IdConverter  # before any rule is added
    for area in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"{__name__}.views.{area}").bp)
    api.init_app(app)
    errors.init_app(app)
