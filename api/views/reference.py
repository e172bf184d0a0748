"""Reference data the service owns: industries and scales, pollutants, tax rates, standards, divisions."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from incentives.grades import scale_grades
from incentives.reference import reference

from ..auth import protect
from ..bodies import Blueprint
from ..schemas import Number

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="Reference data")


class BranchSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String()
    scale = ma.fields.String(required=True, metadata={"enum": ["ABCD", "ABC", "leading", "other", "local_ABC",
                                                               "local_leading", "unknown"]})
    allows_b_minus = ma.fields.Boolean()
    grades = ma.fields.List(ma.fields.String())
    source = ma.fields.String()


class IndustrySchema(ma.Schema):
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    catalog = ma.fields.String()
    jurisdiction = ma.fields.String()
    branches = ma.fields.List(ma.fields.Nested(BranchSchema), required=True)


class PollutantSchema(ma.Schema):
    item_no = ma.fields.Integer()
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    hj212_code = ma.fields.String(allow_none=True)
    equivalent_kg = Number()
    confidence = ma.fields.String(metadata={"enum": ["multi_source", "single_source"]})
    single_source = ma.fields.Boolean()
    source = ma.fields.String()


class RateSchema(ma.Schema):
    division = ma.fields.String()
    province_zh = ma.fields.String()
    pollutant_scope = ma.fields.String()
    area_scope = ma.fields.String()
    rate_yuan = Number(allow_none=True, metadata={"description": "null: unknown (no decision found): send `rates`"})
    effective_from = ma.fields.Date(allow_none=True)
    effective_to = ma.fields.Date(allow_none=True)
    confidence = ma.fields.String()
    source = ma.fields.String()


class LimitSchema(ma.Schema):
    standard_id = ma.fields.String()
    scope_zh = ma.fields.String()
    scope_en = ma.fields.String()
    pollutant = ma.fields.String()
    limit_mg_m3 = Number()
    kind = ma.fields.String()
    confidence = ma.fields.String()
    source = ma.fields.String()


class DivisionSchema(ma.Schema):
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    level = ma.fields.String()
    parent = ma.fields.String(allow_none=True)


@blp.route("/industries")
class Industries(MethodView):
    @protect()
    @blp.response(200, IndustrySchema(many=True))
    def get(self):
        """The industry catalogue and each branch's grading scale"""
        return [{**vars_of(i), "branches": [{**vars_of(b), "grades": list(scale_grades(b.scale, b.allows_b_minus))}
                                            for b in i.branches]}
                for i in reference().industries.values()]


@blp.route("/reference/pollutants")
class Pollutants(MethodView):
    @protect()
    @blp.response(200, PollutantSchema(many=True))
    def get(self):
        """The 44 taxable air pollutants and their 污染当量值 (single-source values flagged)"""
        return [{**vars_of(p), "single_source": p.confidence == "single_source"}
                for p in reference().pollutants.values()]


@blp.route("/reference/tax-rates")
class TaxRates(MethodView):
    @protect()
    @blp.response(200, RateSchema(many=True))
    def get(self):
        """Provincial air-pollutant tax rates, dated"""
        return [{**vars_of(r), "effective_from": r.window.start, "effective_to": r.window.last_day}
                for r in reference().tax_rates]


@blp.route("/reference/emission-standards")
class Standards(MethodView):
    @protect()
    @blp.response(200, LimitSchema(many=True))
    def get(self):
        """Starter emission limits used when a caller gives no standard"""
        return [vars_of(x) for x in reference().emission_limits]


@blp.route("/reference/divisions")
class Divisions(MethodView):
    @protect()
    @blp.response(200, DivisionSchema(many=True))
    def get(self):
        """GB/T 2260 divisions named by the documents"""
        return [vars_of(d) for d in reference().divisions.values()]


def vars_of(obj) -> dict:
    """A slotted dataclass as a dict."""
    return {name: getattr(obj, name) for name in obj.__slots__}
