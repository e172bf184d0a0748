"""Schemas of benefits, previews and the policy catalogue (contract: benefit object)."""
from __future__ import annotations

import marshmallow as ma

from incentives.policy import ALERT_LEVELS, CATEGORIES

from .schemas import Day, Division, Number
from .schemas_grades import IsoDate, Localized


class JsonObject(ma.fields.Dict):
    """A JSON object given inline (body) or as JSON text (query string)."""
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            from incentives.errors import DomainError

            from .bodies import loads
            try:
                value = loads(value)   # as strict as a JSON body: bounded numbers, no NUL
            except (ValueError, DomainError) as exc:
                raise ma.ValidationError(getattr(exc, "detail", None) or "not a JSON object") from None
        return super()._deserialize(value, attr, data, **kwargs)


class TextObject(ma.Schema):
    """A title in both languages (contract: `title: {zh, en}`)."""
    zh = ma.fields.String(required=True)
    en = ma.fields.String(required=True)


def Title(**kwargs):
    return ma.fields.Nested(TextObject, **kwargs)


class BenefitsQuery(ma.Schema):
    as_of = Day(load_default=None)
    alert_level = ma.fields.String(load_default=None, validate=ma.validate.OneOf(ALERT_LEVELS))
    include_drafts = ma.fields.Boolean(load_default=None)
    parameters = JsonObject(load_default=None, metadata={"description": "interpretation overrides as JSON"})


class Effective(ma.Schema):
    from_ = IsoDate(data_key="from", attribute="from", allow_none=True)
    to = IsoDate(allow_none=True, metadata={"description": "last day in force"})


class SourceOut(ma.Schema):
    document = ma.fields.String()
    clause = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["in_force", "draft", "pending"]})


class JurisdictionOut(ma.Schema):
    code = ma.fields.String()
    name = Localized()


class StepOut(ma.Schema):
    ref = ma.fields.String()
    text = Localized()
    outcome = ma.fields.String(metadata={"enum": ["met", "not_met", "unknown"]})
    values = ma.fields.Dict()
    needed = ma.fields.String(allow_none=True)


class QuantityOut(ma.Schema):
    value = Number(allow_none=True)
    unit = ma.fields.String()
    basis = Localized()


class BenefitOut(ma.Schema):
    policy_id = ma.fields.String(required=True)
    refs = ma.fields.List(ma.fields.String(), required=True)
    category = ma.fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    jurisdiction = ma.fields.Nested(JurisdictionOut, required=True)
    title = Title(required=True)
    source = ma.fields.Nested(SourceOut, required=True)
    effective = ma.fields.Nested(Effective, required=True)
    status = ma.fields.String()
    quantity = ma.fields.Nested(QuantityOut, allow_none=True)
    treatment = ma.fields.Dict(allow_none=True)
    explanation = ma.fields.List(ma.fields.Nested(StepOut), required=True)


class NotApplicableOut(ma.Schema):
    policy_id = ma.fields.String(required=True)
    refs = ma.fields.List(ma.fields.String(), required=True)
    category = ma.fields.String()
    jurisdiction = ma.fields.Nested(JurisdictionOut)
    title = Title()
    status = ma.fields.String()
    missing = ma.fields.List(ma.fields.Dict(), required=True)
    explanation = ma.fields.List(ma.fields.Nested(StepOut))


class EvaluationOut(ma.Schema):
    as_of = IsoDate(required=True)
    include_drafts = ma.fields.Boolean(required=True)
    alert_level = ma.fields.String(allow_none=True)
    parameters = ma.fields.Dict(required=True)
    ruleset = ma.fields.String(required=True)
    benefits = ma.fields.List(ma.fields.Nested(BenefitOut), required=True)
    obligations = ma.fields.List(ma.fields.Nested(BenefitOut))
    not_applicable = ma.fields.List(ma.fields.Nested(NotApplicableOut), required=True)


def _emergency_line():
    from .schemas_emergency import SheetLineOut  # that module builds on this one
    return SheetLineOut()


class BenefitReport(EvaluationOut):
    uscc = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    overall_grade = ma.fields.String(allow_none=True, required=True)
    status = ma.fields.String()
    emergency = ma.fields.List(ma.fields.Nested(_emergency_line), metadata={
        "description": "per industry line: measures per alert level and staggered-production seasons in force"})


class PoliciesQuery(ma.Schema):
    division = Division(load_default=None)
    as_of = Day(load_default=None)
    category = ma.fields.String(load_default=None, validate=ma.validate.OneOf(CATEGORIES))
    include_drafts = ma.fields.Boolean(load_default=True)


class ParameterValueOut(ma.Schema):
    from_ = IsoDate(data_key="from", attribute="from_", allow_none=True)
    to = IsoDate(allow_none=True, metadata={"description": "last day in force"})
    value = ma.fields.Raw()
    ref = ma.fields.String(allow_none=True)
    source = ma.fields.String(allow_none=True)


class ParameterOut(ma.Schema):
    name = ma.fields.String()
    description = ma.fields.String()
    unit = ma.fields.String(allow_none=True)
    values = ma.fields.List(ma.fields.Nested(ParameterValueOut))


class RegistryParameterOut(ParameterOut):
    description = ma.fields.Nested(TextObject)
    jurisdiction = ma.fields.String(metadata={"description": "GB/T 2260 code of the jurisdiction that publishes it"})
    kind = ma.fields.String(metadata={"enum": ["date", "integer", "decimal", "rates_by_grade", "tiers", "range",
                                               "choice", "flag", "grades"]})
    choices = ma.fields.Raw(allow_none=True, metadata={"description": "kind choice: the allowed values"})
    override = ma.fields.Boolean(metadata={"description": "a request may set it for itself (parameters)"})
    refs = ma.fields.List(ma.fields.String(), metadata={"description": "the refs whose outcome it decides"})


class ParametersOut(ma.Schema):
    registry = ma.fields.List(ma.fields.Nested(RegistryParameterOut), required=True)
    interpretations = ma.fields.Dict(required=True)
    env_tax = ma.fields.Dict()
    dated = ma.fields.List(ma.fields.Nested(ParameterOut), required=True)


class PolicyOut(ma.Schema):
    policy_id = ma.fields.String(required=True)
    refs = ma.fields.List(ma.fields.String(), required=True)
    category = ma.fields.String(required=True)
    jurisdiction = ma.fields.Nested(JurisdictionOut, required=True)
    title = Title(required=True)
    source = ma.fields.Nested(SourceOut, required=True)
    status = ma.fields.String()
    confidence = ma.fields.String(metadata={"enum": ["verified", "partial", "unverified"]})
    effective = ma.fields.Nested(Effective, required=True)
    obligation = ma.fields.Boolean()
    quantified = ma.fields.Boolean()
    parameters = ma.fields.List(ma.fields.Nested(ParameterOut))
    clause_text = ma.fields.String(allow_none=True)
