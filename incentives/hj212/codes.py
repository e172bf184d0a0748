"""HJ 212 factor codes (2017 and 2005) mapped to our tax pollutant codes, and the data-flag rules."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from ..reference import DATA_DIR, ReferenceDataError, reference

_STD_FLAGS = "HJ 212-2017 §6.6.4 表8 数据标记 (shared/reference/hj212.md §8.1)"
_NO_TAX_TEXT = "engineering default: no tax text on flag codes was found (hj212.md §8.1, §13.3)"


@dataclass(frozen=True, slots=True)
class FlagRule:
    """How one -Flag value is treated: `use`, `exclude` or `exceeding` (used, and fails the hourly gate)."""
    flag: str
    meaning_zh: str
    action: str
    reason: str
    source: str


# The documented flag rule. T is "over the instrument's upper range", not "over the standard": the
# true value is at least the range, so the hour counts as exceeding for the 条例第十条 hourly gate,
# and its emission is still counted. Invalid data are no basis for exceedance either way
# (《污染物排放自动监测设备标记规则》, hj212.md §8.1), so F/M/S/D/C/B hours are excluded and listed.
FLAG_RULES: MappingProxyType[str, FlagRule] = MappingProxyType({r.flag: r for r in (
    FlagRule("N", "在线监控（监测）仪器仪表工作正常", "use", "valid hour", _STD_FLAGS),
    FlagRule("F", "仪器仪表停运", "exclude", "instrument stopped: not a measurement", _STD_FLAGS),
    FlagRule("M", "维护期间产生的数据", "exclude", "maintenance: not a measurement", _STD_FLAGS),
    FlagRule("S", "手工输入的设定值", "exclude", "manually set value, not measured", _STD_FLAGS),
    FlagRule("D", "仪器仪表故障", "exclude", "instrument fault (or < 75% valid minutes, 表C.17 注)", _STD_FLAGS),
    FlagRule("C", "校准状态", "exclude", "calibration: not a measurement", _STD_FLAGS),
    FlagRule("T", "采样数值超过测量上限", "exceeding",
             "over the instrument range: true value >= reading, counts as exceeding the standard", _STD_FLAGS),
    FlagRule("B", "与数采仪通讯异常", "exclude", "communication fault: values are placeholders", _STD_FLAGS),
    FlagRule("P", "电源故障", "exclude", "power failure (HJ/T 212-2005 flag, gone in 2017)",
             "HJ/T 212-2005 flag list as modelled by xiaoyao9184/hj-t212-parser [code] (hj212.md §11)"),
)})
FLAG_RULES_SOURCE = _NO_TAX_TEXT
# A hour with no -Flag (2005-style devices, real packet P3) is taken as N.
MISSING_FLAG = "N"
# HJ 212-2025 §8.1.1 d (quoted in code, hj212.md §8.1): a 折算 value that cannot be computed.
NOT_COMPUTABLE = "9999.99"


@dataclass(frozen=True, slots=True)
class Factor:
    """One HJ 212 factor code: its 2017 code, name, kind (pollutant/flow/parameter) and our tax code."""
    code_2017: str
    name_zh: str
    kind: str
    tax_code: str | None
    conc_unit: str
    source: str


@cache
def factors() -> MappingProxyType[str, Factor]:
    """Every known factor code, 2017 and 2005 spellings alike, from data/hj212_codes.csv."""
    by_hj212 = {p.hj212_code: p.code for p in reference().pollutants.values() if p.hj212_code}
    out: dict[str, Factor] = {}
    path = DATA_DIR / "hj212_codes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            if r["kind"] not in ("pollutant", "flow", "parameter") or not r["source"]:
                raise ReferenceDataError(f"hj212_codes.csv line {line}: bad kind or no source")
            f = Factor(r["code_2017"], r["name_zh"], r["kind"], by_hj212.get(r["code_2017"]),
                       r["conc_unit"], r["source"])
            for code in filter(None, (r["code_2017"], r["code_2005"])):
                if code in out:
                    raise ReferenceDataError(f"hj212_codes.csv line {line}: duplicate code {code!r}")
                out[code] = f
    missing = set(by_hj212) - {f.code_2017 for f in out.values()}
    if missing:
        raise ReferenceDataError(f"hj212_codes.csv: no row for reference hj212 codes {sorted(missing)}")
    return MappingProxyType(out)
