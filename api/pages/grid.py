"""The outlet × pollutant grid of emission standards (and, on the preview, concentrations after the upgrade) that
replaces JSON boxes: pre-filled from the file's 标准浓度, or opened for the pairs the assessment found no standard for."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import request

from incentives.reference import reference

from .problems import PageProblem, field_problem
from .text import t


def pollutant_code(name: str) -> str:
    ref = reference()
    return name if name in ref.pollutants else ref.pollutant_by_name.get(name, name)


def grid_from_file(table) -> list[dict]:
    """Outlet × pollutant pairs of an uploaded file, each with the file's 标准浓度 (first value given)."""
    pairs: dict[tuple[str, str], str | None] = {}
    has_standard = "standard" in table.columns
    for rec in table.itertuples(index=False):
        key = (str(rec.outlet), pollutant_code(str(rec.pollutant)))
        std = getattr(rec, "standard", None) if has_standard else None
        std = None if std is None or str(std).strip() in ("", "nan") else str(std).strip()
        if key not in pairs or (pairs[key] is None and std is not None):
            pairs[key] = std
    return [{"outlet": o, "pollutant": p, "file_standard": s} for (o, p), s in pairs.items()]


def grid_values(prefix: str) -> dict[tuple[str, str], str]:
    """The grid's typed values: fields named prefix|outlet|pollutant."""
    out = {}
    for name, value in request.form.items():
        parts = name.split("|")
        if len(parts) == 3 and parts[0] == prefix and value.strip():
            out[(parts[1], parts[2])] = value.strip()
    return out


def grid_rows(pairs: list[dict]) -> list[dict]:
    """The grid as shown: each pair with its standard (typed, else the file's) and its target (typed)."""
    typed, targets = grid_values("std"), grid_values("target")
    return [{**p, "standard": typed.get((p["outlet"], p["pollutant"]), p["file_standard"] or ""),
             "target": targets.get((p["outlet"], p["pollutant"]), "")} for p in pairs]


def _number(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() and d >= 0 else None


def grid_problem(rows: list[dict]):
    """A problem naming each grid value that is not a number >= 0 (each beside its input)."""
    bad = {}
    for r in rows:
        for kind in ("standard", "target"):
            if r[kind] and _number(r[kind]) is None:
                bad[f"{'std' if kind == 'standard' else 'target'}|{r['outlet']}|{r['pollutant']}"] = \
                    t("bad_number") + r[kind]
    if not bad:
        return None
    problem = field_problem(422, next(iter(bad)), t("grid_bad"))
    problem.fields = bad
    return problem


def missing_pairs(errors: list[dict]) -> list[tuple[str, str]]:
    """(outlet, pollutant) of each "outlets.O.standards.P" error."""
    out = []
    for e in errors:
        parts = str(e.get("field") or "").split(".")
        if len(parts) == 4 and parts[0] == "outlets" and parts[2] == "standards":
            out.append((parts[1], parts[3]))
    return out




def missing_grid(problem: PageProblem | None) -> list[dict]:
    """Grid rows for the pairs an assessment found no standard for (typed values kept)."""
    if problem is None:
        return []
    return grid_rows([{"outlet": o, "pollutant": p, "file_standard": None} for o, p in missing_pairs(problem.errors)])


def standards_problem(problem: PageProblem) -> PageProblem:
    """A missing-standard problem pointed at the grid's inputs; any other problem as it is."""
    pairs = missing_pairs(problem.errors)
    if not pairs:
        return problem
    return PageProblem(status=problem.status, headline=problem.headline,
                       fields={f"std|{o}|{p}": t("need_standard") for o, p in pairs})


def outlets_json(rows: list[dict]) -> dict:
    """The grid's standards as the API's outlets: {outlet: {standards: {pollutant: S}}}."""
    out: dict[str, dict] = {}
    for r in rows:
        if r["standard"]:
            out.setdefault(r["outlet"], {"standards": {}})["standards"][r["pollutant"]] = r["standard"]
    return out
