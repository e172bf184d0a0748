"""Issue 13: every row of policy-digest-jurisdictions.md is listed by GET /policies?division=<its division>
with its confidence, and nowhere outside its jurisdiction."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DIGEST = Path(__file__).resolve().parents[2] / "policies" / "digest-jurisdictions.md"
# The digest's ref prefixes and the jurisdiction each names (digest "Refs"; NX-CF25 is Ningxia's 2025-26 row).
DIVISION = {"HB": "130000", "SN": "610000", "JIN": "140000", "JZ": "140700", "SD": "370000", "TJ": "120000",
            "HUB": "420000", "WH": "420100", "HUN": "430000", "XT": "430300", "LZ": "510500", "NB": "330200",
            "JL": "220000", "HZ": "330500", "JZH": "421000", "NX": "640000"}
_ROW = re.compile(r"^\|\s*([A-Z]+-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\+?)\s*\|(.*)$")
_TAG = re.compile(r"\[(verified|partial|unverified)\]")


def digest_rows() -> list[tuple[str, str, str]]:
    """(ref, division, confidence) of every measure row: the first confidence tag of the row."""
    rows = []
    for line in DIGEST.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if not m or "-" not in m.group(1)[m.group(1).index("-") + 1:] and not m.group(1).endswith("+"):
            continue      # document keys (HB-WT, SN-52 …) have no article part
        ref = m.group(1)
        tag = _TAG.search(m.group(2))
        rows.append((ref, DIVISION[ref.split("-")[0]], tag.group(1) if tag else "verified"))
    return rows


ROWS = digest_rows()


def test_the_digest_has_every_row_we_expect():
    # 49 rows of the jurisdiction sections + 6 of "Further measures" (TJ-LP-1 and HZ-20-1 included).
    assert len(ROWS) == 55
    assert {r for r, *_ in ROWS} >= {"SN-52-7+", "LZ-24-2c", "WH-68-obs", "NX-CF25-1", "JZH-24-1"}


def _listed(client, division: str) -> dict[str, set[str]]:
    body = client.get(f"/api/v1/policies?division={division}").get_json()
    out: dict[str, set[str]] = {}
    for p in body:
        for ref in p["refs"]:
            out.setdefault(ref, set()).add(p["confidence"])
    return out


@pytest.mark.parametrize("division", sorted(set(DIVISION.values())))
def test_every_row_listed_in_its_division_with_its_confidence(client, division):
    listed = _listed(client, division)
    for ref, div, confidence in ROWS:
        if div != division:
            continue
        assert ref in listed, f"{ref} not listed for {division}"
        assert confidence in listed[ref], f"{ref}: confidence {listed[ref]} (digest: {confidence})"


def test_rows_are_listed_nowhere_outside_their_jurisdiction(client):
    # Beijing (not encoded), and each parent province of a city: a city's rows stay in the city.
    elsewhere = {"110000": _listed(client, "110000"), "430000": _listed(client, "430000"),
                 "420000": _listed(client, "420000"), "510000": _listed(client, "510000"),
                 "330000": _listed(client, "330000"), "140000": _listed(client, "140000"),
                 "420100": _listed(client, "420100"), "421000": _listed(client, "421000")}
    for ref, div, _ in ROWS:
        for other, listed in elsewhere.items():
            inside = other.startswith(div.rstrip("0")) if div.endswith("0000") else other == div
            if div == other or inside:
                continue
            assert ref not in listed, f"{ref} ({div}) listed for {other}"


def test_the_tree_places_the_eleven_jurisdictions(client):
    # GB/T 2260 parents: Jinzhong and Jincheng in Shanxi, Wuhan and Jingzhou in Hubei, Xiangtan in Hunan,
    # Luzhou in Sichuan, Ningbo and Huzhou in Zhejiang.
    by_code = {j["code"]: j for j in client.get("/api/v1/jurisdictions?as_of=2021-12-01").get_json()}
    parents = {"130000": "000000", "610000": "000000", "140000": "000000", "140700": "140000", "140500": "140000",
               "370000": "000000", "120000": "000000", "420000": "000000", "420100": "420000", "421000": "420000",
               "430000": "000000", "430300": "430000", "510000": "000000", "510500": "510000", "330200": "330000",
               "330500": "330000", "220000": "000000"}
    assert {c: by_code[c]["parent"] for c in parents} == parents
    # Shanxi's 2021-22 错峰 notice is in force on 2021-12-01; the 2020-21 one expired on 2021-03-31.
    docs = {d["id"]: d for d in by_code["140000"]["documents"]}
    assert docs["shanxi-cf-2021"]["status"] == "in_force" and docs["shanxi-cf-2020"]["status"] == "expired"
    assert docs["shanxi-15-2022"]["confidence"] == "partial"
    assert {r["id"] for r in by_code["130000"]["grading_rules"]} == {
        "hebei.managed_higher_general", "hebei.managed_higher_key", "hebei.managed_higher_rules"}
