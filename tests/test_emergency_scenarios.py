"""The emergency scenarios of tests/scenarios/emergency.yaml, each a test (hand derivations in the YAML)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from incentives import emergency as em
from incentives.interpretations import Interpretations
from policies.emergency_tables import catalogue

CASES = yaml.safe_load((Path(__file__).parent / "scenarios" / "emergency.yaml").read_text(encoding="utf-8"))


def _dec(value):
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_scenario(case):
    pairs = [(em.Line(x["industry"], x["branch"], x["before"]), em.Line(x["industry"], x["branch"], x["after"]))
             for x in case["lines"]]
    w = em.worth(catalogue(), pairs, division=case["division"], as_of=case["as_of"], facts_before={}, facts_after={},
                 policies_before=frozenset(), policies_after=frozenset(),
                 counting=em.Counting.at(case["as_of"], Interpretations.from_overrides(case.get("parameters"))),
                 alert_days=case.get("alert_days"),
                 daily_output_value_yuan=_dec(case.get("daily_output_value_yuan")),
                 daily_capacity_t=_dec(case.get("daily_capacity_t")))
    expect = case["expect"]
    assert w.value == _dec(expect["days"])
    for key, got in (("yuan", w.output_value_yuan), ("tonnes", w.output_t), ("at_least", w.quantified_part)):
        if key in expect:
            assert got == _dec(expect[key]), key
    if "reason" in expect:
        assert expect["reason"] in w.reason.en
    if "confidence" in expect:
        assert w.lines[0].alerts_before.table.confidence == expect["confidence"]
    for cal, sides in (expect.get("seasons") or {}).items():
        changes = [s for ln in w.lines for s in ln.seasons if s.calendar.item.id == cal]
        assert changes, cal
        before = {s.before[0] for s in changes}, sum(s.before[2] for s in changes)
        after_days = [s.after[2] for s in changes]
        after = {s.after[0] for s in changes}, None if None in after_days else sum(after_days)
        assert before == ({sides["before"][0]}, sides["before"][1])
        assert after == ({sides["after"][0]}, sides["after"][1])
    if "unquantified_refs" in expect:
        assert {u["ref"] for u in w.unquantified} == set(expect["unquantified_refs"])
    assert set(case["refs"]) <= set(w.refs) | {"EG-COUNT"}
