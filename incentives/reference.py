"""Reference data owned by the project (incentives/data/*.csv, copied from the team's reference folder
with their `source` and `confidence` columns). Loaded once, validated strictly: a bad file refuses to start."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from .grades import SCALE_GRADES
from .periods import Window

DATA_DIR = Path(__file__).with_name("data")


class ReferenceDataError(RuntimeError):
    """A reference file is malformed; the service must not start on it."""


@dataclass(frozen=True, slots=True)
class Branch:
    code: str
    industry: str
    name_zh: str
    name_en: str
    scale: str
    allows_b_minus: bool
    catalog: str
    jurisdiction: str
    source: str


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    name_zh: str
    name_en: str
    catalog: str
    jurisdiction: str
    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class Pollutant:
    item_no: int
    code: str
    name_zh: str
    name_en: str
    hj212_code: str | None
    equivalent_kg: Decimal
    confidence: str
    source: str


@dataclass(frozen=True, slots=True)
class TaxRate:
    division: str
    province_zh: str
    pollutant_scope: str
    area_scope: str
    rate_yuan: Decimal | None         # None: `unknown` (no decision found): the caller must send `rates`
    window: Window
    confidence: str
    source: str


@dataclass(frozen=True, slots=True)
class EmissionLimit:
    standard_id: str
    scope_zh: str
    scope_en: str
    pollutant: str
    limit_mg_m3: Decimal
    kind: str
    confidence: str
    source: str


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class Reference:
    industries: dict[str, Industry]
    branches: dict[str, Branch]
    pollutants: dict[str, Pollutant]
    pollutant_by_name: dict[str, str]
    tax_rates: tuple[TaxRate, ...]
    emission_limits: tuple[EmissionLimit, ...]
    divisions: dict[str, Division]


def _rows(name: str, columns: list[str]) -> list[tuple[int, dict]]:
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = set(columns) - set(reader.fieldnames or [])
            if missing:
                raise ReferenceDataError(f"{name}: missing columns {sorted(missing)}")
            return [(i, row) for i, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise ReferenceDataError(f"{name}: cannot read ({exc})") from exc


def _decimal(name: str, line: int, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ReferenceDataError(f"{name} line {line}: {text!r} is not a decimal") from None
    if not value.is_finite() or value <= 0:
        raise ReferenceDataError(f"{name} line {line}: {text!r} must be positive")
    return value


def _date(name: str, line: int, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReferenceDataError(f"{name} line {line}: bad date {text!r}") from None


def _unique(name: str, line: int, seen: set, key) -> None:
    if key in seen:
        raise ReferenceDataError(f"{name} line {line}: duplicate {key!r}")
    seen.add(key)


def load_industries() -> tuple[dict[str, Industry], dict[str, Branch]]:
    """Industry catalogue (G-SCALE, G-SCOPE) from industries.csv."""
    name = "industries.csv"
    branches: dict[str, Branch] = {}
    heads: dict[str, dict] = {}
    for line, r in _rows(name, ["industry_code", "branch_code", "scale", "allows_b_minus", "catalog", "source"]):
        if r["scale"] not in SCALE_GRADES:
            raise ReferenceDataError(f"{name} line {line}: unknown scale {r['scale']!r}")
        if r["allows_b_minus"] not in ("true", "false"):
            raise ReferenceDataError(f"{name} line {line}: allows_b_minus must be true or false")
        if not r["source"]:
            raise ReferenceDataError(f"{name} line {line}: no source")
        _unique(name, line, set(branches), r["branch_code"])
        branches[r["branch_code"]] = Branch(
            r["branch_code"], r["industry_code"], r["branch_zh"], r["branch_en"], r["scale"],
            r["allows_b_minus"] == "true", r["catalog"], r["jurisdiction"], r["source"])
        heads.setdefault(r["industry_code"], r)
    industries = {
        code: Industry(code, h["industry_zh"], h["industry_en"], h["catalog"], h["jurisdiction"],
                       tuple(b for b in branches.values() if b.industry == code))
        for code, h in heads.items()
    }
    return industries, branches


def load_pollutants() -> dict[str, Pollutant]:
    """The 44 taxable air pollutants and their 污染当量值 (环境保护税法 附表二)."""
    name = "pollutant_equivalents.csv"
    out: dict[str, Pollutant] = {}
    for line, r in _rows(name, ["item_no", "code", "pollutant_zh", "equivalent_kg", "confidence", "source"]):
        _unique(name, line, set(out), r["code"])
        if r["confidence"] not in ("multi_source", "single_source"):
            raise ReferenceDataError(f"{name} line {line}: unknown confidence {r['confidence']!r}")
        out[r["code"]] = Pollutant(int(r["item_no"]), r["code"], r["pollutant_zh"], r["pollutant_en"],
                                   r["hj212_code"] or None, _decimal(name, line, r["equivalent_kg"]),
                                   r["confidence"], r["source"])
    return out


def load_tax_rates() -> tuple[TaxRate, ...]:
    """Provincial 适用税额 for air pollutants, dated (附表一 bounds them to 1.2–12)."""
    name = "air_tax_rates.csv"
    out = []
    for line, r in _rows(name, ["division", "pollutant_scope", "area_scope", "rate_yuan",
                                "effective_from", "effective_to", "confidence", "source"]):
        if (r["rate_yuan"] == "unknown") != (r["confidence"] == "unknown"):
            raise ReferenceDataError(f"{name} line {line}: rate `unknown` goes with confidence `unknown`")
        rate = None if r["rate_yuan"] == "unknown" else _decimal(name, line, r["rate_yuan"])
        if rate is not None and not Decimal("1.2") <= rate <= Decimal(12):
            raise ReferenceDataError(f"{name} line {line}: rate {rate} outside 附表一's 1.2–12")
        area = r["area_scope"]
        if area != "all" and not (len(area) == 6 and area.isdigit() and area[:2] == r["division"][:2]
                                  and area != r["division"]):
            raise ReferenceDataError(f"{name} line {line}: area_scope {area!r} is neither `all` nor a "
                                     f"division inside {r['division']}")
        start = _date(name, line, r["effective_from"])
        window = Window.from_inclusive(start, _date(name, line, r["effective_to"]))
        out.append(TaxRate(r["division"], r["province_zh"], r["pollutant_scope"], r["area_scope"], rate,
                           window, r["confidence"], r["source"]))
    for i, a in enumerate(out):
        for b in out[i + 1:]:
            if (a.division, a.pollutant_scope, a.area_scope) == (b.division, b.pollutant_scope, b.area_scope) \
                    and a.window.overlaps(b.window):
                raise ReferenceDataError(f"{name}: overlapping rates for {a.division} {a.pollutant_scope}")
    return tuple(out)


def load_emission_limits() -> tuple[EmissionLimit, ...]:
    """Starter emission limits (mg/m³), used only when a caller gives no standard (env-tax.md §5.3)."""
    name = "emission_standards.csv"
    return tuple(
        EmissionLimit(r["standard_id"], r["scope_zh"], r["scope_en"], r["pollutant_code"],
                      _decimal(name, line, r["limit_mg_m3"]), r["limit_kind"], r["confidence"], r["source"])
        for line, r in _rows(name, ["standard_id", "pollutant_code", "limit_mg_m3", "limit_kind", "confidence"])
    )


def load_divisions() -> dict[str, Division]:
    """GB/T 2260 divisions the documents name (000000 = national)."""
    name = "divisions.csv"
    out: dict[str, Division] = {}
    for line, r in _rows(name, ["code", "name_zh", "name_en", "level", "parent"]):
        if len(r["code"]) != 6 or not r["code"].isdigit():
            raise ReferenceDataError(f"{name} line {line}: bad code {r['code']!r}")
        _unique(name, line, set(out), r["code"])
        out[r["code"]] = Division(r["code"], r["name_zh"], r["name_en"], r["level"], r["parent"] or None)
    return out


@cache
def reference() -> Reference:
    """All reference data, loaded and validated once per process."""
    industries, branches = load_industries()
    pollutants = load_pollutants()
    by_name = {p.name_zh: p.code for p in pollutants.values()}
    by_name.update({p.code: p.code for p in pollutants.values()})
    by_name["炭黑尘"] = by_name.get("碳黑尘", "carbon_black_dust")  # 117号 spelling of item 14
    limits = load_emission_limits()
    for lim in limits:
        if lim.pollutant != "pm" and lim.pollutant not in pollutants:
            raise ReferenceDataError(f"emission_standards.csv: unknown pollutant {lim.pollutant!r}")
    rates = load_tax_rates()
    for rate in rates:
        if rate.pollutant_scope not in ("all", "others") and rate.pollutant_scope not in pollutants:
            raise ReferenceDataError(f"air_tax_rates.csv: unknown pollutant {rate.pollutant_scope!r}")
    return Reference(industries, branches, pollutants, by_name, rates, limits, load_divisions())


def division_chain(code: str) -> tuple[str, ...]:
    """National, province, city and county codes that contain a division (GB/T 2260 by prefix)."""
    chain = ["000000", code[:2] + "0000"]
    if code[2:4] != "00":
        chain.append(code[:4] + "00")
    if code[4:] != "00":
        chain.append(code)
    return tuple(dict.fromkeys(chain))


def division_prefix(code: str) -> str:
    """The code prefix a division covers (410000 → 41, 410100 → 4101, 000000 → everything: "")."""
    if code == "000000":
        return ""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def division_name(code: str, lang: str = "zh") -> str | None:
    """Name of a division, or None when our table does not list it (never a reason to reject a code)."""
    d = reference().divisions.get(code)
    if d is None:
        return None
    return d.name_en if lang == "en" else d.name_zh
