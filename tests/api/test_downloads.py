"""Every CSV and XLSX the service writes is safe to open: no cell a spreadsheet runs (issue 14, contract 1.1)."""
from __future__ import annotations

import csv
import io

import openpyxl

from incentives import uscc as uscc_mod

from .test_preview import CQ_FACTS
from .test_registry import CQ

EVIL = "=HYPERLINK(\"http://evil.example\",\"x\")"
RISKY = ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(RISKY) or cell.lstrip("+-").replace(".", "", 1).isdigit(), cell


def test_lookup_csv_neutralises_a_formula_name(client, admin, key_for):
    r = client.post("/api/v1/enterprises", headers=admin, json={
        "uscc": CQ, "name": EVIL, "industries": [{"industry": "ceramics", "branch": "ceramics_building",
                                                  "grade": "B", "rated_on": "2024-04-24"}]})
    assert r.status_code == 201
    other = uscc_mod.make("91", "500112", "MA5U0AB2")
    r = client.post("/api/v1/enterprises", headers=admin, json={
        "uscc": other, "name": "@SUM(1+1)*cmd|' /C calc'!A0",
        "industries": [{"industry": "ceramics", "branch": "ceramics_building"}]})
    assert r.status_code == 201, r.get_json()
    with client.post("/api/v1/grades/lookup", json={"usccs": [CQ, other]},
                     headers={**key_for("bank"), "Accept": "text/csv"}) as r:
        rows = _csv_cells(r.get_data(as_text=True))
    assert rows[1][1] == "'" + EVIL and rows[2][1].startswith("'@")
    _no_formula(rows)


def test_filing_form_neutralises_a_formula_outlet(client, admin):
    body = {"division": "410000", "outlets": [{"outlet": "=1+2", "standards": {"so2": 200}}],
            "records": [{"outlet": "=1+2", "pollutant": "so2", "month": "2024-01", "emission_kg": 1200,
                         "avg_concentration": 120, "max_concentration": 150, "source": "agency"}]}
    with client.post("/api/v1/tax/assessments", json=body, headers={**admin, "Accept": "text/csv"}) as r:
        assert r.status_code == 201
        rows = _csv_cells(r.get_data(as_text=True))
    assert rows[1][2] == "'=1+2"   # 排放口名称, the third column of the filing form (issue 15)
    _no_formula(rows)


def test_upgrade_plan_csv_and_xlsx_neutralise_a_formula_name(client):
    body = {"enterprise": {**CQ_FACTS, "name": "-1+cmd"}, "target": {"grade": "A"}, "as_of": "2024-10-01"}
    with client.post("/api/v1/benefits/preview/plan?format=csv", json=body) as r:
        rows = _csv_cells(r.get_data(as_text=True))
    assert rows[1][0] == "'-1+cmd"
    _no_formula(rows)
    with client.post("/api/v1/benefits/preview/plan?format=xlsx", json=body) as x:
        sheet = openpyxl.load_workbook(io.BytesIO(x.data)).active
    assert sheet["A2"].value == "-1+cmd" and sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
