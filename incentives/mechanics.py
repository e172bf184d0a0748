"""Grading mechanics of the eleven jurisdictions (issue 13), as condition, treatment and quantity kinds.

Each kind is documented for analysts in policies/VOCABULARY.md; the catalogue names it in YAML and this
module evaluates it. A check takes (condition, subject, policy, resolver) and returns
(outcome, step, missing, info) like the engine's own checks; the engine registers CHECKS.

- grade_in           the managed grade is one of a literal list (Shanxi: B exempt in 2020-21, not in 2021-22)
- grade_below        the managed grade is below a ceiling (Hebei: provisional promotion; Shanxi JIN-15)
- not_lowest_grade   the managed grade is not the lowest of its industry's scale (Luzhou "C（非最低等级）")
- held_for           a grade at or above a floor held without a break for a period (Shaanxi SN-52-2)
- obtained_within    a grade reached by a rating dated inside a window, however late as_of is (Xiangtan XT-25)
- fact_compare       a number fact compared with a literal or a parameter (Tianjin TJ-20-1, Hebei HB-WT-1b)
- located_in         the facility lies in one of several divisions of the measure's jurisdiction (Hunan's 8 cities)
- alert_level        the alert level asked about is one of a list (Tianjin: yellow and orange, not red)
- all_of             every one of several conditions (inside an emergency or staggered-production rule)
Measure parts: `staggered` (seasonal 错峰 treatment by grade, its calendar by id), `requirement` (a grade an
obligation demands, checked: met / not met / unknown), quantity `cash_reward` (yuan, caps, budget).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .explain import Step, Text
from .grades import LETTER_RANK, LOWEST_OF_SCALE
from .money import ZERO, dec, round_half_up
from .periods import UncoveredDate, Window
from .upgrade_dates import add_months

OPS = {"lt": ("<", lambda a, b: a < b), "le": ("≤", lambda a, b: a <= b),
       "gt": (">", lambda a, b: a > b), "ge": ("≥", lambda a, b: a >= b)}
STAGGER_BENEFITS = ("exempt", "may_shorten")
STAGGER_OBLIGATIONS = ("staggered", "stop")
STAGGER_TEXT = {"exempt": ("豁免错峰生产", "exempt from staggered production"),
                "may_shorten": ("可适当缩短错峰时间", "may have a shorter staggered time"),
                "staggered": ("实施错峰生产", "staggered production"),
                "stop": ("停产", "production stopped"), None: ("无特别规定", "nothing stated")}


# --- conditions --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GradeIn:
    """The managed grade, as written (no 引领 mapping, no B- reading), is one of `grades`."""
    grades: tuple[str, ...]
    ref: str


@dataclass(frozen=True, slots=True)
class GradeBelow:
    """The managed grade ranks below `ceiling` under the jurisdiction's 引领 mapping and B- reading."""
    ceiling: str
    ref: str


@dataclass(frozen=True, slots=True)
class NotLowestGrade:
    """Graded, and no industry line is at the lowest grade of its own scale (a C where the scale has a D)."""
    ref: str


@dataclass(frozen=True, slots=True)
class HeldFor:
    """A grade at `floor` or better held on every line without a break for `months` (a number or a parameter)."""
    floor: str
    months: int | str
    ref: str
    same_level: bool = False         # the floor is the current grade's level when higher (one reward per level)


@dataclass(frozen=True, slots=True)
class ObtainedWithin:
    """A rating at `floor` or better dated inside [start, last] (whatever as_of is), still held at as_of."""
    floor: str | None
    start: date | str | None         # a date or a date parameter (the first day)
    last: date | str | None          # a date or a date parameter (the last day)
    ref: str


@dataclass(frozen=True, slots=True)
class FactCompare:
    """A Decimal fact compared (lt, le, gt, ge) with a literal or a parameter; missing fact: not met."""
    fact: str
    op: str
    value: str                       # a decimal literal or a parameter name
    ref: str


@dataclass(frozen=True, slots=True)
class LocatedIn:
    """The facility division lies inside one of `divisions` (GB/T 2260 prefixes)."""
    divisions: tuple[str, ...]
    ref: str


@dataclass(frozen=True, slots=True)
class AlertLevelIn:
    """The alert level asked about is one of `levels` (no level asked: not met, with the levels shown)."""
    levels: tuple[str, ...]
    ref: str


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every one of `options` holds."""
    options: tuple
    ref: str


CONDITIONS = (GradeIn, GradeBelow, NotLowestGrade, HeldFor, ObtainedWithin, FactCompare, LocatedIn, AlertLevelIn,
              AllOf)


# --- measure parts --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StaggerRule:
    when: Any
    treatment: str                   # STAGGER_BENEFITS + STAGGER_OBLIGATIONS


@dataclass(frozen=True, slots=True)
class Staggered:
    """Seasonal staggered production: ordered rules, then `otherwise`; the season's days are `calendar`'s."""
    calendar: str                    # a calendar id of the emergency data (shared/reference/emergency.md §2)
    rules: tuple[StaggerRule, ...]
    otherwise: str | None
    ref: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """A grade an obligation demands of a project (fact new_project_grade) or of the enterprise, by a date."""
    subject: str                     # project | enterprise
    at_least: str
    by: date | None
    ref: str


@dataclass(frozen=True, slots=True)
class CashReward:
    """A reward in yuan: an amount (by grade or one figure) or, without one, what the cap leaves; caps, budget."""
    ref: str
    amount: str | None = None        # parameter: rates_by_grade (yuan by grade) or decimal
    cap: str | None = None           # parameter: per-firm total cap (decimal)
    budget: str | None = None        # parameter: the fund's total (decimal), shown in the basis
    budget_limited: bool = False     # "奖完为止": paid in order of application while the budget lasts
    per_level_once: bool = False     # one reward per grade level (levels_fact lists those already rewarded)
    received_fact: str | None = None # yuan already received under this measure
    levels_fact: str | None = None
    up_to: bool = False              # the figure is a maximum ("最高", "不超过")


# --- helpers -------------------------------------------------------------------------------------------

def param_value(policy, name: str, as_of: date):
    """The value record of a measure's parameter in force at as_of (policy.params); before its first value
    (the measure is then outside its window too) the first one, so the explanation still reads."""
    param = policy.params[name]
    try:
        return param.at(as_of)
    except UncoveredDate:
        return min(param.values, key=lambda v: abs(((v.window.start or as_of) - as_of).days))


def _literal_or_param(policy, value: str, as_of: date) -> tuple[Decimal, dict]:
    if value in policy.params:
        rec = param_value(policy, value, as_of)
        return dec(rec.value), {"parameter": value, "parameter_ref": rec.ref}
    return dec(value), {}


def _met(cond, text: Text, values: dict, info=None):
    return "met", Step(cond.ref, text, "met", values), (), info


def _not_met(cond, text: Text, values: dict, needed, actual, condition: str):
    miss = {"condition": condition, "needed": needed, "actual": actual, "ref": cond.ref}
    return "not_met", Step(cond.ref, text, "not_met", values, needed=str(needed)), (miss,), None


# --- checks -------------------------------------------------------------------------------------------

def check_grade_in(cond: GradeIn, s, policy, r, checks):
    g = s.grade
    ok = g in cond.grades
    listed = "、".join(cond.grades)
    text = Text(f"管理等级{g or '未评级'}，本条列举{listed}：{'满足' if ok else '不满足'}",
                f"managed grade {g or 'none'}; the clause lists {', '.join(cond.grades)}: {'met' if ok else 'not met'}")
    values = {"grade": g, "listed": list(cond.grades)}
    if ok:
        return _met(cond, text, values)
    return _not_met(cond, text, values, list(cond.grades), g, "grade")


def check_grade_below(cond: GradeBelow, s, policy, r, checks):
    g = s.grade
    ok = g is not None and r.rank(g, policy) < LETTER_RANK[cond.ceiling]
    text = Text(f"管理等级{g or '未评级'}低于{cond.ceiling}级：{'满足' if ok else '不满足'}",
                f"managed grade {g or 'none'} below {cond.ceiling}: {'met' if ok else 'not met'}")
    values = {"grade": g, "ceiling": cond.ceiling}
    if ok:
        return _met(cond, text, values)
    return _not_met(cond, text, values, f"below {cond.ceiling}", g, "grade")


def check_not_lowest(cond: NotLowestGrade, s, policy, r, checks):
    lines = [(i.industry, i.branch, i.scale, i.grade) for i in s.state.industries]
    at_lowest = [ln for ln in lines if ln[3] is None or ln[3] == LOWEST_OF_SCALE.get(ln[2])]
    ok = bool(lines) and not at_lowest
    shown = "；".join(f"{b}（{sc}）：{g or '未评级'}" for _, b, sc, g in lines) or "无行业"
    shown_en = "; ".join(f"{b} ({sc}): {g or 'unrated'}" for _, b, sc, g in lines) or "no industry"
    text = Text(f"等级非所属行业最低等级（{shown}）：{'满足' if ok else '不满足'}",
                f"grade not the lowest of its industry's scale ({shown_en}): {'met' if ok else 'not met'}")
    values = {"lines": [{"branch": b, "scale": sc, "grade": g, "lowest": LOWEST_OF_SCALE.get(sc)}
                        for _, b, sc, g in lines]}
    if ok:
        return _met(cond, text, values)
    return _not_met(cond, text, values, "a grade above the lowest of the scale",
                    [ln[3] for ln in at_lowest] or None, "not_lowest_grade")


def held_since(state, floor: str, rank, until: date) -> date | None:
    """First day of the unbroken run, up to `until`, in which every line was at `floor` or better.

    Read from the upgrades the ledger records whatever the history option: a line's run starts with its
    last upgrade that crossed into `floor` or better (a first rating, a return after a downgrade or a
    sanction); a line below `floor` now has no run. Without such an upgrade, its rating date."""
    floor_rank = LETTER_RANK[floor]
    starts = []
    for line in state.industries:
        if line.grade is None or rank(line.grade) < floor_rank:
            return None
        crossings = [u.effective for u in state.upgrades
                     if u.industry == line.industry and u.effective <= until and rank(u.to_grade) >= floor_rank
                     and (u.from_grade is None or rank(u.from_grade) < floor_rank)]
        start = max(crossings) if crossings else line.rated_on
        if start is None:
            return None
        starts.append(start)
    return max(starts) if starts else None


def check_held_for(cond: HeldFor, s, policy, r, checks):
    if isinstance(cond.months, str):
        rec = param_value(policy, cond.months, s.as_of)
        months, pref = int(rec.value), {"parameter": cond.months, "parameter_ref": rec.ref}
    else:
        months, pref = cond.months, {}
    floor = cond.floor
    current = s.grade
    if cond.same_level and current is not None and r.rank(current, policy) > LETTER_RANK[floor]:
        floor = r.tier(current, policy)
    since = held_since(s.state, floor, lambda g: r.rank(g, policy), s.as_of)
    current_ok = r.rank(current, policy) >= LETTER_RANK[floor]
    due = add_months(since, months) if since and current_ok else None
    ok = due is not None and due <= s.as_of
    values = {"floor": floor, "held_since": since, "months": months, "due": due, **pref}
    if ok:
        return _met(cond, Text(f"{since}起连续保持{floor}级及以上，至{s.as_of}已满{months}个月（{due}满）",
                               f"{floor} or better held since {since}: {months} months reached on {due}"),
                    values)
    if due is not None:
        text = Text(f"{since}起保持{floor}级及以上，{due}才满{months}个月",
                    f"{floor} or better held since {since}: {months} months only on {due}")
        return _not_met(cond, text, values, f"held {months} months (from {due})", since.isoformat(), "held_for")
    text = Text(f"未连续保持{floor}级及以上", f"{floor} or better not held without a break")
    return _not_met(cond, text, values, f"{floor} or better held {months} months", None, "held_for")


def _day(policy, day, as_of: date) -> date | None:
    if isinstance(day, str):
        return param_value(policy, day, as_of).value
    return day


def check_obtained_within(cond: ObtainedWithin, s, policy, r, checks):
    start, last = _day(policy, cond.start, s.as_of), _day(policy, cond.last, s.as_of)
    win = Window.from_inclusive(start, last)
    span = f"{start or '…'}..{last or '…'}"
    allowed = r.at_least(cond.floor, policy)
    current = r.rank(s.grade, policy)
    got = [u for u in s.state.upgrades if u.to_grade in allowed and win.contains(u.effective)
           and u.effective <= s.as_of and current >= r.rank(u.to_grade, policy)]
    if got:
        best = max(got, key=lambda u: (r.rank(u.to_grade, policy), u.effective))
        text = Text(f"{best.effective} 获评{best.to_grade}级（由{best.from_grade or '未评级'}），在{span}内",
                    f"rated {best.to_grade} on {best.effective} (from {best.from_grade or 'unrated'}), within {span}")
        return _met(cond, text, {"to": best.to_grade, "from": best.from_grade, "effective": best.effective,
                                 "window": span}, best)
    later = [u for u in s.state.upgrades if u.to_grade in allowed and u.effective <= s.as_of]
    if later:
        u = max(later, key=lambda u: u.effective)
        text = Text(f"{u.effective} 获评{u.to_grade}级，不在{span}内（或等级未保持）",
                    f"rated {u.to_grade} on {u.effective}: not within {span} (or not held)")
        return _not_met(cond, text, {"window": span}, span, u.effective.isoformat(), "obtained_within")
    text = Text(f"{span}内没有获评{cond.floor or ''}级及以上的记录",
                f"no rating to {cond.floor or 'a higher grade'} within {span}")
    return _not_met(cond, text, {"window": span}, span, None, "obtained_within")


def check_fact_compare(cond: FactCompare, s, policy, r, checks):
    bound, pref = _literal_or_param(policy, cond.value, s.as_of)
    sign, op = OPS[cond.op]
    raw = s.facts.get(cond.fact)
    values = {cond.fact: raw, "op": cond.op, "bound": bound, **pref}
    if raw is None:
        text = Text(f"缺少事实{cond.fact}（需{sign} {bound}）", f"fact {cond.fact} unknown (needs {sign} {bound})")
        miss = {"condition": cond.fact, "needed": f"{sign} {bound}", "actual": None, "ref": cond.ref}
        return "not_met", Step(cond.ref, text, "unknown", values, needed=f"{cond.fact} {sign} {bound}"), (miss,), None
    v = dec(raw)
    ok = op(v, bound)
    text = Text(f"{cond.fact} = {v} {sign} {bound}：{'满足' if ok else '不满足'}",
                f"{cond.fact} = {v} {sign} {bound}: {'met' if ok else 'not met'}")
    if ok:
        return _met(cond, text, values)
    return _not_met(cond, text, values, f"{sign} {bound}", str(v), cond.fact)


def check_located_in(cond: LocatedIn, s, policy, r, checks):
    div = s.state.facility_division
    hit = next((d for d in cond.divisions if div.startswith(_prefix(d))), None)
    text = Text(f"设施所在地{div}{'在' if hit else '不在'}{'、'.join(cond.divisions)}内",
                f"facility division {div} {'is' if hit else 'is not'} inside {', '.join(cond.divisions)}")
    values = {"facility_division": div, "divisions": list(cond.divisions)}
    if hit:
        return _met(cond, text, values)
    return _not_met(cond, text, values, list(cond.divisions), div, "located_in")


def _prefix(code: str) -> str:
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def check_alert_level(cond: AlertLevelIn, s, policy, r, checks):
    lv = s.alert_level
    if lv is None:       # no level asked: the measure is shown, saying at which levels it holds
        return "unknown", Step(cond.ref, Text(f"仅适用于{'、'.join(cond.levels)}预警", f"applies at {', '.join(cond.levels)} only"),
                               "unknown", {"alert_level": None, "levels": list(cond.levels)}), (), None
    ok = lv in cond.levels
    text = Text(f"预警级别{lv or '未指定'}{'在' if ok else '不在'}{'、'.join(cond.levels)}中",
                f"alert level {lv or 'not given'} {'is' if ok else 'is not'} among {', '.join(cond.levels)}")
    values = {"alert_level": lv, "levels": list(cond.levels)}
    if ok:
        return _met(cond, text, values)
    return _not_met(cond, text, values, list(cond.levels), lv, "alert_level")


def check_all_of(cond: AllOf, s, policy, r, checks):
    results = [checks[type(o)](o, s, policy, r) for o in cond.options]
    failed = [res for res in results if res[0] == "not_met"]
    joined = Text("；".join(st.text.zh for _, st, _, _ in results), "; ".join(st.text.en for _, st, _, _ in results))
    if not failed:
        outcome = "unknown" if any(o == "unknown" for o, *_ in results) else "met"
        return outcome, Step(cond.ref, joined, outcome, {}), (), next((i for *_, i in results if i), None)
    missing = tuple(m for _, _, miss, _ in failed for m in miss)
    return "not_met", Step(cond.ref, joined, "not_met", {}), missing, None


CHECKS = {GradeIn: check_grade_in, GradeBelow: check_grade_below, NotLowestGrade: check_not_lowest,
          HeldFor: check_held_for, ObtainedWithin: check_obtained_within, FactCompare: check_fact_compare,
          LocatedIn: check_located_in, AlertLevelIn: check_alert_level, AllOf: check_all_of}


def _bound(fn, checks: dict):
    return lambda c, s, p, r: fn(c, s, p, r, checks)


def bind(checks: dict) -> dict:
    """These checks in the engine's calling convention (cond, s, policy, r), closed over its dispatch table."""
    return {kind: _bound(fn, checks) for kind, fn in CHECKS.items()}


# --- staggered production ------------------------------------------------------------------------------

def staggered_treatment(st: Staggered, s, policy, r, checks) -> tuple[str | None, list[Step], list[dict]]:
    """The season's treatment (first rule that holds, else `otherwise`), its steps, and what a benefit lacks."""
    steps, benefit_missing = [], []
    chosen = st.otherwise
    for rule in st.rules:
        outcome, step, miss, _ = checks[type(rule.when)](rule.when, s, policy, r)
        if outcome != "not_met":
            chosen = rule.treatment
            steps.append(step)
            break
        if rule.treatment in STAGGER_BENEFITS:
            benefit_missing.extend(miss)
    zh, en = STAGGER_TEXT[chosen]
    steps.append(Step(st.ref, Text(f"错峰生产（日历{st.calendar}）：{zh}", f"staggered production (calendar "
                                   f"{st.calendar}): {en}"),
                      "met" if chosen in STAGGER_BENEFITS else "not_met",
                      {"calendar": st.calendar, "treatment": chosen}))
    return chosen, steps, benefit_missing


# --- requirements (obligations) -------------------------------------------------------------------------

def requirement_step(req: Requirement, s, policy, r) -> Step:
    """Whether the project or the enterprise meets the grade the obligation demands (met / not_met / unknown)."""
    if req.subject == "project":
        g = s.facts.get("new_project_grade")
        who_zh, who_en = "项目设计等级", "the project's design grade"
    else:
        g = s.grade
        who_zh, who_en = "管理等级", "the managed grade"
    by_zh = f"（{req.by}前）" if req.by else ""
    by_en = f" by {req.by}" if req.by else ""
    values = {"subject": req.subject, "grade": g, "at_least": req.at_least, "by": req.by}
    if g is None:
        return Step(req.ref, Text(f"要求{req.at_least}级及以上{by_zh}；{who_zh}未知",
                                  f"{req.at_least} or better required{by_en}; {who_en} unknown"),
                    "unknown", values, needed=f"{req.at_least} or better")
    ok = r.rank(g, policy) >= LETTER_RANK[req.at_least]
    return Step(req.ref, Text(f"要求{req.at_least}级及以上{by_zh}；{who_zh}{g}：{'满足' if ok else '尚未满足'}",
                              f"{req.at_least} or better required{by_en}; {who_en} {g}: "
                              f"{'met' if ok else 'not yet met'}"),
                "met" if ok else "not_met", values, needed=None if ok else f"{req.at_least} or better")


# --- cash rewards -----------------------------------------------------------------------------------------

def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if v == v.to_integral_value() else f"{v:,.2f}"


def cash_reward(q: CashReward, policy, grade: str | None, tier: str | None, facts: Mapping, as_of: date):
    """(value, basis, values) of a cash reward for `grade` (the grade obtained; `tier` its letter)."""
    zh, en, values = [], [], {"grade": grade}
    amount = None
    if q.amount:
        rec = param_value(policy, q.amount, as_of)
        if isinstance(rec.value, Mapping):
            key = grade if grade in rec.value else tier
            amount = dec(rec.value[key]) if key in rec.value else None
        else:
            amount = dec(rec.value)
        values.update(amount=amount, amount_ref=rec.ref)
        if amount is not None:
            zh.append(f"{grade}级{'最高' if q.up_to else ''}{_yuan(amount)}元（{rec.ref}）")
            en.append(f"{'up to ' if q.up_to else ''}{_yuan(amount)} yuan for {grade} ({rec.ref})")
    level = tier if grade not in ("引领",) else grade
    if q.per_level_once and q.levels_fact:
        raw = facts.get(q.levels_fact) or ()
        done = [x.strip() for x in raw.split(",")] if isinstance(raw, str) else [str(x) for x in raw]
        values["levels_rewarded"] = done
        if level in done:
            zh.append(f"{level}级已奖励过，每级只奖励一次")
            en.append(f"level {level} was already rewarded: one reward per level")
            return ZERO, Text("；".join(zh), "; ".join(en)), values
        zh.append("各等级只奖励一次")
        en.append("one reward per grade level")
    value = amount
    if q.cap:
        rec = param_value(policy, q.cap, as_of)
        cap = dec(rec.value)
        received = dec(facts.get(q.received_fact) or 0) if q.received_fact else ZERO
        left = max(cap - received, ZERO)
        values.update(cap=cap, cap_ref=rec.ref, received=received)
        value = left if value is None else min(value, left)
        known = q.received_fact is None or facts.get(q.received_fact) is not None
        zh.append(f"每家总额不超过{_yuan(cap)}元（{rec.ref}）" + (f"，已获{_yuan(received)}元" if received else "")
                  + ("" if known else "，已获奖励未知（按0计）"))
        en.append(f"at most {_yuan(cap)} yuan per firm in total ({rec.ref})"
                  + (f", {_yuan(received)} already received" if received else "")
                  + ("" if known else ", rewards already received unknown (taken as 0)"))
        if amount is None:
            zh.append("具体金额未公布，此为上限")
            en.append("the amount itself is not published: this is the ceiling")
    if q.budget:
        rec = param_value(policy, q.budget, as_of)
        values.update(budget=dec(rec.value), budget_ref=rec.ref)
        zh.append(f"专项资金共{_yuan(dec(rec.value))}元（{rec.ref}）")
        en.append(f"from a fund of {_yuan(dec(rec.value))} yuan ({rec.ref})")
    if q.budget_limited:
        zh.append("按申请先后兑现，奖完为止：能否支付取决于预算余额")
        en.append("paid in order of application until the budget runs out: payment depends on the budget left")
    values["up_to"] = q.up_to
    value = None if value is None else round_half_up(value)
    return value, Text("；".join(zh), "; ".join(en)), values
