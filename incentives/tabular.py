"""Strict reading of uploaded tables (CSV in UTF-8/GBK, XLSX) into string DataFrames with file line numbers.

Used by every upload (monitoring files, enterprise imports). Decoding never guesses: UTF-8 (with or
without BOM), then GB18030 (a superset of GBK), else the file is refused (house style gotcha 13).
"""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
ROW = "row"  # the file line number column: header = 1, first data row = 2


class FileProblem(ValueError):
    """An upload that cannot be read: `status` 400 (undecodable), 413 (too many rows) or 422 (bad shape)."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def text_encoding(data: bytes) -> str:
    """The codec that decodes `data` strictly: 'utf-8-sig' or 'gb18030'; FileProblem(400) if neither."""
    try:
        data.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        raise FileProblem(400, "neither UTF-8 nor GBK/GB18030", [
            {"row": line, "column": None,
             "message": f"undecodable byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line})"}]) from None


def decode_text(data: bytes) -> str:
    """Decode an upload strictly: utf-8-sig, then gb18030, else FileProblem(400); never guesses."""
    return data.decode(text_encoding(data))


def is_xlsx(data: bytes, filename: str | None = None, content_type: str | None = None) -> bool:
    """Whether an upload is an XLSX workbook (zip magic bytes, the XLSX media type or an .xlsx name)."""
    return (data[:4] == ZIP_MAGIC
            or (content_type or "").split(";")[0].strip().lower() == XLSX_MEDIA_TYPE
            or (filename or "").lower().endswith(".xlsx"))


def read_table(data: bytes, *, filename: str | None = None, content_type: str | None = None,
               max_rows: int = 100_000, aliases: dict[str, str] | None = None,
               required: tuple | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX upload into a DataFrame of stripped str values plus an int `row` (file line).

    Headers are stripped and mapped through `aliases` (zh or en -> canonical); unknown headers are kept.
    `df.attrs["headers"]` maps each canonical name back to the header as written, for error messages.
    """
    if not data:
        raise FileProblem(422, "file has no rows", [{"row": 1, "column": None, "message": "empty file"}])
    frame = _read_xlsx(data) if is_xlsx(data, filename, content_type) else _read_csv(data)
    return _finish(frame, max_rows=max_rows, aliases=aliases or {}, required=tuple(required or ()))


def _read_csv(data: bytes) -> tuple[pd.DataFrame, bool]:
    try:
        # The C parser decodes strictly (encoding_errors="strict"); a failure falls back to the full check.
        frame = _parse_csv(data, "utf-8-sig")
    except UnicodeDecodeError:
        frame = _parse_csv(data, text_encoding(data))
    # Only files holding an ASCII space or tab are stripped (a memchr-speed scan; then str.strip also
    # removes full-width spaces). A value padded only with full-width spaces is reported, not guessed.
    needs_strip = b" " in data or b"\t" in data
    return frame, needs_strip


def _parse_csv(data: bytes, encoding: str) -> pd.DataFrame:
    try:
        # skip_blank_lines=False keeps row numbers equal to file lines; blank rows are dropped later.
        return pd.read_csv(io.BytesIO(data), encoding=encoding, encoding_errors="strict", dtype=object,
                           keep_default_na=False, na_filter=False, header=None, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise FileProblem(422, "file has no rows", [{"row": 1, "column": None, "message": "empty file"}]) from None
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise FileProblem(422, "malformed CSV", [{"row": row, "column": None, "message": str(exc)}]) from None


def _read_xlsx(data: bytes) -> tuple[pd.DataFrame, bool]:
    import openpyxl  # imported lazily: only XLSX uploads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(400, "not a readable XLSX workbook", [
            {"row": None, "column": None, "message": str(exc) or type(exc).__name__}]) from None
    sheet = book.worksheets[0]
    errors = []
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= 1:
            errors.append({"row": 1, "column": merged.coord, "message": "merged cells in the header row"})
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":
                errors.append({"row": cell.row, "column": cell.column_letter,
                               "message": f"cell {cell.coordinate} holds a formula; send values only"})
    book.close()
    if errors:
        raise FileProblem(422, "workbook has formulas or a merged header", errors)
    frame = pd.read_excel(io.BytesIO(data), engine="calamine", dtype=str, header=None,
                          keep_default_na=False, na_filter=False)
    return frame, True


def _finish(read: tuple[pd.DataFrame, bool], *, max_rows: int, aliases: dict[str, str],
            required: tuple) -> pd.DataFrame:
    raw, needs_strip = read
    if raw.shape[0] == 0:
        raise FileProblem(422, "file has no rows", [{"row": 1, "column": None, "message": "no header"}])
    header = [str(h).strip() for h in raw.iloc[0].tolist()]
    body = raw.iloc[1:]
    if needs_strip:
        body = body.apply(lambda col: col.str.strip())
    blank = np.ones(len(body), dtype=bool)
    for position in range(body.shape[1]):  # narrow down column by column: cheap on large files
        candidates = np.flatnonzero(blank)
        if candidates.size == 0:
            break
        blank[candidates] = body.iloc[candidates, position].to_numpy(dtype=object) == ""
    rows = np.arange(2, len(body) + 2, dtype=np.int64)[~blank]
    if blank.any():
        body = body.loc[~blank]
    if len(body) == 0:
        raise FileProblem(422, "file has no rows", [{"row": 2, "column": None, "message": "only a header"}])
    if len(body) > max_rows:
        raise FileProblem(413, f"file has {len(body)} rows; at most {max_rows} are accepted",
                          [{"row": int(rows[max_rows]), "column": None, "message": "row limit exceeded"}])
    errors = []
    names: list[str] = []
    written: dict[str, str] = {}
    for position, head in enumerate(header):
        if head == "":
            if (body.iloc[:, position] != "").any():
                errors.append({"row": 1, "column": f"#{position + 1}", "message": "column without a header"})
            names.append(f"#{position + 1}")
            continue
        name = aliases.get(head, aliases.get(head.lower(), head))
        if name in written:
            errors.append({"row": 1, "column": head, "message": f"duplicate column (also {written[name]!r})"})
        written[name] = head
        names.append(name)
    missing = [c for c in required if c not in written]
    if missing:
        errors.append({"row": 1, "column": ", ".join(missing), "message": "missing required column(s)"})
    if errors:
        raise FileProblem(422, "the header row is invalid", errors)
    # dtype=object keeps plain str values (no costly inference to pandas' string dtype).
    frame = body.set_axis(names, axis=1).drop(columns=[n for n in names if n.startswith("#")])
    frame.insert(len(frame.columns), ROW, rows)
    frame.attrs["headers"] = written
    return frame
