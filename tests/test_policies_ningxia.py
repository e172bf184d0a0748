"""Ningxia 提级扩面 plan (a draft): NX-2-6, NX-2-6b and 附件1 measures NX-A1-1..13 ("提级晋A" = an upgrade event)."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from tests.test_engine import benefit, benefit_ids, listed, make_state, missing, obligation_ids, up

DAY = date(2025, 6, 1)
DRAFTS = Context(include_drafts=True)
GREEN = {"clean_energy": True, "efficient_treatment": True, "stable_compliance": True}
UPGRADED_TO_A = [up("A", date(2025, 5, 1), frm="B")]
A_MEASURES = {  # 附件1 items keyed on "提级晋A"
    "ningxia.air_fund_support": "NX-A1-2", "ningxia.green_finance_platform": "NX-A1-6",
    "ningxia.enforcement_positive_list": "NX-A1-9", "ningxia.emission_rights_trading": "NX-A1-10",
    "ningxia.carbon_diagnosis": "NX-A1-11", "ningxia.rnd_support": "NX-A1-12",
    "ningxia.technology_catalogue": "NX-A1-13", "ningxia.white_list_own_measures": "NX-A1-8",
}


def ev(grade, ctx=DRAFTS, day=DAY, industries=None, **kw):
    return evaluate(make_state("640104", grade, as_of=day, industries=industries, **kw), day, ctx)


def test_draft_measures_only_with_include_drafts():
    assert not any(p.startswith("ningxia.") for p in listed(ev("A", Context(), upgrades=UPGRADED_TO_A)))
    assert set(A_MEASURES) <= benefit_ids(ev("A", upgrades=UPGRADED_TO_A))


@pytest.mark.parametrize("policy_id, ref", sorted(A_MEASURES.items()))
def test_upgraded_to_a_measures(policy_id, ref):
    # 提级晋A: an upgrade to A on or after 2025-01-01 (ningxia_upgrade_since), held at as_of.
    assert policy_id in benefit_ids(ev("A", upgrades=UPGRADED_TO_A))
    # A standing A grade without the upgrade is not 晋A.
    m = missing(ev("A"), policy_id)
    assert m[0]["condition"] == "upgrade" and m[0]["ref"] == ref
    # Upgrade to B only.
    assert policy_id not in benefit_ids(ev("B", upgrades=[up("B", date(2025, 5, 1))]))
    # Upgrade before the plan's first stage.
    assert missing(ev("A", upgrades=[up("A", date(2024, 12, 31))]), policy_id)[0]["condition"] == "upgrade_date"


def test_ningxia_upgrade_since_alternative():
    # Counting upgrades from 2024-01-01 makes a 2024-12-31 upgrade a 晋A.
    ctx = Context(include_drafts=True,
                  interpretations=Interpretations.from_overrides({"ningxia_upgrade_since": "2024-01-01"}))
    assert "ningxia.rnd_support" in benefit_ids(ev("A", ctx, upgrades=[up("A", date(2024, 12, 31))]))


def test_nx_a1_8_emergency_own_measures():
    # NX-A1-8: 晋A -> 重污染天气期间实施自主减排，不停产、不限产.
    e = ev("A", Context(include_drafts=True, alert_level="red"), upgrades=UPGRADED_TO_A)
    assert benefit(e, "ningxia.white_list_own_measures").treatment == {"heavy": "own_measures"}
    assert "ningxia.white_list_own_measures" not in obligation_ids(ev("C"))


def test_nx_2_6_green_a_reduced_or_exempt():
    # NX-2-6: 清洁能源替代、高效废气治理、全面稳定达标排放 A级企业 -> 减少或免除应急响应; NX-2-6b 正面清单.
    e = ev("A", facts=GREEN)
    assert benefit(e, "ningxia.emergency_reduced_green_a").treatment == {"heavy": "reduced_or_exempt"}
    assert "ningxia.enforcement_positive_list_green_a" in benefit_ids(e)
    no_energy = ev("A", facts={**GREEN, "clean_energy": False})
    assert missing(no_energy, "ningxia.emergency_reduced_green_a")[0]["condition"] == "clean_energy"
    b = ev("B", facts=GREEN)
    assert missing(b, "ningxia.enforcement_positive_list_green_a")[0]["ref"] == "NX-2-6b"
    assert "ningxia.emergency_reduced_green_a" not in benefit_ids(b)
    assert "ningxia.emergency_reduced_green_a" not in obligation_ids(b)   # no treatment stated for others


def test_nx_a1_1_tax_for_every_taxpayer():
    b = benefit(ev("D"), "ningxia.env_tax_reduction")
    assert b.refs == ("NX-A1-1", "LAW-13") and b.quantity.value is None and b.status == "draft"


def test_nx_a1_3_waste_to_energy():
    # NX-A1-3: 完成提级晋A的生活垃圾焚烧发电企业.
    assert "ningxia.waste_incineration_subsidy" in benefit_ids(
        ev("A", upgrades=UPGRADED_TO_A, facts={"waste_to_energy": True}))
    assert missing(ev("A", upgrades=UPGRADED_TO_A), "ningxia.waste_incineration_subsidy")[0]["condition"] == \
        "waste_to_energy"


COKING = [("coking", "coking_conventional", "ABCD", "B")]


def test_nx_a1_4_electricity_price_early_and_overdue():
    # NX-A1-4: 钢铁、焦化、水泥 优先完成超低排放改造 -> differentiated price (benefit); 逾期未完成 -> obligation.
    early = ev("B", industries=COKING, facts={"ultra_low_retrofit": "early"})
    assert "ningxia.ultra_low_electricity_price" in benefit_ids(early)
    overdue = ev("B", industries=COKING, facts={"ultra_low_retrofit": "overdue"})
    assert "ningxia.ultra_low_electricity_surcharge" in obligation_ids(overdue)
    assert "ningxia.ultra_low_electricity_price" not in benefit_ids(overdue)
    ceramics = ev("B", facts={"ultra_low_retrofit": "early"})
    assert missing(ceramics, "ningxia.ultra_low_electricity_price")[0]["condition"] == "industry"


def test_nx_a1_5_any_upgrade():
    # NX-A1-5: 重点行业升级企业 (any upgrade, not only to A) -> banks' priority list.
    assert "ningxia.green_credit" in benefit_ids(ev("C", upgrades=[up("C", date(2025, 3, 1), frm="D")]))
    assert "ningxia.green_credit" not in benefit_ids(ev("A"))


def test_nx_a1_7_cement_clinker_lines():
    # NX-A1-7: 提级晋A的水泥熟料生产线减少错峰时间.
    clinker = [("cement", "cement_clinker", "ABCD", "A")]
    assert "ningxia.less_staggered_production" in benefit_ids(
        ev("A", industries=clinker, upgrades=[up("A", date(2025, 5, 1), "B", "cement", "cement_clinker")]))
    assert missing(ev("A", upgrades=UPGRADED_TO_A), "ningxia.less_staggered_production")[0]["condition"] == \
        "industry"
