"""The monthly snapshot for banks (contract 1.1, "Banks"): every enterprise of a division, streamed."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from sqlmodel import Session

from incentives.services import sample, snapshot

from .test_foundation import assert_problem
from .test_registry import CQ, HN, register

# A sample division: the Yinchuan counties of sample_data (640104, 640105, 640121, 640122: fraud findings,
# violations, downgrades and re-ratings among them) and, outside it, a Henan county (410181).
INSIDE = ("640104", "640105", "640121", "640122")
OUTSIDE = ("410181",)


@pytest.fixture
def sample_division(app, tmp_path):
    """Load the sample register and events of those counties (an ordinary import, then the events)."""
    with open("sample_data/enterprises.csv", encoding="utf-8-sig") as f:
        ents = [r for r in csv.DictReader(f) if r["division"] in INSIDE + OUTSIDE]
    codes = {r["uscc"] for r in ents}
    with open("sample_data/events.csv", encoding="utf-8-sig") as f:
        events = [r for r in csv.DictReader(f) if r["uscc"] in codes]
    for name, rows in (("enterprises.csv", ents), ("events.csv", events)):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    from api.schemas import today_in_shanghai
    with Session(app.extensions["gis_engine"]) as session:
        sample.load(session=session, folder=tmp_path, today=today_in_shanghai())
    inside = sorted({r["uscc"] for r in ents if r["division"] in INSIDE})
    assert len(inside) == 89 and len(events) >= 10
    return inside


def take(client, url, headers):
    """A streamed answer, read whole and closed (so the request's session is closed too)."""
    with client.get(url, headers=headers) as r:
        assert r.is_streamed or r.status_code != 200    # produced while sent, never built whole first
        return r, r.get_data()


def _single(client, uscc, as_of):
    g = client.get(f"/api/v1/enterprises/{uscc}/grade?as_of={as_of}").get_json()
    g.pop("history")
    assert g.pop("include_drafts") is False     # echoed by the single read; the snapshot echoes it once
    return g


@pytest.mark.parametrize("as_of", ["2024-06-30", "2025-03-01"])
def test_snapshot_rows_equal_single_grade_reads(client, key_for, sample_division, as_of):
    r, data = take(client, f"/api/v1/grades/snapshot?division=640100&as_of={as_of}&format=json", key_for("bank"))
    assert r.status_code == 200
    body = json.loads(data)
    assert (body["division"], body["as_of"]) == ("640100", as_of)
    assert [e["uscc"] for e in body["enterprises"]] == sample_division     # every one, none outside
    for row in body["enterprises"]:
        assert row == _single(client, row["uscc"], as_of)


def test_csv_snapshot_has_a_bom_and_the_single_reads_figures(client, key_for, sample_division):
    r, data = take(client, "/api/v1/grades/snapshot?division=640100&as_of=2025-03-01&format=csv",
                   key_for("regulator", divisions=["640000"]))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == 'attachment; filename="grades-640100-2025-03-01.csv"'
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row["uscc"] for row in rows] == sample_division
    for row in rows:
        single = _single(client, row["uscc"], "2025-03-01")
        assert (row["overall_grade"] or None, row["rated_grade"] or None, row["status"], row["review_due"] or None) \
            == (single["overall_grade"], single["rated_grade"], single["status"], single["review_due"])
        assert row["restrictions"].count("until") == len(single["restrictions"])
        for r_ in single["restrictions"]:
            assert f"{r_['kind']} ({r_['ref']}) until {r_['until']}" in row["restrictions"]


def test_a_snapshot_is_the_same_read_a_chunk_at_a_time(app, sample_division):
    from api.schemas import today_in_shanghai
    with Session(app.extensions["gis_engine"]) as session:
        whole = list(snapshot.grade_rows(session, "640000", today_in_shanghai()))
        small = list(snapshot.grade_rows(session, "640000", today_in_shanghai(), chunk=7))
    assert small == whole and len(whole) == 89


def test_cells_never_carry_a_formula(client, admin, key_for):
    body = {"uscc": CQ, "name": "=HYPERLINK(\"http://x\")", "industries": [
        {"industry": "ceramics", "branch": "ceramics_building", "grade": "B", "rated_on": "2024-04-24"}]}
    assert client.post("/api/v1/enterprises", json=body, headers=admin).status_code == 201
    bank = key_for("bank")
    _, text = take(client, "/api/v1/grades/snapshot?division=500000&format=csv", bank)
    assert b"'=HYPERLINK" in text
    r, data = take(client, "/api/v1/grades/snapshot?division=500000&format=xlsx", bank)
    assert r.mimetype == snapshot.FORMATS["xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]][:3] == ["uscc", "name", "division"]
    name = rows[1][1]
    assert name.value == "=HYPERLINK(\"http://x\")" and name.data_type == "s" and name.quotePrefix


def test_format_follows_accept_when_not_asked(client, admin, key_for):
    register(client, admin)
    r, _ = take(client, "/api/v1/grades/snapshot?division=500000", {**key_for("bank"), "Accept": "text/csv"})
    assert r.mimetype == "text/csv"
    assert json.loads(take(client, "/api/v1/grades/snapshot?division=500000", key_for("bank"))[1])["enterprises"]


def test_an_empty_division_is_an_empty_snapshot(client, key_for):
    bank = key_for("bank")
    assert json.loads(take(client, "/api/v1/grades/snapshot?division=500000", bank)[1])["enterprises"] == []
    lines = take(client, "/api/v1/grades/snapshot?division=500000&format=csv", bank)[1].decode("utf-8-sig")
    assert lines.splitlines() == [",".join(snapshot.COLUMNS)]
    data = take(client, "/api/v1/grades/snapshot?division=500000&format=xlsx", bank)[1]
    assert openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].max_row == 1


def test_who_may_take_a_snapshot(client, admin, key_for):
    register(client, admin)
    register(client, admin, code=HN)
    url = "/api/v1/grades/snapshot?division=500000"
    assert_problem(client.get(url), 401)
    assert_problem(client.get(url, headers=key_for("tax_bureau", divisions=["500000"])), 403)
    assert_problem(client.get(url, headers=key_for("regulator", divisions=["410000"])), 403)
    assert_problem(client.get(url, headers=key_for("bank", divisions=["410000"])), 403)
    county = key_for("regulator", divisions=["500112"])         # a county's key: not the whole province
    assert_problem(client.get(url, headers=county), 403)
    mine = json.loads(take(client, "/api/v1/grades/snapshot?division=500112", county)[1])
    assert [e["uscc"] for e in mine["enterprises"]] == [CQ]
    everyone = json.loads(take(client, "/api/v1/grades/snapshot?division=000000", key_for("bank"))[1])
    assert sorted(e["uscc"] for e in everyone["enterprises"]) == sorted([CQ, HN])


def test_a_snapshot_reads_one_state_of_the_ledger_while_it_streams(app, client, admin, sample_division):
    """An event committed while a snapshot streams is in every chunk or in none (one REPEATABLE READ
    transaction on PostgreSQL; SQLite's read transaction already is one)."""
    from api.schemas import today_in_shanghai
    today, last = today_in_shanghai(), sample_division[-1]
    with Session(app.extensions["gis_engine"]) as session:
        before = {r["uscc"]: r for r in snapshot.grade_rows(session, "640000", today)}
    assert before[last]["status"] != "unrated"
    with Session(app.extensions["gis_engine"]) as session:
        rows = snapshot.grade_rows(session, "640000", today, chunk=7)
        first = next(rows)                                   # the first chunk is read; the stream goes on
        r = client.post(f"/api/v1/enterprises/{last}/events", headers=admin,
                        json={"kind": "cancelled", "effective": today.isoformat(), "ref": "G-UNRATED"})
        assert r.status_code == 201, r.get_json()
        streamed = {first["uscc"]: first} | {row["uscc"]: row for row in rows}
    assert streamed == before
    with Session(app.extensions["gis_engine"]) as session:
        after = {r["uscc"]: r for r in snapshot.grade_rows(session, "640000", today)}
    assert after[last]["status"] == "unrated"                # the next snapshot has the event
