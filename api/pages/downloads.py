"""Files a page hands over, written to open cleanly in Excel: declared columns with zh/en headers, CSV in UTF-8
with a BOM, XLSX with column widths, wrapped text and a frozen header row. Embedded as data: links, so the
file holds exactly the figures shown."""
from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font

from incentives import cells

from ..i18n import lang

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of a download: its header in each language and its width in Excel characters."""
    zh: str
    en: str
    width: int = 14
    wrap: bool = False

    def header(self) -> str:
        """The header in the page's language."""
        return self.en if lang() == "en" else self.zh


@dataclass(frozen=True)
class Sheet:
    """A table as the pages write it: a title and notes above it (XLSX only) and rows of text or numbers."""
    name: str
    columns: tuple[Column, ...]
    rows: list[list]
    title: str = ""
    notes: tuple[str, ...] = ()


def _value(value) -> object:
    """A value as written: numbers as numbers, anything else as text (never None)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def csv_text(sheet: Sheet) -> str:
    """The sheet as CSV: a UTF-8 BOM, one header line, the rows; every cell neutralised by incentives.cells."""
    return cells.csv_text([[c.header() for c in sheet.columns], *[[_value(v) for v in row] for row in sheet.rows]])


def _row(ws, values) -> list:
    # incentives.cells decides each cell (text stays text with Excel's quote prefix where risky; never a formula)
    return [cells._xlsx_cell(ws, _value(v), Cell) for v in values]


def rows_of_csv(text: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV the service wrote (BOM and the cells' neutralising apostrophes taken off)."""
    rows = [[c.removeprefix("'") if cells.is_risky(c.removeprefix("'")) else c for c in row]
            for row in csv.reader(io.StringIO(text.removeprefix(cells.BOM)))]
    return rows[0], rows[1:]


def xlsx_bytes(sheet: Sheet) -> bytes:
    """The sheet as a workbook: optional title and notes, a bold frozen header, widths and wrapped long text."""
    book = Workbook()
    ws = book.active
    ws.title = sheet.name[:31]
    if sheet.title:
        ws.append(_row(ws, [sheet.title]))
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    header_row = ws.max_row + 1 if sheet.title else 1
    ws.append(_row(ws, [c.header() for c in sheet.columns]))
    for n, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=header_row, column=n)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = col.width
    for row in sheet.rows:
        ws.append(_row(ws, row))
    for n, col in enumerate(sheet.columns, start=1):
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=n, max_col=n):
            cell.alignment = Alignment(wrap_text=col.wrap, vertical="top")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for note in sheet.notes:
        ws.append([])
        ws.append(_row(ws, [note]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def data_uri(content: bytes | str, media_type: str) -> str:
    """A base64 data: URI of `content` (text is written as UTF-8)."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    charset = ";charset=utf-8" if isinstance(content, str) else ""
    return f"data:{media_type}{charset};base64,{base64.b64encode(raw).decode('ascii')}"


def links(sheet: Sheet) -> dict:
    """{csv, xlsx} data: links of one sheet."""
    return {"csv": data_uri(csv_text(sheet), "text/csv"), "xlsx": data_uri(xlsx_bytes(sheet), XLSX)}
