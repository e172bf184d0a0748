"""HJ 212 bench: a month of hourly packets for 100 outlets (72 000 packets), parsed and assessed.

`python -m bench.bench_hj212` prints absolute times and ratios to reading the file alone, measured in
the same run (issue 9: parse + assess <= 3 s).
"""
from __future__ import annotations

import gc
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from incentives.hj212 import factors, parse_packets
from sample_data import make_hj212

OUTLETS = 100
MONTH = "2024-04"  # 30 days -> 720 hours


def _outlets() -> dict[str, str]:
    return {f"DA{i:03d}": f"3303021NRB00000000{i:06d}" for i in range(1, OUTLETS + 1)}


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _assess(records, outlets):
    """The full assessment through incentives.env_tax, on the records as parsed (-Cou as each hour's
    emission_kg, T hours as over_range)."""
    from incentives import env_tax
    standards = {o: {"standards": {"so2": 50, "nox": 100, "soot": 10}} for o in outlets}
    return env_tax.assess(env_tax.parse_records(records), division="500000", outlets=standards)


def run() -> list[dict]:
    """Time reading the file alone, parse_packets, and (if available) the full assessment."""
    outlets = _outlets()
    mapping = {mn: outlet for outlet, mn in outlets.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hj212.txt"
        path.write_bytes("".join(make_hj212.packets(make_hj212.generate(MONTH, outlets, flags=False)))
                         .encode("ascii"))
        gc.collect()      # the generator's objects are garbage: do not time their collection
        factors()         # reference tables load once per process, not per file
        text, read_s = _timed(lambda: path.read_bytes().decode("utf-8"))
    result, parse_s = _timed(lambda: parse_packets(text, mn_to_outlet=mapping))
    rows = [{"step": "read file", "seconds": read_s, "ratio_to_read": 1.0},
            {"step": f"parse_packets ({result.summary['packets']} packets, {len(result.records)} records)",
             "seconds": parse_s, "ratio_to_read": parse_s / read_s}]
    assessment, assess_s = _timed(lambda: _assess(result.records, outlets))
    rows += [{"step": f"env_tax.parse_records + assess ({len(assessment.rows)} rows)", "seconds": assess_s,
              "ratio_to_read": assess_s / read_s},
             {"step": "parse + assess (target <= 3 s)", "seconds": parse_s + assess_s,
              "ratio_to_read": (parse_s + assess_s) / read_s}]
    return rows


def main() -> None:
    """Print the bench table with the hardware."""
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    for row in run():
        print(f"{row['step']:<70} {row['seconds']:8.3f} s  x{row['ratio_to_read']:8.1f}")


if __name__ == "__main__":
    main()
