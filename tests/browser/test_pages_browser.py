"""Each page in Debian chromium against gunicorn: the main path with the API's figures, one bad input, zh/en."""
from __future__ import annotations

import csv
import io
import json
import re
import uuid
from decimal import Decimal

import openpyxl
import pytest

from .conftest import CQ, FIXTURES, HN, UNKNOWN, api, api_json, login, shot

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def multipart(fields: dict, filename: str, content: bytes, media_type: str = "text/csv") -> tuple[bytes, dict]:
    """A multipart/form-data body with one file, as a browser sends it."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: {media_type}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), {
        "Content-Type": f"multipart/form-data; boundary={boundary}"}


def download(page, selector: str) -> bytes:
    """Click a download link and return the file's bytes."""
    with page.expect_download() as info:
        page.click(selector)
    with open(info.value.path(), "rb") as f:
        return f.read()


def cells(xlsx: bytes) -> list[list]:
    """The first sheet's values."""
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)]


def test_start_page_sends_each_user_and_switches_language(open_page):
    page = open_page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "绩效分级激励服务"
    shot(page, "home-zh")
    page.click("#lang-switch")
    page.wait_for_url("**lang=en")
    assert page.locator("h1").inner_text() == "Grade-incentive service"
    shot(page, "home-en")
    page.click("#go-policies")   # the chosen language follows the links
    page.wait_for_url("**/policies?lang=en")
    assert page.locator("h1").inner_text() == "Policy catalogue"
    english = open_page(locale="en-US")   # the browser's own language, with no ?lang
    english.goto("/")
    assert english.locator("h1").inner_text() == "Grade-incentive service"


def test_policies_page_lists_what_the_api_lists_with_clause_text(open_page, server):
    base, _ = server
    page = open_page()
    page.goto("/policies")
    listed = api_json(base, "GET", "/api/v1/policies", key=None)
    assert page.locator("article.policy").count() == len(listed)
    drafts = [p["policy_id"] for p in listed if p["status"] == "draft"]
    assert drafts and page.locator("article.policy[data-status=draft]").count() == len(drafts)
    shot(page, "policies-zh")
    page.select_option("select[name=category]", "carbon_quota")
    page.click("#policy-filter button")
    carbon = api_json(base, "GET", "/api/v1/policies?category=carbon_quota", key=None)
    assert page.locator("article.policy").count() == len(carbon)
    page.click("article#chongqing\\.carbon_quota_bonus h3 a")
    page.wait_for_url("**/policies/chongqing.carbon_quota_bonus")
    [api_policy] = api_json(base, "GET", "/api/v1/policies/chongqing.carbon_quota_bonus", key=None)
    assert "0.5%" in page.locator("blockquote").first.inner_text()
    assert page.locator("blockquote").first.inner_text().strip() == api_policy["clause_text"].strip()
    page.goto("/policies/nowhere.nothing?lang=en")
    assert page.locator(".problem .headline").inner_text() == "Not found."


def test_enterprise_page_shows_the_history_as_a_timeline(open_page, server):
    base, _ = server
    page = open_page()
    page.goto(f"/enterprises/{HN}?as_of=2024-07-01")
    grade = api_json(base, "GET", f"/api/v1/enterprises/{HN}/grade?as_of=2024-07-01", key=None)
    assert page.locator("#overall-grade").inner_text() == grade["overall_grade"] == "A"
    times = page.locator("ol.timeline time").all_inner_texts()
    assert times == [h["effective"] for h in grade["history"]]
    shot(page, "enterprise-zh")
    page.goto("/enterprises")
    page.fill("#enterprise-form input[name=uscc]", "91500112MA5U0AB193")   # wrong check digit
    page.click("#enterprise-form button")
    assert "统一社会信用代码无效" in page.locator(".problem").inner_text()
    page.click("#lang-switch")
    assert "The USCC is not valid." in page.locator(".problem").inner_text()


def test_lookup_table_and_downloads_equal_the_api(open_page, server):
    base, keys = server
    page = open_page()
    page.goto("/lookup")
    page.wait_for_url("**/login?next=/lookup")
    login(page, keys["bank"], "/lookup")
    asked = [CQ, HN, UNKNOWN, "12345"]
    page.fill("textarea[name=usccs]", "\n".join(asked))
    page.fill("input[name=as_of]", "2024-07-01")
    page.click("#lookup-form button[type=submit]")
    page.wait_for_selector("#lookup-table")
    answer = api_json(base, "POST", "/api/v1/grades/lookup", {"usccs": asked, "as_of": "2024-07-01"}, keys["bank"])
    for r in answer["results"]:
        row = page.locator(f"tr.found[data-uscc='{r['uscc']}']")
        assert row.locator("td.grade").inner_text() == r["overall_grade"]
    assert page.locator("tr.not-found").count() == len(answer["not_found"]) == 1
    assert page.locator("tr.invalid").count() == 1
    shot(page, "lookup-zh")
    status, api_csv, _ = api(base, "POST", "/api/v1/grades/lookup", {"usccs": asked, "as_of": "2024-07-01"},
                             keys["bank"], headers={"Accept": "text/csv"})
    assert status == 200
    assert download(page, "#download-csv") == api_csv
    book = openpyxl.load_workbook(io.BytesIO(download(page, "#download-xlsx")))
    cells = [[c if c is not None else "" for c in row] for row in book.active.iter_rows(values_only=True)]
    assert cells == list(csv.reader(io.StringIO(api_csv.decode("utf-8-sig"))))   # the CSV carries a BOM for Excel
    page.set_input_files("input[name=file]", {"name": "usccs.csv", "mimeType": "text/csv",
                                              "buffer": b"uscc\n" + b"\xff\xfe\x80\x81\n"})
    page.click("#lookup-form button[type=submit]")
    assert "文件编码无法识别" in page.locator(".problem .headline").inner_text()
    phone = open_page(viewport=PHONE)
    login(phone, keys["bank"], "/lookup")
    phone.fill("textarea[name=usccs]", f"{CQ}\n{HN}")
    phone.click("#lookup-form button[type=submit]")
    phone.wait_for_selector("#lookup-table")
    shot(phone, "lookup-phone")


def test_a_key_of_another_role_is_refused(open_page, server):
    _, keys = server
    page = open_page()
    login(page, keys["enterprise"], "/tax")
    page.goto("/lookup")
    assert "不能使用此页面" in page.locator(".problem").inner_text()


STANDARDS = '{"DA001": {"standards": {"so2": 200, "nox": 300}}}'
TAX_FORM = {"division": "410100", "outlets": STANDARDS}


def _tax_via_api(base, key, content: bytes) -> dict:
    body, headers = multipart(TAX_FORM, "monitoring.csv", content)
    status, raw, _ = api(base, "POST", "/api/v1/tax/assessments", key=key, headers=headers, data=body)
    assert status == 201, raw.decode()
    return json.loads(raw)


def test_tax_page_assesses_an_upload_with_progress_chart_and_filing_csv(open_page, server):
    base, keys = server
    page = open_page()
    login(page, keys["tax_bureau"], "/tax")
    shot(page, "tax-form-zh")
    xhr = []
    page.on("request", lambda r: xhr.append(r) if r.method == "POST" and r.url.endswith("/tax") else None)
    content = (FIXTURES / "monitoring_utf8.csv").read_bytes()
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_utf8.csv"))
    page.select_option("select[name=division]", "410100")
    page.fill("input[name=outlets]", STANDARDS)
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#assessment")
    assert xhr and xhr[0].headers.get("x-requested-with") == "XMLHttpRequest"   # sent with progress events
    answer = _tax_via_api(base, keys["tax_bureau"], content)
    rows = page.locator("#tax-rows tbody tr")
    assert rows.count() == len(answer["rows"])
    for i, r in enumerate(answer["rows"]):
        row = rows.nth(i)
        assert row.get_attribute("data-tier") == r["tier"]
        assert re.sub(r"[,]", "", row.locator("td.tax-due").inner_text()) == f"{r['tax_due']:.2f}"
    page.wait_for_selector("[data-chart=tax][data-rendered=true] svg")
    shot(page, "tax-result-zh")
    body, headers = multipart(TAX_FORM, "m.csv", content)
    status, api_csv, _ = api(base, "POST", "/api/v1/tax/assessments", key=keys["tax_bureau"],
                             headers={**headers, "Accept": "text/csv"}, data=body)
    assert status == 201 and download(page, "#download-filing") == api_csv


def test_tax_page_explains_a_bad_encoding_and_an_unknown_pollutant(open_page, server):
    _, keys = server
    page = open_page()
    login(page, keys["tax_bureau"], "/tax?lang=en")
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_broken_gbk.csv"))
    page.select_option("select[name=division]", "410100")
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector(".problem")
    assert "encoding is not recognised" in page.locator(".problem .headline").inner_text()
    page.fill("input[name=outlets]", STANDARDS)
    bad = "排放口,污染物,时间,浓度,流量\nDA001,钚,2024-01-01T00:00,1,1000\n".encode()
    page.set_input_files("input[name=file]", {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad})
    page.click("#tax-form button[type=submit]")
    page.locator(".problem .errors", has_text="unknown pollutant").wait_for()
    assert "line 2" in page.locator(".problem .errors").inner_text()
    shot(page, "tax-error-en")


def test_preview_page_shows_the_api_figures_clauses_and_plan(open_page, server):
    base, _ = server
    page = open_page()
    page.goto("/preview")
    shot(page, "preview-form-zh")
    page.fill("input[name=uscc]", CQ)
    page.select_option("select[name=target]", "A")
    page.fill("input[name=as_of]", "2024-10-01")
    page.click("details.more summary")
    for colour, days in (("yellow", "5"), ("orange", "3"), ("red", "2")):
        page.fill(f"input[name=alert_{colour}]", days)
    # contract 1.1: without a key a preview by uscc uses only public data; the allowance is the caller's what-if
    page.fill("input[name=allowance_2023_t]", "200000")
    page.click("#preview-form button[type=submit]")
    page.wait_for_selector("#preview-result")
    body = {"enterprise": {"uscc": CQ}, "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"alert_days": {"yellow": 5, "orange": 3, "red": 2}, "allowance_2023_t": 200000}}
    answer = api_json(base, "POST", "/api/v1/benefits/preview", body, key=None)
    assert page.locator("#current-grade").inner_text() == answer["current"]["overall_grade"] == "C"
    assert page.locator("#target-grade").inner_text() == answer["target"]["overall_grade"] == "A"
    gained = page.locator("#gained > ul.benefits > li.benefit")
    assert [gained.nth(i).get_attribute("data-policy") for i in range(gained.count())] == \
        [b["policy_id"] for b in answer["gained"]]
    # CQ-A1-9: 0.5% × 200 000 t (2023 allowance) = 1 000 tCO2
    assert answer["quantified"]["carbon_allowance"]["value"] == 1000
    cell = page.locator("#figures tr[data-kind=carbon_allowance] td.num")
    assert Decimal(cell.get_attribute("data-value")) == Decimal(1000) and "1,000 tCO2" in cell.inner_text()
    page.wait_for_selector("[data-chart=bars][data-rendered=true] svg")
    shot(page, "preview-result-zh")
    status, api_plan, _ = api(base, "POST", "/api/v1/benefits/preview/plan?format=csv", body, key=None)
    assert status == 200 and download(page, "#plan-csv") == api_plan
    status, api_xlsx, _ = api(base, "POST", "/api/v1/benefits/preview/plan?format=xlsx", body, key=None)
    assert status == 200 and cells(download(page, "#plan-xlsx")) == cells(api_xlsx)
    assert cells(api_xlsx)[0][0] == "企业名称"
    page.click("li.benefit[data-policy='chongqing.carbon_quota_bonus'] a.clause-link")
    page.wait_for_url("**/policies/chongqing.carbon_quota_bonus")
    assert "0.5%" in page.locator("blockquote").first.inner_text()


def test_preview_page_explains_a_bad_uscc_in_both_languages(open_page):
    page = open_page(viewport=PHONE)
    page.goto("/preview?lang=en")
    page.fill("input[name=uscc]", "91500112MA5U0AB193")
    page.select_option("select[name=target]", "A")
    page.click("#preview-form button[type=submit]")
    page.wait_for_selector(".problem")
    assert page.locator(".problem .headline").inner_text() == "The USCC is not valid."
    assert "enterprise.uscc" in page.locator(".problem .errors").inner_text()
    shot(page, "preview-error-phone-en")

