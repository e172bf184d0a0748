"""The batch's aggregation in DuckDB: a monitoring CSV → outlet × pollutant × month groups, out of core.

A province's files hold tens of millions of hourly rows; holding one in pandas costs about 350 bytes a
row. Here DuckDB scans the file under its memory limit (spilling to its temp directory: tabular's
`duckdb_settings`), checks the rows and sums them per (taxpayer, outlet, pollutant, month) in SQL; the
law then runs on those few aggregates through `assessment.assess_groups`, the very function the single
assessment applies (one definition of tiers, gates, top three, rates and rounding).

Only files the SQL reads exactly as the single path would are aggregated here: UTF-8 CSV, one record a
line, the measurement columns (uscc, outlet, pollutant, time, concentration, flow, standard, source),
ISO minute times and plain decimals. Anything else — another format or encoding, another column, a row
the single path would refuse or correct — returns None, and the caller assesses the file by the single
path, which reads, checks and reports it as an upload (its row errors, its 3 M-row cap).
"""
from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from ..reference import reference
from ..tabular import duckdb_connection
from .parameters import TaxParameters
from .records import (
    FIRST_YEAR,
    LAST_YEAR,
    MONITORING_ALIASES,
    PARTICULATE_NAMES,
    SOURCES,
)

COLUMNS = ("uscc", "outlet", "pollutant", "time", "concentration", "flow", "standard", "source")
REQUIRED = ("outlet", "pollutant", "time", "concentration", "flow")
DECIMALS = 6                                   # plain decimals up to 6 places are read exactly as DECIMAL(18, 6)
NUMBER = rf"[0-9]{{1,12}}(\.[0-9]{{1,{DECIMALS}}})?"   # below 10^12 (records.NUMBER_LIMIT)
TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
SPACE = r"^[\s\pZ]|[\s\pZ]$"                   # whitespace a trim of spaces leaves (tabs, NBSP…): not ours
MAX_DISTINCT = 10_000                          # distinct pollutant, source, standard or uscc texts per file


class Taxpayer:
    """One taxpayer's groups of a file, and the file's HoursAbove (a second scan, on demand)."""

    def __init__(self, uscc: str | None, groups: list[dict], hours_above: HoursAbove):
        self.uscc, self.groups, self.hours_above = uscc, groups, hours_above


def _header(path: Path) -> list[str] | None:
    """The canonical column names of the first line, or None if it is not a header the SQL path reads."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20)
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
        names = next(csv.reader([text]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    canonical = [MONITORING_ALIASES.get(n.strip(), MONITORING_ALIASES.get(n.strip().lower())) for n in names]
    if any(c not in COLUMNS for c in canonical) or len(set(canonical)) != len(canonical):
        return None
    return canonical if all(r in canonical for r in REQUIRED) else None


def _lines(path: Path) -> tuple[int, bool]:
    """(the file's lines, whether it has a bare CR): a record per line is what maps DuckDB's ordinal to a line."""
    count, last, bare_cr = 0, b"\n", False
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
            bare_cr = bare_cr or chunk.count(b"\r") > chunk.count(b"\r\n") + (chunk.endswith(b"\r"))
            last = chunk[-1:]
    return count + (last != b"\n"), bare_cr


def _read(path: Path, width: int) -> str:
    """The file's records after the header as SQL, every field text, with the record's ordinal (1 = line 2)."""
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    aliases = ", ".join(f"c{i}" for i in range(width))
    return (f"read_csv('{_quote(path)}', header = false, skip = 1, auto_detect = false, columns = {{{cols}}}, "
            "delim = ',', quote = '\"', escape = '\"', "     # LF or CRLF line ends (a bare CR: not here)
            "strict_mode = true, null_padding = false, max_line_size = 1048576) "
            f"WITH ORDINALITY AS r({aliases}, ordinal)")


def _rows(read: str, names: list[str]) -> str:
    """The records as SQL: file line, trimmed text of each column ('' when absent), and whether the row is
    blank (every field empty: the single path drops it)."""
    fields = ", ".join(f"trim(coalesce(c{names.index(c)}, ''), ' ') AS {c}" if c in names else f"'' AS {c}"
                       for c in COLUMNS)
    blank = " AND ".join(f"coalesce(c{i}, '') = ''" for i in range(len(names)))
    return f"SELECT ordinal + 1 AS line, {fields}, ({blank}) AS blank FROM {read}"


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _pollutant_items(names: list[str], parameters: TaxParameters) -> dict[str, int] | None:
    """Each pollutant text's 附表二 item, as records._pollutants maps it; None if one is refused there."""
    ref = reference()
    out = {}
    for name in names:
        code = ref.pollutant_by_name.get(name) or ref.pollutant_by_name.get(name.lower())
        if code is None and name in PARTICULATE_NAMES and parameters.particulate_item != "reject":
            code = parameters.particulate_item
        if code is None:
            return None
        out[name] = ref.pollutants[code].item_no
    return out


def _agency(names: list[str]) -> dict[str, bool] | None:
    """Each source text: agency or not (records._sources); None if one is unknown or an estimate."""
    out = {}
    for name in names:
        kind = SOURCES.get(name, SOURCES.get(name.lower())) if name else "cems"
        if kind not in ("cems", "agency"):
            return None
        out[name] = kind == "agency"
    return out


def _standards(texts: list[str]) -> dict[str, Decimal] | None:
    out = {}
    for text in texts:
        if text == "":
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        if not (value.is_finite() and value > 0):
            return None
        out[text] = value
    return out


def _usccs(texts: list[str]) -> dict[str, str] | None:
    """Each uscc text as the single path cleans it; None if one is invalid or two texts name one taxpayer."""
    from .. import uscc as uscc_codes
    cleaned = {t: t.strip().upper() for t in texts}
    if not all(uscc_codes.is_valid(c) for c in cleaned.values()) or len(set(cleaned.values())) != len(cleaned):
        return None
    return cleaned


def _values(pairs) -> str:
    return ", ".join("(" + ", ".join(_literal(v) for v in pair) + ")" for pair in pairs)


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def aggregate_csv(path: str | Path, parameters: TaxParameters, *, named: str | None) -> list[Taxpayer] | None:
    """The taxpayers of a monitoring CSV with their outlet × pollutant × month groups, aggregated by DuckDB in
    one scan (out of core under the current duckdb_settings); None when the file is not one the SQL path
    reads exactly as the single path does (the caller then assesses it by the single path)."""
    import duckdb
    path = Path(path)
    names = _header(path)
    if names is None or ("uscc" not in names and named is None):
        return None
    lines, bare_cr = _lines(path)
    if bare_cr:
        return None
    rows = _rows(_read(path, len(names)), names)
    with duckdb_connection() as con:
        try:
            found = con.execute(_ONE_PASS.format(rows=rows, text=_TEXT, number=NUMBER, time=TIME, first=FIRST_YEAR,
                                                 last=LAST_YEAR)).fetchall()
        except duckdb.Error:
            return None                                          # unreadable as we read it: the single path reports
    # a record per line: DuckDB's ordinal + 1 is the file line (header = 1), as the single path numbers
    if sum(g[6] for g in found) + 1 != lines or any(g[7] for g in found):
        return None
    groups = [g for g in found if not g[0]]
    texts = {c: sorted({g[i] for g in groups}) for c, i in (("uscc", 1), ("pollutant", 3), ("source", 4))}
    if not groups or any(len(v) > MAX_DISTINCT for v in texts.values()):
        return None
    items, agency = _pollutant_items(texts["pollutant"], parameters), _agency(texts["source"])
    standards = _standards(sorted({g[12] for g in groups if g[12] is not None}))
    usccs = _usccs([u for u in texts["uscc"] if u != ""])
    if items is None or agency is None or standards is None or usccs is None:
        return None
    if "uscc" in names and "" in texts["uscc"]:
        return None                                      # a row without its taxpayer: the single path says so
    keyed: dict[tuple, tuple] = {}
    for g in groups:
        key = (g[1], g[2], items[g[3]], g[5])
        hours = g[16] if agency[g[4]] else g[17]     # 条例 第十条: one value an hour (an agency sample: a minute)
        if key in keyed or g[6] != hours or g[13] > 1:
            # two texts of one pollutant or source in a group, a duplicate hour, or two standards: single path
            return None
        keyed[key] = g
    measured = _measured(rows, items, agency)
    return _taxpayers(keyed, agency, standards, usccs, named, measured)


def _measured(rows: str, items: dict[str, int], agency: dict[str, bool]) -> str:
    """The rows as measurements: item, exact numbers, time, agency flag (small mapping tables joined)."""
    return f"""
        SELECT v.line, v.uscc, v.outlet, p.item, s.agency, v.standard,
               CAST(v.concentration AS DECIMAL(18, {DECIMALS})) AS c, CAST(v.flow AS DECIMAL(18, {DECIMALS})) AS f,
               strptime(replace(v.time, 'T', ' '), '%Y-%m-%d %H:%M') AS t
        FROM ({rows}) v
        JOIN (VALUES {_values(items.items())}) p(name, item) ON v.pollutant = p.name
        JOIN (VALUES {_values(agency.items())}) s(name, agency) ON v.source = s.name
        WHERE NOT v.blank"""


_TEXT = " OR ".join(f"regexp_matches({c}, '{SPACE}')" for c in ("uscc", "outlet", "pollutant", "source", "standard"))
# Per (taxpayer, outlet, pollutant text, source text, month), in one scan: what assessment._measurement_groups
# computes from the rows (§3.3: Σ concentration × flow ÷ 10^6 kg; the mean of the hourly values; the first
# highest value and its hour; Σ flow), the row checks of records.parse_records (numbers, times, text) and
# those that span rows (one value an hour or minute, one standard). Blank rows form their own groups.
_ONE_PASS = """
    SELECT blank, uscc, outlet, pollutant, source, strftime(t, '%Y-%m') AS month,
           count(*) AS records,
           count(*) FILTER (WHERE NOT blank AND (outlet = '' OR pollutant = '' OR {text}
                              OR NOT regexp_full_match(concentration, '{number}') OR NOT regexp_full_match(flow, '{number}')
                              OR NOT regexp_full_match(time, '{time}') OR t IS NULL
                              OR year(t) NOT BETWEEN {first} AND {last})) AS bad,
           min(line) AS first_line, sum(c) AS conc_sum, sum(CAST(c AS DECIMAL(38, 6)) * CAST(f AS DECIMAL(38, 6))) AS load,
           sum(f) AS flow_sum, max(nullif(standard, '')) AS standard, count(DISTINCT nullif(standard, '')) AS n_std,
           max(c) AS cmax, arg_max(line, (c, -line)) AS max_line,
           count(DISTINCT t) AS minutes, count(DISTINCT date_trunc('hour', t)) AS hours,
           strftime(arg_max(t, (c, -line)), '%Y-%m-%d %H:%M') AS max_time
    FROM (SELECT *, TRY_CAST(concentration AS DECIMAL(18, 6)) AS c, TRY_CAST(flow AS DECIMAL(18, 6)) AS f,
                 try_strptime(replace(time, 'T', ' '), '%Y-%m-%d %H:%M') AS t
          FROM ({rows}))
    GROUP BY ALL"""


def _taxpayers(keyed, agency, standards, usccs, named, measured) -> list[Taxpayer]:
    """Group dicts as assessment.assess_groups reads them, per taxpayer in the single path's order: outlets
    by first appearance in the file, then 附表二 item and month; taxpayers by their sorted uscc texts."""
    first_seen: dict[str, int] = {}
    for g in keyed.values():
        first_seen[g[2]] = min(first_seen.get(g[2], g[8]), g[8])
    by_uscc: dict[str, list[dict]] = {}
    scale = Fraction(10 ** 6)
    for key in sorted(keyed, key=lambda k: (first_seen[k[1]], k[2], k[3])):
        g = keyed[key]
        uscc, outlet, item, month = key
        n = int(g[6])
        by_uscc.setdefault(uscc, []).append({
            "outlet": outlet, "item": item, "month": month, "source": "agency" if agency[g[4]] else "cems",
            "n": n, "mean": Fraction(g[9]) / n, "max": Fraction(g[14]), "max_time": g[18], "max_row": int(g[15]),
            "emission": Fraction(g[10]) / scale, "exhaust": Fraction(g[11]),
            "record_standard": standards[g[12]] if g[12] is not None else None,
            "over_range": 0, "over_time": None, "over_row": None, "key": key})
    hours_above = HoursAbove(measured)
    order = sorted(by_uscc) if usccs else list(by_uscc)
    return [Taxpayer(usccs.get(u, named) if usccs else named, by_uscc[u], hours_above) for u in order]


class HoursAbove:
    """hours_above for the taxpayers of one file: the hours whose value is above S, per failing group, counted
    in one scan (exact: c × 10^6 × den > num × 10^6 with S = num/den); only explanations word the count.
    `collect` notes a taxpayer's failing groups without counting (a dry run of the law), `count` then scans
    once for all of them, so a province file is not scanned once per taxpayer."""

    def __init__(self, measured: str):
        self.measured, self.wanted, self.counts = measured, {}, {}

    def collect(self, failing: list[dict]) -> None:
        for g in failing:
            # S's terms as HUGEINT literals: a standard with more digits is left uncounted (the text omits it)
            if g.get("S") is not None and max(g["S"].numerator, g["S"].denominator) < 10 ** 30:
                self.wanted.setdefault(g["key"], g["S"])

    def count(self) -> None:
        import duckdb
        todo = {k: S for k, S in self.wanted.items() if k not in self.counts}
        if not todo:
            return
        table = _values((*key, S.numerator, S.denominator) for key, S in todo.items())
        with duckdb_connection() as con:
            try:
                counted = con.execute(f"""
                    SELECT uscc, outlet, item, strftime(t, '%Y-%m'),
                           count(*) FILTER (WHERE CAST(c * 1000000 AS HUGEINT) * CAST(s.den AS HUGEINT)
                                                  > CAST(s.num AS HUGEINT) * 1000000)
                    FROM ({self.measured}) m
                    JOIN (VALUES {table}) s(su, so, si, sm, num, den)
                      ON m.uscc = s.su AND m.outlet = s.so AND m.item = s.si AND strftime(m.t, '%Y-%m') = s.sm
                    GROUP BY ALL""").fetchall()
            except duckdb.Error:
                return                                   # the count only words the explanation; figures stand
        self.counts.update({key: 0 for key in todo})
        self.counts.update({(u, o, i, m): int(k) for u, o, i, m, k in counted})

    def __call__(self, failing: list[dict]) -> None:
        self.collect(failing)
        self.count()
        for g in failing:
            if g["key"] in self.counts and self.wanted.get(g["key"]) == g.get("S"):
                g["above"] = self.counts[g["key"]]
