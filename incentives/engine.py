"""The benefits engine: enterprise state + as_of + policies -> benefits, obligations and reasons (pure)."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import policies as registry

from . import mechanics
from .explain import Step, Text
from .grades import CANONICAL, LETTER_RANK, LOWEST_OF_SCALE, canonical_grade
from .interpretations import Interpretations
from .money import dec
from .periods import Window
from .policy import (
    ALERT_CATEGORY,
    ALERT_LEVELS,
    BENEFIT_TREATMENTS,
    OBLIGATION_TREATMENTS,
    AdvancedGrade,
    AnyOf,
    Fact,
    GradeAtLeast,
    InIndustry,
    LowestGrade,
    Policy,
    Quantity,
    Upgraded,
)
from .reference import division_chain
from .state import EnterpriseState

CODE_VERSION = "engine-1"

# Facts the clauses need (EnterpriseState.facts): policies/facts.yaml; name -> {type, description, refs}.
FACTS: Mapping[str, dict[str, Any]] = registry.FACTS
_GRADE_FACTS = tuple(n for n, d in FACTS.items() if d["type"] == "grade")


@dataclass(frozen=True, slots=True)
class Context:
    """Per-request inputs besides the state: alert level, drafts switch, interpretations."""
    alert_level: str | None = None
    include_drafts: bool | None = None          # None: interpretations.include_drafts
    interpretations: Interpretations = field(default_factory=Interpretations)

    def __post_init__(self):
        if self.alert_level is not None and self.alert_level not in ALERT_LEVELS:
            raise ValueError(f"alert_level: allowed values are {', '.join(ALERT_LEVELS)}")

    @property
    def drafts(self) -> bool:
        """Whether draft measures are evaluated."""
        return self.interpretations.include_drafts if self.include_drafts is None else self.include_drafts


@dataclass(frozen=True, slots=True)
class Benefit:
    """A measure the enterprise gets, with the law and the reasons."""
    policy_id: str
    refs: tuple[str, ...]
    category: str
    jurisdiction: str
    title: Text
    source: Any
    effective: Window                 # [from, to); the API shows effective.last_day as `to`
    quantity: Quantity | None
    explanation: tuple[Step, ...]
    status: str                       # in_force | draft
    treatment: Mapping[str, str] | None = None   # emergency: alert category -> treatment


@dataclass(frozen=True, slots=True)
class Obligation:
    """A measure that binds the enterprise (an emergency list, a project requirement): not a benefit."""
    policy_id: str
    refs: tuple[str, ...]
    category: str
    jurisdiction: str
    title: Text
    source: Any
    effective: Window
    explanation: tuple[Step, ...]
    status: str
    treatment: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """A benefit the enterprise does not get, and what is missing for it."""
    policy_id: str
    refs: tuple[str, ...]
    category: str
    jurisdiction: str
    title: Text
    status: str
    missing: tuple[dict, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything one evaluation found, with what it was computed from."""
    benefits: tuple[Benefit, ...]
    not_applicable: tuple[NotApplicable, ...]
    obligations: tuple[Obligation, ...]
    as_of: date
    include_drafts: bool
    alert_level: str | None
    parameters: Mapping[str, Any]
    ruleset: str


# --- grade tiers: the one place grades are compared ----------------------------------------------------

class _Resolver:
    """Grade sets and tiers under one set of interpretations (cached per Interpretations)."""

    def __init__(self, interp: Interpretations):
        self.interp = interp
        self._sets: dict = {}
        self._tiers: dict = {}

    def tier(self, grade: str | None, policy: Policy) -> str | None:
        """Letter grade a grade counts as for this policy (引领 mapping, B- reading)."""
        if grade is None:
            return None
        key = (grade, policy.policy_id)
        t = self._tiers.get(key)
        if t is None:
            t = self.interp.leading_for(policy.jurisdiction).letter(grade)
            if t == "B-" and self.interp.b_minus_for(policy.policy_id, policy.jurisdiction):
                t = "B"
            self._tiers[key] = t
        return t

    def rank(self, grade: str | None, policy: Policy) -> int:
        """Comparable rank of a grade for this policy (0 = not graded)."""
        t = self.tier(grade, policy)
        return LETTER_RANK[t] if t else 0

    def at_least(self, floor: str | None, policy: Policy) -> frozenset[str]:
        """Canonical grades that are `floor` or better for this policy; every grade when floor is None."""
        key = (floor, policy.policy_id)
        s = self._sets.get(key)
        if s is None:
            s = frozenset(CANONICAL) if floor is None else frozenset(
                g for g in CANONICAL if self.rank(g, policy) >= LETTER_RANK[floor])
            self._sets[key] = s
        return s

    def grades_of(self, cond, policy: Policy) -> frozenset[str]:
        """Grades that satisfy a grade condition."""
        if isinstance(cond, AdvancedGrade):
            return frozenset(self.interp.advanced_grades)
        return self.at_least(cond.floor, policy)

    def window(self, policy: Policy) -> Window:
        """The policy's window, its end set by a parameter or its interpretation override."""
        if policy.window_end is None:
            return policy.window
        key = ("window", policy.policy_id, policy.window)
        w = self._tiers.get(key)
        if w is None:
            last = (self.interp.override(policy.window_end)
                    or policy.params[policy.window_end].at(policy.window.start).value)
            w = self._tiers[key] = Window(policy.window.start, last + timedelta(days=1))
        return w

    def upgrade_window(self, cond: Upgraded, policy: Policy) -> Window:
        """Days an upgrade must fall in: the policy's window or from an interpretation date on."""
        if cond.since == "policy":
            return self.window(policy)
        return Window(self.interp.override(cond.since) or registry.PARAMETERS[cond.since].values[-1].value, None)


@lru_cache(maxsize=64)
def _resolver(interp: Interpretations) -> _Resolver:
    return _Resolver(interp)


def _ordered(grades: Iterable[str]) -> list[str]:
    s = set(grades)
    return [g for g in CANONICAL if g in s]


def _window_text(day: date, inside: bool, w: Window, span: str) -> Text:
    """The window sentence; a document whose date the text does not give says so instead of '…'."""
    if w.start is None:
        zh_span, en_span = "自印发之日起（文件未载明日期）", "since the document was issued (its text gives no date)"
        if w.end is not None:
            zh_span += f"至{w.last_day}"
            en_span += f" to {w.last_day}"
        return Text(f"{day} {'在' if inside else '不在'}有效期（{zh_span}）内",
                    f"{day} is {'within' if inside else 'outside'} the period {en_span}")
    return Text(f"{day} {'在' if inside else '不在'}有效期{span}内",
                f"{day} is {'within' if inside else 'outside'} {span}")


def _span(w: Window) -> str:
    a = w.start.isoformat() if w.start else "…"
    b = w.last_day.isoformat() if w.end else "…"
    return f"{a}..{b}"


def rate_for(rates: Mapping[str, Any], tier: str) -> Decimal | None:
    """The rate of the highest grade key not above `tier` (A+ upgrades take the A rate)."""
    best = None
    for key in rates:
        if LETTER_RANK[key] <= LETTER_RANK[tier] and (best is None or LETTER_RANK[key] > LETTER_RANK[best]):
            best = key
    return dec(rates[best]) if best else None


# --- the subject: what one evaluation reads from a state ------------------------------------------------

def fact_value(name: str, raw: Any) -> Any:
    """A fact as the conditions compare it (grades canonical); shared by both paths."""
    if raw is None:
        return None
    if name in _GRADE_FACTS:
        return canonical_grade(raw)
    return raw


@dataclass(slots=True)
class _Subject:
    state: EnterpriseState
    as_of: date
    alert_level: str | None
    chain: tuple[str, ...]
    grade: str | None
    rated_on: date | None
    industries: frozenset
    branches: frozenset
    at_lowest: bool
    facts: Mapping

    @classmethod
    def of(cls, state: EnterpriseState, as_of: date, alert_level: str | None) -> _Subject:
        inds = state.industries
        rated_on = next((i.rated_on for i in inds if i.grade == state.overall_grade), None)
        facts = {n: fact_value(n, state.facts.get(n)) for n in state.facts}
        return cls(state, as_of, alert_level, division_chain(state.facility_division), state.overall_grade,
                   rated_on, frozenset(i.industry for i in inds), frozenset(i.branch for i in inds),
                   any(i.grade is not None and i.grade == LOWEST_OF_SCALE.get(i.scale) for i in inds), facts)


# --- one-at-a-time checks: each returns (outcome, step, missing, info) ----------------------------------

def _check_grade(cond, s: _Subject, policy: Policy, r: _Resolver):
    g = s.grade
    allowed = r.grades_of(cond, policy)
    ok = g in allowed
    values = {"grade": g, "rated_on": s.rated_on, "status": s.state.status}
    if isinstance(cond, AdvancedGrade):
        values["advanced_grades"] = list(r.interp.advanced_grades)
        need_zh = need_en = "绩效等级先进（" + "、".join(r.interp.advanced_grades) + "）"
        need_en = "an advanced grade (" + ", ".join(r.interp.advanced_grades) + "; interpretation advanced_grades)"
    else:
        values["floor"] = cond.floor
        need_zh, need_en = f"{cond.floor}级及以上", f"{cond.floor} or better"
        if g in ("引领", "非引领"):
            values["leading_map"] = r.tier(g, policy)
        if g == "B-":
            values["b_minus_counts_as_b"] = r.interp.b_minus_for(policy.policy_id, policy.jurisdiction)
    shown = g or "未评级"
    text = Text(f"管理等级{shown}（{s.rated_on or '—'}评定），要求{need_zh}：{'满足' if ok else '不满足'}",
                f"managed grade {g or 'none'} (rated {s.rated_on or '—'}); needs {need_en}: "
                f"{'met' if ok else 'not met'}")
    if ok:
        return "met", Step(cond.ref, text, "met", values), (), None
    needed = _ordered(allowed)
    miss = {"condition": "grade", "needed": needed, "actual": g, "ref": cond.ref}
    return "not_met", Step(cond.ref, text, "not_met", values, needed="/".join(needed)), (miss,), None


def _check_lowest(cond: LowestGrade, s: _Subject, policy: Policy, r: _Resolver):
    ok = s.at_lowest
    text = Text(f"处于所属行业最低等级：{'是' if ok else '否'}", f"at the lowest grade of its scale: {ok}")
    values = {"grade": s.grade, "status": s.state.status}
    if ok:
        return "met", Step(cond.ref, text, "met", values), (), None
    miss = {"condition": "lowest_grade", "needed": True, "actual": s.grade, "ref": cond.ref}
    return "not_met", Step(cond.ref, text, "not_met", values, needed="lowest grade"), (miss,), None


def _check_upgrade(cond: Upgraded, s: _Subject, policy: Policy, r: _Resolver):
    allowed = r.at_least(cond.floor, policy)
    win = r.upgrade_window(cond, policy)
    g = s.grade
    current = r.rank(g, policy)
    to_grade = [u for u in s.state.upgrades if u.to_grade in allowed]
    dated = [u for u in to_grade if win.contains(u.effective) and u.effective <= s.as_of]
    held = [u for u in dated if current >= r.rank(u.to_grade, policy)]
    span = _span(win)
    if held:
        best = max(held, key=lambda u: (r.rank(u.to_grade, policy), u.effective))
        text = Text(f"{best.effective} 由{best.from_grade or '未评级'}提升至{best.to_grade}，在{span}期间",
                    f"upgraded from {best.from_grade or 'unrated'} to {best.to_grade} on {best.effective}, "
                    f"within {span}")
        values = {"from": best.from_grade, "to": best.to_grade, "effective": best.effective, "window": span}
        return "met", Step(cond.ref, text, "met", values), (), best
    need = _ordered(allowed) if cond.floor else "any upgrade"
    if not to_grade:
        last = max(s.state.upgrades, key=lambda u: u.effective, default=None)
        miss = {"condition": "upgrade", "needed": need, "actual": last.to_grade if last else None,
                "ref": cond.ref}
        text = Text(f"没有提升至{cond.floor or ''}及以上的记录", f"no upgrade to {cond.floor or 'a higher grade'}")
    elif not dated:
        last = max(to_grade, key=lambda u: u.effective)
        miss = {"condition": "upgrade_date", "needed": span, "actual": last.effective.isoformat(),
                "ref": cond.ref}
        text = Text(f"提升日期{last.effective}不在{span}内（或晚于{s.as_of}）",
                    f"upgrade on {last.effective} is not within {span} (or after {s.as_of})")
    else:
        miss = {"condition": "grade", "needed": [u.to_grade for u in dated], "actual": g, "ref": cond.ref}
        text = Text(f"升级后的等级未保持：现管理等级{g}", f"upgraded grade not held: now managed at {g}")
    return "not_met", Step(cond.ref, text, "not_met", {"window": span}, needed=str(miss["needed"])), (miss,), None


def _check_industry(cond: InIndustry, s: _Subject, policy: Policy, r: _Resolver):
    ok = bool(s.industries.intersection(cond.industries) or s.branches.intersection(cond.branches))
    wanted = list(cond.industries + cond.branches)
    text = Text(f"行业：{'、'.join(wanted)}：{'满足' if ok else '不满足'}",
                f"industry among {', '.join(wanted)}: {'met' if ok else 'not met'}")
    values = {"industries": sorted(s.industries), "branches": sorted(s.branches)}
    if ok:
        return "met", Step(cond.ref, text, "met", values), (), None
    miss = {"condition": "industry", "needed": wanted, "actual": sorted(s.industries), "ref": cond.ref}
    return "not_met", Step(cond.ref, text, "not_met", values, needed=", ".join(wanted)), (miss,), None


def _check_fact(cond: Fact, s: _Subject, policy: Policy, r: _Resolver):
    v = s.facts.get(cond.name)
    values = {cond.name: v}
    if v is None:
        outcome = "met" if cond.unknown == "pass" else "not_met"
        text = Text(f"缺少事实{cond.name}（{FACTS[cond.name]['description']}）",
                    f"fact {cond.name} unknown ({FACTS[cond.name]['description']})")
        step = Step(cond.ref, text, "unknown", values, needed=f"{cond.name} in {list(cond.allowed)}")
        if outcome == "met":
            return "unknown", step, (), None
        return "not_met", step, ({"condition": cond.name, "needed": list(cond.allowed), "actual": None,
                                  "ref": cond.ref},), None
    ok = v in cond.allowed
    desc = FACTS[cond.name]["description"]
    zh_v = {True: "是", False: "否"}.get(v, v) if isinstance(v, bool) else v
    text = Text(f"{desc}（{cond.name}）：{zh_v}，{'满足' if ok else '不满足'}",
                f"{desc} ({cond.name}): {v}, {'met' if ok else 'not met'}")
    if ok:
        return "met", Step(cond.ref, text, "met", values), (), None
    miss = {"condition": cond.name, "needed": list(cond.allowed), "actual": v, "ref": cond.ref}
    return "not_met", Step(cond.ref, text, "not_met", values, needed=str(list(cond.allowed))), (miss,), None


def _check_any(cond: AnyOf, s: _Subject, policy: Policy, r: _Resolver):
    results = [_CHECKS[type(o)](o, s, policy, r) for o in cond.options]
    for outcome, step, _, info in results:
        if outcome != "not_met":
            return outcome, step, (), info
    alternatives = [m for _, _, missing, _ in results for m in missing]
    text = Text("以下条件均不满足：" + "；".join(st.text.zh for _, st, _, _ in results),
                "none of these holds: " + "; ".join(st.text.en for _, st, _, _ in results))
    miss = {"condition": "any_of", "needed": alternatives, "actual": None, "ref": cond.ref}
    return "not_met", Step(cond.ref, text, "not_met", {}), (miss,), None


_CHECKS = {GradeAtLeast: _check_grade, AdvancedGrade: _check_grade, LowestGrade: _check_lowest,
           Upgraded: _check_upgrade, InIndustry: _check_industry, Fact: _check_fact, AnyOf: _check_any}
_CHECKS.update(mechanics.bind(_CHECKS))     # issue 13's condition kinds (incentives/mechanics.py)


def _treatments(policy: Policy, s: _Subject, r: _Resolver):
    """Emergency treatment per alert category in question; (treatments, steps, missing-for-a-benefit)."""
    resp = policy.response
    cats = resp.categories()
    if s.alert_level is not None:
        cat = ALERT_CATEGORY[s.alert_level]
        if cat not in cats:
            levels = [lv for lv in ALERT_LEVELS if ALERT_CATEGORY[lv] in cats]
            text = Text(f"预警/污染级别{s.alert_level}不在本条适用范围（{'、'.join(levels)}）",
                        f"alert level {s.alert_level} is outside this clause ({', '.join(levels)})")
            miss = {"condition": "alert_level", "needed": levels, "actual": s.alert_level, "ref": resp.ref}
            return None, [Step(resp.ref, text, "not_met", {"alert_level": s.alert_level})], [miss]
        cats = (cat,)
    treatments, steps, missing = {}, [], []
    for cat, rules, otherwise in resp.rules:
        if cat not in cats:
            continue
        chosen, benefit_missing = otherwise, None
        for rule in rules:
            outcome, step, miss, _ = _CHECKS[type(rule.when)](rule.when, s, policy, r)
            if outcome != "not_met":
                chosen = rule.treatment
                steps.append(step)
                break
            if rule.treatment in BENEFIT_TREATMENTS:
                benefit_missing = miss          # rules go best first: the last is the easiest to reach
        treatments[cat] = chosen
        zh = {"heavy": "重污染天气", "light_moderate": "中、轻度污染天气"}[cat]
        en = {"heavy": "heavy-pollution alerts", "light_moderate": "light/moderate pollution"}[cat]
        steps.append(Step(resp.ref, Text(f"{zh}：{chosen or '无特别措施'}", f"{en}: {chosen or 'no special treatment'}"),
                          "met" if chosen in BENEFIT_TREATMENTS else "not_met",
                          {"alert_category": cat, "treatment": chosen, "alert_level": s.alert_level}))
        if chosen not in BENEFIT_TREATMENTS and benefit_missing:
            missing.extend(benefit_missing)
    return MappingProxyType(treatments), steps, missing


def _staggered(policy: Policy, s: _Subject, r: _Resolver, win: Window, steps: list, missing: list,
               treatments, out: dict):
    """Seasonal staggered production (mechanics.Staggered): an obligation when the grade is staggered or
    stopped, a benefit when exempt or allowed fewer days; (treatments, whether the measure is settled)."""
    chosen, ssteps, smiss = mechanics.staggered_treatment(policy.staggered, s, policy, r, _CHECKS)
    steps.extend(ssteps)
    treatments = MappingProxyType({**(treatments or {}), "staggered_production": chosen})
    if chosen in mechanics.STAGGER_OBLIGATIONS:
        if not missing:
            out["obligations"].append(Obligation(policy.policy_id, policy.refs, policy.category,
                                                 policy.jurisdiction, policy.title, policy.source, win,
                                                 tuple(steps), policy.status, treatments))
        return treatments, True
    if chosen not in mechanics.STAGGER_BENEFITS:
        if policy.is_obligation:
            return treatments, True        # nothing in this measure binds the enterprise's grade
        missing.extend(smiss or [{"condition": "staggered_production", "needed": list(mechanics.STAGGER_BENEFITS),
                                  "actual": chosen, "ref": policy.staggered.ref}])
    return treatments, False


def _quantity(policy: Policy, s: _Subject, r: _Resolver, upgrade):
    """The quantity and its step (CQ-A1-9: rate by upgraded grade × a fact; a cash reward), else the basis."""
    q = policy.quantity
    if q is None:
        if policy.unquantified is None:
            return None, None
        return Quantity(None, "", policy.unquantified), None
    if isinstance(q, mechanics.CashReward):
        grade = upgrade.to_grade if upgrade is not None else s.grade
        value, basis, values = mechanics.cash_reward(q, policy, grade, r.tier(grade, policy), s.facts, s.as_of)
        if policy.unquantified is not None:
            basis = Text(f"{basis.zh}；{policy.unquantified.zh}", f"{basis.en}; {policy.unquantified.en}")
        return Quantity(value, "yuan", basis), Step(q.ref, basis, "met", values)
    rec = policy.params[q.rate_param].at(s.as_of)
    tier = r.tier(upgrade.to_grade, policy)
    rate = rate_for(rec.value, tier)
    amount = s.facts.get(q.fact)
    if amount is None or rate is None:
        basis = Text(f"缺少{q.fact}，无法计算", f"{q.fact} missing: cannot compute")
        return Quantity(None, q.unit, basis), Step(q.ref, basis, "unknown", {"rate": rate}, needed=q.fact)
    amount = dec(amount)
    value = rate * amount
    pct = (rate * 100).normalize()
    basis = Text(f"{pct}% × {amount} {q.unit}（{q.fact}）", f"{pct}% × {amount} {q.unit} ({q.fact})")
    step = Step(q.ref, Text(f"按{tier}级：{pct}% × {amount} = {value} {q.unit}",
                            f"for {tier}: {pct}% × {amount} = {value} {q.unit}"), "met",
                {"rate": rate, "rate_ref": rec.ref, "rate_source": rec.source, q.fact: amount, "tier": tier})
    return Quantity(value, q.unit, basis), step


def _evaluate_policy(policy: Policy, s: _Subject, r: _Resolver, out: dict) -> None:
    win = r.window(policy)
    in_window = win.contains(s.as_of)
    span = _span(win)
    steps = [Step(policy.refs[0], _window_text(s.as_of, in_window, win, span),
                  "met" if in_window else "not_met", {"window": span, "as_of": s.as_of,
                                                       "status": policy.status})]
    missing = [] if in_window else [{"condition": "window", "needed": span, "actual": s.as_of.isoformat(),
                                     "ref": policy.refs[0]}]
    upgrade = None
    for cond in policy.conditions:
        _outcome, step, miss, info = _CHECKS[type(cond)](cond, s, policy, r)
        steps.append(step)
        missing.extend(miss)
        upgrade = info or upgrade
    treatments = None
    if policy.response is not None:
        treatments, tsteps, tmiss = _treatments(policy, s, r)
        steps.extend(tsteps)
        if not missing and treatments and any(t in OBLIGATION_TREATMENTS for t in treatments.values()):
            out["obligations"].append(Obligation(policy.policy_id, policy.refs, policy.category,
                                                 policy.jurisdiction, policy.title, policy.source, win,
                                                 tuple(steps), policy.status, treatments))
        if treatments is None or not any(t in BENEFIT_TREATMENTS for t in treatments.values()):
            missing.extend(tmiss or ([] if treatments is None else
                                     [{"condition": "treatment", "needed": list(BENEFIT_TREATMENTS),
                                       "actual": dict(treatments), "ref": policy.response.ref}]))
    if policy.staggered is not None:
        treatments, done = _staggered(policy, s, r, win, steps, missing, treatments, out)
        if done:
            return
    if policy.requirement is not None:
        steps.append(mechanics.requirement_step(policy.requirement, s, policy, r))
    if policy.is_obligation:
        if not missing:
            out["obligations"].append(Obligation(policy.policy_id, policy.refs, policy.category,
                                                 policy.jurisdiction, policy.title, policy.source, win,
                                                 tuple(steps), policy.status))
        return
    if missing:
        out["not_applicable"].append(NotApplicable(policy.policy_id, policy.refs, policy.category,
                                                   policy.jurisdiction, policy.title, policy.status,
                                                   tuple(missing), tuple(steps)))
        return
    quantity, qstep = _quantity(policy, s, r, upgrade)
    if qstep is not None:
        steps.append(qstep)
    out["benefits"].append(Benefit(policy.policy_id, policy.refs, policy.category, policy.jurisdiction,
                                   policy.title, policy.source, win, quantity, tuple(steps), policy.status,
                                   treatments))


# --- the catalogue as the engine sees it ----------------------------------------------------------------

_BY_JURISDICTION: dict[str, tuple[Policy, ...]] = {}
for _p in registry.ALL:
    _BY_JURISDICTION.setdefault(_p.jurisdiction, ())
    _BY_JURISDICTION[_p.jurisdiction] += (_p,)


def _ruleset() -> str:
    h = hashlib.sha256(CODE_VERSION.encode())
    for p in registry.ALL:
        h.update(repr(p).encode())
    for name in sorted(registry.PARAMETERS):
        h.update(repr(registry.PARAMETERS[name]).encode())
    here = Path(__file__).resolve()
    catalogue = here.parent.parent.joinpath("policies")
    for path in sorted([here, here.with_name("policy.py"), here.with_name("interpretations.py"),
                        here.with_name("emergency.py")]
                       + list(catalogue.glob("*.py"))
                       + [p for p in catalogue.rglob("*.yaml") if "scenarios" not in p.parts]):
        h.update(path.read_bytes())
    return "sha256:" + h.hexdigest()[:16]


RULESET = _ruleset()


def _version(versions: tuple[Policy, ...], as_of: date) -> Policy:
    for p in versions:
        if p.window.contains(as_of):
            return p
    return versions[-1]


def _policies_for(chain: tuple[str, ...], drafts: bool, as_of: date) -> list[Policy]:
    """Policies of the jurisdiction chain (one version per id), drafts only if asked, pending ones never."""
    chosen: dict[str, list[Policy]] = {}
    for code in chain:
        for p in _BY_JURISDICTION.get(code, ()):
            if p.status == "pending":   # announced by law, no rule yet (e.g. LAW-27): listed, never applied
                continue
            if drafts or p.status != "draft":
                chosen.setdefault(p.policy_id, []).append(p)
    return [v[0] if len(v) == 1 else _version(tuple(v), as_of) for v in chosen.values()]


def echo(context: Context) -> dict[str, Any]:
    """The interpretation values an answer used (campaign end resolved from its parameter)."""
    d = context.interpretations.as_dict()
    d["include_drafts"] = context.drafts
    if d["chongqing_campaign_end"] is None:
        d["chongqing_campaign_end"] = registry.PARAMETERS["chongqing.campaign_end"].values[-1].value.isoformat()
    return d


def evaluate(state: EnterpriseState, as_of: date, context: Context = Context()) -> Evaluation:
    """Benefits, obligations and not-applicable measures of one enterprise on `as_of`, each explained."""
    r = _resolver(context.interpretations)
    s = _Subject.of(state, as_of, context.alert_level)
    out: dict[str, list] = {"benefits": [], "not_applicable": [], "obligations": []}
    for policy in _policies_for(s.chain, context.drafts, as_of):
        _evaluate_policy(policy, s, r, out)
    return Evaluation(tuple(out["benefits"]), tuple(out["not_applicable"]), tuple(out["obligations"]),
                      as_of, context.drafts, context.alert_level, echo(context), RULESET)
