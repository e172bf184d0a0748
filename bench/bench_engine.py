"""Engine bench: one enterprise in-process, and the bulk path for 10 k, 100 k and 1 M enterprises.

`python -m bench.bench_engine` prints absolute times and ratios measured in the same run:
- `evaluate` (policies indexed by jurisdiction, grade sets cached) against `evaluate_naive` (every policy of the
  catalogue walked and its jurisdiction tested, nothing cached); target ≤ 0.5 ms median;
- `evaluate_frame` on N enterprises against the one-at-a-time path (`evaluate` per enterprise, timed on a
  sample of the same states and scaled to N); target linear, 1 M ≤ 2 s.
The bulk columns are built once from 1 000 distinct random states and tiled to N rows (what the ledger's bulk
fold hands over); building columns from EnterpriseState objects is timed separately.
"""
from __future__ import annotations

import os
import platform
import random
import statistics
import time
from datetime import date
from decimal import Decimal
from types import MappingProxyType

import numpy as np
import pandas as pd

from incentives.engine import Context, Frame, evaluate, evaluate_frame, evaluate_naive, frame_from_states
from incentives.grades import lowest
from incentives.state import EnterpriseState, IndustryGrade, Upgrade

AS_OF = date(2026, 3, 1)
CONTEXT = Context(alert_level="orange", include_drafts=True)
DIVISIONS = ["500112", "500103", "410102", "410305", "640104", "330602", "330621", "110101", "440305"]
INDUSTRIES = [("ceramics", "ceramics_building", "ABCD", ("A", "B", "C", "D")),
              ("steel_long_process", "steel_long_process_main", "ABCD", ("A", "B", "B-", "C", "D")),
              ("ceramics", "ceramics_sanitary", "leading", ("引领", "非引领")),
              ("furniture", "furniture_main", "ABC", ("A", "B", "C")),
              ("cement", "cement_clinker", "ABCD", ("A", "B", "C", "D")),
              ("coking", "coking_conventional", "ABCD", ("A", "B", "C", "D"))]


def random_state(rng: random.Random) -> EnterpriseState:
    """One plausible enterprise: 1–2 industries, maybe an upgrade, a few facts."""
    picks = rng.sample(INDUSTRIES, rng.choice((1, 1, 2)))
    inds = tuple(IndustryGrade(i, b, sc, g, g, date(2025, 4, 24), "rated")
                 for i, b, sc, gs in picks for g in [rng.choice(gs)])
    overall = lowest([i.grade for i in inds])
    ups = ()
    if rng.random() < 0.3:
        ups = (Upgrade(inds[0].industry, inds[0].branch, "C", inds[0].grade,
                       date(2025, rng.randint(1, 12), rng.randint(1, 28))),)
    facts = {"holds_carbon_allowance": rng.random() < 0.5, "allowance_2023_t": Decimal(rng.randint(1000, 500000)),
             "upgrade_project": rng.random() < 0.3, "below_standard": rng.choice((True, False, None)),
             "new_project": rng.random() < 0.2}
    div = rng.choice(DIVISIONS)
    return EnterpriseState(None, None, div, div, AS_OF, overall, overall, "rated", inds, upgrades=ups,
                           facts=MappingProxyType(facts))


def _median_ns(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t)
    return statistics.median(times)


def tile(frame: Frame, n: int) -> Frame:
    """The frame's rows repeated up to n rows (upgrades re-indexed)."""
    k = len(frame.enterprises)
    reps = -(-n // k)
    ent = pd.concat([frame.enterprises] * reps, ignore_index=True).iloc[:n]
    ups = frame.upgrades
    offsets = np.repeat(np.arange(reps, dtype=np.int64) * k, len(ups))
    up = pd.DataFrame({"ent": np.tile(ups["ent"].to_numpy(), reps) + offsets,
                       "to_grade": np.tile(ups["to_grade"].to_numpy(), reps),
                       "effective": np.tile(ups["effective"].to_numpy(), reps)})
    return Frame(ent, up[up["ent"] < n].reset_index(drop=True))


def run() -> list[dict]:
    """Run every measurement; one dict per line of the report."""
    rng = random.Random(20260301)
    pool = [random_state(rng) for _ in range(1000)]
    one = next(s for s in pool if s.facility_division == "500112")
    results = []
    for _ in range(50):
        evaluate(one, AS_OF, CONTEXT)
    fast = _median_ns(lambda: evaluate(one, AS_OF, CONTEXT), 2000)
    naive = _median_ns(lambda: evaluate_naive(one, AS_OF, CONTEXT), 2000)
    results.append({"name": "evaluate one enterprise (median)", "ms": fast / 1e6, "baseline": "naive loop",
                    "baseline_ms": naive / 1e6, "ratio": naive / fast, "target": "<= 0.5 ms"})

    t = time.perf_counter()
    for s in pool:
        evaluate(s, AS_OF, CONTEXT)
    per_single = (time.perf_counter() - t) / len(pool)

    t = time.perf_counter()
    base = frame_from_states(pool)
    build = time.perf_counter() - t
    results.append({"name": "frame_from_states (per 1 000 states)", "ms": build * 1e3, "baseline": None,
                    "baseline_ms": None, "ratio": None, "target": "-"})
    evaluate_frame(tile(base, 10_000), AS_OF, CONTEXT)          # warm-up
    for n in (10_000, 100_000, 1_000_000):
        frame = tile(base, n)
        t = time.perf_counter()
        out = evaluate_frame(frame, AS_OF, CONTEXT)
        bulk = time.perf_counter() - t
        results.append({"name": f"evaluate_frame {n:,} enterprises ({len(out):,} rows)", "ms": bulk * 1e3,
                        "baseline": "evaluate one at a time (scaled)", "baseline_ms": per_single * n * 1e3,
                        "ratio": per_single * n / bulk, "target": "<= 2000 ms at 1 M" if n == 10**6 else "linear"})
    return results


def main() -> None:
    """Print the report with the hardware it ran on."""
    print(f"# bench_engine on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    for r in run():
        line = f"{r['name']:<58} {r['ms']:>10.3f} ms"
        if r["ratio"]:
            line += f"   {r['baseline']}: {r['baseline_ms']:.3f} ms  ratio x{r['ratio']:.1f}"
        print(line + f"   target {r['target']}")


if __name__ == "__main__":
    main()
