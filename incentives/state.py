"""Value types of the grade registry: events in, derived state out (shared by ledger, engine and API)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from .explain import Text

EVENT_KINDS = ("rated", "aplus_selected", "downgraded", "fraud_found", "violation_found",
               "rectification_started", "rectification_ended", "cancelled", "managed_higher")
VIOLATIONS = ("no_permit", "exceeded_permit", "evasion", "no_auto_monitoring", "forged_records",
              "penalised", "bad_credit", "typical_case", "other",
              # Henan 第十九条(三): a published finding of not implementing alert measures (two in a year: downgrade).
              "alert_measures_not_implemented")
STATUSES = ("rated", "unrated", "lowest_by_sanction", "under_rectification")


@dataclass(frozen=True, slots=True)
class GradeEvent:
    """One appended grade event (contract: POST …/events). `seq` is the commit order, None if not stored."""
    kind: str
    effective: date
    industry: str | None = None
    branch: str | None = None
    grade: str | None = None
    ref: str | None = None
    violation: str | None = None
    site: str | None = None          # 排污许可证 number of a separately rated site (G-SITE)
    until: date | None = None        # end (exclusive) of a time-limited event, e.g. managed_higher
    rectification_passed: bool | None = None  # on rectification_ended (G-RECT-CQ)
    note: str | None = None
    seq: int | None = None
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Restriction:
    """A rule that limits what an enterprise may apply for or be rated, with its ref and end (exclusive)."""
    kind: str                        # e.g. "no_application", "no_grade_above", "one_application_per_year"
    reason: Text
    ref: str
    since: date
    until: date | None               # first day it no longer applies (contract: the anniversary)
    grades_barred: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Upgrade:
    """A move to a higher grade (提升至 / 晋A): measures reward the act, not the standing grade."""
    industry: str
    branch: str
    from_grade: str | None           # None: was unrated (managed at the lowest of its scale)
    to_grade: str
    effective: date
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class IndustryGrade:
    """One industry (branch, and site where rated separately) of an enterprise at `as_of`."""
    industry: str
    branch: str
    scale: str
    grade: str | None                # managed grade: what policies apply
    rated_grade: str | None          # what the rating says; None if never rated
    rated_on: date | None
    status: str                      # one of STATUSES
    review_due: date | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An event and what it did."""
    event: GradeEvent
    effect: Text
    ref: str | None


@dataclass(frozen=True, slots=True)
class EnterpriseState:
    """The derived grade state of one enterprise at `as_of`."""
    uscc: str | None
    name: str | None
    division: str                    # registration division (USCC digits 3–8)
    facility_division: str           # where the facility is: decides the jurisdictions
    as_of: date
    overall_grade: str | None        # managed, lowest across industries (G-MULTI)
    rated_grade: str | None
    status: str
    industries: tuple[IndustryGrade, ...]
    restrictions: tuple[Restriction, ...] = ()
    upgrades: tuple[Upgrade, ...] = ()
    review_due: date | None = None
    history: tuple[HistoryEntry, ...] = ()
    facts: Mapping = field(default_factory=lambda: MappingProxyType({}))
