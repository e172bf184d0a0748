"""`make bench`: every benchmark, each figure as a ratio against a baseline measured in the same run."""
from __future__ import annotations

import importlib
import os
import platform
import sys
import time

MODULES = ("bench_registry", "bench_banks", "bench_ledger", "bench_engine", "bench_preview", "bench_env_tax",
           "bench_hj212", "bench_load")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def main(argv: list[str]) -> int:
    wanted = [m for m in MODULES if not argv or any(a in m for a in argv)]
    print(f"# {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}")
    for name in wanted:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n## {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        started = time.perf_counter()
        for row in module.run():
            step = row.get("step") or row.get("what") or row.get("name") or ""
            rest = "  ".join(f"{k}={_fmt(v)}" for k, v in row.items() if k not in ("step", "what", "name")
                             and v is not None)
            print(f"- {step}: {rest}")
        print(f"  ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
