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
from playwright.sync_api import expect

from .conftest import CQ, FIXTURES, HN, PHONE, UNKNOWN, api, api_json, login, shot

pytestmark = pytest.mark.browser


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


def test_lookup_table_and_excel_ready_downloads(open_page, server):
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
    raw = download(page, "#download-csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["统一社会信用代码", "企业名称", "查询结果"]
    assert [r[0] for r in rows[1:]] == [r["uscc"] for r in answer["results"]] + answer["not_found"] + ["12345"]
    assert [r[3] for r in rows[1:len(answer["results"]) + 1]] == [r["overall_grade"] for r in answer["results"]]
    sheet = openpyxl.load_workbook(io.BytesIO(download(page, "#download-xlsx"))).active
    assert sheet.freeze_panes == "A3" and [c.value for c in sheet[2]][:3] == rows[0][:3]
    page.click(f"tr.found[data-uscc='{HN}'] a")                     # the date goes with the enterprise
    page.wait_for_url(f"**/enterprises/{HN}?as_of=2024-07-01")
    assert page.locator("input[name=as_of]").input_value() == "2024-07-01"
    page.go_back()
    page.goto("/lookup")
    page.set_input_files("input[name=file]", {"name": "usccs.csv", "mimeType": "text/csv",
                                              "buffer": b"uscc\n" + b"\xff\xfe\x80\x81\n"})
    page.click("#lookup-form button[type=submit]")
    assert "文件编码无法识别" in page.locator("#error-summary .headline").inner_text()
    expect(page.locator("#error-summary")).to_be_focused()  # focus moved
    assert page.locator("#e-file").is_visible() and page.locator("#f-file").get_attribute("aria-invalid") == "true"
    page.click("#error-summary a[href='#f-file']")
    assert page.evaluate("document.activeElement.id") == "f-file"
    phone = open_page(viewport=PHONE)
    login(phone, keys["bank"], "/lookup")
    phone.fill("textarea[name=usccs]", f"{CQ}\n{HN}")
    phone.click("#lookup-form button[type=submit]")
    phone.wait_for_selector("#lookup-table")
    top = phone.evaluate("document.getElementById('lookup-results').getBoundingClientRect().top")
    assert -2 <= top < PHONE["height"]                                   # the result is in view after submit
    shot(phone, "lookup-phone")


def test_a_key_of_another_role_is_refused(open_page, server):
    _, keys = server
    page = open_page()
    login(page, keys["enterprise"], "/tax")
    page.goto("/lookup")
    assert "不能使用此页面" in page.locator(".notice").inner_text() and "银行" in page.locator(".notice").inner_text()


STANDARDS = '{"DA001": {"standards": {"so2": 200, "nox": 300}}}'
TAX_FORM = {"division": "410100", "outlets": STANDARDS}
TIER_COLOURS = {"50%": "#2e7d32", "75%": "#b7791f", "none": "#6b7785"}


def _tax_via_api(base, key, content: bytes) -> dict:
    body, headers = multipart(TAX_FORM, "monitoring.csv", content)
    status, raw, _ = api(base, "POST", "/api/v1/tax/assessments", key=key, headers=headers, data=body)
    assert status == 201, raw.decode()
    return json.loads(raw)


def test_tax_page_assesses_an_upload_with_progress_chart_and_filing(open_page, server):
    base, keys = server
    page = open_page()
    login(page, keys["tax_bureau"], "/tax")
    assert page.evaluate("typeof echarts") == "undefined"           # no chart library on the empty form
    xhr = []
    page.on("request", lambda r: xhr.append(r) if r.method == "POST" and r.url.endswith("/tax") else None)
    content = (FIXTURES / "monitoring_utf8.csv").read_bytes()
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_utf8.csv"))
    page.select_option("select[name=division]", "410100")
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#error-summary")                       # no 标准浓度 in the file: the grid asks
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("错误：")
    page.fill("input[name='std|DA001|so2']", "200")
    page.fill("input[name='std|DA001|nox']", "300")
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_utf8.csv"))
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#assessment")
    assert xhr and xhr[-1].headers.get("x-requested-with") == "XMLHttpRequest"   # sent with progress events
    answer = _tax_via_api(base, keys["tax_bureau"], content)
    rows = page.locator("#tax-rows tbody tr")
    assert rows.count() == len(answer["rows"])
    for i, r in enumerate(answer["rows"]):
        row = rows.nth(i)
        assert row.get_attribute("data-tier") == r["tier"]
        assert re.sub(r"[,]", "", row.locator("td.tax-due").inner_text()) == f"{r['tax_due']:.2f}"
        assert row.locator("td.tax-due").is_visible()                # 应纳税额 in view at 1280 px
    page.wait_for_selector("[data-chart=tax][data-rendered=true] svg")
    # each bar drawn has the colour of its month's tier in the table
    for n in range(page.locator("[data-chart=tax]").count()):
        el = page.locator("[data-chart=tax]").nth(n)
        drawn = page.evaluate("""el => {
            const o = echarts.getInstanceByDom(el).getOption();
            return {months: o.xAxis[0].data, colours: o.series[0].data.map(b => b.itemStyle.color),
                    max: o.series[1].data, svg: [...el.querySelectorAll('path')].map(p => p.getAttribute('fill'))};
        }""", el.element_handle())
        title = el.locator("xpath=..").locator("figcaption").inner_text()
        outlet = title.split(" · ")[0]
        for month, colour in zip(drawn["months"], drawn["colours"]):
            tier = page.locator(f"#tax-rows tr[data-outlet='{outlet}'][data-month='{month}']").filter(
                has_text=title.split(" · ")[1]).get_attribute("data-tier")
            assert colour == TIER_COLOURS[tier]
            assert colour in drawn["svg"]
        assert all(m is not None for m in drawn["max"])              # the hourly maximum is marked
    page.focus("#tax-rows")                                          # the scroll box is reachable by keyboard
    assert page.locator(".scroll:has(#tax-rows)").get_attribute("tabindex") == "0"
    shot(page, "tax-result-zh")
    body, headers = multipart(TAX_FORM, "m.csv", content)
    status, api_csv, _ = api(base, "POST", "/api/v1/tax/assessments", key=keys["tax_bureau"],
                             headers={**headers, "Accept": "text/csv"}, data=body)
    filing = download(page, "#download-filing")
    assert status == 201 and filing == api_csv and filing.startswith("\ufeff".encode())
    sheet = cells(download(page, "#download-filing-xlsx"))
    assert [[c or "" for c in row] for row in sheet] == list(csv.reader(io.StringIO(api_csv.decode("utf-8-sig"))))


def test_tax_page_explains_a_bad_encoding_and_an_unknown_pollutant(open_page, server):
    _, keys = server
    page = open_page()
    login(page, keys["tax_bureau"], "/tax?lang=en")
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_broken_gbk.csv"))
    page.select_option("select[name=division]", "410100")
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "encoding is not recognised" in page.locator("#error-summary .headline").inner_text()
    assert "encoding is not recognised" in page.locator("#e-file").inner_text()
    bad = "排放口,污染物,时间,浓度,流量,标准浓度\nDA001,钚,2024-01-01T00:00,1,1000,10\n".encode()
    page.set_input_files("input[name=file]", {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad})
    page.click("#tax-form button[type=submit]")
    page.locator("#error-summary .errors", has_text="unknown pollutant").wait_for()
    assert "line 2" in page.locator("#error-summary .errors").inner_text()
    shot(page, "tax-error-en")


def test_preview_page_shows_the_api_figures_clauses_and_plan(open_page, server):
    base, _ = server
    page = open_page()
    page.goto("/preview")
    assert page.evaluate("typeof echarts") == "undefined"           # no chart library on the empty form
    page.fill("input[name=uscc]", CQ)
    page.select_option("select[name=target]", "A")
    page.fill("input[name=as_of]", "2024-10-01")
    page.click("details.more summary")
    for colour, days in (("yellow", "5"), ("orange", "3"), ("red", "2")):
        page.fill(f"input[name=alert_{colour}]", days)
    # contract 1.1: without a key a preview by uscc uses only public data; the allowance is the caller's what-if
    page.fill("input[name=allowance_2023_t]", "200000")
    page.fill("input[name=daily_output_value_yuan]", "800000")
    page.click("#preview-form button[type=submit]")
    page.wait_for_selector("#preview-result")
    body = {"enterprise": {"uscc": CQ}, "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"alert_days": {"yellow": 5, "orange": 3, "red": 2}, "allowance_2023_t": 200000,
                         "daily_output_value_yuan": 800000}}
    answer = api_json(base, "POST", "/api/v1/benefits/preview", body, key=None)
    assert page.locator("#current-grade").inner_text() == answer["current"]["overall_grade"] == "C"
    assert page.locator("#target-grade").inner_text() == answer["target"]["overall_grade"] == "A"
    top = page.evaluate("document.getElementById('preview-result').getBoundingClientRect().top")
    assert -2 <= top < 900                                             # scrolled into view after submit
    gained = page.locator("#gained > ul.benefits > li.benefit")
    assert [gained.nth(i).get_attribute("data-policy") for i in range(gained.count())] == \
        [b["policy_id"] for b in answer["gained"]]
    q = answer["quantified"]
    # the summary card's headline figures are the API's
    card = page.locator("#summary-card")
    # CQ-A1-8: 10 alert days (5 + 3 + 2) no longer cut × 800 000 yuan = 8 000 000 yuan
    output = card.locator(".figure[data-key=output_value]")
    assert Decimal(output.get_attribute("data-value")) == Decimal(str(q["emergency_response"]["detail"]["output_value_yuan"]))
    assert "8,000,000.00" in output.inner_text() and "元" in output.inner_text()
    # CQ-A1-9: 0.5% × the 200 000 t 2023 allowance typed as a what-if = 1 000 tCO2
    carbon = card.locator(".figure[data-key=carbon_allowance]")
    assert Decimal(carbon.get_attribute("data-value")) == Decimal(str(q["carbon_allowance"]["value"])) == 1000
    assert card.locator(".figure[data-key=env_tax] .empty").inner_text().startswith("上传监测数据")
    page.wait_for_selector("[data-chart=headline][data-rendered=true] svg")
    shot(page, "preview-result-zh")
    raw = download(page, "#plan-csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert raw.startswith("\ufeff".encode()) and rows[0][:3] == ["序号", "地级市", "县（市、区）"]
    xlsx = cells(download(page, "#plan-xlsx"))
    assert xlsx[0][0].startswith("重点行业绩效分级") and xlsx[1][0] == "序号"
    page.click("li.benefit[data-policy='chongqing.carbon_quota_bonus'] a.clause-link")
    page.wait_for_url("**/policies/chongqing.carbon_quota_bonus")
    assert "0.5%" in page.locator("blockquote").first.inner_text()
    assert page.locator("h1").count() == 1
    page.click("#document-link")
    page.wait_for_url("**/policies/chongqing.carbon_quota_bonus/document#clause")
    assert "减污降碳激励" in page.locator("mark#clause").inner_text()


def test_preview_page_explains_a_bad_uscc_in_both_languages(open_page):
    page = open_page(viewport=PHONE)
    page.goto("/preview?lang=en")
    page.fill("input[name=uscc]", "91500112MA5U0AB193")
    page.select_option("select[name=target]", "A")
    page.click("#preview-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator("#error-summary .headline").inner_text() == "The USCC is not valid."
    assert page.locator("#error-summary a[href='#f-uscc']").count() == 1
    assert page.locator("#e-uscc").inner_text().startswith("Error:")
    assert page.locator("#f-uscc").get_attribute("aria-invalid") == "true"
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Error: ")
    shot(page, "preview-error-phone-en")


def test_an_expired_form_keeps_what_was_typed(open_page, browser, server):
    page = open_page()
    page.goto("/preview")
    page.fill("input[name=uscc]", CQ)
    page.select_option("select[name=target]", "B")
    page.context.clear_cookies()                                    # the session (and its token) is gone
    page.click("#preview-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "表单已过期" in page.locator("#error-summary").inner_text()
    assert page.locator("input[name=uscc]").input_value() == CQ
    assert page.locator("select[name=target]").input_value() == "B"
    page.click("#preview-form button[type=submit]")                 # the fresh token works
    page.wait_for_selector("#preview-result")


def test_unknown_paths_get_a_page_in_a_browser_and_problem_json_elsewhere(open_page, server):
    base, _ = server
    page = open_page(locale="en-US")
    response = page.goto("/nowhere")
    assert response.status == 404 and page.locator("h1").inner_text() == "Page not found"
    assert page.locator("main a[href='/policies']").count() == 1
    status, _, headers = api(base, "GET", "/nowhere", key=None)
    assert status == 404 and headers["Content-Type"].startswith("application/problem+json")


def test_catalogue_filters_by_grade_and_searches(open_page):
    page = open_page()
    page.goto("/policies")
    every = page.locator("article.policy").count()
    page.select_option("select[name=grade]", "D")
    page.click("#policy-filter button")
    for_d = page.locator("article.policy").count()
    assert 0 < for_d < every
    page.select_option("select[name=grade]", "")
    page.fill("input[name=q]", "CQ-A1-9")
    page.click("#policy-filter button")
    assert [a.get_attribute("id") for a in page.locator("article.policy").all()] == ["chongqing.carbon_quota_bonus"]


def test_statistics_page_shows_the_api_counts_and_the_public_list(open_page, server):
    base, _ = server
    page = open_page()
    page.goto("/statistics?division=330600")
    stats = api_json(base, "GET", "/api/v1/stats/grades?division=330600", key=None)
    for g in stats["by_grade"]:
        assert page.locator(f"#by-grade tr[data-grade='{g['grade']}'] td.num").first.inner_text() == str(g["count"])
    page.wait_for_selector("[data-chart=bars][data-rendered=true] svg")
    assert page.locator("#targets li[data-ref='SX-2-2']").count() == 6
    page.click("#by-grade tr[data-grade='A'] a")
    page.wait_for_url("**/statistics/rated?division=330600&grade=A**")
    assert page.locator("#rated-table tbody tr").count() == 1
