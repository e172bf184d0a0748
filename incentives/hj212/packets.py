"""HJ 212 hourly packets (CN=2061) to the tax assessment's single-measurement records.

Every packet is accounted for: used, excluded (with its flag or rule) or rejected (line and reason).
Sources: shared/reference/hj212.md, copied where the code needs it (codes.py, data/hj212_codes.csv).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

import pandas as pd

from ..errors import Invalid
from .codes import FLAG_RULES, FLAG_RULES_SOURCE, MISSING_FLAG, NOT_COMPUTABLE, factors
from .frame import Frame, crc_many, split_line

RECORD_COLUMNS = ("row", "outlet", "pollutant", "time", "concentration", "flow", "source", "emission_kg")
EXCLUDED_COLUMNS = ("row", "outlet", "pollutant", "time", "flag", "rule", "reason")
EXCEEDING_COLUMNS = ("row", "outlet", "pollutant", "time", "concentration", "flag")
PACKET_COLUMNS = ("row", "mn", "outlet", "cn", "time", "status", "reason")

# -Cou vs Avg x flow x 10^-6 (附录D D2.5): an hourly Cou sums minute emissions, so it need not equal the
# product of hourly means; beyond 5 % (or the Cou's own last-digit rounding) it is reported, not used
# to change anything. Engineering default, no source: real packets P1-P3 agree within 3.1 %.
COU_TOLERANCE = Decimal("0.05")
FLOW_SECONDS = {"m3/s": Decimal(3600), "m3/h": Decimal(1)}  # a00000-Avg to m3 in the hour
_MEGA = Decimal("0.000001")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_FLAG_LIST = "".join(FLAG_RULES)


class Hj212Error(Invalid, ValueError):
    """An HJ 212 file refused in strict mode; `errors` lists {row, column, message} per problem."""

    def __init__(self, errors: list[dict], result: "Hj212Result"):
        super().__init__(f"{len(errors)} problems in the HJ 212 packets; nothing was used", errors)
        self.result = result


@dataclass(frozen=True, eq=False)
class Hj212Result:
    """Records for the tax module plus the accounting of every packet."""
    records: pd.DataFrame          # RECORD_COLUMNS, str except row
    excluded: pd.DataFrame         # per hour and pollutant (pollutant "" for a whole packet)
    exceeding: pd.DataFrame        # T-flag hours: used, and they fail the hourly "not above S" gate
    rejected: tuple[dict, ...]     # {row, column, message}
    checks: tuple[dict, ...]       # -Cou mismatches beyond COU_TOLERANCE
    packets: pd.DataFrame          # one row per frame: used / excluded / rejected / merged
    month: str | None
    parameters: dict
    other_codes: dict[str, int]    # known HJ 212 codes that are not taxable items, with counts
    summary: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Packet:
    idx: int                       # index in the packet accounting
    line: int
    head: dict[str, str]
    cp: str
    parts: tuple[int, ...] = ()    # accounting indexes of merged split parts
    outlet: str = ""
    time: str = ""


class _Collector:
    def __init__(self):
        self.packets: list[dict] = []
        self.rejected: list[dict] = []
        self.excluded: list[tuple] = []

    def packet(self, line: int, mn: str = "", cn: str = "") -> int:
        self.packets.append({"row": line, "mn": mn, "outlet": "", "cn": cn, "time": "", "status": "", "reason": ""})
        return len(self.packets) - 1

    def reject(self, idx: int | None, line: int, column: str, message: str, *, whole: bool = True) -> None:
        self.rejected.append({"row": line, "column": column, "message": message})
        if idx is not None and whole:
            self.set(idx, "rejected", message)

    def exclude_packet(self, p: _Packet, rule: str, reason: str) -> None:
        self.excluded.append((p.line, p.outlet, "", p.time, "", rule, reason))
        self.set(p.idx, "excluded", reason)

    def set(self, idx: int, status: str, reason: str) -> None:
        entry = self.packets[idx]
        if entry["status"] != "rejected":
            entry["status"], entry["reason"] = status, reason


def parse_packets(text: str, *, mn_to_outlet: dict[str, str] | None = None,
                  concentration_basis: Literal["avg", "zsavg"] = "avg",
                  flow_avg_unit: Literal["m3/s", "m3/h"] | None = None,
                  strict: bool = True) -> Hj212Result:
    """Parse a file of HJ 212 packets (one per line) into hourly tax records, accounting for each packet.

    concentration_basis: "avg" (default) takes -Avg, the measured concentration, the figure the hourly
    CSV and 附录D D2.5's emission formula use; "zsavg" takes -ZsAvg, converted to the standard's
    reference O2, which is what limits such as GB 13223/13271 are stated at: pass it for those sources.
    flow_avg_unit: None (default) requires a00000-Cou (m3 in the hour); "m3/s" (the standard's unit)
    or "m3/h" derives the hour's flow from a00000-Avg when -Cou is missing.
    strict: any rejected packet or value refuses the whole file (Hj212Error); False returns what is valid.
    """
    if concentration_basis not in ("avg", "zsavg"):
        raise ValueError(f"concentration_basis must be 'avg' or 'zsavg', not {concentration_basis!r}")
    if flow_avg_unit not in (None, *FLOW_SECONDS):
        raise ValueError(f"flow_avg_unit must be None, 'm3/s' or 'm3/h', not {flow_avg_unit!r}")
    col = _Collector()
    frames = _frames(text, col)
    packets = _checked_packets(frames, col, mn_to_outlet)
    packets = _assembled(packets, col)
    month = _one_month(packets, col)
    packets = _deduplicated(packets, col)
    out = _Values(col, concentration_basis, flow_avg_unit)
    for p in packets:
        out.read(p)
    result = out.result(month, {
        "concentration_basis": concentration_basis, "flow_avg_unit": flow_avg_unit, "strict": strict,
        "cou_tolerance": str(COU_TOLERANCE), "missing_flag": MISSING_FLAG,
        "flag_rules": {f: r.action for f, r in FLAG_RULES.items()}, "flag_rules_source": FLAG_RULES_SOURCE,
    })
    if strict and result.rejected:
        raise Hj212Error(list(result.rejected), result)
    return result


def _frames(text: str, col: _Collector) -> list[tuple[int, Frame]]:
    """Frames with a correct length and CRC, each with its accounting index."""
    found: list[tuple[int, Frame]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        for item in split_line(number, line):
            idx = col.packet(number)
            if isinstance(item, Frame):
                found.append((idx, item))
            else:
                col.reject(idx, item.line, item.column, item.message)
    sums = crc_many([f.data.encode("utf-8") for _, f in found])
    good = []
    for (idx, f), expected in zip(found, sums):
        if f.crc_text.upper() == expected:
            good.append((idx, f))
        else:
            col.reject(idx, f.line, "CRC", f"CRC {f.crc_text} does not match the data segment (computed {expected})")
    return good


def _checked_packets(frames, col: _Collector, mn_to_outlet) -> list[_Packet]:
    """Data segments split into header fields and CP; CN, MN and the outlet mapping checked."""
    out = []
    for idx, f in frames:
        cp_at = f.data.find("CP=&&")
        if cp_at == -1 or not f.data.endswith("&&") or len(f.data) < cp_at + 7:
            col.reject(idx, f.line, "CP", "no CP=&&…&& data area")
            continue
        head = {}
        for item in f.data[:cp_at].split(";"):
            key, eq, value = item.partition("=")
            if item and not eq:
                col.reject(idx, f.line, "packet", f"malformed field {item!r}")
                break
            if item:
                head[key] = value
        else:
            entry = col.packets[idx]
            entry["mn"], entry["cn"] = head.get("MN", ""), head.get("CN", "")
            missing = [k for k in ("CN", "MN") if not head.get(k)]
            if missing:
                col.reject(idx, f.line, missing[0], f"missing {missing[0]}")
                continue
            outlet = head["MN"] if mn_to_outlet is None else mn_to_outlet.get(head["MN"])
            if outlet is None:
                col.reject(idx, f.line, "MN", f"MN {head['MN']} is not in the outlet mapping")
                continue
            entry["outlet"] = outlet
            out.append(_Packet(idx, f.line, head, f.data[cp_at + 5:-2], outlet=outlet))
    return out


def _assembled(packets: list[_Packet], col: _Collector) -> list[_Packet]:
    """Split packets (PNUM/PNO, Flag bit D) joined in PNO order into one packet at the first part's line."""
    whole, groups = [], defaultdict(list)
    for p in packets:
        if "PNUM" not in p.head and "PNO" not in p.head:
            whole.append(p)
            continue
        pnum, pno = p.head.get("PNUM", ""), p.head.get("PNO", "")
        if not (pnum.isdigit() and pno.isdigit() and 1 <= int(pno) <= int(pnum)):
            col.reject(p.idx, p.line, "PNO", f"bad split numbering PNUM={pnum!r} PNO={pno!r}")
            continue
        # Parts share MN, CN and QN (HJ 212-2017 附录C); without QN, their DataTime ties them.
        tie = p.head.get("QN") or _cp_field(p.cp, "DataTime")
        groups[(p.head["MN"], p.head["CN"], tie, int(pnum))].append(p)
    for (_, _, _, pnum), parts in groups.items():
        parts.sort(key=lambda q: int(q.head["PNO"]))
        numbers = [int(q.head["PNO"]) for q in parts]
        first = parts[0]
        if numbers != list(range(1, pnum + 1)):
            message = f"split packet incomplete: parts {numbers} of PNUM={pnum}"
            for q in parts:
                col.reject(q.idx, q.line, "PNO", message)
            continue
        times = {_cp_field(q.cp, "DataTime") for q in parts}
        if len(times) > 1:
            for q in parts:
                col.reject(q.idx, q.line, "DataTime", f"parts of one split packet carry different DataTime {sorted(times)}")
            continue
        body = [first.cp] + [_without_field(q.cp, "DataTime") for q in parts[1:]]
        for q in parts[1:]:
            col.set(q.idx, "merged", f"part {q.head['PNO']}/{pnum} of the packet at line {first.line}")
        whole.append(_Packet(first.idx, first.line, first.head, ";".join(b for b in body if b),
                             tuple(q.idx for q in parts[1:]), first.outlet))
    whole.sort(key=lambda q: q.idx)
    return whole


def _cp_field(cp: str, name: str) -> str | None:
    for item in cp.split(";"):
        if item.startswith(name + "="):
            return item[len(name) + 1:]
    return None


def _without_field(cp: str, name: str) -> str:
    return ";".join(i for i in cp.split(";") if not i.startswith(name + "="))


def _hour(value: str | None) -> tuple[str | None, str | None]:
    """ISO hour of a DataTime (14 digits, or 17 with milliseconds), or an error message."""
    if value is None:
        return None, "missing DataTime"
    if len(value) not in (14, 17) or not value.isdigit():
        return None, f"DataTime {value!r} is not YYYYMMDDhhmmss"
    try:
        t = datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12]),
                     int(value[12:14]))
    except ValueError:
        return None, f"DataTime {value!r} is not a real time"
    if value[10:].strip("0"):
        return None, f"DataTime {value} is not the start of an hour (CN=2061 hourly data)"
    return t.strftime("%Y-%m-%dT%H:%M"), None


def _one_month(packets: list[_Packet], col: _Collector) -> str | None:
    """Keep hourly packets of the file's month (the most frequent one); others are rejected."""
    for p in packets:
        if p.head["CN"] != "2061":
            continue
        p.time, problem = _hour(_cp_field(p.cp, "DataTime"))
        if problem:
            col.reject(p.idx, p.line, "DataTime", problem)
        else:
            col.packets[p.idx]["time"] = p.time
    months = Counter(p.time[:7] for p in packets if p.time)
    if not months:
        return None
    month = min(months, key=lambda m: (-months[m], m))
    for p in packets:
        if p.time and p.time[:7] != month:
            col.reject(p.idx, p.line, "DataTime", f"packet from {p.time[:7]} in a file of {month} (one month per file)")
            p.time = ""
    return month


def _deduplicated(packets: list[_Packet], col: _Collector) -> list[_Packet]:
    """One packet per outlet and hour: an RF=1 resend (HJ 212-2025) supersedes the others, else the first stays."""
    keep, by_hour = [], defaultdict(list)
    for p in packets:
        if p.head["CN"] != "2061":
            col.exclude_packet(p, "not_hourly", f"CN={p.head['CN']} is not hourly data (only CN=2061 is used)")
        elif p.time:
            by_hour[(p.outlet, p.time)].append(p)
    for same in by_hour.values():
        resent = [p for p in same if p.head.get("RF") == "1"]
        winner = resent[-1] if resent else same[0]
        keep.append(winner)
        for p in same:
            if p is winner:
                continue
            if resent:
                col.exclude_packet(p, "resend", f"superseded by the RF=1 resend at line {winner.line}")
            else:
                col.reject(p.idx, p.line, "DataTime",
                           f"duplicate hour {p.time} for outlet {p.outlet}, first at line {winner.line}")
    keep.sort(key=lambda q: q.idx)
    return keep


def _number(text: str) -> str | None:
    """A value as a plain decimal string (never 1E-5), or None if it is not a finite number."""
    if _PLAIN.fullmatch(text):
        return text[1:] if text[0] == "-" and not text.strip("-0.") else text
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return format(d, "f") if d.is_finite() else None


def _is_sentinel(text: str) -> bool:
    return text.startswith("9999.99") and _number(text) is not None and Decimal(text) == Decimal(NOT_COMPUTABLE)


def _groups(cp: str) -> tuple[dict[str, str], dict[str, dict[str, str]], list[str]]:
    """CP area as packet fields (DataTime…), factors {code: {suffix: value}} and malformed items."""
    fields: dict[str, str] = {}
    found: dict[str, dict[str, str]] = {}
    bad: list[str] = []
    for group in cp.split(";"):
        dash, eq = group.find("-"), group.find("=")
        if dash == -1 or eq < dash:
            key, _, value = group.partition("=")
            if eq == -1:
                bad.append(group)
            else:
                fields[key] = value
            continue
        prefix = group[:dash + 1]
        try:
            pairs = dict(pair.split("=", 1) for pair in group.split(","))
        except ValueError:
            pairs = None
        if pairs is not None and len(pairs) == group.count(prefix) == group.count("=") and group.startswith(prefix):
            found.setdefault(prefix[:-1], {}).update((k[len(prefix):], v) for k, v in pairs.items())
            continue
        for pair in group.split(","):  # slow path: mixed factors or malformed pairs in one group
            key, eq_, value = pair.partition("=")
            code, dash_, suffix = key.partition("-")
            if not (eq_ and dash_ and code and suffix):
                bad.append(pair)
            else:
                found.setdefault(code, {})[suffix] = value
    return fields, found, bad


class _Values:
    """Turns each kept hourly packet into records, exclusions, rejections and -Cou checks."""

    def __init__(self, col: _Collector, basis: str, flow_avg_unit: str | None):
        self.col, self.basis, self.flow_avg_unit = col, basis, flow_avg_unit
        self.suffix = "Avg" if basis == "avg" else "ZsAvg"
        self.factors = factors()
        self.records: list[tuple] = []
        self.exceeding: list[tuple] = []
        self.checks: list[dict] = []
        self.other: Counter = Counter()
        self.cou_checked = 0

    def read(self, p: _Packet) -> None:
        """Records from one hourly packet."""
        _, found, bad = _groups(p.cp)
        for item in bad:
            self.col.reject(p.idx, p.line, "CP", f"malformed CP item {item!r}", whole=False)
        flow, flow_problem = self._flow(p, found)
        used = 0
        for code, values in found.items():
            f = self.factors.get(code)
            if f is None:
                if code.startswith("SB"):  # 治理设施 SBxxx-RS/-RT: plant status, not a pollutant (表4)
                    self.other[code] += 1
                else:
                    self.col.reject(p.idx, p.line, code, f"unknown pollutant code {code} (kept, reported, not taxed): "
                                    + ",".join(f"{k}={v}" for k, v in values.items()), whole=False)
                continue
            if f.kind != "pollutant":
                continue
            if f.tax_code is None:
                self.other[code] += 1
                continue
            used += self._pollutant(p, code, f.tax_code, values, flow, flow_problem)
        if used:
            self.col.set(p.idx, "used", f"{used} pollutant hours used")
        else:
            self.col.set(p.idx, "excluded", "no usable taxable pollutant value")

    def _flow(self, p: _Packet, found) -> tuple[str | None, tuple[str, str, str] | None]:
        """The hour's flue-gas volume in m3 (a00000-Cou, or -Avg by flow_avg_unit), or why there is none."""
        values = found.get("a00000") or found.get("B02")
        if values is None:
            return None, ("", "no_flow", "no a00000 flue-gas flow in the packet")
        code = "a00000" if "a00000" in found else "B02"
        flag = values.get("Flag", MISSING_FLAG)
        rule = FLAG_RULES.get(flag)
        if rule is None:
            self.col.reject(p.idx, p.line, f"{code}-Flag", f"flag {flag!r} is not in HJ 212's list ({_FLAG_LIST})",
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
        number = _number(text)
        if number is None or number.startswith("-"):
            self.col.reject(p.idx, p.line, f"{code}-{suffix}", f"flow {text!r} is not a non-negative number",
                            whole=False)
            return None, ("", "bad_flow", f"flow {text!r} is not usable")
        return (number if scale is None else format(Decimal(number) * scale, "f")), None

    def _pollutant(self, p: _Packet, code: str, tax_code: str, values: dict, flow, flow_problem) -> int:
        flag = values.get("Flag", MISSING_FLAG)
        rule = FLAG_RULES.get(flag)
        exclude = self.col.excluded.append
        if rule is None:
            self.col.reject(p.idx, p.line, f"{code}-Flag",
                            f"flag {flag!r} is not in HJ 212's list ({_FLAG_LIST})", whole=False)
            return 0
        if rule.action == "exclude":
            exclude((p.line, p.outlet, tax_code, p.time, flag, f"flag_{flag}", rule.reason))
            return 0
        text = values.get(self.suffix)
        if text is None:
            exclude((p.line, p.outlet, tax_code, p.time, flag, "no_value", f"no {code}-{self.suffix}"))
            return 0
        if _is_sentinel(text):
            exclude((p.line, p.outlet, tax_code, p.time, flag, "not_computable",
                     f"{code}-{self.suffix}=9999.99: not computable (HJ 212-2025 §8.1.1 d)"))
            return 0
        conc = _number(text)
        if conc is None or conc.startswith("-"):
            self.col.reject(p.idx, p.line, f"{code}-{self.suffix}",
                            f"concentration {text!r} is not a non-negative number", whole=False)
            return 0
        if flow_problem:
            ff, rule_name, reason = flow_problem
            exclude((p.line, p.outlet, tax_code, p.time, ff, rule_name, reason))
            return 0
        emission = self._emission(p, code, tax_code, values, flow)
        if emission is None:
            return 0
        self.records.append((p.line, p.outlet, tax_code, p.time, conc, flow, "cems", emission))
        if rule.action == "exceeding":
            self.exceeding.append((p.line, p.outlet, tax_code, p.time, conc, flag))
        return 1

    def _emission(self, p: _Packet, code: str, tax_code: str, values: dict, flow: str) -> str | None:
        """Emission kg from -Cou (checked against Avg x flow x 10^-6); "" lets the tax module compute it."""
        avg = values.get("Avg")
        avg_n = _number(avg) if avg is not None and not _is_sentinel(avg) else None
        cou = values.get("Cou")
        if cou is not None and not _is_sentinel(cou):
            cou_n = _number(cou)
            if cou_n is None or cou_n.startswith("-"):
                self.col.reject(p.idx, p.line, f"{code}-Cou", f"emission {cou!r} is not a non-negative number",
                                whole=False)
                return None
            if avg_n is not None:
                self._check(p, tax_code, cou_n, avg_n, flow)
            return cou_n
        if self.basis == "avg":
            return ""
        if avg_n is None:  # ZsAvg x actual flow is not a mass: the emission needs the measured -Avg
            self.col.excluded.append((p.line, p.outlet, tax_code, p.time, values.get("Flag", MISSING_FLAG),
                                      "no_value", f"no {code}-Cou or -Avg to compute the emission from"))
            return None
        return format(Decimal(avg_n) * Decimal(flow) * _MEGA, "f")

    def _check(self, p: _Packet, tax_code: str, cou: str, avg: str, flow: str) -> None:
        """附录D D2.5: Cou (kg) = Avg (mg/m3) x flow (m3) x 10^-6, within COU_TOLERANCE or Cou's rounding."""
        self.cou_checked += 1
        cou_d = Decimal(cou)
        computed = Decimal(avg) * Decimal(flow) * _MEGA
        half_unit = Decimal(1).scaleb(cou_d.as_tuple().exponent) / 2
        if abs(cou_d - computed) > max(half_unit, COU_TOLERANCE * computed):
            self.checks.append({"row": p.line, "outlet": p.outlet, "pollutant": tax_code, "time": p.time,
                                "cou_kg": cou, "computed_kg": format(computed, "f"),
                                "message": f"-Cou {cou} kg differs from Avg {avg} x flow {flow} x 10^-6 = "
                                           f"{computed:f} kg by more than {COU_TOLERANCE:%}"})

    def result(self, month: str | None, parameters: dict) -> Hj212Result:
        """The frozen result."""
        col = self.col
        status = Counter(e["status"] for e in col.packets)
        summary = {"packets": len(col.packets), "used": status["used"], "excluded": status["excluded"],
                   "rejected": status["rejected"], "merged": status["merged"], "records": len(self.records),
                   "cou_checked": self.cou_checked}
        return Hj212Result(
            records=_frame(self.records, RECORD_COLUMNS),
            excluded=_frame(sorted(col.excluded, key=lambda e: e[0]), EXCLUDED_COLUMNS),
            exceeding=_frame(self.exceeding, EXCEEDING_COLUMNS),
            rejected=tuple(sorted(col.rejected, key=lambda e: e["row"])),
            checks=tuple(self.checks),
            packets=pd.DataFrame(col.packets, columns=list(PACKET_COLUMNS)),
            month=month, parameters=parameters, other_codes=dict(self.other), summary=summary)


def _frame(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    out = pd.DataFrame(data, columns=list(columns))
    out["row"] = out["row"].astype("int64")
    for c in columns[1:]:
        out[c] = out[c].astype("str")
    return out
