"""The jurisdiction tree the catalogue encodes, and what applies in one division (contract 1.1)."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from incentives.services import jurisdictions

from ..auth import protect
from ..schemas import Day
from ..schemas_benefits import PolicyOut, TextObject
from ..schemas_grades import IsoDate, today

blp = Blueprint("jurisdictions", __name__, url_prefix="/api/v1",
                description="The jurisdiction tree: documents, grading rules and measures per jurisdiction")

STATUSES = ["in_force", "draft", "expired"]


class AsOfQuery(ma.Schema):
    as_of = Day(load_default=None)


class RuleEffectiveOut(ma.Schema):
    from_ = IsoDate(data_key="from", attribute="from_", allow_none=True)
    to = IsoDate(allow_none=True, metadata={"description": "last day in force"})


class DocumentOut(ma.Schema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    number = ma.fields.String(allow_none=True)
    issuer = ma.fields.String(allow_none=True)
    signed = IsoDate(allow_none=True)
    issued = IsoDate(allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": STATUSES})
    confidence = ma.fields.String(required=True, metadata={"enum": ["verified", "partial", "unverified"]})
    source = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(allow_none=True))
    effective = ma.fields.Nested(RuleEffectiveOut)


class RuleOut(ma.Schema):
    id = ma.fields.String(required=True)
    rule = ma.fields.String(required=True)
    refs = ma.fields.List(ma.fields.String(), required=True)
    jurisdiction = ma.fields.String()
    clause = ma.fields.String()
    title = ma.fields.Nested(TextObject)
    status = ma.fields.String(required=True, metadata={"enum": STATUSES})
    effective = ma.fields.Nested(RuleEffectiveOut)


class JurisdictionNodeOut(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.Nested(TextObject, required=True)
    parent = ma.fields.String(allow_none=True)
    documents = ma.fields.List(ma.fields.Nested(DocumentOut), required=True)
    grading_rules = ma.fields.List(ma.fields.Nested(RuleOut), required=True)
    measures = ma.fields.Integer(required=True)


class JurisdictionDetailOut(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.Nested(TextObject, required=True)
    parent = ma.fields.String(allow_none=True)
    as_of = IsoDate(required=True)
    chain = ma.fields.List(ma.fields.Nested(JurisdictionNodeOut), required=True)
    grading_rules = ma.fields.List(ma.fields.Nested(RuleOut), required=True)
    measures = ma.fields.List(ma.fields.Nested(PolicyOut), required=True)


@blp.route("/jurisdictions")
class Jurisdictions(MethodView):
    @protect()
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, JurisdictionNodeOut(many=True))
    def get(self, query):
        """The jurisdictions the catalogue encodes, with their documents and grading rules"""
        return jurisdictions.tree(as_of=query["as_of"] or today())


@blp.route("/jurisdictions/<code>", parameters=[{
    "in": "path", "name": "code", "required": True,
    "schema": {"type": "string", "pattern": r"^[0-9]{6}$", "example": "330602"}}])
class Jurisdiction(MethodView):
    @protect()
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, JurisdictionDetailOut)
    @blp.alt_response(404, description="not a six-digit GB/T 2260 code")
    def get(self, query, code):
        """A division's chain of jurisdictions with the grading rules and measures in force there"""
        return jurisdictions.detail(code=_code(code), as_of=query["as_of"] or today())


def _code(code: str) -> str:
    from incentives.errors import NotFound
    if len(code) != 6 or not code.isdigit():
        raise NotFound(f"not a GB/T 2260 division code: {code}")
    return code
