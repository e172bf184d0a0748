"""Safe to expose (issue 14): each finding of the attack review, as a test, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from incentives import uscc as uscc_mod
from tests.conftest import ADMIN_KEY

from .test_foundation import assert_problem
from .test_preview import CQ_FACTS
from .test_registry import CQ, HN, event, register

TAX = "/api/v1/tax/assessments"
RECORD = {"outlet": "DA001", "pollutant": "so2", "time": "2024-01-01T00:00", "concentration": "1", "flow": "1"}


# -- 500s from input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Bearer é\xff", "Bearer gis_abc def", "Bearer " + "x" * 600, "Basic abc",
                                    "Bearer"])
def test_a_malformed_key_is_401_on_every_endpoint_public_ones_too(client, header):
    for path in ("/api/v1/health", f"/api/v1/enterprises/{CQ}/grade", "/api/v1/grades/changes"):
        r = client.get(path, headers={"Authorization": header})
        assert_problem(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_key_is_401_on_a_public_endpoint(client):
    assert_problem(client.get("/api/v1/industries", headers={"Authorization": "Bearer gis_unknown"}), 401)


def test_a_json_integer_of_5000_digits_is_422(client, admin):
    big = "1" + "0" * 5000
    r = client.post("/api/v1/keys", data='{"role": "bank", "label": ' + big + "}", content_type="application/json",
                    headers=admin)
    assert_problem(r, 422)
    body = '{"enterprise": {"division": "500112", "industries": [{"industry": "ceramics", "grade": "C"}]}, ' \
           '"target": {"grade": "A"}, "scenario": {"allowance_2023_t": ' + big + "}}"
    assert_problem(client.post("/api/v1/benefits/preview", data=body, content_type="application/json"), 422)


@pytest.mark.parametrize("name", ["\\ud800x", "a\\u0000b", "\\udc00"])
def test_a_lone_surrogate_or_nul_in_a_name_is_422(client, admin, name):
    industries = '[{"industry": "ceramics", "branch": "ceramics_building"}]'
    body = f'{{"uscc": "{CQ}", "name": "{name}", "industries": {industries}}}'
    problem = assert_problem(client.post("/api/v1/enterprises", data=body, content_type="application/json",
                                         headers=admin), 422)
    assert problem["errors"][0]["field"] == "name"


def test_a_valid_surrogate_pair_is_text(client, admin):
    industries = '[{"industry": "ceramics", "branch": "ceramics_building"}]'
    body = f'{{"uscc": "{CQ}", "name": "\\ud83d\\ude00 厂", "industries": {industries}}}'
    r = client.post("/api/v1/enterprises", data=body, content_type="application/json", headers=admin)
    assert r.status_code == 201 and r.get_json()["name"] == "😀 厂"


@pytest.mark.parametrize("field, value", [("site", "s" * 100), ("ref", "r" * 100), ("industry", "i" * 100)])
def test_overlong_site_ref_industry_are_422_on_the_field(client, admin, field, value):
    register(client, admin)
    body = {"kind": "rated", "industry": "ceramics", "branch": "ceramics_building", "grade": "B",
            "effective": "2024-05-01", field: value}
    problem = assert_problem(event(client, admin, **body), 422)
    assert problem["errors"][0]["field"] == field
    industries = [{"industry": "ceramics", "branch": "ceramics_building", field: value}]
    r = client.post("/api/v1/enterprises", headers=admin, json={"uscc": HN, "name": "x", "industries": industries})
    assert assert_problem(r, 422)["errors"][0]["field"] == f"industries.0.{field}"


def test_an_import_with_a_name_over_200_characters_or_a_nul_is_422_and_writes_nothing(client, admin):
    other = uscc_mod.make("91", "500112", "MA5U0AB3")
    data = (f"uscc,name,industry,branch,site\n{CQ},{'n' * 201},ceramics,ceramics_building,\n"
            f"{other},ok\x00,ceramics,ceramics_building,{'s' * 65}\n").encode()
    problem = assert_problem(client.post("/api/v1/imports/enterprises", data=data, content_type="text/csv",
                                         headers=admin), 422)
    assert {(e["row"], e["column"]) for e in problem["errors"]} >= {(2, "name"), (3, "name"), (3, "site")}
    assert client.get(f"/api/v1/enterprises/{CQ}/grade").status_code == 404


# -- bounded work ---------------------------------------------------------------------------------------

def _preview_with(record_value: str) -> dict:
    return {"enterprise": CQ_FACTS, "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"monitoring": {"outlets": [{"outlet": "DA001", "standards": {"so2": 200}}],
                                        "records": [{**RECORD, "concentration": record_value}]}}}


@pytest.mark.parametrize("value", ["1e-300000", "1E+300000", "0." + "0" * 400 + "1"])
def test_an_absurd_exponent_in_monitoring_data_is_422_at_once(client, admin, value):
    problem = assert_problem(client.post("/api/v1/benefits/preview", json=_preview_with(value)), 422)
    assert "concentration" in json.dumps(problem["errors"])
    csv = f"排放口,污染物,时间,浓度,流量\nDA001,二氧化硫,2024-01-01T00:00,{value},1\n".encode()
    r = client.post(f"{TAX}?division=410000&outlets=" + json.dumps({"DA001": {"standards": {"so2": 200}}}),
                    data=csv, headers={**admin, "Content-Type": "text/csv"})
    assert assert_problem(r, 422)["errors"][0]["column"] == "浓度"


@pytest.mark.parametrize("where", ["standard", "rate", "allowance", "target"])
def test_an_absurd_exponent_anywhere_else_is_422(client, admin, where):
    if where in ("standard", "rate"):
        body = {"division": "410000", "outlets": [{"outlet": "DA001", "standards": {"so2": 200}}], "records": [RECORD]}
        if where == "standard":
            body["outlets"][0]["standards"]["so2"] = "1e-300000"
        else:
            body["rates"] = {"so2": "1e-300000"}
        assert_problem(client.post(TAX, json=body, headers=admin), 422)
        return
    scenario = {"allowance_2023_t": "1e-300000"} if where == "allowance" else \
        {"target_concentrations": {"DA001": {"so2": "1e-300000"}}}
    body = {"enterprise": CQ_FACTS, "target": {"grade": "A"}, "scenario": scenario}
    assert_problem(client.post("/api/v1/benefits/preview", json=body), 422)


def _sparse_xlsx() -> bytes:
    """A few KB: cells at A1 and Z200000 only (declared dimension A1:Z200000)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "uscc"
    sheet["Z200000"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _million_rows_xlsx() -> bytes:
    """A small workbook of a million rows (sheet XML written directly, as a generator could)."""
    rows = '<row><c t="inlineStr"><is><t>uscc</t></is></c></row>' + "<row><c><v>1</v></c><c><v>2</v></c></row>" * 999_999
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>')
    template = io.BytesIO()
    openpyxl.Workbook().save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


@pytest.fixture
def nothing_materialised(monkeypatch):
    """Fail if a workbook is loaded (openpyxl) or read into a table (calamine)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was materialised")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(pd, "read_excel", refuse)


@pytest.mark.parametrize("make", [_sparse_xlsx, _million_rows_xlsx])
def test_a_tiny_huge_xlsx_is_413_before_anything_is_read(client, admin, key_for, make, request):
    data = make()
    assert len(data) < 200_000
    request.getfixturevalue("nothing_materialised")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert_problem(client.post("/api/v1/imports/enterprises", data=data, content_type=xlsx, headers=admin), 413)
    r = client.post(f"{TAX}?division=410000", data=data, content_type=xlsx, headers=admin)
    assert_problem(r, 413)
    r = client.post("/api/v1/grades/lookup", data={"file": (io.BytesIO(data), "u.xlsx")},
                    headers=key_for("bank"))
    assert_problem(r, 413)


def test_a_request_over_its_time_budget_is_stopped_with_503(app, client, monkeypatch):
    import time

    from incentives.services import catalogue
    app.config["REQUEST_TIME_LIMIT"] = 0.3
    done = []

    def forever(**kwargs):
        while True:              # pure Python work: the watchdog's exception stops it
            time.sleep(0.01)
            done.append(1)
    monkeypatch.setattr(catalogue, "list_policies", forever)
    r = client.get("/api/v1/policies")
    assert_problem(r, 503)
    stopped_at = len(done)
    time.sleep(0.3)
    assert len(done) == stopped_at      # the work really stopped
    app.config["REQUEST_TIME_LIMIT"] = 60
    monkeypatch.undo()
    assert client.get("/api/v1/health").status_code == 200   # the thread serves again, no stray exception


# -- keys and limits ------------------------------------------------------------------------------------

def test_unknown_and_malformed_keys_share_the_no_key_bucket(database_url):
    from api import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_PUBLIC": "3 per minute", "RATELIMIT_STORAGE_URI": "memory://",
                      "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY})
    client = app.test_client()
    statuses = [client.get("/api/v1/health", headers={"Authorization": f"Bearer gis_random{i}"}).status_code
                for i in range(3)]
    statuses.append(client.get("/api/v1/health", headers={"Authorization": "Bearer é"}).status_code)
    statuses.append(client.get("/api/v1/health").status_code)
    app.extensions["gis_engine"].dispose()
    assert statuses == [401, 401, 401, 429, 429]


def test_a_revoked_bootstrap_key_stops_working_also_after_a_restart(app, client, admin, key_for, database_url):
    other_admin = key_for("admin")
    r = client.delete("/api/v1/keys/bootstrap", headers=admin)
    assert r.status_code == 204
    assert_problem(client.post("/api/v1/keys", json={"role": "bank"}, headers=admin), 401)
    from api import create_app
    again = create_app({"TESTING": True, "DATABASE_URL": database_url, "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
                        "RATELIMIT_ENABLED": False})
    try:
        assert_problem(again.test_client().post("/api/v1/keys", json={"role": "bank"}, headers=admin), 401)
        assert again.test_client().post("/api/v1/keys", json={"role": "bank"}, headers=other_admin).status_code == 201
    finally:
        again.extensions["gis_engine"].dispose()


# -- object-level access --------------------------------------------------------------------------------

def test_a_regulator_or_bureau_of_another_division_cannot_read_the_enterprise(client, admin, key_for):
    register(client, admin, facts={"holds_carbon_allowance": True, "allowance_2023_t": 200000})
    for role in ("regulator", "tax_bureau"):
        assert_problem(client.get(f"/api/v1/enterprises/{CQ}", headers=key_for(role, divisions=["410000"])), 403)
        own = client.get(f"/api/v1/enterprises/{CQ}", headers=key_for(role, divisions=["500000"]))
        assert own.status_code == 200 and own.get_json()["facts"]["allowance_2023_t"] == "200000"
    assert_problem(client.get(f"/api/v1/enterprises/{CQ}", headers=key_for("enterprise", uscc=HN)), 403)
    assert_problem(client.get(f"/api/v1/enterprises/{CQ}", headers=key_for("bank")), 403)


def test_a_tax_bureau_cannot_store_an_assessment_under_an_enterprise_outside_its_divisions(client, admin, key_for):
    register(client, admin)                      # CQ: Chongqing 500112
    henan = key_for("tax_bureau", divisions=["410000"])
    body = {"uscc": CQ, "division": "410000", "outlets": [{"outlet": "DA001", "standards": {"so2": 200}}],
            "records": [RECORD]}
    assert_problem(client.post(TAX, json=body, headers=henan), 403)
    unregistered = uscc_mod.make("91", "500112", "MA5U0AB9")
    assert_problem(client.post(TAX, json={**body, "uscc": unregistered}, headers=henan), 403)
    assert client.post(TAX, json={**body, "uscc": HN}, headers=henan).status_code == 201


def test_a_public_preview_by_uscc_uses_only_public_data(client, admin, key_for):
    # CQ-A1-9: the carbon bonus needs the stored allowance fact; the public may not use it
    register(client, admin, facts={"holds_carbon_allowance": True, "allowance_2023_t": 200000})
    body = {"enterprise": {"uscc": CQ}, "target": {"grade": "A"}, "as_of": "2024-10-01"}
    public = client.post("/api/v1/benefits/preview", json=body).get_json()
    answer = {k: v for k, v in public.items() if k != "parameters"}   # the echoed registry has its own 200000s
    assert "200000" not in json.dumps(answer) and public["quantified"].get("carbon_allowance", {}).get("value") is None
    regulator = client.post("/api/v1/benefits/preview", json=body, headers=key_for("regulator", divisions=["500000"]))
    assert regulator.get_json()["quantified"]["carbon_allowance"]["value"] == 1000   # 0.5% × 200 000 t


# -- If-Match -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ['"1W"', "W/\"1\"", "1", '"1", "2"', "*", '" 1"', '"01"', '"1'])
def test_if_match_takes_exactly_the_etag(client, admin, value):
    register(client, admin)
    r = client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "新"}, headers={**admin, "If-Match": value})
    assert_problem(r, 400)
    assert client.get(f"/api/v1/enterprises/{CQ}", headers=admin).get_json()["version"] == 1


def test_if_match_exactly_the_etag_amends(client, admin):
    etag = register(client, admin).headers["ETag"]
    r = client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "新"}, headers={**admin, "If-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    assert_problem(client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "x"}, headers={**admin, "If-Match": etag}),
                   409)


# -- imports --------------------------------------------------------------------------------------------

def test_a_reimport_with_other_grades_appends_them_and_the_projection_follows(client, admin, key_for):
    # The import plans outside the write lock and writes the projections of the enterprises it changes
    # from the same folds: what bulk lookup reads equals the ledger afterwards.
    first = f"uscc,name,industry,branch,grade,rated_on\n{CQ},甲,ceramics,ceramics_building,C,2024-04-24\n"
    second = f"uscc,name,industry,branch,grade,rated_on\n{CQ},甲,ceramics,ceramics_building,A,2025-06-01\n"
    for data, status in ((first, 201), (second, 201), (second, 200)):
        r = client.post("/api/v1/imports/enterprises", data=data.encode(), content_type="text/csv", headers=admin)
        assert r.status_code == status, r.get_json()
    ledger = client.get(f"/api/v1/enterprises/{CQ}/grade").get_json()
    projected = client.post("/api/v1/grades/lookup", json={"usccs": [CQ]}, headers=key_for("bank")).get_json()
    assert ledger["rated_grade"] == "A"
    assert (projected["results"][0]["rated_grade"], projected["results"][0]["overall_grade"]) == \
        (ledger["rated_grade"], ledger["overall_grade"])
