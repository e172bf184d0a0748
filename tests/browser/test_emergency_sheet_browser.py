"""The emergency-response sheet (一厂一策 公示牌) in Debian chromium: linked from the enterprise page, for the
signed-in enterprise, the API's figures in zh and en, and its PDF with the Chinese text."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from incentives import uscc as uscc_mod

from .conftest import api_json, login, shot

pytestmark = pytest.mark.browser
JL = uscc_mod.make("91", "220100", "CEM00002")      # a Jilin clinker plant, graded C


@pytest.fixture(scope="module")
def plant(server):
    base, _ = server
    api_json(base, "POST", "/api/v1/enterprises", {
        "uscc": JL, "name": "吉林某某水泥有限公司", "industries": [
            {"industry": "cement", "branch": "cement_clinker", "grade": "C", "rated_on": "2025-06-01"}]})
    key = api_json(base, "POST", "/api/v1/keys", {"role": "enterprise", "uscc": JL, "label": "browser jl"})["key"]
    return base, key


def test_sheet_from_the_enterprise_page_in_zh_and_en_with_its_pdf(open_page, plant):
    base, key = plant
    sheet = api_json(base, "GET", f"/api/v1/enterprises/{JL}/emergency-sheet?as_of=2026-06-01", key=key)
    page = open_page()
    page.goto(f"/enterprises/{JL}?as_of=2026-06-01")
    page.click("#emergency-sheet-link")
    page.wait_for_selector("input[name=api_key]")      # signed out: the sheet asks for the enterprise's key
    assert "/login?next=" in page.url
    login(page, key, f"/enterprises/{JL}/emergency-sheet?as_of=2026-06-01")
    assert page.locator("#sheet-title").inner_text() == "重污染天气应急减排公示牌（一厂一策）"
    assert page.locator("#sheet-name").inner_text() == "吉林某某水泥有限公司"
    line = sheet["lines"][0]
    # EG-CEM-1, grade C: yellow 停产50%以生产线计, orange and red 停产; JL-CF26-1: 90 + 105 + 61 = 256 days
    rows = page.locator("#line-1 table.measures tbody tr").all_inner_texts()
    assert [m["level"] for m in line["alert_levels"]] == ["yellow", "orange", "red"]
    assert "黄色预警" in rows[0] and "停产50%，以生产线计" in rows[0] and "EG-CEM-1" in rows[0]
    assert "停止使用国四及以下重型载货车辆（含燃气）运输" in rows[1]
    total = page.locator("#line-1 table.seasons tfoot td.num").inner_text()
    assert total == str(line["staggered_production"][0]["days_stopped"]) == "256"
    assert page.locator("link[rel=stylesheet]").count() == 1 and page.locator("style, [style]").count() == 0
    shot(page, "emergency-sheet-zh")

    pdf = page.request.get(page.locator("#sheet-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "应急减排公示牌" in text and "吉林某某水泥有限公司" in text and "256" in text

    page.click("#lang-switch")
    assert page.locator("#sheet-title").inner_text() == "Emergency-response sheet (one plant, one policy)"
    assert "Stop 50% of the lines" in page.locator("#line-1 table.measures").inner_text()
    shot(page, "emergency-sheet-en")


def test_sheet_page_refuses_another_enterprise(open_page, plant, server):
    _, keys = server
    page = open_page()
    login(page, keys["enterprise"], "/lookup")          # the Chongqing enterprise's key
    page.goto(f"/enterprises/{JL}/emergency-sheet")
    assert page.locator(".notice[data-status='403']").count() == 1   # the friendly error page
