"""Schemas of emergency response and staggered production: `quantified.emergency` of the preview, the
`emergency` section of the benefits report, and the emergency-response sheet (contract 1.1)."""
from __future__ import annotations

import marshmallow as ma

from .schemas import Day, Money, Number
from .schemas_benefits import JsonObject
from .schemas_grades import IsoDate, Localized

PRODUCTION = ("none", "own_measures", "cut", "stop_lines", "stop")
TRANSPORT = ("none", "no_guo4_heavy_trucks", "no_road_transport")
SEASON_TREATMENTS = ("exempt", "staggered", "may_shorten", "stop")


class JurisdictionRef(ma.Schema):
    code = ma.fields.String()
    name = Localized()


class SourceDocumentOut(ma.Schema):
    id = ma.fields.String()
    title = ma.fields.String()
    number = ma.fields.String(allow_none=True)
    issuer = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["in_force", "draft", "expired"]})
    confidence = ma.fields.String(metadata={"enum": ["verified", "partial", "unverified"]})
    source = ma.fields.String()


class CutBaseOut(ma.Schema):
    ref = ma.fields.String()
    text = Localized()


class TableOut(ma.Schema):
    id = ma.fields.String()
    refs = ma.fields.List(ma.fields.String())
    title = Localized()
    clause = ma.fields.String()
    confidence = ma.fields.String()
    jurisdiction = ma.fields.Nested(JurisdictionRef)
    document = ma.fields.Nested(SourceDocumentOut)
    cut_base = ma.fields.Nested(CutBaseOut, allow_none=True)


class MeasureOut(ma.Schema):
    level = ma.fields.String(metadata={"enum": ["yellow", "orange", "red"]})
    production = ma.fields.String(metadata={"enum": list(PRODUCTION)})
    share = Number(allow_none=True, metadata={"description": "of the cut base (cut) or of the lines (stop_lines)"})
    cut = Number(allow_none=True, metadata={"description": "share of a day's output counted as cut (EG-COUNT)"})
    transport = ma.fields.String(metadata={"enum": list(TRANSPORT)})
    refs = ma.fields.List(ma.fields.String())


class PeriodOut(ma.Schema):
    from_ = IsoDate(data_key="from", attribute="from")
    to = IsoDate(allow_none=True, metadata={"description": "last day"})


class SeasonOut(ma.Schema):
    id = ma.fields.String()
    name = Localized()
    periods = ma.fields.List(ma.fields.Nested(PeriodOut))
    calendar_days = ma.fields.Integer(allow_none=True)
    basis = Localized(allow_none=True)
    days_stopped = ma.fields.Integer(allow_none=True, metadata={"description": "null: the text gives no number"})


class CalendarOut(ma.Schema):
    id = ma.fields.String()
    refs = ma.fields.List(ma.fields.String())
    title = Localized()
    clause = ma.fields.String()
    status = ma.fields.String()
    confidence = ma.fields.String()
    jurisdiction = ma.fields.Nested(JurisdictionRef)
    document = ma.fields.Nested(SourceDocumentOut)
    effective = ma.fields.Dict()


class LineCalendarOut(CalendarOut):
    treatment = ma.fields.String(metadata={"enum": list(SEASON_TREATMENTS)})
    ref = ma.fields.String()
    days_stopped = ma.fields.Integer(allow_none=True)
    seasons = ma.fields.List(ma.fields.Nested(SeasonOut))


class SheetLineOut(ma.Schema):
    industry = ma.fields.String()
    branch = ma.fields.String()
    site = ma.fields.String(allow_none=True)
    grade = ma.fields.String(allow_none=True, metadata={"description": "managed grade"})
    rated_grade = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    grade_read_as = ma.fields.String(allow_none=True)
    table = ma.fields.Nested(TableOut, allow_none=True)
    reason = Localized(allow_none=True)
    alert_levels = ma.fields.List(ma.fields.Nested(MeasureOut))
    staggered_production = ma.fields.List(ma.fields.Nested(LineCalendarOut))


class GeneralMeasureOut(ma.Schema):
    policy_id = ma.fields.String()
    refs = ma.fields.List(ma.fields.String())
    title = Localized()
    jurisdiction = ma.fields.Nested(JurisdictionRef)
    status = ma.fields.String()
    source = ma.fields.Dict()
    treatment = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    obligation = ma.fields.Boolean()


class SheetQuery(ma.Schema):
    as_of = Day(load_default=None)
    format = ma.fields.String(load_default="json", validate=ma.validate.OneOf(["json", "html", "pdf"]))
    include_drafts = ma.fields.Boolean(load_default=None)
    parameters = JsonObject(load_default=None, metadata={"description": "interpretation overrides as JSON"})


class SheetOut(ma.Schema):
    uscc = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    division = ma.fields.String()
    facility_division = ma.fields.String()
    as_of = IsoDate(required=True)
    include_drafts = ma.fields.Boolean()
    ruleset = ma.fields.String()
    parameters = ma.fields.Dict()
    overall_grade = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    lines = ma.fields.List(ma.fields.Nested(SheetLineOut), required=True)
    general = ma.fields.List(ma.fields.Nested(GeneralMeasureOut))


# --- quantified.emergency -----------------------------------------------------------------------------------

class LevelChangeOut(ma.Schema):
    level = ma.fields.String()
    days = ma.fields.Integer()
    before = ma.fields.Nested(MeasureOut, allow_none=True)
    after = ma.fields.Nested(MeasureOut, allow_none=True)
    days_stopped_before = ma.fields.Integer(allow_none=True)
    days_limited_before = ma.fields.Integer(allow_none=True)
    days_stopped_after = ma.fields.Integer(allow_none=True)
    days_limited_after = ma.fields.Integer(allow_none=True)
    days_equivalent = Number(allow_none=True, metadata={"description": "days × (cut before − cut after)"})


class SeasonSideOut(ma.Schema):
    treatment = ma.fields.String()
    ref = ma.fields.String()
    days_stopped = ma.fields.Integer(allow_none=True)


class SeasonChangeOut(ma.Schema):
    calendar = ma.fields.Nested(CalendarOut)
    season = ma.fields.Nested(SeasonOut)
    before = ma.fields.Nested(SeasonSideOut)
    after = ma.fields.Nested(SeasonSideOut)
    days_saved = ma.fields.Integer(allow_none=True)


class LineChangeOut(ma.Schema):
    industry = ma.fields.String()
    branch = ma.fields.String()
    site = ma.fields.String(allow_none=True)
    grade_before = ma.fields.String(allow_none=True)
    grade_after = ma.fields.String(allow_none=True)
    table = ma.fields.Nested(TableOut, allow_none=True)
    reason_before = Localized(allow_none=True)
    reason_after = Localized(allow_none=True)
    alert_levels = ma.fields.List(ma.fields.Nested(LevelChangeOut))
    seasons = ma.fields.List(ma.fields.Nested(SeasonChangeOut))


class UnquantifiedOut(ma.Schema):
    line = ma.fields.String(allow_none=True)
    what = ma.fields.String()
    ref = ma.fields.String(allow_none=True)
    reason = Localized()


class EmergencyFigureOut(ma.Schema):
    kind = ma.fields.String()
    value = Number(allow_none=True, metadata={"description": "days of output no longer cut; null where a part "
                                                             "has no number (see reason)"})
    unit = ma.fields.String()
    quantified_part = Number(allow_none=True, metadata={"description": "the part that has numbers (at least)"})
    output_value_yuan = Money(allow_none=True)
    output_t = Number(allow_none=True)
    reason = Localized(allow_none=True)
    basis = Localized()
    refs = ma.fields.List(ma.fields.String())
    alert_days = ma.fields.Dict(allow_none=True)
    daily_output_value_yuan = Money(allow_none=True)
    daily_capacity_t = Number(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(LineChangeOut))
    unquantified = ma.fields.List(ma.fields.Nested(UnquantifiedOut))
    notes = ma.fields.List(Localized())
