"""Engine behaviour common to all policies: jurisdictions, windows, drafts, sanctions, echo, explanations."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType

import pytest

from incentives.engine import FACTS, RULESET, Context, evaluate
from incentives.interpretations import Interpretations
from incentives.state import EnterpriseState, IndustryGrade, Upgrade

NATIONAL_DAY = date(2026, 3, 1)        # national guidance in force from 2026-01-14
CQ_DAY = date(2024, 10, 1)             # inside Chongqing's campaign 2024-08-01..2024-12-31


def make_state(division: str = "500112", grade: str | None = "B", *, industries=None, upgrades=(),
               facts=None, status: str = "rated", rated_grade: str | None = "same",
               as_of: date = CQ_DAY, rated_on: date | None = date(2024, 4, 24)) -> EnterpriseState:
    """An EnterpriseState built directly (the ledger is tested elsewhere)."""
    if industries is None:
        industries = [("ceramics", "ceramics_building", "ABCD", grade)]
    inds = tuple(IndustryGrade(i, b, sc, g, g if rated_grade == "same" else rated_grade, rated_on, status)
                 for i, b, sc, g in industries)
    return EnterpriseState(
        uscc="91500000MA5U0XXXXX", name="某某陶瓷有限公司", division=division, facility_division=division,
        as_of=as_of, overall_grade=grade, rated_grade=grade if rated_grade == "same" else rated_grade,
        status=status, industries=inds, upgrades=tuple(upgrades), facts=MappingProxyType(dict(facts or {})))


def up(to: str, day: date, frm: str | None = "C", industry="ceramics", branch="ceramics_building") -> Upgrade:
    """An upgrade event."""
    return Upgrade(industry, branch, frm, to, day)


def benefit_ids(ev) -> set[str]:
    return {b.policy_id for b in ev.benefits}


def obligation_ids(ev) -> set[str]:
    return {o.policy_id for o in ev.obligations}


def listed(ev) -> set[str]:
    return benefit_ids(ev) | {n.policy_id for n in ev.not_applicable} | obligation_ids(ev)


def missing(ev, policy_id: str) -> tuple[dict, ...]:
    return next(n.missing for n in ev.not_applicable if n.policy_id == policy_id)


def benefit(ev, policy_id: str):
    return next(b for b in ev.benefits if b.policy_id == policy_id)


def test_jurisdiction_chain_lists_national_and_own_province_only():
    # A Chongqing facility sees national and Chongqing measures, never Henan's (digest: national + province/city/county).
    ev = evaluate(make_state("500112", "A"), CQ_DAY)
    codes = {b.jurisdiction for b in ev.benefits} | {n.jurisdiction for n in ev.not_applicable}
    assert codes == {"000000", "500000"}


def test_facility_division_decides_not_registration_division():
    # Registered in Chongqing (USCC digits 3-8) but the facility is in Henan: Henan measures apply.
    s = make_state("410102", "A")
    s = EnterpriseState(**{**{f: getattr(s, f) for f in s.__slots__}, "division": "500112"})
    ev = evaluate(s, CQ_DAY)
    assert "henan.enforcement_positive_list" in benefit_ids(ev)
    assert not any(p.startswith("chongqing.") for p in listed(ev))


def test_drafts_left_out_unless_asked_and_then_marked():
    # Ningxia's plan is a 征求意见稿: absent by default; with include_drafts its measures appear as draft.
    s = make_state("640100", "A", upgrades=[up("A", date(2025, 5, 1))], as_of=date(2025, 6, 1))
    off = evaluate(s, date(2025, 6, 1))
    assert not any(p.startswith("ningxia.") for p in listed(off))
    on = evaluate(s, date(2025, 6, 1), Context(include_drafts=True))
    b = benefit(on, "ningxia.enforcement_positive_list")
    assert b.status == "draft" and b.source.status == "draft"
    assert on.include_drafts is True and off.include_drafts is False
    via_interp = evaluate(s, date(2025, 6, 1), Context(interpretations=Interpretations(include_drafts=True)))
    assert "ningxia.enforcement_positive_list" in benefit_ids(via_interp)


def test_sanction_acts_through_the_managed_grade():
    # G-FRAUD: rated B but managed at the lowest (D) -> CQ-A1-6 (B and above) does not apply; needs B, has D.
    s = make_state("500112", "D", rated_grade="B", status="lowest_by_sanction")
    ev = evaluate(s, CQ_DAY)
    assert "chongqing.first_violation_no_penalty" not in benefit_ids(ev)
    m = missing(ev, "chongqing.first_violation_no_penalty")
    assert m[0]["condition"] == "grade" and m[0]["actual"] == "D" and "B" in m[0]["needed"]
    assert m[0]["ref"] == "CQ-A1-6"


def test_evaluation_echoes_as_of_drafts_parameters_and_ruleset():
    ev = evaluate(make_state(), CQ_DAY, Context(alert_level="orange"))
    assert ev.as_of == CQ_DAY and ev.alert_level == "orange" and ev.include_drafts is False
    assert ev.parameters["chongqing_campaign_end"] == "2024-12-31"
    assert ev.parameters["advanced_grades"] == ["A+", "A", "B", "引领"]
    assert ev.ruleset == RULESET and ev.ruleset.startswith("sha256:")


def test_explanation_cites_refs_with_values_and_both_languages():
    # CQ-A1-9 benefit: a window step, the upgrade step with its date, the quantity step with rate and its ref.
    s = make_state("500112", "A", upgrades=[up("A", date(2024, 9, 10))],
                   facts={"holds_carbon_allowance": True, "allowance_2023_t": Decimal(200000)})
    b = benefit(evaluate(s, CQ_DAY), "chongqing.carbon_quota_bonus")
    assert {st.ref for st in b.explanation} == {"CQ-A1-9"}
    assert all(st.text.zh and st.text.en and st.text.zh != st.text.en for st in b.explanation)
    upgrade_step = next(st for st in b.explanation if "effective" in st.values)
    assert upgrade_step.values["effective"] == date(2024, 9, 10) and upgrade_step.values["to"] == "A"
    rate_step = b.explanation[-1]
    assert rate_step.values["rate"] == Decimal("0.005") and rate_step.values["rate_ref"] == "CQ-A1-9"
    assert "2023" in rate_step.values["rate_source"]
    assert b.effective.start == date(2024, 8, 1) and b.effective.last_day == date(2024, 12, 31)
    assert b.title.zh and b.title.en


def test_grade_step_carries_rating_date_and_interpretation():
    # A grade step shows the grade, its rating date and, for 引领, the letter the jurisdiction maps it to.
    s = make_state("500112", "引领", industries=[("ceramics", "ceramics_sanitary", "leading", "引领")],
                   rated_on=date(2024, 5, 6))
    b = benefit(evaluate(s, CQ_DAY), "chongqing.fewer_inspections")
    step = next(st for st in b.explanation if "grade" in st.values)
    assert step.values["grade"] == "引领" and step.values["rated_on"] == date(2024, 5, 6)
    assert step.values["leading_map"] == "B"


def test_unknown_alert_level_is_refused():
    with pytest.raises(ValueError, match="alert_level"):
        Context(alert_level="purple")


def test_facts_are_documented_with_type_and_refs():
    for name, doc in FACTS.items():
        assert doc["type"] in ("bool", "Decimal", "str", "grade") and doc["description"], name
        assert doc["refs"], name


def test_interpretation_override_is_validated_with_field_and_allowed_values():
    with pytest.raises(ValueError, match="shaoxing.cross_grade.*lowest, main_industry"):
        Interpretations.from_overrides({"shaoxing.cross_grade": "highest"})
    with pytest.raises(ValueError, match="shaoxing_cross: unknown parameter"):
        Interpretations.from_overrides({"shaoxing_cross": "main"})       # one name per choice: the registry's
    with pytest.raises(ValueError, match="env_tax.reduction_tiers"):
        Interpretations.from_overrides({"env_tax.reduction_tiers": []})  # published, not a what-if
    with pytest.raises(ValueError, match="advanced_grades"):
        Interpretations.from_overrides({"advanced_grades": ["Z"]})
    with pytest.raises(ValueError, match="nope: unknown parameter"):
        Interpretations.from_overrides({"nope": 1})
    with pytest.raises(ValueError, match="chongqing_campaign_end"):
        Interpretations.from_overrides({"chongqing_campaign_end": "31/12/2025"})
    with pytest.raises(ValueError, match="leading_map"):
        Interpretations.from_overrides({"leading_map": {"999999": {"引领": "A"}}})
    i = Interpretations.from_overrides({"advanced_grades": ["A级", "A+"], "b_minus_counts_as_b": True,
                                        "leading_map": {"500000": {"引领": "A"}}})
    assert i.advanced_grades == ("A+", "A")
    assert i.b_minus_for("national.x", "000000") is True
    assert i.leading_for("500000").leading == "A" and i.leading_for("410000").leading == "A"
    assert Interpretations.from_overrides(None) == Interpretations()
    assert i.as_dict()["advanced_grades"] == ["A+", "A"]


def test_overrides_do_not_leak_between_requests():
    # A what-if override for one request leaves the defaults (shared state) untouched.
    s = make_state("500112", "B-", industries=[("steel_long_process", "steel_long_process_main", "ABCD", "B-")])
    what_if = Context(interpretations=Interpretations.from_overrides({"b_minus_counts_as_b": False}))
    assert "chongqing.fewer_inspections" not in benefit_ids(evaluate(s, CQ_DAY, what_if))
    assert "chongqing.fewer_inspections" in benefit_ids(evaluate(s, CQ_DAY))
