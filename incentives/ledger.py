"""The grade ledger: an enterprise's grade state at any date, derived from its append-only events (digest "Grades").

The grading rules are catalogue data (policies/*/grading.yaml): a rule applies only where the facility lies
inside its jurisdiction, inside its window, and for a draft only when drafts are included (incentives/rules.py).
Readings fixed here:
- An event names its targets by industry (and branch, and site, G-SITE); one that names none targets every
  line. Two branches of one industry are two lines. Sanction bars and bans are enterprise-wide (企业).
- Managed grade (contract "Grades"): sanction, or rectification where a `rectification` rule applies -> lowest
  of the scale; unrated -> lowest (`unrated_lowest`); else the rated grade, one step higher inside a
  `managed_higher` window (not above A; a rated line only). A local industry outside its jurisdiction is
  not graded (`local_industries`).
- Status of a line, and overall the worst of its lines:
  lowest_by_sanction > under_rectification > unrated > rated.
- Upgrades follow the overall grade: a `rated` event that raises the enterprise's managed overall grade (a
  temporary `managed_higher` boost aside), compared under the jurisdiction's reading of 引领 and B-; regaining
  a grade the enterprise held before (rule `upgrade`) is not one. A+ selection is a recognition (G-APLUS).
- An event the rules refuse (see check_event) that is nevertheless stored is kept in history and has no effect.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import attrgetter
from types import MappingProxyType
from typing import NamedTuple

import policies

from . import provisional
from .explain import Text
from .grades import LEADING, NON_LEADING
from .ledger_rules import (
    EventInFuture,
    EventRefused,
    GradeNotOnScale,
    LedgerError,
    LedgerOptions,
    UnknownBranch,
    branch_info,
    lowest_of,
    step_down,
    step_up,
    validate_grade,
)
from .policy import GradingRule
from .reference import reference
from .rules import FacilityRules, catalogue_chain, facility_rules, graded_here
from .state import (
    EVENT_KINDS,
    VIOLATIONS,
    EnterpriseState,
    GradeEvent,
    HistoryEntry,
    IndustryGrade,
    Restriction,
    Upgrade,
)

__all__ = [
    "Around",
    "Enterprise",
    "EventInFuture",
    "EventRefused",
    "GradeNotOnScale",
    "LedgerError",
    "LedgerOptions",
    "Registration",
    "UnknownBranch",
    "check_event",
    "fold",
    "fold_many",
    "grades_around",
    "key_rows",
    "validate_grade",
]

SEVERITY = {"rated": 0, "unrated": 1, "under_rectification": 2, "lowest_by_sanction": 3}
_DEFAULT_OPTIONS = LedgerOptions()
_EMPTY = MappingProxyType({})
KEY_CATALOG = "national_39"          # 重点行业 (G-SCOPE): the 39 national key industries
_SINCE_KIND = attrgetter("since", "kind")


class Registration(NamedTuple):
    """An industry the enterprise registered (unrated until a `rated` event rates it)."""
    industry: str
    branch: str
    site: str | None = None


@dataclass(frozen=True, slots=True)
class Enterprise:
    """One register row for the bulk path: who it is and what it registered."""
    uscc: str
    name: str | None
    division: str
    facility_division: str
    registrations: tuple = ()
    facts: Mapping = field(default_factory=dict)


def _t(zh: str, en: str) -> Text:
    return Text(zh, en)


def _clause(rule: GradingRule) -> Text:
    """"河南省 第十七条" / "Henan 第十七条": where a rule is written."""
    name = policies.JURISDICTIONS[rule.jurisdiction].name
    draft = ("（征求意见稿）", " (draft)") if rule.status == "draft" else ("", "")
    return _t(f"{name.zh} {rule.source.clause}{draft[0]}", f"{name.en} {rule.source.clause}{draft[1]}")


@lru_cache(maxsize=256)
def _reason_of(rule_id: str) -> Text:
    rule = next(r for r in policies.RULES if r.rule_id == rule_id)
    where = _clause(rule)
    return _t(f"{where.zh}：{rule.title.zh}", f"{where.en}: {rule.title.en}")


def _reason(rule: GradingRule) -> Text:
    """"<jurisdiction> <clause>: <title>": why a restriction holds (one Text per rule)."""
    return _reason_of(rule.rule_id)


def _spec(branch: str, facility: str, branches) -> tuple[str, bool, str, bool]:
    """(scale, allows_b_minus, catalog, graded at this facility) of a branch; raise UnknownBranch."""
    scale, allows = branch_info(branch, branches)
    table = reference().branches if branches is None else branches
    catalog = getattr(table.get(branch), "catalog", "") or ""
    return scale, allows, catalog, graded_here(catalog, facility)


@lru_cache(maxsize=16384)
def _line_spec(branch: str, facility: str) -> tuple[str, bool, str, bool]:
    return _spec(branch, facility, None)


@dataclass(slots=True)
class _Line:
    """Working state of one industry branch (and site) while folding."""
    industry: str
    branch: str
    site: str | None
    scale: str
    allows_b_minus: bool
    lowest: str | None
    catalog: str = ""
    rated: str | None = None
    rated_on: date | None = None
    sanctioned: bool = False
    rectifying: bool = False
    higher: tuple | None = None      # (since, until) of a managed_higher window

    def base(self) -> str | None:
        """Managed grade without a temporary boost."""
        if self.sanctioned or self.rectifying or self.rated is None:
            return self.lowest
        return self.rated

    def held(self) -> str | None:
        """The grade the line holds by its last rating, the lowest while never rated (regaining: rule upgrade)."""
        return self.lowest if self.rated is None else self.rated

    def managed(self, day: date) -> str | None:
        """Managed grade on `day` (contract "Grades")."""
        g = self.base()
        if self.higher and self.status() == "rated" and self.higher[0] <= day < self.higher[1]:
            return step_up(g, self.scale, self.allows_b_minus)
        return g

    def status(self) -> str:
        if self.sanctioned:
            return "lowest_by_sanction"
        if self.rectifying:
            return "under_rectification"
        return "unrated" if self.rated is None else "rated"

    def label(self) -> str:
        return self.industry + (f"（{self.site}）" if self.site else "")


class _Book:
    """Everything folded so far for one enterprise."""

    def __init__(self, facility_division: str, options: LedgerOptions, branches, record: bool,
                 facts: Mapping | None = None):
        self.options, self.branches, self.record = options, branches, record
        self.facility = facility_division
        self.facts = facts or _EMPTY
        self.rules: FacilityRules = (FacilityRules(facility_division, options.include_drafts, options.overrides())
                                     if options.parameters else facility_rules(facility_division,
                                                                               options.include_drafts))
        self.lines: dict[tuple, _Line] = {}
        self.restrictions: list[Restriction] = []
        self.upgrades: list[Upgrade] = []
        self.history: list[HistoryEntry] = []
        self.findings: list[tuple[date, str]] = []
        self.checked: tuple | None = None     # (rating, branch, grade) resolved by _refusal, read by _rated

    def add_line(self, industry: str, branch: str, site: str | None, day: date | None = None) -> _Line:
        scale, allows, catalog, here = (_line_spec(branch, self.facility) if self.branches is None
                                        else _spec(branch, self.facility, self.branches))
        if not here:
            scale = "other"             # a local industry outside its jurisdiction is not graded here
        low = lowest_of(scale)
        if low is None and scale == "unknown":
            rule = self.rules.one("unrated_lowest", day or date.max)
            low = rule.scale_unknown if rule is not None else None
        line = _Line(industry, branch, site, scale, allows, low, catalog)
        self.lines[(industry, branch, site)] = line
        return line

    def targets(self, ev: GradeEvent) -> list[_Line]:
        return [ln for ln in self.lines.values()
                if (ev.industry is None or ln.industry == ev.industry) and (ev.branch is None or ln.branch == ev.branch)
                and (ev.site is None or ln.site == ev.site)]

    def active(self, day: date, kind: str | None = None) -> list[Restriction]:
        return [r for r in self.restrictions if r.since <= day and (r.until is None or day < r.until)
                and (kind is None or r.kind == kind)]

    def overall(self, day: date, grades: list[str | None] | None = None) -> str | None:
        """The overall grade from the lines' grades (rule overall_grade: lowest, or Shaoxing's main industry)."""
        if grades is None:
            if len(self.lines) == 1:
                return next(iter(self.lines.values())).base()
            grades = [ln.base() for ln in self.lines.values()]
        if len(grades) < 2:
            return grades[0] if grades else None
        law = self.rules.at(day)
        method = law.overall_method
        if method != "lowest" and self.rules.param(method, day) == "main_industry":
            main = self.facts.get("main_industry")
            for ln, g in zip(self.lines.values(), grades, strict=True):
                if main is None or ln.industry == main:
                    return g
        return law.reading.lowest(grades)

    def note(self, ev: GradeEvent, effect: Text, ref: str | None) -> None:
        if self.record:
            self.history.append(HistoryEntry(ev, effect, ref or ev.ref))


# ---- refusals: one definition for check_event and for fold (which ignores a refused event) ----

def _refuse(zh: str, en: str, ref: str | None, until: date | None = None, field: str | None = None):
    return EventRefused(_t(zh, en), ref, until, field)


def _ban_refusal(book: _Book, day: date) -> LedgerError | None:
    for r in book.active(day, "no_application"):
        return _refuse(f"{r.since} 起不得申请或调整绩效等级，{r.until} 解除",
                       f"no application or adjustment from {r.since}; lifts on {r.until}", r.ref, r.until)
    return None


def _bar_refusal(book: _Book, day: date, grade: str) -> LedgerError | None:
    for r in book.active(day, "no_grade_above"):
        if grade in r.grades_barred:
            return _refuse(f"{r.since} 起不得评定为{'/'.join(r.grades_barred)}，{r.until} 解除",
                           f"may not be rated {'/'.join(r.grades_barred)} from {r.since}; lifts on {r.until}",
                           r.ref, r.until, "grade")
    return None


def _rated_branch(book: _Book, ev: GradeEvent) -> str | None:
    if ev.branch:
        return ev.branch
    known = {ln.branch for ln in book.targets(ev)}
    if len(known) == 1:
        return known.pop()
    if known:
        return None                     # several branches of the industry: name one
    ind = reference().industries.get(ev.industry)
    if ind is not None and len(ind.branches) == 1:
        return ind.branches[0].code
    return None


def _refusal(book: _Book, ev: GradeEvent) -> LedgerError | None:
    """Why the rules forbid `ev` given what was folded before it, or None."""
    day, kind = ev.effective, ev.kind
    if kind not in EVENT_KINDS:
        return _refuse(f"未知的事件类型：{kind}", f"unknown event kind {kind!r}", None, field="kind")
    if kind == "rated":
        if not ev.industry:
            return _refuse("评级事件须指明行业", "a rating must name its industry", "G-MULTI", field="industry")
        branch = _rated_branch(book, ev)
        if branch is None:
            return _refuse("请指明行业分支", "name the industry branch", "G-SCALE", field="branch")
        try:
            grade = validate_grade(branch, ev.grade or "", book.branches)
        except LedgerError as exc:
            return exc
        book.checked = (ev, branch, grade)           # _rated reads them back instead of resolving them again
        here = (_line_spec(branch, book.facility) if book.branches is None
                else _spec(branch, book.facility, book.branches))[3]
        if not here:
            return GradeNotOnScale(_t(f"{branch} 是地方行业，只在其所属辖区评级",
                                      f"{branch} is a local industry, graded only in its own jurisdiction"),
                                   "G-SCOPE", field="industry")
        if grade == "A+":
            return _refuse("A+级由生态环境部从A级企业中遴选，不能直接评定（请用 aplus_selected）",
                           "A+ is selected by MEE from A enterprises, not rated (use aplus_selected)", "G-APLUS",
                           field="grade")
        if ev.site is None and len(book.lines) > 1 and sum(ln.industry == ev.industry and ln.branch == branch
                                                           for ln in book.lines.values()) > 1:
            return _refuse("该行业有多个分别评级的厂区，请指明排污许可证编号",
                           "this industry has separately rated sites: name the permit number", "G-SITE",
                           field="site")
        if not book.restrictions:
            return None                      # no ban, no bar
        return _ban_refusal(book, day) or _bar_refusal(book, day, grade)
    targets = book.targets(ev)
    if ev.industry is not None and not targets:
        return _refuse(f"未登记该行业：{ev.industry}", f"industry {ev.industry!r} is not registered", "G-MULTI",
                       field="industry")
    if kind == "aplus_selected":
        rule = book.rules.one("aplus_selection", day)
        if rule is None:
            return _refuse("A+级自2026年1月13日《指导意见》起设立，此前不能遴选",
                           "A+ exists from the 2026 guidance (signed 2026-01-13); it cannot be selected before",
                           "G-APLUS", field="effective")
        current_a = [ln for ln in targets if ln.rated == rule.from_grade and ln.status() == "rated"]
        if (not current_a or (ev.industry is not None and len(current_a) < len(targets))
                or book.overall(day) != rule.from_grade):
            return _refuse("A+级只能从总体等级现为A级的企业中遴选",
                           "A+ is selected only from an enterprise whose overall grade is A", "G-APLUS",
                           field="kind")
        return _ban_refusal(book, day) or _bar_refusal(book, day, "A+")
    if kind == "managed_higher":
        refusal = provisional_refusal(book, ev)
        if refusal is not None:
            return refusal
        if _managed_until(book, ev) <= day:
            return _refuse("高一级管理须给出晚于生效日的截止日期", "managed_higher needs an `until` after its start",
                           ev.ref, field="until")
        return _ban_refusal(book, day)
    if kind == "downgraded":
        if not ev.industry:
            return _refuse("降级事件须指明行业", "a downgrade must name its industry", "G-DOWN", field="industry")
        reading = book.rules.reading(day)
        for ln in targets:
            if ln.rated is None:
                return _refuse(f"{ln.label()} 未评级，无可降之级", f"{ln.label()} is unrated: nothing to downgrade",
                               "G-DOWN", field="industry")
            try:
                grade = validate_grade(ln.branch, ev.grade or "", book.branches)
            except LedgerError as exc:
                return exc
            if reading.rank(grade) >= reading.rank(ln.rated) and not (grade == "B-" and ln.rated == "B"):
                return _refuse(f"降级后的等级 {grade} 不低于现有等级 {ln.rated}",
                               f"{grade} is not below the current grade {ln.rated}", "G-DOWN", field="grade")
        return None
    rect = book.rules.one("rectification", day)
    if kind == "rectification_started" and rect is not None and targets \
            and all(ln.rectifying or ln.sanctioned for ln in targets):
        return _refuse("已在整改期间或已按最低等级处理", "already under rectification or sanctioned at the lowest",
                       "G-RECT-CQ", field="kind")
    if kind == "rectification_ended" and rect is not None:
        if not any(ln.rectifying for ln in targets):
            return _refuse("没有进行中的整改，不能结束整改", "rectification_ended without a rectification_started",
                           "G-RECT-CQ", field="kind")
        if ev.grade and book.rules.param(rect.failed, day) == "downgrade" and ev.rectification_passed is not True:
            for ln in targets:
                if ln.rectifying:
                    try:
                        validate_grade(ln.branch, ev.grade, book.branches)
                    except LedgerError as exc:
                        return exc
    if kind == "violation_found" and ev.violation is not None and ev.violation not in VIOLATIONS:
        return _refuse(f"未知的违法情形：{ev.violation}", f"unknown violation {ev.violation!r}", None,
                       field="violation")
    return None


# ---- effects: one function per event kind; what a rule does is read from its catalogue entry ----

def _rated(book: _Book, ev: GradeEvent, day: date) -> None:
    checked = book.checked
    if checked is not None and checked[0] is ev:
        branch, grade = checked[1], checked[2]
    else:
        branch = _rated_branch(book, ev)
        grade = validate_grade(branch, ev.grade, book.branches)
    found, any_rated, managed_low = [], False, False
    for ln in book.lines.values():
        if ln.industry == ev.industry and ln.branch == branch and (ev.site is None or ln.site == ev.site):
            found.append(ln)
        any_rated = any_rated or ln.rated is not None
        managed_low = managed_low or ln.sanctioned or ln.rectifying
    before = book.overall(day)
    # the grade held by the ratings, where a sanction or rectification manages a line below it (regaining)
    held_before = book.overall(day, [ln.held() for ln in book.lines.values()]) if managed_low else before
    line = found[0] if len(found) == 1 else book.add_line(ev.industry, branch, ev.site, day)
    boosted, base_before = (line.managed(day), line.base()) if line.higher else (None, None)
    line.rated, line.rated_on, line.sanctioned, line.rectifying = grade, day, False, False
    after = book.overall(day)
    law = book.rules.at(day)
    reading = law.reading
    if boosted is not None and boosted != base_before and reading.rank(grade) >= reading.rank(boosted):
        _end_provisional(book, line, day)   # 正式晋级: the rating reached the managed grade (HB-WT-1a)
    rose = reading.rank(after) > reading.rank(before)
    # regaining (rule upgrade) is possible only where a sanction or rectification managed a line below its rating
    regain_rule = law.one("upgrade") if rose and managed_low else None
    regained = (regain_rule is not None and not regain_rule.regain_is_upgrade
                and reading.rank(after) <= reading.rank(held_before))
    upgraded = rose and not regained and (book.options.upgrade_from_unrated or any_rated)
    if upgraded:
        book.upgrades.append(Upgrade(line.industry, line.branch, before if any_rated else None, after, day, ev.ref))
    limit = law.one("application_limit")
    if limit is not None:
        book.restrictions.append(Restriction("one_application_per_year", _reason(limit), limit.refs[0], day,
                                             book.rules.until(limit.period, day)))
    if not book.record:
        return
    frm = "未评级" if not any_rated else (before or "—")
    zh = f"{line.label()} 评定为{grade}" + (f"（总体等级由{frm}提升至{after}）" if upgraded else "")
    en = f"{line.label()} rated {grade}" + (
        f" (overall upgrade from {frm if any_rated else 'unrated'} to {after})" if upgraded else "")
    if regained:
        zh += f"（恢复原有等级，不计为提升：{regain_rule.refs[0]}）"
        en += f" (regains a grade held before: not an upgrade, {regain_rule.refs[0]})"
    book.note(ev, _t(zh, en), ev.ref)


def _end_provisional(book: _Book, line: _Line, day: date) -> None:
    """A rating at or above the provisionally managed grade ends the provisional window that day."""
    since, _ = line.higher
    line.higher = None
    book.restrictions = [Restriction(r.kind, r.reason, r.ref, r.since, day, r.grades_barred)
                         if r.kind == "managed_higher" and r.since == since and (r.until is None or r.until > day)
                         else r for r in book.restrictions]


def _aplus(book: _Book, ev: GradeEvent, day: date) -> None:
    # G-APLUS (national 二(一)): MEE selects A+ from A enterprises.
    for ln in book.targets(ev):
        if ln.rated == "A" and ln.status() == "rated":
            ln.rated, ln.rated_on = "A+", day
    book.note(ev, _t("生态环境部遴选为A+级", "selected A+ by MEE"), "G-APLUS")


def _downgraded(book: _Book, ev: GradeEvent, day: date) -> None:
    # G-DOWN (national 三(九); Henan 第十九条; Ningxia 二(五); Shaoxing 三(四)).
    for ln in book.targets(ev):
        ln.rated, ln.rated_on = validate_grade(ln.branch, ev.grade, book.branches), day
    book.note(ev, _t(f"降级为{ev.grade}", f"downgraded to {ev.grade}"), ev.ref or "G-DOWN")


def _apply(book: _Book, ev: GradeEvent, day: date, rules: list[GradingRule]) -> None:
    """Apply the event-triggered rules found for an event (sanction, bar, downgrade, repeat_downgrade)."""
    reading = book.rules.reading(day)
    notes: list[tuple[str, str]] = []
    for rule in rules:
        where = _clause(rule)
        if rule.kind == "sanction":
            # G-FRAUD: rated directly at the lowest grade; no application or adjustment during the ban.
            for ln in book.targets(ev):
                ln.sanctioned, ln.rectifying = True, False
            until = book.rules.until(rule.ban, day) if rule.ban else None
            if until is not None:
                book.restrictions.append(Restriction("no_application", _t(f"{where.zh}：{rule.title.zh}",
                                                                          f"{where.en}: {rule.title.en}"),
                                                     rule.refs[0], day, until))
            lifts = (f"，{until} 前不得申请或调整", f"; no application or adjustment before {until}") if until \
                else ("", "")
            notes.append((f"{where.zh}：按最低等级管理{lifts[0]}", f"{where.en}: managed at the lowest grade{lifts[1]}"))
        elif rule.kind == "bar":
            until = book.rules.until(rule.period, day)
            barred = reading.expand(tuple(rule.grades))
            flag = rule.b_minus_barred
            if isinstance(flag, str):
                flag = book.rules.param(flag, day)
            if flag and "B-" not in barred:
                barred += ("B-",)
            book.restrictions.append(Restriction("no_grade_above", _t(f"{where.zh}：{rule.title.zh}",
                                                                      f"{where.en}: {rule.title.en}"),
                                                 rule.refs[0], day, until, barred))
            notes.append((f"{where.zh}：{until} 前不得申报或评定为{'/'.join(barred)}",
                          f"{where.en}: no {'/'.join(barred)} before {until}"))
        elif rule.kind == "downgrade":
            moved = _move(book, ev, rule, reading.expand(tuple(rule.grades)), day)
            if moved:
                notes.append((f"{where.zh} 降级：" + "，".join(moved), f"{where.en} downgrade: " + ", ".join(moved)))
        elif rule.kind == "repeat_downgrade":
            since = day - (book.rules.until(rule.period, day) - day)
            count = sum(1 for d, v in book.findings if since < d <= day and v == (ev.violation or "other"))
            if count >= rule.count:
                moved = _move(book, ev, rule, None, day)
                notes.append((f"{where.zh}：一年内第{count}次通报，降级：" + "，".join(moved),
                              f"{where.en}: finding {count} within a year, downgrade: " + ", ".join(moved)))
            else:
                notes.append((f"{where.zh}：一年内第{count}次通报（{rule.count}次及以上降级）",
                              f"{where.en}: finding {count} within a year ({rule.count} or more downgrade)"))
    book.note(ev, _t("；".join(z for z, _ in notes), "; ".join(e for _, e in notes)), rules[0].refs[0])



def _move(book: _Book, ev: GradeEvent, rule: GradingRule, grades: tuple | None, day: date) -> list[str]:
    """Downgrade the targeted lines rated one of `grades` (all rated lines if None) as the rule's `to` says."""
    moved = []
    for ln in book.targets(ev):
        if ln.rated is None or (grades is not None and ln.rated not in grades):
            continue
        leading = ln.rated in (LEADING, NON_LEADING)
        to = rule.to["leading" if leading else "letters"]
        new = step_down(ln.rated, ln.scale, ln.allows_b_minus) if to == "step_down" else to
        if new != ln.rated:
            moved.append(f"{ln.label()} {ln.rated}→{new}")
            ln.rated, ln.rated_on = new, day
    return moved


def _fraud(book: _Book, ev: GradeEvent, day: date) -> None:
    rules = book.rules.on_event("fraud_found", None, day)
    if rules:
        return _apply(book, ev, day, rules)
    book.note(ev, _t("记录弄虚作假情形；本地规则未规定等级后果", "fraud recorded; no grade rule applies here"), ev.ref)


def _violation(book: _Book, ev: GradeEvent, day: date) -> None:
    v = ev.violation or "other"
    book.findings.append((day, v))
    rules = book.rules.on_event("violation_found", v, day)
    if rules:
        return _apply(book, ev, day, rules)
    book.note(ev, _t(f"记录违法情形 {v}；本地规则未规定等级后果（降级另需 downgraded 事件）",
                     f"violation {v} recorded; no grade consequence here (a downgrade is its own event)"), ev.ref)


def _rect_started(book: _Book, ev: GradeEvent, day: date) -> None:
    rule = book.rules.one("rectification", day)
    if rule is None:
        # National 三(九): the grade holds until a downgrade; only Chongqing 五.三 manages at the lowest meanwhile.
        return book.note(ev, _t("责令整改已记录；本地规则未规定整改期间按最低级管理，等级不变（降级另需 downgraded 事件）",
                                "rectification recorded; no rule here manages at the lowest meanwhile, the grade "
                                "holds (a downgrade is its own event)"), ev.ref or "G-DOWN")
    for ln in book.targets(ev):
        ln.rectifying = not ln.sanctioned
    book.note(ev, _t(f"{_clause(rule).zh}：责令限期整改，整改期间按最低级管理",
                     f"{_clause(rule).en}: ordered to rectify; managed at the lowest grade meanwhile"), rule.refs[0])


def _rect_ended(book: _Book, ev: GradeEvent, day: date) -> None:
    rule = book.rules.one("rectification", day)
    if rule is None:
        return book.note(ev, _t("整改结束已记录；等级不变", "rectification end recorded; the grade holds"),
                         ev.ref or "G-DOWN")
    # G-RECT-CQ: 未提交复核申请或不满足整改要求的，取消现有绩效等级或降级处理 (no verdict = no review request).
    opt = book.rules.param(rule.failed, day)
    for ln in book.targets(ev):
        if not ln.rectifying:
            continue
        ln.rectifying = False
        if ev.rectification_passed is True or ln.rated is None:
            continue
        if opt == "cancel":
            ln.rated, ln.rated_on = None, None
        else:
            ln.rated = validate_grade(ln.branch, ev.grade, book.branches) if ev.grade \
                else step_down(ln.rated, ln.scale, ln.allows_b_minus)
            ln.rated_on = day
    if ev.rectification_passed is True:
        eff = _t("整改复核通过，恢复原等级（不计为提升）", "rectification passed: the grade is restored (not an upgrade)")
    elif opt == "cancel":
        eff = _t(f"整改未通过或未申请复核：取消绩效等级（参数 {rule.failed}=cancel）",
                 f"rectification failed or no review: grade cancelled (parameter {rule.failed}=cancel)")
    else:
        eff = _t(f"整改未通过或未申请复核：降级（参数 {rule.failed}=downgrade）",
                 f"rectification failed or no review: downgraded (parameter {rule.failed}=downgrade)")
    book.note(ev, eff, rule.refs[0])


def _cancelled(book: _Book, ev: GradeEvent, day: date) -> None:
    for ln in book.targets(ev):
        ln.rated, ln.rated_on, ln.rectifying = None, None, False
    book.note(ev, _t("绩效等级被取消，按最低等级管理", "grade cancelled; managed at the lowest grade"),
              ev.ref or "G-UNRATED")


def _managed_until(book: _Book, ev: GradeEvent) -> date:
    """End (exclusive) of a managed_higher window: the rule's period from the approval, else the event's."""
    rule = provisional.rule_for(book.rules.active(ev.effective), ev.ref)
    return provisional.expiry(rule, ev.effective) if rule is not None else ev.until


def provisional_refusal(book: _Book, ev: GradeEvent) -> LedgerError | None:
    """A managed_higher event citing a provisional-promotion rule outside its jurisdiction, window or period."""
    rule = provisional.rule_for(book.rules.active(ev.effective), ev.ref)
    if rule is None:
        other = provisional.cited(ev.ref)
        if other is not None:
            return _refuse(f"{ev.ref} 只适用于{other.jurisdiction}及其下辖地区、其有效期内",
                           f"{ev.ref} applies only inside {other.jurisdiction} and its window", ev.ref, field="ref")
        if ev.until is None:
            return _refuse("高一级管理须给出截止日期，或引用规定期限的条款（如HB-WT-1a）",
                           "managed_higher needs `until`, or a ref whose rule fixes the period (e.g. HB-WT-1a)",
                           ev.ref, field="until")
        return None
    end = provisional.expiry(rule, ev.effective)
    if ev.until is not None and ev.until != end:
        return _refuse(f"{ev.ref}：自批准之日{ev.effective}起按高一级管理至{end}（不含），与until不符",
                       f"{ev.ref}: one grade higher from the approval {ev.effective} until {end} (exclusive), "
                       f"not {ev.until}", ev.ref, field="until")
    return None


def _managed_higher(book: _Book, ev: GradeEvent, day: date) -> None:
    until = _managed_until(book, ev)
    for ln in book.targets(ev):
        ln.higher = (day, until)
    # Shown in the grade answer with its ref and expiry (HB-WT-1a/1b, HB-JL-9: reverts when it ends).
    book.restrictions.append(Restriction(
        "managed_higher", _t(f"按高一级管理至{until}（不含），逾期未正式晋级恢复原级别",
                             f"managed one grade higher until {until} (exclusive); back to the rated grade "
                             "unless formally upgraded by then"), ev.ref or "", day, until))
    book.note(ev, _t(f"{until} 前按高一级管理", f"managed one grade higher until {until}"), ev.ref)


_EFFECTS = {"rated": _rated, "aplus_selected": _aplus, "downgraded": _downgraded, "fraud_found": _fraud,
            "violation_found": _violation, "rectification_started": _rect_started,
            "rectification_ended": _rect_ended, "cancelled": _cancelled, "managed_higher": _managed_higher}


def _order(events: Iterable[GradeEvent]) -> list[GradeEvent]:
    """Events by (effective, seq), input order breaking ties (a stable sort); an unstored event (seq None) after
    stored ones."""
    events = list(events)
    if len(events) > 1:
        events.sort(key=_ledger_order)
    return events


def _ledger_order(ev: GradeEvent) -> tuple:
    return ev.effective, ev.seq is None, ev.seq or 0


def _run(book: _Book, registrations, ordered: list[GradeEvent], as_of: date) -> None:
    """Fold registrations, then the events (in ledger order, `_order`) effective on or before `as_of`."""
    for reg in registrations:
        industry, branch, site = (*reg, None)[:3]
        if (industry, branch, site) not in book.lines:
            book.add_line(industry, branch, site)
    for ev in ordered:
        if ev.effective > as_of:
            break
        refusal = _refusal(book, ev)
        if refusal is not None:
            book.note(ev, _t(f"未生效：{refusal.message.zh}", f"no effect: {refusal.message.en}"), refusal.ref)
        else:
            _EFFECTS[ev.kind](book, ev, ev.effective)


def _guarantee(book: _Book, as_of: date, rows) -> list[Restriction]:
    """G-GUARANTEE: a 保障类 enterprise in a key industry below the floor is flagged with the rule's ref."""
    if book.facts.get("guarantee_enterprise") is not True:
        return []
    rule = book.rules.one("guarantee_floor", as_of)
    if rule is None:
        return []
    reading = book.rules.reading(as_of)
    low = [r for r, ln in zip(rows, book.lines.values(), strict=True)
           if ln.catalog == KEY_CATALOG and r.grade is not None and reading.rank(r.grade) < reading.rank(rule.at_least)]
    if not low:
        return []
    where = _clause(rule)
    names = "、".join(f"{r.industry} {r.grade}" for r in low)
    return [Restriction("guarantee_below_floor", _t(f"{where.zh}：{rule.title.zh}（现为 {names}）",
                                                    f"{where.en}: {rule.title.en} (now {names})"),
                        rule.refs[0], as_of, None)]


def _state(book: _Book, uscc, name, division, facility_division, as_of, facts) -> EnterpriseState:
    rows = []
    for ln in book.lines.values():
        status = ln.status()
        # G-REVIEW: national 三(六) 5 years from the rating; Shaoxing 三(四) yearly
        due = book.rules.review_due(ln.rated, ln.rated_on) if status == "rated" and ln.rated_on else None
        rows.append(IndustryGrade(ln.industry, ln.branch, ln.scale, ln.managed(as_of), ln.rated, ln.rated_on,
                                  status, due, ln.site))
    rows = tuple(rows)
    if len(rows) == 1:
        overall, rated, status = rows[0].grade, rows[0].rated_grade, rows[0].status
    else:
        overall = book.overall(as_of, [r.grade for r in rows])
        rated = book.overall(as_of, [r.rated_grade for r in rows]) if rows else None
        status = max((r.status for r in rows), key=SEVERITY.__getitem__, default="unrated")
    dues = [r.review_due for r in rows if r.review_due]
    restrictions = tuple(sorted(book.active(as_of), key=_SINCE_KIND)) if book.restrictions else ()
    if book.facts:
        restrictions += tuple(_guarantee(book, as_of, rows))
    return EnterpriseState(
        uscc=uscc, name=name, division=division, facility_division=facility_division, as_of=as_of,
        overall_grade=overall, rated_grade=rated, status=status,
        industries=rows, restrictions=restrictions,
        upgrades=tuple(book.upgrades), review_due=min(dues) if dues else None, history=tuple(book.history),
        facts=_proxy(facts))


def _proxy(facts: Mapping | None) -> Mapping:
    """A read-only copy of the facts (the one empty mapping when there are none)."""
    return MappingProxyType(dict(facts)) if facts else _EMPTY


def fold(*, uscc: str | None, name: str | None, division: str | None, facility_division: str | None,
         registrations: Iterable, events: Iterable[GradeEvent], as_of: date, facts: Mapping | None = None,
         options: LedgerOptions | None = None, branches: Mapping | None = None,
         with_history: bool = True) -> EnterpriseState:
    """Derive the grade state at `as_of` from registrations and the events effective on or before it."""
    division, facility_division = _where(uscc, division, facility_division)
    return _fold(uscc, name, division, facility_division, registrations, _order(events), as_of, facts,
                 options or _DEFAULT_OPTIONS, branches, with_history)


def _fold(uscc, name, division, facility_division, registrations, ordered: list[GradeEvent], as_of: date, facts,
          options: LedgerOptions, branches, with_history: bool) -> EnterpriseState:
    """`fold` with the divisions resolved (`_where`) and the events in ledger order (`_order`)."""
    book = _Book(facility_division, options, branches, with_history, facts)
    _run(book, registrations, ordered, as_of)
    return _state(book, uscc, name, division, facility_division, as_of, facts)


class Around(NamedTuple):
    """What one stored event did, all on its effective day (the change feed's figures, contract 1.1)."""
    before: str | None               # the managed overall grade just before the event
    after: str | None                # the managed overall grade right after it
    line: str | None                 # the managed grade of the event's own line after it (None: it names none)


def grades_around(*, uscc: str | None, division: str | None, facility_division: str | None, registrations: Iterable,
                  events: Iterable[GradeEvent], seq: int, facts: Mapping | None = None,
                  options: LedgerOptions | None = None, memo: dict | None = None) -> Around:
    """The enterprise's managed overall grade just before and right after the stored event `seq`, and its line's.

    All are taken on the event's effective day, with the events ordered as the ledger orders them (those after
    the event in that order play no part). `memo`, a dict the caller keeps across calls, answers once the
    enterprises that read the same through every rule (the key of `fold_many`)."""
    events = _order(events)
    index = next((i for i, e in enumerate(events) if e.seq == seq), None)
    if index is None:
        raise KeyError(seq)
    target, day = events[index], events[index].effective
    division, facility_division = _where(uscc, division, facility_division)
    options = options or _DEFAULT_OPTIONS
    key = None
    if memo is not None:
        key = (catalogue_chain(facility_division), tuple(map(tuple, registrations)),
               _event_shape(events[:index + 1]), _facts_shape(facts), options)
        if key in memo:
            return memo[key]
    book = _Book(facility_division, options, None, False, facts)
    _run(book, registrations, events[:index], day)
    before = book.overall(day, [ln.managed(day) for ln in book.lines.values()])
    _run(book, (), [target], day)
    after = book.overall(day, [ln.managed(day) for ln in book.lines.values()])
    line = next((ln.managed(day) for ln in book.lines.values() if target.branch and ln.branch == target.branch
                 and (ln.site or None) == (target.site or None)), None)
    out = Around(before, after, line)
    if key is not None:
        memo[key] = out
    return out


def _where(uscc: str | None, division: str | None, facility_division: str | None) -> tuple[str, str]:
    """Registration division (default: USCC digits 3–8) and facility division (default: the registration's)."""
    division = division or (uscc[2:8] if uscc else None)
    return division, facility_division or division


_EVENT_READ = attrgetter("kind", "effective", "industry", "branch", "grade", "ref", "violation", "site", "until",
                         "rectification_passed")


def _event_shape(ordered: list[GradeEvent]) -> tuple:
    """What the rules read of an event sequence in ledger order (seq and notes aside)."""
    return tuple(map(_EVENT_READ, ordered))


def _facts_shape(facts) -> tuple | None:
    if not facts:
        return ()
    try:
        return tuple(sorted(facts.items()))
    except TypeError:
        return None


def fold_many(enterprises: Iterable[Enterprise], events: Iterable[tuple[str, GradeEvent]], *, as_of: date,
              options: LedgerOptions | None = None, with_history: bool = False) -> list[EnterpriseState]:
    """Fold many enterprises in one linear pass with the same rules as `fold`.

    Events are grouped by uscc once. Enterprises whose jurisdictions, registrations and (without history)
    event sequences are the same read the same through every rule: each such shape is folded once and mapped
    back to its enterprises (never rated ones, and the many rated once on the same list and date).
    """
    options = options or _DEFAULT_OPTIONS
    by_uscc: dict[str, list[GradeEvent]] = {}
    for uscc, ev in events:
        by_uscc.setdefault(uscc, []).append(ev)
    done: dict[tuple, EnterpriseState] = {}
    out = []
    for e in enterprises:
        evs = _order(by_uscc.get(e.uscc, ()))
        division, facility = _where(e.uscc, e.division, e.facility_division)
        # what the rules read: the jurisdictions of the facility, the registrations, the events and the facts
        key = ((catalogue_chain(facility), tuple(map(tuple, e.registrations)), _event_shape(evs),
                _facts_shape(e.facts)) if (not evs or not with_history) else None)
        seen = done.get(key) if key is not None else None
        if seen is None:
            state = _fold(e.uscc, e.name, division, facility, e.registrations, evs, as_of, e.facts, options, None,
                          with_history)
            if key is not None:
                done[key] = state
        else:
            state = EnterpriseState(
                uscc=e.uscc, name=e.name, division=division, facility_division=facility, as_of=as_of,
                overall_grade=seen.overall_grade, rated_grade=seen.rated_grade, status=seen.status,
                industries=seen.industries, restrictions=seen.restrictions, upgrades=seen.upgrades,
                review_due=seen.review_due, history=(), facts=_proxy(e.facts))
        out.append(state)
    return out


def key_rows(states: Iterable[EnterpriseState]) -> list[dict]:
    """The key columns of many states (projection table, CSV answers, DataFrame(key_rows(...)))."""
    return [{"uscc": s.uscc, "overall_grade": s.overall_grade, "rated_grade": s.rated_grade, "status": s.status,
             "review_due": s.review_due, "restricted_until": max((r.until for r in s.restrictions if r.until),
                                                                  default=None),
             "last_upgrade_on": s.upgrades[-1].effective if s.upgrades else None,
             "last_upgrade_to": s.upgrades[-1].to_grade if s.upgrades else None} for s in states]


def _book_from_state(state: EnterpriseState, options: LedgerOptions, branches) -> _Book:
    book = _Book(state.facility_division, options, branches, record=False, facts=state.facts)
    for ig in state.industries:
        line = book.add_line(ig.industry, ig.branch, ig.site, state.as_of)
        line.rated, line.rated_on = ig.rated_grade, ig.rated_on
        line.sanctioned = ig.status == "lowest_by_sanction"
        line.rectifying = ig.status == "under_rectification"
    book.restrictions = [r for r in state.restrictions if r.kind != "guarantee_below_floor"]
    return book


def check_event(state_before: EnterpriseState, event: GradeEvent, *, today: date,
                options: LedgerOptions | None = None, branches: Mapping | None = None) -> None:
    """Raise EventRefused (or GradeNotOnScale / UnknownBranch) if the rules forbid appending `event`.

    `state_before` is the fold of the stored events at `event.effective`; `today` is resolved at the edge.
    """
    if event.effective > today:
        raise EventInFuture(_t(f"生效日期 {event.effective} 晚于今天 {today}",
                               f"effective date {event.effective} is after today {today}"), None, field="effective")
    refusal = _refusal(_book_from_state(state_before, options or _DEFAULT_OPTIONS, branches), event)
    if refusal is not None:
        raise refusal

