"""Scenario tests a domain expert writes: policies/<jurisdiction>/scenarios/*.yaml (policies/VOCABULARY.md).

Each case folds its events into a grade state, evaluates the catalogue at `as_of` and checks the expected
grade, restrictions, benefits (with quantities), obligations and not-applicable reasons. The hand
derivation of every figure is in the case's YAML comment, citing the digest row.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

import policies
from incentives.engine import Context, evaluate
from incentives.ledger import fold
from incentives.state import GradeEvent

CASES = [(path, case) for path in policies.CATALOGUE.scenario_files
         for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


def _event(e: dict) -> GradeEvent:
    fields = {k: v for k, v in e.items() if k in GradeEvent.__dataclass_fields__}
    return GradeEvent(**fields)


def _facts(raw: dict | None) -> dict:
    """Facts as the service stores them: Decimal facts (policies/facts.yaml) from their quoted text."""
    return {k: Decimal(str(v)) if policies.FACTS[k]["type"] == "Decimal" and v is not None else v
            for k, v in (raw or {}).items()}


def run(case: dict):
    """The grade state and the evaluation a scenario describes."""
    ent = case["enterprise"]
    as_of = case["as_of"] if isinstance(case["as_of"], dt.date) else dt.date.fromisoformat(case["as_of"])
    lines = [(ln["industry"], ln["branch"]) + ((ln["site"],) if ln.get("site") else ()) for ln in ent["lines"]]
    state = fold(uscc=None, name=None, division=ent["facility_division"], facility_division=ent["facility_division"],
                 registrations=lines, events=[_event(e) for e in case.get("events", [])], as_of=as_of,
                 facts=_facts(ent.get("facts")), with_history=False)   # as the benefits service folds
    ctx = Context(alert_level=case.get("alert_level"), include_drafts=case.get("include_drafts"))
    return state, evaluate(state, as_of, ctx)


@pytest.mark.parametrize(("path", "case"), CASES,
                         ids=[f"{p.parent.parent.name}/{p.name}::{c['name']}" for p, c in CASES])
def test_scenario(path, case):
    state, ev = run(case)
    want = case["expect"]
    if "grade" in want:
        assert state.overall_grade == want["grade"]
    if "rated_grade" in want:
        assert state.rated_grade == want["rated_grade"]
    if "status" in want:
        assert state.status == want["status"]
    if "restrictions" in want:
        assert sorted(r.ref for r in state.restrictions) == sorted(want["restrictions"])
    if "upgrades" in want:
        assert [f"{u.from_grade}→{u.to_grade}" for u in state.upgrades] == want["upgrades"]
    benefits = {b.policy_id: b for b in ev.benefits}
    for pid, exp in (want.get("benefits") or {}).items():
        assert pid in benefits, f"{pid} not among the benefits: " + str(
            next((n.missing for n in ev.not_applicable if n.policy_id == pid), "not evaluated"))
        exp = exp or {}
        if "quantity" in exp:
            q = benefits[pid].quantity
            got = None if q is None or q.value is None else q.value
            assert got == (None if exp["quantity"] is None else Decimal(str(exp["quantity"])))
        if "unit" in exp:
            assert benefits[pid].quantity.unit == exp["unit"]
        for text in exp.get("basis_mentions", []):
            assert text in benefits[pid].quantity.basis.zh + benefits[pid].quantity.basis.en
        if "treatment" in exp:
            assert dict(benefits[pid].treatment or {}) == exp["treatment"]
    for pid in want.get("not_benefits", []):
        assert pid not in benefits
    missing = {n.policy_id: [m["condition"] for m in n.missing] for n in ev.not_applicable}
    for pid, conditions in (want.get("not_applicable") or {}).items():
        assert pid in missing, f"{pid} is not listed as not applicable"
        for c in conditions:
            assert c in missing[pid], f"{pid}: {c} not among {missing[pid]}"
    obligations = {o.policy_id: o for o in ev.obligations}
    exp_obl = want.get("obligations") or []
    for item in exp_obl if isinstance(exp_obl, list) else exp_obl.items():
        pid, detail = (item, {}) if isinstance(item, str) else (item[0], item[1] or {})
        assert pid in obligations
        if "treatment" in detail:
            assert dict(obligations[pid].treatment or {}) == detail["treatment"]
        if "requirement" in detail:
            assert [s.outcome for s in obligations[pid].explanation if "subject" in s.values] == [detail["requirement"]]
    for pid in want.get("not_obligations", []):
        assert pid not in obligations
