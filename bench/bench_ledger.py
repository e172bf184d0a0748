"""Ledger bench: the grade state of 100 000 enterprises at one date, bulk path against folding one by one.

`python -m bench.bench_ledger` prints absolute times and the ratio, measured in the same run. The register is
the sample register (sample_data/make_register.py) repeated with fresh USCCs until it reaches 100 000
enterprises, so the events are realistic and all valid. The baseline is what a per-enterprise read costs:
one `fold` per enterprise with its own events and full history; the bulk path groups the events once, folds
without history and folds each distinct history once (issue 4: "state at as_of for 100 000 enterprises").

With GIS_BENCH_LEDGER_BASELINE=<path of an older checkout> (e.g. a `git worktree` of the commit before a
change), the same register is also folded by that checkout's `fold_many` and by this one's, in fresh
subprocesses (bench/fold_runner.py, same interpreter, same machine, alternating old/new, `COMPARE_REPEAT`
rounds of `COMPARE_REPEAT` folds); ratio = old seconds / new seconds, >= 1 when this checkout is not slower
(issue 12 "Done when"), for a process's first fold and for the best fold.
"""
from __future__ import annotations

import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import fields, replace
from datetime import date, timedelta
from pathlib import Path

from incentives.ledger import Enterprise, fold, fold_many, key_rows
from incentives.state import GradeEvent
from incentives.uscc import make
from sample_data import make_register

N = 100_000
COMPARE_REPEAT = 3
BASELINE_ENV = "GIS_BENCH_LEDGER_BASELINE"
HERE = Path(__file__).resolve().parent
AS_OF = date(2025, 12, 31)
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _body(i: int) -> str:
    digits = []
    for _ in range(6):
        i, r = divmod(i, len(_ALPHABET))
        digits.append(_ALPHABET[r])
    return "MB" + "".join(reversed(digits))


def register(n: int = N) -> tuple[list[Enterprise], list[tuple[str, GradeEvent]]]:
    """n enterprises and their (uscc, event) pairs, copied from the sample register with new USCCs.

    Copy k of a template has all its dates moved k × 3 days earlier, so no two copies of an enterprise with
    events share a history (only never-rated, event-less enterprises repeat, as in a real register).
    """
    reg = make_register.build()
    templates = list(reg.ents.values())
    enterprises, events = [], []
    for i in range(n):
        t = templates[i % len(templates)]
        shift = timedelta(days=3 * (i // len(templates)))
        uscc = make("91", t["division"], _body(i))
        enterprises.append(Enterprise(uscc, t["name"], t["division"], t["facility"],
                                      tuple((ln["industry"], ln["branch"]) for ln in t["lines"])))
        events += [(uscc, replace(e, effective=e.effective - shift)) for e in reg.events_of(t)]
    return enterprises, events


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _best(fn, repeat: int):
    """The fastest of `repeat` runs (the machine is shared: the minimum is the least disturbed)."""
    runs = [_timed(fn) for _ in range(repeat)]
    return runs[0][0], min(t for _, t in runs)


def one_by_one(enterprises, events):
    """Baseline: each enterprise's events looked up (as a per-uscc query would) and folded with history."""
    by_uscc: dict[str, list[GradeEvent]] = {}
    for uscc, ev in events:
        by_uscc.setdefault(uscc, []).append(ev)
    return [fold(uscc=e.uscc, name=e.name, division=e.division, facility_division=e.facility_division,
                 registrations=e.registrations, events=by_uscc.get(e.uscc, ()), as_of=AS_OF)
            for e in enterprises]


def _write_register(path: Path, enterprises, events) -> None:
    """The register as plain tuples, which any checkout's Enterprise and GradeEvent can be built from."""
    names = [f.name for f in fields(GradeEvent)]
    data = {"enterprises": [(e.uscc, e.name, e.division, e.facility_division, e.registrations, dict(e.facts))
                            for e in enterprises],
            "event_fields": names,
            "events": [(uscc, tuple(getattr(ev, n) for n in names)) for uscc, ev in events]}
    path.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def _fold_in(checkout: Path, register_path: Path, folds: int) -> list[float]:
    """Seconds of each of `folds` runs of `fold_many` on the register by `checkout`'s code, in a fresh subprocess."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, str(HERE / "fold_runner.py"), str(register_path), AS_OF.isoformat(),
                          str(folds)], cwd=checkout, env=env, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if not Path(got["incentives"]).resolve().is_relative_to(checkout.resolve()):
        raise RuntimeError(f"{checkout} ran incentives from {got['incentives']}")
    return got["seconds"]


def compare(baseline: str | os.PathLike, enterprises, events, repeat: int = COMPARE_REPEAT) -> list[dict]:
    """`fold_many` of an older checkout against this one on the same register.

    `repeat` rounds, each a fresh subprocess of the old checkout then one of this one, each folding the register
    `repeat` times: "first fold" is the best of the rounds' first folds (a fresh process: a one-off run),
    "best fold" the best of all (a warm process, as `run` measures); ratio = old seconds / new seconds.
    """
    old_checkout, new_checkout = Path(baseline), HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        register_path = Path(tmp) / "register.pickle"
        _write_register(register_path, enterprises, events)
        old, new = [], []
        for _ in range(repeat):
            old.append(_fold_in(old_checkout, register_path, repeat))
            new.append(_fold_in(new_checkout, register_path, repeat))
    rows = []
    for label, pick in (("first fold in a fresh process", lambda runs: min(r[0] for r in runs)),
                        ("best fold", lambda runs: min(min(r) for r in runs))):
        rows += [{"step": f"fold_many of {old_checkout}: {label} (best of {repeat})", "seconds": pick(old),
                  "ratio": 1.0},
                 {"step": f"fold_many of this checkout: {label} (best of {repeat})", "seconds": pick(new),
                  "ratio": pick(old) / pick(new)}]
    return rows


def run(n: int = N, repeat: int = 2) -> list[dict]:
    """Time the bulk path and the one-by-one baseline on the same register (best of `repeat`); check they agree."""
    (enterprises, events), build_s = _timed(lambda: register(n))
    single, single_s = _best(lambda: one_by_one(enterprises, events), repeat)
    bulk, bulk_s = _best(lambda: fold_many(enterprises, events, as_of=AS_OF), repeat)
    if key_rows(bulk) != key_rows(single):
        raise AssertionError("bulk path and one-by-one folds disagree")
    rows_s = _timed(lambda: key_rows(bulk))[1]
    label = f"{n} enterprises, {len(events)} events"
    rows = [{"step": f"build register ({label})", "seconds": build_s, "ratio": None},
            {"step": "fold one by one, with history (baseline)", "seconds": single_s, "ratio": 1.0},
            {"step": "fold_many (bulk path)", "seconds": bulk_s, "ratio": single_s / bulk_s},
            {"step": "key_rows of the bulk states", "seconds": rows_s, "ratio": None}]
    baseline = os.environ.get(BASELINE_ENV)
    if baseline:
        rows += compare(baseline, enterprises, events)
    return rows


def main() -> None:
    """Print the bench table with the hardware."""
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    for row in run():
        ratio = f"x{row['ratio']:.2f} faster than its baseline" if row["ratio"] else ""
        print(f"{row['step']:<60} {row['seconds']:8.3f} s  {ratio}")


if __name__ == "__main__":
    main()
