"""ledger.grades_around: the managed overall grade just before and right after a stored event (for the change
feed's `previous_grade` and `grade`, contract 1.1)."""
from __future__ import annotations

from datetime import date

import pytest

from incentives.errors import DomainError
from incentives.ledger import EventRefused, Registration, grades_around
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
    # one-year ban (until 2026-06-01), so it has no effect: D before and after.
    assert around(1) == ("D", "D")
    assert around(2) == ("D", "D")
    assert around(3) == ("D", "D")
    assert around(4) == ("D", "D")


def test_a_rise_of_the_overall_grade_shows_in_the_feed():
    events = EVENTS[:2] + [GradeEvent("rated", date(2026, 2, 1), "ceramics", grade="A", seq=4)]
    got = grades_around(uscc=None, division="110101", facility_division="110101", registrations=REGS,
                        events=events, seq=4)
    assert got == ("D", "B")        # ceramics D -> A beside glass B: overall D -> B
    with pytest.raises(KeyError):
        around(99)


def test_ledger_refusals_are_domain_errors_with_their_status():
    assert issubclass(EventRefused, DomainError) and EventRefused.status == 409
