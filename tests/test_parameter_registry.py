"""One parameter registry: what the catalogue publishes is what the computation reads (issue 12, part 3)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

import policies
from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from incentives.ledger import LedgerOptions, Registration, fold
from incentives.periods import DatedValue, Parameter, Window
from incentives.state import GradeEvent
from incentives.tax.parameters import statutory


def test_the_tax_reads_law_13_and_the_rate_range_from_the_registry():
    # LAW-13: 低于30% -> 75%, 低于50% -> 50%: limits 0.5 and 0.7 of the standard; 附表一: 1.2–12 yuan.
    s = statutory(date(2025, 6, 1))
    assert s.tiers == ((Fraction(1, 2), Decimal("0.50"), "50%"), (Fraction(7, 10), Decimal("0.75"), "75%"))
    assert (s.rate_min, s.rate_max, s.refs) == (Decimal("1.2"), Decimal(12), ("LAW-13", "LAW-13"))


def _publish(monkeypatch, name, value, ref):
    """Replace a published parameter's value (as a new catalogue file would)."""
    new = Parameter(name, (DatedValue(Window(None, None), value, ref, "test"),))
    monkeypatch.setitem(policies.PARAMETERS, name, new)
    for p in policies.ALL:
        if name in p.params:
            monkeypatch.setitem(p.params, name, new)


def test_a_changed_published_value_changes_the_answers(monkeypatch):
    # LAW-13 changed to "more than 40% below -> 60%": the tax's tiers follow.
    _publish(monkeypatch, "env_tax.reduction_tiers", (("0.40", "0.60"),), "LAW-13")
    assert statutory(date(2025, 6, 1)).tiers == ((Fraction(3, 5), Decimal("0.60"), "60%"),)
    # CQ-A1-9 changed to 1% for A: 0.01 × 20000 = 200 tCO2 instead of 100.
    _publish(monkeypatch, "chongqing.carbon_bonus_rate", {"A": "0.01", "B": "0.003"}, "CQ-A1-9")
    state = fold(uscc=None, name=None, division="500112", facility_division="500112",
                 registrations=[Registration("cement", "cement_clinker")],
                 events=[GradeEvent("rated", date(2024, 3, 1), "cement", grade="C"),
                         GradeEvent("rated", date(2024, 9, 10), "cement", grade="A")],
                 as_of=date(2024, 10, 1), facts={"holds_carbon_allowance": True, "allowance_2023_t": "20000"})
    bonus = next(b for b in evaluate(state, date(2024, 10, 1)).benefits
                 if b.policy_id == "chongqing.carbon_quota_bonus")
    assert bonus.quantity.value == Decimal("200.00")


def test_a_changed_review_period_or_ban_length_changes_the_ledger(monkeypatch):
    # G-FRAUD ban where silent changed from 1 to 2 years: fraud 2026-02-01 in Beijing -> banned until 2028-02-01.
    _publish(monkeypatch, "grading.fraud_ban_years_where_silent", 2, "G-FRAUD")
    s = fold(uscc=None, name=None, division="110101", facility_division="110101",
             registrations=[Registration("ceramics", "ceramics_building")],
             events=[GradeEvent("rated", date(2025, 1, 10), "ceramics", grade="B"),
                     GradeEvent("fraud_found", date(2026, 2, 1))], as_of=date(2026, 3, 1))
    assert [r.until for r in s.restrictions] == [date(2028, 2, 1)]


def test_every_answer_echoes_the_registry_and_a_request_may_override_what_allows_it():
    ev = evaluate(fold(uscc=None, name=None, division="110101", facility_division="110101",
                       registrations=[Registration("ceramics", "ceramics_building")], events=[],
                       as_of=date(2026, 3, 1)), date(2026, 3, 1),
                  Context(interpretations=Interpretations.from_overrides({"chongqing.failed_rectification":
                                                                          "downgrade"})))
    assert ev.parameters["registry"]["chongqing.failed_rectification"] == "downgrade"
    assert ev.parameters["registry"]["grading.fraud_ban_years_where_silent"] == 1
    with pytest.raises(ValueError, match="not one of"):
        LedgerOptions(parameters=(("chongqing.failed_rectification", "forgive"),))
    assert replace(LedgerOptions(), include_drafts=True).include_drafts


def test_the_assessment_reads_the_tiers_and_rate_range_in_force_each_month(monkeypatch):
    from incentives.env_tax import InvalidRate, TaxParameters, assess

    def so2(m):  # SO2 1200 kg, mean 110, max 150 mg/m3 against a standard of 200 (agency monthly values)
        return {"outlet": "DA001", "pollutant": "so2", "month": m, "emission_kg": 1200, "avg_concentration": 110,
                "max_concentration": 150, "source": "agency"}

    def run(rates=None):
        return assess([so2("2024-01"), so2("2024-02")], division="410000", outlets={"DA001": {"standards": {"so2": 200}}},
                      rates=rates or {"so2": "1.2"}, parameters=TaxParameters())
    # LAW-13 as published: (200 - 110)/200 = 0.45 below -> 75% (not below 50%). 1200 / 0.95 = 1263.157... ->
    # 1263.16 eq x 1.2 = 1515.792 -> 1515.79; due 1515.79 x 0.75 = 1136.8425 -> 1136.84 (reduction 378.95).
    assert [(r.tier, r.tax_due, r.reduction) for r in run().rows] == [("75%", Decimal("1136.84"), Decimal("378.95"))] * 2
    # A new LAW-13 from 2024-02-01: "more than 40% below -> 60%". January keeps the 2018 tiers; in February
    # 110 < (1 - 0.40) x 200 = 120 -> 60%: due 1515.79 x 0.60 = 909.474 -> 909.47, reduction 1515.79 - 909.47 = 606.32.
    old = policies.PARAMETERS["env_tax.reduction_tiers"].values[0]
    tiers = Parameter("env_tax.reduction_tiers", (
        DatedValue(Window(old.window.start, date(2024, 2, 1)), old.value, "LAW-13", "test"),
        DatedValue(Window(date(2024, 2, 1), None), (("0.40", "0.60"),), "LAW-13", "test")))
    monkeypatch.setitem(policies.PARAMETERS, "env_tax.reduction_tiers", tiers)
    jan, feb = run().rows
    assert (jan.tier, jan.factor, jan.tax_due) == ("75%", Decimal("0.75"), Decimal("1136.84"))
    assert (feb.tier, feb.factor, feb.tax_due, feb.reduction) == ("60%", Decimal("0.60"), Decimal("909.47"),
                                                                  Decimal("606.32"))
    assert feb.reason.zh == "月均浓度110 < 0.6×200=120，且最高单次监测值150 ≤ 200 → 减按60%"
    # 附表一 published as 1.2–2: a rate of 2.5 yuan is refused, 2 is taken (1263.16 x 2 = 2526.32 before reduction).
    _publish(monkeypatch, "env_tax.rate_range", ("1.2", "2"), "LAW-13")
    with pytest.raises(InvalidRate, match="1.2–2"):
        run({"so2": "2.5"})
    assert run({"so2": "2"}).rows[0].tax_before_reduction == Decimal("2526.32")
