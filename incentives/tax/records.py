"""Monitoring records (contract "Request bodies"): validated, vectorised, exact. All errors are reported at once."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from operator import itemgetter

import numpy as np
import pandas as pd

from ..reference import reference
from ..tabular import ROW
from .numbers import scaled_decimals_coded
from .parameters import TaxParameters
from .statute import VOC_NAMES, VOCS_PILOT

MONITORING_ALIASES: dict[str, str] = {
    "排放口": "outlet", "排放口编号": "outlet", "outlet": "outlet",
    "污染物": "pollutant", "污染物名称": "pollutant", "pollutant": "pollutant",
    "时间": "time", "监测时间": "time", "time": "time",
    "浓度": "concentration", "排放浓度": "concentration", "小时均值": "concentration",
    "concentration": "concentration",
    "流量": "flow", "废气流量": "flow", "flow": "flow",
    "月份": "month", "month": "month",
    "排放量": "emission_kg", "emission_kg": "emission_kg",
    "月均浓度": "avg_concentration", "avg_concentration": "avg_concentration",
    "最高浓度": "max_concentration", "max_concentration": "max_concentration",
    "标准浓度": "standard", "排放标准": "standard", "standard": "standard",
    "数据来源": "source", "source": "source",
    "超量程": "over_range", "超测量上限": "over_range", "over_range": "over_range",
    "统一社会信用代码": "uscc", "纳税人识别号": "uscc", "uscc": "uscc",   # batches: the taxpayer of each row
}
FIELDS = ("outlet", "pollutant", "time", "concentration", "flow", "month", "emission_kg",
          "avg_concentration", "max_concentration", "standard", "source", "over_range")
# over_range: the hour's value is above the instrument's range (HJ 212 flag T), so the true value is at
# least the reading; such an hour counts as exceeding the standard in gate G1 (条例 第十条 ¶2).
OVER_RANGE = {"1": True, "true": True, "yes": True, "y": True, "t": True, "是": True,
              "": False, "0": False, "false": False, "no": False, "n": False, "f": False, "否": False}
SOURCES = {
    "cems": "cems", "自动监测": "cems", "在线监测": "cems",
    "agency": "agency", "监测机构": "agency", "委托监测": "agency", "自行监测": "agency",
    "estimate": "estimate", "排污系数": "estimate", "物料衡算": "estimate", "抽样测算": "estimate",
}
PARTICULATE_NAMES = ("颗粒物", "pm", "PM", "particulate", "particulates")
TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_LISTED = 1000


class RecordErrors(ValueError):
    """Invalid monitoring records: `errors` lists {row, column, message} (files) or {field, message} (JSON)."""
    status = 422

    def __init__(self, errors: list[dict], total: int | None = None):
        total = len(errors) if total is None else total
        self.detail = f"{total} invalid value(s) in the monitoring records" + (
            f" (first {len(errors)} listed)" if total > len(errors) else "")
        super().__init__(self.detail)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Records:
    """Validated records: `measurements` (one per hour or sample, scaled integers) and monthly `aggregates`.

    measurements: row, pos, o (index into `outlets`), p (pollutant code), mo (index into `months`), agency
    (bool), time (datetime64), conc, flow (ints scaled by 10**conc_scale / 10**flow_scale), standard_id
    (index into `standards`, -1 for none), has_kg (bool) and kg (ints scaled by 10**kg_scale): a
    measurement's own `emission_kg` (e.g. HJ 212 -Cou), which replaces flow × concentration ÷ 10^6 for
    that hour; over_range (bool): the value is above the instrument's range (HJ 212 flag T); has_flow
    (bool): the hour carries its flue-gas flow (m³ for the hour), for the form's 废气排放量.
    aggregates: row, outlet, pollutant, source, month, emission_kg, avg, max (Decimal or None), standard.
    """
    measurements: dict[str, np.ndarray]
    aggregates: pd.DataFrame
    conc_scale: int
    flow_scale: int
    standards: tuple[Decimal, ...]
    outlets: tuple[str, ...]
    months: tuple[str, ...]
    kg_scale: int = 0

    def __len__(self) -> int:
        return len(self.measurements[ROW]) + len(self.aggregates)


class _Errors:
    """Collects row errors, addressing them as file cells or JSON fields."""

    def __init__(self, rows: np.ndarray, headers: dict[str, str] | None, json: bool):
        self.rows, self.headers, self.json, self.items, self.total = rows, headers or {}, json, [], 0

    def add(self, mask_or_idx, column: str, message) -> None:
        if getattr(mask_or_idx, "dtype", None) == bool:
            if not mask_or_idx.any():  # the usual case, and much cheaper than flatnonzero on millions
                return
            idx = np.flatnonzero(mask_or_idx)
        else:
            idx = mask_or_idx
        for i in np.asarray(idx)[: max(0, MAX_LISTED - len(self.items))]:
            text = message(int(i)) if callable(message) else message
            if self.json:
                self.items.append({"field": f"records[{int(self.rows[i])}].{column}", "message": text})
            else:
                self.items.append({"row": int(self.rows[i]), "column": self.headers.get(column, column),
                                   "message": text})
        self.total += len(idx)

    def raise_if_any(self) -> None:
        if self.total:
            key = (lambda e: (e["field"],)) if self.json else (lambda e: (e["row"], str(e["column"])))
            raise RecordErrors(sorted(self.items, key=key), self.total)


def _json_table(records: list[dict]) -> pd.DataFrame:
    """JSON records as the same str table a file gives (row = index in `records`)."""
    def text(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"  # over_range; any other column reports it as not a number
        if isinstance(v, float):
            return repr(v)  # shortest repr: the decimal the client wrote, not binary noise
        return str(v).strip()
    def column(name) -> np.ndarray:
        try:
            values = list(map(itemgetter(name), records))
        except KeyError:  # some records lack it: blank there
            values = [r.get(name) for r in records]
        kinds = set(map(type, values))
        if kinds <= {str}:
            values = [v.strip() for v in values]
        elif kinds <= {type(None)}:
            values = [""] * len(values)
        else:
            values = [text(v) for v in values]
        return np.asarray(values, dtype=object)
    # (no key view per record: 10^5 short-lived tracked objects would set off full garbage collections)
    present = {name for record in records for name in record}
    # Columns no record has are left out: parse_records treats an absent column as all blank.
    # The arrays are new: the frame takes them as they are (pandas' copy of a list column costs more)
    frame = pd.DataFrame({name: column(name) for name in FIELDS if name in present}, dtype=object, copy=False)
    frame[ROW] = np.arange(len(records), dtype=np.int64)
    return frame


class _Col:
    """One column as codes into its distinct str values: a Categorical's own, or factorised once."""
    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray):
        self.codes, self.uniques = codes, uniques

    @classmethod
    def of(cls, frame: pd.DataFrame, name: str, n: int) -> _Col:
        if name not in frame.columns:
            return cls(np.zeros(n, dtype=np.int64), np.array([""], dtype=object))
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            return cls(column.cat.codes.to_numpy(),  # int8/16/32 as pandas keeps them: less memory
                       np.asarray(column.cat.categories, dtype=object))
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        return cls(codes, np.asarray(uniques, dtype=object))

    def __getitem__(self, i):
        return self.uniques[self.codes[i]]

    def __len__(self) -> int:
        return len(self.codes)

    def map(self, table) -> np.ndarray:
        """A value per distinct value, spread to the rows."""
        return np.asarray(table)[self.codes]

    def subset(self, mask: np.ndarray) -> _Col:
        return _Col(self.codes[mask], self.uniques)


NUMBER_FIELDS = ("concentration", "flow", "emission_kg", "avg_concentration", "max_concentration", "standard")
NUMBER_LIMIT = Decimal(10) ** 12      # no concentration, hourly flow or monthly kg comes near this
NUMBER_MAX_CHARS = 32
FIRST_YEAR, LAST_YEAR = 2018, 2100    # 环境保护税法 in force from 2018-01-01
_YEAR = re.compile(r"^\s*(\d{4})")


_PLAIN_SMALL = re.compile(r"^-?\d{1,12}(\.\d*)?$")
_PLAIN_SMALL_LINES = re.compile(r"(?:-?\d{1,12}(?:\.\d*)?\n)*+-?\d{1,12}(?:\.\d*)?")  # one value a line


def _all_plain_small(texts) -> bool:
    """Whether every non-empty text is a plain decimal below 10^12 (one regex pass over them all)."""
    given = [t for t in texts if t != ""]
    if not given:
        return True
    if not all(type(t) is str for t in given) or max(map(len, given)) > NUMBER_MAX_CHARS:
        return False
    joined = "\n".join(given)
    return joined.count("\n") == len(given) - 1 and _PLAIN_SMALL_LINES.fullmatch(joined) is not None


def _out_of_range(text: str) -> bool:
    if text == "" or (len(text) <= NUMBER_MAX_CHARS and _PLAIN_SMALL.match(text)):
        return False                   # the common case: a plain decimal below 10^12
    if len(text) > NUMBER_MAX_CHARS:
        return True
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return False                   # not a number at all: reported by the number checks
    # 1e-300000 is small, but exact arithmetic on it would scale every figure by 10^300000 (issue 14)
    return value.is_finite() and (abs(value) >= NUMBER_LIMIT or value.as_tuple().exponent < -NUMBER_MAX_CHARS)


def _bad_year(text: str) -> bool:
    m = _YEAR.match(text)
    return bool(m) and not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR


def _check_ranges(col, has, errors: _Errors) -> None:
    """Refuse implausible magnitudes and years before anything computes with them (all listed at once)."""
    before = errors.total
    for name in NUMBER_FIELDS:
        if has[name].any():
            c = col(name)
            if _all_plain_small(c.uniques):
                continue
            bad = np.fromiter((_out_of_range(u) for u in c.uniques), dtype=bool, count=len(c.uniques))
            if bad.any():
                errors.add(c.map(bad), name, f"out of range: below 10^12, at most {NUMBER_MAX_CHARS} characters "
                                             f"and {NUMBER_MAX_CHARS} decimal places")
    for name in ("time", "month"):
        if has[name].any():
            c = col(name)
            bad = np.fromiter((_bad_year(u) for u in c.uniques), dtype=bool, count=len(c.uniques))
            if bad.any():
                errors.add(c.map(bad), name, f"year outside {FIRST_YEAR}–{LAST_YEAR} (the tax applies from 2018)")
    if errors.total > before:
        errors.raise_if_any()


def parse_records(table: pd.DataFrame | list[dict], parameters: TaxParameters | None = None) -> Records:
    """Validate monitoring records (a read_table frame or JSON records); RecordErrors lists every bad value."""
    parameters = parameters or TaxParameters()
    is_json = not isinstance(table, pd.DataFrame)
    frame = _json_table(table) if is_json else table
    n_rows = len(frame)
    if len(frame) == 0:
        raise RecordErrors([{"field": "records", "message": "no records"}] if is_json else
                           [{"row": 2, "column": None, "message": "no records"}])
    rows = frame[ROW].to_numpy() if ROW in frame.columns else np.arange(2, n_rows + 2, dtype=np.int64)
    errors = _Errors(rows, frame.attrs.get("headers"), is_json)
    n = len(frame)

    cache: dict[str, _Col] = {}

    def col(name: str) -> _Col:
        if name not in cache:
            cache[name] = _Col.of(frame, name, n)
        return cache[name]

    none = np.zeros(n, dtype=bool)
    everywhere = np.ones(n, dtype=bool)

    def present(name: str) -> np.ndarray:
        if name not in frame.columns:
            return none
        c = col(name)
        given = c.uniques != ""
        return everywhere if given.all() else c.map(given)  # read-only: no cell of the column is blank
    has = {name: present(name) for name in FIELDS}
    _check_ranges(col, has, errors)
    for required in ("outlet", "pollutant"):
        errors.add(~has[required], required, "required")
    pollutant = _pollutants(col("pollutant"), has["pollutant"], parameters, errors)
    measurement = has["time"]
    aggregate = ~measurement & (has["month"] | has["emission_kg"])
    errors.add(~measurement & ~aggregate, "time",
               "give either time, concentration and flow (one measurement) or month and emission_kg (a month)")
    for name in ("avg_concentration", "max_concentration"):
        errors.add(measurement & has[name], name, "a measurement (with time) cannot also carry monthly figures")
    over_range = _over_range(col("over_range"), errors) if has["over_range"].any() else none
    errors.add(aggregate & over_range, "over_range", "over_range marks one measurement (an hour), not a month")
    source = _sources(col("source"), measurement, errors) if has["source"].any() else None
    agency = source == "agency" if source is not None else none
    times, hours, month_number, month_name, month_table = _times(col("time"), measurement, agency, errors)
    if has["month"].any():
        month = _months(col("month"), has["month"], errors)
        check = np.flatnonzero(measurement & has["month"] & (month != "") & (month_number >= 0))
        wrong = [i for i in check if month[i] != month_name(i)]
        errors.add(np.array(wrong, dtype=np.int64), "month",
                   lambda i: f"month {month[i]} but time {col('time')[i]} is in {month_name(i)}")
    else:
        month = None
    errors.add(aggregate & ~has["month"], "month", "required for a monthly record")
    errors.add(aggregate & ~has["emission_kg"], "emission_kg", "required for a monthly record")

    conc, conc_scale, bad_conc = _scaled(col("concentration"), measurement)
    flow, flow_scale, bad_flow = _scaled(col("flow"), measurement)
    mrows = np.flatnonzero(measurement)
    has_kg = has["emission_kg"][measurement]
    if has_kg.any():  # the hour's own emission (e.g. HJ 212 -Cou): flow is then not needed
        kg, kg_scale, bad_kg = _scaled(col("emission_kg"), measurement)
        bad_kg &= has_kg
        bad_flow &= ~(has_kg & ~has["flow"][measurement])
        kg_text = col("emission_kg")
        errors.add(mrows[bad_kg], "emission_kg", lambda i: _number_message(kg_text[i]))
    else:
        kg, kg_scale = np.zeros(len(mrows), dtype=np.int8), 0
    for name, bad in (("concentration", bad_conc), ("flow", bad_flow)):
        values = col(name)
        errors.add(mrows[bad], name, lambda i, v=values: _number_message(v[i]))
    std_codes, standards = (_standards(col("standard"), has["standard"], errors) if has["standard"].any()
                            else (np.full(n, -1, dtype=np.int32), ()))
    outlet = col("outlet")
    outlet_code, outlet_names = outlet.codes, outlet.uniques
    month_code, month_names = _month_codes(month, measurement, month_number, col("time").codes, month_table)
    all_measured = bool(measurement.all())

    def pick(values):
        return values if all_measured else values[measurement]
    measurements = {
        ROW: pick(rows), "pos": mrows, "o": pick(outlet_code), "p": pick(pollutant), "mo": pick(month_code),
        "agency": pick(agency), "time": pick(times), "conc": conc, "flow": flow,
        "standard_id": pick(std_codes), "has_kg": has_kg, "kg": kg, "over_range": pick(over_range),
        "has_flow": pick(has["flow"])}
    _check_duplicates(measurements, pick(hours), errors)
    aggregates = _aggregates(col, aggregate, rows, outlet, pollutant, source, col("month"), std_codes,
                             standards, errors)
    _check_groups(measurements, aggregates, outlet_names, month_names, errors)
    errors.raise_if_any()
    return Records(measurements, aggregates, conc_scale, flow_scale, standards,
                   tuple(outlet_names), month_names, kg_scale)


def _month_codes(month, measurement: np.ndarray, month_number: np.ndarray, time_codes: np.ndarray,
                 month_table: np.ndarray):
    """Month index per row; measurement months come from their time as months since 1970-01.

    `month_number` is month_table[time_codes]: with measurements only, the work is per distinct time."""
    if measurement.all() and (len(time_codes) == 0 or time_codes.min() >= 0):
        used = (np.bincount(time_codes, minlength=len(month_table)) > 0) & (month_table >= 0)
        numbers = pd.unique(month_table[used])
        ordered = tuple(sorted({f"{1970 + k // 12:04d}-{k % 12 + 1:02d}" for k in numbers}))
        lookup = np.full(max(numbers, default=0) + 1, -1, dtype=np.int64)
        for i, name in enumerate(ordered):
            lookup[(int(name[:4]) - 1970) * 12 + int(name[5:]) - 1] = i
        table = np.where(used, lookup[np.where(used, month_table, 0)], -1)
        return table[time_codes], ordered
    valid = month_number >= 0
    aggregated = ~measurement
    names = set(pd.unique(month[aggregated])) - {""} if aggregated.any() and month is not None else set()
    numbers = pd.unique(month_number[valid & measurement]) if measurement.any() else []
    for k in numbers:
        names.add(f"{1970 + k // 12:04d}-{k % 12 + 1:02d}")
    ordered = tuple(sorted(names))
    index = {name: i for i, name in enumerate(ordered)}
    lookup = np.full(max([(int(n[:4]) - 1970) * 12 + int(n[5:]) for n in ordered], default=0) + 1, -1,
                     dtype=np.int64)
    for name, i in index.items():
        lookup[(int(name[:4]) - 1970) * 12 + int(name[5:]) - 1] = i
    code = np.where(measurement & valid, lookup[np.where(valid, month_number, 0)], -1)
    if aggregated.any() and month is not None:
        agg = np.flatnonzero(aggregated)
        code[agg] = [index.get(month[i], -1) for i in agg]
    return code, ordered


def _scaled(column: _Col, rows: np.ndarray):
    """scaled_decimals of the values in `rows`, parsing each distinct value once."""
    sub = column if rows.all() else column.subset(rows)
    return scaled_decimals_coded(sub.codes, sub.uniques)


def _number_message(text: str) -> str:
    if text == "":
        return "required"
    try:
        return "must not be negative" if Decimal(text) < 0 else "not a finite number"
    except Exception:  # noqa: BLE001 - any parse failure is "not a number"
        return f"not a number: {text!r}"


def _pollutants(values, present, parameters, errors) -> np.ndarray:
    by_name = reference().pollutant_by_name
    codes, uniques = values.codes, values.uniques
    mapped = []
    for name in uniques:
        code = by_name.get(name) or by_name.get(name.lower())
        if code is None and name in PARTICULATE_NAMES and parameters.particulate_item != "reject":
            code = parameters.particulate_item  # 117号 一, chosen by the caller's parameter
        mapped.append(reference().pollutants[code].item_no if code else 0)
    table = np.array(mapped, dtype=np.int16)
    out = table[codes] if len(uniques) else np.zeros(len(values), dtype=np.int64)
    unknown = present & (out == 0)

    def message(i):
        name = values[i]
        if name.lower() in VOC_NAMES:
            return f"{name}: {VOCS_PILOT.reason.en} ({VOCS_PILOT.measure_id}, status {VOCS_PILOT.status})"
        if name in PARTICULATE_NAMES:
            return ("颗粒物 is not a tax item: 117号 一 taxes combustion particulates as 烟尘 (soot) and others as "
                    "一般性粉尘 (general_dust); name the item, or set parameter particulate_item")
        return f"unknown pollutant {name!r}: give a code or Chinese name from 附表二 (e.g. so2, 二氧化硫, 烟尘)"
    errors.add(unknown, "pollutant", message)
    return out


def _over_range(values, errors) -> np.ndarray:
    codes, uniques = values.codes, values.uniques
    table = [OVER_RANGE.get(u.lower()) for u in uniques]
    errors.add(np.array([t is None for t in table] or [False], dtype=bool)[codes], "over_range",
               lambda i: f"over_range {values[i]!r}: give true/false (1/0, 是/否)")
    return np.array([bool(t) for t in table] or [False], dtype=bool)[codes]


def _sources(values, measurement, errors) -> np.ndarray:
    codes, uniques = values.codes, values.uniques
    table = np.array([SOURCES.get(u, SOURCES.get(u.lower(), "?")) if u else "" for u in uniques] or [""],
                     dtype=object)
    out = table[codes] if len(uniques) else np.full(len(values), "", dtype=object)
    errors.add(out == "?", "source", lambda i: f"unknown source {values[i]!r}: cems, agency or estimate")
    errors.add(measurement & (out == "estimate"), "source",
               "an estimate (排污系数/物料衡算) has no measurements; send it as a monthly record")
    return np.where(out == "", "cems", out)


def _times(values, measurement, agency, errors):
    codes, uniques = values.codes, values.uniques
    stamps = _parse_times(uniques)
    valid = ~np.isnat(stamps)
    month_table = np.where(valid, stamps.astype("datetime64[M]").astype(np.int32), -1)
    name_table = np.where(valid, np.datetime_as_string(stamps, unit="M"), "")
    times, month_number = stamps[codes], month_table[codes]
    errors.add(measurement & (month_number < 0), "time",
               lambda i: f"bad time {values[i]!r}: use YYYY-MM-DDTHH:MM")
    # 条例 第十条: CEMS values are hourly averages, so two values in one hour are duplicates.
    hour_table = stamps.astype("datetime64[h]").astype("datetime64[m]")
    hours = hour_table[codes]
    if agency.any():
        hours = np.where(agency, times, hours)
    return times, hours, month_number, (lambda i: name_table[codes[i]]), month_table


_ISO_MINUTE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _parse_times(texts: np.ndarray) -> np.ndarray:
    """Each distinct time by TIME_FORMATS (datetime64[m], NaT if none fits); ISO minutes in one numpy pass."""
    out = np.full(len(texts), np.datetime64("NaT", "m"), dtype="datetime64[m]")
    iso = np.array([_ISO_MINUTE.fullmatch(t) is not None and t[:4] != "0000" for t in texts], dtype=bool)
    if iso.any():
        candidates = np.array([t.replace(" ", "T", 1) for t in texts[iso]], dtype=object)
        try:
            parsed = candidates.astype("datetime64[m]")
            # a canonical round trip is what strptime reads the same way (no 2024-02-30, no 24:00)
            same = np.datetime_as_string(parsed, unit="m").astype(object) == candidates
        except ValueError:
            same = np.zeros(len(candidates), dtype=bool)
        out[np.flatnonzero(iso)[same]] = parsed[same] if same.any() else out[:0]
        iso[np.flatnonzero(iso)[~same]] = False
    for i in np.flatnonzero(~iso):
        for fmt in TIME_FORMATS:
            try:
                out[i] = np.datetime64(datetime.strptime(texts[i], fmt), "m")
                break
            except ValueError:
                continue
    return out


def _months(values, present, errors) -> np.ndarray:
    codes, uniques = values.codes, values.uniques
    table = []
    for text in uniques:
        match = MONTH_RE.match(text)
        table.append(f"{match.group(1)}-{int(match.group(2)):02d}"
                     if match and 1 <= int(match.group(2)) <= 12 else ("?" if text else ""))
    out = np.array(table, dtype=object)[codes] if len(uniques) else np.full(len(values), "", dtype=object)
    errors.add(present & (out == "?"), "month", lambda i: f"bad month {values[i]!r}: use YYYY-MM")
    return np.where(out == "?", "", out)


def _norm_month(text: str) -> str:
    match = MONTH_RE.match(text)
    return f"{match.group(1)}-{int(match.group(2)):02d}" if match else ""


def _standards(values, present, errors):
    codes, uniques = values.codes, values.uniques
    parsed = []
    for text in uniques:
        try:
            d = Decimal(text)
            parsed.append(d if d.is_finite() and d > 0 else None)
        except Exception:  # noqa: BLE001
            parsed.append(None)
    std_codes = np.array([i if d is not None else -1 for i, d in enumerate(parsed)] or [-1],
                         dtype=np.int64)[codes] if len(uniques) else np.full(len(values), -1, dtype=np.int64)
    errors.add(present & (std_codes < 0), "standard", lambda i: f"standard {values[i]!r} must be a number > 0")
    return std_codes, tuple(d if d is not None else Decimal(0) for d in parsed)


def _check_duplicates(m: pd.DataFrame, hours: np.ndarray, errors) -> None:
    """条例 第十条 averages hourly values: a second value for the same outlet, pollutant and hour is refused."""
    if not len(m[ROW]):
        return
    pollutant_code = m["p"]
    valid = ~np.isnat(hours)
    minutes = hours.view(np.int64)  # datetime64[m]: minutes since 1970, no copy
    o = m["o"]
    if valid.all():
        # files come sorted by outlet, pollutant and hour: then no two rows share all three
        same = (o[1:] == o[:-1]) & (pollutant_code[1:] == pollutant_code[:-1])
        after = np.where(same, minutes[1:] > minutes[:-1],
                         (o[1:] > o[:-1]) | ((o[1:] == o[:-1]) & (pollutant_code[1:] > pollutant_code[:-1])))
        if bool(after.all()):
            return
    else:
        minutes = np.where(valid, minutes, 0)
    # (o × 64 + p) × 2^34 + minutes − the first minute, built in place (no 2.6 M temporaries)
    key = o.astype(np.int64)
    key *= 64
    key += pollutant_code
    key *= 1 << 34
    key += minutes
    key -= minutes[valid].min() if valid.any() else 0
    order = np.argsort(key, kind="stable")  # nearly sorted: a stable sort is near linear
    ordered = key[order]
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    dup = np.zeros(len(key), dtype=bool)
    dup[order[repeat]] = True
    dup &= valid
    if not dup.any():
        return
    first_row = pd.Series(m[ROW]).groupby(key).transform("first").to_numpy()
    pos = m["pos"]
    word = "record" if errors.json else "row"
    errors.add(pos[dup], "time", lambda i: "duplicate hour for this outlet and pollutant: already given in "
               f"{word} {first_row[np.searchsorted(pos, i)]}")


def _aggregates(col, aggregate, rows, outlet, pollutant, source, month, std_codes, standards, errors):
    idx = np.flatnonzero(aggregate)
    out = []
    for i in idx:
        values = {}
        for name in ("emission_kg", "avg_concentration", "max_concentration"):
            text = col(name)[i]
            if text == "":
                values[name] = None
                continue
            try:
                d = Decimal(text)
                ok = d.is_finite() and not d.is_signed()
            except Exception:  # noqa: BLE001
                ok = False
            if not ok:
                errors.add([i], name, _number_message(text))
                values[name] = None
            else:
                values[name] = d
        avg, top = values["avg_concentration"], values["max_concentration"]
        if (avg is None) != (top is None):
            errors.add([i], "max_concentration" if top is None else "avg_concentration",
                       "give both the monthly mean and the highest concentration, or neither")
        elif avg is not None and top < avg:
            errors.add([i], "max_concentration", f"highest {top} is below the mean {avg}")
        if source is not None and source[i] == "estimate" and avg is not None:
            errors.add([i], "avg_concentration", "an estimate (排污系数/物料衡算) has no concentrations (§5.2)")
        out.append({ROW: int(rows[i]), "index": int(i), "outlet": outlet[i], "pollutant": pollutant[i],
                    "source": source[i] if source is not None else "cems", "month": _norm_month(month[i]),
                    "emission_kg": values["emission_kg"],
                    "avg": avg, "max": top,
                    "standard": standards[std_codes[i]] if std_codes[i] >= 0 else None})
    columns = [ROW, "index", "outlet", "pollutant", "source", "month", "emission_kg", "avg", "max", "standard"]
    return pd.DataFrame(out, columns=columns)


def _check_groups(m: pd.DataFrame, a: pd.DataFrame, outlets, months, errors) -> None:
    """One source and one standard per outlet × pollutant × month; no month both measured and aggregated."""
    measured: set = set()
    uniform = all(len(m[name]) == 0 or m[name].min() == m[name].max() for name in ("agency", "standard_id"))
    if len(m[ROW]) and not (uniform and not len(a)):  # one value throughout: nothing can differ
        pollutant_code = m["p"]
        key = (m["o"].astype(np.int64) * 64 + pollutant_code) * 4096 + (m["mo"] % 4096)
        group, uniques = pd.factorize(key)
        pos = m["pos"]
        for name, label in (("agency", "data source"), ("standard_id", "standard")):
            values = m[name].astype(np.int64)
            if values.min() == values.max():
                continue
            lo = np.full(len(uniques), np.iinfo(np.int64).max)
            hi = np.full(len(uniques), np.iinfo(np.int64).min)
            given = values >= 0
            np.minimum.at(lo, group[given], values[given])
            np.maximum.at(hi, group[given], values[given])
            mixed = np.flatnonzero((lo != hi) & (hi >= lo))
            for g in mixed:
                # report the first row that differs from the group's first value
                rows_g = np.flatnonzero((group == g) & given)
                differs = rows_g[values[rows_g] != values[rows_g[0]]]
                errors.add(pos[differs[:1]], "source" if name == "agency" else "standard",
                           f"{label} differs within one outlet, pollutant and month (条例 第十条 takes one "
                           "series per outlet, pollutant and month)")
        for k in uniques:
            o, rest = divmod(int(k), 64 * 4096)
            if rest % 4096 < len(months):
                measured.add((outlets[o], int(rest // 4096), months[rest % 4096]))
    if len(a):
        keys = ["outlet", "pollutant", "month"]
        dup = a.duplicated(subset=keys, keep="first").to_numpy()
        errors.add(a["index"].to_numpy()[dup], "month", "a second monthly record for this outlet and pollutant")
        both = np.array([tuple(r) in measured for r in a[keys].to_numpy().tolist()], dtype=bool)
        errors.add(a["index"].to_numpy()[both], "month",
                   "this month also has measurements for the outlet and pollutant: send one or the other")
