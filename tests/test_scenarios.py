"""The YAML scenarios beside each jurisdiction (policies/**/scenarios/*.yaml), one test per case.

A case names an enterprise (facility division, lines, facts), its grade events, `as_of` and the request's
switches, and what the law gives: grade, status, restrictions, upgrades, benefits with quantities, the
not-applicable measures and what they miss. The hand derivation is the case's comment, citing the clause.
Every measure and every grading rule of the catalogue is exercised by at least one case.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import policies
from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from incentives.ledger import LedgerOptions, Registration, fold
from incentives.state import GradeEvent
from policies.schema import Scenario

ROOT = Path(policies.__file__).resolve().parent


def _cases() -> list:
    out = []
    for path in policies.CATALOGUE.scenario_files:
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            case = Scenario.model_validate(raw)
            out.append(pytest.param(case, id=f"{path.relative_to(ROOT)}::{case.name}"))
    return out


CASES = _cases()


def run(case: Scenario):
    """Fold the case's events and evaluate the measures, as the service does for a stored enterprise."""
    e = case.enterprise
    interp = Interpretations.from_overrides(case.parameters)
    options = LedgerOptions(include_drafts=case.include_drafts, parameters=interp.ledger_overrides())
    events = [GradeEvent(seq=i, **ev.model_dump()) for i, ev in enumerate(case.events)]
    state = fold(uscc=None, name=None, division=e.division or e.facility_division,
                 facility_division=e.facility_division,
                 registrations=[Registration(x.industry, x.branch, x.site) for x in e.lines], events=events,
                 as_of=case.as_of, facts=e.facts, options=options)
    result = evaluate(state, case.as_of, Context(alert_level=case.alert_level, include_drafts=case.include_drafts,
                                                 interpretations=interp))
    return state, result


def _restriction(r) -> str:
    return f"{r.kind} {r.ref}" + (f" {r.until}" if r.until else "")


@pytest.mark.parametrize("case", CASES)
def test_scenario(case: Scenario):
    state, result = run(case)
    x = case.expect
    if x.grade != "unset":
        assert state.overall_grade == x.grade
    if x.rated_grade != "unset":
        assert state.rated_grade == x.rated_grade
    if x.status is not None:
        assert state.status == x.status
    if x.restrictions is not None:
        assert sorted(_restriction(r) for r in state.restrictions) == sorted(x.restrictions)
    if x.upgrades is not None:
        assert [f"{u.from_grade or '未评级'}→{u.to_grade} {u.effective}" for u in state.upgrades] == list(x.upgrades)
    if x.review_due != "unset":
        assert state.review_due == x.review_due
    if x.line_grades is not None:
        assert [i.grade for i in state.industries] == list(x.line_grades)
    if x.history_refs is not None:
        assert [h.ref for h in state.history] == list(x.history_refs)
    benefits = {b.policy_id: b for b in result.benefits}
    for pid, want in x.benefits.items():
        assert pid in benefits, f"{pid} is not a benefit; not applicable: " + str(
            next((n.missing for n in result.not_applicable if n.policy_id == pid), None))
        want = want or {}
        if "quantity" in want:
            q = benefits[pid].quantity
            assert q is not None and q.value == (None if want["quantity"] is None else Decimal(want["quantity"]))
        if "treatment" in want:
            assert dict(benefits[pid].treatment or {}) == want["treatment"]
    assert not set(x.not_benefits) & set(benefits)
    missing = {n.policy_id: n for n in result.not_applicable}
    for pid, conditions in x.not_applicable.items():
        assert pid in missing, f"{pid} is not listed as not applicable"
        assert sorted({m["condition"] for m in missing[pid].missing}) == sorted(conditions)
    assert set(x.obligations) <= {o.policy_id for o in result.obligations}


def test_every_measure_and_grading_rule_has_a_scenario():
    measures, rules = set(), set()
    for param in CASES:
        case = param.values[0]
        measures |= set(case.expect.benefits) | set(case.expect.not_benefits) | set(case.expect.not_applicable)
        measures |= set(case.expect.obligations)
        rules |= set(case.rules)
    assert {p.policy_id for p in policies.ALL} - measures == set()
    assert {r.rule_id for r in policies.RULES} - rules == set()
    assert rules <= {r.rule_id for r in policies.RULES}, "a scenario names a rule the catalogue does not have"
