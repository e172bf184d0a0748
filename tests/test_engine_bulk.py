"""The bulk path gives the same answers as one-at-a-time evaluation (house style §2.6)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policies
from incentives.engine import Context, evaluate, evaluate_many, one_at_a_time_only, treatment_label
from incentives.grades import lowest
from incentives.interpretations import Interpretations
from tests.test_engine import make_state, up

DIVISIONS = ["500112", "500000", "410102", "410100", "640104", "330602", "330600", "110101"]
INDUSTRIES = [("ceramics", "ceramics_building", "ABCD", ("A+", "A", "B", "C", "D")),
              ("steel_long_process", "steel_long_process_main", "ABCD", ("A", "B", "B-", "C", "D")),
              ("ceramics", "ceramics_sanitary", "leading", ("引领", "非引领")),
              ("furniture", "furniture_main", "ABC", ("A", "B", "C")),
              ("cement", "cement_clinker", "ABCD", ("A", "B", "C", "D")),
              ("coking", "coking_conventional", "ABCD", ("A", "B", "C", "D")),
              ("refining_petrochemical", "refining_standalone", "ABCD", ("A", "B", "C", "D"))]
GRADES = ["A+", "A", "B", "B-", "C", "D", "引领", "非引领"]
DAYS = st.dates(date(2024, 6, 1), date(2026, 6, 30))
FACTS = {
    "holds_carbon_allowance": st.booleans(), "allowance_2023_t": st.decimals(1, 10**6, places=3),
    "upgrade_project": st.booleans(), "upgrade_project_qualifies": st.booleans(),
    "key_region_project_grade": st.sampled_from(["A", "B", "A级"]), "below_standard": st.booleans(),
    "clean_energy": st.booleans(), "efficient_treatment": st.booleans(), "stable_compliance": st.booleans(),
    "waste_to_energy": st.booleans(), "ultra_low_retrofit": st.sampled_from(["early", "on_time", "overdue"]),
    "new_project": st.booleans(), "main_industry": st.sampled_from(["ceramics", "cement", "coking"]),
}
INTERPRETATIONS = [None, {"advanced_grades": ["A+", "A"]}, {"b_minus_counts_as_b": True},
                   {"leading_map": {"500000": {"引领": "A"}, "330600": {"引领": "B"}}},
                   {"shaoxing_cross": "main"}, {"chongqing_campaign_end": "2025-06-30"},
                   {"ningxia_upgrade_since": "2024-06-01"}]


@st.composite
def states(draw, as_of):
    picks = draw(st.lists(st.sampled_from(INDUSTRIES), min_size=1, max_size=3, unique_by=lambda x: x[1]))
    inds = [(i, b, sc, draw(st.sampled_from(gs) | st.none())) for i, b, sc, gs in picks]
    overall = lowest([g for *_, g in inds])
    ups = draw(st.lists(st.tuples(st.sampled_from(GRADES), DAYS), max_size=3))
    facts = {k: draw(v) for k, v in FACTS.items() if draw(st.booleans())}
    return make_state(draw(st.sampled_from(DIVISIONS)), overall, industries=inds, facts=facts, as_of=as_of,
                      upgrades=[up(g, d, industry=picks[0][0], branch=picks[0][1]) for g, d in ups])


def _single(ev) -> set:
    bulk_ok = lambda pid: not one_at_a_time_only(policies.BY_ID[pid][0])   # issue 13's mechanics: single path only
    out = {(b.policy_id, "benefit", b.quantity.value if b.quantity else None, treatment_label(b.treatment))
           for b in ev.benefits if bulk_ok(b.policy_id)}
    out |= {(o.policy_id, "obligation", None, treatment_label(o.treatment)) for o in ev.obligations
            if bulk_ok(o.policy_id)}
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), DAYS, st.sampled_from([None, "light", "moderate", "yellow", "orange", "red"]), st.booleans(),
       st.sampled_from(INTERPRETATIONS))
def test_bulk_equals_single(data, as_of, alert, drafts, overrides):
    many = data.draw(st.lists(states(as_of), min_size=1, max_size=6))
    ctx = Context(alert_level=alert, include_drafts=drafts,
                  interpretations=Interpretations.from_overrides(overrides))
    frame = evaluate_many(many, as_of, ctx)
    for n, state in enumerate(many):
        rows = frame[frame["enterprise"] == n]
        bulk = {(r.policy_id, r.kind, r.quantity, None if pd.isna(r.treatment) else r.treatment)
                for r in rows.itertuples()}
        assert bulk == _single(evaluate(state, as_of, ctx)), n


def test_bulk_example_with_quantity():
    # CQ-A1-9: 0.5% × 200000 = 1000 t in both paths; an enterprise with no benefit has no rows.
    s = make_state("500112", "A", upgrades=[up("A", date(2024, 9, 10))],
                   facts={"holds_carbon_allowance": True, "allowance_2023_t": Decimal(200000)})
    frame = evaluate_many([s, make_state("110101", "D")], date(2024, 10, 1))
    row = frame[frame["policy_id"] == "chongqing.carbon_quota_bonus"].iloc[0]
    assert row["quantity"] == Decimal(1000) and row["enterprise"] == 0 and row["kind"] == "benefit"
    assert set(frame[frame["enterprise"] == 1]["policy_id"]) == {"national.env_tax_statutory_reduction"}


def test_bulk_of_nothing_is_empty():
    assert evaluate_many([], date(2024, 10, 1)).empty
