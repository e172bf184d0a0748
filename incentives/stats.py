"""Grade structure of a division and progress against its targets (SX-2-2, CQ-2): pure counting."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from .money import round_half_up
from .rules import Reading

SHARE_STEP = Decimal("0.0001")


def structure(rows: Iterable[dict]) -> dict:
    """Counts and shares by overall grade, status and industry; rows carry overall_grade, status, industries."""
    rows = list(rows)
    total = len(rows)
    by_grade = Counter(r["overall_grade"] or "none" for r in rows)
    by_status = Counter(r["status"] for r in rows)
    by_industry: dict[str, Counter] = {}
    for r in rows:
        for i in r["industries"]:
            by_industry.setdefault(i["industry"], Counter())[i["grade"] or "none"] += 1
    share = lambda n: round_half_up(Decimal(n) / total, SHARE_STEP) if total else Decimal(0)
    return {"total": total,
            "by_grade": [{"grade": g, "count": n, "share": share(n)} for g, n in sorted(by_grade.items())],
            "by_status": [{"status": s, "count": n, "share": share(n)} for s, n in sorted(by_status.items())],
            "by_industry": [{"industry": k, "total": sum(c.values()),
                             "grades": [{"grade": g, "count": n} for g, n in sorted(c.items())]}
                            for k, c in sorted(by_industry.items())]}


def progress(rows: list[dict], targets, reading: Reading) -> list[dict]:
    """Each target with the current count or share at its floor or better, and whether it is met.

    "At its floor or better" reads 引领 and B- as the division's measures do (its grading rules)."""
    total = len(rows)
    out = []
    for t in targets:
        n = sum(1 for r in rows if r["status"] == "rated" and r["overall_grade"] is not None
                and reading.rank(r["overall_grade"]) >= reading.rank(t.floor))
        item = {"ref": t.ref, "due": t.due, "floor": t.floor, "text": {"zh": t.text.zh, "en": t.text.en},
                "count": n, "total": total}
        if t.share is not None:
            actual = round_half_up(Decimal(n) / total, SHARE_STEP) if total else Decimal(0)
            item.update(target_share=Decimal(t.share), share=actual, met=total > 0 and Decimal(n) >= Decimal(t.share) * total)
        else:
            item.update(target_count=t.count, met=n >= t.count)
        out.append(item)
    return out
