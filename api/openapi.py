"""The one place flask-smorest is customised: errors documented as problem+json (house style gotcha 6), and
enums the catalogue publishes (schemas.CatalogueEnum) read when the document is built, and JSON Schema a
marshmallow schema states beside its fields (`OPENAPI_EXTRA`)."""
from __future__ import annotations

import copy
import http

from apispec import BasePlugin
from flask_smorest import Api as _Api
from flask_smorest.utils import prepare_response

from .problems import PROBLEM, ProblemSchema
from .schemas import CatalogueEnum


def catalogue_enum(self, field, **kwargs) -> dict:
    """apispec attribute function: a CatalogueEnum's values as the property's `enum`."""
    return {"enum": list(field.values())} if isinstance(field, CatalogueEnum) else {}


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

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        # apispec's to_dict() deep-updates its options with the whole document: without a copy of its own, the
        # config's API_SPEC_OPTIONS (shared by every app of the process) would carry the first app's document
        # into the next one's (an enum the catalogue publishes would stay as the first app read it).
        self.spec.options = copy.deepcopy(self.spec.options)
        self.ma_plugin.converter.add_attribute_function(catalogue_enum)

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
