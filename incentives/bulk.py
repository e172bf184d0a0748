"""Bulk inserts for imports: one driver-level executemany per chunk, each value through its column's own
bind processor (the same conversions SQLAlchemy applies), without the per-row statement machinery."""
from __future__ import annotations

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection


def _placeholder(conn: Connection, column) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if conn.dialect.name == "postgresql" and isinstance(column.type, JSON):
        return mark + "::json"
    return mark


def bulk_insert(conn: Connection, table: Table, rows: list[dict], chunk: int = 5000, *,
                json_text: tuple[str, ...] = ()) -> None:
    """Insert `rows` (dicts with the same keys) into `table`; the JSON columns named in `json_text` are given as
    their JSON text already (`json.dumps` of the value, as the column's own processor would write it)."""
    if not rows:
        return
    names = list(rows[0])
    columns = [table.c[n] for n in names]
    processors = [None if n in json_text else c.type._cached_bind_processor(conn.dialect)
                  for n, c in zip(names, columns)]
    sql = (f'INSERT INTO {table.name} ({", ".join(names)}) '
           f'VALUES ({", ".join(_placeholder(conn, c) for c in columns)})')
    processors = [_memo(p) if p else None for p in processors]
    if conn.dialect.name == "postgresql":
        _copy(conn, table, names, processors, rows)
        return
    for i in range(0, len(rows), chunk):
        params = [tuple(p(r[n]) if p else r[n] for n, p in zip(names, processors)) for r in rows[i:i + chunk]]
        conn.exec_driver_sql(sql, params)


def _copy(conn: Connection, table: Table, names: list[str], processors: list, rows: list[dict]) -> None:
    """PostgreSQL: COPY … FROM STDIN in the connection's transaction (many times faster than INSERTs)."""
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY {table.name} ({", ".join(names)}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row(tuple(p(r[n]) if p else r[n] for n, p in zip(names, processors)))
    cursor.close()


def _memo(process):
    """A processor that reuses its last result for the very same object (a batch's shared timestamp)."""
    last = [object(), None]

    def run(value):
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]
    return run
