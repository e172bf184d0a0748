"""Generate a fictional sample register and its grade-event history (fixed seed).

Run from the repository root: `python sample_data/make_register.py`. Writes sample_data/enterprises.csv
(the contract's import columns plus facility_division and facts) and sample_data/events.csv.

Every enterprise is fictional: names end in （样例）, USCCs are built with incentives.uscc.make. No source in
policies/sources names an enterprise with its published grade, so no real enterprise is included.
Shares follow the published lists' shape: A well under 1%, A+B+引领 a few percent, most lines C/D or unrated.
Every event is checked with ledger.check_event against the fold of the events before it, so the file loads
without a refusal; the register's own grades become `rated` events at rated_on, as the import does.
"""
from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incentives.grades import LEADING, NON_LEADING, scale_grades
from incentives.ledger import LedgerError, check_event, fold
from incentives.ledger_rules import step_down
from incentives.reference import reference
from incentives.state import GradeEvent
from incentives.uscc import make

SEED = 20240801
OUT = Path(__file__).resolve().parent
LAST_DAY = date(2026, 6, 30)           # no event after this: the loader refuses events after its `today`
ENTERPRISE_COLUMNS = ["uscc", "name", "division", "industry", "branch", "grade", "rated_on", "facility_division",
                      "holds_carbon_allowance", "allowance_2023_t", "guarantee_category"]
EVENT_COLUMNS = ["uscc", "kind", "industry", "branch", "grade", "effective", "ref", "violation",
                 "rectification_passed", "note", "until"]

# GB/T 2260 county-level codes, with the city name used in generated names, and how many enterprises.
REGIONS = {
    "henan": (1900, "郑州", ["410102", "410105", "410122", "410181", "410183", "410184", "410185"],
              "安阳", ["410502", "410522", "410581"], "洛阳", ["410311", "410307", "410323"],
              "新乡", ["410702", "410782"], "焦作", ["410802", "410882"], "许昌", ["411002", "411081"]),
    "chongqing": (1300, "重庆", ["500101", "500102", "500104", "500106", "500107", "500109", "500110", "500112",
                                "500113", "500115", "500116", "500117", "500118", "500120", "500151", "500153",
                                "500154"]),
    "ningxia": (700, "银川", ["640104", "640105", "640106", "640121", "640122", "640181"], "石嘴山",
                ["640202", "640205", "640221"], "吴忠", ["640302", "640323", "640381"], "固原", ["640402"],
                "中卫", ["640502", "640521"]),
    "shaoxing": (900, "绍兴", ["330602", "330603", "330604", "330624", "330681", "330683"]),
    "other": (400, "石家庄", ["130102"], "唐山", ["130203"], "苏州", ["320505"], "淄博", ["370303"],
              "佛山", ["440604"], "成都", ["510104"], "西安", ["610102"]),
}
BRANDS = list("恒华泰鑫盛宏达丰源祥瑞兴隆昌明金通远嘉豪德正信安新宇永腾博")
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Common in published lists (industrial coating, packaging printing, furniture, foundry, bricks …) weigh more.
COMMON = {"industrial_coating": 9, "packaging_printing": 7, "furniture": 6, "foundry": 6, "brick_tile_kiln": 6,
          "wood_based_panels": 5, "ceramics": 4, "cement": 4, "rubber_products": 4, "pharmaceutical": 3,
          "glass": 3, "coatings": 3, "refractories": 3, "lime_kiln": 3, "vehicle_manufacturing": 2,
          "construction_machinery": 2, "carbon_products": 2, "nonferrous_rolling": 2}
CARBON_MARKET = {"cement", "steel_long_process", "steel_short_process", "electrolytic_aluminium", "glass",
                 "ceramics", "refining_petrochemical", "coal_nitrogen_fertilizer", "ferroalloy", "lime_kiln"}
# Henan 第八条(4) 保障类 categories, matched to industries where one fits.
GUARANTEE = {"packaging_printing": "报刊印刷", "cement": "保障重大项目建设施工的原材料供应",
             "rubber_products": "重点外贸出口", "pharmaceutical": "重点外贸出口",
             "vehicle_manufacturing": "重点军工保障", "hn_general_boilers_kilns": "居民供暖"}
# Initial-grade shares per scale (grade: weight; None = unrated).
SHARES = {
    "ABCD": {"A": 3, "B": 20, "B-": 8, "C": 330, "D": 250, None: 380},
    "ABC": {"A": 3, "B": 25, "C": 560, None: 400},
    "leading": {LEADING: 22, NON_LEADING: 560, None: 410},
    "local_ABC": {"A": 2, "B": 25, "C": 560, None: 407},
    "local_leading": {LEADING: 25, NON_LEADING: 560, None: 415},
    "unknown": {"B": 20, "C": 250, "D": 100, None: 630},
}


def pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


class Register:
    """The enterprises generated so far, with their events for validation."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows: list[dict] = []
        self.ents: dict[str, dict] = {}
        self.events: list[dict] = []
        self.refused = 0
        ref = reference()
        graded = [b for b in ref.branches.values() if b.scale != "other"]
        self.national = [b for b in graded if b.catalog == "national_39"]
        self.chongqing = [b for b in graded if b.catalog == "chongqing_local_10"]
        self.henan = [b for b in graded if b.jurisdiction == "410000"]

    def branch(self, region: str):
        pool = self.national
        if region == "chongqing" and self.rng.random() < 0.3:
            pool = self.chongqing
        elif region == "henan" and self.rng.random() < 0.2:
            pool = self.henan
        weights = [COMMON.get(b.industry, 1) for b in pool]
        return self.rng.choices(pool, weights=weights)[0]

    def uscc(self, division: str) -> str:
        while True:
            code = make("91", division, "MA" + "".join(self.rng.choice(ALPHABET) for _ in range(6)))
            if code not in self.ents:
                return code

    def add(self, region: str, city: str, division: str) -> None:
        rng = self.rng
        code = self.uscc(division)
        n = 1 + (rng.random() < 0.09) + (rng.random() < 0.015)
        branches = []
        while len(branches) < n:
            b = self.branch(region)
            if b.industry not in {x.industry for x in branches}:
                branches.append(b)
        main = branches[0]
        name = f"{city}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{main.name_zh.split('（')[0]}有限公司（样例）"
        facts = {"holds_carbon_allowance": "", "allowance_2023_t": "", "guarantee_category": ""}
        if main.industry in CARBON_MARKET and rng.random() < 0.7:
            facts["holds_carbon_allowance"] = "true"
            if region == "chongqing":
                facts["allowance_2023_t"] = str(rng.randrange(20, 2000) * 1000)
        elif region == "chongqing" and rng.random() < 0.05:
            facts["holds_carbon_allowance"] = "false"
        if main.industry in GUARANTEE and rng.random() < 0.08:
            facts["guarantee_category"] = GUARANTEE[main.industry]
        facility = division if rng.random() > 0.03 else rng.choice(REGION_DIVISIONS[region])
        lines = []
        for b in branches:
            grade = pick(rng, SHARES[b.scale])
            if grade == "B-" and not b.allows_b_minus:
                grade = "C"
            rated_on = day_between(rng, date(2020, 6, 1), date(2024, 6, 30)) if grade else None
            lines.append({"industry": b.industry, "branch": b.code, "scale": b.scale, "grade": grade,
                          "rated_on": rated_on, "b_minus": b.allows_b_minus})
            self.rows.append({"uscc": code, "name": name, "division": division, "industry": b.industry,
                              "branch": b.code, "grade": grade or "", "rated_on": rated_on or "",
                              "facility_division": facility, **facts})
        self.ents[code] = {"uscc": code, "name": name, "division": division, "facility": facility,
                           "region": region, "lines": lines, "events": []}

    # ---- the event history, each candidate checked against the ledger ----

    def events_of(self, ent: dict) -> list[GradeEvent]:
        initial = [GradeEvent("rated", ln["rated_on"], ln["industry"], ln["branch"], ln["grade"], seq=i)
                   for i, ln in enumerate(ent["lines"]) if ln["grade"]]
        return initial + [GradeEvent(**e, seq=1000 + i) for i, e in enumerate(ent["events"])]

    def state(self, ent: dict, as_of: date):
        return fold(uscc=ent["uscc"], name=ent["name"], division=ent["division"],
                    facility_division=ent["facility"],
                    registrations=[(ln["industry"], ln["branch"]) for ln in ent["lines"]],
                    events=self.events_of(ent), as_of=as_of, with_history=False)

    def try_add(self, ent: dict, **event) -> bool:
        """Append the event if the rules accept it after the enterprise's last event."""
        last = max([e["effective"] for e in ent["events"]] + [ln["rated_on"] for ln in ent["lines"]
                                                            if ln["rated_on"]], default=date(2020, 1, 1))
        if event["effective"] <= last or event["effective"] > LAST_DAY:
            self.refused += 1
            return False
        try:
            check_event(self.state(ent, event["effective"]), GradeEvent(**event), today=LAST_DAY)
        except LedgerError:
            self.refused += 1
            return False
        ent["events"].append(event)
        return True


REGION_DIVISIONS = {r: [d for part in spec[1:] if isinstance(part, list) for d in part]
                    for r, spec in REGIONS.items()}


def grade_now(reg: Register, ent: dict, industry: str, day: date):
    (line,) = [ln for ln in reg.state(ent, day).industries if ln.industry == industry]
    return line


def history(reg: Register) -> None:
    """Fraud, violations, rectification, A+ selection, downgrades and upgrades, as in the published practice."""
    rng = reg.rng
    by_region: dict[str, list[dict]] = {}
    for ent in reg.ents.values():
        by_region.setdefault(ent["region"], []).append(ent)

    def letters(ent):
        return [ln for ln in ent["lines"] if "A" in scale_grades(ln["scale"])]

    # Chongqing "创B争A" (CQ-2, CQ-A1-9): C (or unrated) → B, a few → A, between 2024-08-01 and 2024-12-31.
    for ent in rng.sample(by_region["chongqing"], 160):
        for ln in letters(ent)[:1]:
            if ln["grade"] in ("C", "D", None):
                to = "A" if rng.random() < 0.08 else "B"
                reg.try_add(ent, kind="rated", industry=ln["industry"], branch=ln["branch"], grade=to,
                            effective=day_between(rng, date(2024, 8, 1), date(2024, 12, 31)),
                            note="创B争A 2024")
    # Chongqing spot checks (CQ-5-3) → rectification (G-RECT-CQ), most pass the review.
    for ent in rng.sample(by_region["chongqing"], 300):
        rated = [ln for ln in ent["lines"] if ln["grade"] in ("A", "B", "C")]
        if not rated:
            continue
        ln = rated[0]
        start = day_between(rng, date(2024, 9, 1), date(2025, 6, 30))
        if reg.try_add(ent, kind="rectification_started", industry=ln["industry"], effective=start,
                       ref="G-RECT-CQ", note="抽查发现不满足绩效指标，限期整改"):
            end = start + timedelta(days=rng.randrange(30, 120))
            if end <= LAST_DAY - timedelta(days=30) or rng.random() < 0.7:
                reg.try_add(ent, kind="rectification_ended", industry=ln["industry"], effective=end,
                            ref="G-RECT-CQ", rectification_passed=rng.random() < 0.75)
    # Ningxia "提级扩面" (draft, 2025): upgrades to A (晋A) and to B.
    for ent in rng.sample(by_region["ningxia"], 90):
        for ln in letters(ent)[:1]:
            to = "A" if rng.random() < 0.25 else "B"
            reg.try_add(ent, kind="rated", industry=ln["industry"], branch=ln["branch"], grade=to,
                        effective=day_between(rng, date(2025, 3, 1), date(2025, 11, 30)), note="提级扩面 2025")
    # Upgrades elsewhere (C/D → B, B → A) in 2024–2025.
    for region in ("henan", "shaoxing", "other"):
        for ent in rng.sample(by_region[region], len(by_region[region]) // 20):
            for ln in ent["lines"][:1]:
                choices = [g for g in ("A", "B", LEADING) if g in scale_grades(ln["scale"])]
                if choices and ln["scale"] != "unknown":
                    reg.try_add(ent, kind="rated", industry=ln["industry"], branch=ln["branch"],
                                grade=rng.choice(choices[1:] or choices),
                                effective=day_between(rng, date(2024, 7, 1), date(2025, 10, 31)))
    # Henan 第十八条 violations (G-BAR-HN): A/B/引领 fall to C / 非引领; a few typical cases (第十七条(三)).
    for ent in rng.sample(by_region["henan"], 70):
        kind = rng.choice(["exceeded_permit", "evasion", "no_auto_monitoring", "forged_records", "penalised",
                           "no_permit", "bad_credit", "typical_case"] + ["exceeded_permit"] * 3)
        reg.try_add(ent, kind="violation_found", violation=kind, ref="G-BAR-HN",
                    effective=day_between(rng, date(2024, 7, 1), date(2025, 9, 30)), note="执法检查发现")
    # Shaoxing 四(二) violations (G-BAR-SX).
    for ent in rng.sample(by_region["shaoxing"], 35):
        reg.try_add(ent, kind="violation_found", violation=rng.choice(["no_permit", "exceeded_permit",
                                                                          "evasion", "no_auto_monitoring"]),
                    ref="G-BAR-SX", effective=day_between(rng, date(2024, 3, 1), date(2025, 10, 31)))
    # Ningxia 二(五) violations (draft): lowest grade and a one-year ban.
    for ent in rng.sample(by_region["ningxia"], 12):
        reg.try_add(ent, kind="violation_found", violation=rng.choice(["exceeded_permit", "evasion"]),
                    effective=day_between(rng, date(2025, 1, 15), date(2025, 10, 31)))
    # False materials (G-FRAUD) in every region.
    for region, count in (("henan", 10), ("chongqing", 6), ("ningxia", 4), ("shaoxing", 5), ("other", 3)):
        for ent in rng.sample(by_region[region], count):
            reg.try_add(ent, kind="fraud_found", ref="G-FRAUD", note="申报材料弄虚作假",
                        effective=day_between(rng, date(2024, 1, 10), date(2025, 6, 30)))
    # Downgrades after supervision (G-DOWN) and a few cancellations.
    for ent in rng.sample(list(reg.ents.values()), 400):
        for ln in ent["lines"][:1]:
            day = day_between(rng, date(2024, 6, 1), date(2025, 11, 30))
            if not ln["grade"]:
                continue
            current = grade_now(reg, ent, ln["industry"], day).rated_grade
            lower = step_down(current, ln["scale"], ln["b_minus"]) if current else current
            if lower != current:
                reg.try_add(ent, kind="downgraded", industry=ln["industry"], ref="G-DOWN", effective=day,
                            grade=lower, note="日常监管发现指标不符")
    for ent in rng.sample(list(reg.ents.values()), 30):
        if any(ln["grade"] for ln in ent["lines"]):
            reg.try_add(ent, kind="cancelled", industry=next(ln["industry"] for ln in ent["lines"] if ln["grade"]),
                        effective=day_between(rng, date(2024, 6, 1), date(2025, 11, 30)), note="企业停产注销")
    # A+ selection by MEE from current A enterprises (G-APLUS): possible from the 2026 guidance (signed 2026-01-13).
    a_ents = [e for e in reg.ents.values() if any(ln["grade"] == "A" for ln in e["lines"])]
    for ent in rng.sample(a_ents, min(4, len(a_ents))):
        ln = next(ln for ln in ent["lines"] if ln["grade"] == "A" and ln["scale"] in ("ABCD", "ABC"))
        reg.try_add(ent, kind="aplus_selected", industry=ln["industry"], ref="G-APLUS",
                    effective=day_between(rng, date(2026, 1, 14), date(2026, 6, 30)), note="生态环境部遴选")


def build(seed: int = SEED) -> Register:
    """The register and its events, deterministic for a seed."""
    rng = random.Random(seed)
    reg = Register(rng)
    for region, spec in REGIONS.items():
        count, places = spec[0], spec[1:]
        cities = [(places[i], places[i + 1]) for i in range(0, len(places), 2)]
        for _ in range(count):
            city, divisions = rng.choice(cities)
            reg.add(region, city, rng.choice(divisions))
    history(reg)
    return reg


def verify(reg: Register) -> None:
    """Fold every enterprise at LAST_DAY: no stored event may be one the rules ignore."""
    for ent in reg.ents.values():
        s = fold(uscc=ent["uscc"], name=None, division=ent["division"], facility_division=ent["facility"],
                 registrations=[(ln["industry"], ln["branch"]) for ln in ent["lines"]],
                 events=reg.events_of(ent), as_of=LAST_DAY)
        ignored = [h for h in s.history if h.effect.en.startswith("no effect")]
        if ignored:
            raise SystemExit(f"{ent['uscc']}: event refused by the ledger: {ignored}")


def write(reg: Register) -> tuple[int, int]:
    """Write the two CSV files (UTF-8, header first); return their row counts."""
    with (OUT / "enterprises.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ENTERPRISE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows({k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in reg.rows)
    events = [(e["effective"], i, ent["uscc"], e) for ent in reg.ents.values()
              for i, e in enumerate(ent["events"])]
    events.sort(key=lambda t: (t[0], t[1]))
    with (OUT / "events.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, EVENT_COLUMNS, lineterminator="\n")
        w.writeheader()
        for day, _, code, e in events:
            passed = e.get("rectification_passed")
            w.writerow({"uscc": code, "kind": e["kind"], "industry": e.get("industry") or "",
                        "branch": e.get("branch") or "", "grade": e.get("grade") or "",
                        "effective": day.isoformat(), "ref": e.get("ref") or "",
                        "violation": e.get("violation") or "",
                        "rectification_passed": "" if passed is None else str(passed).lower(),
                        "note": e.get("note") or "", "until": ""})
    return len(reg.rows), len(events)


def main() -> None:
    """Generate, verify and write the sample register."""
    reg = build()
    verify(reg)
    rows, events = write(reg)
    sys.stdout.write(f"{len(reg.ents)} enterprises, {rows} register rows, {events} events "
                     f"({reg.refused} candidate events refused by the rules and left out)\n")


if __name__ == "__main__":
    main()
