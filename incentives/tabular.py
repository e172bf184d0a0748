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

try:  # pd.factorize itself, minus its hash table sized for every value (tens of MB of fresh pages per call)
    from pandas.core.algorithms import factorize_array as _factorize_array
except ImportError:  # pragma: no cover - an older or newer pandas: the public function, same answer
    _factorize_array = None

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
               required: tuple | None = None, categorical: bool = False) -> pd.DataFrame:
    """Read a CSV or XLSX upload into a DataFrame of stripped str values plus an int `row` (file line).

    Headers are stripped and mapped through `aliases` (zh or en -> canonical); unknown headers are kept.
    `df.attrs["headers"]` maps each canonical name back to the header as written, for error messages.
    `categorical=True` lets a plain CSV (no quotes, one field count) come back as pandas Categoricals of
    the same str values, read byte-wise without making a Python str per cell (large monitoring files).
    """
    if not data:
        raise FileProblem(422, "file has no rows", [{"row": 1, "column": None, "message": "empty file"}])
    if is_xlsx(data, filename, content_type):
        frame = _read_xlsx(data, max_rows)
    else:
        fast = _read_csv_columns(data) if categorical else None
        if fast is not None:
            return _finish_columns(*fast, max_rows=max_rows, aliases=aliases or {}, required=tuple(required or ()))
        frame = _read_csv(data)
    return _finish(frame, max_rows=max_rows, aliases=aliases or {}, required=tuple(required or ()))


_CHUNK = 1 << 20


class _Words:
    """The 8 bytes from any offset of `data` as one little-endian uint64 (zero past the end), no copy."""

    def __init__(self, data: bytes):
        self.size = len(data)
        self.main = (np.ndarray(shape=(self.size - 7,), dtype="<u8", buffer=data, strides=(1,))
                     if self.size >= 8 else np.zeros(0, dtype="<u8"))
        self.tail_at = max(self.size - 7, 0)
        tail = data[self.tail_at:] + bytes(8)
        self.tail = np.ndarray(shape=(len(tail) - 7,), dtype="<u8", buffer=tail, strides=(1,))

    def __getitem__(self, offsets: np.ndarray) -> np.ndarray:
        """The words at increasing `offsets` (so the last one says whether any reaches the tail)."""
        if not len(offsets) or offsets[-1] < self.tail_at:
            return self.main[offsets]
        late = offsets >= self.tail_at
        out = self.main[np.minimum(offsets, max(self.tail_at - 1, 0))] if len(self.main) else \
            np.zeros(len(offsets), dtype="<u8")
        out[late] = self.tail[np.minimum(offsets[late] - self.tail_at, len(self.tail) - 1)]
        return out


def _factorize(values: np.ndarray):
    """pd.factorize of a numeric array (codes in order of first appearance, uniques), with a hash table
    that starts small and grows with the distinct values instead of being sized for every value."""
    if _factorize_array is None:  # pragma: no cover
        return pd.factorize(values)
    return _factorize_array(values, size_hint=min(len(values), 1024))


def _factorize_words(words: np.ndarray):
    """_factorize of `words`, hashing only the first of each run of equal values when runs are long
    (monitoring files list one outlet and pollutant at a time); the same codes and uniques either way."""
    n = len(words)
    if n > 1024:
        heads = np.flatnonzero(words[1:] != words[:-1])
        if len(heads) * 8 < n:
            starts = np.concatenate((np.zeros(1, dtype=heads.dtype), heads + 1))
            part, uniques = _factorize(words[starts])
            if len(uniques) < 2**31:  # int32 codes: half the memory of the 2.6 M repeated codes
                part = part.astype(np.int32)
            return np.repeat(part, np.diff(np.append(starts, n))), uniques
    return _factorize(words)


_WORD_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _read_csv_columns(data: bytes):
    """A plain CSV read byte-wise: (header, [(codes, values)] per column, line numbers, strip?), or None.

    Plain means no quote, NUL or lone CR, and the header's field count on every line; anything else
    takes pandas' reader. Each column is factorised on its raw bytes (8 bytes per uint64 word) and only
    the distinct values are decoded, strictly: UTF-8 if they all are, else GB18030, else the full path
    (which reports the bad byte). Delimiters are ASCII, and no UTF-8 or GB18030 multi-byte character
    contains an ASCII delimiter byte, so this equals decoding the whole file first.
    """
    if b'"' in data or b"\x00" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    header_end = data.find(b"\n")
    ncols = data.count(b",", 0, header_end if header_end >= 0 else size) + 1
    # separator positions, a megabyte at a time so the temporaries stay in cache, into one array sized
    # for the header's field count on every line (more separators: not plain)
    lines = data.count(b"\n")
    seps = np.empty((lines + 1) * ncols, dtype=np.int32 if size < 2**31 - 16 else np.int64)
    filled = 0
    for off in range(0, size, _CHUNK):
        chunk = buf[off:off + _CHUNK]
        found = np.flatnonzero((chunk == 10) | (chunk == 44))
        if filled + len(found) > len(seps):
            return None
        np.add(found, off, out=seps[filled:filled + len(found)], casting="unsafe")  # fits: < size
        filled += len(found)
    seps = seps[:filled]
    if not data.endswith(b"\n"):
        seps = np.append(seps, np.array([size], dtype=seps.dtype))
        lines += 1
    # every line ends in a newline at its last separator, and there are no other newlines
    if len(seps) != lines * ncols or lines < 1:
        return None
    grid = seps.reshape(lines, ncols)
    last = grid[:, -1]
    if (buf[last[:-1]] != 10).any():
        return None
    crlf = b"\r" in data
    view = _Words(data)

    def bounds(j: int, body: bool):
        rows = slice(1, None) if body else slice(0, 1)
        if j:
            starts = grid[rows, j - 1] + 1
        else:
            starts = np.concatenate((np.zeros(1, dtype=last.dtype), last[:-1] + 1))[rows]
        ends = grid[rows, j]
        if crlf and j == ncols - 1:  # CRLF: the CR closes the last field
            cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
            ends = ends - cr
        return starts, ends

    position = np.arange(lines - 1, dtype=np.int32 if lines < 2**31 else np.int64)
    columns = [_factorize_bytes(view, *bounds(j, True), position) for j in range(ncols)]
    raw_header = [data[s:e] for s, e in (tuple(int(x[0]) for x in bounds(j, False)) for j in range(ncols))]
    ascii_values = [_ascii_fields(buf, first_s, first_e) for _, first_s, first_e in columns]
    for encoding in ("utf-8", "gb18030"):
        try:
            header = [h.decode(encoding) for h in raw_header]
            if encoding == "utf-8" and header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]  # utf-8-sig
            values = [plain if plain is not None else
                      np.array([data[s:e].decode(encoding) for s, e in zip(first_s, first_e)] + [""],
                               dtype=object)[: len(first_s)]
                      for (_, first_s, first_e), plain in zip(columns, ascii_values)]
        except UnicodeDecodeError:
            continue
        needs_strip = b" " in data or b"\t" in data  # as _read_csv decides
        return header, [(codes, v) for (codes, _, _), v in zip(columns, values)], np.arange(2, lines + 1), needs_strip
    return None


def _ascii_fields(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """The fields buf[s:e] as an object array of str in one numpy pass when they are all ASCII (which
    UTF-8 and GB18030 decode alike), else None. Fields hold no NUL (a plain CSV has none)."""
    widths = ends - starts
    wide = int(widths.max()) if len(widths) else 0
    if wide == 0 or len(widths) * wide > 1 << 26:
        return None
    span = np.arange(wide)
    cells = buf[np.minimum(starts[:, None] + span, len(buf) - 1)]
    cells[span >= widths[:, None]] = 0  # S dtype drops the trailing NULs
    if cells.max() >= 0x80:
        return None
    return cells.view(f"S{wide}").ravel().astype(f"U{wide}").astype(object)


def _factorize_bytes(view: _Words, starts: np.ndarray, ends: np.ndarray, position: np.ndarray):
    """Codes of one column's fields (equal bytes, equal code) and one (start, end) of each distinct field.

    `starts` increase (fields of one column, line by line); `position` is arange(len(starts))."""
    lengths = ends - starts
    n = len(starts)
    codes = np.zeros(n, dtype=np.int64)
    if n == 0:
        return codes, starts, ends
    k = 1
    widest, shortest = int(lengths.max()), int(lengths.min())
    for w in range((widest + 7) // 8 or 1):
        word = view[starts + 8 * w if w else starts]
        # keep each field's own bytes of this word: the rest belongs to the next fields
        if shortest >= 8 * (w + 1):
            pass  # every field fills the word
        elif shortest == widest:
            word &= _WORD_MASKS[min(max(widest - 8 * w, 0), 8)]  # one length, one mask
        elif w == 0 and widest <= 8:
            word &= _WORD_MASKS[lengths]  # lengths are 0..8 already: no clipped copy
        else:
            word &= _WORD_MASKS[np.clip(lengths - 8 * w, 0, 8)]
        part, uniques = _factorize_words(word)
        if w == 0:
            codes, k = part, len(uniques)
            continue
        key = codes.astype(np.int64) * len(uniques) + part
        if k * len(uniques) <= 4 * n + 1024:  # a dense relabel is cheaper than hashing
            present = np.zeros(k * len(uniques), dtype=bool)
            present[key] = True
            relabel = np.cumsum(present) - 1
            codes, k = relabel[key], int(relabel[-1]) + 1
        else:
            codes, uniques2 = _factorize(key)
            k = len(uniques2)
    at = np.empty(k, dtype=position.dtype)
    at[codes] = position  # any occurrence will do: equal codes, equal bytes
    return codes.astype(np.int32, copy=False) if k < 2**31 else codes, starts[at], ends[at]


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
