"""The OpenAPI 3.1 document (``/api/v1/openapi.json``) and the page that shows it
(``/api/v1/docs``, Swagger UI from our own origin)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from werkzeug.wrappers import Response

from .blueprint import bp


@bp.get("/openapi.json", doc_ui=False)
def openapi_document() -> Response:
    """Return the OpenAPI document, generated from the routes and their schemas."""
    spec = dict(current_app.api_doc)  # type: ignore[attr-defined]
    response = jsonify(spec)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/docs", doc_ui=False)
def docs() -> str:
    """Show the API's reference, generated from the OpenAPI document."""
    return render_template("api/docs.html")
