"""The API checked against its own OpenAPI document (schemathesis, in-process over every operation)."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from incentives import uscc as uscc_mod

from ..conftest import ADMIN_KEY

_BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
# JSON Schema cannot express a check digit (house style gotcha 8): generate valid USCCs for format "uscc".
schemathesis.openapi.format("uscc", st.builds(lambda d, b: uscc_mod.make("91", d, b),
                                              st.sampled_from(["500112", "410100", "640100", "330602"]), _BODY))


# Operations where the server checks rules JSON Schema cannot state, so that schema-valid data may get a
# 400/422 by design; on these, "valid request rejected" is not checked here (every other check runs) but by
# a property test each, with valid requests drawn from the domain (test_valid_requests_accepted.py). On every
# other operation the document states what the server enforces, and positive data must be accepted.
BEYOND_SCHEMA = {
    "POST /api/v1/enterprises": "industry and branch are catalogue codes or names; a grade must be on its "
                                "branch's scale; a rating date not after today",
    "POST /api/v1/enterprises/{uscc}/events": "an event's fields depend on its kind; the ledger's rules",
    "POST /api/v1/imports/enterprises": "the file's rows are checked by the import",
    "POST /api/v1/benefits/preview": "the enterprise by uscc or by facts; interpretation parameters by name",
    "POST /api/v1/benefits/preview/plan": "as the preview",
    "POST /api/v1/tax/assessments": "records, standards and rates are checked against the tax tables",
    "POST /api/v1/tax/batches": "the files' rows are checked by the assessment",
    "POST /api/v1/webhooks": "the URL must be https (or an allowed host) and resolve to a public address",
}
ROLES = {"public": None, "enterprise": {"uscc": uscc_mod.make("91", "500112", "MA5U0AB1")}, "bank": {},
         "tax_bureau": {"divisions": ["000000"]}, "regulator": {"divisions": ["000000"]}, "admin": {}}


def _conforms(operation, headers: dict, examples: int) -> None:
    excluded = [positive_data_acceptance] if operation.label in BEYOND_SCHEMA else []

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)  # the same examples on every run: CI is reproducible
    def conforms(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)
    conforms()


def test_every_operation_conforms_for_every_role(app, client, key_for):
    """No 5xx, status codes, content types and response bodies as documented, negative data rejected and
    (but for BEYOND_SCHEMA) positive data accepted: for the public and a key of each role."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Every JSON string the service takes refuses NUL and unpaired surrogates (api/bodies.py): generate none.
    schema.config.generation.update(allow_x00=False, codec="utf-8")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    assert set(BEYOND_SCHEMA) <= {op.label for op in operations}
    for role, binding in ROLES.items():
        if role == "public":
            headers = {}
        elif role == "admin":
            headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        else:
            headers = key_for(role, **binding)
        for operation in operations:
            _conforms(operation, headers, 10 if role == "admin" else 3)


def test_openapi_document_is_31_and_documents_problem_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == ["application/problem+json"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert "default" in op["responses"], f"{method} {path} documents no error shape"
