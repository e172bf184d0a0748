"""Cells of the files the service writes (CSV, XLSX): never a formula a spreadsheet would run.

OWASP's CSV-injection rule: a text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return
is what Excel, LibreOffice and Google Sheets read as a formula (or as the start of one, DDE included).
Such a cell gets a leading apostrophe in CSV, and is written as a text cell with Excel's quote prefix in
XLSX (stored as text, never as a formula, and still text after the cell is edited). Numbers stay
numbers: a number value, or text that is exactly a plain decimal such as `-12.5`, is written unchanged.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")
BOM = "\ufeff"   # Excel opens UTF-8 CSV correctly only with it


def is_risky(value) -> bool:
    """Whether a cell value is text a spreadsheet would run as a formula (plain numbers are not)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(value)


def neutralise(value):
    """The cell as written to CSV: risky text gets a leading apostrophe; anything else is unchanged."""
    return "'" + value if is_risky(value) else value


def csv_text(rows: Iterable[Sequence], *, bom: bool = True) -> str:
    """Rows (the header first) as CSV text, every cell neutralised, led by a UTF-8 BOM for Excel."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Sequence]]]) -> bytes:
    """A workbook of `(title, rows)` sheets; numbers as numbers, every text cell as text, never a formula.

    openpyxl would store any text beginning with `=` as a formula: each text cell is set as a string
    explicitly, and a risky one carries the quote prefix (Excel shows it as typed and keeps it text).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, cell_class):
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    cell = cell_class(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"   # openpyxl marks text beginning with "=" as a formula: it is text
        if is_risky(value):
            cell.quotePrefix = True
    return cell
