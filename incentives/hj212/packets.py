"""HJ 212 hourly packets (CN=2061) to the tax assessment's single-measurement records.

Every packet is accounted for: used, excluded (with its flag or rule) or rejected (line and reason).
Sources: shared/reference/hj212.md, copied where the code needs it (codes.py, data/hj212_codes.csv).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Literal

import pandas as pd

from ..errors import Invalid
from . import values as _values
from .codes import FLAG_RULES, FLAG_RULES_SOURCE, MISSING_FLAG
from .frame import Frame, crc_many, split_line
from .values import COU_TOLERANCE, FLOW_SECONDS, Values

# over_range is "true" for a T-flag hour (over the instrument's range): the tax module's G1 counts it as
# exceeding the standard (条例 第十条 ¶2); emission_kg is the hour's -Cou, or "" for flow × concentration.
RECORD_COLUMNS = ("row", "outlet", "pollutant", "time", "concentration", "flow", "source", "emission_kg",
                  "over_range")
EXCLUDED_COLUMNS = ("row", "outlet", "pollutant", "time", "flag", "rule", "reason")
EXCEEDING_COLUMNS = ("row", "outlet", "pollutant", "time", "concentration", "flag")
PACKET_COLUMNS = ("row", "mn", "outlet", "cn", "time", "status", "reason")
_MN, _OUTLET, _CN, _TIME, _STATUS, _REASON = 1, 2, 3, 4, 5, 6
HOUR_TOLERANCE_SECONDS = 5   # seconds past the hour still read as that hour (a device clock's slip)
# The usual header (表3 order, no PNUM/PNO/RF): a match gives exactly what the general split gives; any
# other header takes the general path. Group 8 is DataTime when the CP starts with it.
_HEAD = re.compile(r"(?:QN=([^;=]*);)?ST=([^;=]*);CN=([^;=]*);PW=([^;=]*);MN=([^;=]*);(?:Flag=([^;=]*);)?"
                   r"CP=&&((?:DataTime=([^;]*))?.*)&&", re.DOTALL)
_HEAD_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag")
_UNSET = "\0unset"


class Hj212Error(Invalid, ValueError):
    """An HJ 212 file refused in strict mode; `errors` lists {row, column, message} per problem."""

    def __init__(self, errors: list[dict], result: Hj212Result):
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
    month: str | None              # the file's month when it holds one
    parameters: dict
    other_codes: dict[str, int]    # known HJ 212 codes that are not taxable items, with counts
    summary: dict[str, int] = field(default_factory=dict)
    months: tuple[str, ...] = ()   # every month with hourly packets (each assessed as its own month)
    unknown_codes: dict[str, int] = field(default_factory=dict)  # codes outside the air list (water, vendor)


@dataclass(slots=True)
class _Packet:
    idx: int                       # index in the packet accounting
    line: int
    head: dict[str, str]
    cp: str
    parts: tuple[int, ...] = ()    # accounting indexes of merged split parts
    outlet: str = ""
    time: str = ""
    data_time: str | None = _UNSET  # the CP's DataTime, when the header pass already found it


class _Collector:
    """The accounting: one PACKET_COLUMNS list per frame, plus rejections and exclusions."""

    def __init__(self):
        self.packets: list[list] = []
        self.rejected: list[dict] = []
        self.excluded: list[tuple] = []

    def packet(self, line: int) -> int:
        self.packets.append([line, "", "", "", "", "", ""])
        return len(self.packets) - 1

    def reject(self, idx: int | None, line: int, column: str, message: str, *, whole: bool = True) -> None:
        self.rejected.append({"row": line, "column": column, "message": message})
        if idx is not None and whole:
            self.set(idx, "rejected", message)

    def exclude_packet(self, p: _Packet, rule: str, reason: str) -> None:
        self.excluded.append((p.line, p.outlet, "", p.time, "", rule, reason))
        self.set(p.idx, "excluded", reason)

    def used(self, idx: int) -> None:
        entry = self.packets[idx]
        if not entry[_STATUS]:
            entry[_STATUS], entry[_REASON] = "used", "hourly values used"

    def set(self, idx: int, status: str, reason: str) -> None:
        entry = self.packets[idx]
        if entry[_STATUS] != "rejected":
            entry[_STATUS], entry[_REASON] = status, reason


def parse_packets(text: str, *, mn_to_outlet: dict[str, str] | None = None,
                  concentration_basis: Literal["avg", "zsavg"] = "avg",
                  flow_avg_unit: Literal["m3/s", "m3/h"] | None = None,
                  strict: bool = True, hour_tolerance_seconds: int = HOUR_TOLERANCE_SECONDS,
                  crc_byte_swap: Literal["refuse", "accept"] = "refuse") -> Hj212Result:
    """Parse a file of HJ 212 packets (one per line) into hourly tax records, accounting for each packet.

    concentration_basis: "avg" (default) takes -Avg, the measured concentration, the figure the hourly
    CSV and 附录D D2.5's emission formula use; "zsavg" takes -ZsAvg, converted to the standard's
    reference O2, which is what limits such as GB 13223/13271 are stated at: pass it for those sources.
    flow_avg_unit: None (default) requires a00000-Cou (m3 in the hour); "m3/s" (the standard's unit)
    or "m3/h" derives the hour's flow from a00000-Avg when -Cou is missing.
    strict: any rejected packet or value refuses the whole file (Hj212Error); False returns what is valid.
    Real devices' habits are never rejections: packets that are not hourly (CN other than 2061, and
    incomplete splits of such packets) are excluded and counted; factor codes outside the air list
    (water codes, vendor codes) are counted in `unknown_codes`; byte-identical re-sends are dropped and
    counted; a file may hold several months (each assessed as its own month).
    hour_tolerance_seconds: an hourly DataTime this many seconds past the hour (a device clock's slip,
    e.g. 20201129210001) is read as that hour; more is rejected (HOUR_TOLERANCE_SECONDS, default 5).
    crc_byte_swap: "accept" takes a CRC whose two bytes are swapped (some devices send them low byte
    first); such frames are counted in the summary. Default "refuse" (附录A: high byte first).
    """
    if not 0 <= hour_tolerance_seconds < 60:
        raise ValueError(f"hour_tolerance_seconds must be 0–59, not {hour_tolerance_seconds!r}")
    if crc_byte_swap not in ("refuse", "accept"):
        raise ValueError(f"crc_byte_swap must be 'refuse' or 'accept', not {crc_byte_swap!r}")
    if concentration_basis not in ("avg", "zsavg"):
        raise ValueError(f"concentration_basis must be 'avg' or 'zsavg', not {concentration_basis!r}")
    if flow_avg_unit not in (None, *FLOW_SECONDS):
        raise ValueError(f"flow_avg_unit must be None, 'm3/s' or 'm3/h', not {flow_avg_unit!r}")
    col = _Collector()
    frames, swapped = _frames(text, col, crc_byte_swap == "accept")
    packets = _checked_packets(frames, col, mn_to_outlet)
    packets = _assembled(packets, col)
    months = _hours(packets, col, hour_tolerance_seconds)
    packets = _deduplicated(packets, col)
    values = Values(col, concentration_basis, flow_avg_unit)
    values.read_all(packets)
    values.finish()
    for p in packets:
        if not col.packets[p.idx][_STATUS]:
            col.set(p.idx, "excluded", "no usable taxable pollutant value (see excluded and other_codes)")
    result = _result(col, values, months, swapped, {
        "concentration_basis": concentration_basis, "flow_avg_unit": flow_avg_unit, "strict": strict,
        "hour_tolerance_seconds": hour_tolerance_seconds, "crc_byte_swap": crc_byte_swap,
        "cou_tolerance": str(COU_TOLERANCE), "missing_flag": MISSING_FLAG,
        "flag_rules": {f: r.action for f, r in FLAG_RULES.items()}, "flag_rules_source": FLAG_RULES_SOURCE,
    })
    if strict and result.rejected:
        raise Hj212Error(list(result.rejected), result)
    return result


def _frames(text: str, col: _Collector, swap_ok: bool) -> tuple[list[tuple[int, int, str]], int]:
    """Frames with a correct length and CRC: (accounting index, line, data segment), and how many were
    taken with their CRC bytes swapped (only when `swap_ok`)."""
    found: list[tuple[int, int, str]] = []
    crcs: list[str] = []
    fast = _values.FAST_PATH and text.isascii()
    entries = col.packets
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        # One ASCII frame filling the line (split_line's own fast path, inlined for speed)
        if fast and line[:2] == "##" and line[2:6].isdigit() and len(line) == int(line[2:6]) + 10:
            entries.append([number, "", "", "", "", "", ""])
            found.append((len(entries) - 1, number, line[6:-4]))
            crcs.append(line[-4:])
            continue
        for item in split_line(number, line):
            idx = col.packet(number)
            if isinstance(item, Frame):
                found.append((idx, item.line, item.data))
                crcs.append(item.crc_text)
            else:
                col.reject(idx, item.line, item.column, item.message)
    sums = crc_many([f[2].encode("utf-8") for f in found])
    good, swapped = [], 0
    for f, carried, expected in zip(found, crcs, sums):
        if carried == expected or carried.upper() == expected:
            good.append(f)
        elif carried.upper() == expected[2:] + expected[:2] and swap_ok:
            good.append(f)   # low byte first: the named opt-in for such devices
            swapped += 1
        else:
            hint = (" (its bytes swapped would match: some devices send the low byte first; parameter "
                    "hj212_crc_byte_swap=accept takes them)" if carried.upper() == expected[2:] + expected[:2] else "")
            col.reject(f[0], f[1], "CRC", f"CRC {carried} does not match the data segment (computed {expected}){hint}")
    return good, swapped


def _checked_packets(frames, col: _Collector, mn_to_outlet) -> list[_Packet]:
    """Data segments split into header fields and CP; CN, MN and the outlet mapping checked."""
    out = []
    head_match = _HEAD.fullmatch if _values.FAST_PATH else (lambda data: None)
    keys = _HEAD_KEYS
    for idx, line, data in frames:
        m = head_match(data)
        if m is not None:
            g = m.groups()
            qn, _, cn, _, mn, flag, cp, data_time = g
            outlet = mn if mn_to_outlet is None else mn_to_outlet.get(mn)
            if cn and mn and outlet is not None:
                head = (dict(zip(keys, g)) if qn is not None and flag is not None
                        else {k: v for k, v in zip(keys, g) if v is not None})
                entry = col.packets[idx]
                entry[_MN], entry[_CN], entry[_OUTLET] = mn, cn, outlet
                out.append(_Packet(idx, line, head, cp, outlet=outlet,
                                   data_time=_UNSET if data_time is None else data_time))
                continue
        f = Frame(line, data, "")
        cp_at = f.data.find("CP=&&")
        if cp_at == -1 or not f.data.endswith("&&") or len(f.data) < cp_at + 7:
            col.reject(idx, f.line, "CP", "no CP=&&…&& data area")
            continue
        header = f.data[:cp_at].rstrip(";")
        flat = header.replace(";", "=").split("=")  # header values hold no ';' or '=' (表3)
        if len(flat) % 2 or header.count(";") + 1 != len(flat) // 2:
            col.reject(idx, f.line, "packet", f"malformed header {header!r}")
            continue
        head = dict(zip(flat[::2], flat[1::2]))
        entry = col.packets[idx]
        entry[_MN], entry[_CN] = head.get("MN", ""), head.get("CN", "")
        missing = [k for k in ("CN", "MN") if not head.get(k)]
        if missing:
            col.reject(idx, f.line, missing[0], f"missing {missing[0]}")
            continue
        outlet = head["MN"] if mn_to_outlet is None else mn_to_outlet.get(head["MN"])
        if outlet is None:
            col.reject(idx, f.line, "MN", f"MN {head['MN']} is not in the outlet mapping")
            continue
        entry[_OUTLET] = outlet
        out.append(_Packet(idx, f.line, head, f.data[cp_at + 5:-2], outlet=outlet))
    return out


def _assembled(packets: list[_Packet], col: _Collector) -> list[_Packet]:
    """Split packets (PNUM/PNO, Flag bit D) joined in PNO order into one packet at the first part's line."""
    whole, groups = [], defaultdict(list)
    for p in packets:
        if "{0x" in p.cp:
            # HJ 212-2025 SM4: the CP is encrypted in 16-character blocks written as {0x..} (hj212.md §10.10)
            col.reject(p.idx, p.line, "CP", "encrypted (SM4) data area: send the platform's decrypted export")
            continue
        if "PNUM" not in p.head and "PNO" not in p.head:
            whole.append(p)
            continue
        pnum, pno = p.head.get("PNUM", ""), p.head.get("PNO", "")
        if not (pnum.isdigit() and pno.isdigit() and 1 <= int(pno) <= int(pnum)):
            if p.head["CN"] != "2061":
                col.exclude_packet(p, "not_hourly", f"CN={p.head['CN']} is not hourly data (only CN=2061 is used)")
            else:
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
                if q.head["CN"] != "2061":   # not used anyway: a device's incomplete minute split is no fault
                    col.exclude_packet(q, "not_hourly", f"CN={q.head['CN']} is not hourly data; {message}")
                else:
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
    at = 0 if cp.startswith(name + "=") else cp.find(";" + name + "=") + 1
    if at == 0 and not cp.startswith(name + "="):
        return None
    end = cp.find(";", at)
    return cp[at + len(name) + 1:] if end == -1 else cp[at + len(name) + 1:end]


def _without_field(cp: str, name: str) -> str:
    return ";".join(i for i in cp.split(";") if not i.startswith(name + "="))


@lru_cache(maxsize=4096)
def _hour(value: str | None, tolerance: int = 0) -> tuple[str | None, str | None]:
    """ISO hour of a DataTime (14 digits, or 17 with milliseconds), or an error message; up to
    `tolerance` seconds past the hour are read as the hour (a device clock's slip)."""
    if value is None:
        return None, "missing DataTime"
    if len(value) not in (14, 17) or not value.isdigit():
        return None, f"DataTime {value!r} is not YYYYMMDDhhmmss"
    try:
        t = datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:12]),
                     int(value[12:14]))
    except ValueError:
        return None, f"DataTime {value!r} is not a real time"
    seconds = int(value[10:12]) * 60 + int(value[12:14])
    if seconds > tolerance:  # milliseconds (17 digits) are below the second the tolerance counts in
        return None, (f"DataTime {value} is not the start of an hour (CN=2061 hourly data; "
                      f"HOUR_TOLERANCE_SECONDS={tolerance})")
    return t.strftime("%Y-%m-%dT%H:00"), None


def _hours(packets: list[_Packet], col: _Collector, tolerance: int) -> tuple[str, ...]:
    """The hour of each hourly packet; the months the file covers (a quarter or a year is fine)."""
    for p in packets:
        if p.head["CN"] != "2061":
            continue
        p.time, problem = _hour(_cp_field(p.cp, "DataTime") if p.data_time is _UNSET else p.data_time, tolerance)
        if problem:
            col.reject(p.idx, p.line, "DataTime", problem)
        else:
            col.packets[p.idx][_TIME] = p.time
    return tuple(sorted({p.time[:7] for p in packets if p.time}))


def _deduplicated(packets: list[_Packet], col: _Collector) -> list[_Packet]:
    """One packet per outlet and hour: an RF=1 resend (HJ 212-2025) supersedes the others, else the first stays."""
    if _values.FAST_PATH and all(p.time and p.head["CN"] == "2061" for p in packets) \
            and len({(p.outlet, p.time) for p in packets}) == len(packets):
        return packets  # all hourly, no hour twice: nothing to decide (input is in idx order)
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
            elif p.head == winner.head and p.cp == winner.cp:
                col.exclude_packet(p, "identical_resend", f"byte-identical to the packet at line {winner.line}")
            else:
                col.reject(p.idx, p.line, "DataTime",
                           f"duplicate hour {p.time} for outlet {p.outlet}, first at line {winner.line}")
    keep.sort(key=lambda q: q.idx)
    return keep


def _result(col: _Collector, values: Values, months: tuple[str, ...], swapped: int,
            parameters: dict) -> Hj212Result:
    status = Counter(e[5] for e in col.packets)
    rules = Counter(e[5] for e in col.excluded if e[2] == "")
    summary = {"packets": len(col.packets), "used": status["used"], "excluded": status["excluded"],
               "rejected": status["rejected"], "merged": status["merged"], "records": len(values.records[0]),
               "cou_checked": values.cou_checked, "not_hourly": rules["not_hourly"],
               "identical_resends": rules["identical_resend"], "resends": rules["resend"],
               "crc_byte_swapped": swapped}
    return Hj212Result(
        records=_columns(values.records, RECORD_COLUMNS),
        excluded=_frame(sorted(col.excluded, key=lambda e: e[0]), EXCLUDED_COLUMNS),
        exceeding=_frame(values.exceeding, EXCEEDING_COLUMNS),
        rejected=tuple(sorted(col.rejected, key=lambda e: e["row"])),
        checks=tuple(values.checks),
        packets=pd.DataFrame(col.packets, columns=list(PACKET_COLUMNS)),
        month=months[0] if len(months) == 1 else None, months=months, parameters=parameters,
        other_codes=dict(values.other), unknown_codes=dict(values.unknown), summary=summary)


def _columns(arrays: list, columns: tuple[str, ...]) -> pd.DataFrame:
    out = pd.DataFrame(dict(zip(columns, arrays)), columns=list(columns))
    out["row"] = out["row"].astype("int64")
    for c in columns[1:]:
        out[c] = out[c].astype("str")
    return out


def _frame(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    out = pd.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(columns)}, columns=list(columns))
    out["row"] = out["row"].astype("int64")
    for c in columns[1:]:
        out[c] = out[c].astype("str")
    return out
