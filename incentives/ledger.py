"""The grade ledger: an enterprise's grade state at any date, derived from its append-only events (digest "Grades").

Readings fixed here (each also in OPTION_DOCS where the text leaves a choice):
- An event names its targets by industry (and site, G-SITE); one that names none targets every industry.
  Sanction bars and application bans are enterprise-wide (the clauses speak of 企业).
- Managed grade (contract "Grades"): sanction or rectification → lowest of the scale; unrated → lowest
  (G-UNRATED); else the rated grade, one step higher inside a `managed_higher` window (not above A; a
  rated line only: an unrated, sanctioned or rectifying one stays at the lowest).
  Scales whose lowest is unknown (Henan provincial industries) or ungraded (其他) give None: never guessed.
- Status of an industry, and overall the worst of its industries:
  lowest_by_sanction > under_rectification > unrated > rated (a sanction outlasts everything until re-rated).
- A fraud finding (G-FRAUD) holds the industry at the lowest until a new rating, which the one-year ban
  defers to its anniversary; `rated_grade` keeps what the last rating said.
- Upgrades are `rated` events that raise the grade above the one managed before, ignoring a temporary
  `managed_higher` boost; from an unrated line the upgrade has from_grade None (option upgrade_from_unrated).
  A+ selection is a recognition (G-APLUS), not an upgrade.
- An event the rules refuse (see check_event) that is nevertheless stored is kept in history and has no effect.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from . import provisional
from .explain import Text
from .grades import LEADING, lowest, rank
from .ledger_rules import (
    HN_ART18,
    HN_BARRED,
    OPTION_DOCS,
    SX_4_2,
    EventInFuture,
    EventRefused,
    GradeNotOnScale,
    LedgerError,
    LedgerOptions,
    UnknownBranch,
    anniversary,
    branch_info,
    henan_downgrade,
    jurisdictions,
    lowest_of,
    next_new_year,
    shaoxing_barred,
    step_down,
    step_up,
    validate_grade,
    years_after,
)
from .reference import reference
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
    "OPTION_DOCS",
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
    "key_rows",
    "validate_grade",
]

SEVERITY = {"rated": 0, "unrated": 1, "under_rectification": 2, "lowest_by_sanction": 3}
_DEFAULT_OPTIONS = LedgerOptions()
_EMPTY = MappingProxyType({})


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


@dataclass(slots=True)
class _Line:
    """Working state of one industry (and site) while folding."""
    industry: str
    branch: str
    site: str | None
    scale: str
    allows_b_minus: bool
    rated: str | None = None
    rated_on: date | None = None
    sanctioned: bool = False
    rectifying: bool = False
    higher: tuple | None = None      # (since, until) of a managed_higher window

    def base(self) -> str | None:
        """Managed grade without a temporary boost."""
        if self.sanctioned or self.rectifying or self.rated is None:
            return lowest_of(self.scale)
        return self.rated

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

    def __init__(self, facility_division: str, options: LedgerOptions, branches, record: bool):
        self.options, self.branches, self.record = options, branches, record
        self.henan, self.shaoxing, self.chongqing, self.ningxia = jurisdictions(facility_division)
        self.facility_division = facility_division
        self.lines: dict[tuple, _Line] = {}
        self.restrictions: list[Restriction] = []
        self.upgrades: list[Upgrade] = []
        self.history: list[HistoryEntry] = []

    def add_line(self, industry: str, branch: str, site: str | None) -> _Line:
        scale, allows = branch_info(branch, self.branches)
        line = _Line(industry, branch, site, scale, allows)
        self.lines[(industry, site)] = line
        return line

    def targets(self, ev: GradeEvent) -> list[_Line]:
        return [ln for ln in self.lines.values()
                if (ev.industry is None or ln.industry == ev.industry) and (ev.site is None or ln.site == ev.site)]

    def active(self, day: date, kind: str | None = None) -> list[Restriction]:
        return [r for r in self.restrictions if r.since <= day and (r.until is None or day < r.until)
                and (kind is None or r.kind == kind)]

    def note(self, ev: GradeEvent, effect: Text, ref: str | None) -> None:
        if self.record:
            self.history.append(HistoryEntry(ev, effect, ref or ev.ref))


# ---- refusals: one definition for check_event and for fold (which ignores a refused event) ----

def _refuse(zh: str, en: str, ref: str | None, until: date | None = None, field: str | None = None):
    return EventRefused(_t(zh, en), ref, until, field)


def _ban_refusal(book: _Book, day: date) -> LedgerError | None:
    for r in book.active(day, "no_application"):
        return _refuse(f"{r.since} 起一年内不得申请或调整绩效等级，{r.until} 解除",
                       f"no application or adjustment for a year from {r.since}; lifts on {r.until}",
                       r.ref, r.until)
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
    ind = reference().industries.get(ev.industry)
    if ind is not None and len(ind.branches) == 1:
        return ind.branches[0].code
    return None


def _refusal(book: _Book, ev: GradeEvent) -> LedgerError | None:
    """Why the rules forbid `ev` given what was folded before it, or None."""
    day, kind = ev.effective, ev.kind
    if kind not in EVENT_KINDS:
        return _refuse(f"未知的事件类型：{kind}", f"unknown event kind {kind!r}", None, field="kind")
    targets = book.targets(ev)
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
        if grade == "A+":
            return _refuse("A+级由生态环境部从A级企业中遴选，不能直接评定（请用 aplus_selected）",
                           "A+ is selected by MEE from A enterprises, not rated (use aplus_selected)", "G-APLUS",
                           field="grade")
        if ev.site is None and len(targets) > 1:
            return _refuse("该行业有多个分别评级的厂区，请指明排污许可证编号",
                           "this industry has separately rated sites: name the permit number", "G-SITE",
                           field="site")
        return _ban_refusal(book, day) or _bar_refusal(book, day, grade)
    if ev.industry is not None and not targets:
        return _refuse(f"未登记该行业：{ev.industry}", f"industry {ev.industry!r} is not registered", "G-MULTI",
                       field="industry")
    if kind == "aplus_selected":
        current_a = [ln for ln in targets if ln.rated == "A" and ln.status() == "rated"]
        if not current_a or (ev.industry is not None and len(current_a) < len(targets)):
            return _refuse("A+级只能从现为A级的企业中遴选", "A+ is selected only from a current A grade",
                           "G-APLUS", field="kind")
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
        for ln in targets:
            if ln.rated is None:
                return _refuse(f"{ln.label()} 未评级，无可降之级", f"{ln.label()} is unrated: nothing to downgrade",
                               "G-DOWN", field="industry")
            try:
                grade = validate_grade(ln.branch, ev.grade or "", book.branches)
            except LedgerError as exc:
                return exc
            lm = book.options.leading_map
            if rank(grade, lm) >= rank(ln.rated, lm):
                return _refuse(f"降级后的等级 {grade} 不低于现有等级 {ln.rated}",
                               f"{grade} is not below the current grade {ln.rated}", "G-DOWN", field="grade")
        return None
    if kind == "rectification_started" and targets and all(ln.rectifying or ln.sanctioned for ln in targets):
        return _refuse("已在整改期间或已按最低等级处理", "already under rectification or sanctioned at the lowest",
                       "G-RECT-CQ", field="kind")
    if kind == "rectification_ended":
        if not any(ln.rectifying for ln in targets):
            return _refuse("没有进行中的整改，不能结束整改", "rectification_ended without a rectification_started",
                           "G-RECT-CQ", field="kind")
        if ev.grade and book.options.failed_rectification == "downgrade" and ev.rectification_passed is not True:
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


# ---- effects: one function per event kind, each citing its clause ----

def _rated(book: _Book, ev: GradeEvent, day: date) -> None:
    branch = _rated_branch(book, ev)
    found = book.targets(ev)
    line = found[0] if len(found) == 1 else book.add_line(ev.industry, branch, ev.site)
    if line.branch != branch:
        line.branch = branch
        line.scale, line.allows_b_minus = branch_info(branch, book.branches)
    grade = validate_grade(branch, ev.grade, book.branches)
    was_unrated, before = line.rated is None, line.base()
    boosted = line.managed(day) if line.higher else None
    line.rated, line.rated_on, line.sanctioned, line.rectifying = grade, day, False, False
    if boosted is not None and boosted != before and rank(grade, book.options.leading_map) >= rank(
            boosted, book.options.leading_map):
        _end_provisional(book, line, day)   # 正式晋级: the rating reached the managed grade (HB-WT-1a)
    lm = book.options.leading_map
    upgraded = rank(grade, lm) > rank(before, lm) and (book.options.upgrade_from_unrated or not was_unrated)
    if upgraded:
        book.upgrades.append(Upgrade(line.industry, line.branch, None if was_unrated else before, grade, day,
                                     ev.ref))
    if book.chongqing:
        # 重庆 附件4: 一年只能申报一次 (informational).
        until = next_new_year(day) if book.options.chongqing_application_year == "calendar" else anniversary(day)
        book.restrictions.append(Restriction(
            "one_application_per_year", _t("重庆 附件4：企业一年只能申报一次", "Chongqing 附件4: one application a year"),
            "G-RECT-CQ", day, until))
    frm = "未评级" if was_unrated else before
    book.note(ev, _t(f"{line.label()} 评定为{grade}" + (f"（由{frm}提升）" if upgraded else ""),
                     f"{line.label()} rated {grade}" + (f" (upgrade from {frm if not was_unrated else 'unrated'})"
                                                        if upgraded else "")), ev.ref)


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


def _sanction(book: _Book, ev: GradeEvent, day: date, clause: Text, ban: bool) -> None:
    # G-FRAUD: rated directly at the lowest grade; no application or adjustment for one year.
    for ln in book.targets(ev):
        ln.sanctioned, ln.rectifying = True, False
    if ban:
        book.restrictions.append(Restriction("no_application", clause, "G-FRAUD", day, anniversary(day)))
    lifts = f"，{anniversary(day)} 前不得申请或调整" if ban else ""
    lifts_en = f"; no application or adjustment before {anniversary(day)}" if ban else ""
    book.note(ev, _t(f"{clause.zh}：按最低等级管理{lifts}", f"{clause.en}: managed at the lowest grade{lifts_en}"),
              "G-FRAUD")


def _fraud(book: _Book, ev: GradeEvent, day: date) -> None:
    if book.henan:
        clause, ban = _t("河南 第十七条", "Henan art. 17"), True
    elif book.ningxia:
        clause, ban = _t("宁夏 二(五)", "Ningxia 2(5)"), True
    elif book.shaoxing:
        clause, ban = _t("绍兴 三(四)", "Shaoxing 3(4)"), True
    elif book.chongqing:
        clause, ban = _t("重庆 五.二", "Chongqing 5.2"), book.options.fraud_ban_where_silent
    else:
        clause, ban = _t("隐瞒或提供虚假材料", "concealment or false materials"), book.options.fraud_ban_where_silent
    _sanction(book, ev, day, clause, ban)


def _violation(book: _Book, ev: GradeEvent, day: date) -> None:
    v = ev.violation or "other"
    if book.henan and v == "typical_case":
        # Henan 第十七条(三): named as a typical case → lowest grade, one-year ban (G-FRAUD).
        return _sanction(book, ev, day, _t("河南 第十七条(三) 典型案例通报", "Henan art. 17(3) typical case"), True)
    if book.henan and v in HN_ART18:
        # Henan 第十八条: one year without A, B (incl. B-) or 引领; 第十九条(一): such a grade falls to C / 非引领.
        until = anniversary(day)
        book.restrictions.append(Restriction(
            "no_grade_above", _t("河南 第十八条：一年内不得申报和被评定为A级、B级和绩效引领性企业",
                                 "Henan art. 18: may not apply for or be rated A, B or 引领 for one year"),
            "G-BAR-HN", day, until, HN_BARRED))
        moved = []
        for ln in book.targets(ev):
            new = henan_downgrade(ln.rated) if ln.rated else None
            if new:
                moved.append(f"{ln.label()} {ln.rated}→{new}")
                ln.rated, ln.rated_on = new, day
        done = ("；第十九条(一)降级：" + "，".join(moved)) if moved else ""
        done_en = ("; art. 19(1) downgrade: " + ", ".join(moved)) if moved else ""
        return book.note(ev, _t(f"河南 第十八条：{until} 前不得评为A/B/引领{done}",
                                f"Henan art. 18: no A/B/引领 before {until}{done_en}"), "G-BAR-HN")
    if book.shaoxing and v in SX_4_2:
        # Shaoxing 四(二): 当年不得申报B级（含引领性）及以上 — a bar on applying, no downgrade of the current grade.
        until = next_new_year(day) if book.options.shaoxing_bar_period == "calendar_year" else anniversary(day)
        barred = shaoxing_barred(book.options)
        book.restrictions.append(Restriction(
            "no_grade_above", _t("绍兴 四(二)：当年不得申报B级（含引领性）及以上",
                                 "Shaoxing 4(2): no B (引领) or above that year"), "G-BAR-SX", day, until, barred))
        return book.note(ev, _t(f"绍兴 四(二)：{until} 前不得申报B级（含引领性）及以上（参数 shaoxing_bar_period="
                                f"{book.options.shaoxing_bar_period}）",
                                f"Shaoxing 4(2): no B (引领) or above before {until} (option shaoxing_bar_period="
                                f"{book.options.shaoxing_bar_period})"), "G-BAR-SX")
    if book.ningxia and book.options.ningxia_violation == "lowest_and_ban":
        return _sanction(book, ev, day, _t("宁夏 二(五) 环境违法（征求意见稿）", "Ningxia 2(5) violation (draft)"), True)
    book.note(ev, _t(f"记录违法情形 {v}；本地规则未规定等级后果（降级另需 downgraded 事件）",
                     f"violation {v} recorded; no grade consequence here (a downgrade is its own event)"), ev.ref)


def _rect_started(book: _Book, ev: GradeEvent, day: date) -> None:
    # G-RECT-CQ (Chongqing 五.三): 整改期间企业按照最低级管理.
    for ln in book.targets(ev):
        ln.rectifying = not ln.sanctioned
    book.note(ev, _t("责令限期整改，整改期间按最低级管理", "ordered to rectify; managed at the lowest grade meanwhile"),
              "G-RECT-CQ")


def _rect_ended(book: _Book, ev: GradeEvent, day: date) -> None:
    # G-RECT-CQ: 未提交复核申请或不满足整改要求的，取消现有绩效等级或降级处理 (no verdict = no review request).
    opt = book.options.failed_rectification
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
        eff = _t("整改复核通过，恢复原等级", "rectification passed: the grade is restored")
    elif opt == "cancel":
        eff = _t("整改未通过或未申请复核：取消绩效等级（参数 failed_rectification=cancel）",
                 "rectification failed or no review: grade cancelled (option failed_rectification=cancel)")
    else:
        eff = _t("整改未通过或未申请复核：降级（参数 failed_rectification=downgrade）",
                 "rectification failed or no review: downgraded (option failed_rectification=downgrade)")
    book.note(ev, eff, "G-RECT-CQ")


def _cancelled(book: _Book, ev: GradeEvent, day: date) -> None:
    for ln in book.targets(ev):
        ln.rated, ln.rated_on, ln.rectifying = None, None, False
    book.note(ev, _t("绩效等级被取消，按最低等级管理", "grade cancelled; managed at the lowest grade"),
              ev.ref or "G-UNRATED")


def _managed_until(book: _Book, ev: GradeEvent) -> date:
    """End (exclusive) of a managed_higher window: the rule's period from the approval, else the event's."""
    rule = provisional.rule_for(ev.ref, book.facility_division, ev.effective)
    return provisional.expiry(rule, ev.effective) if rule is not None else ev.until


def provisional_refusal(book: _Book, ev: GradeEvent) -> LedgerError | None:
    """A managed_higher event citing a provisional-promotion rule outside its jurisdiction, window or period."""
    rule = provisional.rule_for(ev.ref, book.facility_division, ev.effective)
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
    """Events by (effective, seq), input order breaking ties; an unstored event (seq None) after stored ones."""
    if not isinstance(events, (list, tuple)):
        events = list(events)
    if len(events) < 2:
        return list(events)
    indexed = list(enumerate(events))
    indexed.sort(key=lambda p: (p[1].effective, p[1].seq is None, p[1].seq or 0, p[0]))
    return [e for _, e in indexed]


def _run(book: _Book, registrations, events: Iterable[GradeEvent], as_of: date) -> None:
    for reg in registrations:
        industry, branch, site = (tuple(reg) + (None,))[:3]
        if (industry, site) not in book.lines:
            book.add_line(industry, branch, site)
    for ev in _order(events):
        if ev.effective > as_of:
            break
        refusal = _refusal(book, ev)
        if refusal is not None:
            book.note(ev, _t(f"未生效：{refusal.message.zh}", f"no effect: {refusal.message.en}"), refusal.ref)
            continue
        _EFFECTS[ev.kind](book, ev, ev.effective)


def _review_due(book: _Book, ln: _Line) -> date | None:
    if ln.rated_on is None or ln.status() != "rated":
        return None
    if book.shaoxing and ln.rated in ("A+", "A", "B", LEADING):
        return years_after(ln.rated_on, 1)      # G-REVIEW: Shaoxing 三(四) yearly refresh
    if ln.rated in ("A+", "A"):
        return years_after(ln.rated_on, 5)      # G-REVIEW: national 三(六) every 5 years from the rating
    return None


def _state(book: _Book, *, uscc, name, division, facility_division, as_of, facts) -> EnterpriseState:
    lm = book.options.leading_map
    rows = tuple(IndustryGrade(ln.industry, ln.branch, ln.scale, ln.managed(as_of), ln.rated, ln.rated_on,
                               ln.status(), _review_due(book, ln), ln.site) for ln in book.lines.values())
    if len(rows) == 1 or (book.shaoxing and book.options.shaoxing_cross == "main_industry" and rows):
        overall = rows[0].grade      # one industry; or Shaoxing 交叉级别 read as the main industry's grade
    else:
        overall = lowest([r.grade for r in rows], lm)     # G-MULTI
    status = max((r.status for r in rows), key=SEVERITY.__getitem__, default="unrated")
    dues = [r.review_due for r in rows if r.review_due]
    return EnterpriseState(
        uscc=uscc, name=name, division=division, facility_division=facility_division, as_of=as_of,
        overall_grade=overall, rated_grade=rows[0].rated_grade if len(rows) == 1 else lowest(
            [r.rated_grade for r in rows], lm), status=status,
        industries=rows, restrictions=tuple(sorted(book.active(as_of), key=lambda r: (r.since, r.kind))),
        upgrades=tuple(book.upgrades), review_due=min(dues) if dues else None, history=tuple(book.history),
        facts=MappingProxyType(dict(facts or {})))


def fold(*, uscc: str | None, name: str | None, division: str | None, facility_division: str | None,
         registrations: Iterable, events: Iterable[GradeEvent], as_of: date, facts: Mapping | None = None,
         options: LedgerOptions | None = None, branches: Mapping | None = None,
         with_history: bool = True) -> EnterpriseState:
    """Derive the grade state at `as_of` from registrations and the events effective on or before it."""
    division, facility_division = _where(uscc, division, facility_division)
    book = _Book(facility_division, options or _DEFAULT_OPTIONS, branches, with_history)
    _run(book, registrations, events, as_of)
    return _state(book, uscc=uscc, name=name, division=division, facility_division=facility_division,
                  as_of=as_of, facts=facts)


def _where(uscc: str | None, division: str | None, facility_division: str | None) -> tuple[str, str]:
    """Registration division (default: USCC digits 3–8) and facility division (default: the registration's)."""
    division = division or (uscc[2:8] if uscc else None)
    return division, facility_division or division


def _shape(ent: Enterprise) -> tuple:
    """What the rules read of an enterprise without events: its jurisdictions and registrations."""
    facility = _where(ent.uscc, ent.division, ent.facility_division)[1]
    return (jurisdictions(facility), provisional.scope(facility) if facility else (),
            tuple(map(tuple, ent.registrations)))


def _event_shape(events) -> tuple:
    """What the rules read of an event sequence, in the order they read it (seq and notes aside)."""
    return tuple((v.kind, v.effective, v.industry, v.branch, v.grade, v.ref, v.violation, v.site, v.until,
                  v.rectification_passed) for v in _order(events))


def _facts_shape(facts) -> tuple | None:
    try:
        return tuple(sorted((facts or {}).items()))
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
        evs = by_uscc.get(e.uscc, ())
        key = _shape(e) + (_event_shape(evs), _facts_shape(e.facts)) if (not evs or not with_history) else None
        seen = done.get(key) if key is not None else None
        if seen is None:
            state = fold(uscc=e.uscc, name=e.name, division=e.division, facility_division=e.facility_division,
                         registrations=e.registrations, events=evs, as_of=as_of, facts=e.facts, options=options,
                         with_history=with_history)
            if key is not None:
                done[key] = state
        else:
            division, facility = _where(e.uscc, e.division, e.facility_division)
            state = EnterpriseState(
                uscc=e.uscc, name=e.name, division=division, facility_division=facility, as_of=as_of,
                overall_grade=seen.overall_grade, rated_grade=seen.rated_grade, status=seen.status,
                industries=seen.industries, restrictions=seen.restrictions, upgrades=seen.upgrades,
                review_due=seen.review_due, history=(), facts=MappingProxyType(dict(e.facts or {})))
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
    book = _Book(state.facility_division, options, branches, record=False)
    for ig in state.industries:
        line = book.add_line(ig.industry, ig.branch, ig.site)
        line.rated, line.rated_on = ig.rated_grade, ig.rated_on
        line.sanctioned = ig.status == "lowest_by_sanction"
        line.rectifying = ig.status == "under_rectification"
    book.restrictions = list(state.restrictions)
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
