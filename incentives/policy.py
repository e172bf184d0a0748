"""The policy model: dated, cited measures as data (house style §2.4), validated when the catalogue loads."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .explain import Text
from .grades import LETTER_RANK
from .periods import Parameter, Window

CATEGORIES = ("env_tax", "carbon_quota", "emergency_response", "emission_rights", "enforcement", "finance",
              "electricity_price", "funding", "production", "projects", "recognition", "technology")
STATUSES = ("in_force", "draft", "pending")   # pending: announced by law, no rule yet (never applied)
ALERT_LEVELS = ("light", "moderate", "yellow", "orange", "red")
# Contract: yellow/orange/red are 重污染; light/moderate are 轻度/中度污染天气 (SX-4-3).
ALERT_CATEGORY = {"light": "light_moderate", "moderate": "light_moderate",
                  "yellow": "heavy", "orange": "heavy", "red": "heavy"}
# Machine-readable emergency treatments; the first four are benefits, the rest obligations.
BENEFIT_TREATMENTS = ("exempt", "own_measures", "reduced_or_exempt", "fewer_measures")
OBLIGATION_TREATMENTS = ("differentiated", "list_measures", "on_list", "strict")
DIGESTS = tuple(Path(__file__).resolve().parent.parent / "policies" / name
                for name in ("digest.md", "digest-jurisdictions.md", "digest-emergency.md", "emergency.md"))


class PolicyLoadError(RuntimeError):
    """The catalogue is inconsistent (unknown ref, overlapping windows, missing source): refuse to start."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a measure is written: document, clause, status, and the source file and heading for its text."""
    document: str
    clause: str
    status: str                       # in_force | draft | pending
    file: str | None = None           # policies/sources/<file>; None for the statute (not in sources/)
    anchor: str | None = None         # text that starts the clause in the file (clauses.py)
    end: str | None = None            # text that ends it (included), where the next clause has no heading


# --- conditions: declarative; the engine evaluates each kind one-at-a-time and in bulk ---------------

@dataclass(frozen=True, slots=True)
class GradeAtLeast:
    """Managed grade at `floor` or better, under the jurisdiction's 引领 mapping and B- reading."""
    floor: str
    ref: str


@dataclass(frozen=True, slots=True)
class AdvancedGrade:
    """Managed grade among the national 'advanced' grades (interpretation advanced_grades)."""
    ref: str


@dataclass(frozen=True, slots=True)
class LowestGrade:
    """At the lowest grade of an industry's scale (rated so, unrated, or sanctioned)."""
    ref: str


@dataclass(frozen=True, slots=True)
class Upgraded:
    """An upgrade (提升至 / 晋A) to `floor` or better, effective in a window and up to as_of, still held.

    `since` names where the window starts: "policy" (the policy's window, end included) or an
    interpretation field (e.g. ningxia_upgrade_since)."""
    floor: str | None                 # None: any upgrade
    ref: str
    since: str = "policy"


@dataclass(frozen=True, slots=True)
class InIndustry:
    """The enterprise has one of these industries or branches (catalogue codes)."""
    ref: str
    industries: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Column name of this condition in the bulk frame."""
        return "ind:" + ",".join(self.industries + self.branches)


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact (engine.FACTS) takes one of `allowed`; `unknown` says what a missing fact does."""
    name: str
    allowed: tuple
    ref: str
    unknown: str = "fail"             # fail | pass (listed with an 'unknown' step)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one of several conditions."""
    options: tuple
    ref: str


Condition = GradeAtLeast | AdvancedGrade | LowestGrade | Upgraded | InIndustry | Fact | AnyOf


@dataclass(frozen=True, slots=True)
class TreatmentRule:
    """In emergency response: when `when` holds, the enterprise gets `treatment`."""
    when: Condition
    treatment: str


@dataclass(frozen=True, slots=True)
class Response:
    """Emergency treatment by alert category ("heavy", "light_moderate"): ordered rules, then `otherwise`."""
    rules: tuple[tuple[str, tuple[TreatmentRule, ...], str | None], ...]   # (category, rules, otherwise)
    ref: str

    def categories(self) -> tuple[str, ...]:
        """Alert categories this measure covers."""
        return tuple(c for c, _, _ in self.rules)


@dataclass(frozen=True, slots=True)
class RateOfFact:
    """Quantity = rate (a dated parameter keyed by the upgrade's grade) × a Decimal fact."""
    rate_param: str                    # key in Policy.params
    fact: str
    unit: str
    ref: str


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantified benefit: value (None when the inputs are missing), unit and how it was reached."""
    value: Decimal | None
    unit: str
    basis: Text


@dataclass(frozen=True, slots=True)
class Policy:
    """One measure: who gets what, where, when, under which clause."""
    policy_id: str
    refs: tuple[str, ...]
    category: str
    jurisdiction: str
    title: Text
    source: Source
    window: Window
    conditions: tuple = ()
    params: Mapping[str, Parameter] = field(default_factory=dict)
    quantity: RateOfFact | None = None
    unquantified: Text | None = None   # basis shown when the text gives a rule but no number here
    response: Response | None = None
    is_obligation: bool = False
    window_end: str | None = None      # the date parameter naming the last day (chongqing.campaign_end)
    note: Text | None = None
    confidence: str = "verified"       # verified | partial | unverified (the document's, unless the measure says)
    document_id: str | None = None
    staggered: Any = None              # mechanics.Staggered: seasonal 错峰 treatment by grade (issue 13)
    requirement: Any = None            # mechanics.Requirement: the grade an obligation demands (issue 13)

    @property
    def status(self) -> str:
        """in_force, draft or pending (announced, no rule yet: listed, never applied), from the source."""
        return self.source.status


def walk_conditions(p: Policy):
    """Every condition of a measure, nested ones and emergency rules' included."""
    stack = list(p.conditions)
    if p.response:
        stack += [rule.when for _, rules, _ in p.response.rules for rule in rules]
    if p.staggered:
        stack += [rule.when for rule in p.staggered.rules]
    while stack:
        c = stack.pop()
        yield c
        if isinstance(c, AnyOf) or hasattr(c, "options"):       # any_of, all_of (mechanics.AllOf)
            stack += list(c.options)


@dataclass(frozen=True, slots=True)
class GradingRule:
    """A grading rule of one jurisdiction (policies/*/grading.yaml): kind, refs, window, status, its fields."""
    rule_id: str
    kind: str
    refs: tuple[str, ...]
    jurisdiction: str
    status: str                        # in_force | draft
    window: Window
    title: Text
    source: Source
    spec: Mapping[str, Any]            # the kind's fields (policies/schema.py GradingRule)
    window_end: str | None = None
    document_id: str | None = None
    note: Text | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.spec[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    """What the registry says of a named parameter besides its dated values."""
    name: str
    jurisdiction: str
    kind: str
    description: Text
    unit: str
    choices: tuple | None
    override: bool
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """By `due`, at least `share` (or `count`) of a division's key-industry enterprises at `floor` or better."""
    division: str
    ref: str
    due: date
    floor: str
    text: Text
    share: str | None = None      # a decimal fraction, as text
    count: int | None = None


# --- validation at load ------------------------------------------------------------------------------

# A ref may end in "+" (SN-52-7+: "第七条 onward", as the digest spells it).
_REF_CELL = re.compile(r"^\|\s*([A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+\+?(?:\s*,\s*[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+\+?)*)\s*\|")


@cache
def digest_refs(paths: tuple[Path, ...] = DIGESTS) -> frozenset[str]:
    """Ref ids of the digests' tables (first cell of a row, e.g. `CQ-A1-9`, `NX-A1-1, CQ-A1-2`)."""
    refs: set[str] = set()
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _REF_CELL.match(line)
            if m:
                refs.update(r.strip() for r in m.group(1).split(","))
    return frozenset(refs)


def _condition_refs(cond) -> list[str]:
    if isinstance(cond, AnyOf):
        return [cond.ref] + [r for o in cond.options for r in _condition_refs(o)]
    if isinstance(cond, TreatmentRule):
        return _condition_refs(cond.when)
    return [cond.ref]


def _check_condition(pid: str, cond, errors: list[str]) -> None:
    if isinstance(cond, (GradeAtLeast, Upgraded)) and cond.floor is not None and cond.floor not in LETTER_RANK:
        errors.append(f"{pid}: unknown grade floor {cond.floor!r}")
    if isinstance(cond, Fact) and cond.unknown not in ("fail", "pass"):
        errors.append(f"{pid}: fact {cond.name}: unknown must be fail or pass")
    if isinstance(cond, AnyOf):
        for o in cond.options:
            _check_condition(pid, o, errors)


def validate(policies: tuple[Policy, ...], parameters: Mapping[str, Parameter],
             known_refs: frozenset[str] | None = None, facts: Mapping | None = None,
             jurisdictions: frozenset[str] | None = None) -> None:
    """Refuse an inconsistent catalogue: unknown refs, missing sources, overlapping windows, bad fields."""
    if jurisdictions is None:
        from policies import JURISDICTIONS
        jurisdictions = frozenset(JURISDICTIONS)
    known = digest_refs() if known_refs is None else known_refs
    errors: list[str] = []
    by_id: dict[str, list[Policy]] = {}
    for p in policies:
        pid = p.policy_id
        by_id.setdefault(pid, []).append(p)
        if not re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", pid):
            errors.append(f"{pid}: policy id must be jurisdiction.benefit")
        if not p.refs:
            errors.append(f"{pid}: no ref")
        if p.category not in CATEGORIES:
            errors.append(f"{pid}: unknown category {p.category!r}")
        if p.jurisdiction not in jurisdictions:
            errors.append(f"{pid}: unknown jurisdiction {p.jurisdiction!r}")
        src = p.source
        if src is None or not src.document or not src.clause:
            errors.append(f"{pid}: missing source (document and clause)")
        elif src.status not in STATUSES:
            errors.append(f"{pid}: status must be in_force, draft or pending, not {src.status!r}")
        if not (p.title and p.title.zh and p.title.en):
            errors.append(f"{pid}: title needs zh and en")
        refs = list(p.refs)
        for c in p.conditions:
            refs += _condition_refs(c)
            _check_condition(pid, c, errors)
        if facts is not None:
            used = [c.name for c in walk_conditions(p) if isinstance(c, Fact)]
            used += [getattr(p.quantity, n) for n in ("fact", "received_fact", "levels_fact")
                     if getattr(p.quantity, n, None)]
            used += [n for c in walk_conditions(p) if (n := getattr(c, "fact", None)) and isinstance(n, str)]
            errors += [f"{pid}: fact {n!r} is not documented in policies/facts.yaml" for n in used if n not in facts]
        if p.response:
            refs.append(p.response.ref)
            for cat, rules, otherwise in p.response.rules:
                if cat not in ("heavy", "light_moderate"):
                    errors.append(f"{pid}: unknown alert category {cat!r}")
                for r in rules:
                    refs += _condition_refs(r)
                    if r.treatment not in BENEFIT_TREATMENTS + OBLIGATION_TREATMENTS:
                        errors.append(f"{pid}: unknown treatment {r.treatment!r}")
                if otherwise is not None and otherwise not in BENEFIT_TREATMENTS + OBLIGATION_TREATMENTS:
                    errors.append(f"{pid}: unknown treatment {otherwise!r}")
        if p.quantity:
            refs.append(p.quantity.ref)
            if isinstance(p.quantity, RateOfFact) and p.quantity.rate_param not in p.params:
                errors.append(f"{pid}: quantity needs parameter {p.quantity.rate_param!r}")
        for name, param in p.params.items():
            if parameters.get(param.name) is not param:
                errors.append(f"{pid}: parameter {param.name!r} is not in the registry")
        errors += [f"{pid}: unknown ref {r!r} (not in the digest)" for r in refs if r not in known]
    for name, param in parameters.items():
        if name != param.name:
            errors.append(f"parameter {name!r} registered under another name ({param.name!r})")
        for v in param.values:
            if v.ref not in known:
                errors.append(f"parameter {name}: unknown ref {v.ref!r}")
            if not v.source:
                errors.append(f"parameter {name}: a value has no source")
    for pid, versions in by_id.items():
        for i, a in enumerate(versions):
            for b in versions[i + 1:]:
                if a.window.overlaps(b.window):
                    errors.append(f"{pid}: versions overlap ({a.window}, {b.window})")
    if errors:
        raise PolicyLoadError("policy catalogue refused:\n" + "\n".join(errors))


def parameter(name: str, *values: tuple, description: str = "", unit: str = "") -> Parameter:
    """Build a Parameter from (window, value, ref, source) tuples; overlapping windows raise PolicyLoadError."""
    from .periods import DatedValue
    try:
        return Parameter(name, tuple(DatedValue(w, v, ref, src) for w, v, ref, src in values),
                         description=description, unit=unit)
    except ValueError as exc:
        raise PolicyLoadError(str(exc)) from exc

