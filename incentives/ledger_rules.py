"""Grade-ledger helpers: options, refusals, grade ladders and dates (digest "Grades").

The rules themselves are catalogue data (policies/*/grading.yaml, read through incentives/rules.py); this
module holds what every rule shares. Used by the single fold, check_event and the bulk path in ledger.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from .errors import DomainError
from .explain import Text
from .grades import (
    LEADING,
    LOWEST_OF_SCALE,
    NON_LEADING,
    UnknownGrade,
    canonical_grade,
    grade_on_scale,
    scale_grades,
)
from .reference import reference


class LedgerError(DomainError, ValueError):
    """Base of the ledger's refusals (one domain error family): a zh/en message, the ref that decided, when it
    lifts, and the field it is about; HTTP 422 unless a subclass says otherwise."""
    status, title = 422, "Unprocessable Content"

    def __init__(self, message: Text, ref: str | None = None, until: date | None = None, field: str | None = None):
        text = f"{message.zh} / {message.en}"
        super().__init__(text, [{"field": field, "message": text, "ref": ref,
                                 "until": until.isoformat() if until else None}])
        self.message = message
        self.ref = ref
        self.until = until
        self.field = field


class EventRefused(LedgerError):
    """The rules forbid this event now (HTTP 409): a ban, A+ without A, an end without a start…"""
    status, title = 409, "Conflict"


class EventInFuture(EventRefused):
    """An event dated after today (HTTP 422: bad input, not a conflict)."""
    status, title = 422, "Unprocessable Content"


class GradeNotOnScale(LedgerError):
    """A grade the branch's scale does not have (G-SCALE; HTTP 422 on `grade`)."""


class UnknownBranch(LedgerError):
    """An industry or branch code that is not in the catalogue (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class LedgerOptions:
    """What a fold may be asked besides the events: drafts' rules, and overrides of registry parameters.

    `parameters` overrides named parameters of the catalogue (policies/*/parameters.yaml) that allow it,
    e.g. (("chongqing.failed_rectification", "downgrade"),); each is validated against its kind and choices.
    """
    include_drafts: bool = False
    upgrade_from_unrated: bool = True
    parameters: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        for name, value in self.parameters:
            check_override(name, value)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> LedgerOptions:
        """Options from a request: include_drafts, upgrade_from_unrated, or registry parameter names."""
        values = dict(values or {})
        drafts = values.pop("include_drafts", False)
        unrated = values.pop("upgrade_from_unrated", True)
        if not isinstance(drafts, bool) or not isinstance(unrated, bool):
            raise TypeError("include_drafts and upgrade_from_unrated are true or false")
        return cls(drafts, unrated, tuple(sorted(values.items())))

    def overrides(self) -> dict[str, Any]:
        """The parameter overrides as a mapping."""
        return dict(self.parameters)


def check_override(name: str, value: Any) -> None:
    """Raise ValueError unless `name` is a registry parameter a request may set and `value` is allowed."""
    import policies
    info = policies.CATALOGUE.parameter_specs.get(name)
    if info is None or not info.override:
        allowed = sorted(n for n, i in policies.CATALOGUE.parameter_specs.items() if i.override)
        raise ValueError(f"unknown parameter {name!r}; a request may set {', '.join(allowed)}")
    if info.kind == "choice" and value not in info.choices:
        raise ValueError(f"parameter {name}: {value!r} is not one of {', '.join(map(str, info.choices))}")
    if info.kind == "flag" and not isinstance(value, bool):
        raise ValueError(f"parameter {name}: true or false")
    if info.kind == "integer" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"parameter {name}: a whole number >= 0")
    if info.kind == "date" and not isinstance(value, date):
        raise ValueError(f"parameter {name}: a date")


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
