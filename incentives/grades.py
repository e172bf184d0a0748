"""Performance grades (绩效等级): canonical spelling, grading scales and comparison (G-SCALE, G-CROSS)."""
from __future__ import annotations

import re
from dataclasses import dataclass

CANONICAL = ("A+", "A", "B", "B-", "C", "D", "引领", "非引领")
LEADING = "引领"
NON_LEADING = "非引领"

# Letter grades, best first. 引领/非引领 are compared through a per-jurisdiction mapping (G-CROSS).
LETTER_RANK = {"A+": 6, "A": 5, "B": 4, "B-": 3, "C": 2, "D": 1}

# Grades each scale offers, best first (G-SCALE; reference/README.md, industries.csv `scale`).
# A+ is not applied for: MEE selects it from A enterprises (G-APLUS), so it exists on ABCD and ABC only.
SCALE_GRADES = {
    "ABCD": ("A+", "A", "B", "B-", "C", "D"),
    "ABC": ("A+", "A", "B", "B-", "C"),
    "leading": (LEADING, NON_LEADING),
    "local_ABC": ("A", "B", "C"),
    "local_leading": (LEADING, NON_LEADING),
    "other": (),
    # Henan provincial industries: the scale is in guides we do not have; accept any grade, never guess a lowest.
    "unknown": ("A", "B", "B-", "C", "D", LEADING, NON_LEADING),
}
LOWEST_OF_SCALE = {"ABCD": "D", "ABC": "C", "leading": NON_LEADING, "local_ABC": "C",
                   "local_leading": NON_LEADING, "other": None, "unknown": None}

_ALIASES = {
    "A+": "A+", "A＋": "A+", "A+级": "A+", "A＋级": "A+",
    "A": "A", "A级": "A",
    "B": "B", "B级": "B",
    "B-": "B-", "B－": "B-", "B-级": "B-", "B－级": "B-", "B−": "B-",
    "C": "C", "C级": "C",
    "D": "D", "D级": "D",
    "引领": LEADING, "绩效引领": LEADING, "绩效引领性": LEADING, "引领性": LEADING, "LEADING": LEADING,
    "非引领": NON_LEADING, "非绩效引领": NON_LEADING, "非绩效引领性": NON_LEADING, "非引领性": NON_LEADING,
    "NON-LEADING": NON_LEADING, "NON_LEADING": NON_LEADING, "NONLEADING": NON_LEADING,
    "NOT LEADING": NON_LEADING,
}


class UnknownGrade(ValueError):
    """Text that is not a performance grade."""


def canonical_grade(text: str) -> str:
    """Return the canonical spelling of a grade (`B－` → `B-`, `绩效引领` → `引领`); raise UnknownGrade."""
    if text is None:
        raise UnknownGrade("grade is empty")
    key = re.sub(r"\s+", "", str(text)).upper().replace("地方", "")
    if key.endswith("级") and key not in _ALIASES:
        key = key[:-1]
    try:
        return _ALIASES[key]
    except KeyError:
        raise UnknownGrade(f"unknown grade {text!r}; expected one of {', '.join(CANONICAL)}") from None


def grade_on_scale(grade: str, scale: str, allows_b_minus: bool = False) -> bool:
    """Whether a canonical grade exists on a branch's scale (G-SCALE); B- only where the branch allows it."""
    if grade == "B-" and scale in ("ABCD", "ABC") and not allows_b_minus:
        return False
    return grade in SCALE_GRADES.get(scale, ())


def scale_grades(scale: str, allows_b_minus: bool = False) -> tuple[str, ...]:
    """Grades a scale offers, best first."""
    return tuple(g for g in SCALE_GRADES.get(scale, ()) if grade_on_scale(g, scale, allows_b_minus))


@dataclass(frozen=True, slots=True)
class LeadingMap:
    """How 引领/非引领 compare with letter grades in one jurisdiction (G-CROSS, an [interp] parameter)."""
    leading: str = "A"
    non_leading: str = "C"

    def letter(self, grade: str) -> str:
        """The letter grade a grade counts as."""
        if grade == LEADING:
            return self.leading
        if grade == NON_LEADING:
            return self.non_leading
        return grade


def rank(grade: str | None, leading_map: LeadingMap = LeadingMap()) -> int:
    """Comparable rank of a grade (higher is better); None (not graded) ranks 0."""
    if grade is None:
        return 0
    return LETTER_RANK[leading_map.letter(grade)]


def at_least(grade: str | None, floor: str, leading_map: LeadingMap = LeadingMap()) -> bool:
    """Whether `grade` is `floor` or better under the jurisdiction's 引领 mapping."""
    return grade is not None and rank(grade, leading_map) >= rank(floor, leading_map)


def lowest(grades: list[str], leading_map: LeadingMap = LeadingMap()) -> str | None:
    """The lowest of several industry grades (G-MULTI); on a tie a letter grade is preferred."""
    graded = [g for g in grades if g is not None]
    if not graded:
        return None
    return min(graded, key=lambda g: (rank(g, leading_map), g in (LEADING, NON_LEADING)))
