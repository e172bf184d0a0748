"""National measures (环办大气〔2026〕2号 四(十)(十一)) and the statute (LAW-13): one test per ref at least."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from tests.test_engine import NATIONAL_DAY, benefit, benefit_ids, make_state, missing, obligation_ids, up

HENAN = "410102"      # any division: national measures apply everywhere


def ev(grade, *, ctx=None, day=NATIONAL_DAY, **kw):
    return evaluate(make_state(HENAN, grade, as_of=day, **kw), day, ctx or Context())


@pytest.mark.parametrize("grade, treatment", [
    # NAT-10-1: "A级及以上企业可自主采取减排措施，B级企业可少采取，绩效等级低的企业依法依规严格采取".
    ("A+", "own_measures"), ("A", "own_measures"), ("B", "fewer_measures"),
    ("B-", "strict"),          # B- is below B; national b_minus_counts_as_b default false
    ("C", "strict"), ("D", "strict"),
    ("引领", "own_measures"),   # G-CROSS: the national emergency rule treats 引领 like A
    ("非引领", "strict"),
])
def test_nat_10_1_emergency_treatment_by_grade(grade, treatment):
    e = ev(grade, ctx=Context(alert_level="red"))
    if treatment in ("own_measures", "fewer_measures"):
        assert benefit(e, "national.emergency_differentiated").treatment == {"heavy": treatment}
    else:
        assert "national.emergency_differentiated" not in benefit_ids(e)
        assert "national.emergency_differentiated" in obligation_ids(e)
        assert next(o for o in e.obligations if o.policy_id == "national.emergency_differentiated"
                    ).treatment == {"heavy": "strict"}


def test_nat_10_1_applies_to_heavy_alerts_only():
    # NAT-10-1 is about 重污染天气应急响应: a moderate-pollution day is outside it.
    e = ev("A", ctx=Context(alert_level="moderate"))
    m = missing(e, "national.emergency_differentiated")
    assert m[0]["condition"] == "alert_level" and m[0]["needed"] == ["yellow", "orange", "red"]
    # No alert level given: the treatment during heavy alerts is reported.
    assert benefit(ev("A"), "national.emergency_differentiated").treatment == {"heavy": "own_measures"}


def test_nat_10_1_b_minus_as_b_is_an_interpretation():
    # With b_minus_counts_as_b for national, B- gets B's "fewer measures".
    ctx = Context(alert_level="yellow",
                  interpretations=Interpretations.from_overrides({"b_minus_counts_as_b": {"000000": True}}))
    assert benefit(ev("B-", ctx=ctx), "national.emergency_differentiated").treatment == {"heavy": "fewer_measures"}


@pytest.mark.parametrize("policy_id", [
    "national.enforcement_positive_list",          # NAT-10-2
    "national.emission_rights_market_first",       # NAT-10-3
    "national.differentiated_electricity_price",   # NAT-11-3
    "national.capacity_output_tilt",               # NAT-11-4
    "national.credit_reference",                   # NAT-11-5
    "national.green_procurement",                  # NAT-11-6
])
def test_advanced_grade_measures(policy_id):
    # 绩效等级先进: default A+, A, B and 引领 [interp]; B-, C, D, 非引领 are not.
    for g in ("A+", "A", "B", "引领"):
        assert policy_id in benefit_ids(ev(g)), g
    for g in ("B-", "C", "D", "非引领", None):
        assert policy_id not in benefit_ids(ev(g)), g
    m = missing(ev("C"), policy_id)
    grade_miss = m[0]["needed"][0] if m[0]["condition"] == "any_of" else m[0]    # NAT-11-5: grade or project
    assert grade_miss["condition"] == "grade" and grade_miss["needed"] == ["A+", "A", "B", "引领"]


def test_advanced_grades_alternative_changes_the_outcome():
    # advanced_grades = [A+, A]: a B enterprise loses NAT-10-2; adding B- gives it to B-.
    narrow = Context(interpretations=Interpretations.from_overrides({"advanced_grades": ["A+", "A"]}))
    assert "national.enforcement_positive_list" not in benefit_ids(ev("B", ctx=narrow))
    wide = Context(interpretations=Interpretations.from_overrides({"advanced_grades": ["A+", "A", "B", "B-"]}))
    assert "national.enforcement_positive_list" in benefit_ids(ev("B-", ctx=wide))
    step = next(s for s in benefit(ev("B", ctx=None), "national.enforcement_positive_list").explanation
                if "advanced_grades" in s.values)
    assert step.values["advanced_grades"] == ["A+", "A", "B", "引领"]


def test_nat_10_4_new_project_that_can_reach_a():
    # NAT-10-4: 优先支持绩效可达A级水平的项目 (the project's level, not the enterprise's grade).
    assert "national.new_project_priority" in benefit_ids(ev("C", facts={"key_region_project_grade": "A级"}))
    assert "national.new_project_priority" not in benefit_ids(ev("A", facts={"key_region_project_grade": "B"}))


def test_nat_10_5_fast_approval_needs_a_qualifying_upgrade_project():
    # NAT-10-5: 不新增用地、以设备更新为主且不增加污染物排放的提升项目.
    yes = ev("C", facts={"upgrade_project": True, "upgrade_project_qualifies": True})
    assert "national.upgrade_project_fast_approval" in benefit_ids(yes)
    no = ev("C", facts={"upgrade_project": True, "upgrade_project_qualifies": False})
    m = missing(no, "national.upgrade_project_fast_approval")
    assert m == ({"condition": "upgrade_project_qualifies", "needed": [True], "actual": False, "ref": "NAT-10-5"},)


def test_nat_11_1_awards_for_upgrade_project_or_completed_upgrade():
    # NAT-11-1: 支持提升项目或对完成提升的企业给予奖励: either suffices.
    assert "national.upgrade_awards" in benefit_ids(ev("C", facts={"upgrade_project": True}))
    assert "national.upgrade_awards" in benefit_ids(ev("B", upgrades=[up("B", date(2026, 2, 1))]))
    # An upgrade before the guidance took effect (2026-01-14) is not a completed upgrade under it.
    m = missing(ev("B", upgrades=[up("B", date(2025, 2, 1))]), "national.upgrade_awards")
    assert m[0]["condition"] == "any_of"


def test_nat_11_2_charging_for_upgrade_projects():
    # NAT-11-2: 推动提升项目有关的 … 充电桩、加氢站.
    assert "national.heavy_truck_charging" in benefit_ids(ev("D", facts={"upgrade_project": True}))
    assert "national.heavy_truck_charging" not in benefit_ids(ev("A"))


def test_nat_11_5_credit_also_for_upgrade_projects():
    # NAT-11-5: 加大对提升项目的支持力度 -> a C enterprise with an upgrade project qualifies too.
    assert "national.credit_reference" in benefit_ids(ev("C", facts={"upgrade_project": True}))


def test_nat_11_tax_advanced_and_below_standard():
    # NAT-11-TAX: 浓度值低于标准的绩效等级先进企业依法享受减免; unknown concentrations -> listed, "needs monitoring data".
    b = benefit(ev("A"), "national.env_tax_reduction_advanced")
    assert b.quantity.value is None and "monitoring" in b.quantity.basis.en
    assert any(s.outcome == "unknown" and s.ref == "NAT-11-TAX" for s in b.explanation)
    assert "national.env_tax_reduction_advanced" not in benefit_ids(ev("A", facts={"below_standard": False}))
    assert "national.env_tax_reduction_advanced" not in benefit_ids(ev("C", facts={"below_standard": True}))


def test_law_13_applies_to_every_taxpayer_since_2018():
    # LAW-13: the statute applies whatever the grade, ungraded included, from 2018-01-01.
    for g in ("A", "D", None):
        b = benefit(ev(g, day=date(2018, 1, 1)), "national.env_tax_statutory_reduction")
        assert b.quantity.value is None and b.refs == ("LAW-13",)
        assert b.source.document == "中华人民共和国环境保护税法" and b.source.clause == "第十三条"
    m = missing(ev("A", day=date(2017, 12, 31)), "national.env_tax_statutory_reduction")
    assert m[0] == {"condition": "window", "needed": "2018-01-01..…", "actual": "2017-12-31", "ref": "LAW-13"}


def test_national_window_starts_on_issue_day():
    # 环办大气〔2026〕2号 印发 2026-01-14: the day before, the measures are not in force.
    assert "national.enforcement_positive_list" not in benefit_ids(ev("A", day=date(2026, 1, 13)))
    assert "national.enforcement_positive_list" in benefit_ids(ev("A", day=date(2026, 1, 14)))
