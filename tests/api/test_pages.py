"""The server-rendered pages through the Flask test client: zh/en, sign-in with CSRF, clear messages on bad input."""
from __future__ import annotations

import base64
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from .test_registry import CQ, HN, event, register

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STANDARDS = '{"DA001": {"standards": {"so2": 200, "nox": 300}}}'


def token(client, path: str = "/preview") -> str:
    """The session's CSRF token, read from a form."""
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, headers: dict, next_path: str):
    """Sign in through the login form with the key of an Authorization header."""
    key = headers["Authorization"].split(" ", 1)[1]
    return client.post("/login", data={"csrf_token": token(client, "/login"), "api_key": key, "next": next_path})


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
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = client.post("/login", data={"csrf_token": "forged", "api_key": "x"})
    assert r.status_code == 400
    assert sign_in(client, bank, "/lookup").headers["Location"] == "/lookup"
    r = client.post("/lookup", data={"usccs": CQ})   # signed in, but no token: still refused
    assert r.status_code == 400
    r = client.post("/preview?lang=en", data={"uscc": CQ, "target": "A"})
    assert r.status_code == 400 and "missing CSRF token" in r.get_data(as_text=True)


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
    assert r.status_code == 403 and "bank" in r.get_data(as_text=True)
    assert client.get("/tax").status_code == 200   # an enterprise may assess its own data


def test_lookup_marks_not_found_and_invalid_and_its_csv_equals_the_api(client, admin, key_for):
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
    with client.post("/api/v1/grades/lookup", json={"usccs": asked, "as_of": "2024-05-01"},
                     headers={**bank, "Accept": "text/csv"}) as api:
        assert data_uri(html, "download-csv") == api.data


def test_lookup_explains_an_undecodable_file_and_an_empty_form(client, key_for):
    sign_in(client, key_for("bank"), "/lookup")
    bad = (io.BytesIO(b"uscc\n\xff\xfe\x80\x81\n"), "usccs.csv", "text/csv")
    r = client.post("/lookup", data={"csrf_token": token(client, "/lookup"), "file": bad},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "文件编码无法识别" in r.get_data(as_text=True)
    r = client.post("/lookup?lang=en", data={"csrf_token": token(client, "/lookup")})
    assert r.status_code == 422 and "Paste codes or choose a file." in r.get_data(as_text=True)


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
    carbon = client.get("/policies?category=carbon_quota").get_data(as_text=True)
    assert carbon.count('<article class="policy"') == len(client.get("/api/v1/policies?category=carbon_quota").get_json())
    r = client.get("/policies/nowhere.nothing")
    assert r.status_code == 404 and "未找到" in r.get_data(as_text=True)


def _preview(client, **fields):
    return client.post("/preview" + fields.pop("query", ""), data={"csrf_token": token(client), **fields},
                       content_type="multipart/form-data")


def test_preview_by_profile_shows_the_carbon_bonus_and_offers_the_plan(client):
    r = _preview(client, division="500112", branch="ceramics_building", grade="C", target="A",
                 as_of="2024-10-01", allowance_2023_t="200000")
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    # CQ-A1-9: upgraded C -> A inside 2024-08-01..2024-12-31: 0.5% × 200 000 t = 1 000 tCO2
    assert 'data-kind="carbon_allowance"' in html and "1,000 tCO2" in html
    assert 'href="/policies/chongqing.carbon_quota_bonus"' in html
    assert data_uri(html, "plan-csv").decode().startswith("\ufeff企业名称,")


def test_preview_explains_missing_and_bad_inputs(client):
    r = _preview(client, target="A")
    assert r.status_code == 422 and "请填写统一社会信用代码" in r.get_data(as_text=True)
    r = _preview(client, uscc="91500112MA5U0AB193", target="A", query="?lang=en")
    assert r.status_code == 422 and "enterprise.uscc" in r.get_data(as_text=True)
    r = _preview(client, uscc=CQ, target="A")   # valid but not registered
    assert r.status_code == 404 and "未找到" in r.get_data(as_text=True)
    r = _preview(client, uscc=CQ, target="A", allowance_2023_t="lots")
    assert r.status_code == 422 and "scenario.allowance_2023_t" in r.get_data(as_text=True)


def _tax(client, content: bytes, name: str = "m.csv", **fields):
    return client.post("/tax" + fields.pop("query", ""), content_type="multipart/form-data", data={
        "csrf_token": token(client, "/tax"), "division": "410100", "outlets": STANDARDS,
        "file": (io.BytesIO(content), name, "text/csv"), **fields})


def test_tax_page_rows_and_filing_csv_equal_the_api(client, key_for):
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
    with client.post("/api/v1/tax/assessments", content_type="multipart/form-data",
                     headers={**bureau, "Accept": "text/csv"},
                     data={"division": "410100", "outlets": STANDARDS,
                           "file": (io.BytesIO(content), "m.csv", "text/csv")}) as api_csv:
        assert data_uri(html, "download-filing") == api_csv.data
    assert 'data-chart="tax"' in html


def test_tax_page_explains_encoding_unknown_pollutant_and_a_missing_file(client, key_for):
    sign_in(client, key_for("tax_bureau", divisions=["410000"]), "/tax")
    r = _tax(client, (FIXTURES / "monitoring_broken_gbk.csv").read_bytes())
    assert r.status_code == 400 and "文件编码无法识别" in r.get_data(as_text=True)
    bad = "排放口,污染物,时间,浓度,流量\nDA001,钚,2024-01-01T00:00,1,1000\n".encode()
    r = _tax(client, bad, query="?lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "unknown pollutant" in html and "line 2" in html
    r = client.post("/tax", data={"csrf_token": token(client, "/tax"), "division": "410100"},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "请选择监测数据文件" in r.get_data(as_text=True)
    r = _tax(client, bad, outlets="{not json")
    assert r.status_code == 422 and "outlets" in r.get_data(as_text=True)


def test_preview_with_monitoring_data_quantifies_the_tax_saving(client):
    content = (FIXTURES / "monitoring_utf8.csv").read_bytes()
    r = _preview(client, division="410100", branch="ceramics_building", grade="C", target="A", as_of="2024-10-01",
                 outlets=STANDARDS, target_concentrations='{"DA001": {"二氧化硫": 90}}',
                 file=(io.BytesIO(content), "m.csv", "text/csv"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    body = {"enterprise": {"division": "410100", "industries": [
                {"industry": "ceramics", "branch": "ceramics_building", "grade": "C"}]},
            "target": {"grade": "A"}, "as_of": "2024-10-01",
            "scenario": {"target_concentrations": {"DA001": {"二氧化硫": 90}}, "monitoring": {
                "outlets": [{"outlet": "DA001", "standards": {"so2": 200, "nox": 300}}],
                "records": [{"outlet": o, "pollutant": p, "time": t, "concentration": c, "flow": f, "source": s}
                            for o, p, t, c, f, s in (line.split(",") for line in content.decode().splitlines()[1:])]}}}
    saving = client.post("/api/v1/benefits/preview", json=body).get_json()["quantified"]["env_tax"]
    assert saving["value"] is not None
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
