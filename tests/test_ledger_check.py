"""Events the rules refuse (409, or 422 for bad grades and dates), with the ref and the day a ban lifts."""
from datetime import date

import pytest

from incentives.ledger import (
    EventInFuture,
    EventRefused,
    GradeNotOnScale,
    LedgerOptions,
    UnknownBranch,
    check_event,
    validate_grade,
)
from tests.test_ledger import BUILDING, CQ, FURNITURE, SANITARY, SX, ev, rated, state

D = date
TODAY = D(2026, 1, 20)


def before(events, event, **kw):
    """The fold at the new event's date, as the service does before appending it."""
    return state(events, event.effective, **kw)


def refused(events, event, *, options=None, **kw):
    with pytest.raises(EventRefused) as info:
        check_event(before(events, event, options=options, **kw), event, today=TODAY, options=options)
    return info.value


def accepted(events, event, **kw):
    check_event(before(events, event, **kw), event, today=TODAY)


# ---- G-SCALE ----

def test_validate_grade_canonicalises_on_scale():
    assert validate_grade("ceramics_building", "B级") == "B"
    assert validate_grade("steel_long_process_main", "B－") == "B-"     # 长流程联合钢铁 allows B-
    assert validate_grade("ceramics_sanitary", "绩效引领") == "引领"


def test_d_on_an_abc_scale_names_the_scale():
    # G-SCALE: furniture_main is A/B/C (C = legal minimum), there is no D.
    with pytest.raises(GradeNotOnScale) as info:
        validate_grade("furniture_main", "D")
    assert info.value.message.zh == "D 不在该行业分支的评级范围（A/B/C）内"
    assert info.value.ref == "G-SCALE" and info.value.field == "grade"
    assert isinstance(info.value, ValueError)


def test_a_on_a_leading_scale_says_leading():
    with pytest.raises(GradeNotOnScale) as info:
        validate_grade("ceramics_sanitary", "A")
    assert "引领/非引领" in info.value.message.zh


def test_b_minus_only_where_the_branch_allows_it():
    # G-SCALE: B- sits between B and C where a scale allows it (e.g. 长流程联合钢铁), not on building ceramics.
    with pytest.raises(GradeNotOnScale):
        validate_grade("ceramics_building", "B-")


def test_ungraded_branch_and_unknown_branch():
    with pytest.raises(GradeNotOnScale):
        validate_grade("furniture_hongmu", "C")      # 其他: not graded
    with pytest.raises(UnknownBranch):
        validate_grade("no_such_branch", "A")
    with pytest.raises(GradeNotOnScale):
        validate_grade("ceramics_building", "E")


def test_a_rated_event_off_scale_is_refused_by_check_event():
    e = rated(D(2024, 1, 5), "D", "furniture")
    with pytest.raises(GradeNotOnScale):
        check_event(before([], e, regs=(FURNITURE,)), e, today=TODAY)


# ---- bans ----

FRAUD = [rated(D(2024, 1, 5), "B"), ev("fraud_found", D(2024, 5, 20))]


def test_rating_during_fraud_ban_is_refused_with_the_day_it_lifts():
    # G-FRAUD: ban from 2024-05-20; its last day is 2025-05-19, first free day 2025-05-20.
    err = refused(FRAUD, rated(D(2025, 5, 19), "D"))
    assert (err.ref, err.until) == ("G-FRAUD", D(2025, 5, 20))
    assert "2025-05-20" in err.message.zh and "lifts on 2025-05-20" in err.message.en
    accepted(FRAUD, rated(D(2025, 5, 20), "B"))


def test_managed_higher_during_fraud_ban_is_refused():
    e = ev("managed_higher", D(2024, 6, 1), "ceramics", until=D(2024, 12, 1))
    assert refused(FRAUD, e).ref == "G-FRAUD"


def test_rating_a_b_leading_during_henan_bar_is_refused_but_c_is_allowed():
    # G-BAR-HN, 第十八条: no A/B/引领 for a year from 2024-06-01 → until 2025-06-01.
    bar = [rated(D(2024, 1, 5), "A"), ev("violation_found", D(2024, 6, 1), violation="no_permit")]
    for grade in ("A", "B"):
        err = refused(bar, rated(D(2025, 5, 31), grade))
        assert (err.ref, err.until, err.field) == ("G-BAR-HN", D(2025, 6, 1), "grade")
    accepted(bar, rated(D(2025, 5, 31), "C"))
    accepted(bar, rated(D(2025, 6, 1), "A"))
    lead = [ev("violation_found", D(2024, 6, 1), violation="bad_credit")]
    assert refused(lead, rated(D(2024, 7, 1), "引领", branch="ceramics_sanitary"),
                   regs=(SANITARY,)).ref == "G-BAR-HN"


def test_shaoxing_bar_refuses_b_that_year():
    bar = [ev("violation_found", D(2024, 3, 1), violation="no_auto_monitoring")]
    drafts = LedgerOptions(include_drafts=True)       # the Shaoxing plan is a draft
    err = refused(bar, rated(D(2024, 12, 31), "B"), division=SX, options=drafts)
    assert (err.ref, err.until) == ("G-BAR-SX", D(2025, 1, 1))
    accepted(bar, rated(D(2025, 1, 1), "B"), division=SX, options=drafts)
    accepted(bar, rated(D(2024, 12, 31), "B"), division=SX)


def test_aplus_during_henan_bar_is_refused_even_on_a_leading_a():
    # a bar from a violation at a non-A site; the A industry elsewhere cannot become A+ during it.
    regs = (BUILDING, FURNITURE)
    events = [rated(D(2023, 1, 5), "A"), ev("violation_found", D(2024, 6, 1), "furniture", violation="penalised")]
    events = [rated(D(2023, 1, 5), "A"), rated(D(2023, 1, 5), "A", "furniture"),
              ev("violation_found", D(2026, 1, 14), "furniture", violation="penalised")]
    err = refused(events, ev("aplus_selected", D(2026, 1, 15), "ceramics"), regs=regs)
    assert err.ref == "G-APLUS"           # the furniture line fell to C (第十九条(一)): the overall grade is no longer A


# ---- other refusals ----

def test_aplus_without_a_current_a_is_refused():
    assert refused([rated(D(2024, 1, 5), "B")], ev("aplus_selected", D(2026, 1, 15), "ceramics")).ref == "G-APLUS"
    assert refused([], ev("aplus_selected", D(2026, 1, 15))).ref == "G-APLUS"
    accepted([rated(D(2024, 1, 5), "A")], ev("aplus_selected", D(2026, 1, 15), "ceramics"))
    # before the 2026 guidance (signed 2026-01-13) there is no A+ to select
    assert refused([rated(D(2024, 1, 5), "A")], ev("aplus_selected", D(2026, 1, 12), "ceramics")).ref == "G-APLUS"


def test_rating_a_plus_directly_is_refused():
    # G-APLUS: "a recognition, not a rating anyone can apply for".
    assert refused([], rated(D(2024, 1, 5), "A+")).ref == "G-APLUS"


def test_rectification_ended_without_start_is_refused():
    # G-RECT-CQ: the review follows a rectification; no start, nothing to end.
    assert refused([rated(D(2024, 1, 5), "B")], ev("rectification_ended", D(2024, 6, 1)),
                   division=CQ).ref == "G-RECT-CQ"
    started = [rated(D(2024, 1, 5), "B"), ev("rectification_started", D(2024, 3, 1))]
    accepted(started, ev("rectification_ended", D(2024, 6, 1), rectification_passed=True), division=CQ)
    assert refused(started, ev("rectification_started", D(2024, 4, 1)), division=CQ).ref == "G-RECT-CQ"


def test_downgrade_must_go_down():
    base = [rated(D(2024, 1, 5), "B")]
    assert refused(base, ev("downgraded", D(2024, 6, 1), "ceramics", "A")).ref == "G-DOWN"
    assert refused([], ev("downgraded", D(2024, 6, 1), "ceramics", "C")).ref == "G-DOWN"   # unrated
    accepted(base, ev("downgraded", D(2024, 6, 1), "ceramics", "C"))


def test_event_for_an_unregistered_industry_is_refused():
    assert refused([], ev("cancelled", D(2024, 6, 1), "glass")).field == "industry"


def test_rating_without_a_site_when_sites_are_separate_is_refused():
    regs = (("ceramics", "ceramics_building", "P-1"), ("ceramics", "ceramics_building", "P-2"))
    assert refused([], rated(D(2024, 1, 5), "B"), regs=regs).ref == "G-SITE"


def test_future_event_is_refused_against_today_not_the_clock():
    e = rated(D(2026, 1, 21), "B")
    with pytest.raises(EventInFuture):
        check_event(state([], D(2026, 1, 20)), e, today=TODAY)
    check_event(state([], D(2026, 1, 20)), rated(TODAY, "B"), today=TODAY)


def test_options_are_validated():
    with pytest.raises(ValueError, match="not one of"):
        LedgerOptions(parameters=(("chongqing.failed_rectification", "forgive"),))
    with pytest.raises(ValueError, match="unknown parameter"):
        LedgerOptions.from_mapping({"no_such": 1})
    with pytest.raises(ValueError, match="unknown parameter"):
        LedgerOptions.from_mapping({"env_tax.reduction_tiers": 1})         # published, not overridable
    opts = LedgerOptions.from_mapping({"shaoxing.cross_grade": "main_industry"})
    assert opts.overrides() == {"shaoxing.cross_grade": "main_industry"}
