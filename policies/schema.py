"""The catalogue files' schema (pydantic): what a YAML file under policies/ may say, checked at load.

Every model forbids unknown keys, so a misspelt key or an unknown condition, rule or quantity kind is a
load error naming the file and the place. policies/VOCABULARY.md documents each kind for analysts.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Grade = Literal["A+", "A", "B", "B-", "C", "D", "引领", "非引领"]
Letter = Literal["A+", "A", "B", "B-", "C", "D"]
Ref = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+\+?$")]   # SN-52-7+: 第七条 onward
ParamName = Annotated[str, Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")]
Code = Annotated[str, Field(pattern=r"^\d{6}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Span(Strict):
    """Days in force: `from` the first day, `to` the last day (inclusive), or a parameter naming the last day."""
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | ParamName | None = None


# --- jurisdiction.yaml -----------------------------------------------------------------------------------

class JurisdictionFile(Strict):
    code: Code
    name: Text
    note: Text | None = None


# --- documents.yaml ---------------------------------------------------------------------------------------

class SourceFile(Strict):
    file: str | None = None          # a text in policies/sources/ (or incentives/data/ for the statute)
    url: str | None = None


class Document(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    title: str = Field(min_length=1)
    number: str | None = None
    issuer: str | None = None
    signed: dt.date | None = None
    issued: dt.date | None = None
    status: Literal["in_force", "draft", "expired"]
    in_force: Span = Span()
    confidence: Literal["verified", "partial", "unverified"]
    source: SourceFile
    note: str | None = None

    @model_validator(mode="after")
    def _expired_has_end(self):
        if self.status == "expired" and self.in_force.to is None:
            raise ValueError("an expired document needs in_force.to (its last day)")
        if not (self.source.file or self.source.url):
            raise ValueError("missing source: give source.file or source.url")
        return self


# --- parameters.yaml --------------------------------------------------------------------------------------

class DatedValue(Strict):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None         # last day (inclusive)
    value: Any
    ref: Ref
    source: str = Field(min_length=1)


class ParameterSpec(Strict):
    name: ParamName
    description: Text
    unit: str = ""
    kind: Literal["date", "integer", "decimal", "rates_by_grade", "tiers", "range", "choice", "flag", "grades"]
    choices: tuple[Any, ...] | None = None     # kind choice: the allowed values
    override: bool = False                     # a request may override it (validated, echoed)
    refs: tuple[Ref, ...] = ()                 # refs whose outcome this parameter decides
    values: tuple[DatedValue, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _choices(self):
        if self.kind == "choice":
            if not self.choices:
                raise ValueError("a choice parameter lists its choices")
            for v in self.values:
                if v.value not in self.choices:
                    raise ValueError(f"value {v.value!r} is not among the choices {list(self.choices)}")
        return self


# --- conditions (measure `when`, emergency rules) -----------------------------------------------------------

CONDITION_KINDS = ("grade_at_least", "advanced_grade", "lowest_grade", "upgraded_to", "industry", "fact", "any_of")
# Issue 13's mechanics (incentives/mechanics.py; policies/VOCABULARY.md "Mechanics of the eleven jurisdictions").
MECHANIC_KINDS = ("grade_in", "grade_below", "not_lowest_grade", "held_for", "obtained_within", "fact_compare",
                  "located_in", "alert_level", "all_of")
CONDITION_KINDS += MECHANIC_KINDS


class UpgradedTo(Strict):
    at_least: Grade | None = None              # None: any upgrade
    since: ParamName | None = None             # a date parameter; default: the measure's window


class InIndustry(Strict):
    industries: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()


class HeldFor(Strict):
    at_least: Grade
    months: int | ParamName          # a number of months or an integer parameter
    same_level: bool = False         # the current grade's own level must have been held (a reward per level)


class ObtainedWithin(Strict):
    at_least: Grade | None = None
    from_: dt.date | ParamName | None = Field(None, alias="from")   # first day, or a date parameter
    to: dt.date | ParamName | None = None      # last day (inclusive), or a date parameter


class FactCompare(Strict):
    fact: str
    op: Literal["lt", "le", "gt", "ge"]
    value: Annotated[str, Field(pattern=r"^(-?\d+(\.\d+)?|[a-z0-9_]+\.[a-z0-9_]+)$")]   # decimal or parameter


class Condition(Strict):
    """Exactly one kind key, plus an optional `ref` (default: the measure's first ref)."""
    ref: Ref | None = None
    grade_at_least: Grade | None = None
    advanced_grade: Literal[True] | None = None
    lowest_grade: Literal[True] | None = None
    upgraded_to: UpgradedTo | None = None
    industry: InIndustry | None = None
    fact: dict[str, Any] | None = None         # {name: value | [values], unknown?: fail|pass}
    any_of: tuple[Condition, ...] | None = None
    grade_in: tuple[Grade, ...] | None = None
    grade_below: Grade | None = None
    not_lowest_grade: Literal[True] | None = None
    held_for: HeldFor | None = None
    obtained_within: ObtainedWithin | None = None
    fact_compare: FactCompare | None = None
    located_in: tuple[Code, ...] | None = None
    alert_level: tuple[Literal["light", "moderate", "yellow", "orange", "red"], ...] | None = None
    all_of: tuple[Condition, ...] | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in CONDITION_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a condition has exactly one kind among {', '.join(CONDITION_KINDS)}; got {kinds}")
        if self.fact is not None:
            names = [k for k in self.fact if k != "unknown"]
            if len(names) != 1:
                raise ValueError("fact: name one fact, e.g. {clean_energy: true}")
            if self.fact.get("unknown", "fail") not in ("fail", "pass"):
                raise ValueError("fact: unknown must be fail or pass")
        if self.industry is not None and not (self.industry.industries or self.industry.branches):
            raise ValueError("industry: name industries or branches")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in CONDITION_KINDS if getattr(self, k) is not None)


TREATMENTS = ("exempt", "own_measures", "reduced_or_exempt", "fewer_measures",
              "differentiated", "list_measures", "on_list", "strict")
Treatment = Literal["exempt", "own_measures", "reduced_or_exempt", "fewer_measures",
                    "differentiated", "list_measures", "on_list", "strict"]


class TreatmentRule(Strict):
    when: Condition
    treatment: Treatment


class AlertResponse(Strict):
    rules: tuple[TreatmentRule, ...] = ()
    otherwise: Treatment | None = None


class Response(Strict):
    heavy: AlertResponse | None = None
    light_moderate: AlertResponse | None = None
    ref: Ref | None = None


# --- quantities ---------------------------------------------------------------------------------------------

QUANTITY_KINDS = ("rate_of_fact", "cash_reward")


class RateOfFact(Strict):
    rate: ParamName                  # a rates_by_grade parameter, keyed by the grade upgraded to
    fact: str
    unit: str


class CashReward(Strict):
    """Yuan (issue 13): an amount by grade or one figure, else what the cap leaves; caps and budget in the basis."""
    amount: ParamName | None = None          # rates_by_grade (yuan by grade) or decimal parameter
    cap: ParamName | None = None             # per-firm total cap
    budget: ParamName | None = None          # the fund's total
    budget_limited: bool = False             # paid while the budget lasts (奖完为止)
    per_level_once: bool = False             # one reward per grade level
    received_fact: str | None = None         # yuan already received under the measure
    levels_fact: str | None = None           # grade levels already rewarded
    up_to: bool = False                      # the figure is a maximum

    @model_validator(mode="after")
    def _some_figure(self):
        if self.amount is None and self.cap is None:
            raise ValueError("cash_reward needs an amount or a cap")
        return self


class Quantity(Strict):
    rate_of_fact: RateOfFact | None = None
    cash_reward: CashReward | None = None
    ref: Ref | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.rate_of_fact is None) == (self.cash_reward is None):
            raise ValueError("a quantity is exactly one of rate_of_fact, cash_reward")
        return self


# --- measures (any other *.yaml of a folder) -------------------------------------------------------------

CATEGORIES = ("env_tax", "carbon_quota", "emergency_response", "emission_rights", "enforcement", "finance",
              "electricity_price", "funding", "production", "projects", "recognition", "technology")


STAGGER_TREATMENTS = ("exempt", "may_shorten", "staggered", "stop")


class StaggerRule(Strict):
    when: Condition
    treatment: Literal["exempt", "may_shorten", "staggered", "stop"]


class Staggered(Strict):
    """Seasonal staggered production (错峰): the calendar's id (the emergency data), rules by grade, `otherwise`."""
    calendar: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$")]
    rules: tuple[StaggerRule, ...] = ()
    otherwise: Literal["exempt", "may_shorten", "staggered", "stop"] | None = None
    ref: Ref | None = None


class Requirement(Strict):
    """The grade an obligation demands of a new project (fact new_project_grade) or of the enterprise."""
    subject: Literal["project", "enterprise"]
    at_least: Grade
    by: dt.date | None = None
    ref: Ref | None = None


class Measure(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")]
    refs: tuple[Ref, ...] = Field(min_length=1)
    document: str
    clause: str = Field(min_length=1)
    anchor: str | None = None        # text that starts the clause in the source file
    anchor_end: str | None = None    # text that ends it (included), where the next clause has no heading
    category: Literal["env_tax", "carbon_quota", "emergency_response", "emission_rights", "enforcement", "finance",
                      "electricity_price", "funding", "production", "projects", "recognition", "technology"]
    window: Span | None = None       # default: the document's in_force
    when: tuple[Condition, ...] = ()
    response: Response | None = None
    staggered: Staggered | None = None
    requirement: Requirement | None = None
    quantity: Quantity | None = None
    unquantified: Text | None = None
    obligation: bool = False
    parameters: tuple[ParamName, ...] = ()
    title: Text
    note: Text | None = None
    confidence: Literal["verified", "partial", "unverified"] | None = None   # default: the document's
    # "pending": the law announces the measure but its rule (scope, rate) is not set yet: /policies lists
    # it, the engine and the tax assessment never apply it (env-tax.md §1.1, LAW-27). Default: the document's.
    status: Literal["pending"] | None = None

    @model_validator(mode="after")
    def _pending_applies_nothing(self):
        if self.status == "pending" and (self.when or self.quantity or self.response or self.requirement
                                         or self.staggered or self.obligation or self.unquantified is None):
            raise ValueError("a pending measure has no conditions, quantity, response or obligation; "
                             "give `unquantified` saying why it applies to nothing yet")
        return self


# --- grading.yaml: the grading rules of a jurisdiction --------------------------------------------------------

RULE_KINDS = ("overall_grade", "unrated_lowest", "aplus_selection", "sanction", "bar", "downgrade",
              "repeat_downgrade", "rectification", "review_period", "application_limit", "leading_map",
              "b_minus", "local_industries", "guarantee_floor", "upgrade", "managed_higher")
EVENT_KINDS = ("rated", "aplus_selected", "downgraded", "fraud_found", "violation_found",
               "rectification_started", "rectification_ended", "cancelled", "managed_higher")


class Trigger(Strict):
    event: Literal["fraud_found", "violation_found"]
    violations: tuple[str, ...] = ()             # violation_found: which violation kinds (empty: any)


class Period(Strict):
    """How long a restriction lasts: `years` from the event, or until 1 January (`calendar_year`), or a parameter."""
    years: int | None = None
    months: int | None = None                  # managed_higher (Hebei HB-WT-1a: 半年)
    calendar_year: Literal[True] | None = None
    parameter: ParamName | None = None

    @model_validator(mode="after")
    def _one(self):
        if sum(x is not None for x in (self.years, self.months, self.calendar_year, self.parameter)) != 1:
            raise ValueError("a period is exactly one of years, months, calendar_year, parameter")
        return self


RULE_FIELDS = {
    "overall_grade": ("method",), "unrated_lowest": (), "aplus_selection": ("from_grade",),
    "sanction": ("trigger",), "bar": ("trigger", "grades", "period"), "downgrade": ("trigger", "grades", "to"),
    "repeat_downgrade": ("trigger", "count", "period", "to"), "rectification": ("failed",),
    "review_period": ("grades", "period"), "application_limit": ("period",),
    "leading_map": ("leading", "non_leading"), "b_minus": ("counts_as_b",), "local_industries": ("catalog",),
    "guarantee_floor": ("at_least",), "upgrade": ("regain_is_upgrade",),
    "managed_higher": ("period",),
}


class GradingRule(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")]
    rule: Literal["overall_grade", "unrated_lowest", "aplus_selection", "sanction", "bar", "downgrade",
                  "repeat_downgrade", "rectification", "review_period", "application_limit", "leading_map",
                  "b_minus", "local_industries", "guarantee_floor", "upgrade", "managed_higher"]
    refs: tuple[Ref, ...] = Field(min_length=1)
    document: str
    clause: str = Field(min_length=1)
    anchor: str | None = None
    window: Span | None = None
    title: Text
    note: Text | None = None
    # kind-specific fields (checked per kind below)
    method: Literal["lowest"] | ParamName | None = None            # overall_grade
    scale_unknown: Letter | None = None                             # unrated_lowest: lowest where the scale is unknown
    from_grade: Grade | None = None                                 # aplus_selection
    trigger: Trigger | None = None                                      # sanction, bar, downgrade, repeat_downgrade
    ban: Period | None = None                                       # sanction: no application for this period
    grades: tuple[Grade, ...] = ()                                  # bar: barred; downgrade: affected; review: reviewed
    b_minus_barred: ParamName | bool | None = None                  # bar: whether B- is barred too
    period: Period | None = None                                    # bar, review_period, application_limit, repeat
    to: dict[str, Grade | Literal["step_down"]] | None = None       # downgrade: {letters: C, leading: 非引领}
    count: int | None = None                                        # repeat_downgrade: findings within the period
    failed: ParamName | None = None                                 # rectification: what a failed review does
    leading: Letter | None = None                                   # leading_map: 引领 counts as
    non_leading: Letter | None = None                               # leading_map: 非引领 counts as
    counts_as_b: bool | None = None                                 # b_minus
    catalog: str | None = None                                      # local_industries: industries.csv catalog
    categories: tuple[str, ...] = ()                                # guarantee_floor: 保障类 categories
    at_least: Grade | None = None                                   # guarantee_floor
    regain_is_upgrade: bool | None = None                           # upgrade: regaining a grade held before

    @model_validator(mode="after")
    def _fields_of_kind(self):
        for name in RULE_FIELDS[self.rule]:
            if getattr(self, name) in (None, ()):
                raise ValueError(f"rule {self.rule} needs `{name}`")
        if self.to is not None and set(self.to) - {"letters", "leading"}:
            raise ValueError("to: keys are letters and leading")
        return self


# --- targets.yaml ---------------------------------------------------------------------------------------------

class TargetSpec(Strict):
    ref: Ref
    due: dt.date
    floor: Letter
    share: str | None = None
    count: int | None = None
    text: Text

    @field_validator("share")
    @classmethod
    def _share(cls, v):
        if v is not None:
            from decimal import Decimal
            d = Decimal(v)
            if not (0 < d <= 1):
                raise ValueError("share is a fraction in (0, 1]")
        return v


# --- facts.yaml (catalogue root): the facts conditions may read -------------------------------------------------

class FactSpec(Strict):
    type: Literal["bool", "Decimal", "grade", "str"]
    refs: tuple[Ref, ...] = ()
    description: str = Field(min_length=1)
    values: tuple[str, ...] | None = None        # str facts: the allowed values


# --- scenarios/*.yaml: tests a domain expert writes ------------------------------------------------------------

class ScenarioLine(Strict):
    industry: str
    branch: str
    site: str | None = None


class ScenarioEnterprise(Strict):
    facility_division: Code
    division: Code | None = None
    lines: tuple[ScenarioLine, ...] = Field(min_length=1)
    facts: dict[str, Any] = {}


class ScenarioEvent(Strict):
    kind: Literal["rated", "aplus_selected", "downgraded", "fraud_found", "violation_found",
                  "rectification_started", "rectification_ended", "cancelled", "managed_higher"]
    effective: dt.date
    industry: str | None = None
    branch: str | None = None
    grade: str | None = None
    violation: str | None = None
    site: str | None = None
    until: dt.date | None = None
    rectification_passed: bool | None = None
    ref: str | None = None


class Expected(Strict):
    grade: str | None = "unset"                      # managed overall grade ("unset": not checked)
    rated_grade: str | None = "unset"
    status: Literal["rated", "unrated", "lowest_by_sanction", "under_rectification"] | None = None
    restrictions: tuple[str, ...] | None = None      # "<kind> <ref> [until]" of every restriction in force
    upgrades: tuple[str, ...] | None = None          # "C→A 2024-09-10" of every upgrade
    review_due: dt.date | None | Literal["unset"] = "unset"
    line_grades: tuple[str | None, ...] | None = None
    history_refs: tuple[str | None, ...] | None = None   # ref of each event's effect, in order
    benefits: dict[str, dict[str, Any] | None] = {}   # id -> {quantity: "100.000", treatment: {heavy: …}}
    not_benefits: tuple[str, ...] = ()
    not_applicable: dict[str, tuple[str, ...]] = {}   # id -> the missing conditions' names
    obligations: tuple[str, ...] = ()
    # issue 13: obligations' staggered-production treatment and requirement outcome, and obligations absent
    obligation_details: dict[str, dict[str, Any]] = {}   # id -> {treatment: {…}, requirement: met|not_met|unknown}
    not_obligations: tuple[str, ...] = ()


class Scenario(Strict):
    name: str = Field(min_length=1)
    refs: tuple[Ref, ...] = Field(min_length=1)
    rules: tuple[str, ...] = ()                       # grading rule ids the case exercises
    enterprise: ScenarioEnterprise
    events: tuple[ScenarioEvent, ...] = ()
    as_of: dt.date
    include_drafts: bool = False
    alert_level: Literal["light", "moderate", "yellow", "orange", "red"] | None = None
    parameters: dict[str, Any] = {}
    expect: Expected
