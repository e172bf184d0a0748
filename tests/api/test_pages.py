"""The server-rendered pages through the Flask test client: zh/en, sign-in with CSRF, clear messages on bad input."""
from __future__ import annotations

import base64
import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from .test_registry import CQ, HN, event, register

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STANDARDS = '{"DA001": {"standards": {"so2": 200, "nox": 300}}}'


def token(client, path: str = "/preview") -> str:
    """The session's CSRF token, read from a form."""
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, headers: dict, next_path: str):
    """Sign in through the login form with the key of an Authorization header."""
    key = headers["Authorization"].split(" ", 1)[1]
    return client.post("/login", data={"csrf_token": token(client, "/login"), "api_key": key, "next": next_path})


def assert_inline_error(html: str, field: str, text: str, lang: str = "zh") -> None:
    """GOV.UK pattern: "错误：" in the title, a focusable summary linking to the field, the same message beside
    the field, and the field marked invalid and described by its message."""
    assert re.search(r"<title>(错误：|Error: )", html)
    summary = html[html.index('id="error-summary"'):]
    assert summary.index(f'href="#f-{field}"') < summary.index("</div>")
    assert f'id="e-{field}"' in html and text in html[html.index(f'id="e-{field}"'):][:400]
    tag = re.search(rf'<(?:input|select|textarea)[^>]*id="f-{re.escape(field)}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag and f'aria-describedby="e-{field}"' in tag


def data_uri(html: str, element_id: str) -> bytes:
    """The bytes of a download link (a data: URI) in a page."""
    href = re.search(rf'id="{element_id}" href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"', html).group(1)
    return base64.b64decode(href)


@pytest.mark.parametrize("path, zh, en", [
    ("/", "绩效分级激励服务", "Grade-incentive service"),
    ("/policies", "政策目录", "Policy catalogue"),
    ("/policies/chongqing.carbon_quota_bonus", "条款原文", "Clause text"),
    ("/preview", "升级收益预览", "Upgrade preview"),
    ("/enterprises", "企业分级档案", "Enterprise grade record"),
    ("/login", "API 密钥", "API key"),
])
def test_public_pages_render_in_chinese_by_default_and_in_english_on_request(client, path, zh, en):
    chinese = client.get(path).get_data(as_text=True)
    assert zh in chinese and 'lang="zh-CN"' in chinese
    assert en in client.get(path + ("&" if "?" in path else "?") + "lang=en").get_data(as_text=True)
    browser_en = client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert en in browser_en and 'lang="en"' in browser_en


def test_the_chosen_language_follows_links_and_forms(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/preview?lang=en"' in html and 'href="/?lang=zh"' in html   # the switch back


def test_pages_with_a_role_send_to_the_login_form(client):
    for path in ("/lookup", "/tax"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"] == f"/login?next={path}"


def test_a_post_without_the_csrf_token_is_refused(client, key_for):
    bank = key_for("bank")
    r = client.post("/login", data={"api_key": bank["Authorization"].split()[1], "next": "/lookup"})
    assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)
    assert "Set-Cookie" not in r.headers or "key_hash" not in r.headers.get("Set-Cookie", "")
    r = client.post("/login", data={"csrf_token": "forged", "api_key": "x"})
    assert r.status_code == 400
    assert sign_in(client, bank, "/lookup").headers["Location"] == "/lookup"
    r = client.post("/lookup", data={"usccs": CQ})   # signed in, but no token: never run, the input kept
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="lookup-results"' not in html and f">{CQ}</textarea>" in html
    r = client.post("/preview?lang=en", data={"uscc": CQ, "target": "A", "allowance_2023_t": "12345"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "The form has expired" in html
    assert f'value="{CQ}"' in html and 'value="12345"' in html and 'id="preview-result"' not in html
    assert token(client) in html   # a fresh token: submitting again works


def test_logout_without_the_token_is_refused_plainly(client):
    r = client.post("/logout", data={})
    assert r.status_code == 400 and "<h1>" in r.get_data(as_text=True)


def test_login_refuses_an_unknown_key_and_sign_out_forgets_the_key(client, key_for):
    r = client.post("/login", data={"csrf_token": token(client, "/login"), "api_key": "gis_nothing"})
    assert r.status_code == 401 and "密钥无效" in r.get_data(as_text=True)
    sign_in(client, key_for("bank"), "/lookup")
    assert client.get("/lookup").status_code == 200
    assert client.post("/logout", data={"csrf_token": token(client, "/lookup")}).status_code == 302
    assert client.get("/lookup").status_code == 302


def test_the_session_cookie_is_httponly_and_strict(client, key_for):
    r = sign_in(client, key_for("bank"), "/lookup")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_key_of_another_role_gets_a_clear_refusal(client, key_for):
    sign_in(client, key_for("enterprise", uscc=CQ), "/tax")
    r = client.get("/lookup")
    html = r.get_data(as_text=True)
    assert r.status_code == 403 and "<b>银行</b>" in html and "已登录角色: <b>企业</b>" in html
    assert "<b>bank</b>" in client.get("/lookup?lang=en").get_data(as_text=True)
    assert client.get("/tax").status_code == 200   # an enterprise may assess its own data


def test_lookup_marks_not_found_and_invalid_and_its_downloads_are_excel_ready(client, admin, key_for):
    register(client, admin)
    bank = key_for("bank")
    sign_in(client, bank, "/lookup")
    asked = [CQ, HN, "12345"]
    r = client.post("/lookup", data={"csrf_token": token(client, "/lookup"), "usccs": "\n".join(asked),
                                     "as_of": "2024-05-01"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f'class="found" data-uscc="{CQ}"' in html
    assert f'class="not-found" data-uscc="{HN}"' in html
    assert 'class="invalid" data-uscc="12345"' in html
    assert f'href="/enterprises/{CQ}?as_of=2024-05-01"' in html   # the date goes with the enterprise
    assert "重庆市 500112" in html                                # a division by name, not a bare code
    raw = data_uri(html, "download-csv")
    assert raw.startswith("\ufeff".encode())                      # Excel on Chinese Windows needs the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["统一社会信用代码", "企业名称", "查询结果", "管理等级"]
    assert rows[0][-3:] == ["状态代码", "行业代码", "限制条款"]    # codes only as extra columns
    found = {r[0]: r for r in rows[1:]}
    assert found[CQ][2] == "已找到" and found[CQ][3] == "C" and found[CQ][5] == "已评级"
    assert found[CQ][7] == "陶瓷 / 建筑陶瓷：C" and found[CQ][-2] == "ceramics/ceramics_building=C"
    assert found[HN][2] == "未登记" and found["12345"][2] == "代码无效"
    with client.post("/api/v1/grades/lookup", json={"usccs": asked, "as_of": "2024-05-01"}, headers=bank) as api:
        answer = api.get_json()
    assert [r[0] for r in rows[1:]] == [r["uscc"] for r in answer["results"]] + answer["not_found"] + ["12345"]
    book = openpyxl.load_workbook(io.BytesIO(data_uri(html, "download-xlsx")))
    sheet = book.active
    assert sheet.freeze_panes == "A3"                                   # title, then the frozen header row
    assert [c.value for c in sheet[2]][:2] == ["统一社会信用代码", "企业名称"]
    assert sheet.column_dimensions["B"].width >= 20 and sheet["I3"].alignment.wrap_text
    assert [c.value for c in sheet[3]][:4] == rows[1][:4]


def test_lookup_download_neutralises_a_formula_in_a_name(client, admin, key_for):
    register(client, admin)
    assert client.patch(f"/api/v1/enterprises/{CQ}", json={"name": "=HYPERLINK(\"http://x\")"},
                        headers={**admin, "If-Match": '"1"'}).status_code == 200
    sign_in(client, key_for("bank"), "/lookup")
    html = client.post("/lookup", data={"csrf_token": token(client, "/lookup"), "usccs": CQ}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data_uri(html, "download-csv").decode("utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(data_uri(html, "download-xlsx"))).active
    assert sheet["B3"].data_type == "s" and sheet["B3"].quotePrefix


def test_lookup_explains_an_undecodable_file_and_an_empty_form(client, key_for):
    sign_in(client, key_for("bank"), "/lookup")
    bad = (io.BytesIO(b"uscc\n\xff\xfe\x80\x81\n"), "usccs.csv", "text/csv")
    r = client.post("/lookup", data={"csrf_token": token(client, "/lookup"), "file": bad},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "文件编码无法识别" in r.get_data(as_text=True)
    png = (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "scan.png", "image/png")
    r = client.post("/lookup", data={"csrf_token": token(client, "/lookup"), "file": png},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "不是 CSV 或 XLSX" in r.get_data(as_text=True)   # not "save as UTF-8"
    r = client.post("/lookup?lang=en", data={"csrf_token": token(client, "/lookup")})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Paste codes or choose a file." in html
    assert_inline_error(html, "usccs", "Paste codes or choose a file.", lang="en")


def test_enterprise_page_lists_the_history_and_explains_a_bad_uscc(client, admin):
    register(client, admin)
    assert event(client, admin, kind="rated", industry="ceramics", branch="ceramics_building", grade="A",
                 effective="2024-09-10", ref="CQ-5-3").status_code == 201
    html = client.get(f"/enterprises/{CQ}?as_of=2024-10-01").get_data(as_text=True)
    assert html.index('datetime="2024-04-24"') < html.index('datetime="2024-09-10"')
    assert 'id="overall-grade">A<' in html
    r = client.get("/enterprises/91500112MA5U0AB193")
    assert r.status_code == 422 and "统一社会信用代码无效" in r.get_data(as_text=True)
    r = client.get(f"/enterprises/{HN}?lang=en")
    assert r.status_code == 404 and "Not found." in r.get_data(as_text=True)
    assert client.get(f"/enterprises/{CQ}?as_of=someday").status_code == 422


def test_policies_page_marks_drafts_and_filters(client):
    html = client.get("/policies").get_data(as_text=True)
    listed = client.get("/api/v1/policies").get_json()
    assert html.count('<article class="policy"') == len(listed)
    assert html.count('data-status="draft"') == sum(p["status"] == "draft" for p in listed) > 0
    # LAW-27's VOCs pilot is listed as pending (no rule yet), never badged "in force"
    pending = client.get("/policies/national.env_tax_vocs_pilot").get_data(as_text=True)
    assert "待定" in pending and "现行" not in pending.split("national.env_tax_vocs_pilot")[-1].split("</article>")[0]
    carbon = client.get("/policies?category=carbon_quota").get_data(as_text=True)
    assert carbon.count('<article class="policy"') == len(client.get("/api/v1/policies?category=carbon_quota").get_json())
    r = client.get("/policies/nowhere.nothing")
    assert r.status_code == 404 and "未找到" in r.get_data(as_text=True)


class Answer:
    """A page's status and text, its response closed (a large upload is spooled to a temporary file)."""
    def __init__(self, response):
        with response:
            self.status_code, self.text = response.status_code, response.get_data(as_text=True)

    def get_data(self, as_text=True):
        return self.text


def _preview(client, **fields):
    return Answer(client.post("/preview" + fields.pop("query", ""), data={"csrf_token": token(client), **fields},
                              content_type="multipart/form-data"))


def _figure(html: str, key: str) -> str:
    """The data-value of a figure of the preview's summary card."""
    return re.search(rf'class="figure" data-key="{key}" data-value="([^"]*)"', html).group(1)


def test_preview_by_profile_shows_the_summary_card_and_the_ningxia_plan(client):
    r = _preview(client, division="500112", branch="ceramics_building", grade="C", target="A",
                 as_of="2024-10-01", allowance_2023_t="200000")
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    # CQ-A1-9: upgraded C -> A inside 2024-08-01..2024-12-31: 0.5% × 200 000 t = 1 000 tCO2
    assert Decimal(_figure(html, "carbon_allowance")) == 1000 and "1,000 吨二氧化碳" in html
    assert html.index('id="summary-card"') < html.index('id="gained"')          # the headline comes first
    assert "上传监测数据" in html and _figure(html, "env_tax") == ""           # an empty figure says why
    assert 'href="/policies/chongqing.carbon_quota_bonus"' in html
    assert "echarts" not in html                                                # no money figure: no chart
    raw = data_uri(html, "plan-csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert raw.startswith("\ufeff".encode())
    assert rows[0] == ["\ufeff序号", "地级市", "县（市、区）", "企业名称", "重点行业类型", "重点行业分支", "绩效现状",
                       "绩效提升目标", "差异化指标", "存在问题", "改进措施", "拟完成时间", "备注"]
    assert rows[1][0] == "1" and rows[1][4:8] == ["陶瓷", "建筑陶瓷", "C", "A"] and rows[1][10:12] == ["", ""]
    assert not re.search(r"[a-z]+_[a-z_]+|\['", rows[1][9])                   # 存在问题 in words, no engine codes
    sheet = openpyxl.load_workbook(io.BytesIO(data_uri(html, "plan-xlsx"))).active
    assert sheet["A1"].value.startswith("重点行业绩效分级“提级扩面”企业清单") and sheet.freeze_panes == "A3"
    assert any("由企业填写" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_preview_headline_figures_equal_the_api(client, admin):
    register(client, admin, facts={"holds_carbon_allowance": True, "allowance_2023_t": 200000})
    fields = {"uscc": CQ, "target": "A", "as_of": "2024-10-01", "allowance_2023_t": "200000",
              "alert_yellow": "5", "alert_orange": "3", "alert_red": "2", "daily_output_value_yuan": "800000"}
    html = _preview(client, **fields).get_data(as_text=True)
    body = {"enterprise": {"uscc": CQ}, "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"allowance_2023_t": 200000, "daily_output_value_yuan": 800000,
                         "alert_days": {"yellow": 5, "orange": 3, "red": 2}}}
    q = client.post("/api/v1/benefits/preview", json=body).get_json()["quantified"]
    assert Decimal(_figure(html, "carbon_allowance")) == Decimal(str(q["carbon_allowance"]["value"]))
    output = q["emergency_response"]["detail"]["output_value_yuan"]
    # CQ-A1-8: 10 alert days no longer cut × 800 000 yuan a day = 8 000 000 yuan
    assert Decimal(_figure(html, "output_value")) == Decimal(str(output)) == 8_000_000
    assert "8,000,000.00 <span class=\"unit\">元</span>" in html
    assert 'data-chart="headline"' in html and "echarts" in html                # a money figure: one chart


def test_preview_uses_the_standards_of_the_file_and_the_grid(client):
    # January of the project's sample file (kept under werkzeug's 500 KB in-memory limit for test uploads)
    lines = (ROOT / "sample_data" / "monitoring_quarter.csv").read_text(encoding="utf-8").splitlines()
    content = "\n".join([lines[0], *(x for x in lines[1:] if ",2024-01-" in x)]).encode()
    profile = {"division": "410100", "branch": "ceramics_building", "grade": "C", "target": "A", "as_of": "2024-10-01"}
    r = _preview(client, **profile, file=(io.BytesIO(content), "m.csv", "text/csv"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    # the grid shows each outlet × pollutant with the file's 标准浓度 (DA001 SO2: 35 mg/m³)
    assert re.search(r'name="std\|DA001\|so2" value="35"', html)
    fields = {f"target|DA001|{p}": "5" for p in ("so2", "nox", "soot")}
    r = _preview(client, **profile, **fields, file=(io.BytesIO(content), "m.csv", "text/csv"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    saving = Decimal(_figure(html, "env_tax"))
    assert saving > 0
    standards = dict(re.findall(r'name="std\|([^"]+)" value="([^"]*)"', html))
    outlets: dict = {}
    for key, value in standards.items():
        outlet, pollutant = key.split("|")
        outlets.setdefault(outlet, {})[pollutant] = value
    table = csv.DictReader(io.StringIO(content.decode("utf-8")))
    records = [{"outlet": x["排放口"], "pollutant": x["污染物"], "time": x["时间"], "concentration": x["浓度"],
                "flow": x["流量"], "standard": x["标准浓度"], "source": x["数据来源"]} for x in table]
    body = {"enterprise": {"division": "410100", "industries": [
                {"industry": "ceramics", "branch": "ceramics_building", "grade": "C"}]},
            "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"target_concentrations": {"DA001": {p: 5 for p in ("so2", "nox", "soot")}},
                         "monitoring": {"records": records, "outlets": [
                             {"outlet": o, "standards": s} for o, s in outlets.items()]}}}
    api = client.post("/api/v1/benefits/preview", json=body).get_json()["quantified"]["env_tax"]
    assert saving == Decimal(str(api["value"]))


def test_preview_explains_missing_and_bad_inputs(client):
    r = _preview(client, target="A")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请填写统一社会信用代码" in html
    assert_inline_error(html, "uscc", "请填写统一社会信用代码")
    r = _preview(client, uscc="91500112MA5U0AB193", target="A", query="?lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "The USCC is not valid." in html
    assert_inline_error(html, "uscc", "check digit", lang="en")
    r = _preview(client, uscc=CQ, target="A")   # valid but not registered
    assert r.status_code == 404 and "未找到" in r.get_data(as_text=True)
    r = _preview(client, uscc=CQ, target="A", allowance_2023_t="lots")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert_inline_error(html, "allowance_2023_t", "不是有效的数字")


GRID = {"std|DA001|so2": "200", "std|DA001|nox": "300"}   # the standards of STANDARDS, typed in the grid


def _tax(client, content: bytes, name: str = "m.csv", grid=GRID, **fields):
    return Answer(client.post("/tax" + fields.pop("query", ""), content_type="multipart/form-data", data={
        "csrf_token": token(client, "/tax"), "division": "410100", **grid,
        "file": (io.BytesIO(content), name, "text/csv"), **fields}))


def test_tax_page_rows_chart_and_filing_equal_the_api(client, key_for):
    bureau = key_for("tax_bureau", divisions=["410000"])
    sign_in(client, bureau, "/tax")
    content = (FIXTURES / "monitoring_utf8.csv").read_bytes()
    r = _tax(client, content)
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    with client.post("/api/v1/tax/assessments", headers=bureau, content_type="multipart/form-data",
                     data={"division": "410100", "outlets": STANDARDS,
                           "file": (io.BytesIO(content), "m.csv", "text/csv")}) as api:
        answer = api.get_json()
    tiers = re.findall(r'data-tier="([^"]+)"', html)
    assert tiers == [row["tier"] for row in answer["rows"]]
    assert re.findall(r'class="num tax-due" data-value="([^"]+)"', html) == \
        [f"{row['tax_due']:.2f}" for row in answer["rows"]]
    # the chart's bars carry the colour of each month's tier in the table (never a zone's)
    charts = [json.loads(x) for x in re.findall(r'<script type="application/json" id="tax-chart-\d+-data">(.*?)</script>',
                                                  html, re.DOTALL)]
    by_key = {(r["outlet"], r["pollutant"], r["month"]): r["tier"] for r in answer["rows"]}
    colours = {"50%": "#2e7d32", "75%": "#b7791f", "none": "#6b7785"}
    drawn = [(c["title"], m, colour) for c in charts for m, colour in zip(c["months"], c["colours"])]
    assert len(drawn) == len(answer["rows"])
    for c in charts:
        rows = [r for r in answer["rows"] if c["title"].startswith(r["outlet"] + " ·")
                and c["title"].endswith(r["pollutant_zh"])]
        assert c["colours"] == [colours[by_key[(r["outlet"], r["pollutant"], m)]] for r, m in zip(rows, c["months"])]
        assert c["max"] == [format(Decimal(str(r["max_concentration"])).normalize(), "f") for r in rows]
    assert "EXCEEDANCE_SCOPE" not in html and "REDUCTION_BOUNDARY" not in html   # reasons in words
    kg = re.findall(r'<td class="num" data-label="排放量 kg" data-value="[^"]+">([0-9,]+\.[0-9]+)</td>', html)
    assert kg and all(len(x.split(".")[1]) == 2 for x in kg)                      # kg to 2 decimals
    with client.post("/api/v1/tax/assessments", content_type="multipart/form-data",
                     headers={**bureau, "Accept": "text/csv"},
                     data={"division": "410100", "outlets": STANDARDS,
                           "file": (io.BytesIO(content), "m.csv", "text/csv")}) as api_csv:
        assert data_uri(html, "download-filing") == api_csv.data
    assert api_csv.data.startswith("\ufeff".encode())
    sheet = openpyxl.load_workbook(io.BytesIO(data_uri(html, "download-filing-xlsx"))).active
    filed = list(csv.reader(io.StringIO(api_csv.data.decode("utf-8-sig"))))
    assert [[c.value or "" for c in row] for row in sheet.iter_rows()] == filed and sheet.freeze_panes == "A2"


def test_tax_page_asks_for_standards_in_a_grid(client, key_for):
    sign_in(client, key_for("tax_bureau", divisions=["410000"]), "/tax")
    r = _tax(client, (FIXTURES / "monitoring_utf8.csv").read_bytes(), grid={})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'name="std|DA001|so2" value=""' in html
    assert_inline_error(html, "std|DA001|so2", "请填写标准浓度")
    r = _tax(client, (FIXTURES / "monitoring_utf8.csv").read_bytes(), grid={**GRID, "std|DA001|so2": "lots"})
    assert r.status_code == 422
    assert_inline_error(r.get_data(as_text=True), "std|DA001|so2", "不是有效的数字")


def test_tax_page_explains_encoding_unknown_pollutant_and_a_missing_file(client, key_for):
    sign_in(client, key_for("tax_bureau", divisions=["410000"]), "/tax")
    r = _tax(client, (FIXTURES / "monitoring_broken_gbk.csv").read_bytes())
    assert r.status_code == 400 and "文件编码无法识别" in r.get_data(as_text=True)
    assert_inline_error(r.get_data(as_text=True), "file", "文件编码无法识别")
    bad = "排放口,污染物,时间,浓度,流量\nDA001,钚,2024-01-01T00:00,1,1000\n".encode()
    r = _tax(client, bad, query="?lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "unknown pollutant" in html and "line 2" in html
    r = Answer(client.post("/tax", data={"csrf_token": token(client, "/tax"), "division": "410100"},
                           content_type="multipart/form-data"))
    assert r.status_code == 422 and "请选择监测数据文件" in r.get_data(as_text=True)
    assert_inline_error(r.get_data(as_text=True), "file", "请选择监测数据文件")
    r = _tax(client, bad, rates="{not json")
    assert r.status_code == 422
    assert_inline_error(r.get_data(as_text=True), "rates", "")


def test_preview_asks_for_missing_standards_in_the_grid_then_quantifies_the_saving(client):
    content = (FIXTURES / "monitoring_utf8.csv").read_bytes()   # no 标准浓度 column
    profile = {"division": "410100", "branch": "ceramics_building", "grade": "C", "target": "A",
               "as_of": "2024-10-01"}
    r = _preview(client, **profile, file=(io.BytesIO(content), "m.csv", "text/csv"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "缺少排放标准浓度" in html
    assert_inline_error(html, "std|DA001|so2", "请填写标准浓度")
    grid = {"std|DA001|so2": "200", "std|DA001|nox": "300", "target|DA001|so2": "90"}
    r = _preview(client, **profile, **grid, file=(io.BytesIO(content), "m.csv", "text/csv"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    body = {"enterprise": {"division": "410100", "industries": [
                {"industry": "ceramics", "branch": "ceramics_building", "grade": "C"}]},
            "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"target_concentrations": {"DA001": {"so2": 90}}, "monitoring": {
                "outlets": [{"outlet": "DA001", "standards": {"so2": 200, "nox": 300}}],
                "records": [{"outlet": o, "pollutant": p, "time": t, "concentration": c, "flow": f, "source": s}
                            for o, p, t, c, f, s in (line.split(",") for line in content.decode().splitlines()[1:])]}}}
    saving = client.post("/api/v1/benefits/preview", json=body).get_json()["quantified"]["env_tax"]
    assert saving["value"] is not None
    assert Decimal(_figure(html, "env_tax")) == Decimal(str(saving["value"]))
    cell = re.search(r'data-kind="env_tax_saving"><td>[^<]*</td><td class="num" data-value="([^"]*)"', html)
    assert cell and Decimal(cell.group(1)) == Decimal(str(saving["value"]))


def test_the_session_cookie_never_holds_the_key(client, key_for):
    # a signed Flask cookie is readable by whoever holds it: only the key's hash is kept
    import base64
    import zlib
    key = key_for("bank")["Authorization"].split()[1]
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"api_key": key, "csrf_token": token, "next": "/lookup"})
    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if cookie.startswith(".") else raw).decode()
    assert key not in text and "key_hash" in text
    assert client.get("/lookup").status_code == 200


def test_statistics_page_equals_the_api_and_lists_rated_enterprises(client, admin):
    register(client, admin)                                   # Chongqing, C
    register(client, admin, code=HN, grade="B")               # Henan, B
    html = client.get("/statistics?division=500000&as_of=2024-05-01").get_data(as_text=True)
    stats = client.get("/api/v1/stats/grades?division=500000&as_of=2024-05-01").get_json()
    for g in stats["by_grade"]:
        row = re.search(rf'<tr data-grade="{re.escape(g["grade"])}"><th scope="row">[^<]*</th><td class="num">(\d+)</td>',
                        html)
        assert row and int(row.group(1)) == g["count"]
    assert 'data-ref="CQ-2"' in html and 'data-ref="SX-2-2"' in html      # every target's progress
    assert 'data-chart="bars"' in html and "echarts" in html
    rated = client.get("/statistics/rated?division=500000&grade=C&as_of=2024-05-01").get_data(as_text=True)
    assert f'data-uscc="{CQ}"' in rated and f'data-uscc="{HN}"' not in rated
    assert 'data-uscc=' not in client.get("/statistics/rated?division=500000&grade=A&as_of=2024-05-01").get_data(
        as_text=True)
    empty = client.get("/statistics?division=640000").get_data(as_text=True)
    assert "echarts" not in empty                             # nothing to draw: no chart library


def test_catalogue_filters_by_grade_and_searches_and_the_policy_page_links_its_document(client):
    every = client.get("/policies").get_data(as_text=True).count('<article class="policy"')
    for_d = client.get("/policies?grade=D").get_data(as_text=True)
    assert 0 < for_d.count('<article class="policy"') < every
    assert 'id="chongqing.carbon_quota_bonus"' not in for_d   # CQ-A1-9 needs an upgrade to B or better
    found = client.get("/policies?q=CQ-A1-9").get_data(as_text=True)
    assert re.findall(r'<article class="policy" id="([^"]+)"', found) == ["chongqing.carbon_quota_bonus"]
    assert "没有符合条件的政策" in client.get("/policies?q=nothing-like-this").get_data(as_text=True)
    html = client.get("/policies/chongqing.carbon_quota_bonus").get_data(as_text=True)
    assert html.count("<h1") == 1 and 'id="policy-title"' in html
    assert 'href="/policies/chongqing.carbon_quota_bonus/document#clause"' in html
    doc = client.get("/policies/chongqing.carbon_quota_bonus/document").get_data(as_text=True)
    assert '<mark id="clause">九、减污降碳激励</mark>' in doc
    assert client.get("/policies/nowhere.nothing/document").status_code == 404


def test_an_unknown_path_is_a_page_for_a_browser_and_problem_json_otherwise(client):
    r = client.get("/nowhere", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 404 and r.mimetype == "text/html" and "页面不存在" in r.get_data(as_text=True)
    r = client.get("/nowhere")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    r = client.get("/api/v1/nowhere", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


@pytest.mark.parametrize("name, header", [("lookup", "统一社会信用代码"), ("monitoring", "排放口")])
def test_every_upload_has_a_template(client, name, header):
    with client.get(f"/templates/{name}.csv") as r:
        assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][0] == header and len(rows) >= 2
    with client.get(f"/templates/{name}.xlsx") as r:
        sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    assert sheet["A1"].value == header and sheet.freeze_panes == "A2"
    with client.get("/templates/nothing.csv") as r:
        assert r.status_code == 404


def test_the_templates_are_read_by_their_pages(client, key_for):
    sign_in(client, key_for("tax_bureau", divisions=["410000"]), "/tax")
    for fmt, media in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        with client.get(f"/templates/monitoring.{fmt}") as t:
            content = t.data
        r = _tax(client, content, name=f"m.{fmt}", grid={})
        assert r.status_code == 200, r.get_data()
    with client.get("/templates/lookup.csv") as t:
        content = t.data
    sign_in(client, key_for("bank"), "/lookup")
    r = Answer(client.post("/lookup", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/lookup"), "file": (io.BytesIO(content), "usccs.csv", "text/csv")}))
    assert r.status_code == 200 and 'id="lookup-table"' in r.get_data()


def test_jurisdictions_pages_show_what_the_api_shows(client):
    html = client.get("/jurisdictions").get_data(as_text=True)
    listed = client.get("/api/v1/jurisdictions").get_json()
    assert re.findall(r'<section class="jurisdiction panel" id="j-(\d+)"', html) == [j["code"] for j in listed]
    for j in listed:
        block = html[html.index(f'id="j-{j["code"]}"'):]
        assert int(re.search(r'class="measures">(\d+)<', block).group(1)) == j["measures"]
        assert all(f'data-document="{d["id"]}"' in block for d in j["documents"])
    one = client.get("/jurisdictions/500112?as_of=2024-10-01").get_data(as_text=True)
    api = client.get("/api/v1/jurisdictions/500112?as_of=2024-10-01").get_json()
    assert re.findall(r'<li data-policy="([^"]+)"', one) == [m["policy_id"] for m in api["measures"]]
    assert client.get("/jurisdictions/abc", headers={"Accept": "text/html"}).status_code == 404
