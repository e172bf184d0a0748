"""The assessment: per outlet × pollutant × month, the tier of 法 第十三条 and the tax due (env-tax.md §3–§6, §9).

Row-level work (sums, maxima over millions of hourly values) is vectorised on scaled integers; the few
thousand outlet × pollutant × month groups are then decided one by one on exact Fractions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from ..explain import Step, Text
from ..money import dec, round_half_up
from ..reference import division_prefix, reference
from ..tabular import ROW
from .numbers import INT64_SAFE, round_exact, terminates, to_decimal
from .parameters import NO_REDUCTION_TIER, Statutory, TaxParameters, statutory
from .records import Records, parse_records

REF = "LAW-13"  # the digest entry for the env tax; each step names its exact clause in values["clause"]
NO_REDUCTION = Decimal(1)  # the factor of tier "none": the full tax (the tiers themselves come from statutory(day))
FEN = Decimal("0.01")
PARTICULATE_ITEMS = ("soot", "general_dust")  # 117号 一: a 颗粒物 limit ("pm") serves these items


class MissingRate(ValueError):
    """No reference rate for the province and pollutant in that month, and the request gave none."""
    status = 422

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.detail, self.errors = message, errors or []


class InvalidRate(ValueError):
    """A caller's rate outside 法 附表一's range (1.2–12 yuan per 污染当量; env_tax.rate_range)."""
    status = 422

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.detail, self.errors = message, errors or []


class MissingStandard(ValueError):
    """Concentrations without a standard S: neither the request, the records nor a known standard id give one."""
    status = 422

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.detail, self.errors = message, errors or []


@dataclass(frozen=True, slots=True)
class RateUsed:
    """A rate applied to a pollutant in a month, and where it came from."""
    pollutant: str
    month: str
    rate: Decimal
    source: str          # "request" or "reference"
    detail: str          # the reference row (division, scope, window, source) or "request"


@dataclass(frozen=True, slots=True)
class Row:
    """One outlet × pollutant × month of the assessment (contract "Assessment answer")."""
    outlet: str
    pollutant: str
    pollutant_zh: str
    month: str
    data_source: str
    avg_concentration: Decimal | None
    max_concentration: Decimal | None
    max_time: str | None
    standard: Decimal | None
    standard_source: str | None
    ratio: Decimal | None
    tier: str
    factor: Decimal
    reason: Text
    steps: tuple[Step, ...]
    emission_kg: Decimal
    equivalents: Decimal
    taxed: bool
    rank: int
    rate: Decimal
    rate_source: str
    tax_before_reduction: Decimal
    reduction: Decimal
    tax_due: Decimal
    records: int
    exhaust_m3: Decimal | None = None   # Σ hourly flue-gas volume (m³) where every hour carries its flow (§9.1)


@dataclass(frozen=True, slots=True)
class MonthTotal:
    month: str
    tax_before_reduction: Decimal
    reduction: Decimal
    tax_due: Decimal


@dataclass(frozen=True, slots=True)
class QuarterTotal:
    quarter: str
    tax_before_reduction: Decimal
    reduction: Decimal
    tax_due: Decimal
    filing_deadline: date


@dataclass(frozen=True, slots=True)
class Assessment:
    """The full answer: rows, monthly and quarterly totals, the parameters and rates used, and notes."""
    division: str
    rows: tuple[Row, ...]
    months: tuple[MonthTotal, ...]
    quarters: tuple[QuarterTotal, ...]
    parameters: TaxParameters
    rates: tuple[RateUsed, ...]
    notes: tuple[Step, ...] = field(default=())

    def to_rows(self) -> pd.DataFrame:
        """The rows as a DataFrame (Decimal values kept)."""
        return pd.DataFrame([{name: getattr(r, name) for name in Row.__slots__} for r in self.rows])


# ---------------------------------------------------------------- formatting for explanations

def _fmt(value) -> str:
    """A number as written in explanations: exact, or "≈" and three decimals for a non-terminating ratio."""
    if value is None:
        return "—"
    kind = type(value)  # `type is`: isinstance on the numbers ABCs is slow, and this runs per figure
    if kind is Fraction:
        return _fmt_fraction(value.numerator, value.denominator)
    return _fmt_decimal(value) if kind is Decimal or isinstance(value, Decimal) else str(value)


@lru_cache(maxsize=65536)
def _fmt_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


@lru_cache(maxsize=65536)
def _fmt_fraction(numerator: int, denominator: int) -> str:
    value = Fraction(numerator, denominator)
    return ("" if terminates(value) else "≈") + _fmt(to_decimal(value, 3))


def _ratio(S: Fraction, C: Fraction) -> Fraction:
    """(S − C) / S, the share below the standard (法 第十三条), as one exact rational."""
    below = S.numerator * C.denominator - C.numerator * S.denominator
    return Fraction(below, S.numerator * C.denominator)


def _step(clause: str, zh: str, en: str, outcome="met", needed: str | None = None, **values) -> Step:
    return Step(REF, Text(zh, en), outcome, {"clause": clause, **values}, needed)


# ---------------------------------------------------------------- inputs: rates and standards

def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def statutory_by_month(months) -> dict[str, Statutory]:
    """The LAW-13 tiers and 附表一 range in force on each month's first day, read once per distinct month."""
    return {month: statutory(_month_start(month)) for month in sorted(set(months))}


def caller_rates(rates: dict | None, laws: dict[str, Statutory] | None = None) -> dict[str, Decimal]:
    """A request's `rates` by pollutant code, each checked against 附表一's range (env_tax.rate_range) in
    force in every month of `laws` (statutory_by_month); InvalidRate names a bad one."""
    out: dict[str, Decimal] = {}
    by_name = reference().pollutant_by_name
    for key, value in (rates or {}).items():
        code = by_name.get(str(key).strip()) or by_name.get(str(key).strip().lower())
        if code is None:
            raise InvalidRate(f"rates: unknown pollutant {key!r}", [{"field": f"rates.{key}", "message": "unknown pollutant"}])
        try:
            rate = dec(value)
        except Exception:  # noqa: BLE001 - any unparsable value
            raise InvalidRate(f"rates.{key}: {value!r} is not a number",
                              [{"field": f"rates.{key}", "message": "not a number"}]) from None
        if not rate.is_finite():
            raise InvalidRate(f"rates.{key}: {value!r} is not a finite number",
                              [{"field": f"rates.{key}", "message": "not a finite number"}])
        for law in (laws or {}).values():
            if not law.rate_min <= rate <= law.rate_max:
                span = f"{law.rate_min}–{law.rate_max}"
                raise InvalidRate(f"rates.{key}: {value} is outside 法 附表一's {span} yuan per 污染当量",
                                  [{"field": f"rates.{key}", "message": f"outside {span} (法 附表一)"}])
        out[code] = rate
    return out


def reference_rate(division: str, pollutant: str, month: str):
    """The reference TaxRate in force in `month` for a division: pollutant row > others > all; within one,
    the most specific area containing the division (county > city > `all`). MissingRate when none is
    known (`unknown` rows included) or when areas inside the division differ (send a finer division)."""
    province = division[:2] + "0000"
    day = _month_start(month)
    rows = [r for r in reference().tax_rates if r.division == province and r.window.contains(day)]
    own = division_prefix(division)
    for scope in (pollutant, "others", "all"):
        scoped = [r for r in rows if r.pollutant_scope == scope]
        if not scoped:
            continue
        areas = {r: "" if r.area_scope == "all" else division_prefix(r.area_scope) for r in scoped}
        containing = [r for r in scoped if division.startswith(areas[r])]
        best = max(containing, key=lambda r: len(areas[r]), default=None)
        inside = [r for r in scoped if r not in containing and areas[r].startswith(own)]
        if best is None or any(r.rate_yuan != best.rate_yuan for r in inside):
            raise MissingRate(f"{province} sets {pollutant} rates by area ({', '.join(sorted(r.area_scope for r in scoped))}) "
                              f"and division {division} does not decide which applies; send the county's division or `rates`",
                              [{"field": "rates", "message": f"no rate for {pollutant} in {division}"}])
        if best.rate_yuan is None:
            raise MissingRate(f"the {pollutant} rate of {best.province_zh} ({province}) in {month} is unknown "
                              f"(air_tax_rates.csv: {best.source}); send `rates`",
                              [{"field": "rates", "message": f"{pollutant} rate unknown for {province} ({month})"}])
        return best
    raise MissingRate(f"no known rate for province {province} and pollutant {pollutant} in {month}; send `rates`",
                      [{"field": "rates", "message": f"no rate for {pollutant} in {province} ({month})"}])


def _standard_from_id(standard_id: str, pollutant: str, allowed: frozenset[str]):
    """A limit from emission_standards.csv: `ID` (general limits) or `ID:kind` (e.g. GB13223-2011:special)."""
    sid, _, kind = standard_id.partition(":")
    codes = (pollutant, "pm") if pollutant in PARTICULATE_ITEMS else (pollutant,)
    rows = [r for r in reference().emission_limits if r.standard_id == sid and r.confidence in allowed]
    for code in codes:
        hits = [r for r in rows if r.pollutant == code and (r.kind == kind if kind else True)]
        if len({r.limit_mg_m3 for r in hits}) > 1 and not kind:
            hits = [r for r in hits if r.kind == "general"]
        if len({r.limit_mg_m3 for r in hits}) == 1:
            return hits[0]
        if hits:
            return None  # ambiguous: the caller must say which
    return None


# ---------------------------------------------------------------- grouping

def _measurement_groups(rec: Records) -> tuple[list[dict], np.ndarray]:
    m = rec.measurements
    if not len(m[ROW]):
        return [], np.zeros(0, dtype=np.int64)
    key = (m["o"].astype(np.int64) * 64 + m["p"]) * 4096 + m["mo"]
    n = len(key)
    # groups in key order; files come sorted, so usually no sort at all (a stable one otherwise)
    order = None if bool((key[1:] >= key[:-1]).all()) else np.argsort(key, kind="stable")

    def by_key(values):
        return values if order is None else values[order]
    ordered = by_key(key)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    uniques = ordered[starts]
    size = len(uniques)
    group_ordered = np.repeat(np.arange(size), np.diff(np.append(starts, n)))
    group = group_ordered if order is None else np.empty(n, dtype=np.int64)
    if order is not None:
        group[order] = group_ordered
    count = np.diff(np.append(starts, n))
    conc, flow, kg, has_kg = m["conc"], m["flow"], m["kg"], m["has_kg"]
    if has_kg.any():  # §3.3 per hour, unless the record gives the hour's own emission_kg (e.g. HJ 212 -Cou)
        flow = np.where(has_kg, 0, flow)
    big = (conc.dtype == object or flow.dtype == object or kg.dtype == object
           or max(int(conc.max()) * int(flow.max()), int(kg.max())) * int(count.max()) >= INT64_SAFE)
    if big:  # exact Python integers when int64 could overflow
        conc, flow, kg = conc.astype(object), flow.astype(object), kg.astype(object)
    conc_o = by_key(conc)
    conc_sum = np.add.reduceat(conc_o, starts)
    load = np.add.reduceat(conc_o * by_key(flow), starts)
    kg_sum = np.add.reduceat(by_key(kg), starts) if has_kg.any() else np.zeros(size, dtype=np.int64)
    # 废气排放量 (env-tax.md §9.1): Σ hourly flow, known only where every hour of the group carries one
    flow_sum = np.add.reduceat(by_key(m["flow"] if not big else m["flow"].astype(object)), starts)
    has_flow = m.get("has_flow")
    flow_known = (np.ones(size, dtype=bool) if has_flow is None
                  else np.logical_and.reduceat(by_key(has_flow), starts))
    position = np.arange(n)

    def first_where(mask_ordered):
        """Per group, the first row (input order) where the mask holds, or -1."""
        at = np.minimum.reduceat(np.where(mask_ordered, position, n), starts)
        found = at < n
        at = np.where(found, at, 0)
        return np.where(found, at if order is None else order[at], -1)
    over_o = by_key(m["over_range"])
    over = np.add.reduceat(over_o.astype(np.int64), starts)
    over_pos = first_where(over_o) if over.any() else np.full(size, -1, dtype=np.int64)
    cmax = np.maximum.reduceat(conc_o, starts)
    max_pos = first_where(conc_o == np.repeat(cmax, count))
    agency = np.logical_or.reduceat(by_key(m["agency"]), starts)
    std = np.maximum.reduceat(by_key(m["standard_id"]), starts)
    cs, fs, ks = rec.conc_scale, rec.flow_scale, rec.kg_scale
    max_times = _minutes_text(m["time"][max_pos])
    over_times = _minutes_text(m["time"][over_pos]) if over.any() else None
    out = []
    for g, k in enumerate(uniques):
        k = int(k)
        mo, rest = k % 4096, k // 4096
        out.append({
            "group": g, "outlet": rec.outlets[rest // 64], "item": rest % 64, "month": rec.months[mo],
            "source": "agency" if agency[g] else "cems", "n": int(count[g]),
            "mean": Fraction(int(conc_sum[g]), int(count[g]) * 10 ** cs),
            "max": Fraction(int(cmax[g]), 10 ** cs),
            "max_time": max_times[g],
            "max_row": int(m[ROW][max_pos[g]]),
            # §3.3: Σ flow × conc ÷ 10^6 over the hours, plus the hours that carry their own emission_kg
            "emission": Fraction(int(load[g]), 10 ** (cs + fs + 6)) + Fraction(int(kg_sum[g]), 10 ** ks),
            "exhaust": Fraction(int(flow_sum[g]), 10 ** fs) if flow_known[g] else None,
            "record_standard": rec.standards[std[g]] if std[g] >= 0 else None,
            "over_range": int(over[g]),
            "over_time": over_times[g] if over_pos[g] >= 0 else None,
            "over_row": int(m[ROW][over_pos[g]]) if over_pos[g] >= 0 else None,
        })
    return out, group


def _minutes_text(times: np.ndarray) -> list[str]:
    """Each datetime64 as 'YYYY-MM-DD HH:MM' (as str(t)[:16] with a space for the T), in one numpy pass."""
    return [t[:16].replace("T", " ") for t in np.datetime_as_string(times).tolist()]


def _hours_above(rec: Records, group: np.ndarray, groups: list[dict]) -> None:
    """For groups failing G1, count the hours (or samples) above S in one pass: explanations name them."""
    failing = [g for g in groups if g["exceeds"] and "group" in g]
    if not failing:
        return
    size = int(group.max()) + 1 if len(group) else 0
    num = np.zeros(size, dtype=object)
    den = np.ones(size, dtype=object)
    active = np.zeros(size, dtype=bool)
    for g in failing:
        limit = g["S"] * 10 ** rec.conc_scale  # S in the scaled units of conc
        num[g["group"]], den[g["group"]], active[g["group"]] = limit.numerator, limit.denominator, True
    rows = np.flatnonzero(active[group])
    conc = rec.measurements["conc"][rows]
    at = group[rows]
    small = (conc.dtype != object and len(conc) > 0 and max(num) < INT64_SAFE
             and int(conc.max()) * max(den) < INT64_SAFE)
    if small:  # the same exact comparison on int64
        above = conc.astype(np.int64) * den.astype(np.int64)[at] > num.astype(np.int64)[at]
    else:
        above = conc.astype(object) * den[at] > num[at]  # exact integer comparison
    counts = np.bincount(at[above.astype(bool)], minlength=size)
    for g in failing:
        g["above"] = int(counts[g["group"]])


def _aggregate_groups(rec: Records) -> list[dict]:
    out = []
    for r in rec.aggregates.itertuples(index=False):
        has_conc = r.avg is not None
        out.append({
            "outlet": r.outlet, "item": int(r.pollutant), "month": r.month, "source": r.source, "n": 1,
            "mean": Fraction(r.avg) if has_conc else None, "max": Fraction(r.max) if has_conc else None,
            "max_time": None, "max_row": int(getattr(r, ROW)), "emission": Fraction(r.emission_kg),
            "record_standard": r.standard, "aggregate": True,
        })
    return out


# ---------------------------------------------------------------- the assessment

def assess(records, *, division: str, outlets: dict[str, dict] | None = None, rates: dict | None = None,
           parameters: TaxParameters | None = None, exceedance_elsewhere: dict[str, bool] | None = None
           ) -> Assessment:
    """Assess the air-pollutant tax per outlet × pollutant × month (env-tax.md); raises MissingRate,
    InvalidRate, MissingStandard (all ValueError with .status/.errors).

    `exceedance_elsewhere` (month -> bool) reports water or unorganised-emission exceedances for 117号 二;
    when absent, G2 checks the air outlets given and says so (outcome "unknown").
    """
    parameters = parameters or TaxParameters()
    rec = records if isinstance(records, Records) else parse_records(records, parameters)
    measured, group_index = _measurement_groups(rec)
    return assess_groups(measured + _aggregate_groups(rec), division=division, outlets=outlets, rates=rates,
                         parameters=parameters, exceedance_elsewhere=exceedance_elsewhere,
                         hours_above=lambda failing: _hours_above(rec, group_index, failing))


def assess_groups(groups: list[dict], *, division: str, outlets: dict[str, dict] | None = None,
                  rates: dict | None = None, parameters: TaxParameters | None = None,
                  exceedance_elsewhere: dict[str, bool] | None = None, hours_above=None) -> Assessment:
    """The law on the outlet × pollutant × month aggregates: standards, rates, gates, tiers, top three and
    rounding (法 第八–十三条, 117号, env-tax.md §3–§6). The one definition both the single assessment (groups
    from parse_records) and the batch (groups aggregated by DuckDB, incentives/tax/batch.py) apply.

    Each group: outlet, item (附表二 item no.), month, source (cems/agency), n, mean and max (Fraction or
    None), max_time, max_row, emission (Fraction kg), exhaust (Fraction m³ or None), record_standard,
    over_range, over_time, over_row. `hours_above(failing)` may set g["above"] (the hours above S) on the
    groups failing G1, for their explanations.
    """
    parameters = parameters or TaxParameters()
    outlets = outlets or {}
    pollutants = reference().pollutants
    by_item = {p.item_no: p for p in pollutants.values()}
    laws = statutory_by_month(g["month"] for g in groups)  # what the catalogue publishes, per month
    given_rates = caller_rates(rates, laws)
    _resolve_standards(groups, outlets, parameters, by_item)
    rates_used: dict[tuple[str, str], RateUsed] = {}
    for g in groups:
        g["pollutant"], g["law"] = by_item[g["item"]], laws[g["month"]]
        key = (g["pollutant"].code, g["month"])
        if key not in rates_used:
            rates_used[key] = _rate(division, key[0], key[1], given_rates)
        g["rate"] = rates_used[key]
        C = g["mean"]
        if C is not None and g["source"] == "agency" and parameters.agency_aggregate == "max" and not g.get("aggregate"):
            C = g["max"]
        g["C"] = C
        # G1: a value above S, or an hour over the instrument's range (T), counts as exceeding
        g["exceeds"] = C is not None and g["S"] is not None and (g["max"] > g["S"] or g.get("over_range", 0) > 0)
    if hours_above is not None:
        hours_above([g for g in groups if g["exceeds"]])
    _rank(groups, parameters)
    exceedances = _exceedance_index(groups)
    rows = [_row(g, exceedances, outlets, parameters, exceedance_elsewhere) for g in groups]
    rows.sort(key=lambda r: (r.month, r.outlet, r.rank))
    notes = ()
    if exceedance_elsewhere is None and parameters.exceedance_scope == "taxpayer":
        notes = (_step("财税〔2018〕117号 二", "未提供水污染物和无组织排放的浓度数据：117号 二的检查仅覆盖本次提交的大气排放口",
                       "No water or unorganised-emission data were given: the 117号 二 check covers only the air "
                       "outlets submitted", "unknown"),)
    months, quarters = _totals(rows)
    return Assessment(division, tuple(rows), months, quarters, parameters,
                      tuple(sorted(rates_used.values(), key=lambda r: (r.month, r.pollutant))), notes)


def _rate(division: str, code: str, month: str, given: dict[str, Decimal]) -> RateUsed:
    if code in given:
        return RateUsed(code, month, given[code], "request", "request")
    row = reference_rate(division, code, month)
    window = f"{row.window.start}..{row.window.last_day or ''}"
    return RateUsed(code, month, row.rate_yuan, "reference",
                    f"{row.province_zh} {row.division} {row.pollutant_scope}/{row.area_scope} {window}: {row.source}")


def _resolve_standards(groups, outlets, parameters, by_item) -> None:
    """S per group: outlets[].standards > the record's standard > outlets[].standard_id (env-tax.md §5.3)."""
    by_name = reference().pollutant_by_name
    given = {}
    for outlet, spec in outlets.items():
        for name, value in (spec or {}).get("standards", {}).items():
            code = by_name.get(str(name)) or by_name.get(str(name).lower())
            if code is None:
                raise MissingStandard(f"outlets.{outlet}.standards: unknown pollutant {name!r}",
                                      [{"field": f"outlets.{outlet}.standards.{name}", "message": "unknown pollutant"}])
            try:
                value = dec(value)
            except (ArithmeticError, ValueError, TypeError):   # not a number, or out of range
                value = Decimal("NaN")
            if not (value.is_finite() and value > 0):
                raise MissingStandard(f"outlets.{outlet}.standards.{name}: must be a number > 0",
                                      [{"field": f"outlets.{outlet}.standards.{name}",
                                        "message": "must be a number > 0 (exponent within ±30)"}])
            given[(outlet, code)] = value
    missing = []
    for g in groups:
        code = by_item[g["item"]].code
        case = (outlets.get(g["outlet"]) or {}).get("generated_case")
        if case is not None and case not in (1, 2, 3, 4, 5):
            raise MissingStandard(f"outlets.{g['outlet']}.generated_case: {case!r} is not 1–5 (条例 第七条)",
                                  [{"field": f"outlets.{g['outlet']}.generated_case", "message": "must be 1–5"}])
        g["generated_case"] = case
        if (g["outlet"], code) in given:
            g["S"], g["S_source"] = Fraction(given[(g["outlet"], code)]), "request"
        elif g["record_standard"] is not None:
            g["S"], g["S_source"] = Fraction(g["record_standard"]), "records"
        else:
            sid = (outlets.get(g["outlet"]) or {}).get("standard_id")
            limit = _standard_from_id(sid, code, parameters.default_standard_confidence) if sid else None
            if limit is not None:
                g["S"] = Fraction(limit.limit_mg_m3)
                g["S_source"] = (f"emission_standards.csv {limit.standard_id} {limit.pollutant} {limit.kind} "
                                 f"({limit.confidence}): {limit.scope_zh}")
            else:
                g["S"], g["S_source"] = None, None
                if g["mean"] is not None:
                    missing.append((g["outlet"], code, sid))
    if missing:
        errors = [{"field": f"outlets.{o}.standards.{p}",
                   "message": f"no standard for {o} {p}" + (f" (standard_id {sid} has no usable limit)" if sid else "")}
                  for o, p, sid in sorted(set(missing))]
        raise MissingStandard(f"no emission standard for {len(errors)} outlet/pollutant pair(s): "
                              + ", ".join(f"{o} {p}" for o, p, _ in sorted(set(missing))), errors)


def _rank(groups, parameters) -> None:
    """法 第九条: per outlet and month, rank by unrounded 污染当量数; ties by TOP_N_TIE_BREAK."""
    by_unit: dict[tuple, list] = {}
    for g in groups:
        g["eq"] = g["emission"] / Fraction(g["pollutant"].equivalent_kg)
        by_unit.setdefault((g["outlet"], g["month"]), []).append(g)
    for unit in by_unit.values():
        if parameters.tie_break == "higher_rate_first":
            unit.sort(key=lambda g: (-g["eq"], -g["rate"].rate, g["item"]))
        else:
            unit.sort(key=lambda g: (-g["eq"], g["item"]))
        cut = parameters.top_n
        edge = unit[cut - 1]["eq"] if len(unit) > cut and unit[cut - 1]["eq"] == unit[cut]["eq"] else None
        for i, g in enumerate(unit, start=1):
            g["rank"], g["taxed"] = i, i <= cut
            g["tie"] = edge is not None and g["eq"] == edge  # the tie rule decided who is taxed


def _tier(C: Fraction, S: Fraction, boundary: str, law: Statutory) -> tuple[str, Decimal, Fraction | None]:
    """法 第十三条 on exact values, with the tiers in force that month (law.tiers, tightest first): the first
    tier whose limit × S the mean C is below ("低于"; strict), or at most (inclusive; REDUCTION_BOUNDARY).
    (label, factor, limit), or ("none", 1, None)."""
    for limit, factor, label in law.tiers:
        if C < limit * S or (boundary == "inclusive" and C == limit * S):
            return label, factor, limit
    return NO_REDUCTION_TIER, NO_REDUCTION, None


def _factor(tier: str, law: Statutory) -> Decimal:
    return next((factor for _, factor, label in law.tiers if label == tier), NO_REDUCTION)


def _row(g, groups, outlets, parameters, elsewhere) -> Row:
    p, S, C, Cmax = g["pollutant"], g["S"], g["C"], g["max"]
    steps = []
    unit = ("小时均值", "hourly average") if g["source"] == "cems" else ("单次监测值", "measurement")
    eq_used = round_exact(g["eq"], FEN) if parameters.rounding == "equivalents_2dp" else to_decimal(g["eq"], 12)
    rate = g["rate"].rate
    kg, per, eq = _fmt(g["emission"]), _fmt(p.equivalent_kg), _fmt(g["eq"])  # each formatted once
    steps.append(_step("法 第八条、附表二", f"污染当量数 = {kg} kg ÷ {per} = {eq}",
                       f"equivalents = {kg} kg ÷ {per} = {eq}",
                       emission_kg=to_decimal(g["emission"]), equivalent_kg=p.equivalent_kg,
                       rounding=parameters.rounding))
    tie = " (TOP_N_TIE_BREAK=" + parameters.tie_break + ")" if g["tie"] else ""
    steps.append(_step("法 第九条", f"按污染当量数排第{g['rank']}位，前{parameters.top_n}项征税{tie}",
                       f"rank {g['rank']} by equivalents; the first {parameters.top_n} are taxed{tie}",
                       "met" if g["taxed"] else "not_met", rank=g["rank"], top_n=parameters.top_n))
    tier, reason, gate_steps = _decide(g, groups, parameters, elsewhere, unit)
    steps.extend(gate_steps)
    if not g["taxed"]:
        tier = NO_REDUCTION_TIER
        reason = Text(f"污染当量数排第{g['rank']}位，不在前{parameters.top_n}项 → 不征税（法 第九条）",
                      f"rank {g['rank']} by equivalents, outside the first {parameters.top_n} → not taxed (法 第九条)")
        before = reduction = due = Decimal("0.00")
    else:
        if parameters.rounding == "equivalents_2dp":
            before = round_half_up(eq_used * rate)
        else:
            before = round_exact(g["eq"] * Fraction(rate), FEN)
        before, reduction, due = _amounts(before, _factor(tier, g["law"]), parameters.reduction_rounding)
    used, per_eq = _fmt(eq_used), _fmt(rate)
    steps.append(_step("法 第十一条、第十三条", f"应纳税额 = {used} × {per_eq} = {before}；减免 {reduction}；应纳 {due}",
                       f"tax = {used} × {per_eq} = {before}; reduction {reduction}; due {due}",
                       rate=rate, rate_source=g["rate"].source, tax_before_reduction=before, reduction=reduction,
                       tax_due=due))
    ratio = to_decimal(_ratio(S, C), 4) if (S is not None and C is not None) else None
    return Row(
        outlet=g["outlet"], pollutant=p.code, pollutant_zh=p.name_zh, month=g["month"], data_source=g["source"],
        avg_concentration=to_decimal(C, 3) if C is not None else None,
        max_concentration=to_decimal(Cmax, 3) if Cmax is not None else None, max_time=g["max_time"],
        standard=to_decimal(S) if S is not None else None, standard_source=g["S_source"], ratio=ratio,
        tier=tier, factor=_factor(tier, g["law"]), reason=reason, steps=tuple(steps),
        emission_kg=to_decimal(g["emission"], 6), equivalents=eq_used, taxed=g["taxed"], rank=g["rank"],
        rate=rate, rate_source=g["rate"].source, tax_before_reduction=before, reduction=reduction,
        tax_due=due, records=g["n"],
        exhaust_m3=to_decimal(g["exhaust"], 6) if g.get("exhaust") is not None else None)


def _amounts(before: Decimal, factor: Decimal, reduction_rounding: str) -> tuple[Decimal, Decimal, Decimal]:
    """法 第十三条 减按 factor, rounded once (env-tax.md §6, REDUCTION_ROUNDING): `due` rounds the amount due,
    half up to the fen, and the reduction is the difference; `reduction` rounds the reduction instead."""
    if reduction_rounding == "due":
        due = round_half_up(before * factor)
        return before, before - due, due
    reduction = round_half_up(before * (1 - factor))
    return before, reduction, before - reduction


def _decide(g, groups, parameters, elsewhere, unit) -> tuple[str, Text, list[Step]]:
    """Gates G3, G1, G2 (env-tax.md §5.4) then the ratio tier (§5.6), with the step that decided."""
    S, C, Cmax = g["S"], g["C"], g["max"]
    steps: list[Step] = []
    case = g.get("generated_case")
    if C is None or S is None or case in (1, 2, 3):
        text = Text("无浓度监测数据（排污系数/物料衡算等）→ 不减征（条例 第十条）",
                    "no monitored concentrations (emission factors or the like) → no reduction (条例 第十条)")
        steps.append(_step("条例 第十条", text.zh, text.en, "not_met", gate="G3"))
        return NO_REDUCTION_TIER, text, steps
    if case in (4, 5):
        # 条例 第七条 cases 4–5: taxed on the amount generated; whether it may be reduced is open (§3.4)
        allowed = parameters.reduction_on_generated_amount == "allow"
        text = Text(f"按产生量计税（条例 第七条第{case}项），REDUCTION_ON_GENERATED_AMOUNT="
                    f"{parameters.reduction_on_generated_amount}",
                    f"taxed on the amount generated (条例 第七条 case {case}), REDUCTION_ON_GENERATED_AMOUNT="
                    f"{parameters.reduction_on_generated_amount}")
        steps.append(_step("条例 第七条", text.zh, text.en, "met" if allowed else "not_met"))
        if not allowed:
            return NO_REDUCTION_TIER, Text(text.zh + " → 不减征", text.en + " → no reduction"), steps
    mean_txt, std_txt, max_txt = _fmt(C), _fmt(S), _fmt(Cmax)  # each formatted once for all the sentences below
    steps.append(_step("条例 第十条", f"月均浓度 C = {mean_txt} mg/m³（{g['n']}个{unit[0]}）；标准 S = {std_txt}",
                       f"monthly mean C = {mean_txt} mg/m³ ({g['n']} values); standard S = {std_txt}",
                       C=to_decimal(C, 6), S=to_decimal(S), standard_source=g["S_source"]))
    where = f"{g['max_time']} " if g["max_time"] else ""
    if Cmax > S:
        above = g.get("above")
        count_zh = f"，共{above}个{unit[0]}超标" if above else ""
        count_en = f"; {above} values above S" if above else ""
        text = Text(f"{where}最高{unit[0]}{max_txt} > 标准{std_txt}（条例 第十条第二款{count_zh}）→ 不减征",
                    f"{where}max {unit[1]} {max_txt} > standard {std_txt} (条例 第十条 ¶2{count_en}) → no reduction")
        steps.append(_step("条例 第十条第二款", text.zh, text.en, "not_met", gate="G1", max=to_decimal(Cmax, 6),
                           max_time=g["max_time"], row=g["max_row"], needed=f"max ≤ {std_txt}"))
        return NO_REDUCTION_TIER, text, steps
    if g.get("over_range"):
        # HJ 212 flag T: over the instrument's range, so the true value is at least the reading and may be
        # above S; such an hour counts as exceeding (hj212.md §8.1, codes.FLAG_RULES).
        n, when = g["over_range"], g["over_time"]
        more_zh, more_en = (f"，共{n}个小时", f"; {n} such hours") if n > 1 else ("", "")
        text = Text(f"{when} 小时值标记T（超过仪器测量上限），计为超过标准{std_txt}（条例 第十条第二款{more_zh}）→ 不减征",
                    f"{when} hourly value flagged T (over the instrument's range) counts as above the standard "
                    f"{std_txt} (条例 第十条 ¶2{more_en}) → no reduction")
        steps.append(_step("条例 第十条第二款", text.zh, text.en, "not_met", gate="G1", flag="T",
                           over_range_hours=n, max_time=when, row=g["over_row"], needed="no hour flagged T"))
        return NO_REDUCTION_TIER, text, steps
    steps.append(_step("条例 第十条第二款", f"最高{unit[0]}{max_txt} ≤ {std_txt}",
                       f"max {unit[1]} {max_txt} ≤ {std_txt}", gate="G1", max=to_decimal(Cmax, 6),
                       max_time=g["max_time"]))
    blocker = _g2_blocker(g, groups, parameters.exceedance_scope)  # `groups` is the exceedance index here
    if blocker is None and elsewhere and elsewhere.get(g["month"]) and parameters.exceedance_scope == "taxpayer":
        blocker = "elsewhere"
    if blocker is not None:
        if blocker == "elsewhere":
            what_zh, what_en = "同月其他（水/无组织）排放超标", "another (water or unorganised) emission above its standard"
        else:
            b = blocker
            if b["max"] > b["S"]:
                what_zh = (f"同月排放口{b['outlet']} {b['pollutant'].name_zh} 最高{_fmt(b['max'])} > 标准{_fmt(b['S'])}"
                           + (f"（{b['max_time']}）" if b["max_time"] else ""))
                what_en = (f"outlet {b['outlet']} {b['pollutant'].code} max {_fmt(b['max'])} > standard "
                           f"{_fmt(b['S'])}" + (f" ({b['max_time']})" if b["max_time"] else "") + " in the same month")
            else:
                what_zh = f"同月排放口{b['outlet']} {b['pollutant'].name_zh} {b['over_time']} 标记T（超过仪器测量上限）"
                what_en = (f"outlet {b['outlet']} {b['pollutant'].code} {b['over_time']} flagged T (over the "
                           "instrument's range) in the same month")
        scope = parameters.exceedance_scope
        text = Text(f"{what_zh}，财税〔2018〕117号 二，EXCEEDANCE_SCOPE={scope} → 不减征",
                    f"{what_en}; 117号 二, EXCEEDANCE_SCOPE={scope} → no reduction")
        steps.append(_step("财税〔2018〕117号 二", text.zh, text.en, "not_met", gate="G2", exceedance_scope=scope))
        return NO_REDUCTION_TIER, text, steps
    outcome = "unknown" if (elsewhere is None and parameters.exceedance_scope == "taxpayer") else "met"
    steps.append(_step("财税〔2018〕117号 二", f"同月无其他超标（EXCEEDANCE_SCOPE={parameters.exceedance_scope}）",
                       f"no other exceedance that month (EXCEEDANCE_SCOPE={parameters.exceedance_scope})",
                       outcome, gate="G2"))
    law = g["law"]
    tier, _, limit = _tier(C, S, parameters.boundary, law)
    lt = "≤" if parameters.boundary == "inclusive" else "<"
    ge = ">" if parameters.boundary == "inclusive" else "≥"
    on_edge = any(C == share * S for share, _, _ in law.tiers)  # exactly on a tier's edge: REDUCTION_BOUNDARY decided
    param = f"（REDUCTION_BOUNDARY={parameters.boundary}）" if on_edge else ""
    param_en = f" (REDUCTION_BOUNDARY={parameters.boundary})" if on_edge else ""
    tail_zh = f"，且最高{unit[0]}{max_txt} ≤ {std_txt}"
    tail_en = f" and max {unit[1]} {max_txt} ≤ {std_txt}"
    if limit is not None:
        share, edge = _fmt(limit), _fmt(S * limit)
        text = Text(f"月均浓度{mean_txt} {lt} {share}×{std_txt}={edge}{tail_zh}{param} → 减按{tier}",
                    f"mean {mean_txt} {lt} {share} × {std_txt} = {edge}{tail_en}{param_en} → {tier}")
    elif law.tiers:
        loosest = law.tiers[-1][0]  # C is at or above the loosest tier's limit
        share, edge = _fmt(loosest), _fmt(S * loosest)
        text = Text(f"月均浓度{mean_txt} {ge} {share}×{std_txt}={edge}{param} → 不减征",
                    f"mean {mean_txt} {ge} {share} × {std_txt} = {edge}{param_en} → no reduction")
    else:
        text = Text("法第十三条无减征档次 → 不减征", "no reduction tier published for 法 第十三条 → no reduction")
    steps.append(_step("法 第十三条", text.zh, text.en, "met" if tier != NO_REDUCTION_TIER else "not_met",
                       ratio=to_decimal(_ratio(S, C), 4), boundary=parameters.boundary, tier=tier))
    return tier, text, steps


def _exceedance_index(groups) -> dict:
    """First exceedance (Cmax > S) per month and per (outlet, month), in input order, for 117号 二."""
    index: dict = {}
    for g in groups:
        if g["exceeds"]:
            index.setdefault(g["month"], []).append(g)
            index.setdefault((g["outlet"], g["month"]), []).append(g)
    return index


def _g2_blocker(g, index, scope):
    """117号 二: an exceedance in the same month within the scope, other than g itself (G1 covers g)."""
    if scope == "outlet_pollutant":
        return None
    key = g["month"] if scope == "taxpayer" else (g["outlet"], g["month"])
    found = index.get(key, ())
    return found[0] if found and found[0] is not g else found[1] if len(found) > 1 else None


def _totals(rows: list[Row]):
    """Monthly sums of the rounded row amounts, then quarters (按月计算，按季申报; 法 第十八条)."""
    months: dict[str, list[Decimal]] = {}
    for r in rows:
        t = months.setdefault(r.month, [Decimal("0.00")] * 3)
        t[0] += r.tax_before_reduction
        t[1] += r.reduction
        t[2] += r.tax_due
    month_totals = tuple(MonthTotal(m, *v) for m, v in sorted(months.items()))
    quarters: dict[str, list[Decimal]] = {}
    for mt in month_totals:
        y, mo = int(mt.month[:4]), int(mt.month[5:7])
        q = quarters.setdefault(f"{y}-Q{(mo - 1) // 3 + 1}", [Decimal("0.00")] * 3)
        q[0] += mt.tax_before_reduction
        q[1] += mt.reduction
        q[2] += mt.tax_due
    return month_totals, tuple(QuarterTotal(q, *v, filing_deadline(q)) for q, v in sorted(quarters.items()))


def filing_deadline(quarter: str) -> date:
    """Last day to declare a quarter: 15 days after it ends (法 第十八条; holidays not applied)."""
    year, q = int(quarter[:4]), int(quarter[-1])
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return end - timedelta(days=1) + timedelta(days=15)


FILING_COLUMNS = ("排放口", "污染物", "月份", "月均浓度", "最高浓度", "标准浓度", "低于标准比例", "减征档次",
                  "排放量(千克)", "污染当量数", "应纳税额(减免前)", "减免税额", "应纳税额")
def _tier_label(tier: str) -> str:
    return "不减征" if tier == NO_REDUCTION_TIER else f"减按{tier}"


def to_filing_rows(assessment: Assessment) -> list[dict]:
    """Rows in the columns of the 减免税明细计算报表 (公告2018年第7号), money with two decimals, for CSV."""
    def text(v):
        return "" if v is None else format(v, "f")
    return [{
        "排放口": r.outlet, "污染物": r.pollutant_zh, "月份": r.month, "月均浓度": text(r.avg_concentration),
        "最高浓度": text(r.max_concentration), "标准浓度": text(r.standard), "低于标准比例": text(r.ratio),
        "减征档次": _tier_label(r.tier), "排放量(千克)": text(r.emission_kg), "污染当量数": text(r.equivalents),
        "应纳税额(减免前)": text(r.tax_before_reduction), "减免税额": text(r.reduction), "应纳税额": text(r.tax_due),
    } for r in assessment.rows]
