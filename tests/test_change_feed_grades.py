"""ledger.grades_around: the managed overall grade just before and right after a stored event, and its line's
(the change feed's `previous_grade`, `grade` and `line_grade`, contract 1.1; services/feed.record calls it)."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.errors import DomainError
from incentives.ledger import EventRefused, LedgerOptions, Registration, grades_around
from incentives.state import GradeEvent

REGS = [Registration("glass", "glass_flat"), Registration("ceramics", "ceramics_building")]
EVENTS = [GradeEvent("rated", date(2025, 3, 1), "glass", grade="B", seq=1),
          GradeEvent("rated", date(2025, 3, 1), "ceramics", grade="D", seq=2),
          GradeEvent("fraud_found", date(2025, 6, 1), seq=3),
          GradeEvent("rated", date(2026, 2, 1), "ceramics", grade="A", seq=4)]


def around(seq):
    return grades_around(uscc=None, division="110101", facility_division="110101", registrations=REGS,
                         events=EVENTS, seq=seq)


def test_grade_before_and_after_each_event():
    # G-UNRATED: both lines unrated -> D; glass B beside unrated ceramics (D) -> D; ceramics rated D -> D;
    # fraud (G-FRAUD, national) holds both lines at D (never null); the A rating of 2026-02-01 falls inside the
    # one-year ban (until 2026-06-01), so it has no effect: D before and after. The events name no branch: no
    # line grade (as the feed says it).
    assert around(1) == ("D", "D", None)
    assert around(2) == ("D", "D", None)
    assert around(3) == ("D", "D", None)
    assert around(4) == ("D", "D", None)


def test_a_rise_of_the_overall_grade_shows_in_the_feed():
    events = EVENTS[:2] + [GradeEvent("rated", date(2026, 2, 1), "ceramics", grade="A", seq=4)]
    got = grades_around(uscc=None, division="110101", facility_division="110101", registrations=REGS,
                        events=events, seq=4)
    assert got == ("D", "B", None)  # ceramics D -> A beside glass B: overall D -> B
    with pytest.raises(KeyError):
        around(99)


def test_ledger_refusals_are_domain_errors_with_their_status():
    assert issubclass(EventRefused, DomainError) and EventRefused.status == 409


def test_the_line_grade_and_an_event_committed_later_with_an_earlier_date():
    # The feed passes the events committed up to the event (seq order); the ledger orders them by date. A rating
    # backdated and committed later is before the event in the ledger's order once it is passed too.
    regs = [Registration("ceramics", "ceramics_building")]
    rated = GradeEvent("rated", date(2025, 3, 1), "ceramics", "ceramics_building", grade="B", seq=1)
    late = GradeEvent("rated", date(2025, 1, 1), "ceramics", "ceramics_building", grade="C", seq=2)

    def at_write(events):
        return grades_around(uscc=None, division="110101", facility_division="110101", registrations=regs,
                             events=events, seq=1)
    # G-UNRATED: unrated ceramics (ABCD) is managed at D; the rating makes it B, and its line B
    assert at_write([rated]) == ("D", "B", "B")
    # with the backdated C of 2025-01-01 folded first: C before, B after
    assert at_write([rated, late]) == ("C", "B", "B")


def test_the_memo_answers_alike_enterprises_once_and_keeps_their_facts_apart():
    # Shaoxing 三(二) (a draft): with the parameter shaoxing.cross_grade = main_industry, the overall grade is the
    # main industry's (fact main_industry), so two enterprises alike in all but that fact differ (G-MULTI).
    options = LedgerOptions(include_drafts=True, parameters=(("shaoxing.cross_grade", "main_industry"),))
    regs = [Registration("glass", "glass_flat"), Registration("ceramics", "ceramics_building")]
    events = [GradeEvent("rated", date(2025, 3, 1), "glass", "glass_flat", grade="B", seq=1),
              GradeEvent("rated", date(2025, 3, 2), "ceramics", "ceramics_building", grade="A", seq=2)]
    memo: dict = {}

    def main(industry, kept):
        return grades_around(uscc=None, division="330602", facility_division="330602", registrations=regs,
                             events=events, seq=2, facts={"main_industry": industry}, options=options, memo=kept)
    # main glass: B (rated 2025-03-01) before and after the ceramics A; main ceramics: unrated, so managed at D
    # (G-UNRATED, lowest of ABCD) before its A, and A after. The ceramics line is A after the event.
    assert main("glass", memo) == main("glass", None) == ("B", "B", "A")
    assert main("ceramics", memo) == main("ceramics", None) == ("D", "A", "A")
    assert len(memo) == 2
