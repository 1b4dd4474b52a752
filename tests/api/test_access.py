"""Every API operation × keys: no key, a revoked key, a key without the operation's scope, and
keys of people the pages would refuse or serve. Built from the OpenAPI document, so a new
operation is in the matrix by being documented."""

from __future__ import annotations

import re

from sqlalchemy import select

from meeting_server.api.blueprint import SCOPE_OF
from meeting_server.extensions import db
from meeting_server.models import ApiKey, User
from meeting_server.services.api_keys import SCOPES, revoke_key
from tests.support.api import ApiClient, issue_key
from tests.support.people import actor

# The same world as the pages' matrix (with its internal CA): the objects every key is tried on.
from tests.views.test_access_matrix import app_config, world  # noqa: F401

OUTSIDER, SECRETARY = "daibieu9", "thuky"


def operations(app) -> list[tuple[str, str, str]]:
    """Return (method, path, scope) of every documented operation that needs a key."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            (requirement,) = operation["security"]
            found.append((method.upper(), path, requirement["ApiKey"][0]))
    return found


def fill(path: str, values: dict) -> str:
    return re.sub(r"{([a-z_]+)}", lambda m: str(values[m.group(1)]), path)


def key_of(app, username: str, scopes=tuple(SCOPES)) -> ApiClient:
    with app.app_context():
        person = db.session.scalar(select(User).where(User.username == username))
    return ApiClient(app.test_client(), issue_key(app, person, scopes))


def call(api: ApiClient, method: str, url: str):
    answer = api.client.open(url, method=method, headers=api._headers(None), json={})
    answer.close()
    return answer


def test_every_operation_documents_the_scope_it_enforces(app):
    documented = operations(app)
    assert len(documented) >= 20
    endpoints = {(r.rule, m): r.endpoint for r in app.url_map.iter_rules() for m in r.methods}
    for method, path, scope in documented:
        rule = re.sub(r"{([a-z_]+)}", r"<int:\1>", path)
        assert SCOPE_OF[endpoints[rule, method]] == scope, (method, path)
        assert scope in SCOPES


def test_without_a_valid_key_nothing_opens(app, world):  # noqa: F811
    revoked = key_of(app, SECRETARY)
    with app.app_context():
        key = db.session.scalar(select(ApiKey))
        revoke_key(actor("admin"), key)
        db.session.commit()
    strangers = {
        "no key": ApiClient(app.test_client(), ""),
        "made up": ApiClient(app.test_client(), "msk_000000000000_" + "A" * 43),
        "revoked": revoked,
    }
    wrong = []
    for name, api in strangers.items():
        for method, path, _scope in operations(app):
            answer = call(api, method, fill(path, world))
            problem = answer.get_json()
            if answer.status_code != 401 or problem["code"] != "unauthorized":
                wrong.append(f"{name}: {method} {path} → {answer.status_code}")
            elif answer.headers["WWW-Authenticate"] != 'Bearer realm="api"':
                wrong.append(f"{name}: {method} {path} has no WWW-Authenticate")
    assert wrong == []


def test_a_key_without_the_scope_is_refused_before_anything_is_read(app, world):  # noqa: F811
    wrong = []
    for scope in sorted(SCOPES):  # a key with every scope but this one
        api = key_of(app, SECRETARY, tuple(s for s in SCOPES if s != scope))
        for method, path, needed in operations(app):
            if needed != scope:
                continue
            answer = call(api, method, fill(path, world))
            if answer.status_code != 403 or answer.get_json()["code"] != "insufficient_scope":
                wrong.append(f"without {scope}: {method} {path} → {answer.status_code}")
    assert wrong == []


def test_the_owners_permissions_apply_as_on_the_pages(app, world):  # noqa: F811
    """Someone the pages refuse is refused through any key; the secretariat is served."""
    outsider, secretary = key_of(app, OUTSIDER), key_of(app, SECRETARY)
    wrong = []
    for method, path, _scope in operations(app):
        url = fill(path, world)
        refused = call(outsider, method, url)
        listing = method == "GET" and "{" not in path
        if listing:  # a list answers with what the owner may see: nothing of the world's
            if refused.status_code != 200 or refused.get_json()["data"] not in ([],):
                if "people" not in path and "rooms" not in path:
                    wrong.append(f"outsider lists {path}: {refused.get_json()}")
        elif refused.status_code not in (403, 404, 422):
            wrong.append(f"outsider {method} {url} → {refused.status_code}")
        if method == "GET":
            served = call(secretary, method, url)
            if served.status_code >= 500 or served.status_code in (401, 403):
                wrong.append(f"secretary GET {url} → {served.status_code}")
    assert wrong == []
