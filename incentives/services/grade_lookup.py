"""Bulk grade lookup for banks: ≤ 1 000 usccs, JSON or a CSV file in, JSON or CSV out."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from incentives import cells
from incentives import uscc as uscc_mod
from incentives.errors import Invalid, TooLarge
from incentives.tabular import read_table

from . import registry

USCC_HEADERS = {"uscc": "uscc", "统一社会信用代码": "uscc", "USCC": "uscc", "信用代码": "uscc"}


def usccs_from_file(data: bytes, filename: str | None, content_type: str | None) -> list[str]:
    """The usccs of a lookup file (one column headed `uscc` or `统一社会信用代码`)."""
    table = read_table(data, filename=filename, content_type=content_type, aliases=USCC_HEADERS,
                       required=("uscc",), max_rows=100_000)
    return table["uscc"].tolist()


def lookup(*, session: Session, usccs: list[str], as_of: dt.date | None, today: dt.date, limit: int,
           include_drafts: bool = False) -> dict:
    """Grade objects for the valid usccs, `not_found` for unknown ones, `invalid` ones as field errors."""
    if not usccs:
        raise Invalid("no usccs given", [{"field": "usccs", "message": "send 1 to 1 000 usccs"}])
    if len(usccs) > limit:
        raise TooLarge(f"{len(usccs)} usccs: at most {limit} per call",
                       [{"field": "usccs", "message": f"at most {limit}"}])
    valid: dict[str, str] = {}
    invalid: list[dict] = []
    for raw in dict.fromkeys(usccs):   # validate unique values once (house style gotcha 14)
        try:
            valid[raw] = uscc_mod.normalize(raw)
        except uscc_mod.InvalidUscc as exc:
            invalid.append({"field": f"usccs.{usccs.index(raw)}", "value": raw, "message": str(exc)})
    as_of = as_of or today
    results, not_found = registry.lookup(session=session, usccs=list(valid.values()), as_of=as_of, today=today,
                                         include_drafts=include_drafts)
    return {"as_of": as_of, "include_drafts": include_drafts, "results": results, "not_found": not_found,
            "invalid": invalid}


CSV_COLUMNS = ("uscc", "name", "found", "overall_grade", "rated_grade", "status", "industries", "restrictions",
               "review_due")


def to_csv(answer: dict, lang: str = "zh") -> str:
    """The lookup answer as CSV: one line per uscc asked, not-found and invalid ones marked (cells neutralised)."""
    rows = [CSV_COLUMNS]
    for r in answer["results"]:
        industries = "; ".join(f"{i['industry']}/{i['branch']}={i['grade'] or '-'}" for i in r["industries"])
        restrictions = "; ".join(f"{x['kind']}({x['ref']}) until {x['until'] or '-'}" for x in r["restrictions"])
        rows.append([r["uscc"], r["name"], "yes", r["overall_grade"] or "", r["rated_grade"] or "", r["status"],
                     industries, restrictions, r.get("review_due") or ""])
    rows += [[u, "", "not_found", "", "", "", "", "", ""] for u in answer["not_found"]]
    rows += [[e["value"], "", "invalid: " + e["message"], "", "", "", "", "", ""] for e in answer["invalid"]]
    return cells.csv_text(rows)
