"""Schemas of the grade registry (contract: enterprises, events, grade objects, lookup, change feed)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import marshmallow as ma

from incentives.engine import FACTS
from incentives.state import EVENT_KINDS, STATUSES, VIOLATIONS

from .schemas import DRAFTS_DESCRIPTION, PLAUSIBLE_MAX, Day, Division, Grade, GradeQuery, Uscc, non_negative


class IsoDate(ma.fields.Date):
    """A date (accepts a date or its ISO text when dumping stored projections)."""
    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class IsoDateTime(ma.fields.DateTime):
    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class Localized(ma.fields.Field):
    """A {zh, en} text dumped in the request's language."""
    def _serialize(self, value, attr, obj, **kwargs):
        from .i18n import pick
        return pick(value) if isinstance(value, dict) else value

    def _jsonschema_type_mapping(self):
        return {"type": "string"}


def _fact_field(name: str, spec: dict):
    """A field for one of the engine's facts (engine.FACTS says its type, meaning and refs)."""
    meta = {"description": f"{spec['description']} (refs: {', '.join(spec['refs'])})"}
    if spec["type"] == "bool":
        return ma.fields.Boolean(allow_none=True, metadata=meta)
    if spec["type"] == "Decimal":
        return ma.fields.Decimal(allow_none=True, as_string=False, allow_nan=False, validate=non_negative,
                                 metadata={**meta, "minimum": 0, "maximum": PLAUSIBLE_MAX})
    if spec["type"] == "grade":
        return Grade(allow_none=True, metadata=meta)
    if spec.get("values"):           # a closed list in policies/facts.yaml (guarantee_role, new_project_kind …)
        return ma.fields.String(allow_none=True, validate=ma.validate.OneOf(spec["values"]), metadata=meta)
    if name == "ultra_low_retrofit":
        return ma.fields.String(allow_none=True, validate=ma.validate.OneOf(["early", "on_time", "overdue"]),
                                metadata=meta)
    return ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100), metadata=meta)


class Facts(ma.Schema.from_dict({name: _fact_field(name, spec) for name, spec in FACTS.items()},
                                name="FactsBase")):
    """Facts policies read (engine.FACTS), plus the registry's own."""
    cement_clinker = ma.fields.Boolean(allow_none=True)
    outlets = ma.fields.List(ma.fields.String(), allow_none=True)

    @ma.post_load
    def _json_ready(self, data, **kwargs):
        for name, value in data.items():
            if isinstance(value, Decimal):
                data[name] = str(value)
        return data


class IndustryIn(ma.Schema):
    industry = ma.fields.String(required=True, validate=ma.validate.Length(max=64),
                                metadata={"description": "catalogue code or Chinese name"})
    branch = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64))
    grade = Grade(load_default=None, allow_none=True)
    rated_on = Day(load_default=None, allow_none=True)
    site = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64),
                            metadata={"description": "排污许可证 number (G-SITE)"})
    ref = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=32))


class EnterpriseIn(ma.Schema):
    uscc = Uscc(required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    division = Division(load_default=None, allow_none=True)
    facility_division = Division(load_default=None, allow_none=True)
    industries = ma.fields.List(ma.fields.Nested(IndustryIn), required=True, validate=ma.validate.Length(min=1),
                                metadata={"description": "at least one industry (G-SCOPE)"})
    facts = ma.fields.Nested(Facts, load_default=dict)


class EnterprisePatch(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    facility_division = Division()
    industries = ma.fields.List(ma.fields.Nested(IndustryIn))
    facts = ma.fields.Nested(Facts)


class EventIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(EVENT_KINDS))
    effective = Day(required=True)
    industry = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64))
    branch = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64))
    site = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=64))
    grade = Grade(load_default=None, allow_none=True)
    until = Day(load_default=None, allow_none=True)
    ref = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=32))
    violation = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(VIOLATIONS))
    rectification_passed = ma.fields.Boolean(load_default=None, allow_none=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=1000))

    @ma.validates_schema
    def _fields_of_kind(self, data, **kwargs):
        kind = data.get("kind")
        if kind in ("rated", "downgraded") and not data.get("grade"):
            raise ma.ValidationError("a rated or downgraded event carries the grade", "grade")
        if kind in ("rated", "downgraded", "aplus_selected") and not data.get("industry"):
            raise ma.ValidationError("this event names the industry", "industry")
        if kind == "violation_found" and not data.get("violation"):
            raise ma.ValidationError(f"one of {', '.join(VIOLATIONS)}", "violation")
        if kind == "managed_higher" and not data.get("until") and not data.get("ref"):
            # the ledger takes the end from the rule the ref names (HB-WT-1a: 6 months), else refuses
            raise ma.ValidationError("a managed_higher event ends: give `until` or the ref of its rule", "until")


class IndustryOut(ma.Schema):
    industry = ma.fields.String()
    branch = ma.fields.String()
    site = ma.fields.String(allow_none=True)
    scale = ma.fields.String()
    grade = ma.fields.String(allow_none=True, metadata={"description": "managed grade (policies apply it)"})
    rated_grade = ma.fields.String(allow_none=True)
    rated_on = IsoDate(allow_none=True)
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    review_due = IsoDate(allow_none=True)


class RestrictionOut(ma.Schema):
    kind = ma.fields.String()
    reason = Localized()
    ref = ma.fields.String()
    since = IsoDate()
    until = IsoDate(allow_none=True, metadata={"description": "first day it no longer applies"})
    grades_barred = ma.fields.List(ma.fields.String())


class UpgradeOut(ma.Schema):
    industry = ma.fields.String()
    branch = ma.fields.String()
    from_grade = ma.fields.String(allow_none=True)
    to_grade = ma.fields.String()
    effective = IsoDate()
    ref = ma.fields.String(allow_none=True)


class EventOut(ma.Schema):
    seq = ma.fields.Integer(allow_none=True)
    uscc = ma.fields.String()
    kind = ma.fields.String()
    industry = ma.fields.String(allow_none=True)
    branch = ma.fields.String(allow_none=True)
    site = ma.fields.String(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    effective = IsoDate()
    until = IsoDate(allow_none=True)
    ref = ma.fields.String(allow_none=True)
    violation = ma.fields.String(allow_none=True)
    rectification_passed = ma.fields.Boolean(allow_none=True)
    note = ma.fields.String(allow_none=True)
    recorded_at = IsoDateTime(allow_none=True)
    effect = Localized()
    effect_ref = ma.fields.String(allow_none=True)


class GradeOut(ma.Schema):
    uscc = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    division = ma.fields.String()
    facility_division = ma.fields.String()
    as_of = IsoDate(required=True)
    overall_grade = ma.fields.String(allow_none=True, required=True)
    rated_grade = ma.fields.String(allow_none=True, required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    review_due = IsoDate(allow_none=True)
    industries = ma.fields.List(ma.fields.Nested(IndustryOut), required=True)
    restrictions = ma.fields.List(ma.fields.Nested(RestrictionOut), required=True)
    upgrades = ma.fields.List(ma.fields.Nested(UpgradeOut))
    history = ma.fields.List(ma.fields.Nested(EventOut))
    version = ma.fields.Integer()
    facts = ma.fields.Dict(metadata={"description": "stored facts (GET of the enterprise, for those who may see it)"})


class GradeAtOut(GradeOut):
    """The grade at a date, with the request's `include_drafts` echoed."""
    include_drafts = ma.fields.Boolean(required=True, metadata={"description": DRAFTS_DESCRIPTION})


class EventCreated(ma.Schema):
    seq = ma.fields.Integer(required=True)
    state = ma.fields.Nested(GradeOut, required=True)


class LookupIn(ma.Schema):
    usccs = ma.fields.List(ma.fields.String(), load_default=list, validate=ma.validate.Length(min=1),
                           metadata={"description": "1 to 1 000 (more: 413); or send a CSV file instead of JSON",
                                     "maxItems": 1000})
    as_of = Day(load_default=None, allow_none=True)
    include_drafts = ma.fields.Boolean(load_default=False, metadata={"description": DRAFTS_DESCRIPTION})

    # A JSON body names its usccs (without them the lookup is 422); not required when parsing, since a CSV or
    # XLSX file may come instead of JSON (the parser then sees no JSON fields).
    OPENAPI_EXTRA: ClassVar[dict] = {"required": ["usccs"]}


class AsOfForm(ma.Schema):
    """The form fields beside a lookup file (or query parameters)."""
    as_of = Day(load_default=None, allow_none=True)
    include_drafts = ma.fields.Boolean(load_default=False)


class LookupOut(ma.Schema):
    as_of = IsoDate(required=True)
    include_drafts = ma.fields.Boolean(required=True, metadata={"description": DRAFTS_DESCRIPTION})
    results = ma.fields.List(ma.fields.Nested(GradeOut), required=True)
    not_found = ma.fields.List(ma.fields.String(), required=True)
    invalid = ma.fields.List(ma.fields.Dict())


class ChangesQuery(ma.Schema):
    since = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=2**31 - 1), metadata={
        "description": "the `next` of the previous page (0 at first)"})
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=5000), metadata={
        "description": "events scanned by this page; only those this key may see are returned"})


class FeedEventOut(EventOut):
    """A feed event (also a webhook's body): what happened, and the grades it left, stored when written."""
    grade = ma.fields.String(allow_none=True, metadata={
        "description": "the enterprise's managed overall grade right after the event, at its effective date"})
    previous_grade = ma.fields.String(allow_none=True, metadata={
        "description": "the managed overall grade just before the event (null for its first event)"})
    line_grade = ma.fields.String(allow_none=True, metadata={
        "description": "the managed grade of the event's line (industry, branch) after it; null if it names none"})
    event_grade = ma.fields.String(allow_none=True, metadata={
        "description": "the grade the event itself carried (a rating's or a downgrade's grade)"})


class ChangesOut(ma.Schema):
    events = ma.fields.List(ma.fields.Nested(FeedEventOut), required=True)
    next = ma.fields.Integer(required=True, metadata={
        "description": "the last seq scanned (past events this key may not see): the next page's `since`; "
                       "caught up when it equals `since`"})


class SnapshotQuery(GradeQuery):
    division = Division(required=True, metadata={"description": "the division and every division inside it"})
    fmt = ma.fields.String(data_key="format", load_default=None, validate=ma.validate.OneOf(["csv", "xlsx", "json"]),
                           metadata={"description": "csv (UTF-8 with BOM), xlsx or json; default: by Accept, "
                                                    "else json"})


class SnapshotOut(ma.Schema):
    """The JSON form of a snapshot (CSV and XLSX carry the same figures, one line per enterprise)."""
    division = ma.fields.String(required=True)
    as_of = IsoDate(required=True)
    include_drafts = ma.fields.Boolean(required=True, metadata={"description": DRAFTS_DESCRIPTION})
    enterprises = ma.fields.List(ma.fields.Nested(GradeOut), required=True)


def today() -> dt.date:
    from .schemas import today_in_shanghai
    return today_in_shanghai()
