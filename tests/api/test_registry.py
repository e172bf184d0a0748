"""The grade registry over HTTP: enterprises, events, grades, bank answers, imports (issue 4)."""
from __future__ import annotations

import io

import pytest

from incentives import uscc as uscc_mod

from .test_foundation import assert_problem

CQ = uscc_mod.make("91", "500112", "MA5U0AB1")      # a Chongqing enterprise
HN = uscc_mod.make("91", "410100", "HN000001")      # a Henan enterprise
ONE = [{"industry": "ceramics", "branch": "ceramics_building"}]


def register(client, headers, code=CQ, grade="C", rated_on="2024-04-24", **extra):
    body = {"uscc": code, "name": "某某陶瓷有限公司",
            "industries": [{"industry": "ceramics", "branch": "ceramics_building", "grade": grade,
                            "rated_on": rated_on}], **extra}
    r = client.post("/api/v1/enterprises", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r


def event(client, headers, code=CQ, **body):
    return client.post(f"/api/v1/enterprises/{code}/events", json=body, headers=headers)


def test_register_and_read_the_grade(client, admin):
    r = register(client, admin)
    assert r.headers["ETag"] == '"1"'
    body = r.get_json()
    # contract: division defaults to digits 3–8 of the uscc
    assert body["division"] == "500112" and body["facility_division"] == "500112"
    g = client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2024-05-01").get_json()
    assert g["overall_grade"] == "C" and g["rated_grade"] == "C" and g["status"] == "rated"
    assert g["as_of"] == "2024-05-01"


def test_before_its_rating_an_industry_is_managed_at_the_lowest(client, admin):
    register(client, admin, grade="B", rated_on="2024-04-24")
    g = client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2024-01-01").get_json()
    # G-UNRATED: never rated -> managed at the lowest grade of its scale (建筑陶瓷 is A/B/C/D -> D)
    assert g["status"] == "unrated" and g["rated_grade"] is None
    assert g["overall_grade"] == "D"


@pytest.mark.parametrize("change, field", [
    ({"uscc": "91500112MA5U0AB193"}, "uscc"),
    ({"industries": [{"industry": "ceramics", "branch": "no_such", "grade": "B", "rated_on": "2024-01-01"}]},
     "industries.0.branch"),
    # G-SCALE: 铁合金工业 is graded A/B/C (附件3); D does not exist on it
    ({"industries": [{"industry": "ferroalloy", "branch": "ferroalloy_main", "grade": "D",
                      "rated_on": "2024-01-01"}]}, "industries.0.grade"),
    ({"industries": [{"industry": "ceramics", "branch": "ceramics_building", "grade": "Z",
                      "rated_on": "2024-01-01"}]}, "industries.0.grade"),
    ({"industries": [{"industry": "ceramics", "branch": "ceramics_building", "grade": "B",
                      "rated_on": "2999-01-01"}]}, "industries.0.rated_on"),
])
def test_bad_registrations_are_refused_with_the_field(client, admin, change, field):
    body = {"uscc": CQ, "name": "x", "industries": ONE, **change}
    problem = assert_problem(client.post("/api/v1/enterprises", json=body, headers=admin), 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert client.get(f"/api/v1/enterprises/{CQ}/grade").status_code in (404, 422)


def test_contract_example_branch_spelling_and_empty_industries(client, admin):
    # api-contract.md writes the branch "building_ceramics"; the catalogue's code is ceramics_building
    r = client.post("/api/v1/enterprises", headers=admin, json={
        "uscc": CQ, "name": "x", "industries": [{"industry": "ceramics", "branch": "building_ceramics",
                                                  "grade": "B", "rated_on": "2024-04-24"}]})
    assert r.status_code == 201 and r.get_json()["industries"][0]["branch"] == "ceramics_building"
    bad = client.post("/api/v1/enterprises", headers=admin, json={"uscc": HN, "name": "x", "industries": []})
    assert "industries" in [e["field"] for e in assert_problem(bad, 422)["errors"]]
    nowhere = client.post("/api/v1/enterprises", headers=admin,
                          json={"uscc": HN, "name": "x", "division": "999999", "industries": ONE})
    assert "division" in [e["field"] for e in assert_problem(nowhere, 422)["errors"]]


def test_duplicate_uscc_is_409(client, admin):
    register(client, admin)
    assert_problem(client.post("/api/v1/enterprises", json={"uscc": CQ, "name": "y", "industries": ONE}, headers=admin), 409)


def test_patch_needs_the_current_version(client, admin):
    register(client, admin)
    assert_problem(client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "新"}, headers=admin), 428)
    r = client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "新"}, headers={**admin, "If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"' and r.get_json()["name"] == "新"
    stale = client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "旧"}, headers={**admin, "If-Match": '"1"'})
    assert_problem(stale, 409)


def test_an_upgrade_is_recorded_with_its_date_and_origin(client, admin):
    register(client, admin)
    r = event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="A",
              effective="2024-09-10", ref="CQ-5-3")
    assert r.status_code == 201
    ups = r.get_json()["state"]["upgrades"]
    assert {"from_grade": "C", "to_grade": "A", "effective": "2024-09-10"}.items() <= ups[-1].items()
    # a past as_of is untouched by later events
    assert client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2024-09-09").get_json()["overall_grade"] == "C"
    assert client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2024-09-10").get_json()["overall_grade"] == "A"


def test_fraud_bans_a_new_rating_for_a_year(client, admin):
    register(client, admin, grade="B")
    assert event(client, admin, kind="fraud_found", effective="2025-03-01").status_code == 201
    g = client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2025-03-02").get_json()
    # G-FRAUD: rated directly at the lowest grade (A/B/C/D scale -> D), no application for one year
    assert g["status"] == "lowest_by_sanction" and g["overall_grade"] == "D" and g["rated_grade"] == "B"
    ban = next(x for x in g["restrictions"] if x["ref"] == "G-FRAUD")
    assert ban["until"] == "2026-03-01"  # contract: the anniversary, first day it no longer applies
    refused = event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="A",
                    effective="2025-06-01")
    problem = assert_problem(refused, 409)
    assert "G-FRAUD" in problem["detail"] and "2026-03-01" in problem["detail"]


def test_aplus_without_a_is_refused(client, admin):
    register(client, admin, grade="B")
    r = event(client, admin, kind="aplus_selected", industry="ceramics", branch="ceramics_building",
              effective="2025-01-01")
    assert "G-APLUS" in assert_problem(r, 409)["detail"]


def test_rectification_end_without_start_is_refused(client, admin):
    register(client, admin)
    r = event(client, admin, kind="rectification_ended", effective="2025-01-01", rectification_passed=True)
    assert_problem(r, 409)


def test_events_in_the_future_are_422(client, admin):
    register(client, admin)
    r = event(client, admin, kind="fraud_found", effective="2999-01-01")
    assert_problem(r, 422)


def test_a_regulator_sees_only_its_divisions(client, admin, key_for):
    henan = key_for("regulator", divisions=["410000"])
    r = client.post("/api/v1/enterprises", json={"uscc": CQ, "name": "x", "industries": ONE}, headers=henan)
    assert_problem(r, 403)
    register(client, admin)
    assert_problem(event(client, henan, kind="fraud_found", effective="2025-01-01"), 403)
    r = client.post("/api/v1/enterprises", json={"uscc": HN, "name": "河南某厂", "industries": ONE}, headers=henan)
    assert r.status_code == 201  # 410000 covers 410100


def test_lookup_in_bulk(client, admin, key_for):
    register(client, admin)
    bank = key_for("bank")
    r = client.post("/api/v1/grades/lookup", json={"usccs": [CQ, HN, "91500112MA5U0AB193"]}, headers=bank)
    body = r.get_json()
    assert [x["uscc"] for x in body["results"]] == [CQ]
    assert body["not_found"] == [HN]
    assert body["invalid"][0]["field"] == "usccs.2"


def test_lookup_refuses_more_than_1000(client, key_for):
    usccs = [uscc_mod.make("91", "500112", f"A{i:07d}") for i in range(1001)]
    assert_problem(client.post("/api/v1/grades/lookup", json={"usccs": usccs}, headers=key_for("bank")), 413)


def test_lookup_takes_a_gbk_csv_and_answers_csv(client, admin, key_for):
    register(client, admin)
    data = f"统一社会信用代码\n{CQ}\n{HN}\n".encode("gbk")
    r = client.post("/api/v1/grades/lookup", data={"file": (io.BytesIO(data), "list.csv")},
                    headers={**key_for("bank"), "Accept": "text/csv"})
    assert r.mimetype == "text/csv"
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0].startswith("\ufeffuscc,name,found,overall_grade")
    assert lines[1].startswith(f"{CQ},某某陶瓷有限公司,yes,C") and lines[2] == f"{HN},,not_found,,,,,,"


def test_change_feed_in_commit_order(client, admin, key_for):
    register(client, admin)
    event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="B",
          effective="2024-09-10")
    bank = key_for("bank")
    first = client.get("/api/v1/grades/changes?since=0&limit=1", headers=bank).get_json()
    assert [e["grade"] for e in first["events"]] == ["C"]
    rest = client.get(f"/api/v1/grades/changes?since={first['next']}", headers=bank).get_json()
    assert [e["grade"] for e in rest["events"]] == ["B"]
    done = client.get(f"/api/v1/grades/changes?since={rest['next']}", headers=bank).get_json()
    assert done["events"] == [] and done["next"] == rest["next"]


IMPORT_EN = ("uscc,name,division,industry,branch,grade,rated_on\n"
             f"{CQ},某某陶瓷有限公司,500112,ceramics,ceramics_building,B,2024-04-24\n"
             f"{HN},河南某焦化厂,410100,陶瓷,建筑陶瓷,C,2024-05-01\n")


def _import(client, headers, data: bytes, name="list.csv"):
    return client.post("/api/v1/imports/enterprises", data={"file": (io.BytesIO(data), name)}, headers=headers)


def test_import_is_idempotent(client, admin):
    r = _import(client, admin, IMPORT_EN.encode())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["enterprises_created"] == 2 and r.get_json()["events_appended"] == 2
    again = _import(client, admin, IMPORT_EN.encode())
    assert again.status_code == 200 and again.get_json()["status"] == "unchanged"
    # the same facts in another encoding: a different file, but nothing new to write
    third = _import(client, admin, IMPORT_EN.encode("gbk"))
    assert third.get_json()["enterprises_created"] == 0 and third.get_json()["events_appended"] == 0
    feed = client.get("/api/v1/grades/changes", headers=admin).get_json()
    assert len(feed["events"]) == 2


def test_import_that_changes_a_grade_appends_an_event(client, admin):
    _import(client, admin, IMPORT_EN.encode())
    changed = IMPORT_EN.replace("ceramics_building,B,2024-04-24", "ceramics_building,A,2024-10-01")
    r = _import(client, admin, changed.encode())
    assert r.get_json()["events_appended"] == 1
    g = client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2024-09-30").get_json()
    assert g["overall_grade"] == "B"   # history kept: the earlier rating is not overwritten
    assert client.get(f"/api/v1/enterprises/{CQ}/grade?as_of=2024-10-01").get_json()["overall_grade"] == "A"


def test_a_bad_import_lists_every_bad_row_and_writes_nothing(client, admin):
    bad = ("统一社会信用代码,企业名称,行业,行业分支,绩效等级,评级日期\n"
           f"{CQ},好企业,ceramics,ceramics_building,B,2024-04-24\n"
           "91500112MA5U0AB193,坏代码,ceramics,ceramics_building,B,2024-04-24\n"
           f"{HN},坏等级,ferroalloy,ferroalloy_main,D,2024-04-24\n"
           f"{uscc_mod.make('91', '640100', 'NX000001')},坏日期,ceramics,ceramics_building,B,2024-13-01\n")
    problem = assert_problem(_import(client, admin, bad.encode("gbk")), 422)
    assert [(e["row"], e["column"]) for e in problem["errors"]] == [
        (3, "统一社会信用代码"), (4, "绩效等级"), (5, "评级日期")]
    assert client.get("/api/v1/grades/changes", headers=admin).get_json()["events"] == []
    assert client.get(f"/api/v1/enterprises/{CQ}/grade").status_code == 404


@pytest.mark.parametrize("data, status", [
    (b"", 422),
    (b"uscc,name,industry\n", 422),
    (b"uscc,name,industry\n" + b"\x81\xff\xfe,x,y\n", 400),   # neither UTF-8 nor GB18030
])
def test_unreadable_imports(client, admin, data, status):
    assert_problem(_import(client, admin, data), status)


def test_xlsx_with_a_formula_is_refused(client, admin):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["uscc", "name", "industry", "branch", "grade", "rated_on"])
    sheet.append([CQ, "x", "ceramics", "ceramics_building", "B", "2024-04-24"])
    sheet["B2"] = "=A2"
    buf = io.BytesIO()
    book.save(buf)
    problem = assert_problem(_import(client, admin, buf.getvalue(), "list.xlsx"), 422)
    assert problem["errors"][0]["row"] == 2


def test_xlsx_import_equals_csv_import(client, admin):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for line in IMPORT_EN.strip().splitlines():
        sheet.append(line.split(","))
    buf = io.BytesIO()
    book.save(buf)
    r = _import(client, admin, buf.getvalue(), "list.xlsx")
    assert r.status_code == 201 and r.get_json()["enterprises_created"] == 2


def test_import_over_the_row_limit_is_413(app, client, admin):
    app.config["IMPORT_MAX_ROWS"] = 1
    assert_problem(_import(client, admin, IMPORT_EN.encode()), 413)


def test_grade_answers_apply_draft_rules_only_when_asked(client, admin, key_for):
    """Contract 1.1: a grade at a date takes `include_drafts` (default false) and echoes it.

    Ningxia 二(五) (征求意见稿, a draft): 存在环境违法行为的企业，直接评定为最低等级，且在一年内不能再次申报.
    Furniture (scale ABC) rated B, then a violation 30 days ago: without drafts the grade stays B (the national
    rule holds the grade until a downgrade); with drafts it is C (the lowest of ABC), lowest_by_sanction, and
    no application until a year after the finding. The stored projection (today, no drafts) says B, so the
    bulk lookup at today must fold from the ledger when drafts are asked."""
    from datetime import timedelta

    from api.schemas import today_in_shanghai
    nx = uscc_mod.make("91", "640104", "NX000001")
    day = today_in_shanghai()
    found = day - timedelta(days=30 if (day - timedelta(days=30)).strftime("%m-%d") != "02-29" else 31)
    ban_ends = found.replace(year=found.year + 1).isoformat()
    client.post("/api/v1/enterprises", headers=admin, json={
        "uscc": nx, "name": "宁夏某家具厂", "industries": [
            {"industry": "furniture", "branch": "furniture_main", "grade": "B",
             "rated_on": (day - timedelta(days=400)).isoformat()}]})
    assert event(client, admin, code=nx, kind="violation_found", violation="evasion",
                 effective=found.isoformat()).status_code == 201
    plain = client.get(f"/api/v1/enterprises/{nx}/grade").get_json()
    assert (plain["overall_grade"], plain["status"], plain["include_drafts"]) == ("B", "rated", False)
    drafts = client.get(f"/api/v1/enterprises/{nx}/grade?include_drafts=true").get_json()
    assert (drafts["overall_grade"], drafts["status"], drafts["include_drafts"]) == ("C", "lowest_by_sanction", True)
    assert [(r["kind"], r["until"]) for r in drafts["restrictions"]] == [("no_application", ban_ends)]
    assert "ningxia" not in str(plain["restrictions"])
    bank = key_for("bank")
    for drafted, grade in ((False, "B"), (True, "C")):
        body = client.post("/api/v1/grades/lookup", json={"usccs": [nx], "include_drafts": drafted},
                           headers=bank).get_json()
        assert body["include_drafts"] is drafted and body["results"][0]["overall_grade"] == grade
        with client.get(f"/api/v1/grades/snapshot?division=640104&format=json&include_drafts={str(drafted).lower()}",
                        headers=bank) as r:
            snap = r.get_json()
        assert snap["include_drafts"] is drafted and snap["enterprises"][0]["overall_grade"] == grade
    # the public page of the enterprise (its grade and history) has the same switch
    for query, grade in (("", "B"), ("?include_drafts=true", "C")):
        html = client.get(f"/enterprises/{nx}{query}", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert f'id="overall-grade">{grade}</dd>' in html
    assert "include_drafts=true" in client.get(f"/enterprises?uscc={nx}&include_drafts=true").headers["Location"]
    csv_answer = client.post("/api/v1/grades/lookup", data={"file": (io.BytesIO(f"uscc\n{nx}\n".encode()), "l.csv"),
                                                            "include_drafts": "true"},
                             headers={**bank, "Accept": "text/csv"})
    assert csv_answer.get_data(as_text=True).splitlines()[1].startswith(f"{nx},宁夏某家具厂,yes,C")
