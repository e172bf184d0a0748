"""SYNTHETIC sample: one month of hourly HJ 212 packets (CN=2061) for 3 boiler outlets, SO2/NOx/烟尘 + flow.

Run `python -m sample_data.make_hj212` from the project root: writes sample_data/hj212_month.txt.
Fixed seed, valid CRCs, a few flagged hours (M maintenance, C calibration, D fault, F stopped).
Values are invented; -Cou is written exactly as Avg x flow x 10^-6 so the packets and the
equivalent hourly CSV rows (`csv_rows`) give the same assessment.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from incentives.hj212 import build_segment, frame_many
from incentives.money import round_half_up

SEED = 212
MONTH = "2024-01"
OUTLETS = {"DA001": "3303021NRB0000000000A001", "DA002": "3303021NRB0000000000A002",
           "DA003": "3303021NRB0000000000A003"}
# outlet -> (flow m3/h, SO2, NOx, soot mg/m3 typical of an ultra-low-emission boiler)
PROFILES = {"DA001": (120000, 22, 38, 4), "DA002": (80000, 28, 44, 6), "DA003": (45000, 16, 30, 3)}
POLLUTANTS = {"a21026": "so2", "a21002": "nox", "a34013": "soot"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Hour:
    """One outlet-hour: flow in m3, and per 2017 code (avg, min, max, flag) as decimal strings."""
    outlet: str
    mn: str
    time: datetime
    flow_m3: str
    flow_flag: str
    o2: str
    values: dict[str, tuple[str, str, str, str]]


def _flags(month_start: datetime) -> dict[tuple[str, datetime], dict[str, str]]:
    """A few flagged hours: (outlet, hour) -> {code or "a00000" or "*": flag}."""
    out: dict[tuple[str, datetime], dict[str, str]] = {}
    d = month_start
    for h in range(9, 12):                                   # DA002 maintenance, all analysers
        out[("DA002", d.replace(day=10, hour=h))] = {"*": "M"}
    for day in (1, 8, 15, 22, 29):                           # DA001 weekly SO2 calibration
        out[("DA001", d.replace(day=day, hour=3))] = {"a21026": "C"}
    for h in range(14, 19):                                  # DA003 dust meter fault
        out[("DA003", d.replace(day=18, hour=h))] = {"a34013": "D"}
    for h in range(6):                                    # DA003 stopped (flow too)
        out[("DA003", d.replace(day=25, hour=h))] = {"*": "F", "a00000": "F"}
    return out


def generate(month: str = MONTH, outlets: dict[str, str] = OUTLETS, seed: int = SEED,
             flags: bool = True) -> list[Hour]:
    """Hourly data for every outlet and hour of `month`, deterministic for a seed."""
    rng = random.Random(seed)
    start = datetime.strptime(month, "%Y-%m")
    end = (start + timedelta(days=32)).replace(day=1)
    marks = _flags(start) if flags else {}
    hours = []
    t = start
    while t < end:
        for outlet, mn in outlets.items():
            base_flow, *base = PROFILES.get(outlet, (60000, 20, 35, 4))
            mark = marks.get((outlet, t), {})
            flow = base_flow * rng.randint(85, 115) // 100
            values = {}
            for code, typical in zip(POLLUTANTS, base):
                avg = Decimal(typical * rng.randint(70, 130)) / 100   # two decimals, exact
                lo, hi = avg * Decimal("0.8"), avg * Decimal("1.25")
                flag = mark.get(code, mark.get("*", "N"))
                if flag == "F":
                    avg = lo = hi = Decimal(0)
                values[code] = (f"{avg:.2f}", f"{round_half_up(lo, CENT):.2f}", f"{round_half_up(hi, CENT):.2f}", flag)
            o2 = Decimal(rng.randint(780, 1020)) / 100
            hours.append(Hour(outlet, mn, t, str(0 if mark.get("a00000") == "F" else flow),
                              mark.get("a00000", "N"), f"{o2:.2f}", values))
        t += timedelta(hours=1)
    return hours


def _segment(h: Hour) -> str:
    flow = Decimal(h.flow_m3)
    values = {"a00000": {"Cou": h.flow_m3, "Avg": f"{round_half_up(flow / 3600, Decimal('0.001')):.3f}",
                         "Flag": h.flow_flag},
              "a19001": {"Avg": h.o2, "Flag": "N"}}
    for code, (avg, lo, hi, flag) in h.values.items():
        cou = Decimal(avg) * flow / 1000000                       # 附录D D2.5, exact
        zs = round_half_up(Decimal(avg) * 12 / (21 - Decimal(h.o2)), CENT)  # 9 % reference O2 (GB 13271)
        values[code] = {"Cou": format(cou.normalize(), "f"), "Min": lo, "Avg": avg, "Max": hi,
                        "ZsAvg": f"{zs:.2f}", "Flag": flag}
    qn = (h.time + timedelta(hours=1, seconds=5)).strftime("%Y%m%d%H%M%S") + "000"
    return build_segment(mn=h.mn, data_time=h.time.strftime("%Y%m%d%H%M%S"), values=values, qn=qn)


def packets(hours: list[Hour]) -> list[str]:
    """One framed packet (with CRLF) per outlet-hour."""
    return frame_many([_segment(h) for h in hours])


def csv_rows(hours: list[Hour]) -> list[dict[str, str]]:
    """The equivalent hourly CSV rows: valid (flag N) hours only, measured concentration, flow in m3."""
    return [{"outlet": h.outlet, "pollutant": POLLUTANTS[code], "time": h.time.strftime("%Y-%m-%dT%H:%M"),
             "concentration": avg, "flow": h.flow_m3, "source": "cems"}
            for h in hours if h.flow_flag == "N"
            for code, (avg, _, _, flag) in h.values.items() if flag == "N"]


def main() -> None:
    """Write sample_data/hj212_month.txt."""
    target = Path(__file__).with_name("hj212_month.txt")
    target.write_bytes("".join(packets(generate())).encode("ascii"))


if __name__ == "__main__":
    main()
