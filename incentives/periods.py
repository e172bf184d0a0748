"""Half-open day windows [start, end) and dated parameter values, each with its ref (house style §2.4)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Window:
    """Days `start <= day < end`; `end=None` means until changed."""
    start: date | None
    end: date | None = None

    def __post_init__(self):
        if self.start and self.end and self.end <= self.start:
            raise ValueError(f"window ends {self.end} on or before it starts {self.start}")

    def contains(self, day: date) -> bool:
        """Whether `day` is in the window."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def overlaps(self, other: Window) -> bool:
        """Whether two windows share a day."""
        lo = max(self.start or date.min, other.start or date.min)
        hi = min(self.end or date.max, other.end or date.max)
        return lo < hi

    @property
    def last_day(self) -> date | None:
        """The last day in force (what the API shows as `effective.to`)."""
        return self.end - timedelta(days=1) if self.end else None

    @classmethod
    def from_inclusive(cls, start: date | None, last_day: date | None) -> Window:
        """A window from a first and a last day in force (reference CSVs write the last day)."""
        return cls(start, last_day + timedelta(days=1) if last_day else None)


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter, valid in its window, with the ref and source that fix it."""
    window: Window
    value: Any
    ref: str
    source: str = ""


class UncoveredDate(LookupError):
    """A parameter has no value on the day asked."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named parameter: a sequence of dated values that never overlap."""
    name: str
    values: tuple[DatedValue, ...]
    description: str = ""
    unit: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.values:
            raise ValueError(f"parameter {self.name} has no value")
        for i, a in enumerate(self.values):
            if not a.ref:
                raise ValueError(f"parameter {self.name}: a value has no ref")
            for b in self.values[i + 1:]:
                if a.window.overlaps(b.window):
                    raise ValueError(f"parameter {self.name}: windows overlap ({a.window}, {b.window})")

    def at(self, day: date) -> DatedValue:
        """The value record in force on `day`; raise UncoveredDate if none."""
        for v in self.values:
            if v.window.contains(day):
                return v
        raise UncoveredDate(f"parameter {self.name} has no value on {day.isoformat()}")
