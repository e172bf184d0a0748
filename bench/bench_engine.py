"""Engine bench: one enterprise's benefits in-process, against a naive walk of the whole catalogue.

`python -m bench.bench_engine` prints absolute times and ratios measured in the same run:
- `evaluate` (policies indexed by jurisdiction, grade sets cached) against `evaluate_naive` below (every
  policy of the catalogue walked and its jurisdiction tested, nothing cached); target ≤ 0.5 ms median;
- 1 000 random enterprises one at a time (what a division's answers cost).
(The engine's bulk path went: no service used it; the ledger's bulk fold is benched in bench_ledger.)
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

import policies
from incentives import engine
from incentives.engine import Context, Evaluation, evaluate
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


def evaluate_naive(state: EnterpriseState, as_of: date, context: Context) -> Evaluation:
    """Baseline: every policy of the catalogue, jurisdiction checked one by one, nothing cached."""
    r = engine._Resolver(context.interpretations)
    s = engine._Subject.of(state, as_of, context.alert_level)
    out: dict[str, list] = {"benefits": [], "not_applicable": [], "obligations": []}
    for policy in policies.ALL:
        if policy.jurisdiction in s.chain and (context.drafts or policy.status != "draft"):
            engine._evaluate_policy(policy, s, r, out)
    return Evaluation(tuple(out["benefits"]), tuple(out["not_applicable"]), tuple(out["obligations"]),
                      as_of, context.drafts, context.alert_level, engine.echo(context), engine.RULESET)


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

    results.append({"name": "evaluate 1 000 enterprises one at a time (per enterprise)",
                    "ms": per_single * 1e3, "baseline": None, "baseline_ms": None, "ratio": None,
                    "target": "<= 0.5 ms"})
    return results


def main() -> None:
    """Print the report with the hardware it ran on."""
    print(f"# bench_engine on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    for r in run():
        line = f"{r['name']:<58} {r['ms']:>10.3f} ms"
        if r["ratio"]:
            line += f"   {r['baseline']}: {r['baseline_ms']:.3f} ms  ratio x{r['ratio']:.1f}"
        print(line + f"   target {r['target']}")


if __name__ == "__main__":
    main()
