"""What an upgrade is worth: compare two evaluations and quantify the difference (pure; issue 7).

Every figure names its basis and refs; where a document gives no number the quantity is None.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .engine import Benefit, Evaluation
from .explain import Text
from .money import FEN, ZERO, dec, round_half_up
from .policy import ALERT_CATEGORY, ALERT_LEVELS
from .upgrade_dates import add_months

# Emergency treatments under which an alert day carries no mandated production limit (the enterprise
# chooses its own measures, or is exempt). "fewer_measures" (B: 少采取/少限产) has no number in any text.
FREE_DAY_TREATMENTS = ("exempt", "own_measures", "reduced_or_exempt")
# Scenario concentrations are built to 0.0001 mg/m³ (well below any reported precision).
SCENARIO_STEP = Decimal("0.0001")
TREATMENT_ORDER = ("exempt", "own_measures", "reduced_or_exempt", "fewer_measures", "may_shorten", "differentiated",
                   "list_measures", "on_list", "strict", "staggered", "stop", None)   # staggered production: issue 13


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantified difference: value (None where the law gives no number), unit, basis, refs."""
    kind: str
    value: Decimal | None
    unit: str
    basis: Text
    refs: tuple[str, ...]
    detail: dict


def gained_and_lost(current: Evaluation, target: Evaluation) -> tuple[list[Benefit], list[Benefit]]:
    """Benefits the target adds (new, or a larger quantity) and those it loses."""
    now = {b.policy_id: b for b in current.benefits}
    then = {b.policy_id: b for b in target.benefits}
    gained = [b for pid, b in then.items() if pid not in now or _more(b, now[pid])]
    lost = [b for pid, b in now.items() if pid not in then]
    return gained, lost


def _more(after: Benefit, before: Benefit) -> bool:
    a = after.quantity.value if after.quantity else None
    b = before.quantity.value if before.quantity else None
    if a is not None and (b is None or a > b):
        return True
    return _best_treatments(after) != _best_treatments(before) and any(
        TREATMENT_ORDER.index(t) < TREATMENT_ORDER.index((before.treatment or {}).get(c))
        for c, t in (after.treatment or {}).items())


def _best_treatments(b) -> dict:
    return dict(b.treatment or {})


def emergency_treatment(ev: Evaluation) -> dict[str, tuple[str | None, str | None, tuple[str, ...]]]:
    """Per alert category: the most favourable treatment among the measures that apply, its policy, refs."""
    out: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {}
    for item in (*ev.benefits, *ev.obligations):
        if item.category != "emergency_response" or not item.treatment:
            continue
        for cat, treatment in item.treatment.items():
            best = out.get(cat)
            if best is None or TREATMENT_ORDER.index(treatment) < TREATMENT_ORDER.index(best[0]):
                out[cat] = (treatment, item.policy_id, item.refs)
    return out


def emergency_days(current: Evaluation, target: Evaluation, alert_days: dict[str, int] | None,
                   daily_output_value_yuan: Decimal | None) -> Figure:
    """Alert days without mandated production limits, before and after, and their output value."""
    before, after = emergency_treatment(current), emergency_treatment(target)
    refs = tuple(sorted({r for t in (*before.values(), *after.values()) for r in t[2]}))
    if not alert_days:
        return Figure("emergency_days", None, "days", Text("未提供预警天数（alert_days），无法计算",
                                                           "no alert_days given: cannot count days"), refs,
                      {"before": _treat(before), "after": _treat(after)})
    free_before = free_after = 0
    unquantified = []
    for level in ALERT_LEVELS:
        days = int(alert_days.get(level, 0) or 0)
        cat = ALERT_CATEGORY[level]
        tb, ta = before.get(cat, (None,))[0], after.get(cat, (None,))[0]
        free_before += days if tb in FREE_DAY_TREATMENTS else 0
        free_after += days if ta in FREE_DAY_TREATMENTS else 0
        if days and "fewer_measures" in (tb, ta):
            unquantified.append(level)
    gained = free_after - free_before
    detail = {"before": _treat(before), "after": _treat(after), "free_days_before": free_before,
              "free_days_after": free_after, "alert_days": dict(alert_days),
              "fewer_measures_levels": unquantified}
    if daily_output_value_yuan is not None:
        detail["output_value_yuan"] = round_half_up(dec(daily_output_value_yuan) * gained)
    basis = Text(f"预警日中无强制限产的天数：{free_before} → {free_after}"
                 + ("；“少采取措施”的天数文件未给出数值" if unquantified else ""),
                 f"alert days with no mandated production limit: {free_before} → {free_after}"
                 + ("; 'fewer measures' days have no number in the texts" if unquantified else ""))
    return Figure("emergency_days", Decimal(gained), "days", basis, refs, detail)


def _treat(t: dict) -> dict:
    return {cat: {"treatment": v[0], "policy_id": v[1], "refs": list(v[2])} for cat, v in t.items()}


def carbon_bonus(target: Evaluation, price_yuan_per_t: Decimal | None) -> Figure | None:
    """The extra allowance the target earns (CQ-A1-9), in tCO2 and, given a price, in yuan."""
    bonus = next((b for b in target.benefits if b.category == "carbon_quota" and b.quantity
                  and b.quantity.value is not None), None)
    if bonus is None:
        return None
    detail = {"policy_id": bonus.policy_id}
    if price_yuan_per_t is not None:
        detail["value_yuan"] = round_half_up(bonus.quantity.value * dec(price_yuan_per_t))
        detail["price_yuan_per_t"] = dec(price_yuan_per_t)
    return Figure("carbon_allowance", bonus.quantity.value, bonus.quantity.unit, bonus.quantity.basis,
                  bonus.refs, detail)


def cash_rewards(current: Evaluation, target: Evaluation, later: Callable[[date], Evaluation]) -> list[Figure]:
    """Rewards in yuan the target earns (Xiangtan, Shaanxi, Luzhou): payable now, or once a holding period
    asked by the clause is served (SN-52-2), evaluated on the day it is; caps and budget are in each basis."""
    now = {b.policy_id: b for b in current.benefits}
    out = []
    for b in target.benefits:
        if b.quantity is not None and b.quantity.unit == "yuan":
            before = now.get(b.policy_id)
            out.append(Figure("cash_reward", b.quantity.value, "yuan", b.quantity.basis, b.refs,
                              {"policy_id": b.policy_id, "payable_from": target.as_of, "new": before is None,
                               "current_value": before.quantity.value if before and before.quantity else None}))
    for n in target.not_applicable:
        dues = [s.values.get("due") for s in n.steps if s.values.get("due")]
        if not dues or any(m["condition"] != "held_for" for m in n.missing):
            continue          # only a holding period stands between the target and the reward
        due = max(dues)
        b = next((x for x in later(due).benefits if x.policy_id == n.policy_id), None)
        if b is not None and b.quantity is not None and b.quantity.unit == "yuan":
            basis = Text(f"{due}起（保持满期后）：{b.quantity.basis.zh}",
                         f"from {due} (once the grade has been held long enough): {b.quantity.basis.en}")
            out.append(Figure("cash_reward", b.quantity.value, "yuan", basis, b.refs,
                              {"policy_id": b.policy_id, "payable_from": due, "new": n.policy_id not in now,
                               "current_value": None}))
    return out


def emission_rights(current: Evaluation, target: Evaluation, upgrade_on: date,
                    surplus_t: Decimal | None) -> list[Figure]:
    """Ningxia's certification deadline (NX-A1-10) and the reserve priority (SX-4-6, NAT-10-3) as statements."""
    out = []
    now = {b.policy_id for b in current.benefits}
    for b in target.benefits:
        if b.category != "emission_rights":
            continue
        detail = {"policy_id": b.policy_id, "new": b.policy_id not in now}
        if surplus_t is not None:
            detail["surplus_emission_rights_t"] = dec(surplus_t)
        if b.policy_id == "ningxia.emission_rights_trading":
            months = next((s.values.get("certification_months") for s in b.explanation
                           if "certification_months" in s.values), 1)
            deadline = add_months(upgrade_on, int(months))
            detail["certification_deadline"] = deadline
            out.append(Figure("emission_rights_certification", None, "date",
                              Text(f"晋A后1个月内完成可交易排污权认定：不晚于{deadline}",
                                   f"surplus rights certified tradable within one month of the upgrade: by {deadline}"),
                              b.refs, detail))
        else:
            rank = 1 if "provincial" in b.policy_id else 2
            detail["priority_rank"] = rank
            out.append(Figure("emission_rights_priority", None, "rank", b.title, b.refs, detail))
    return out


def enforcement_counts(current: Evaluation, target: Evaluation) -> Figure:
    """How many inspection and enforcement measures apply, before and after."""
    cats = ("enforcement",)
    before = [b.policy_id for b in current.benefits if b.category in cats]
    after = [b.policy_id for b in target.benefits if b.category in cats]
    refs = tuple(sorted({r for b in target.benefits if b.category in cats for r in b.refs}))
    return Figure("enforcement_measures", Decimal(len(after) - len(before)), "measures",
                  Text(f"检查执法方面的优待措施：{len(before)} → {len(after)} 项",
                       f"inspection and enforcement measures: {len(before)} → {len(after)}"),
                  refs, {"before": before, "after": after})


def tax_saving(before_rows: list[dict], after_rows: list[dict], months: int) -> Figure:
    """Tax due before − after per year, split into the part from lower emission and the part from the tier.

    emission part = Σ (tax before reduction, before − after) × the factor before (at the old tier);
    tier part = total − emission part (so the two add up to the total exactly, to the fen).
    A year is the data's months scaled to 12 (parameter: the data are taken as typical of the year).
    """
    key = lambda r: (r["outlet"], r["pollutant"], r["month"])
    after = {key(r): r for r in after_rows}
    due_before = sum((dec(r["tax_due"]) for r in before_rows), ZERO)
    due_after = sum((dec(r["tax_due"]) for r in after_rows), ZERO)
    emission_part = ZERO
    per_row = []
    for r in before_rows:
        a = after.get(key(r))
        if a is None:
            continue
        emission_part += (dec(r["tax_before_reduction"]) - dec(a["tax_before_reduction"])) * dec(r["factor"])
        per_row.append({"outlet": r["outlet"], "pollutant": r["pollutant"], "month": r["month"],
                        "tier_before": r["tier"], "tier_after": a["tier"], "tax_due_before": dec(r["tax_due"]),
                        "tax_due_after": dec(a["tax_due"])})
    scale = Decimal(12) / Decimal(max(months, 1))
    total = round_half_up((due_before - due_after) * scale)
    from_emission = round_half_up(emission_part * scale)
    detail = {"tax_due_before": round_half_up(due_before), "tax_due_after": round_half_up(due_after),
              "months_of_data": months, "annualised_by": f"12/{months}", "from_lower_emission": from_emission,
              "from_reduction_tier": total - from_emission, "rows": per_row}
    basis = Text(f"({round_half_up(due_before)} − {round_half_up(due_after)}) × 12/{months}；其中排放量下降 "
                 f"{from_emission}，减征档次 {total - from_emission}",
                 f"({round_half_up(due_before)} − {round_half_up(due_after)}) × 12/{months}; from lower emission "
                 f"{from_emission}, from the reduction tier {total - from_emission}")
    return Figure("env_tax_saving", total, "yuan/year", basis, ("LAW-13", "NAT-11-TAX"), detail)


def after_records(before_rows: list[dict], targets: dict[str, dict]) -> list[dict]:
    """Monthly records after the upgrade, built from the assessment before it: for each outlet × pollutant ×
    month with a target below its mean C, every hourly value scales by f = target ÷ C, so at the same flow
    the emission, the mean and the highest hour scale by f too (the mean becomes the target exactly)."""
    out = []
    for r in before_rows:
        if r["avg_concentration"] is None:
            continue
        avg, top, emission = dec(r["avg_concentration"]), dec(r["max_concentration"]), dec(r["emission_kg"])
        t = (targets.get(str(r["outlet"])) or {}).get(str(r["pollutant"]))
        f = min(Decimal(1), dec(t) / avg) if t is not None and avg > 0 else Decimal(1)
        out.append({"outlet": r["outlet"], "pollutant": r["pollutant"], "month": r["month"],
                    "source": r["data_source"], "emission_kg": str((emission * f).quantize(SCENARIO_STEP)),
                    "avg_concentration": str(avg if f == 1 else dec(t)),
                    "max_concentration": str((top * f).quantize(SCENARIO_STEP))})
    return out


__all__ = [
    "FEN",
    "Figure",
    "add_months",
    "after_records",
    "carbon_bonus",
    "emergency_days",
    "emission_rights",
    "enforcement_counts",
    "gained_and_lost",
    "tax_saving",
]
