"""Schemas of the environmental-tax assessment (contract: POST /api/v1/tax/assessments)."""
from __future__ import annotations

import marshmallow as ma

from incentives.tax.parameters import tier_labels

from .schemas import CatalogueEnum, Division, Money, Number, Uscc
from .schemas_benefits import JsonObject, StepOut
from .schemas_grades import IsoDate, Localized


class OutletIn(ma.Schema):
    outlet = ma.fields.String(required=True)
    standards = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), load_default=dict,
                               metadata={"description": "pollutant -> standard S in mg/m³"})
    standard_id = ma.fields.String(load_default=None, allow_none=True)


class AssessmentIn(ma.Schema):
    uscc = Uscc(load_default=None, allow_none=True)
    division = Division(load_default=None, allow_none=True)
    parameters = ma.fields.Dict(load_default=None, allow_none=True)
    outlets = ma.fields.List(ma.fields.Nested(OutletIn), load_default=list)
    rates = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), load_default=None, allow_none=True,
                           metadata={"description": "yuan per 污染当量, by pollutant; overrides the province's"})
    records = ma.fields.List(ma.fields.Dict(), load_default=None, validate=ma.validate.Length(min=1),
                             metadata={"description": "required in a JSON body; or send a file"})


class UploadForm(ma.Schema):
    """Form fields sent beside a multipart `file` (or as query parameters with a raw body)."""
    uscc = Uscc(load_default=None)
    division = Division(load_default=None)
    rates = JsonObject(load_default=None)
    parameters = JsonObject(load_default=None)
    outlets = JsonObject(load_default=None, metadata={"description": "{outlet: {standards: {pollutant: S}}}"})
    mn_to_outlet = JsonObject(load_default=None)
    format = ma.fields.String(load_default=None, validate=ma.validate.OneOf(["table", "hj212"]))
    strict = ma.fields.Boolean(load_default=True)


class RowOut(ma.Schema):
    outlet = ma.fields.String()
    pollutant = ma.fields.String()
    pollutant_zh = ma.fields.String()
    month = ma.fields.String()
    data_source = ma.fields.String()
    avg_concentration = Number(allow_none=True)
    max_concentration = Number(allow_none=True)
    max_time = ma.fields.String(allow_none=True)
    standard = Number(allow_none=True)
    standard_source = ma.fields.String(allow_none=True)
    ratio = Number(allow_none=True)
    tier = CatalogueEnum(tier_labels, metadata={
        "description": "the LAW-13 tier the month met (减按 that share of the tax), or none: the tiers the catalogue "
                       "publishes (env_tax.reduction_tiers)"})
    factor = Number()
    reason = Localized()
    explanation = ma.fields.List(ma.fields.Nested(StepOut))
    emission_kg = Number()
    equivalents = Number()
    taxed = ma.fields.Boolean()
    rank = ma.fields.Integer()
    rate = Number()
    rate_source = ma.fields.String()
    tax_before_reduction = Money()
    reduction = Money()
    tax_due = Money()
    records = ma.fields.Integer()
    exhaust_m3 = Number(allow_none=True, metadata={
        "description": "Σ hourly flue-gas volume in m³ (the filing form's 废气排放量), null unless every hour carries its flow"})


class MonthOut(ma.Schema):
    month = ma.fields.String()
    tax_before_reduction = Money()
    reduction = Money()
    tax_due = Money()


class QuarterOut(MonthOut):
    quarter = ma.fields.String()
    filing_deadline = IsoDate()


class TotalsOut(ma.Schema):
    months = ma.fields.List(ma.fields.Nested(MonthOut))
    quarters = ma.fields.List(ma.fields.Nested(QuarterOut))


class AssessmentOut(ma.Schema):
    id = ma.fields.String(allow_none=True)
    uscc = ma.fields.String(allow_none=True)
    division = ma.fields.String()
    as_of = IsoDate()
    statute = ma.fields.Dict(metadata={"description": "the version of 环境保护税法 in force at as_of, and its "
                                                      "pending measures (the VOCs pilot: no rate yet)"})
    ruleset = ma.fields.String()
    parameters = ma.fields.Dict()
    rates = ma.fields.List(ma.fields.Dict())
    notes = ma.fields.List(ma.fields.Nested(StepOut))
    rows = ma.fields.List(ma.fields.Nested(RowOut))
    totals = ma.fields.Nested(TotalsOut)
    hj212 = ma.fields.Dict()


class BatchForm(ma.Schema):
    """Form fields sent beside the batch's `file` fields (or one ZIP)."""
    division = Division(load_default=None, metadata={"description": "the outlets' division, for every file "
                                                                     "(else each registered enterprise's)"})
    rates = JsonObject(load_default=None)
    parameters = JsonObject(load_default=None)
    outlets = JsonObject(load_default=None, metadata={"description": "{outlet: {standards: {pollutant: S}}}"})
    strict = ma.fields.Boolean(load_default=True, metadata={"description": "HJ 212: refuse a file on any "
                                                                           "rejected packet"})


class BatchProgress(ma.Schema):
    files_done = ma.fields.Integer()
    files_total = ma.fields.Integer()


class BatchResult(ma.Schema):
    uscc = ma.fields.String(allow_none=True)
    file = ma.fields.String()
    assessment_id = ma.fields.String()
    detail = ma.fields.String()
    errors = ma.fields.List(ma.fields.Dict())


class BatchOut(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    status_url = ma.fields.String()
    progress = ma.fields.Nested(BatchProgress)
    results = ma.fields.List(ma.fields.Nested(BatchResult))
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    finished_at = ma.fields.DateTime(allow_none=True)


class FilingFormat(ma.Schema):
    format = ma.fields.String(load_default=None, validate=ma.validate.OneOf(["json", "csv", "xlsx"]),
                              metadata={"description": "json (default), or the filing form as csv or xlsx"})
