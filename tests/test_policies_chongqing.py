"""Chongqing 创B争A 附件1 measures (CQ-A1-1..9) and the campaign window 2024-08-01..2024-12-31."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from tests.test_engine import CQ_DAY, benefit, benefit_ids, make_state, missing, obligation_ids, up

ALLOWANCE = {"holds_carbon_allowance": True, "allowance_2023_t": Decimal(200000)}


def ev(grade, day=CQ_DAY, ctx=None, **kw):
    return evaluate(make_state("500112", grade, as_of=day, **kw), day, ctx or Context())


@pytest.mark.parametrize("day, inside", [
    (date(2024, 7, 31), False), (date(2024, 8, 1), True), (date(2024, 12, 31), True), (date(2025, 1, 1), False)])
def test_campaign_window_boundaries(day, inside):
    # 一、工作时段 2024年8月1日—12月31日: [2024-08-01, 2025-01-01).
    assert ("chongqing.fewer_inspections" in benefit_ids(ev("B", day))) is inside
    if not inside:
        m = missing(ev("B", day), "chongqing.fewer_inspections")
        assert m[0] == {"condition": "window", "needed": "2024-08-01..2024-12-31", "actual": day.isoformat(),
                        "ref": "CQ-A1-7"}


def test_campaign_extension_is_an_interpretation_override():
    # 可适当延长: chongqing_campaign_end = 2025-06-30 keeps the measures in force on 2025-03-01.
    ctx = Context(interpretations=Interpretations.from_overrides({"chongqing_campaign_end": "2025-06-30"}))
    e = ev("B", date(2025, 3, 1), ctx)
    assert benefit(e, "chongqing.fewer_inspections").effective.last_day == date(2025, 6, 30)
    assert e.parameters["chongqing_campaign_end"] == "2025-06-30"


@pytest.mark.parametrize("policy_id, ref", [
    ("chongqing.first_violation_no_penalty", "CQ-A1-6"), ("chongqing.fewer_inspections", "CQ-A1-7"),
    ("chongqing.published_list", "CQ-A1-5"), ("chongqing.subsidy_credit_priority", "CQ-A1-5")])
def test_b_and_above_measures(policy_id, ref):
    # CQ-A1-5/6/7: 绩效评级B级及以上企业; 引领 counts with B (G-CROSS Chongqing); B- with B ("B（B-）级").
    for g in ("A", "B", "B-", "引领"):
        assert policy_id in benefit_ids(ev(g)), g
    for g in ("C", "D", "非引领", None):
        assert policy_id not in benefit_ids(ev(g)), g
    assert missing(ev("C"), policy_id)[0]["ref"] == ref


@pytest.mark.parametrize("grade, treatment", [
    # CQ-A1-8: A级自主减排；B级、绩效引领性企业少限产；C、D拉开差距 (strict).
    ("A", "own_measures"), ("B", "fewer_measures"), ("引领", "fewer_measures"), ("B-", "fewer_measures"),
    ("C", "strict"), ("D", "strict"), ("非引领", "strict")])
def test_cq_a1_8_emergency(grade, treatment):
    e = ev(grade, ctx=Context(alert_level="yellow"))
    if treatment == "strict":
        assert "chongqing.emergency_fewer_limits" in obligation_ids(e)
        assert missing(e, "chongqing.emergency_fewer_limits")[0]["needed"] == ["A+", "A", "B", "B-", "引领"]
    else:
        assert benefit(e, "chongqing.emergency_fewer_limits").treatment == {"heavy": treatment}


def test_cq_a1_9_quantities():
    # CQ-A1-9: 提升至A级增发2023年度配额的0.5%: 0.005 × 200000 t = 1000 t; 提升至B级 0.3%: 600 t.
    a = benefit(ev("A", upgrades=[up("A", date(2024, 9, 10))], facts=ALLOWANCE), "chongqing.carbon_quota_bonus")
    assert a.quantity.value == Decimal(1000) and a.quantity.unit == "tCO2"
    assert "0.5%" in a.quantity.basis.zh and "200000" in a.quantity.basis.en
    b = benefit(ev("B", upgrades=[up("B", date(2024, 9, 10))], facts=ALLOWANCE), "chongqing.carbon_quota_bonus")
    assert b.quantity.value == Decimal(600)
    # 引领 counts as B in Chongqing: 非引领 -> 引领 gets 0.3% of 123457 t = 370.371 t (exact, no rounding).
    c = benefit(ev("引领", date(2024, 12, 31), upgrades=[up("引领", date(2024, 12, 31), frm="非引领")],
                   facts={"holds_carbon_allowance": True, "allowance_2023_t": "123457"}),
                "chongqing.carbon_quota_bonus")
    assert c.quantity.value == Decimal("370.371")


def test_cq_a1_9_conditions():
    # Needs an upgrade within the campaign: 2025-03-01 is outside (even with the campaign day as_of extended).
    ctx = Context(interpretations=Interpretations.from_overrides({"chongqing_campaign_end": "2025-06-30"}))
    late = ev("A", date(2025, 3, 1), ctx, upgrades=[up("A", date(2025, 3, 1))], facts=ALLOWANCE)
    assert "chongqing.carbon_quota_bonus" in benefit_ids(late)
    e = ev("A", date(2024, 10, 1), upgrades=[up("A", date(2024, 7, 31))], facts=ALLOWANCE)
    assert missing(e, "chongqing.carbon_quota_bonus") == (
        {"condition": "upgrade_date", "needed": "2024-08-01..2024-12-31", "actual": "2024-07-31", "ref": "CQ-A1-9"},)
    # A standing A grade without an upgrade event gets nothing: "提升至" is an act.
    assert missing(ev("A", facts=ALLOWANCE), "chongqing.carbon_quota_bonus")[0]["condition"] == "upgrade"
    # No allowance held: not applicable.
    m = missing(ev("A", upgrades=[up("A", date(2024, 9, 10))]), "chongqing.carbon_quota_bonus")
    assert m[0]["condition"] == "holds_carbon_allowance"
    # Upgrade to C is not "B级及以上".
    assert missing(ev("C", upgrades=[up("C", date(2024, 9, 10), frm="D")], facts=ALLOWANCE),
                   "chongqing.carbon_quota_bonus")[0]["condition"] == "upgrade"
    # Upgraded to A then managed at D by a sanction: the upgraded grade is not held.
    m = missing(ev("D", upgrades=[up("A", date(2024, 9, 10))], facts=ALLOWANCE), "chongqing.carbon_quota_bonus")
    assert m[0]["condition"] == "grade" and m[0]["actual"] == "D"
    # Allowance unknown: the benefit stands, its quantity cannot be computed.
    q = benefit(ev("A", upgrades=[up("A", date(2024, 9, 10))], facts={"holds_carbon_allowance": True}),
                "chongqing.carbon_quota_bonus").quantity
    assert q.value is None and "allowance_2023_t" in q.basis.en


@given(st.dates(date(2024, 8, 1), date(2024, 12, 31)), st.integers(1, 10**7))
def test_cq_a1_9_any_campaign_day_and_allowance(day, tonnes):
    # CQ-A1-9 invariant: an upgrade to A on any campaign day gives exactly tonnes × 5/1000.
    b = benefit(ev("A", day, upgrades=[up("A", day)], facts={"holds_carbon_allowance": True,
                                                            "allowance_2023_t": tonnes}), "chongqing.carbon_quota_bonus")
    assert b.quantity.value * 1000 == tonnes * 5


def test_cq_a1_1_and_a1_3_for_deep_treatment_projects():
    # CQ-A1-1 帮扶争取专项资金, CQ-A1-3 优先免费监测: for enterprises doing deep treatment / 创B争A; any grade.
    e = ev("C", facts={"upgrade_project": True})
    assert {"chongqing.air_fund_help", "chongqing.free_monitoring"} <= benefit_ids(e)
    assert missing(ev("A"), "chongqing.free_monitoring")[0]["ref"] == "CQ-A1-3"


def test_cq_a1_2_tax_restated_for_all_during_campaign():
    # CQ-A1-2 restates LAW-13; no grade condition; quantity needs monitoring data.
    b = benefit(ev("D"), "chongqing.env_tax_reduction")
    assert b.refs == ("CQ-A1-2", "LAW-13") and b.quantity.value is None
