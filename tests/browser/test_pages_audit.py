"""Every page of ours, in zh and en, at 1366 and 390 px: no sideways scrolling, axe-core finds nothing, no
request off 127.0.0.1, no script error or CSP refusal; a screenshot of each in test-artifacts/screenshots."""
from __future__ import annotations

import json

import pytest

from .conftest import CQ, FIXTURES, HN, PHONE, WIDE, audit, axe, login, shot

pytestmark = pytest.mark.browser
SWAGGER_UI_OWN = {"color-contrast", "heading-order", "region"}   # Swagger UI's own markup and colours
STATS_DIVISION = "330600"   # Shaoxing: enterprises seeded, SX-2-2 targets


def _q(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={lang}" if lang == "en" else path


def _preview(page, lang, **fields):
    page.goto(_q("/preview", lang))
    for name, value in fields.items():
        if name in ("target", "division", "branch", "grade"):
            page.select_option(f"select[name={name}]", value)
        else:
            if not page.locator(f"input[name='{name}']").is_visible():
                page.click("details.more summary")
            page.fill(f"input[name='{name}']", value)
    page.click("#preview-form button[type=submit]")
    page.wait_for_load_state()


def _tax_error(page, lang, keys):
    login(page, keys["tax_bureau"], _q("/tax", lang))
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_utf8.csv"))
    page.select_option("select[name=division]", "410100")
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#error-summary")


def _tax_result(page, lang, keys):
    _tax_error(page, lang, keys)
    page.fill("input[name='std|DA001|so2']", "200")
    page.fill("input[name='std|DA001|nox']", "300")
    page.set_input_files("input[name=file]", str(FIXTURES / "monitoring_utf8.csv"))
    page.click("#tax-form button[type=submit]")
    page.wait_for_selector("#assessment")
    page.wait_for_selector("[data-chart=tax][data-rendered=true] svg")


def _lookup(page, lang, keys):
    login(page, keys["bank"], _q("/lookup", lang))
    page.fill("textarea[name=usccs]", f"{CQ}\n{HN}\n91410100MA5U0XY9XX\n12345")
    page.fill("input[name=as_of]", "2024-07-01")
    page.click("#lookup-form button[type=submit]")
    page.wait_for_selector("#lookup-table")


def _forbidden(page, lang, keys):
    login(page, keys["enterprise"], _q("/tax", lang))
    page.goto(_q("/lookup", lang))


SCENARIOS = {
    "home": lambda page, lang, keys: page.goto(_q("/", lang)),
    "policies": lambda page, lang, keys: page.goto(_q("/policies", lang)),
    "policies-filtered": lambda page, lang, keys: page.goto(_q("/policies?grade=A&category=carbon_quota&q=配额", lang)),
    "policy": lambda page, lang, keys: page.goto(_q("/policies/chongqing.carbon_quota_bonus", lang)),
    "document": lambda page, lang, keys: page.goto(_q("/policies/chongqing.carbon_quota_bonus/document", lang)),
    "enterprise-search": lambda page, lang, keys: page.goto(_q("/enterprises", lang)),
    "enterprise": lambda page, lang, keys: page.goto(_q(f"/enterprises/{HN}?as_of=2024-07-01", lang)),
    "statistics": lambda page, lang, keys: (page.goto(_q(f"/statistics?division={STATS_DIVISION}", lang)),
                                            page.wait_for_selector("[data-chart][data-rendered=true] svg")),
    "rated-list": lambda page, lang, keys: page.goto(_q(f"/statistics/rated?division={STATS_DIVISION}", lang)),
    "jurisdictions": lambda page, lang, keys: page.goto(_q("/jurisdictions", lang)),
    "jurisdiction": lambda page, lang, keys: page.goto(_q("/jurisdictions/500112?as_of=2024-10-01", lang)),
    "not-found": lambda page, lang, keys: page.goto(_q("/nowhere", lang)),
    "login": lambda page, lang, keys: page.goto(_q("/login", lang)),
    "preview-form": lambda page, lang, keys: page.goto(_q("/preview", lang)),
    "preview-result": lambda page, lang, keys: (
        _preview(page, lang, uscc=CQ, target="A", as_of="2024-10-01", alert_yellow="5", alert_orange="3",
                 alert_red="2", daily_output_value_yuan="800000"),
        page.wait_for_selector("[data-chart=headline][data-rendered=true] svg")),
    "preview-error": lambda page, lang, keys: _preview(page, lang, uscc="91500112MA5U0AB193", target="A",
                                                       allowance_2023_t="lots"),
    "lookup-result": lambda page, lang, keys: _lookup(page, lang, keys),
    "tax-form": lambda page, lang, keys: login(page, keys["tax_bureau"], _q("/tax", lang)),
    "tax-error": _tax_error,
    "tax-result": _tax_result,
    "forbidden": _forbidden,
}


@pytest.mark.parametrize("width", ["1366", "390"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_page_fits_and_passes_axe(open_page, server, name, lang, width):
    _, keys = server
    page = open_page(locale="en-US" if lang == "en" else "zh-CN", viewport=WIDE if width == "1366" else PHONE)
    SCENARIOS[name](page, lang, keys)
    expected = "en" if lang == "en" else "zh-CN"
    assert page.locator("html").get_attribute("lang") == expected
    audit(page, f"{name}-{lang}-{width}")


def test_api_docs_page_has_a_language_a_way_back_and_few_violations(open_page):
    page = open_page(viewport=WIDE)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")                      # the bundled Swagger UI ran (no inline script)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("header.docs-top a[href='/']").count() == 1
    shot(page, "api-docs-zh-1366")
    found = axe(page)
    # Swagger UI's own markup (not ours) still fails these; everything else is fixed by our template.
    assert {v["id"] for v in found} <= SWAGGER_UI_OWN, json.dumps(found, ensure_ascii=False, indent=1)
