"""Provisional promotion (Hebei HB-WT-1a/1b, HB-JL-9): managed one grade higher for a limited time.

A `managed_higher` event records the approval; the jurisdiction's `managed_higher` grading rule whose refs
include the event's ref fixes how long it lasts (6 months or 1 year from the approval). It ends at expiry
("逾期未达到仍按原级别实施绩效管理") or earlier when a rating reaches the managed grade ("正式晋级").
The rule applies only where the facility lies inside its jurisdiction and on a day inside its window.
"""
from __future__ import annotations

from datetime import date

from .reference import division_chain
from .upgrade_dates import add_months


def rules() -> tuple:
    """The catalogue's managed_higher rules."""
    import policies   # the catalogue imports incentives modules: read it when first asked
    return tuple(r for r in policies.RULES if r.kind == "managed_higher")


def rule_for(ref: str | None, facility_division: str, day: date):
    """The managed_higher rule citing `ref` in force on `day` where the facility is, or None."""
    chain = division_chain(facility_division)
    for r in rules():
        if ref in r.refs and r.jurisdiction in chain and r.window.contains(day):
            return r
    return None


def scope(facility_division: str) -> tuple[str, ...]:
    """The managed_higher rules' jurisdictions containing a facility (part of what the ledger reads of it)."""
    chain = division_chain(facility_division)
    return tuple(sorted({r.jurisdiction for r in rules() if r.jurisdiction in chain}))


def cited(ref: str | None):
    """Any managed_higher rule citing `ref`, wherever it applies (to say where it does)."""
    return next((r for r in rules() if ref in r.refs), None)


def expiry(rule, approved: date) -> date:
    """First day the provisional grade no longer applies: the approval date plus the rule's period."""
    period = rule.period
    months = period.get("months") or 12 * (period.get("years") or 0)
    return add_months(approved, months)
