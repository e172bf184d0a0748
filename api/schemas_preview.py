"""Schemas of the upgrade preview (contract: POST /api/v1/benefits/preview)."""
from __future__ import annotations

import marshmallow as ma

from incentives.policy import ALERT_LEVELS

from .schemas import PLAUSIBLE_MAX, Day, Division, Grade, Uscc, non_negative
from .schemas_benefits import BenefitOut, NotApplicableOut
from .schemas_emergency import EmergencyFigureOut
from .schemas_grades import Facts, IsoDate, Localized


def _non_negative(field_cls=ma.fields.Decimal, **kw):
    return field_cls(load_default=None, allow_none=True, validate=non_negative, metadata={"minimum": 0, "maximum": PLAUSIBLE_MAX},
                     **({"as_string": False, "allow_nan": False} if field_cls is ma.fields.Decimal else {}), **kw)


class PreviewIndustry(ma.Schema):
    industry = ma.fields.String(required=True)
    branch = ma.fields.String(load_default=None, allow_none=True)
    grade = Grade(load_default=None, allow_none=True)
    rated_on = Day(load_default=None, allow_none=True)


class PreviewEnterprise(ma.Schema):
    uscc = Uscc(load_default=None, allow_none=True)
    name = ma.fields.String(load_default=None, allow_none=True)
    division = Division(load_default=None, allow_none=True)
    facility_division = Division(load_default=None, allow_none=True)
    industries = ma.fields.List(ma.fields.Nested(PreviewIndustry), load_default=list)
    facts = ma.fields.Nested(Facts, load_default=dict)


class TargetIndustry(ma.Schema):
    industry = ma.fields.String(required=True)
    branch = ma.fields.String(load_default=None, allow_none=True)
    grade = Grade(required=True)


class Target(ma.Schema):
    grade = Grade(load_default=None, allow_none=True)
    industries = ma.fields.List(ma.fields.Nested(TargetIndustry), load_default=list)


class WholeDays(ma.fields.Integer):
    """A count of days: 3 or "3"; never 1.5 (marshmallow's lenient Integer would truncate it)."""
    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        if isinstance(value, str) and not value.strip().isdigit():
            raise self.make_error("invalid")
        return super()._validated(value)


class AlertDays(ma.Schema):
    light = WholeDays(load_default=0, validate=ma.validate.Range(min=0, max=366))
    moderate = WholeDays(load_default=0, validate=ma.validate.Range(min=0, max=366))
    yellow = WholeDays(load_default=0, validate=ma.validate.Range(min=0, max=366))
    orange = WholeDays(load_default=0, validate=ma.validate.Range(min=0, max=366))
    red = WholeDays(load_default=0, validate=ma.validate.Range(min=0, max=366))


class Scenario(ma.Schema):
    monitoring = ma.fields.Dict(load_default=None, allow_none=True,
                                metadata={"description": "a tax-assessment body (records, outlets, rates)"})
    target_concentrations = ma.fields.Dict(keys=ma.fields.String(),
                                           values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(
                                               as_string=False, allow_nan=False, validate=non_negative)),
                                           load_default=None, allow_none=True)
    allowance_2023_t = _non_negative()
    carbon_price_yuan_per_t = _non_negative()
    surplus_emission_rights_t = _non_negative()
    alert_days = ma.fields.Nested(AlertDays, load_default=None, allow_none=True)
    daily_output_value_yuan = _non_negative()
    daily_capacity_t = _non_negative()   # tonnes a day, on the base of the industry's table (EG-CEM-BASE)


class PreviewIn(ma.Schema):
    enterprise = ma.fields.Nested(PreviewEnterprise, required=True)
    target = ma.fields.Nested(Target, required=True)
    as_of = Day(load_default=None, allow_none=True)
    alert_level = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(ALERT_LEVELS))
    include_drafts = ma.fields.Boolean(load_default=None, allow_none=True)
    parameters = ma.fields.Dict(load_default=None, allow_none=True)
    scenario = ma.fields.Nested(Scenario, load_default=dict)


class SideOut(ma.Schema):
    overall_grade = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    industries = ma.fields.List(ma.fields.Dict())
    grades = ma.fields.List(ma.fields.Dict())
    benefits = ma.fields.List(ma.fields.Nested(BenefitOut))
    obligations = ma.fields.List(ma.fields.Nested(BenefitOut))
    not_applicable = ma.fields.List(ma.fields.Nested(NotApplicableOut))


class BlockingOut(ma.Schema):
    kind = ma.fields.String()
    ref = ma.fields.String(allow_none=True)
    until = IsoDate(allow_none=True)
    industry = ma.fields.String(allow_none=True)
    branch = ma.fields.String(allow_none=True)
    message = Localized()
    grades = ma.fields.List(ma.fields.String())


class FigureOut(ma.Schema):
    kind = ma.fields.String()
    value = ma.fields.Raw(allow_none=True)
    unit = ma.fields.String()
    basis = Localized()
    refs = ma.fields.List(ma.fields.String())
    detail = ma.fields.Dict()
    note = Localized()


class QuantifiedOut(ma.Schema):
    env_tax = ma.fields.Nested(FigureOut)
    carbon_allowance = ma.fields.Nested(FigureOut)
    emergency_response = ma.fields.Nested(FigureOut)
    emission_rights = ma.fields.List(ma.fields.Nested(FigureOut))
    enforcement = ma.fields.Nested(FigureOut)
    cash_rewards = ma.fields.List(ma.fields.Nested(FigureOut))   # yuan, with caps and budget in the basis
    emergency = ma.fields.Nested(EmergencyFigureOut)


class PathStepOut(ma.Schema):
    grade = ma.fields.String()
    adds = ma.fields.List(ma.fields.Dict())


class PreviewOut(ma.Schema):
    as_of = IsoDate(required=True)
    uscc = ma.fields.String(allow_none=True)
    name = ma.fields.String(allow_none=True)
    division = ma.fields.String()
    facility_division = ma.fields.String()
    include_drafts = ma.fields.Boolean()
    parameters = ma.fields.Dict()
    ruleset = ma.fields.String()
    current = ma.fields.Nested(SideOut, required=True)
    target = ma.fields.Nested(SideOut, required=True)
    gained = ma.fields.List(ma.fields.Nested(BenefitOut), required=True)
    lost = ma.fields.List(ma.fields.Nested(BenefitOut), required=True)
    blocking = ma.fields.List(ma.fields.Nested(BlockingOut), required=True)
    quantified = ma.fields.Nested(QuantifiedOut, required=True)
    path = ma.fields.List(ma.fields.Nested(PathStepOut))
    notes = ma.fields.List(Localized())


class PlanQuery(ma.Schema):
    format = ma.fields.String(load_default="csv", validate=ma.validate.OneOf(["csv", "xlsx"]))
