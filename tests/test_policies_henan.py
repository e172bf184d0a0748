"""Henan 细则 measures: HN-4-1 (emergency) and HN-16 (honours, positive list, white list, funds)."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.engine import Context, evaluate
from incentives.interpretations import Interpretations
from tests.test_engine import benefit, benefit_ids, make_state, missing, obligation_ids

DAY = date(2025, 3, 1)


def ev(grade, ctx=None, **kw):
    return evaluate(make_state("410102", grade, as_of=DAY, **kw), DAY, ctx or Context())


@pytest.mark.parametrize("grade, own", [
    # HN-4-1: 预警期间 A级和绩效引领性企业可采取自主减排措施；B（含B-）级及以下和非引领性企业实施差异化管控.
    ("A+", True), ("A", True), ("引领", True), ("B", False), ("B-", False), ("C", False), ("非引领", False)])
def test_hn_4_1_own_measures_for_a_and_leading(grade, own):
    e = ev(grade, Context(alert_level="orange"))
    if own:
        assert benefit(e, "henan.emergency_own_measures").treatment == {"heavy": "own_measures"}
    else:
        assert "henan.emergency_own_measures" in obligation_ids(e)
        assert missing(e, "henan.emergency_own_measures")[0]["needed"] == ["A+", "A", "引领"]


def test_hn_4_1_leading_map_alternative():
    # leading_map Henan 引领 -> B: a 引领 enterprise is then among the differentiated ones.
    ctx = Context(alert_level="red",
                  interpretations=Interpretations.from_overrides({"leading_map": {"410000": {"引领": "B"}}}))
    assert "henan.emergency_own_measures" in obligation_ids(ev("引领", ctx))


@pytest.mark.parametrize("grade, honour, a_measures", [
    # HN-16: A级、B级和绩效引领性企业授予荣誉称号 (B includes B-: 第四条(1) "含B-，下同");
    # A级、绩效引领性企业纳入正面清单、重大项目白名单、中央大气资金倾斜.
    ("A", True, True), ("引领", True, True), ("B", True, False), ("B-", True, False),
    ("C", False, False), ("非引领", False, False), (None, False, False)])
def test_hn_16(grade, honour, a_measures):
    ids = benefit_ids(ev(grade))
    assert ("henan.honorary_title" in ids) is honour
    for pid in ("henan.enforcement_positive_list", "henan.major_project_white_list", "henan.air_fund_priority"):
        assert (pid in ids) is a_measures


def test_hn_16_b_minus_alternative():
    # b_minus_counts_as_b false for Henan: B- no longer gets the honour (B floor).
    ctx = Context(interpretations=Interpretations.from_overrides({"b_minus_counts_as_b": {"410000": False}}))
    assert "henan.honorary_title" not in benefit_ids(ev("B-", ctx))
