"""Environmental protection tax on air pollutants: the public facade over incentives.tax (env-tax.md).

    table = read_table(data, filename=..., aliases=MONITORING_ALIASES)     # files; JSON records go straight in
    records = parse_records(table, parameters)                              # RecordErrors lists every bad value
    result = assess(records, division=facility_division, outlets={...}, rates=None, parameters=parameters)
    csv_rows = to_filing_rows(result)

A measurement (hourly CEMS value or agency sample: time, concentration, flow) may also carry
`emission_kg`, the hour's own emission (e.g. HJ 212 -Cou): that hour then counts that mass instead of
flow × concentration ÷ 10^6 (flow may be left empty), and `over_range` (true/false, 是/否, 1/0): the value
is above the instrument's range (HJ 212 flag T), so the true value is at least the reading and the hour
counts as exceeding the standard in gate G1 (条例 第十条 ¶2) and for 117号 二.
"""
from __future__ import annotations

from .tabular import FileProblem, read_table
from .tax.assessment import (
    FILING_COLUMNS,
    Assessment,
    InvalidRate,
    MissingRate,
    MissingStandard,
    MonthTotal,
    QuarterTotal,
    RateUsed,
    Row,
    assess,
    caller_rates,
    filing_deadline,
    reference_rate,
    to_filing_rows,
)
from .tax.parameters import PARAMETER_DOCS, TaxParameters
from .tax.records import MONITORING_ALIASES, RecordErrors, Records, parse_records

__all__ = [
    "FILING_COLUMNS", "MONITORING_ALIASES", "PARAMETER_DOCS", "Assessment", "FileProblem", "InvalidRate",
    "MissingRate", "MissingStandard", "MonthTotal", "QuarterTotal", "RateUsed", "RecordErrors", "Records", "Row",
    "TaxParameters", "assess", "caller_rates", "filing_deadline", "parse_records", "read_monitoring",
    "read_table", "reference_rate", "to_filing_rows",
]


MAX_MONITORING_ROWS = 3_000_000   # a file the single path holds whole in pandas (≈350 bytes a row); the batch
#                                   aggregates larger CSVs in DuckDB (incentives/tax/batch.py)


def read_monitoring(data: bytes, *, filename: str | None = None, content_type: str | None = None,
                    max_rows: int | None = None) -> object:
    """Read a monitoring CSV/XLSX upload with the zh/en monitoring headers (tabular.read_table; a plain CSV
    comes back as Categoricals of the same str values, which parse_records reads without a str per cell)."""
    return read_table(data, filename=filename, content_type=content_type, max_rows=max_rows or MAX_MONITORING_ROWS,
                      aliases=MONITORING_ALIASES, required=("outlet", "pollutant"), categorical=True)
