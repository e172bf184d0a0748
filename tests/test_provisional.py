"""Provisional promotion (HB-WT-1a/1b, HB-JL-9) in the ledger: the rule of the cited ref, only in Hebei."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.ledger import Enterprise, LedgerError, check_event, fold, fold_many
from incentives.state import GradeEvent
from incentives.uscc import make

CEMENT = ("cement", "cement_clinker")
RATED_C = GradeEvent("rated", date(2023, 5, 1), "cement", grade="C")
HIGHER = GradeEvent("managed_higher", date(2024, 1, 15), "cement", ref="HB-WT-1a")


def _state(division, events, as_of=date(2024, 3, 1)):
    return fold(uscc=make("91", division, "MA0000A1"), name=None, division=None, facility_division=division,
                registrations=(CEMENT,), events=events, as_of=as_of)


def test_bulk_fold_keeps_hebei_and_elsewhere_apart():
    # Same events, same registrations: the Hebei rule applies to 130102 (6 months: managed B on 2024-03-01)
    # and not to 110105 (Beijing), whose managed_higher without `until` is refused: C.
    ents = [Enterprise(make("91", d, "MA0000A1"), None, d, d, (CEMENT,)) for d in ("130102", "110105")]
    pairs = [(e.uscc, ev) for e in ents for ev in (RATED_C, HIGHER)]
    hebei, beijing = fold_many(ents, pairs, as_of=date(2024, 3, 1))
    assert (hebei.overall_grade, beijing.overall_grade) == ("B", "C")
    assert [(r.kind, r.ref, r.until) for r in hebei.restrictions] == [("managed_higher", "HB-WT-1a", date(2024, 7, 15))]


def test_hebei_ref_outside_hebei_is_refused_with_the_ref():
    with pytest.raises(LedgerError) as caught:
        check_event(_state("410100", [RATED_C], date(2024, 1, 15)), HIGHER, today=date(2024, 3, 1))
    assert caught.value.ref == "HB-WT-1a" and caught.value.field == "ref"


def test_until_that_contradicts_the_rule_is_refused():
    # HB-WT-1a: 2024-01-15 + 6 months = 2024-07-15; an `until` of 2025-01-15 contradicts it.
    wrong = GradeEvent("managed_higher", date(2024, 1, 15), "cement", ref="HB-WT-1a", until=date(2025, 1, 15))
    s = _state("130102", [RATED_C, wrong])
    assert s.overall_grade == "C"
