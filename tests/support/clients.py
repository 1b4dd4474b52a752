"""Test clients of the app signed in as a given person (each with its own session)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

#: The password ``create_user`` (tests/conftest.py) gives every test account.
PASSWORD = "correct-horse-42"


def log_in(http: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Submit the real sign-in form on ``http``; return the answer (302 when it worked).

    The one way the in-process tests sign in (``auth.login`` and ``signed_in`` use it).
    """
    return http.post("/login", data={"username": username, "password": password})


def signed_in(app: Flask, username: str, lang: str = "en") -> FlaskClient:
    """Return a new test client signed in as ``username``, reading ``lang`` (English msgids)."""
    http = app.test_client()
    http.get(f"/lang/{lang}")
    assert log_in(http, username).status_code == 302, f"{username} could not sign in"
    return http


def fetch(client: FlaskClient, url: str, **kwargs: object) -> TestResponse:
    """GET and close the response (send_file keeps the file open until then)."""
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    response.get_data()
    response.close()
    return response
