"""Provisional promotion (Hebei HB-WT-1a/1b, HB-JL-9): managed one grade higher for a limited time.

A `managed_higher` event records the approval; the jurisdiction's `managed_higher` grading rule whose refs
include the event's ref fixes how long it lasts (6 months or 1 year from the approval). It ends at expiry
("逾期未达到仍按原级别实施绩效管理") or earlier when a rating reaches the managed grade ("正式晋级").
The rule applies only where the facility lies inside its jurisdiction and on a day inside its window
(the ledger's FacilityRules).
"""
from __future__ import annotations

from datetime import date

from .upgrade_dates import add_months


def rule_for(active_rules, ref: str | None):
    """The managed_higher rule citing `ref` among a facility's rules in force (deepest jurisdiction first)."""
    return next((r for r in active_rules if r.kind == "managed_higher" and ref in r.refs), None)


def cited(ref: str | None):
    """Any managed_higher rule citing `ref`, wherever it applies (to say where it does)."""
    import policies  # the catalogue imports incentives modules: read it when first asked
    return next((r for r in policies.RULES if r.kind == "managed_higher" and ref in r.refs), None)


def expiry(rule, approved: date) -> date:
    """First day the provisional grade no longer applies: the approval date plus the rule's period."""
    period = rule.period
    months = period.get("months") or 12 * (period.get("years") or 0)
    return add_months(approved, months)
