"""Environmental-tax assessments for tax bureaus and enterprises: parse, assess, store, read back."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from incentives import cells, env_tax, hj212
from incentives.access import Caller
from incentives.db import Enterprise, TaxAssessment
from incentives.engine import RULESET
from incentives.errors import DomainError, Forbidden, Invalid, NotFound
from incentives.tabular import decode_text, is_parquet, is_xlsx
from incentives.tax import statute
from incentives.tax.assessment import assess_groups
from incentives.tax.filing import filing_rows
from incentives.tax.records import FIELDS

from .evaluations import plain, step

RECORD_FIELDS = frozenset(FIELDS)
TAX_ERRORS = (env_tax.RecordErrors, env_tax.MissingRate, env_tax.InvalidRate, env_tax.MissingStandard)


class TaxInputError(DomainError):
    """Monitoring data, standards or rates the assessment cannot use (422 with rows or fields)."""


def _ruleset() -> str:
    from incentives.reference import DATA_DIR
    digest = hashlib.sha256(RULESET.encode())
    for name in ("pollutant_equivalents.csv", "air_tax_rates.csv", "emission_standards.csv"):
        digest.update((DATA_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


TAX_RULESET = _ruleset()


def _parameters(values: dict | None) -> env_tax.TaxParameters:
    try:
        return env_tax.TaxParameters.from_mapping(values or {})
    except ValueError as exc:
        name = str(exc).split(":", 1)[0].split()[0]
        raise Invalid(str(exc), [{"field": f"parameters.{name}", "message": str(exc)}]) from None


def _division(session: Session, caller: Caller, uscc: str | None, division: str | None) -> tuple[str, str | None]:
    ent = session.get(Enterprise, uscc) if uscc else None
    division = division or (ent.facility_division if ent else None)
    if not division:
        raise Invalid("give `division` (or the uscc of a registered enterprise)",
                      [{"field": "division", "message": "required when the enterprise is not registered"}])
    if caller.role == "enterprise" and caller.uscc != uscc:
        raise Forbidden("an enterprise key assesses only its own data (give its uscc)")
    if caller.role == "tax_bureau" and not caller.covers(division):
        raise Forbidden(f"division {division} is outside this tax bureau's divisions")
    # The assessment is stored under `uscc`: a bureau may name only an enterprise of its own divisions
    # (registered: by either of its divisions; not registered: by the division in its uscc).
    if caller.role == "tax_bureau" and uscc and not (
            caller.may_see_enterprise(uscc, ent.facility_division, ent.division) if ent else caller.covers(uscc[2:8])):
        raise Forbidden(f"enterprise {uscc} is outside this tax bureau's divisions")
    return division, uscc


def _assess(records, *, division: str, outlets: dict | None, rates: dict | None,
            parameters: env_tax.TaxParameters) -> env_tax.Assessment:
    try:
        return env_tax.assess(records, division=division, outlets=outlets or {}, rates=rates, parameters=parameters)
    except TAX_ERRORS as exc:
        err = TaxInputError(exc.detail, exc.errors)
        err.status = getattr(exc, "status", 422)
        raise err from None


def to_answer(result: env_tax.Assessment, *, assessment_id: str | None, uscc: str | None, as_of: dt.date,
              extra: dict | None = None) -> dict:
    """The contract's assessment answer (Text kept {zh, en}; Decimals exact)."""
    rows = [{"outlet": r.outlet, "pollutant": r.pollutant, "pollutant_zh": r.pollutant_zh, "month": r.month,
             "data_source": r.data_source, "avg_concentration": r.avg_concentration,
             "max_concentration": r.max_concentration, "max_time": r.max_time, "standard": r.standard,
             "standard_source": r.standard_source, "ratio": r.ratio, "tier": r.tier, "factor": r.factor,
             "reason": plain(r.reason), "explanation": [step(s) for s in r.steps], "emission_kg": r.emission_kg,
             "equivalents": r.equivalents, "taxed": r.taxed, "rank": r.rank, "rate": r.rate,
             "rate_source": r.rate_source, "tax_before_reduction": r.tax_before_reduction,
             "reduction": r.reduction, "tax_due": r.tax_due, "records": r.records,
             "exhaust_m3": r.exhaust_m3} for r in result.rows]
    version = statute.version_at(as_of)
    return {"id": assessment_id, "uscc": uscc, "division": result.division, "as_of": as_of,
            "statute": {"document": version.document, "version": version.version,
                        "in_force_from": version.in_force.start, "change": plain(version.change),
                        "pending": [{"measure": m.measure_id, "status": m.status, "refs": list(m.refs),
                                     "clause": m.clause, "rate": m.rate, "reason": plain(m.reason)}
                                    for m in statute.PENDING if m.window.contains(as_of)]},
            "ruleset": TAX_RULESET, "parameters": plain(result.parameters.as_dict()),
            "rates": [plain(x) for x in result.rates], "notes": [step(s) for s in result.notes], "rows": rows,
            "totals": {"months": [plain(m) for m in result.months], "quarters": [plain(q) for q in result.quarters]},
            **(extra or {})}


def _store(session: Session, answer: dict, inputs_hash: str) -> dict:
    answer["id"] = uuid.uuid4().hex[:16]
    stored = json.loads(json.dumps(answer, default=_json_default, ensure_ascii=False))
    session.add(TaxAssessment(id=answer["id"], uscc=answer["uscc"], division=answer["division"],
                              inputs_hash=inputs_hash, ruleset=TAX_RULESET, result=stored))
    session.commit()
    return answer


def _json_default(o):
    if isinstance(o, Decimal):
        # stored as JSON numbers, written from their exact decimal text (every stored figure is already
        # rounded to a few places, so the shortest float text reads back as the same decimal)
        return int(o) if o == o.to_integral_value() else float(o)
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def _hash(obj) -> str:
    data = obj if isinstance(obj, bytes) else json.dumps(obj, default=_json_default, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def assess_json(*, session: Session, caller: Caller, body: dict, today: dt.date, store: bool = True) -> dict:
    """Assess JSON records (contract body); stored with an id, the inputs' hash and the ruleset."""
    if not body.get("records"):
        raise Invalid("no monitoring records", [{"field": "records", "message": "Missing data for required field."}])
    keys = {key for record in body["records"] for key in record}  # the records are listed only if needed
    unknown = [{"field": f"records.{i}.{key}", "message": "Unknown field"}
               for i, record in enumerate(body["records"]) for key in record
               if key not in RECORD_FIELDS][:1000] if not keys <= RECORD_FIELDS else []
    if unknown:
        raise Invalid(f"{len(unknown)} unknown field(s) in the records", unknown)
    division, uscc = _division(session, caller, body.get("uscc"), body.get("division"))
    parameters = _parameters(body.get("parameters"))
    outlets = {o["outlet"]: o for o in body.get("outlets") or []}
    result = _assess(body["records"], division=division, outlets=outlets, rates=body.get("rates"),
                     parameters=parameters)
    answer = to_answer(result, assessment_id=None, uscc=uscc, as_of=today)
    return _store(session, answer, _hash(body)) if store else answer


def assess_upload(*, session: Session, caller: Caller, data: bytes, filename: str | None,
                  content_type: str | None, division: str | None, uscc: str | None, rates: dict | None,
                  parameters: dict | None, today: dt.date, fmt: str | None = None, strict: bool = True,
                  outlets: dict | None = None, mn_to_outlet: dict | None = None, store: bool = True) -> dict:
    """Assess a monitoring file: CSV/XLSX/Parquet (zh or en headers, UTF-8 or GBK) or HJ 212 packets (text)."""
    division, uscc = _division(session, caller, uscc, division)
    params = _parameters(parameters)
    records, extra = _read_upload(data, filename, content_type, params, fmt=fmt, strict=strict,
                                  mn_to_outlet=mn_to_outlet)
    return _assessed(session, records, extra, division=division, uscc=uscc, outlets=outlets, rates=rates,
                     params=params, today=today, inputs_hash=_hash(data), store=store)


def _assessed(session: Session, records, extra: dict, *, division: str, uscc: str | None, outlets, rates,
              params, today: dt.date, inputs_hash: str, store: bool) -> dict:
    """The one assessment of an upload's records (single uploads and every taxpayer of a batch)."""
    result = _assess(records, division=division, outlets=outlets, rates=rates, parameters=params)
    answer = to_answer(result, assessment_id=None, uscc=uscc, as_of=today, extra=extra)
    return _store(session, answer, inputs_hash) if store else answer


HJ212_SUFFIXES = (".txt", ".log", ".hj212", ".dat")


def is_hj212(data: bytes, filename: str | None, content_type: str | None, fmt: str | None = None) -> bool:
    """Whether an upload is HJ 212 packet text: asked for, named so (.txt/.log/.hj212), or starting with `##`."""
    if fmt is not None:
        return fmt == "hj212"
    if is_xlsx(data, filename, content_type) or is_parquet(data, filename):
        return False
    name = (filename or "").lower()
    return (content_type == "text/plain" or name.endswith(HJ212_SUFFIXES)
            or data.lstrip(b"\xef\xbb\xbf \r\n\t")[:2] == b"##")


def _read_upload(data: bytes, filename, content_type, params, *, fmt, strict, mn_to_outlet):
    """(records, extra) of an upload: HJ 212 packets with their accounting, or a table's rows."""
    if is_hj212(data, filename, content_type, fmt) and fmt != "table":
        return _hj212_records(data, params, strict=strict, mn_to_outlet=mn_to_outlet)
    return env_tax.read_monitoring(data, filename=filename, content_type=content_type), {}


def assess_batch_file(*, session: Session, caller: Caller, filename: str, division: str | None,
                      rates: dict | None, parameters: dict | None, outlets: dict | None, today: dt.date,
                      data: bytes | None = None, path: str | None = None, strict: bool = True,
                      store: bool = True) -> list[dict]:
    """One file of a batch (its bytes, or its path): [{uscc, answer} or {uscc, detail, errors}] per taxpayer.

    The taxpayer is the file name's first 18 characters, or each value of a `uscc` column. A monitoring CSV
    is aggregated per outlet × pollutant × month by DuckDB, out of core under the current duckdb_settings
    (incentives/tax/batch.py), and the law runs on the aggregates by the single assessment's own function;
    any other file, or a CSV with a row the single path would refuse, is assessed exactly as `assess_upload`
    assesses it. A problem is reported for its own taxpayer and never stops the batch.
    """
    from pathlib import PurePath

    from incentives import uscc as uscc_codes
    from incentives.tabular import FileProblem
    named = PurePath(filename or "").name[:18].upper()
    named = named if uscc_codes.is_valid(named) else None
    try:
        params = _parameters(parameters)
        with _on_disk(data, path) as file:
            units = _aggregated(file, filename, params, named)
            if units is not None:
                inputs_hash = _file_hash(file)
                if len(units) > 1:
                    _count_hours_above(session, caller, units, division, outlets, rates, params)
                return [_batch_result(session, caller, filename, uscc, division,
                                      lambda d, u=unit: _assess_groups(u, division=d, outlets=outlets, rates=rates,
                                                                       parameters=params),
                                      {}, today, inputs_hash, store) for uscc, unit in units]
            data = data if data is not None else Path(file).read_bytes()
        records, extra = _read_upload(data, filename, None, params, fmt=None, strict=strict, mn_to_outlet=None)
        units = _taxpayers(records, named)
    except (DomainError, FileProblem) as exc:
        return [{"uscc": named, "file": filename, "detail": exc.detail, "errors": list(exc.errors)[:100]}]
    inputs_hash = _hash(data)
    return [_batch_result(session, caller, filename, uscc, division,
                          lambda d, u=unit: _assess(u, division=d, outlets=outlets, rates=rates, parameters=params),
                          extra, today, inputs_hash, store) for uscc, unit in units]


def _batch_result(session, caller, filename, uscc, division, assess, extra, today, inputs_hash, store) -> dict:
    """One taxpayer of a batch file: its stored answer, or why it was refused (the batch goes on)."""
    from incentives.tabular import FileProblem
    try:
        division_u, _ = _division(session, caller, uscc, division)
        answer = to_answer(assess(division_u), assessment_id=None, uscc=uscc, as_of=today, extra=extra)
        answer = _store(session, answer, inputs_hash) if store else answer
        return {"uscc": uscc, "file": filename, "answer": answer}
    except (DomainError, FileProblem) as exc:
        session.rollback()
        return {"uscc": uscc, "file": filename, "detail": exc.detail, "errors": list(exc.errors)[:100]}


@contextmanager
def _on_disk(data: bytes | None, path: str | None):
    """The file's path: as given, or its bytes written to a temporary file for DuckDB to scan."""
    if path is not None:
        yield str(path)
        return
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(data)
        handle.flush()
        yield handle.name


def _aggregated(file: str, filename: str, params, named: str | None):
    """[(uscc, taxpayer groups)] of a monitoring CSV aggregated by DuckDB, or None (not a CSV the SQL path
    reads exactly as the single path does: that path then reads, checks and reports it)."""
    from incentives.tax.batch import aggregate_csv
    with open(file, "rb") as handle:
        head = handle.read(4096)
    if is_xlsx(head, filename) or is_parquet(head, filename) or is_hj212(head, filename, None):
        return None
    found = aggregate_csv(file, params, named=named)
    return None if found is None else [(t.uscc, t) for t in found]


def _assess_groups(taxpayer, *, division: str, outlets: dict | None, rates: dict | None,
                   parameters: env_tax.TaxParameters) -> env_tax.Assessment:
    try:
        return assess_groups(taxpayer.groups, division=division, outlets=outlets or {}, rates=rates,
                             parameters=parameters, hours_above=taxpayer.hours_above)
    except TAX_ERRORS as exc:
        err = TaxInputError(exc.detail, exc.errors)
        err.status = getattr(exc, "status", 422)
        raise err from None


def _count_hours_above(session, caller, units, division, outlets, rates, params) -> None:
    """A dry run of the law on every taxpayer's aggregates (cheap) notes the groups failing G1, so the hours
    above S of all of them are counted in one scan of the file, not one per taxpayer."""
    from incentives.tabular import FileProblem
    for uscc, unit in units:
        try:
            division_u, _ = _division(session, caller, uscc, division)
            assess_groups([dict(g) for g in unit.groups], division=division_u, outlets=outlets or {}, rates=rates,
                          parameters=params, hours_above=unit.hours_above.collect)
        except (DomainError, FileProblem, *TAX_ERRORS):
            continue                                   # refused: the real run says why
    units[0][1].hours_above.count()


def _file_hash(file: str) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _taxpayers(records, named: str | None) -> list[tuple[str | None, object]]:
    """The taxpayers of a file: by its `uscc` column (each its own rows), else the one of the file name."""
    import numpy as np
    import pandas as pd

    from incentives import uscc as uscc_codes
    if not isinstance(records, pd.DataFrame) or "uscc" not in records.columns:
        if named is None:
            raise Invalid("the taxpayer is not known: name the file by its USCC (first 18 characters) "
                          "or give a `uscc` column", [{"field": "file", "message": "no uscc"}])
        return [(named, records)]
    codes, uniques = pd.factorize(records["uscc"].astype(object), sort=True)
    # each distinct value checked once (house style gotcha 14), then mapped back to its rows
    cleaned = [str(u).strip().upper() for u in uniques]
    valid = np.array([uscc_codes.is_valid(u) for u in cleaned], dtype=bool)
    if not valid.all():
        rows = records["row"].to_numpy()[~valid[codes]]
        bad = [{"row": int(r), "column": "uscc", "message": "not a valid USCC"} for r in rows[:100]]
        raise Invalid(f"{len(rows)} row(s) without a valid uscc", bad)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    units = []
    for k, value in enumerate(cleaned):
        unit = records.iloc[order[bounds[k]:bounds[k + 1]]].drop(columns=["uscc"])
        unit.attrs = records.attrs
        units.append((value, unit))
    return units


def _hj212_records(data: bytes, params, *, strict: bool, mn_to_outlet: dict | None):
    """HJ 212 packets to tax records, with the accounting of every packet for the answer."""
    text = decode_text(data)
    result = hj212.parse_packets(text, strict=strict, mn_to_outlet=mn_to_outlet,
                                 concentration_basis=params.concentration_basis,
                                 hour_tolerance_seconds=params.hj212_hour_tolerance_seconds,
                                 crc_byte_swap=params.hj212_crc_byte_swap)
    records = result.records
    # Each hour's emission is its -Cou (a mass) where the packet has one; "" lets the tax module compute
    # flow × concentration, which is a mass only for the measured -Avg: under ZsAvg every hour must carry one.
    if params.concentration_basis == "zsavg" and (records["emission_kg"] == "").any():
        raise RuntimeError("HJ 212 records under ZsAvg without an emission mass")
    accounting = {
        "format": "hj212", "month": result.month, "months": list(result.months), "summary": plain(result.summary),
        "parameters": plain(result.parameters),
        "excluded": result.excluded.to_dict("records"),      # hour, pollutant, flag, rule, reason
        "exceeding": result.exceeding.to_dict("records"),    # T-flag hours: used, and they fail G1
        "rejected": list(result.rejected),                   # line (row), column, reason
        "checks": list(result.checks), "other_codes": dict(result.other_codes),
        "unknown_codes": dict(result.unknown_codes), "pending": _pending_codes(result.other_codes)}
    if records.empty:
        raise _nothing_taxable(result)
    return records, {"hj212": accounting}


def _pending_codes(codes: dict) -> list[dict]:
    """Codes measured but taxed by no rule yet (VOCs: the pending pilot of 第二十七条), and why."""
    from incentives.tax.statute import VOC_HJ212_CODES, VOCS_PILOT
    found = sorted(c for c in codes if c in VOC_HJ212_CODES)
    return [{"codes": found, "measure": VOCS_PILOT.measure_id, "status": VOCS_PILOT.status,
             "refs": list(VOCS_PILOT.refs), "reason": plain(VOCS_PILOT.reason)}] if found else []


def _nothing_taxable(result) -> TaxInputError:
    """422 in HJ 212 terms: no taxable hourly value, and where every packet went."""
    s = result.summary
    errors = [{"field": "file", "message": f"{s['packets']} packets: {s['used']} used, {s['excluded']} excluded, "
                                          f"{s['rejected']} rejected, {s['merged']} merged into split packets"}]
    for rule, count in result.excluded.groupby("rule").size().items():
        example = result.excluded[result.excluded["rule"] == rule].iloc[0]
        errors.append({"field": f"hj212.excluded.{rule}", "message": f"{count} excluded, e.g. line {example['row']}: "
                                                                      f"{example['reason']}"})
    for label, codes in (("other_codes", result.other_codes), ("unknown_codes", result.unknown_codes)):
        if codes:
            errors.append({"field": f"hj212.{label}", "message": ", ".join(f"{c} ×{n}" for c, n in sorted(codes.items()))
                           + (" (known HJ 212 factors that are not taxable air pollutants)" if label == "other_codes"
                              else " (not air pollutant codes of HJ 212 表B.2: water or vendor codes)")})
    errors += [dict(e) for e in result.rejected[:50]]
    return TaxInputError("no taxable hourly air-pollutant value in the HJ 212 packets (CN=2061 with a taxable "
                         "pollutant of 附表二)", errors)


def get(*, session: Session, caller: Caller, assessment_id: str) -> dict:
    """A stored assessment (the tax bureau of its division, or the enterprise itself)."""
    row = session.get(TaxAssessment, assessment_id)
    if row is None:
        raise NotFound(f"no assessment {assessment_id}")
    if caller.role == "enterprise" and caller.uscc != row.uscc:
        raise Forbidden("not this enterprise's assessment")
    if caller.role == "tax_bureau" and not caller.covers(row.division):
        raise Forbidden("outside this tax bureau's divisions")
    return row.result


def filing_csv(answer: dict, lang: str = "zh") -> str:
    """The filing form (《环境保护税税源明细表》 air columns, reductions, a total row) as CSV with a UTF-8 BOM."""
    return cells.csv_text([[_text(v) for v in row] for row in filing_rows(answer, lang)])


def filing_xlsx(answer: dict, lang: str = "zh") -> bytes:
    """The filing form as a workbook: numbers as numbers, text as text, never a formula."""
    return cells.xlsx_bytes([("税源明细表" if lang != "en" else "filing form", filing_rows(answer, lang))])


def _text(value) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


SUMMARY_COLUMNS = ("uscc", "months", "tax_before_reduction", "reduction", "tax_due", "status", "errors", "file")


def batch_summary_row(result: dict) -> dict:
    """One taxpayer's line of a batch's summary.csv (contract 1.1): its totals, or why it was refused."""
    if "answer" not in result:
        errors = "; ".join(f"row {e['row']} {e.get('column') or ''}: {e['message']}" if e.get("row") is not None
                           else str(e.get("message")) for e in result["errors"][:20])
        return {"uscc": result["uscc"] or "", "months": 0, "tax_before_reduction": "", "reduction": "",
                "tax_due": "", "status": "refused", "errors": f"{result['detail']}: {errors}" if errors
                else result["detail"], "file": result["file"]}
    months = result["answer"]["totals"]["months"]
    total = {k: sum((Decimal(str(m[k])) for m in months), Decimal("0.00"))
             for k in ("tax_before_reduction", "reduction", "tax_due")}
    return {"uscc": result["uscc"], "months": len(months), **{k: f"{v:.2f}" for k, v in total.items()},
            "status": "assessed", "errors": "", "file": result["file"]}


def batch_summary_csv(rows: list[dict]) -> str:
    """The summary rows as CSV text with a UTF-8 BOM (cells neutralised: no spreadsheet formula)."""
    return cells.csv_text([SUMMARY_COLUMNS] + [[_text(r[k]) for k in SUMMARY_COLUMNS] for r in rows])
