"""The batch's DuckDB aggregation (incentives/tax/batch.py): the single assessment's answer, to the fen and to
the word, from aggregates summed out of core; files it does not read exactly go the single path."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session

from incentives import env_tax
from incentives import uscc as uscc_mod
from incentives.access import Caller
from incentives.services import tax
from incentives.tabular import duckdb_settings
from incentives.tax import batch
from incentives.tax.parameters import TaxParameters
from tests.api.test_assess_batch_cli import OUTLETS, generated

ROOT = Path(__file__).parent.parent
A = uscc_mod.make("91", "410100", "HN000001")
B = uscc_mod.make("91", "410100", "HN000002")
SAMPLE_OUTLETS = {"DA001": {"standards": {"二氧化硫": 200, "nox": 300}}}


@pytest.fixture
def session(database_url):
    from incentives.db import make_engine
    engine = make_engine(database_url)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _batch(session, path, outlets, **kw):
    return tax.assess_batch_file(session=session, caller=Caller(role="admin"), path=str(path), filename=path.name,
                                 division="410100", rates=None, parameters=None, outlets=outlets,
                                 today=dt.date(2024, 5, 1), store=False, **kw)


def _single(session, data, uscc, outlets):
    return tax.assess_upload(session=session, caller=Caller(role="admin"), data=data, filename="x.csv",
                             content_type="text/csv", division="410100", uscc=uscc, rates=None, parameters=None,
                             today=dt.date(2024, 5, 1), outlets=outlets, store=False)


def _no_pandas(monkeypatch):
    """The single path's reader refuses to run: what passes went through DuckDB's aggregation."""
    def refuse(*args, **kwargs):
        raise AssertionError("the batch read a CSV through the single path's pandas reader")
    monkeypatch.setattr(env_tax, "read_monitoring", refuse)


@pytest.mark.parametrize("source, outlets", [
    (ROOT / "sample_data" / "monitoring_quarter.csv", SAMPLE_OUTLETS),   # a quarter: 标准浓度 and 数据来源 columns
    (None, OUTLETS),                                                      # generated: 2 outlets × 3 pollutants × 2 months
])
def test_the_batch_aggregates_in_duckdb_and_answers_as_the_single_path(session, tmp_path, monkeypatch, source,
                                                                       outlets):
    data = source.read_bytes() if source else generated(seed=7)
    path = tmp_path / f"{A}.csv"
    path.write_bytes(data)
    single = _single(session, data, A, outlets)
    _no_pandas(monkeypatch)
    with duckdb_settings(memory_limit="64MB", threads=1, temp_directory=str(tmp_path / "spill")):
        [result] = _batch(session, path, outlets)
    # every row, its figures and its explanation (the hours above S included), the totals and the notes
    assert result["answer"]["rows"] == single["rows"] and result["answer"]["totals"] == single["totals"]
    assert result["answer"]["notes"] == single["notes"] and result["answer"]["rates"] == single["rates"]
    assert any(step["values"].get("gate") == "G1" and step["outcome"] == "not_met"
               for row in single["rows"] for step in row["explanation"]) or source is not None


def test_a_uscc_column_gives_each_taxpayer_its_own_answer(session, tmp_path, monkeypatch):
    text = generated(seed=3).decode().splitlines()
    # alternate blocks of rows between two taxpayers (B's rows first, so file order and uscc order differ)
    rows = [f"统一社会信用代码,{text[0]}"] + [f"{B if (i // 744) % 2 == 0 else A},{line}" for i, line in enumerate(text[1:])]
    path = tmp_path / "province.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with monkeypatch.context() as m:                     # the single path's reading of the same file (its lines)
        m.setattr(batch, "aggregate_csv", lambda *a, **k: None)
        expected = _batch(session, path, OUTLETS)
    _no_pandas(monkeypatch)
    scans = []
    real = batch.duckdb_connection

    def counted():
        scans.append(1)
        return real()
    monkeypatch.setattr(batch, "duckdb_connection", counted)
    results = _batch(session, path, OUTLETS)
    # one connection for the checks and sums, one for the hours above S of both taxpayers (not one per taxpayer)
    assert len(scans) == 2
    assert any("超标" in r["reason"]["zh"] and "共" in r["reason"]["zh"] for r in expected[0]["answer"]["rows"])
    assert [r["uscc"] for r in results] == [r["uscc"] for r in expected] == [A, B]   # sorted uscc values
    for r, e in zip(results, expected):
        assert r["answer"]["rows"] == e["answer"]["rows"] and r["answer"]["totals"] == e["answer"]["totals"]


@pytest.mark.parametrize("edit, why", [
    (lambda t: t.replace("2024-01-01T05:00,", "2024-01-01 05:00:00,", 1), "a time with seconds"),
    (lambda t: t.replace("\n", "\r\n"), None),                                  # CRLF: still aggregated
    (lambda t: t.replace("\n", "\n\n", 3), "blank lines move the line numbers"),
    (lambda t: t + "DA001,so2,2024-01-01T00:00,1.0,100\n", "a duplicate hour"),
    (lambda t: t.replace(",so2,", ",VOCs,", 1), "a pollutant the single path refuses"),
    (lambda t: t.replace("DA001,so2,2024-01-01T03:00", "DA001,二氧化硫,2024-01-01T03:00"), "two texts of one item"),
    (lambda t: t.replace("DA001,so2,2024-01-01T03:00,", "DA001,so2,2024-01-01T02:30,"), "two values in one hour"),
    (lambda t: t.replace("排放口,污染物,时间,浓度,流量", "排放口,污染物,时间,浓度,流量,备注", 1).replace("\n", ",x\n")[:-0 or None],
     "a column the SQL does not read"),
])
def test_what_the_sql_does_not_read_exactly_goes_the_single_path(tmp_path, edit, why):
    path = tmp_path / f"{A}.csv"
    path.write_text(edit(generated(seed=5, months=1).decode()), encoding="utf-8")
    found = batch.aggregate_csv(path, TaxParameters(), named=A)
    assert (found is None) == (why is not None), why


def test_a_file_beyond_the_single_paths_cap_is_assessed_under_the_memory_limit(session, tmp_path, monkeypatch):
    # The single path holds a file whole in pandas and refuses one above MAX_MONITORING_ROWS (413). The batch
    # sums in DuckDB under its memory limit: the same file, beyond that cap, gives the figures the single
    # path gives when the cap allows it. (8 640 rows here against a cap lowered to 5 000.)
    data = generated(seed=11)
    path = tmp_path / f"{A}.csv"
    path.write_bytes(data)
    allowed = _single(session, data, A, OUTLETS)
    monkeypatch.setattr(env_tax, "MAX_MONITORING_ROWS", 5000)
    with pytest.raises(Exception) as refused:
        _single(session, data, A, OUTLETS)
    assert getattr(refused.value, "status", None) == 413
    with duckdb_settings(memory_limit="32MB", threads=1, temp_directory=str(tmp_path / "spill")):
        [result] = _batch(session, path, OUTLETS)
    assert result["answer"]["rows"] == allowed["rows"] and result["answer"]["totals"] == allowed["totals"]
