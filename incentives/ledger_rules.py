"""Grade-ledger rules: interpretation options, refusals, grade ladders and dates (digest "Grades").

Shared by the single fold, check_event and the bulk path in incentives/ledger.py, so one rule has one definition.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from typing import Any

from .explain import Text
from .grades import (
    LEADING,
    LOWEST_OF_SCALE,
    NON_LEADING,
    LeadingMap,
    UnknownGrade,
    canonical_grade,
    grade_on_scale,
    scale_grades,
)
from .reference import division_chain, reference

HENAN, CHONGQING, NINGXIA, SHAOXING = "410000", "500000", "640000", "330600"

# Henan 第十八条 items (1)–(7) map onto the contract's violation kinds; typical_case is 第十七条(三) (G-FRAUD).
HN_ART18 = ("no_permit", "exceeded_permit", "evasion", "no_auto_monitoring", "forged_records", "penalised",
            "bad_credit", "other")
# Shaoxing 四(二): no EIA / no permit, exceedance, evasion, no automatic monitoring.
SX_4_2 = ("no_permit", "exceeded_permit", "evasion", "no_auto_monitoring")
# Henan 第十八条 "A 级、B 级（含 B-，第四条(1)）和绩效引领性"; A+ is selected from A, so it is barred too.
HN_BARRED = ("A+", "A", "B", "B-", LEADING)


class LedgerError(ValueError):
    """Base of the ledger's refusals: carries a zh/en message, the ref that decided and when it lifts."""

    def __init__(self, message: Text, ref: str | None = None, until: date | None = None, field: str | None = None):
        super().__init__(f"{message.zh} / {message.en}")
        self.message = message
        self.ref = ref
        self.until = until
        self.field = field


class EventRefused(LedgerError):
    """The rules forbid this event now (HTTP 409): a ban, A+ without A, an end without a start…"""


class EventInFuture(EventRefused):
    """An event dated after today (HTTP 422: bad input, not a conflict)."""


class GradeNotOnScale(LedgerError):
    """A grade the branch's scale does not have (G-SCALE; HTTP 422 on `grade`)."""


class UnknownBranch(LedgerError):
    """An industry or branch code that is not in the catalogue (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class OptionDoc:
    """How one interpretation option is documented when listed (API `parameters`, explanations)."""
    default: Any
    values: tuple
    basis: Text
    ref: str


OPTION_DOCS: dict[str, OptionDoc] = {
    "shaoxing_cross": OptionDoc("lowest", ("lowest", "main_industry"), Text(
        "绍兴 三(二)“企业总体绩效等级以所含行业中交叉级别进行评价”未定义“交叉级别”：默认取各行业最低等级；"
        "main_industry 取首个登记（主要）行业的等级",
        "Shaoxing 三(二) rates the overall grade at the 'cross level' without defining it: default the lowest "
        "industry grade; main_industry takes the first registered (main) industry's grade"), "G-MULTI"),
    "failed_rectification": OptionDoc("cancel", ("cancel", "downgrade"), Text(
        "重庆 五.三：未提交复核申请或不满足整改要求的“取消现有绩效等级或降级处理”，二者择一：默认取消（回到未评级）；"
        "downgrade 降一级（或降至事件给出的等级）",
        "Chongqing 五.三: no review request or a failed review → 'cancel the grade or downgrade'; default cancel "
        "(back to unrated); downgrade moves one step down (or to the grade the event gives)"), "G-RECT-CQ"),
    "shaoxing_bar_period": OptionDoc("calendar_year", ("calendar_year", "one_year"), Text(
        "绍兴 四(二)“当年不得申报B级（含引领性）及以上”：默认至次年1月1日；one_year 为满一年",
        "Shaoxing 四(二) bars B (引领) or above 'in that year': default until 1 January of the next year; "
        "one_year until the anniversary"), "G-BAR-SX"),
    "shaoxing_bar_b_minus": OptionDoc(False, (False, True), Text(
        "绍兴 四(二)只写“B级（含引领性）及以上”，B-在B之下：默认不禁止B-",
        "Shaoxing 四(二) bars 'B (incl. 引领) and above'; B- ranks below B, so by default B- is not barred"),
        "G-BAR-SX"),
    "ningxia_violation": OptionDoc("lowest_and_ban", ("lowest_and_ban", "record_only"), Text(
        "宁夏 二(五)（征求意见稿）：存在环境违法行为的企业直接评定为最低等级且一年内不能再次申报；record_only 仅记录",
        "Ningxia 二(五) (draft): an enterprise with an environmental violation is rated at the lowest and may not "
        "apply for a year; record_only just records the finding"), "G-FRAUD"),
    "fraud_ban_where_silent": OptionDoc(True, (True, False), Text(
        "重庆 五.二只规定“直接评定为最低等级”，未写一年内不得申报：默认仍按摘要 G-FRAUD 禁止一年；False 则仅在河南、"
        "宁夏、绍兴禁止",
        "Chongqing 五.二 only says 'rated at the lowest' with no one-year ban: by default the digest's one-year "
        "ban applies everywhere; False bans only in Henan, Ningxia and Shaoxing"), "G-FRAUD"),
    "chongqing_application_year": OptionDoc("calendar", ("calendar", "rolling"), Text(
        "重庆 附件4“一年只能申报一次”且“只能在规定时间内申报”：默认按自然年；rolling 为评级日起满一年",
        "Chongqing 附件4: 'one application a year', within set periods: default the calendar year; rolling is a "
        "year from the rating"), "G-RECT-CQ"),
    "upgrade_from_unrated": OptionDoc(True, (True, False), Text(
        "未评级企业按最低等级管理（河南 第九条(一)），故由未评级评为更高等级计为一次提升（from_grade 为空）",
        "An unrated enterprise is managed at the lowest grade (Henan 第九条(一)), so being rated above it counts "
        "as an upgrade (from_grade null)"), "G-UNRATED"),
    "leading_map": OptionDoc(LeadingMap(), (LeadingMap(),), Text(
        "比较引领/非引领与A–D时，引领视同A、非引领视同C（河南、绍兴及国家应急规则）",
        "引领 compares like A and 非引领 like C (Henan, Shaoxing and the national emergency rule)"), "G-CROSS"),
}


@dataclass(frozen=True, slots=True)
class LedgerOptions:
    """Interpretation options of the ledger; each documented in OPTION_DOCS (name, default, values, basis, ref)."""
    shaoxing_cross: str = "lowest"
    failed_rectification: str = "cancel"
    shaoxing_bar_period: str = "calendar_year"
    shaoxing_bar_b_minus: bool = False
    ningxia_violation: str = "lowest_and_ban"
    fraud_ban_where_silent: bool = True
    chongqing_application_year: str = "calendar"
    upgrade_from_unrated: bool = True
    leading_map: LeadingMap = field(default_factory=LeadingMap)

    def __post_init__(self):
        for f in fields(self):
            value, doc = getattr(self, f.name), OPTION_DOCS[f.name]
            if f.name != "leading_map" and value not in doc.values:
                raise ValueError(f"option {f.name}={value!r}: expected one of {doc.values}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> LedgerOptions:
        """Options from a request's `parameters` (unknown names raise ValueError)."""
        values = dict(values or {})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown ledger options {sorted(unknown)}")
        return cls(**values)


def in_division(facility_division: str, code: str) -> bool:
    """Whether a facility lies in a division (GB/T 2260 prefix: 330602 is in 330600 and 330000)."""
    return code in division_chain(facility_division)


@lru_cache(maxsize=4096)
def jurisdictions(facility_division: str) -> tuple[bool, bool, bool, bool]:
    """(Henan, Shaoxing, Chongqing, Ningxia): whose grade rules apply to a facility."""
    chain = division_chain(facility_division)
    return HENAN in chain, SHAOXING in chain, CHONGQING in chain, NINGXIA in chain


def anniversary(day: date) -> date:
    """First day after one year from `day` (exclusive end of a one-year restriction; 29 Feb → 1 Mar)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def years_after(day: date, years: int) -> date:
    """The same day `years` later (29 Feb → 1 Mar)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def next_new_year(day: date) -> date:
    """1 January of the year after `day`: exclusive end of an 'in that year' (当年) restriction."""
    return date(day.year + 1, 1, 1)


def branch_info(branch_code: str, branches: Mapping | None = None) -> tuple[str, bool]:
    """(scale, allows_b_minus) of a catalogue branch; raise UnknownBranch."""
    table = reference().branches if branches is None else branches
    b = table.get(branch_code)
    if b is None:
        raise UnknownBranch(Text(f"未知的行业分支：{branch_code}", f"unknown industry branch {branch_code!r}"),
                            "G-SCALE", field="branch")
    return b.scale, b.allows_b_minus


def validate_grade(branch_code: str, grade: str, branches: Mapping | None = None) -> str:
    """The canonical grade if the branch's scale has it (G-SCALE); raise GradeNotOnScale or UnknownBranch."""
    if branches is None:
        return _validate_catalogue(branch_code, grade)
    return _validate(branch_code, grade, branches)


@lru_cache(maxsize=4096)
def _validate_catalogue(branch_code: str, grade: str) -> str:
    return _validate(branch_code, grade, None)      # the catalogue is loaded once: results can be kept


def _validate(branch_code: str, grade: str, branches: Mapping | None) -> str:
    scale, allows_b_minus = branch_info(branch_code, branches)
    try:
        g = canonical_grade(grade)
    except UnknownGrade:
        raise GradeNotOnScale(Text(f"{grade} 不是绩效等级", f"{grade!r} is not a performance grade"),
                              "G-SCALE", field="grade") from None
    if grade_on_scale(g, scale, allows_b_minus):
        return g
    offered = "/".join(x for x in scale_grades(scale, allows_b_minus) if x != "A+")
    if not offered:
        raise GradeNotOnScale(Text(f"该行业分支不评级（其他），不能评为 {g}",
                                   f"this branch is not graded (other); {g} is not possible"), "G-SCALE",
                              field="grade")
    hint_zh = hint_en = ""
    if g in ("A+", "A", "B", "B-", "C", "D") and LEADING in offered:
        hint_zh, hint_en = "；请使用引领/非引领", "; use 引领 / 非引领"
    raise GradeNotOnScale(Text(f"{g} 不在该行业分支的评级范围（{offered}）内{hint_zh}",
                               f"{g} is not on this branch's scale ({offered}){hint_en}"), "G-SCALE", field="grade")


def ladder(grade: str | None, scale: str, allows_b_minus: bool) -> tuple[str, ...]:
    """The grades on the same ladder as `grade` (letters or 引领/非引领), best first."""
    grades = scale_grades(scale, allows_b_minus)
    if grade in (LEADING, NON_LEADING) or (grade is None and LEADING in grades and "A" not in grades):
        return tuple(g for g in grades if g in (LEADING, NON_LEADING))
    return tuple(g for g in grades if g not in (LEADING, NON_LEADING))


def lowest_of(scale: str) -> str | None:
    """The lowest grade of a scale, None where it is unknown or ungraded (G-UNRATED: never guess)."""
    return LOWEST_OF_SCALE.get(scale)


def step_up(grade: str, scale: str, allows_b_minus: bool) -> str:
    """One step up the branch's ladder, never to A+ (A+ is selected, not managed: G-APLUS)."""
    steps = [g for g in ladder(grade, scale, allows_b_minus) if g != "A+"]
    if grade not in steps:
        return grade
    return steps[max(steps.index(grade) - 1, 0)]


def step_down(grade: str, scale: str, allows_b_minus: bool) -> str:
    """One step down the branch's ladder (A+ → A, B → B- where allowed, the lowest stays)."""
    steps = list(ladder(grade, scale, allows_b_minus))
    if grade not in steps:
        return grade
    return steps[min(steps.index(grade) + 1, len(steps) - 1)]


def henan_downgrade(grade: str) -> str | None:
    """Henan 第十九条(一): an A/B/引领 (A+, B- included) grade falls to C or 非引领; None if not affected."""
    if grade == LEADING:
        return NON_LEADING
    if grade in ("A+", "A", "B", "B-"):
        return "C"
    return None


def shaoxing_barred(options: LedgerOptions) -> tuple[str, ...]:
    """Grades Shaoxing 四(二) bars: B (引领) and above, B- only if the option says so."""
    return ("A+", "A", "B") + (("B-",) if options.shaoxing_bar_b_minus else ()) + (LEADING,)
