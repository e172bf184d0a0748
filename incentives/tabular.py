"""Strict reading of uploaded tables (CSV in UTF-8/GBK, XLSX) into string DataFrames with file line numbers.

CSV files are read by DuckDB's CSV reader (strict field counts; every malformed line is reported with
its line number); XLSX by calamine after openpyxl's formula and merged-header checks.

Used by every upload (monitoring files, enterprise imports). Decoding never guesses: UTF-8 (with or
without BOM), then GB18030 (a superset of GBK), else the file is refused (house style gotcha 13).
"""
from __future__ import annotations

import csv
import io
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
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


def is_parquet(data: bytes, filename: str | None = None) -> bool:
    """Whether an upload is a Parquet file (magic bytes `PAR1`, or a .parquet name)."""
    return data[:4] == PARQUET_MAGIC or (filename or "").lower().endswith(".parquet")


_DUCKDB_SETTINGS: ContextVar[tuple] = ContextVar("duckdb_settings", default=())


@contextmanager
def duckdb_settings(*, memory_limit: str | None = None, threads: int | None = None,
                    temp_directory: str | None = None) -> Iterator[None]:
    """Run the reads inside with DuckDB's memory limit (it spills to `temp_directory`) and thread count."""
    given = {"memory_limit": memory_limit, "threads": threads, "temp_directory": temp_directory}
    token = _DUCKDB_SETTINGS.set(tuple((k, v) for k, v in given.items() if v is not None))
    try:
        yield
    finally:
        _DUCKDB_SETTINGS.reset(token)


_LOCAL = threading.local()


@contextmanager
def _connect():
    """This thread's in-memory DuckDB (opening one costs ~0.1 s: a batch reads thousands of files) with
    the current duckdb_settings; the read's reject tables are dropped afterwards."""
    import duckdb
    con = getattr(_LOCAL, "con", None)
    if con is None or getattr(_LOCAL, "pid", None) != os.getpid():
        con = _LOCAL.con = duckdb.connect()
        _LOCAL.pid, _LOCAL.settings = os.getpid(), ()
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")   # a service never draws on the terminal
    settings = _DUCKDB_SETTINGS.get()
    if settings != _LOCAL.settings:
        for name in ("memory_limit", "threads", "temp_directory"):
            con.execute(f"RESET {name}")
        for name, value in settings:
            con.execute(f"SET {name} = ?", [value])  # names from duckdb_settings only
        _LOCAL.settings = settings
    try:
        yield con
    finally:
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")


duckdb_connection = _connect   # the batch's SQL (incentives/tax/batch.py) runs on the same connection and settings


def read_table(data: bytes, *, filename: str | None = None, content_type: str | None = None,
               max_rows: int = 100_000, aliases: dict[str, str] | None = None,
               required: tuple | None = None, categorical: bool = False) -> pd.DataFrame:
    """Read a CSV or XLSX upload into a DataFrame of stripped str values plus an int `row` (file line).

    Headers are stripped and mapped through `aliases` (zh or en -> canonical); unknown headers are kept.
    `df.attrs["headers"]` maps each canonical name back to the header as written, for error messages.
    A CSV is read by DuckDB's reader; `categorical=True` returns its columns as pandas Categoricals of
    the same str values (DuckDB's dictionary: no Python str per cell for large monitoring files).
    """
    if not data:
        raise FileProblem(422, "file has no rows", [{"row": 1, "column": None, "message": "empty file"}])
    if is_xlsx(data, filename, content_type):
        return _finish(_read_xlsx(data, max_rows), max_rows=max_rows, aliases=aliases or {}, required=tuple(required or ()))
    read = _read_parquet_duckdb(data) if is_parquet(data, filename) else _read_csv_duckdb(data)
    frame = _finish_columns(*read, max_rows=max_rows, aliases=aliases or {},
                            required=tuple(required or ()))
    if not categorical:
        for name in frame.columns.drop(ROW):
            frame[name] = frame[name].astype(object)
    return frame


def _read_csv_duckdb(data: bytes):
    """A CSV read by DuckDB (all text, strict field counts): (header, [(codes, values)], lines, strip?).

    Decoding stays strict and never guesses: DuckDB checks UTF-8 itself; a file it finds invalid is
    decoded by `text_encoding` (GB18030, else 400 naming the line) and read again as UTF-8. Every
    malformed line (a wrong field count, an unterminated quote) is reported with its file line number.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data:  # CRLF, and old Mac line ends (a lone CR ends a line too), read as LF
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    table, rejects = _duckdb_csv(data)
    if any(kind == "INVALID ENCODING" for _, kind, _ in rejects):
        encoding = text_encoding(data)  # GB18030, or FileProblem(400) naming the undecodable line
        data = data.decode(encoding).encode("utf-8")
        table, rejects = _duckdb_csv(data)
    if rejects:
        raise FileProblem(422, f"malformed CSV: {len(rejects)} line(s) cannot be read", [
            {"row": line, "column": None, "message": message} for line, _, message in sorted(rejects)])
    if table is None or table.num_rows == 0:
        raise FileProblem(422, "file has no rows", [{"row": 1, "column": None, "message": "empty file"}])
    header = [str(v) for v in table.slice(0, 1).to_pylist()[0].values()]
    columns = []
    for column in table.slice(1).columns:  # the body's own distinct values (the header is not one of them)
        encoded = column.combine_chunks().dictionary_encode()
        values = np.asarray(encoded.dictionary.to_pylist() or [""], dtype=object)[: len(encoded.dictionary)]
        columns.append((encoded.indices.to_numpy(zero_copy_only=False), values))
    lines = _line_numbers(data, table.num_rows)
    return header, columns, lines[1:], b" " in data or b"\t" in data


def _duckdb_csv(data: bytes):
    """(the file as an Arrow table of text, [(line, kind, message)] of the lines DuckDB refused)."""
    import tempfile

    import duckdb
    first = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        ncols = len(next(csv.reader([first.decode("utf-8", errors="replace")]), [""])) or 1
    except csv.Error:
        ncols = first.count(b",") + 1
    names = [f"c{i}" for i in range(ncols)]
    select = ", ".join(f"coalesce({n}, '') AS {n}" for n in names)
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle, _connect() as con:
        handle.write(data)
        handle.flush()
        try:
            table = con.sql(
                f"SELECT {select} FROM read_csv(?, header = false, auto_detect = false, columns = {columns}, "
                "delim = ',', quote = '\"', escape = '\"', new_line = '\\n', strict_mode = true, "
                "null_padding = false, store_rejects = true, max_line_size = 1048576)",
                params=[handle.name]).to_arrow_table()
            rejects = con.execute("SELECT line, error_type, error_message FROM reject_errors").fetchall()
        except duckdb.Error as exc:
            raise FileProblem(422, "malformed CSV", [{"row": None, "column": None, "message": str(exc)}]) from None
    rejects = [(int(line), str(kind), f"{kind.lower()}: {message}") for line, kind, message in rejects]
    return table, rejects


def _read_parquet_duckdb(data: bytes):
    """A Parquet file read by DuckDB, every column as text: (header, [(codes, values)], rows, strip?).

    Records are numbered as a CSV's lines would be (header = 1, first record = 2)."""
    import tempfile

    import duckdb
    with tempfile.NamedTemporaryFile(suffix=".parquet") as handle, _connect() as con:
        handle.write(data)
        handle.flush()
        try:
            names = [row[0] for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [handle.name]).fetchall()]
            select = ", ".join(f'coalesce(CAST("{n.replace(chr(34), chr(34) * 2)}" AS VARCHAR), \'\')' for n in names)
            table = con.sql(f"SELECT {select} FROM read_parquet(?)", params=[handle.name]).to_arrow_table()
        except duckdb.Error as exc:
            raise FileProblem(400, "not a readable Parquet file",
                              [{"row": None, "column": None, "message": str(exc)}]) from None
    columns = []
    for column in table.columns:
        encoded = column.combine_chunks().dictionary_encode()
        values = np.asarray(encoded.dictionary.to_pylist() or [""], dtype=object)[: len(encoded.dictionary)]
        columns.append((encoded.indices.to_numpy(zero_copy_only=False), values))
    return [str(n) for n in names], columns, np.arange(2, table.num_rows + 2, dtype=np.int64), True


def _line_numbers(data: bytes, count: int) -> np.ndarray:
    """The file line of each of the `count` records DuckDB read (it skips empty lines; line ends are LF)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    if len(buf) and buf[-1] != 10:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else np.zeros(0, dtype=np.int64)
    lines = np.flatnonzero(ends > starts) + 1
    if len(lines) == count:
        return lines.astype(np.int64)
    # a quoted field spans lines: the stdlib reader tells where each record starts
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    out, previous = [], 0
    for row in reader:
        if row:
            out.append(previous + 1)
        previous = reader.line_num
    return np.array(out[:count], dtype=np.int64)


def _finish_columns(header: list[str], columns: list, rows: np.ndarray, needs_strip: bool, *, max_rows: int,
                    aliases: dict[str, str], required: tuple) -> pd.DataFrame:
    """_finish for byte-wise columns: stripped values, blank rows dropped, the same header checks."""
    header = [h.strip() for h in header]
    stripped = []
    for codes, values in columns:
        if not needs_strip:
            stripped.append((codes, values))
            continue
        clean = np.array([v.strip() for v in values] or [""], dtype=object)[: len(values)]
        merged, uniques = pd.factorize(clean)  # " a" and "a" become one value
        stripped.append((merged[codes] if len(values) else codes, np.asarray(uniques, dtype=object)))
    empties = [(codes, values == "") for codes, values in stripped if len(values)]
    if len(empties) < len(stripped) or any(not empty.any() for _, empty in empties):
        blank = None  # a column without an empty value: no row is blank
    else:
        blank = np.ones(len(rows), dtype=bool)
        for codes, empty in empties:
            blank &= empty[codes]
    if blank is not None and blank.any():
        keep = ~blank
        rows = rows[keep]
        stripped = [(codes[keep], values) for codes, values in stripped]
    if len(rows) == 0:
        raise FileProblem(422, "file has no rows", [{"row": 2, "column": None, "message": "only a header"}])
    if len(rows) > max_rows:
        raise FileProblem(413, f"file has {len(rows)} rows; at most {max_rows} are accepted",
                          [{"row": int(rows[max_rows]), "column": None, "message": "row limit exceeded"}])
    names, written = _header_names(header, lambda position: bool(
        (stripped[position][1] != "")[stripped[position][0]].any()), aliases, required)
    frame = pd.DataFrame({name: pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype=object))
                          for name, (codes, values) in zip(names, stripped) if not name.startswith("#")})
    frame[ROW] = rows
    frame.attrs["headers"] = written
    return frame


MAX_XLSX_CELLS = 1_000_000        # rows × columns of a sheet's used range (a year of hourly data fits); larger as CSV
MAX_XLSX_UNZIPPED = 256 * 1024 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?\"")
# Literal-led patterns (fast scans): a cell reference ` r="AB12"`, a row number ` r="12"`.
_CELL_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb' r="([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_xlsx_shape(data: bytes, max_rows: int) -> None:
    """Refuse (413) a workbook whose sheets declare or hold more rows than `max_rows` (+ header) or a used
    range above MAX_XLSX_CELLS cells, before anything is materialised: the sheets' XML is streamed and
    scanned for its <dimension> and cell references, stopping at the first one past the limits (a 5 KB
    file with cells at A1 and Z200000 would otherwise become a 5.2 M-cell table)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(400, "not a readable XLSX workbook", [
            {"row": None, "column": None, "message": str(exc) or type(exc).__name__}]) from None
    with book:
        infos = book.infolist()
        if sum(i.file_size for i in infos) > MAX_XLSX_UNZIPPED:
            raise FileProblem(413, f"the workbook unpacks to more than {MAX_XLSX_UNZIPPED // 2**20} MB",
                              [{"row": None, "column": None, "message": "too large unpacked; send CSV"}])
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _scan_sheet(book, info, max_rows)


def _scan_sheet(book: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int) -> None:
    rows_limit = max_rows + 1
    top_row = top_col = rows_seen = cells_seen = 0

    def check(row: int, col: int, cells: int = 0) -> None:
        if row > rows_limit or row * col > MAX_XLSX_CELLS or cells > MAX_XLSX_CELLS:
            raise FileProblem(413, f"sheet {info.filename.rsplit('/', 1)[-1]} spans {row} rows × {col} columns; "
                                   f"at most {max_rows} rows and {MAX_XLSX_CELLS} cells are accepted (send CSV)",
                              [{"row": row, "column": None, "message": "workbook too large"}])

    tail = b""
    with book.open(info) as stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            text = tail + chunk
            declared = _DIMENSION.search(text) if not tail else None   # <dimension> precedes the rows
            if declared:
                _, _, last_col, last_row = declared.groups()
                if last_col:
                    check(int(last_row), _column_number(last_col))
            for letters, number in _CELL_REF.findall(text):
                top_row, top_col = max(top_row, int(number)), max(top_col, _column_number(letters))
            for number in _ROW_REF.findall(text):
                top_row = max(top_row, int(number))
            rows_seen += chunk.count(b"<row")                # rows and cells without references count too
            cells_seen += chunk.count(b"<c>") + chunk.count(b"<c ")
            check(max(top_row, rows_seen), max(top_col, 1), cells_seen)
            tail = text[-256:]


def _read_xlsx(data: bytes, max_rows: int = 100_000) -> tuple[pd.DataFrame, bool]:
    import openpyxl  # imported lazily: only XLSX uploads need it

    check_xlsx_shape(data, max_rows)
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
    names, written = _header_names(header, lambda position: bool((body.iloc[:, position] != "").any()),
                                   aliases, required)
    # dtype=object keeps plain str values (no costly inference to pandas' string dtype).
    frame = body.set_axis(names, axis=1).drop(columns=[n for n in names if n.startswith("#")])
    frame.insert(len(frame.columns), ROW, rows)
    frame.attrs["headers"] = written
    return frame


def _header_names(header: list[str], has_values, aliases: dict[str, str], required: tuple):
    """Canonical column names ("#n" for an unnamed empty column) and canonical -> header as written."""
    errors = []
    names: list[str] = []
    written: dict[str, str] = {}
    for position, head in enumerate(header):
        if head == "":
            if has_values(position):
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
    return names, written
