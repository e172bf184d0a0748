"""What the public pages show of the register: a division's grade structure with every target's progress, and
the list of rated enterprises per division and grade (the national platform's 公示/查询). Grades are public."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from policies import TARGETS

from . import stats

PAGE_SIZE = 100


def overview(*, session: Session, division: str, as_of: dt.date, today: dt.date) -> dict:
    """The division's statistics, and the statistics of every division that has a target (SX-2-2, CQ-2)."""
    targeted = sorted({t.division for t in TARGETS})
    return {"stats": stats.grade_stats(session=session, division=division, as_of=as_of, today=today),
            "targets": [stats.grade_stats(session=session, division=d, as_of=as_of, today=today) for d in targeted]}


def rated_list(*, session: Session, division: str, grade: str | None, as_of: dt.date, today: dt.date,
               page: int = 1) -> dict:
    """Rated enterprises of a division at `as_of` (optionally one overall grade), by name; PAGE_SIZE a page."""
    rows = [r for r in stats.division_states(session, division, as_of, today)
            if r["status"] == "rated" and (grade is None or r["overall_grade"] == grade)]
    rows.sort(key=lambda r: (r["name"] or "", r["uscc"]))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    return {"division": division, "grade": grade, "as_of": as_of, "total": len(rows), "page": page, "pages": pages,
            "items": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]}
