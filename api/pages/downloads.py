"""Downloads embedded in a result page as data: links, so the file holds exactly the figures shown."""
from __future__ import annotations

import base64
import csv
import io

from incentives import cells

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_uri(content: bytes | str, media_type: str) -> str:
    """A base64 data: URI of `content` (text is written as UTF-8)."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    charset = ";charset=utf-8" if isinstance(content, str) else ""
    return f"data:{media_type}{charset};base64,{base64.b64encode(raw).decode('ascii')}"


def xlsx_from_csv(text: str, sheet: str) -> bytes:
    """The same table as a one-sheet workbook (cells as text, as in the CSV; never a formula)."""
    rows = [[cell.removeprefix("'") if cells.is_risky(cell.removeprefix("'")) else cell for cell in row]
            for row in csv.reader(io.StringIO(text.removeprefix(cells.BOM)))]
    return cells.xlsx_bytes([(sheet, rows)])
