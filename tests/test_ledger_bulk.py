"""Invariants of the ledger over random event histories, and the bulk path equal to one-at-a-time folding."""
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from incentives.grades import LOWEST_OF_SCALE, grade_on_scale
from incentives.ledger import (
    Enterprise,
    EventRefused,
    LedgerError,
    LedgerOptions,
    check_event,
    fold,
    fold_many,
    key_rows,
)
from incentives.rules import reading_of
from incentives.state import EVENT_KINDS, VIOLATIONS, GradeEvent
from incentives.uscc import make

REGS = (("ceramics", "ceramics_building"), ("furniture", "furniture_main"), ("frp", "frp_main"),
        ("steel_long_process", "steel_long_process_main"))
DIVISIONS = ("410100", "410500", "330602", "500112", "640104", "320500")
GRADES = ("A+", "A", "B", "B-", "C", "D", "引领", "非引领")
START = date(2023, 1, 1)

options_st = st.builds(
    lambda drafts, cross, failed, ban: LedgerOptions(include_drafts=drafts, parameters=(
        ("chongqing.failed_rectification", failed), ("grading.fraud_ban_years_where_silent", ban),
        ("shaoxing.cross_grade", cross))),
    st.booleans(), st.sampled_from(("lowest", "main_industry")), st.sampled_from(("cancel", "downgrade")),
    st.integers(0, 2))


@st.composite
def histories(draw, max_events=12):
    regs = draw(st.lists(st.sampled_from(REGS), min_size=1, max_size=3, unique=True))
    day, events = START, []
    for seq in range(draw(st.integers(0, max_events))):
        day += timedelta(days=draw(st.integers(0, 300)))
        industry = draw(st.sampled_from([None] + [r[0] for r in regs]))
        kind = draw(st.sampled_from(EVENT_KINDS))
        events.append(GradeEvent(
            kind=kind, effective=day, seq=seq,
            industry=industry if kind not in ("rated", "downgraded") else (industry or regs[0][0]),
            grade=draw(st.sampled_from(GRADES)),
            violation=draw(st.sampled_from(VIOLATIONS)) if kind == "violation_found" else None,
            rectification_passed=draw(st.sampled_from((None, True, False))),
            until=day + timedelta(days=draw(st.integers(1, 400))) if kind == "managed_higher" else None))
    return draw(st.sampled_from(DIVISIONS)), tuple(regs), events


def _fold(division, regs, events, as_of, options=None, **kw):
    return fold(uscc=make("91", division, "MA0000B2"), name="n", division=division, facility_division=division,
                registrations=regs, events=events, as_of=as_of, options=options, **kw)


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(0, 3000), options_st)
def test_state_invariants(history, offset, options):
    division, regs, events = history
    s = _fold(division, regs, events, START + timedelta(days=offset), options)
    for row in s.industries:
        # G-SCALE: the managed and rated grades are on the branch's scale (or None).
        assert row.grade is None or grade_on_scale(row.grade, row.scale, row.branch == "steel_long_process_main")
        if row.status in ("lowest_by_sanction", "under_rectification", "unrated"):
            assert row.grade == LOWEST_OF_SCALE[row.scale]     # G-FRAUD, G-RECT-CQ, G-UNRATED
        if row.status == "unrated":
            assert row.rated_grade is None
    reading = reading_of(division, s.as_of, options.include_drafts)
    if options.overrides()["shaoxing.cross_grade"] == "lowest" or not division.startswith("3306"):
        # G-MULTI: the overall grade is no better than any industry.
        assert all(reading.rank(s.overall_grade) <= reading.rank(r.grade) for r in s.industries if r.grade)
    assert all(r.since <= s.as_of < r.until for r in s.restrictions)
    assert [u.effective for u in s.upgrades] == sorted(u.effective for u in s.upgrades)
    # upgrades follow the overall grade, compared under the jurisdiction's reading of 引领 and B-
    assert all(reading_of(division, u.effective, options.include_drafts).rank(u.to_grade)
               > reading_of(division, u.effective, options.include_drafts).rank(u.from_grade)
               for u in s.upgrades if u.from_grade)


@settings(max_examples=100, deadline=None)
@given(histories(), st.integers(0, 3000), st.integers(1, 400))
def test_past_as_of_is_untouched_by_later_events(history, offset, gap):
    division, regs, events = history
    as_of = START + timedelta(days=offset)
    later = [replace(e, effective=as_of + timedelta(days=gap)) for e in events]
    assert _fold(division, regs, events, as_of) == _fold(
        division, regs, [e for e in events if e.effective <= as_of] + later, as_of)


@settings(max_examples=100, deadline=None)
@given(histories(max_events=15), options_st)
def test_events_check_event_accepts_all_take_effect(history, options):
    # one rule definition: an event check_event lets through is never a "no effect" entry in the fold.
    division, regs, candidates = history
    kept: list[GradeEvent] = []
    for e in candidates:
        try:
            check_event(_fold(division, regs, kept, e.effective, options), e, today=date(2040, 1, 1),
                        options=options)
        except LedgerError:
            continue
        kept.append(e)
    s = _fold(division, regs, kept, date(2040, 1, 1), options)
    assert len(s.history) == len(kept)
    assert not [h for h in s.history if h.effect.en.startswith("no effect")]


SAME_RULES = {"410100": "410581", "330602": "330681", "500112": "500101", "640104": "640502",
              "320500": "130102"}   # pairs in the same jurisdictions: equal shapes, different identities


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(histories(), st.integers(1, 3)), min_size=1, max_size=6), st.integers(0, 3000))
def test_bulk_equals_single(histories_, offset):
    # house style §2.6: one rule definition serves one enterprise and many; copies share a folded shape.
    as_of = START + timedelta(days=offset)
    ents, pairs, singles = [], [], []
    for i, ((division, regs, events), copies) in enumerate(histories_):
        for k in range(copies):
            where = division if k % 2 == 0 else SAME_RULES.get(division, division)
            uscc = make("91", where, f"MA{i:04d}{k:02d}")
            facts = {"allowance_2023_t": str(1000 * (i + k))}
            ents.append(Enterprise(uscc, f"e{i}-{k}", where, where, regs, facts))
            pairs += [(uscc, e) for e in reversed(events)]     # any order: fold sorts by (effective, seq)
            singles.append(fold(uscc=uscc, name=f"e{i}-{k}", division=where, facility_division=where,
                                registrations=regs, events=events, as_of=as_of, facts=facts))
    bulk = fold_many(ents, pairs, as_of=as_of)
    assert bulk == [replace(s, history=()) for s in singles]
    assert key_rows(bulk) == key_rows(singles)
    assert fold_many(ents, pairs, as_of=as_of, with_history=True) == singles


def test_event_refused_is_a_value_error():
    assert issubclass(EventRefused, ValueError)
