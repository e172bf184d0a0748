"""CP values of kept hourly packets to records: collected per packet, then decided column-wise.

Concentrations in mg/m3 and -Cou in kg (HJ 212-2017 表B.2), flow in m3 for the hour (a00000-Cou).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter

import numpy as np

from .codes import FLAG_RULES, MISSING_FLAG, NOT_COMPUTABLE, factors

# -Cou vs Avg x flow x 10^-6 (附录D D2.5): an hourly Cou sums minute emissions, so it need not equal the
# product of hourly means; beyond 5 % (or the Cou's own last-digit rounding) it is reported, never used
# to change a figure. Engineering default, no source: real packets P1-P3 agree within 3.1 %.
COU_TOLERANCE = Decimal("0.05")
FLOW_SECONDS = {"m3/s": Decimal(3600), "m3/h": Decimal(1)}  # a00000-Avg to m3 in the hour
FLAG_LIST = "".join(FLAG_RULES)
_MEGA = Decimal("0.000001")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_SENTINEL = Decimal(NOT_COMPUTABLE)


def plain_number(text: str) -> str | None:
    """A value as a plain decimal string (never 1E-5), or None if it is not a finite number."""
    if _PLAIN.fullmatch(text):
        return text[1:] if text[0] == "-" and not text.strip("-0.") else text
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    if d.is_finite() and d and (d.adjusted() > 30 or d.as_tuple().exponent < -30):
        return None   # 1e-300000 written out in full would be 300 000 characters (bounded work, issue 14)
    return format(d, "f") if d.is_finite() else None


def is_not_computable(text: str | None) -> bool:
    """The HJ 212-2025 9999.99 marker (§8.1.1 d): a 折算 value that could not be computed."""
    return text is not None and text.startswith("9999.99") and plain_number(text) is not None \
        and Decimal(text) == _SENTINEL


_WELL_FORMED = re.compile(r"[^;,=]+=[^;,=]*(?:[;,][^;,=]+=[^;,=]*)*")
# A value the common path can take as is: plain, non-negative, not the 9999.99 marker.
_TAKE_AS_IS = re.compile(r"(?!9999\.99)\d+(?:\.\d+)?")
_AS_IS_FLAGS = frozenset(f for f, r in FLAG_RULES.items() if r.action == "use")
_AS_IS_LINE = re.compile(r"^(?!9999\.99)\d+(?:\.\d+)?$", re.MULTILINE)


def _as_is(column) -> np.ndarray:
    """Which values _TAKE_AS_IS takes, for a whole column at once (one regex over the joined values)."""
    if len(_AS_IS_LINE.findall("\n".join(column))) == len(column):  # values hold no line break
        return np.ones(len(column), dtype=bool)
    return np.array([_TAKE_AS_IS.fullmatch(v) is not None for v in column], dtype=bool)
FAST_PATH = True  # tests turn it off to show both paths give the same result


@dataclass(slots=True)
class _Shape:
    """Packets with the same keys in the same order (a device sends one shape every hour)."""
    pollutants: list[tuple[str, str, dict[str, int]]]   # (code, tax code, {suffix: value index})
    flow: tuple[str, dict[str, int]] | None
    unknown: list[tuple[str, dict[str, int]]]
    other: list[str]
    pick: Callable[[list[str]], tuple[str, ...]] = tuple
    needed: list[int] = field(default_factory=list)
    pk: list[int] = field(default_factory=list)
    values: list[tuple[str, ...]] = field(default_factory=list)
    regex: re.Pattern | None = None


def _shape(keys: tuple[str, ...], known) -> _Shape:
    by_code: dict[str, dict[str, int]] = {}
    for i, key in enumerate(keys):
        code, dash, suffix = key.partition("-")
        if dash and code and suffix:  # keys without '-' are packet fields such as DataTime
            by_code.setdefault(code, {})[suffix] = i
    shape = _Shape([], None, [], [])
    for code, index in by_code.items():
        f = known.get(code)
        if f is None:
            # 治理设施 SBxxx-RS/-RT (表4) is plant status, not a pollutant
            (shape.other.append(code) if code.startswith("SB") else shape.unknown.append((code, index)))
        elif f.tax_code is not None:
            shape.pollutants.append((code, f.tax_code, index))
        elif f.kind == "flow":
            shape.flow = (code, index)
        elif f.kind == "pollutant":
            shape.other.append(code)
    return _keep_needed(shape)


_USED_SUFFIXES = frozenset({"Avg", "ZsAvg", "Cou", "Flag"})


def _keep_needed(shape: _Shape) -> _Shape:
    """Keep only the values the rules read (Min, Max, parameters… are dropped on reading)."""
    indexes = [index for _, _, index in shape.pollutants] + ([shape.flow[1]] if shape.flow else [])
    for index in indexes:
        for suffix in set(index) - _USED_SUFFIXES:
            del index[suffix]
    needed = sorted({i for index in indexes + [index for _, index in shape.unknown] for i in index.values()})
    position = {i: n for n, i in enumerate(needed)}
    for index in indexes + [index for _, index in shape.unknown]:
        index.update((suffix, position[i]) for suffix, i in index.items())
    shape.needed = needed
    shape.pick = (itemgetter(*needed) if len(needed) > 1 else
                  (lambda values, i=needed[0]: (values[i],)) if needed else (lambda values: ()))
    return shape


class Values:
    """Collects hourly packets by shape, then decides every pollutant-hour in `finish`."""

    def __init__(self, col, basis: str, flow_avg_unit: str | None):
        self.col, self.basis, self.flow_avg_unit = col, basis, flow_avg_unit
        self.conc_suffix = "Avg" if basis == "avg" else "ZsAvg"
        self.factors = factors()
        self.packets: list = []
        self.shapes: dict[tuple[str, ...], _Shape] = {}
        self.flow: list[str | None] = []
        self.flow_problem: list[tuple[str, str, str] | None] = []
        self.other: Counter = Counter()
        self.unknown: Counter = Counter()   # codes outside the air list (water w…, vendor codes): not taxed
        self.records: list[tuple] = []
        self.exceeding: list[tuple] = []
        self.checks: list[dict] = []
        self.cou_checked = 0

    def read_all(self, packets: list) -> None:
        """Collect hourly packets, a device (MN) at a time: one regex over the CPs of all its packets.

        A device sends one shape every hour, so the shape of its first packet, as a regex capturing the
        values the rules read, usually matches every CP of the device; a match is exactly what `read`
        would split. A device whose CPs do not all match is read packet by packet."""
        if not FAST_PATH:
            for p in packets:
                self.read(p)
            return
        by_device: dict[str, list[int]] = {}
        for i, p in enumerate(packets):
            by_device.setdefault(p.head["MN"], []).append(i)
        self.packets = list(packets)
        for positions in by_device.values():
            first = packets[positions[0]]
            shape = None
            if _WELL_FORMED.fullmatch(first.cp):
                keys = tuple(first.cp.replace(",", "=").replace(";", "=").split("=")[0::2])
                shape = self.shapes.get(keys)
                if shape is None:
                    shape = self.shapes[keys] = _shape(keys, self.factors)
                if shape.regex is None:
                    wanted = set(shape.needed)
                    shape.regex = re.compile("^" + "[;,]".join(
                        re.escape(k) + ("=([^;,=\n]*)" if i in wanted else "=[^;,=\n]*") for i, k in enumerate(keys))
                        + "$", re.MULTILINE)
                found = shape.regex.findall("\n".join(packets[i].cp for i in positions))
            if shape is None or len(found) != len(positions):
                for i in positions:
                    self._read_at(i, packets[i])
                continue
            shape.pk.extend(positions)
            width = len(shape.needed)
            shape.values.extend(found if width > 1 else [(v,) for v in found] if width == 1 else [()] * len(found))

    def _read_at(self, position: int, p) -> None:
        keys, values = self._split(p)
        shape = self.shapes.get(keys)
        if shape is None:
            shape = self.shapes[keys] = _shape(keys, self.factors)
        shape.pk.append(position)
        shape.values.append(shape.pick(values))

    def _split(self, p) -> tuple[tuple[str, ...], list[str]]:
        cp = p.cp
        if _WELL_FORMED.fullmatch(cp):
            flat = cp.replace(",", "=").replace(";", "=").split("=")
            return tuple(flat[0::2]), flat[1::2]
        return self._salvaged(p)

    def read(self, p) -> None:
        """Collect one hourly packet under its shape."""
        cp = p.cp
        if _WELL_FORMED.fullmatch(cp):
            flat = cp.replace(",", "=").replace(";", "=").split("=")
            keys, values = tuple(flat[0::2]), flat[1::2]
        else:
            keys, values = self._salvaged(p)
        shape = self.shapes.get(keys)
        if shape is None:
            shape = self.shapes[keys] = _shape(keys, self.factors)
        shape.pk.append(len(self.packets))
        shape.values.append(shape.pick(values))
        self.packets.append(p)

    def _salvaged(self, p) -> tuple[tuple[str, ...], list[str]]:
        """Keys and values of the well-formed items of a CP; the others are rejected."""
        keys, values = [], []
        for item in p.cp.replace(",", ";").split(";"):
            parts = item.split("=")
            if len(parts) == 2 and parts[0]:
                keys.append(parts[0])
                values.append(parts[1])
            elif item:
                self.col.reject(p.idx, p.line, "CP", f"malformed CP item {item!r}", whole=False)
        return tuple(keys), values

    def finish(self) -> None:
        """Decide every collected pollutant-hour: record, exclusion or rejection; then check -Cou."""
        self.flow = [None] * len(self.packets)
        self.flow_problem = [None] * len(self.packets)
        rows: dict[str, list] = {k: [] for k in ("pk", "order", "code", "tax", "conc", "avg", "cou", "flag", "fast")}
        for shape in self.shapes.values():
            self._collect(shape, rows)
        n = len(rows["pk"])
        fast = np.concatenate(rows["fast"]) if FAST_PATH and n else np.zeros(n, dtype=bool)
        col = {k: np.array(v, dtype=object) for k, v in rows.items()}
        pk = col["pk"].astype(np.int64)
        flow = np.array(self.flow, dtype=object)[pk] if n else np.array([], dtype=object)
        # The common path, column-wise: every value is taken as is.
        fast_cou = col["cou"][fast]
        columns = [np.array([p.line for p in self.packets], dtype=np.int64)[pk[fast]],
                   np.array([p.outlet for p in self.packets], dtype=object)[pk[fast]], col["tax"][fast],
                   np.array([p.time for p in self.packets], dtype=object)[pk[fast]], col["conc"][fast],
                   flow[fast], np.full(int(fast.sum()), "cems", dtype=object),
                   np.where(fast_cou == None, "", fast_cou),
                   np.full(int(fast.sum()), "", dtype=object)]  # the common path takes only "use" flags
        orders = [col["order"][fast].astype(np.int64)]
        checked = fast & (col["cou"] != None) & (col["avg"] != None)
        fast_check = (np.flatnonzero(checked[fast]), col["avg"][checked], col["cou"][checked], flow[checked])
        to_check: list[tuple[int, str, str, str]] = []
        used = set(pk[fast].tolist())
        # Everything else by the full rules, one pollutant-hour at a time.
        slow_records: list[tuple] = []
        exceeding: list[tuple[int, tuple]] = []
        base = len(columns[0])
        for i in np.flatnonzero(~fast).tolist():
            p, row_flow = self.packets[pk[i]], flow[i]
            code, tax, conc, avg, cou, flag = (col[k][i] for k in ("code", "tax", "conc", "avg", "cou", "flag"))
            values = {k: v for k, v in (("Flag", flag), (self.conc_suffix, conc), ("Avg", avg), ("Cou", cou))
                      if v is not None}
            decided = self._decide(p, code, tax, values, row_flow, self.flow_problem[pk[i]],
                                   base + len(slow_records), to_check)
            if decided is not None:
                record, over = decided
                slow_records.append(record)
                orders.append(np.array([col["order"][i]], dtype=np.int64))
                used.add(int(pk[i]))
                if over:
                    exceeding.append((col["order"][i], (p.line, p.outlet, tax, p.time, conc, flag)))
        if slow_records:
            columns = [np.concatenate([c, np.array([r[j] for r in slow_records], dtype=c.dtype)])
                       for j, c in enumerate(columns)]
        order = np.argsort(np.concatenate(orders), kind="stable")
        self.records = [c[order] for c in columns]
        self.exceeding = [e for _, e in sorted(exceeding)]
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        slow_check = [np.array(c, dtype=object) for c in zip(*to_check)] or [np.array([], dtype=object)] * 4
        self._check(position[np.concatenate([fast_check[0], slow_check[0].astype(np.int64)])],
                    *(np.concatenate([f, s]) for f, s in zip(fast_check[1:], slow_check[1:])))
        for k in used:
            self.col.used(self.packets[k].idx)

    def _collect(self, shape: _Shape, rows: dict[str, list]) -> None:
        """Long columns (one entry per pollutant-hour) and each packet's flow, for one shape."""
        n = len(shape.pk)
        columns = list(zip(*shape.values)) if shape.values and shape.values[0] else []
        none = (None,) * n

        def column(index: dict[str, int], suffix: str):
            return columns[index[suffix]] if suffix in index else none
        for code in shape.other:
            self.other[code] += n
        for code, _ in shape.unknown:
            self.unknown[code] += n   # a valid packet's other factors: counted, never a reason to refuse
        self._flows(shape, column)
        flow_ok = np.array([self.flow[pk] is not None for pk in shape.pk], dtype=bool) if shape.pollutants else None
        for position, (code, tax, index) in enumerate(shape.pollutants):
            if FAST_PATH:
                rows["fast"].append(self._fast_column(index, column, flow_ok))
            rows["pk"].extend(shape.pk)
            rows["order"].extend(pk * 1024 + position for pk in shape.pk)
            rows["code"].extend((code,) * n)
            rows["tax"].extend((tax,) * n)
            rows["conc"].extend(column(index, self.conc_suffix))
            rows["avg"].extend(column(index, "Avg"))
            rows["cou"].extend(column(index, "Cou"))
            rows["flag"].extend(column(index, "Flag"))

    def _flows(self, shape: _Shape, column) -> None:
        if shape.flow is None:
            for pk in shape.pk:
                self.flow_problem[pk] = ("", "no_flow", "no a00000 flue-gas flow in the packet")
            return
        code, index = shape.flow
        cou, avg, flag = column(index, "Cou"), column(index, "Avg"), column(index, "Flag")
        if FAST_PATH and "Cou" in index and set(flag) <= {None, "N"} and _as_is(cou).all():
            for pk, c in zip(shape.pk, cou):
                self.flow[pk] = c
            return
        for pk, c, a, f in zip(shape.pk, cou, avg, flag):
            if c is not None and (f is None or f == "N") and _TAKE_AS_IS.fullmatch(c):
                self.flow[pk] = c
            else:
                values = {k: v for k, v in (("Cou", c), ("Avg", a), ("Flag", f)) if v is not None}
                self.flow[pk], self.flow_problem[pk] = self._flow(self.packets[pk], code, values)

    def _fast_column(self, index: dict[str, int], column, flow_ok: np.ndarray) -> np.ndarray:
        """`_fast` for one pollutant of one shape, column-wise."""
        n = len(flow_ok)
        flags = column(index, "Flag")
        ok = flow_ok.copy()
        if "Flag" in index and not set(flags) <= _AS_IS_FLAGS:
            ok &= np.array([f in _AS_IS_FLAGS for f in flags], dtype=bool)
        if self.conc_suffix not in index:
            return np.zeros(n, dtype=bool)
        ok &= _as_is(column(index, self.conc_suffix))
        if "Cou" in index:
            ok &= _as_is(column(index, "Cou"))
        elif self.basis != "avg":
            return np.zeros(n, dtype=bool)  # ZsAvg needs -Cou for the mass
        if self.basis != "avg" and "Avg" in index:
            ok &= _as_is(column(index, "Avg"))
        return ok

    def _fast(self, rows: dict[str, list]) -> list[bool]:
        """Pollutant-hours the common path takes as is: flag N, plain values, a flow, and -Cou if ZsAvg."""
        take = _TAKE_AS_IS.fullmatch
        flow = self.flow
        if self.basis == "avg":  # the concentration is -Avg itself
            return [(f is None or f in _AS_IS_FLAGS) and c is not None and take(c) is not None
                    and (u is None or take(u) is not None) and flow[pk] is not None
                    for pk, c, u, f in zip(rows["pk"], rows["conc"], rows["cou"], rows["flag"])]
        return [(f is None or f in _AS_IS_FLAGS) and c is not None and take(c) is not None
                and u is not None and take(u) is not None and (a is None or take(a) is not None)
                and flow[pk] is not None
                for pk, c, a, u, f in zip(rows["pk"], rows["conc"], rows["avg"], rows["cou"], rows["flag"])]

    def _decide(self, p, code, tax, values, flow, flow_problem, at, to_check):
        """One pollutant-hour by the full rules: (record, counts as exceeding) or None."""
        flag = values.get("Flag", MISSING_FLAG)
        rule = FLAG_RULES.get(flag)
        if rule is None:
            self.col.reject(p.idx, p.line, f"{code}-Flag", f"flag {flag!r} is not in HJ 212's list ({FLAG_LIST})",
                            whole=False)
            return None
        if rule.action == "exclude":
            self._exclude(p, tax, flag, f"flag_{flag}", rule.reason)
            return None
        conc = self._concentration(p, code, tax, flag, values.get(self.conc_suffix))
        if conc is None:
            return None
        if flow is None:
            self._exclude(p, tax, *flow_problem)
            return None
        emission = self._emission(p, code, tax, flag, values, flow, at, to_check)
        if emission is None:
            return None
        over = rule.action == "exceeding"
        return (p.line, p.outlet, tax, p.time, conc, flow, "cems", emission, "true" if over else ""), over

    def _flow(self, p, code: str, values: dict[str, str]) -> tuple[str | None, tuple[str, str, str] | None]:
        """The hour's flue-gas volume in m3 (a00000-Cou, or -Avg by flow_avg_unit), or why there is none."""
        flag = values.get("Flag", MISSING_FLAG)
        rule = FLAG_RULES.get(flag)
        if rule is None:
            self.col.reject(p.idx, p.line, f"{code}-Flag", f"flag {flag!r} is not in HJ 212's list ({FLAG_LIST})",
                            whole=False)
            return None, (flag, "bad_flag", f"flow flag {flag!r} is unknown")
        if rule.action == "exclude":
            return None, (flag, f"flag_{flag}", f"flow flagged {flag}: {rule.reason}")
        if "Cou" in values:
            text, suffix, scale = values["Cou"], "Cou", None
        elif self.flow_avg_unit and "Avg" in values:
            text, suffix, scale = values["Avg"], "Avg", FLOW_SECONDS[self.flow_avg_unit]
        else:
            return None, ("", "no_flow", f"no {code}-Cou (m3 in the hour); set flow_avg_unit to use -Avg")
        number = plain_number(text)
        if number is None or number.startswith("-"):
            self.col.reject(p.idx, p.line, f"{code}-{suffix}", f"flow {text!r} is not a non-negative number",
                            whole=False)
            return None, ("", "bad_flow", f"flow {text!r} is not usable")
        return (number if scale is None else format(Decimal(number) * scale, "f")), None

    def _exclude(self, p, tax: str, flag: str, rule: str, reason: str) -> None:
        self.col.excluded.append((p.line, p.outlet, tax, p.time, flag, rule, reason))

    def _concentration(self, p, code: str, tax: str, flag: str, text: str | None) -> str | None:
        if text is None:
            self._exclude(p, tax, flag, "no_value", f"no {code}-{self.conc_suffix}")
            return None
        if is_not_computable(text):
            self._exclude(p, tax, flag, "not_computable",
                          f"{code}-{self.conc_suffix}=9999.99: not computable (HJ 212-2025 §8.1.1 d)")
            return None
        conc = plain_number(text)
        if conc is None or conc.startswith("-"):
            self.col.reject(p.idx, p.line, f"{code}-{self.conc_suffix}",
                            f"concentration {text!r} is not a non-negative number", whole=False)
            return None
        return conc

    def _emission(self, p, code, tax, flag, values, flow, at, to_check) -> str | None:
        """Emission kg from -Cou (checked later); "" lets the tax module compute flow x concentration."""
        avg = values.get("Avg")
        avg_n = plain_number(avg) if avg is not None and not is_not_computable(avg) else None
        cou = values.get("Cou")
        if cou is not None and not is_not_computable(cou):
            cou_n = plain_number(cou)
            if cou_n is None or cou_n.startswith("-"):
                self.col.reject(p.idx, p.line, f"{code}-Cou", f"emission {cou!r} is not a non-negative number",
                                whole=False)
                return None
            if avg_n is not None:
                to_check.append((at, avg_n, cou_n, flow))
            return cou_n
        if self.basis == "avg":
            return ""
        if avg_n is None:  # ZsAvg x actual flow is not a mass: the emission needs the measured -Avg
            self._exclude(p, tax, flag, "no_value", f"no {code}-Cou or -Avg to compute the emission from")
            return None
        return format(Decimal(avg_n) * Decimal(flow) * _MEGA, "f")

    def _check(self, at: np.ndarray, avg: np.ndarray, cou: np.ndarray, flow: np.ndarray) -> None:
        """附录D D2.5: Cou (kg) = Avg (mg/m3) x flow (m3) x 10^-6, within COU_TOLERANCE or Cou's rounding.

        Screened in binary floating point for speed; every hour near or past the tolerance is decided
        again in exact Decimal arithmetic, so the reported mismatches are exact."""
        n = self.cou_checked = len(at)
        if not n:
            return
        computed = np.fromiter(map(float, avg), np.float64, n) * np.fromiter(map(float, flow), np.float64, n) * 1e-6
        places = np.array([len(c) - c.find(".") - 1 if "." in c else 0 for c in cou], dtype=np.float64)
        tolerance = np.maximum(0.5 * 10.0 ** -places, float(COU_TOLERANCE) * computed)
        gap = np.abs(np.fromiter(map(float, cou), np.float64, n) - computed)
        for i in np.flatnonzero(gap > tolerance * (1 - 1e-9)):
            exact = Decimal(avg[i]) * Decimal(flow[i]) * _MEGA
            cou_d = Decimal(cou[i])
            half_unit = Decimal(5).scaleb(cou[i].find(".") - len(cou[i])) if "." in cou[i] else Decimal("0.5")
            if abs(cou_d - exact) <= max(half_unit, exact * COU_TOLERANCE):
                continue
            row = [c[at[i]] for c in self.records[:4]]
            self.checks.append({"row": int(row[0]), "outlet": row[1], "pollutant": row[2], "time": row[3],
                                "cou_kg": cou[i], "computed_kg": format(exact, "f"),
                                "message": f"-Cou {cou[i]} kg differs from Avg {avg[i]} x flow {flow[i]} x 10^-6 = "
                                           f"{exact:f} kg by more than {COU_TOLERANCE:%}"})
