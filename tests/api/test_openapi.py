"""The API keeps its OpenAPI document: schemathesis sends what the document allows (and what
it does not), and every answer must be no server error, a documented status and content type,
and a body that fits the documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import User
from tests.support.api import issue_key

# The same world as the pages' matrix: a published meeting with a confidential item and its
# document, votes, a signing request, a task, and their people.
from tests.views.test_access_matrix import app_config, world  # noqa: F401

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_document_is_openapi_3_1_and_names_every_operation(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert len(operations) >= 20
    for operation in operations:
        assert operation["summary"] and operation["operationId"] and operation["tags"]
        assert {"401", "403", "422", "429"} <= operation["responses"].keys()
    assert spec["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


@pytest.fixture
def api_schema(app, world):  # noqa: F811
    """The document as schemathesis loads it, called as the secretariat with every scope."""
    with app.app_context():
        secretary = db.session.scalar(select(User).where(User.username == "thuky"))
    key = issue_key(app, secretary)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.update(headers={"Authorization": f"Bearer {key}"})
    return schema


# schemathesis' WSGI transport reads a streamed file answer (a PDF) without closing it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_every_answer_matches_the_document(api_schema, world):  # noqa: F811
    # (schemathesis' own pytest loader does not run under pytest 9: each operation is given
    # its Hypothesis run here, and every failing operation is reported.)
    ids = {name: world[name] for name in ("meeting_id", "item_id", "document_id", "task_id")}
    ids["request_id"] = world["request_id"]  # (a signing request's)
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            if case.path_parameters:  # on the world's objects (a random id finds nothing)
                case.path_parameters = {k: ids[k] for k in case.path_parameters}
            case.call_and_validate(checks=CHECKS)

        try:
            conforms()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 — all reported
            failures.append(f"{operation.label}: {failure!r}"[:3000])
    assert failures == [], "\n\n".join(failures)
