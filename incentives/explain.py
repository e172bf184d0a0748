"""Explanations as data: steps, each citing its clause, with the values it used (house style §2.5)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["met", "not_met", "unknown"]


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence in Chinese and English; the edge picks one."""
    zh: str
    en: str

    def pick(self, lang: str) -> str:
        """The sentence in `lang` ('zh' or 'en')."""
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an explanation: the ref applied, its outcome, the values used, and what was needed."""
    ref: str
    text: Text
    outcome: Outcome = "met"
    values: dict[str, Any] = field(default_factory=dict)
    needed: str | None = None
