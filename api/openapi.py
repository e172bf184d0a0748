"""The one place flask-smorest is customised: errors documented as problem+json (house style gotcha 6), and
JSON Schema a marshmallow schema states beside its fields (`OPENAPI_EXTRA`)."""
from __future__ import annotations

import http

from apispec import BasePlugin
from flask_smorest import Api as _Api
from flask_smorest.utils import prepare_response

from .problems import PROBLEM, ProblemSchema


class SchemaExtras(BasePlugin):
    """Adds a schema class's `OPENAPI_EXTRA` (e.g. a `oneOf` by role: what depends on another field, which
    marshmallow checks in `validates_schema` and fields cannot say) to its component in the document."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        cls = schema if isinstance(schema, type) else type(schema)
        return getattr(cls, "OPENAPI_EXTRA", None)


class Api(_Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        super().__init__(app, spec_kwargs={"extra_plugins": [SchemaExtras()]}, **kwargs)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_error_handlers(self):
        """Errors are answered by api.problems (problem+json), not flask-smorest's JSON handler."""
