"""Catalogue → model for issue 13's mechanics (incentives/mechanics.py; VOCABULARY.md "Mechanics of the eleven
jurisdictions"): the conditions, `staggered`, `requirement` and the `cash_reward` quantity of a measure."""
from __future__ import annotations

from collections.abc import Callable

from incentives import mechanics as mx

from . import schema


def condition(c: schema.Condition, ref: str, build: Callable):
    """The model of a mechanics condition (`build` converts nested conditions of any kind)."""
    kind = c.kind
    if kind == "grade_in":
        return mx.GradeIn(tuple(c.grade_in), ref)
    if kind == "grade_below":
        return mx.GradeBelow(c.grade_below, ref)
    if kind == "not_lowest_grade":
        return mx.NotLowestGrade(ref)
    if kind == "held_for":
        return mx.HeldFor(c.held_for.at_least, c.held_for.months, ref, c.held_for.same_level)
    if kind == "obtained_within":
        o = c.obtained_within
        return mx.ObtainedWithin(o.at_least, o.from_, o.to, ref)
    if kind == "fact_compare":
        f = c.fact_compare
        return mx.FactCompare(f.fact, f.op, f.value, ref)
    if kind == "located_in":
        return mx.LocatedIn(tuple(c.located_in), ref)
    if kind == "alert_level":
        return mx.AlertLevelIn(tuple(c.alert_level), ref)
    return mx.AllOf(tuple(build(o, ref) for o in c.all_of), ref)


def parameter_names(m: schema.Measure) -> list[str]:
    """Parameters a measure's mechanics read (so the loader attaches them and refuses unknown ones)."""
    names: list[str] = []
    stack = list(m.when)
    if m.response is not None:
        stack += [r.when for ar in (m.response.heavy, m.response.light_moderate) if ar for r in ar.rules]
    if m.staggered is not None:
        stack += [r.when for r in m.staggered.rules]
    while stack:
        c = stack.pop()
        stack += list(c.any_of or ()) + list(c.all_of or ())
        if c.held_for is not None and isinstance(c.held_for.months, str):
            names.append(c.held_for.months)
        if c.obtained_within is not None:
            names += [n for n in (c.obtained_within.from_, c.obtained_within.to) if isinstance(n, str)]
        if c.fact_compare is not None and not c.fact_compare.value[:1].lstrip("-").isdigit():
            names.append(c.fact_compare.value)
    if m.quantity is not None and m.quantity.cash_reward is not None:
        q = m.quantity.cash_reward
        names += [n for n in (q.amount, q.cap, q.budget) if n]
    return names


def staggered(m: schema.Measure, ref: str, build: Callable) -> mx.Staggered | None:
    """The seasonal staggered-production part of a measure."""
    st = m.staggered
    if st is None:
        return None
    sref = st.ref or ref
    return mx.Staggered(st.calendar, tuple(mx.StaggerRule(build(r.when, sref), r.treatment) for r in st.rules),
                        st.otherwise, sref)


def requirement(m: schema.Measure, ref: str) -> mx.Requirement | None:
    """The grade an obligation demands."""
    q = m.requirement
    return None if q is None else mx.Requirement(q.subject, q.at_least, q.by, q.ref or ref)


def cash_reward(m: schema.Measure, ref: str) -> mx.CashReward | None:
    """The cash-reward quantity of a measure."""
    if m.quantity is None or m.quantity.cash_reward is None:
        return None
    q = m.quantity.cash_reward
    return mx.CashReward(m.quantity.ref or ref, q.amount, q.cap, q.budget, q.budget_limited, q.per_level_once,
                         q.received_fact, q.levels_fact, q.up_to)
