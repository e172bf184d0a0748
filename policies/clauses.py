"""Clause text for a policy, cut from its source file (policies/sources/*.txt; the statute from env-tax.md)."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from incentives.policy import Policy

HERE = Path(__file__).resolve().parent
_DIRS = (HERE / "sources", HERE.parent / "incentives" / "data")
# Where the next clause starts: 一、 / （一） / （1） / 第X条 / a Ningxia table row number / a quoted law line.
_NEXT = re.compile(r"\n(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|（\d+）|第[一二三四五六七八九十]+条|\d+\n|> )")
MAX_CHARS = 700


@cache
def source_text(name: str) -> str:
    """The whole text of a source file (policies/sources/, or the statute in incentives/data/)."""
    for d in _DIRS:
        path = d / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(name)


def _tidy(text: str) -> str:
    # Henan's file wraps lines with blank lines in between; Chinese needs no space where a line was cut.
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = ""
    for ln in lines:
        ascii_join = out and out[-1].isascii() and out[-1].isalnum() and ln[0].isascii() and ln[0].isalnum()
        out += (" " if ascii_join else "") + ln
    return out


def clause_text(policy: Policy) -> str | None:
    """The text of the policy's clause, from its anchor to the next clause (None if it cannot be found)."""
    src = policy.source
    if not src.file or not src.anchor:
        return None
    text = source_text(src.file)
    start = text.find(src.anchor)
    if start < 0:
        return None
    m = _NEXT.search(text, start + len(src.anchor))
    end = m.start() if m else len(text)
    if src.end:
        stop = text.find(src.end, start)
        end = stop + len(src.end) if stop >= 0 else end
    return _tidy(text[start:min(end, start + MAX_CHARS)])
