"""Upgrade preview: cost against one benefits evaluation, and with a quarter of monitoring data for 10 outlets."""
from __future__ import annotations

import datetime as dt
import random
import statistics
import time

from incentives import engine, ledger
from incentives.services import preview as preview_service
from incentives.services.evaluations import evaluation
from incentives.state import GradeEvent

AS_OF = dt.date(2024, 10, 1)
BODY = {"enterprise": {"division": "500112", "industries": [{"industry": "ceramics", "branch": "ceramics_building",
                                                             "grade": "C"}]},
        "target": {"grade": "A"}, "as_of": AS_OF, "scenario": {"allowance_2023_t": 200000,
                                                               "alert_days": {"yellow": 5, "orange": 3, "red": 1}}}


def _median(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _monitoring(outlets: int = 10) -> dict:
    rng = random.Random(3)
    records = []
    start = dt.datetime(2024, 1, 1)
    for o in range(outlets):
        for h in range(24 * 91):
            t = start + dt.timedelta(hours=h)
            for p, base in (("so2", 120), ("nox", 150), ("soot", 12)):
                records.append({"outlet": f"DA{o:03d}", "pollutant": p, "time": t.strftime("%Y-%m-%dT%H:%M"),
                                "concentration": f"{base * rng.uniform(0.6, 1.1):.2f}",
                                "flow": f"{rng.uniform(50000, 90000):.0f}", "source": "cems"})
    return {"outlets": [{"outlet": f"DA{o:03d}", "standards": {"so2": 200, "nox": 200, "soot": 20}}
                        for o in range(outlets)], "rates": {"so2": 1.2, "nox": 1.2, "soot": 1.2}, "records": records}


def _monthly(outlets: int = 10) -> dict:
    """The same quarter as monthly figures per outlet and pollutant (monitoring-agency style records)."""
    records = [{"outlet": f"DA{o:03d}", "pollutant": p, "month": f"2024-0{m}", "emission_kg": str(kg),
                "avg_concentration": str(avg), "max_concentration": str(top), "source": "agency"}
               for o in range(outlets) for m in (1, 2, 3)
               for p, kg, avg, top in (("so2", 9500, 102, 131), ("nox", 12000, 128, 165), ("soot", 950, 10.2, 13))]
    return {"outlets": [{"outlet": f"DA{o:03d}", "standards": {"so2": 200, "nox": 200, "soot": 20}}
                        for o in range(outlets)], "rates": {"so2": 1.2, "nox": 1.2, "soot": 1.2}, "records": records}


class _NoSession:
    """Previews by facts read nothing from the database."""
    def get(self, *a, **k):
        return None


def run() -> list[dict]:
    """Median of one evaluation (baseline), one preview by facts, and a preview with 10 outlets × a quarter."""
    state = ledger.fold(uscc=None, name=None, division="500112", facility_division="500112",
                        registrations=[ledger.Registration("ceramics", "ceramics_building")],
                        events=[GradeEvent("rated", dt.date(2023, 10, 1), "ceramics", "ceramics_building", "C", seq=1)],
                        as_of=AS_OF, facts={"holds_carbon_allowance": True, "allowance_2023_t": "200000"})
    def one_evaluation():
        # what GET /benefits computes for one enterprise: fold its events, evaluate, shape the answer
        folded = ledger.fold(uscc=None, name=None, division="500112", facility_division="500112",
                             registrations=[ledger.Registration("ceramics", "ceramics_building")],
                             events=[GradeEvent("rated", dt.date(2023, 10, 1), "ceramics", "ceramics_building", "C",
                                                seq=1)], as_of=AS_OF, facts=state.facts)
        return evaluation(engine.evaluate(folded, AS_OF))
    one = _median(one_evaluation, 200)
    prev = _median(lambda: preview_service.preview(session=_NoSession(), body=BODY, today=AS_OF), 100)
    body = {**BODY, "scenario": {**BODY["scenario"], "monitoring": _monitoring(),
                                 "target_concentrations": {f"DA{o:03d}": {"so2": 60} for o in range(10)}}}
    heavy = _median(lambda: preview_service.preview(session=_NoSession(), body=body, today=AS_OF), 5)
    n = len(body["scenario"]["monitoring"]["records"])
    monthly = {**BODY, "scenario": {**BODY["scenario"], "monitoring": _monthly(),
                                    "target_concentrations": {f"DA{o:03d}": {"so2": 60} for o in range(10)}}}
    light = _median(lambda: preview_service.preview(session=_NoSession(), body=monthly, today=AS_OF), 20)
    return [{"step": "one benefits evaluation: fold, evaluate, shape the answer (baseline)", "seconds": one,
             "ratio": 1.0},
            {"step": "preview C -> A by facts, no monitoring (target <= 3x)", "seconds": prev, "ratio": prev / one},
            {"step": f"preview with a quarter for 10 outlets ({n} hourly records; target <= 200 ms)",
             "seconds": heavy, "ratio": heavy / one},
            {"step": "preview with a quarter for 10 outlets as monthly figures (90 records; target <= 200 ms)",
             "seconds": light, "ratio": light / one}]
