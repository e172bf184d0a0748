"""Grade ledger: the state at `as_of` derived from events (digest "Grades"). Expected outcomes come from the clauses."""
from datetime import date

import pytest

from incentives.ledger import LedgerOptions, fold
from incentives.state import GradeEvent
from incentives.uscc import make

D = date
HN = "410100"   # 郑州, Henan
SX = "330602"   # 越城区, Shaoxing
CQ = "500112"   # 渝北区, Chongqing
NX = "640104"   # 兴庆区, Ningxia
BUILDING = ("ceramics", "ceramics_building")      # ABCD
SANITARY = ("ceramics", "ceramics_sanitary")      # leading
FURNITURE = ("furniture", "furniture_main")       # ABC
STEEL = ("steel_long_process", "steel_long_process_main")  # ABCD with B-


def ev(kind, day, industry=None, grade=None, **kw):
    return GradeEvent(kind=kind, effective=day, industry=industry, grade=grade, **kw)


DRAFTS = LedgerOptions(include_drafts=True)


def rated(day, grade, industry="ceramics", **kw):
    return ev("rated", day, industry, grade, **kw)


def state(events, as_of, division=HN, regs=(BUILDING,), options=None, **kw):
    return fold(uscc=make("91", division, "MA0000A1"), name="某某陶瓷有限公司", division=None,
                facility_division=division, registrations=regs, events=events, as_of=as_of, facts=None,
                options=options, **kw)


def line(s, industry="ceramics"):
    (row,) = [r for r in s.industries if r.industry == industry]
    return row


# ---- G-UNRATED ----

@pytest.mark.parametrize("reg, division, lowest", [
    (BUILDING, HN, "D"), (FURNITURE, HN, "C"), (SANITARY, HN, "非引领"),
    (("cq_general_industry", "cq_general_industry"), CQ, "C"),
    (("cq_general_industry", "cq_general_industry"), HN, None),
    (("hn_abrasives", "hn_abrasives"), HN, "D"),
    (("furniture", "furniture_hongmu"), HN, None)])
def test_unrated_is_managed_at_the_lowest_grade_of_its_scale(reg, division, lowest):
    # G-UNRATED, Henan 第九条(一) "无级别且不申报评级的，按最低等级管理": ABCD → D, ABC → C, leading → 非引领,
    # local_ABC → C (in Chongqing; a Chongqing local industry is not graded in Henan: G-SCOPE, rule
    # chongqing.local_industries); unknown scale (Henan provincial) → D so that it pulls the overall grade down
    # (national.unrated_lowest scale_unknown); 其他 is not graded → None.
    s = state([], D(2024, 1, 1), regs=(reg,), division=division)
    assert (s.overall_grade, s.rated_grade, s.status) == (lowest, None, "unrated")
    assert s.industries[0].status == "unrated"


def test_rating_from_unrated_is_an_upgrade_from_none():
    # contract "Grades": an upgrade is a rated event above the previous grade; unrated is managed at D (G-UNRATED)
    # so D → B is a move up, reported with from_grade None.
    s = state([rated(D(2024, 1, 5), "B")], D(2024, 2, 1))
    assert (s.overall_grade, s.rated_grade, s.status) == ("B", "B", "rated")
    assert [(u.from_grade, u.to_grade, u.effective) for u in s.upgrades] == [(None, "B", D(2024, 1, 5))]


def test_rating_at_the_lowest_from_unrated_is_not_an_upgrade():
    # unrated is managed at D already; rated D changes nothing in rank.
    assert state([rated(D(2024, 1, 5), "D")], D(2024, 2, 1)).upgrades == ()


def test_upgrade_from_unrated_can_be_switched_off():
    opts = LedgerOptions(upgrade_from_unrated=False)
    assert state([rated(D(2024, 1, 5), "B")], D(2024, 2, 1), options=opts).upgrades == ()


def test_upgrade_records_the_grade_it_came_from():
    # CQ-A1-9 needs "由C级提升至A级" with the date: C (2023-05-01) → A (2024-09-10).
    s = state([rated(D(2023, 5, 1), "C"), rated(D(2024, 9, 10), "A")], D(2024, 10, 1), division=CQ)
    assert [(u.from_grade, u.to_grade, u.effective) for u in s.upgrades] == [
        (None, "C", D(2023, 5, 1)), ("C", "A", D(2024, 9, 10))]


# ---- G-REVIEW ----

def test_a_grade_is_reviewed_five_years_after_rating():
    # G-REVIEW, national 三(六) "自评定之日起每满5年至少进行一次复核": 2024-03-10 + 5 years = 2029-03-10.
    s = state([rated(D(2024, 3, 10), "A")], D(2024, 4, 1))
    assert line(s).review_due == D(2029, 3, 10) and s.review_due == D(2029, 3, 10)


def test_b_grade_has_no_national_review_date():
    # national 三(六): B and below are reviewed at a frequency the province decides → no date derived.
    assert state([rated(D(2024, 3, 10), "B")], D(2024, 4, 1)).review_due is None


def test_shaoxing_a_b_leading_refresh_every_year():
    # G-REVIEW, Shaoxing 三(四) "上一年度已获评绩效A级、B级和引领性的企业，需在当年对评级材料进行更新":
    # B rated 2024-04-24 → refresh due 2025-04-24; 引领 likewise.
    # The Shaoxing plan is a draft: its rule applies only with drafts; without them B has no review date.
    events = [rated(D(2024, 4, 24), "B"), rated(D(2024, 4, 24), "引领", "frp", branch="frp_main")]
    s = state(events, D(2024, 5, 1), division=SX, regs=(BUILDING, ("frp", "frp_main")), options=DRAFTS)
    assert [r.review_due for r in s.industries] == [D(2025, 4, 24), D(2025, 4, 24)]
    plain = state(events, D(2024, 5, 1), division=SX, regs=(BUILDING, ("frp", "frp_main")))
    assert [r.review_due for r in plain.industries] == [None, None]


# ---- G-FRAUD ----

def test_fraud_manages_at_lowest_and_bans_applications_for_a_year():
    # G-FRAUD, Henan 第十七条 "直接认定为最低等级，且一年内不得申请绩效分级调整":
    # B, fraud on 2024-05-20 → managed D (ABCD lowest), rated grade still B, ban until 2025-05-20 (anniversary).
    events = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 5, 20))]
    s = state(events, D(2024, 5, 20))
    assert (s.overall_grade, s.rated_grade, s.status) == ("D", "B", "lowest_by_sanction")
    (r,) = s.restrictions
    assert (r.kind, r.ref, r.since, r.until) == ("no_application", "G-FRAUD", D(2024, 5, 20), D(2025, 5, 20))


def test_fraud_ban_lifts_on_the_anniversary_but_the_lowest_grade_stays_until_rerated():
    events = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 5, 20))]
    # 2025-05-19 is the last banned day; 2025-05-20 the first free one.
    assert len(state(events, D(2025, 5, 19)).restrictions) == 1
    after = state(events, D(2025, 5, 20))
    assert after.restrictions == () and (after.overall_grade, after.status) == ("D", "lowest_by_sanction")


def test_rating_after_the_fraud_ban_restores_without_an_upgrade_to_the_same_grade():
    # managed D under sanction → re-rated B on 2025-05-20: B was held before, so regaining it is not an upgrade
    # (rule national.regain_not_upgrade); re-rated A instead is an upgrade from the managed D.
    events = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 5, 20)), rated(D(2025, 5, 20), "B")]
    s = state(events, D(2025, 6, 1))
    assert (s.overall_grade, s.status) == ("B", "rated")
    assert [(u.from_grade, u.to_grade) for u in s.upgrades] == [(None, "B")]
    higher = state(events[:2] + [rated(D(2025, 5, 20), "A")], D(2025, 6, 1))
    assert (higher.upgrades[-1].from_grade, higher.upgrades[-1].to_grade) == ("D", "A")


def test_a_rating_during_the_fraud_ban_has_no_effect_in_the_fold():
    events = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 5, 20)), rated(D(2025, 5, 19), "B")]
    s = state(events, D(2025, 6, 1))
    assert s.status == "lowest_by_sanction" and s.history[-1].ref == "G-FRAUD"
    assert s.history[-1].effect.en.startswith("no effect")


def test_chongqing_fraud_ban_is_an_option_because_its_text_has_no_year():
    # Chongqing 五.二 only says "直接评定为最低等级": the one-year ban is the digest's G-FRAUD, option-controlled.
    events = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 9, 1))]
    default = state(events, D(2024, 9, 2), division=CQ)
    assert [r.kind for r in default.restrictions if r.ref == "G-FRAUD"] == ["no_application"]
    silent = state(events, D(2024, 9, 2), division=CQ,
                   options=LedgerOptions(parameters=(("grading.fraud_ban_years_where_silent", 0),)))
    assert [r for r in silent.restrictions if r.ref == "G-FRAUD"] == []
    assert silent.overall_grade == "D" and silent.status == "lowest_by_sanction"


def test_henan_typical_case_is_a_fraud_level_sanction():
    # Henan 第十七条(三): named as a typical violation case → lowest grade, one-year ban.
    s = state([rated(D(2024, 1, 5), "A"), ev("violation_found", D(2024, 3, 1), violation="typical_case")],
              D(2024, 3, 2))
    assert (s.overall_grade, s.status) == ("D", "lowest_by_sanction")
    assert s.restrictions[0].until == D(2025, 3, 1)


def test_ningxia_violation_rates_at_lowest_and_bans_a_year_only_with_drafts():
    # Ningxia 二(五) (draft): "存在环境违法行为的企业，直接评定为最低等级，且在一年内不能再次申报".
    # A draft's grading rule applies only when drafts are included (contract 1.1): by default B stays B.
    events = [rated(D(2024, 6, 1), "B", "furniture"), ev("violation_found", D(2025, 2, 3), violation="evasion")]
    s = state(events, D(2025, 2, 3), division=NX, regs=(FURNITURE,), options=DRAFTS)
    assert (s.overall_grade, s.status) == ("C", "lowest_by_sanction")    # ABC: lowest is C
    assert s.restrictions[0].until == D(2026, 2, 3)
    kept = state(events, D(2025, 2, 3), division=NX, regs=(FURNITURE,))
    assert (kept.overall_grade, kept.status, kept.restrictions) == ("B", "rated", ())


def test_ningxia_upgrade_to_a_in_2025():
    # NX-A1-8 etc. key on "晋A": C → A on 2025-04-15 is an upgrade event.
    s = state([rated(D(2023, 6, 1), "C"), rated(D(2025, 4, 15), "A")], D(2025, 5, 1), division=NX)
    assert ("C", "A", D(2025, 4, 15)) == (s.upgrades[-1].from_grade, s.upgrades[-1].to_grade,
                                          s.upgrades[-1].effective)


def test_fraud_on_29_february_lifts_on_1_march():
    # one year from 2024-02-29 covers up to 2025-02-28 → first free day 2025-03-01.
    s = state([ev("fraud_found", D(2024, 2, 29))], D(2025, 2, 28))
    assert s.restrictions[0].until == D(2025, 3, 1)


# ---- G-BAR-HN ----

def test_henan_violation_bars_a_b_leading_and_downgrades_to_c():
    # G-BAR-HN, Henan 第十八条(二) exceeded permit → one year without A/B(含B-)/引领;
    # 第十九条(一): A falls to C. Violation 2024-06-01 → bar until 2025-06-01.
    s = state([rated(D(2024, 1, 5), "A"), ev("violation_found", D(2024, 6, 1), violation="exceeded_permit")],
              D(2024, 6, 1))
    assert (s.overall_grade, s.rated_grade, s.status) == ("C", "C", "rated")
    (r,) = s.restrictions
    assert (r.kind, r.ref, r.until) == ("no_grade_above", "G-BAR-HN", D(2025, 6, 1))
    assert set(r.grades_barred) == {"A+", "A", "B", "B-", "引领"}


def test_henan_violation_turns_leading_into_non_leading():
    # 第十九条(一): 绩效引领性 → 非引领性.
    s = state([rated(D(2024, 1, 5), "引领", branch="ceramics_sanitary"),
               ev("violation_found", D(2024, 6, 1), violation="no_auto_monitoring")],
              D(2024, 7, 1), regs=(SANITARY,))
    assert s.overall_grade == "非引领"


def test_henan_violation_leaves_c_and_d_alone():
    s = state([rated(D(2024, 1, 5), "D"), ev("violation_found", D(2024, 6, 1), violation="penalised")],
              D(2024, 7, 1))
    assert s.overall_grade == "D" and s.restrictions[0].ref == "G-BAR-HN"


def test_henan_bar_boundaries_for_a_new_b_rating():
    # bar since 2024-06-01 → a B rating on 2025-05-31 has no effect; on 2025-06-01 it counts (C → B upgrade).
    base = [rated(D(2024, 1, 5), "A"), ev("violation_found", D(2024, 6, 1), violation="no_permit")]
    early = state(base + [rated(D(2025, 5, 31), "B")], D(2025, 6, 30))
    assert early.overall_grade == "C"
    ontime = state(base + [rated(D(2025, 6, 1), "B")], D(2025, 6, 30))
    assert ontime.overall_grade == "B" and ontime.restrictions == ()
    assert (ontime.upgrades[-1].from_grade, ontime.upgrades[-1].to_grade) == ("C", "B")


# ---- G-BAR-SX ----

def test_shaoxing_violation_bars_b_and_above_until_new_year_without_downgrade():
    # G-BAR-SX, Shaoxing 四(二) "当年不得申报B级（含引领性）及以上": violation 2024-03-01 → until 2025-01-01;
    # the clause bars applying, it does not downgrade: B stays B.
    # B- reads as B in Shaoxing (二(一) "B（含B-）"), so the bar covers it too. A draft: only with drafts.
    s = state([rated(D(2023, 5, 1), "B"), ev("violation_found", D(2024, 3, 1), violation="no_permit")],
              D(2024, 12, 31), division=SX, options=DRAFTS)
    assert s.overall_grade == "B"
    (r,) = s.restrictions
    assert (r.ref, r.until) == ("G-BAR-SX", D(2025, 1, 1))
    assert set(r.grades_barred) == {"A+", "A", "B", "B-", "引领"}
    assert state([ev("violation_found", D(2024, 3, 1), violation="no_permit")], D(2025, 1, 1),
                 division=SX, options=DRAFTS).restrictions == ()
    assert state([ev("violation_found", D(2024, 3, 1), violation="no_permit")], D(2024, 3, 2),
                 division=SX).restrictions == ()


def test_shaoxing_bar_period_option_one_year():
    s = state([ev("violation_found", D(2024, 3, 1), violation="evasion")], D(2024, 3, 2), division=SX,
              options=LedgerOptions(include_drafts=True, parameters=(("shaoxing.bar_period", "one_year"),)))
    assert s.restrictions[0].until == D(2025, 3, 1)


def test_shaoxing_bar_does_not_cover_other_violations():
    # 四(二) lists no-EIA/no-permit, exceedance, evasion, no automatic monitoring; forged records is not among them.
    s = state([ev("violation_found", D(2024, 3, 1), violation="forged_records")], D(2024, 3, 2), division=SX,
              options=DRAFTS)
    assert s.restrictions == ()


def test_shaoxing_b_minus_is_barred_because_b_minus_reads_as_b_there():
    # One reading of B- per jurisdiction (Shaoxing 二(一) "B（含B-）"): measures, upgrades and the 四(二) bar alike.
    base = [ev("violation_found", D(2024, 3, 1), violation="evasion"),
            rated(D(2024, 6, 1), "B-", "steel_long_process")]
    barred = state(base, D(2024, 7, 1), division=SX, regs=(STEEL,), options=DRAFTS)
    assert barred.overall_grade == "D" and barred.history[-1].effect.en.startswith("no effect")


# ---- G-RECT-CQ ----

RECT = [rated(D(2024, 1, 10), "B"), ev("rectification_started", D(2024, 9, 1))]


def test_under_rectification_is_managed_at_the_lowest():
    # G-RECT-CQ, Chongqing 五.三 "整改期间企业按照最低级管理": B → managed D (ABCD), rated B.
    s = state(RECT, D(2024, 9, 1), division=CQ)
    assert (s.overall_grade, s.rated_grade, s.status) == ("D", "B", "under_rectification")


def test_passed_rectification_restores_the_grade():
    s = state(RECT + [ev("rectification_ended", D(2024, 11, 1), rectification_passed=True)], D(2024, 11, 1),
              division=CQ)
    assert (s.overall_grade, s.status) == ("B", "rated") and s.upgrades[-1].to_grade == "B"
    assert len(s.upgrades) == 1    # the restoration is not an upgrade


def test_failed_rectification_cancels_by_default():
    # "不满足整改要求的，取消现有绩效等级或降级处理"; option failed_rectification=cancel → unrated, managed D.
    s = state(RECT + [ev("rectification_ended", D(2024, 11, 1), rectification_passed=False)], D(2024, 11, 1),
              division=CQ)
    assert (s.overall_grade, s.rated_grade, s.status) == ("D", None, "unrated")
    assert "chongqing.failed_rectification=cancel" in s.history[-1].effect.en


def test_no_review_request_counts_as_failed():
    # "未提交复核申请 … 取消": rectification_passed absent = no review request.
    s = state(RECT + [ev("rectification_ended", D(2024, 11, 1))], D(2024, 11, 1), division=CQ)
    assert s.status == "unrated"


def test_failed_rectification_downgrades_one_step_when_so_chosen():
    # ceramics_building is ABCD without B-: one step below B is C.
    opts = LedgerOptions(parameters=(("chongqing.failed_rectification", "downgrade"),))
    s = state(RECT + [ev("rectification_ended", D(2024, 11, 1), rectification_passed=False)], D(2024, 11, 1),
              division=CQ, options=opts)
    assert (s.overall_grade, s.rated_grade, s.status) == ("C", "C", "rated")
    given = state(RECT + [ev("rectification_ended", D(2024, 11, 1), "ceramics", "D", rectification_passed=False)],
                  D(2024, 11, 1), division=CQ, options=opts)
    assert given.overall_grade == "D"


def test_chongqing_one_application_a_year_is_listed():
    # Chongqing 附件4 "一年只能申报一次": rated 2024-09-10 → informational until 2025-01-01 (calendar year).
    s = state([rated(D(2024, 9, 10), "A")], D(2024, 9, 10), division=CQ)
    (r,) = s.restrictions
    assert (r.kind, r.ref, r.until) == ("one_application_per_year", "G-RECT-CQ", D(2025, 1, 1))
    rolling = state([rated(D(2024, 9, 10), "A")], D(2024, 9, 10), division=CQ,
                    options=LedgerOptions(parameters=(("chongqing.application_year", "rolling"),)))
    assert rolling.restrictions[0].until == D(2025, 9, 10)


# ---- G-APLUS, G-DOWN, cancellation ----

def test_aplus_selected_on_a_current_a():
    # G-APLUS, national 二(一) "生态环境部面向A级企业遴选A+级企业" (guidance signed 2026-01-13).
    s = state([rated(D(2023, 1, 10), "A"), ev("aplus_selected", D(2026, 2, 1), "ceramics")], D(2026, 3, 1))
    assert (s.overall_grade, s.rated_grade) == ("A+", "A+")
    assert len(s.upgrades) == 1    # A+ is a recognition, not a rating: only the earlier A counts


def test_aplus_before_the_guidance_has_no_effect():
    # A+ was created by the 2026 guidance (signed 2026-01-13): a selection dated 2026-01-12 is refused.
    s = state([rated(D(2023, 1, 10), "A"), ev("aplus_selected", D(2026, 1, 12), "ceramics")], D(2026, 3, 1))
    assert s.overall_grade == "A" and s.history[-1].ref == "G-APLUS"
    on_day = state([rated(D(2023, 1, 10), "A"), ev("aplus_selected", D(2026, 1, 13), "ceramics")], D(2026, 3, 1))
    assert on_day.overall_grade == "A+"


def test_aplus_on_a_b_has_no_effect():
    s = state([rated(D(2023, 1, 10), "B"), ev("aplus_selected", D(2026, 6, 1), "ceramics")], D(2026, 7, 1))
    assert s.overall_grade == "B" and s.history[-1].ref == "G-APLUS"


def test_aplus_needs_the_overall_grade_a():
    # an A line beside a B line: the enterprise's overall grade is B, so no A+ (G-APLUS: from A enterprises).
    events = [rated(D(2023, 1, 10), "A"), rated(D(2023, 1, 10), "B", "furniture"),
              ev("aplus_selected", D(2026, 6, 1), "ceramics")]
    s = state(events, D(2026, 7, 1), regs=(BUILDING, FURNITURE))
    assert line(s).rated_grade == "A" and s.history[-1].effect.en.startswith("no effect")


def test_downgraded_sets_the_new_rated_grade():
    # G-DOWN, national 三(九): A → B by downgrade.
    s = state([rated(D(2023, 1, 10), "A"), ev("downgraded", D(2024, 6, 1), "ceramics", "B", ref="G-DOWN")],
              D(2024, 7, 1))
    assert (s.overall_grade, line(s).rated_on) == ("B", D(2024, 6, 1))


def test_cancelled_returns_to_unrated():
    s = state([rated(D(2023, 1, 10), "B"), ev("cancelled", D(2024, 6, 1), "ceramics")], D(2024, 7, 1))
    assert (s.overall_grade, s.rated_grade, s.status) == ("D", None, "unrated")


# ---- managed_higher ----

HIGHER = [rated(D(2023, 6, 1), "C"),
          ev("managed_higher", D(2024, 1, 1), "ceramics", until=D(2024, 7, 1), ref="Hebei incentive rule")]


def test_managed_one_grade_higher_inside_the_window_only():
    # C managed as B on [2024-01-01, 2024-07-01): 2024-06-30 is the last day; rated stays C.
    assert state(HIGHER, D(2023, 12, 31)).overall_grade == "C"
    inside = state(HIGHER, D(2024, 6, 30))
    assert (inside.overall_grade, inside.rated_grade) == ("B", "C")
    assert state(HIGHER, D(2024, 7, 1)).overall_grade == "C"


def test_managed_higher_yields_to_a_sanction():
    s = state(HIGHER + [ev("fraud_found", D(2024, 2, 1))], D(2024, 3, 1))
    assert s.overall_grade == "D"


def test_rating_up_during_managed_higher_still_counts_as_upgrade():
    # the boost is management, not a grade: C (managed B) → rated B is an upgrade from C.
    s = state(HIGHER + [rated(D(2024, 3, 1), "B")], D(2024, 3, 2))
    assert (s.upgrades[-1].from_grade, s.upgrades[-1].to_grade) == ("C", "B")
    assert s.overall_grade == "A"      # B managed one higher until 2024-07-01


# ---- G-MULTI, G-SITE, ordering, as_of ----

def test_overall_grade_is_the_lowest_industry_and_worst_status():
    # G-MULTI, Henan 第四条(2) "企业总体绩效等级以所含行业中最低等级为准": B and 非引领 (= C under G-CROSS) → 非引领.
    s = state([rated(D(2024, 1, 5), "B"), rated(D(2024, 1, 5), "非引领", "frp", branch="frp_main")],
              D(2024, 2, 1), regs=(BUILDING, ("frp", "frp_main")))
    assert s.overall_grade == "非引领"
    half = state([rated(D(2024, 1, 5), "A")], D(2024, 2, 1), regs=(BUILDING, FURNITURE))
    assert (half.overall_grade, half.rated_grade, half.status) == ("C", "A", "unrated")


def test_shaoxing_cross_level_option():
    # Shaoxing 三(二) "交叉级别": default lowest; main_industry takes the first registered industry.
    events = [rated(D(2024, 1, 5), "A"), rated(D(2024, 1, 5), "C", "furniture")]
    assert state(events, D(2024, 2, 1), division=SX, regs=(BUILDING, FURNITURE)).overall_grade == "C"
    main = state(events, D(2024, 2, 1), division=SX, regs=(BUILDING, FURNITURE),
                 options=LedgerOptions(include_drafts=True, parameters=(("shaoxing.cross_grade", "main_industry"),)))
    assert main.overall_grade == "A"


def test_sites_are_rated_separately():
    # G-SITE, Henan 第四条(2) "每个厂区可分别进行申报评级".
    regs = (("ceramics", "ceramics_building", "P-1"), ("ceramics", "ceramics_building", "P-2"))
    s = state([rated(D(2024, 1, 5), "A", site="P-1"), rated(D(2024, 1, 5), "C", site="P-2")], D(2024, 2, 1),
              regs=regs)
    assert [(r.site, r.grade) for r in s.industries] == [("P-1", "A"), ("P-2", "C")]
    assert s.overall_grade == "C"


def test_events_apply_in_effective_then_seq_order_whatever_the_input_order():
    a = rated(D(2024, 1, 5), "B", seq=2)
    b = rated(D(2024, 1, 5), "C", seq=1)
    later = rated(D(2024, 3, 1), "A", seq=0)
    assert state([later, a, b], D(2024, 2, 1)).overall_grade == "B"      # seq 1 (C) then seq 2 (B)
    assert state([a, later, b], D(2024, 4, 1)).overall_grade == "A"


def test_past_as_of_is_untouched_by_later_events():
    events = [rated(D(2024, 1, 5), "A"), ev("violation_found", D(2024, 6, 1), violation="no_permit")]
    past = state(events, D(2024, 5, 31))
    assert (past.overall_grade, past.restrictions, len(past.history)) == ("A", (), 1)


def test_history_lists_every_event_with_its_effect():
    events = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 5, 20))]
    s = state(events, D(2024, 6, 1))
    assert [h.event.kind for h in s.history] == ["rated", "fraud_found"]
    assert "第十七条" in s.history[1].effect.zh and "2025-05-20" in s.history[1].effect.zh
