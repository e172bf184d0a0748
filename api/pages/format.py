"""How values read on a page: exact decimals with thousands separators, catalogue codes as names."""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

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


def division_label(code: str | None) -> str:
    """A division code as its name in the page's language (the code itself where the table has no name)."""
    if not code:
        return "—"
    d = reference().divisions.get(code)
    if d is None:
        parent = reference().divisions.get(code[:4] + "00") or reference().divisions.get(code[:2] + "0000")
        if parent is None:
            return code
        return f"{parent.name_en if lang() == 'en' else parent.name_zh} {code}"
    return d.name_en if lang() == "en" else d.name_zh


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


def two_places(value) -> str:
    """A measured quantity (kg, equivalents) shown to 2 decimals, half up; the files keep the exact value."""
    if value is None or value == "":
        return "—"
    return number(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2)


def percent(value) -> str:
    """A ratio (0.385) as a percentage to 1 decimal (38.5%)."""
    if value is None or value == "":
        return "—"
    return number((Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1) + "%"


_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:[._][a-z0-9]+)+\b|\b[a-z]{4,}\b")
# The preview's inputs as the service names them in its texts, in words.
FIELD_WORDS = {
    "allowance_2023_t": ("2023年度碳排放配额", "the 2023 allowance"), "scenario.monitoring": ("监测数据", "monitoring data"),
    "alert_days": ("预警天数", "alert days"), "daily_output_value_yuan": ("日产值", "the daily output value"),
    "scenario.alert_days": ("预警天数", "alert days"),
    "scenario.daily_output_value_yuan": ("日产值", "the daily output value"),
}


def plain_codes(text: str | None) -> str:
    """A service text with any industry or branch code in it replaced by its name in the page's language."""
    if not text:
        return ""
    ref = reference()

    def name(m: re.Match) -> str:
        code = m.group(0)
        if code in FIELD_WORDS:
            return FIELD_WORDS[code][1] if lang() == "en" else FIELD_WORDS[code][0]
        if code in ref.branches or code in ref.industries:
            return industry_label(code) if code in ref.industries else _branch_name(code)
        return code
    return _CODE.sub(name, text)


def _branch_name(code: str) -> str:
    b = reference().branches[code]
    return b.name_en if lang() == "en" else b.name_zh
