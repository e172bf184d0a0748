"""Environmental-tax assessments for tax bureaus and enterprises: parse, assess, store, read back."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from sqlmodel import Session

from incentives import cells, env_tax, hj212
from incentives.access import Caller
from incentives.db import Enterprise, TaxAssessment
from incentives.engine import RULESET
from incentives.errors import DomainError, Forbidden, Invalid, NotFound
from incentives.tabular import decode_text, is_xlsx
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
             "reduction": r.reduction, "tax_due": r.tax_due, "records": r.records} for r in result.rows]
    return {"id": assessment_id, "uscc": uscc, "division": result.division, "as_of": as_of,
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
    unknown = [{"field": f"records.{i}.{key}", "message": "Unknown field"}
               for i, record in enumerate(body["records"]) for key in record if key not in RECORD_FIELDS][:1000]
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
    """Assess a monitoring file: CSV/XLSX (zh or en headers, UTF-8 or GBK) or HJ 212 packets (text)."""
    division, uscc = _division(session, caller, uscc, division)
    params = _parameters(parameters)
    extra: dict = {}
    if fmt == "hj212" or (fmt is None and content_type == "text/plain" and not is_xlsx(data, filename, content_type)):
        records, extra = _hj212_records(data, params, strict=strict, mn_to_outlet=mn_to_outlet)
    else:
        records = env_tax.read_monitoring(data, filename=filename, content_type=content_type)
    result = _assess(records, division=division, outlets=outlets, rates=rates, parameters=params)
    answer = to_answer(result, assessment_id=None, uscc=uscc, as_of=today, extra=extra)
    return _store(session, answer, _hash(data)) if store else answer


def _hj212_records(data: bytes, params, *, strict: bool, mn_to_outlet: dict | None):
    """HJ 212 packets to tax records, with the accounting of every packet for the answer."""
    text = decode_text(data)
    result = hj212.parse_packets(text, strict=strict, mn_to_outlet=mn_to_outlet,
                                 concentration_basis=params.concentration_basis)
    records = result.records
    # Each hour's emission is its -Cou (a mass) where the packet has one; "" lets the tax module compute
    # flow × concentration, which is a mass only for the measured -Avg: under ZsAvg every hour must carry one.
    if params.concentration_basis == "zsavg" and (records["emission_kg"] == "").any():
        raise RuntimeError("HJ 212 records under ZsAvg without an emission mass")
    accounting = {
        "format": "hj212", "month": result.month, "summary": plain(result.summary),
        "parameters": plain(result.parameters),
        "excluded": result.excluded.to_dict("records"),      # hour, pollutant, flag, rule, reason
        "exceeding": result.exceeding.to_dict("records"),    # T-flag hours: used, and they fail G1
        "rejected": list(result.rejected),                   # line (row), column, reason
        "checks": list(result.checks), "other_codes": dict(result.other_codes)}
    return records, {"hj212": accounting}


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


FILING_HEADERS = {"zh": env_tax.FILING_COLUMNS,
                  "en": ("outlet", "pollutant", "month", "avg_concentration", "max_concentration", "standard",
                         "ratio_below_standard", "tier", "emission_kg", "equivalents", "tax_before_reduction",
                         "reduction", "tax_due")}
TIERS = {"zh": {"75%": "减按75%", "50%": "减按50%", "none": "不减征"}, "en": {"75%": "75%", "50%": "50%", "none": "none"}}


def _money(v) -> str:
    return "" if v in (None, "") else f"{Decimal(str(v)):.2f}"


def filing_csv(answer: dict, lang: str = "zh") -> str:
    """The rows in the columns of the 环境保护税减免税明细计算报表 (amounts with two decimals; cells neutralised)."""
    rows = [FILING_HEADERS["en" if lang == "en" else "zh"]]
    for r in answer["rows"]:
        name = r["pollutant_zh"] if lang != "en" else r["pollutant"]
        rows.append([r["outlet"], name, r["month"], _plain(r["avg_concentration"]),
                     _plain(r["max_concentration"]), _plain(r["standard"]), _plain(r["ratio"]),
                     TIERS["en" if lang == "en" else "zh"][r["tier"]], _plain(r["emission_kg"]),
                     _plain(r["equivalents"]), _money(r["tax_before_reduction"]), _money(r["reduction"]),
                     _money(r["tax_due"])])
    return cells.csv_text(rows)


def _plain(v) -> str:
    return "" if v is None else str(v)
