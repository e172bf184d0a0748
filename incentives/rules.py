"""Which grading rules of the catalogue apply to a facility, on a day (policies/*/grading.yaml).

A rule applies only where the facility division lies inside the rule's jurisdiction, on a day inside its
window, and, for a draft, only when drafts are included (contract 1.1). Where a jurisdiction and one of its
ancestors both have a rule of a kind (for event-triggered kinds: on the same event), the deeper one applies:
local law as an exception to national law, found by the same lookup, never by comparing division codes.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import policies

from .grades import CANONICAL, LEADING, LETTER_RANK, NON_LEADING, LeadingMap
from .policy import GradingRule
from .reference import division_chain

EVENT_KINDS = ("sanction", "bar", "downgrade", "repeat_downgrade")


def param_value(name: str, day: date, overrides: Mapping[str, Any] | None = None) -> Any:
    """A registry parameter's value on `day` (a request's override first)."""
    if overrides and name in overrides:
        return overrides[name]
    p = policies.PARAMETERS[name]
    try:
        return p.at(day).value
    except LookupError:
        return p.values[0].value if day < (p.values[0].window.start or day) else p.values[-1].value


def rule_window_contains(rule: GradingRule, day: date, overrides: Mapping[str, Any] | None = None) -> bool:
    """Whether `day` is inside the rule's window (its end possibly a date parameter)."""
    w = rule.window
    if rule.window_end is not None:
        last = param_value(rule.window_end, w.start or day, overrides)
        return (w.start is None or w.start <= day) and day <= last
    return w.contains(day)


@dataclass(frozen=True, slots=True)
class Reading:
    """How grades compare in one jurisdiction: the 引领 mapping and the reading of B- (with their rules)."""
    leading_map: LeadingMap
    b_minus_is_b: bool
    refs: tuple[str, ...] = ()
    _ranks: dict = field(default=None, compare=False, hash=False, repr=False)

    _keys: dict = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_ranks", {g: LETTER_RANK[self.tier(g)] for g in CANONICAL})
        object.__setattr__(self, "_keys", {g: (self._ranks[g], LETTER_RANK[self.leading_map.letter(g)],
                                               g in (LEADING, NON_LEADING)) for g in CANONICAL})

    def tier(self, grade: str | None) -> str | None:
        """The letter grade a grade counts as here."""
        if grade is None:
            return None
        t = self.leading_map.letter(grade)
        return "B" if t == "B-" and self.b_minus_is_b else t

    def rank(self, grade: str | None) -> int:
        """Comparable rank (0 = none)."""
        return 0 if grade is None else self._ranks[grade]

    def expand(self, grades: tuple[str, ...]) -> tuple[str, ...]:
        """Grades that read as one of `grades` here (B- with B where B- is B; 引领 with its letter)."""
        out = list(grades)
        if "B" in grades and self.b_minus_is_b and "B-" not in out:
            out.append("B-")
        for g in (LEADING, NON_LEADING):
            if g not in out and self.leading_map.letter(g) in grades:
                out.append(g)
        return tuple(out)

    def lowest(self, grades: list[str | None]) -> str | None:
        """The lowest grade (G-MULTI); on a tie the lower letter, then a letter grade over 引领/非引领."""
        graded = [g for g in grades if g is not None]
        if not graded:
            return None
        return min(graded, key=self._keys.__getitem__)


class Law:
    """The grading rules in force for one facility on the days of one epoch (a stretch between two days on
    which a rule's window opens or closes): each question about them is answered once and kept."""
    __slots__ = ("_answers", "active", "review_periods")

    def __init__(self, active: tuple[GradingRule, ...]):
        self.active = active                  # deepest jurisdiction first
        # G-REVIEW: the review period of each rated grade, from the deepest review_period rule that lists it
        self.review_periods: dict[str, Mapping[str, Any]] = {}
        for r in active:
            if r.kind == "review_period":
                for grade in r.grades:
                    self.review_periods.setdefault(grade, r.period)
        self._answers: dict = {}

    def one(self, kind: str) -> GradingRule | None:
        """The applicable rule of a kind (the deepest jurisdiction's)."""
        try:
            return self._answers[kind]
        except KeyError:
            got = self._answers[kind] = next((r for r in self.active if r.kind == kind), None)
            return got

    def on_event(self, event: str, violation: str | None) -> tuple[GradingRule, ...]:
        """Event-triggered rules (sanction, bar, downgrade, repeat) of the deepest jurisdiction that has any."""
        key = ("on_event", event, violation)
        try:
            return self._answers[key]
        except KeyError:
            hits = [r for r in self.active if r.kind in EVENT_KINDS and _triggers(r, event, violation)]
            got = self._answers[key] = tuple(r for r in hits if r.jurisdiction == hits[0].jurisdiction)
            return got

    @property
    def overall_method(self) -> str:
        """How the overall grade is taken (rule overall_grade): "lowest", or the parameter that says how."""
        try:
            return self._answers["overall_method"]
        except KeyError:
            rule = self.one("overall_grade")
            got = self._answers["overall_method"] = "lowest" if rule is None else rule.method
            return got

    @property
    def reading(self) -> Reading:
        """The 引领 mapping and B- reading in force."""
        try:
            return self._answers["reading"]
        except KeyError:
            lm, bm = self.one("leading_map"), self.one("b_minus")
            got = self._answers["reading"] = Reading(LeadingMap(lm.leading, lm.non_leading) if lm else LeadingMap(),
                                                     bool(bm and bm.counts_as_b),
                                                     tuple(r.refs[0] for r in (lm, bm) if r is not None))
            return got


class FacilityRules:
    """The catalogue's grading rules for one facility division, drafts included or not."""

    def __init__(self, facility_division: str, include_drafts: bool, overrides: Mapping[str, Any] | None = None):
        chain = division_chain(facility_division)
        depth = {code: i for i, code in enumerate(chain)}
        self.overrides = dict(overrides or {})
        self.chain = chain
        self.rules = sorted((r for r in policies.RULES if r.jurisdiction in depth
                             and (include_drafts or r.status != "draft")),
                            key=lambda r: -depth[r.jurisdiction])          # deepest first
        # The rules in force change only on the days a window opens or closes: the Law of each stretch between
        # two such days ("epoch") is built once, so a fold asks each question once.
        bounds = set()
        for r in self.rules:
            bounds.add(r.window.start)
            bounds.add(r.window.end)
            if r.window_end is not None:
                bounds.add(param_value(r.window_end, r.window.start or date.min, self.overrides) + ONE_DAY)
        self._bounds = sorted(b for b in bounds if b is not None)
        self._epochs: dict[int, Law] = {}
        self._last: tuple[date | None, Law | None] = (None, None)

    def at(self, day: date) -> Law:
        """The rules in force on `day`."""
        last = self._last                     # (day, Law), one attribute: threads share these objects
        if last[0] == day:
            return last[1]
        e = bisect_right(self._bounds, day)
        got = self._epochs.get(e)
        if got is None:
            got = self._epochs[e] = Law(tuple(r for r in self.rules if rule_window_contains(r, day, self.overrides)))
        self._last = (day, got)
        return got

    def active(self, day: date) -> tuple[GradingRule, ...]:
        """Rules in force on `day`, deepest jurisdiction first."""
        return self.at(day).active

    def one(self, kind: str, day: date) -> GradingRule | None:
        """The applicable rule of a kind on `day` (the deepest jurisdiction's)."""
        return self.at(day).one(kind)

    def on_event(self, event: str, violation: str | None, day: date) -> list[GradingRule]:
        """Event-triggered rules (sanction, bar, downgrade, repeat) of the deepest jurisdiction that has any."""
        return list(self.at(day).on_event(event, violation))

    def review_due(self, grade: str, day: date) -> date | None:
        """When a grade rated on `day` is due for review (rule review_period), None if it never is."""
        period = self.at(day).review_periods.get(grade)
        return self.until(period, day) if period is not None else None

    def param(self, name: str, day: date) -> Any:
        """A parameter's value on `day` (the facility's overrides first)."""
        return param_value(name, day, self.overrides)

    def reading(self, day: date) -> Reading:
        """The 引领 mapping and B- reading in force for this facility."""
        return self.at(day).reading

    def until(self, period: Mapping[str, Any], day: date) -> date | None:
        """End (exclusive) of a period that starts on `day`; None for a period of 0 years."""
        if period.get("calendar_year"):
            return date(day.year + 1, 1, 1)
        years = period.get("years")
        if period.get("parameter"):
            value = self.param(period["parameter"], day)
            if value == "calendar_year" or value == "calendar":
                return date(day.year + 1, 1, 1)
            years = 1 if value in ("one_year", "rolling") else int(value)
        return years_after(day, years) if years else None


def _triggers(rule: GradingRule, event: str, violation: str | None) -> bool:
    trig = rule.trigger
    if trig["event"] != event:
        return False
    return not trig["violations"] or (violation or "other") in trig["violations"]


def years_after(day: date, years: int) -> date:
    """The same day `years` later (29 Feb → 1 Mar)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


@lru_cache(maxsize=4096)
def catalogue_chain(facility_division: str) -> tuple[str, ...]:
    """The catalogue jurisdictions containing a division, national first: all the rules depend on."""
    return tuple(c for c in division_chain(facility_division) if c in policies.JURISDICTIONS)


def facility_rules(facility_division: str, include_drafts: bool = False) -> FacilityRules:
    """The rules of a facility: one shared object per catalogue chain (the catalogue is loaded once)."""
    return _chain_rules(catalogue_chain(facility_division), include_drafts)


@lru_cache(maxsize=1024)
def _chain_rules(chain: tuple[str, ...], include_drafts: bool) -> FacilityRules:
    return FacilityRules(chain[-1], include_drafts)


def local_catalogs() -> dict[str, str]:
    """Industry catalogs graded only inside one jurisdiction (rule local_industries): catalog -> code."""
    return {r.catalog: r.jurisdiction for r in policies.RULES if r.kind == "local_industries"}


_LOCAL = local_catalogs()


@lru_cache(maxsize=8192)
def graded_here(catalog: str, facility_division: str) -> bool:
    """Whether an industry of `catalog` is graded at a facility (local industries only in their jurisdiction)."""
    owner = _LOCAL.get(catalog)
    return owner is None or owner in division_chain(facility_division)


def reading_of(division: str, day: date, include_drafts: bool = False) -> Reading:
    """The reading of grades (引领 mapping, B-) for a division, as its measures and ledger use it."""
    return facility_rules(division, include_drafts).reading(day)


ONE_DAY = timedelta(days=1)
