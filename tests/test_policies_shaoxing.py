"""Shaoxing plan (a draft): SX-4-1, SX-4-3, SX-4-4, SX-4-5, SX-4-6 and the cross-industry grade (G-MULTI)."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from incentives.ledger import LedgerOptions, fold
from incentives.state import GradeEvent
from tests.test_engine import benefit, benefit_ids, make_state, missing, obligation_ids

DAY = date(2025, 6, 1)


def ev(grade, alert=None, ctx_interp=None, industries=None, **kw):
    ctx = Context(alert_level=alert, include_drafts=True, interpretations=ctx_interp or Interpretations())
    return evaluate(make_state("330602", grade, as_of=DAY, industries=industries, **kw), DAY, ctx)


@pytest.mark.parametrize("grade, heavy, light", [
    # SX-4-3: 重污染 A和引领 豁免; 中、轻度 B及以上豁免; C、D、非引领 纳入应急减排清单. B on heavy days is not exempt.
    ("A+", "exempt", "exempt"), ("A", "exempt", "exempt"), ("引领", "exempt", "exempt"),
    ("B", "list_measures", "exempt"), ("B-", "list_measures", "exempt"),   # Shaoxing: B（含B-）
    ("C", "on_list", "on_list"), ("D", "on_list", "on_list"), ("非引领", "on_list", "on_list")])
def test_sx_4_3_by_alert_level(grade, heavy, light):
    for level, expected in (("red", heavy), ("orange", heavy), ("yellow", heavy), ("moderate", light),
                            ("light", light)):
        e = ev(grade, level)
        cat = "heavy" if level in ("red", "orange", "yellow") else "light_moderate"
        if expected == "exempt":
            assert benefit(e, "shaoxing.emergency_exemption").treatment == {cat: "exempt"}
        else:
            assert "shaoxing.emergency_exemption" not in benefit_ids(e)
            obl = next(o for o in e.obligations if o.policy_id == "shaoxing.emergency_exemption")
            assert obl.treatment == {cat: expected}


def test_sx_4_3_without_alert_level_reports_both_categories():
    # No alert level: a B enterprise is exempt on light/moderate days and takes measures on heavy days.
    e = ev("B")
    assert benefit(e, "shaoxing.emergency_exemption").treatment == {"heavy": "list_measures",
                                                                  "light_moderate": "exempt"}
    assert "shaoxing.emergency_exemption" in obligation_ids(e)
    m = missing(ev("C", "red"), "shaoxing.emergency_exemption")
    assert m[0]["needed"] == ["A+", "A", "引领"] and m[0]["ref"] == "SX-4-3"


@pytest.mark.parametrize("grade, city, provincial", [
    # SX-4-4 正面清单 and SX-4-6 省、市储备: A、B和引领; SX-4-6 省级储备: A或引领.
    ("A", True, True), ("引领", True, True), ("B", True, False), ("C", False, False), ("非引领", False, False)])
def test_sx_4_4_and_4_6(grade, city, provincial):
    ids = benefit_ids(ev(grade))
    assert ("shaoxing.enforcement_positive_list" in ids) is city
    assert ("shaoxing.emission_rights_reserve" in ids) is city
    assert ("shaoxing.emission_rights_provincial_reserve" in ids) is provincial


def test_sx_4_1_project_obligations():
    # SX-4-1: 新建重点行业项目以B级（含引领性）及以上为要求; 炼油与石油化工对照A级 (obligations, not benefits).
    assert "shaoxing.new_project_grade_b" in obligation_ids(ev("C", facts={"new_project": True}))
    assert "shaoxing.new_project_grade_b" not in obligation_ids(ev("C"))
    petro = [("refining_petrochemical", "refining_standalone", "ABCD", "B")]
    assert "shaoxing.petrochemical_grade_a" in obligation_ids(ev("B", industries=petro))
    assert not any(o.startswith("shaoxing.petro") for o in obligation_ids(ev("B")))


def test_sx_4_5_lowest_grade_new_project():
    # SX-4-5: 绩效评级最低级的企业新、改、扩建项目 -> 以新带老 (D on ABCD, C on ABC, 非引领 on leading).
    assert "shaoxing.lowest_grade_upgrade_with_new_project" in obligation_ids(ev("D", facts={"new_project": True}))
    abc = [("furniture", "furniture_main", "ABC", "C")]
    assert "shaoxing.lowest_grade_upgrade_with_new_project" in obligation_ids(
        ev("C", industries=abc, facts={"new_project": True}))
    assert "shaoxing.lowest_grade_upgrade_with_new_project" not in obligation_ids(
        ev("C", facts={"new_project": True}))         # C on an ABCD scale is not the lowest


def test_shaoxing_cross_grade_is_one_parameter_read_by_every_measure():
    # G-MULTI [interp], Shaoxing 三(二) "交叉级别": one registry parameter (shaoxing.cross_grade) decides the
    # overall grade in the ledger (rule shaoxing.cross_grade, a draft: with drafts); every measure reads that
    # grade. glass A (main industry) beside ceramics C: lowest -> C (no positive list); main_industry -> A.
    regs = (("glass", "glass_flat"), ("ceramics", "ceramics_building"))
    events = [GradeEvent("rated", date(2024, 1, 5), "glass", "glass_flat", "A"),
              GradeEvent("rated", date(2024, 1, 5), "ceramics", "ceramics_building", "C")]
    later = date(2026, 3, 1)

    def grade(params):
        opts = LedgerOptions(include_drafts=True, parameters=params)
        return fold(uscc=None, name=None, division="330602", facility_division="330602", registrations=regs,
                    events=events, as_of=later, facts={"main_industry": "glass"}, options=opts)
    low = grade(())
    assert low.overall_grade == "C"
    main = grade((("shaoxing.cross_grade", "main_industry"),))
    assert main.overall_grade == "A"
    e = evaluate(main, later, Context(include_drafts=True))
    assert {"shaoxing.enforcement_positive_list", "national.enforcement_positive_list"} <= benefit_ids(e)
    assert "shaoxing.enforcement_positive_list" not in benefit_ids(evaluate(low, later, Context(include_drafts=True)))
