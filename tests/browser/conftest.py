"""One gunicorn and one Debian chromium per test session; every request must stay on 127.0.0.1, every page
must pass axe-core (vendored, injected through the DevTools protocol, never fetched) and fit the viewport."""
from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from incentives import migrate
from incentives import uscc as uscc_mod

from ..test_served import ROOT, start_gunicorn

ADMIN_KEY = "browser-admin-key-0123456789"
CHROMIUM = os.environ.get("GIS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = (Path(__file__).with_name("vendor") / "axe.min.js").read_text(encoding="utf-8")
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CQ = uscc_mod.make("91", "500112", "MA5U0AB1")      # Chongqing ceramics, graded C, 200 000 t allowance
HN = uscc_mod.make("91", "410100", "HN000001")      # Henan ceramics with a history (rated B, then A)
UNKNOWN = uscc_mod.make("91", "410100", "MA5U0XY9")  # valid, never registered
FIXTURES = ROOT / "tests" / "fixtures"


def api(base: str, method: str, path: str, body=None, key: str | None = ADMIN_KEY, headers: dict | None = None,
        data: bytes | None = None) -> tuple[int, bytes, dict]:
    """One HTTP call to the served API (JSON body, or raw `data` with its own headers)."""
    hdrs = dict(headers or {})
    if key:
        hdrs["Authorization"] = f"Bearer {key}"
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read(), dict(e.headers)


def api_json(base: str, method: str, path: str, body=None, key: str | None = ADMIN_KEY):
    status, raw, _ = api(base, method, path, body, key)
    assert status < 300, raw.decode()
    return json.loads(raw)


def _seed(base: str) -> dict:
    industries = [{"industry": "ceramics", "branch": "ceramics_building", "grade": "C", "rated_on": "2024-04-24"}]
    api_json(base, "POST", "/api/v1/enterprises", {
        "uscc": CQ, "name": "重庆某某陶瓷有限公司", "industries": industries,
        "facts": {"holds_carbon_allowance": True, "allowance_2023_t": 200000}})
    api_json(base, "POST", "/api/v1/enterprises", {
        "uscc": HN, "name": "河南某某陶瓷有限公司",
        "industries": [{**industries[0], "grade": "B", "rated_on": "2023-05-10"}]})
    api_json(base, "POST", f"/api/v1/enterprises/{HN}/events", {
        "kind": "rated", "industry": "ceramics", "branch": "ceramics_building", "grade": "A",
        "effective": "2024-06-01"})
    for n, (grade, division) in enumerate((("A", "330602"), ("B", "330602"), ("C", "330603"), ("B", "500112"))):
        api_json(base, "POST", "/api/v1/enterprises", {
            "uscc": uscc_mod.make("91", division, f"MA7T{n:04d}"), "name": f"统计样本企业{n + 1}",
            "industries": [{**industries[0], "grade": grade, "rated_on": "2024-03-01"}]})
    keys = {}
    for role, binding in (("bank", {}), ("tax_bureau", {"divisions": ["410000"]}), ("enterprise", {"uscc": CQ})):
        keys[role] = api_json(base, "POST", "/api/v1/keys", {"role": role, "label": f"browser {role}", **binding})["key"]
    return keys


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """gunicorn on a migrated SQLite file, seeded through the HTTP API; yields (base URL, keys)."""
    tmp = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{tmp / 'pages.sqlite'}"
    migrate.upgrade(url)
    proc, base = start_gunicorn(url, tmp, GIS_BOOTSTRAP_ADMIN_KEY=ADMIN_KEY)
    # drain the server's log so a long session never blocks on a full pipe
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    try:
        yield base, _seed(base)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Requests that left 127.0.0.1, script errors and Content-Security-Policy refusals seen during one test."""
    def __init__(self):
        self.foreign: list[str] = []
        self.errors: list[str] = []

    def console(self, message):
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused" in message.text):
            self.errors.append(message.text)

    def route(self, route):
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()


def new_page(browser, base: str, *, locale: str = "zh-CN", viewport=None):
    """A fresh context (its own cookies) and page with the host guard; returns (context, page, watch)."""
    watch = Watch()
    context = browser.new_context(base_url=base, locale=locale, accept_downloads=True,
                                  viewport=viewport or {"width": 1280, "height": 900})
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    page.on("console", watch.console)
    page.set_default_timeout(15_000)
    return context, page, watch


@pytest.fixture
def open_page(browser, server):
    """Open pages in fresh contexts; at the end, fail on any request off 127.0.0.1 or any script error."""
    base, _ = server
    opened = []

    def make(**kw):
        context, page, watch = new_page(browser, base, **kw)
        opened.append((context, watch))
        return page
    yield make
    for context, watch in opened:
        context.close()
        assert watch.foreign == [], f"requests left 127.0.0.1: {watch.foreign}"
        assert watch.errors == [], f"script errors: {watch.errors}"


def shot(page, name: str) -> None:
    """Save a full-page screenshot as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def overflow(page) -> list[str]:
    """Elements wider than the viewport (none may be: no page scrolls sideways)."""
    return page.evaluate("""() => {
      const w = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= w) { return []; }
      return [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect();
        return r.right > w + 1 && !e.closest('.scroll');
      }).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                          (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
                          ' right=' + Math.round(e.getBoundingClientRect().right));
    }""")


def axe(page) -> list[dict]:
    """axe-core's violations on the page (WCAG 2.1 A/AA and best practice), each with its first nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)   # through the DevTools protocol: the page's CSP does not apply, nothing is fetched
    result = page.evaluate("""() => axe.run(document, {resultTypes: ['violations'],
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]]} for v in result["violations"]]


def audit(page, name: str) -> None:
    """The checks every page passes: fits its viewport, axe-core finds nothing; a screenshot kept."""
    shot(page, name)
    wide = overflow(page)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
        f"{name}: the page scrolls sideways: {wide}"
    found = axe(page)
    assert found == [], f"{name}: axe-core violations: {json.dumps(found, ensure_ascii=False, indent=1)}"


def login(page, key: str, next_path: str) -> None:
    """Sign in through the page's form."""
    page.goto(f"/login?next={next_path}")
    page.fill("input[name=api_key]", key)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")


__all__ = ["ADMIN_KEY", "CQ", "FIXTURES", "HN", "PHONE", "UNKNOWN", "WIDE", "api", "api_json", "audit", "login",
           "shot"]
