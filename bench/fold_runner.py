"""Time one checkout's `fold_many` on a register written by bench_ledger (run as a script, one fold per process).

`python bench/fold_runner.py REGISTER AS_OF REPEAT` with PYTHONPATH=<checkout>: loads the pickled register
(plain tuples, so any checkout's Enterprise and GradeEvent can be built from it), folds it REPEAT times and
prints one JSON line: the seconds of each fold (the first one in a fresh process: "cold"), the number of
states and where `incentives` was imported from. Only the standard library and the checkout's own
`incentives.ledger` / `incentives.state` are used, so an older checkout can run it too.
"""
from __future__ import annotations

import json
import pickle
import sys
import time
from datetime import date


def main(path: str, as_of: str, repeat: str = "1") -> None:
    import incentives
    from incentives.ledger import Enterprise, fold_many
    from incentives.state import GradeEvent

    with open(path, "rb") as fh:
        data = pickle.load(fh)
    enterprises = [Enterprise(*row) for row in data["enterprises"]]
    names = data["event_fields"]
    events = [(uscc, GradeEvent(**dict(zip(names, values, strict=True)))) for uscc, values in data["events"]]
    seconds, day = [], date.fromisoformat(as_of)
    for _ in range(int(repeat)):
        states = None                      # the previous answer is freed before the next fold, as in a bench loop
        start = time.perf_counter()
        states = fold_many(enterprises, events, as_of=day)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "states": len(states), "incentives": incentives.__file__}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
