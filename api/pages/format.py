"""How values read on a page: exact decimals with thousands separators, catalogue codes as names."""
from __future__ import annotations

import json
from decimal import Decimal

from incentives.reference import reference

from ..i18n import lang


def number(value, places: int | None = None) -> str:
    """A Decimal (or int) as text with thousands separators; `places` only pads, it never rounds."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    if places is None and d == d.to_integral_value():
        d = d.quantize(Decimal(1))   # 1000.000 reads as 1,000 (the value is the same)
    text = f"{d:,f}"
    if places is not None and "." not in text:
        text += "." + "0" * places
    elif places is not None:
        whole, frac = text.split(".")
        text = whole + "." + frac.ljust(places, "0")
    return text


def amount(value) -> str:
    """Money in yuan (the service has already rounded it to the fen): two decimals shown."""
    return number(value, 2)


def grade_label(grade: str | None) -> str:
    """A canonical grade as shown (引领 has an English name)."""
    if not grade:
        return "—"
    if lang() == "en":
        return {"引领": "leading", "非引领": "non-leading"}.get(grade, grade)
    return grade


def industry_label(industry: str | None, branch: str | None = None) -> str:
    """An industry (and branch) code as its catalogue name in the page's language."""
    ref = reference()
    ind = ref.industries.get(industry or "")
    br = ref.branches.get(branch or "")
    en = lang() == "en"
    name = (ind.name_en if en else ind.name_zh) if ind else (industry or "")
    if br:
        name += " / " + (br.name_en if en else br.name_zh)
    elif branch:
        name += " / " + branch
    return name


def pollutant_label(code: str, zh: str | None = None) -> str:
    """A pollutant code as its 附表二 name in the page's language."""
    p = reference().pollutants.get(code)
    if p is None:
        return zh or code
    return p.name_en if lang() == "en" else p.name_zh


def show_value(value) -> str:
    """A parameter value (a number, text, or a mapping of them) as compact text, decimals exact."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
