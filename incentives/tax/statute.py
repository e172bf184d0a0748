"""The statute as dated document versions, and the measures it announces that have no rule yet.

环境保护税法 (LAW-13, LAW-27): in force 2018-01-01 (amended 2018-10-26); amended again on 2025-10-28 (in
force on publication) with a new 第二十七条: the State Council runs a pilot taxing volatile organic
compounds (VOCs) outside the items of 附表二, its scope and rate range set by the State Council and
reported to the NPC Standing Committee within five years. The pilot's own rules were not found published
(early 2026), so it is a `pending` measure with no rate: VOCs outside 附表二 are not (yet) taxed, and an
answer says why. Source: incentives/data/env-tax.md §1.1 (Xinhua's text, reprinted at
http://69325.ncfgc.cn/12093.html).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import policies

from ..explain import Text
from ..periods import Window

DOCUMENT = "中华人民共和国环境保护税法"


@dataclass(frozen=True, slots=True)
class StatuteVersion:
    """One version of the statute: what changed, from when, and where the text was read."""
    document: str
    version: str
    in_force: Window
    change: Text
    source: str


VERSIONS: tuple[StatuteVersion, ...] = (
    StatuteVersion(DOCUMENT, "2018-10-26", Window(date(2018, 1, 1), date(2025, 10, 28)),
                   Text("2018年1月1日施行（2018年10月26日修正）：第七至十三条、附表一、附表二",
                        "in force 2018-01-01 (amended 2018-10-26): 第七–十三条, 附表一, 附表二"),
                   "incentives/data/env-tax.md §1 (the statute's text as mirrored there)"),
    StatuteVersion(DOCUMENT, "2025-10-28", Window(date(2025, 10, 28), None),
                   Text("2025年10月28日修正（公布之日起施行）：新增第二十七条，国务院开展挥发性有机物环境保护税试点，"
                        "试点范围和税额幅度由国务院规定，五年内向全国人大常委会报告",
                        "amended 2025-10-28 (in force on publication): new 第二十七条, a State Council pilot taxing "
                        "VOCs outside 附表二, scope and rate range set by the State Council, reported within five years"),
                   "incentives/data/env-tax.md §1.1; Xinhua's text reprinted at http://69325.ncfgc.cn/12093.html"),
)


def version_at(day: date) -> StatuteVersion:
    """The statute's version in force on `day` (its window contains the day)."""
    for v in VERSIONS:
        if v.in_force.contains(day):
            return v
    raise LookupError(f"no version of {DOCUMENT} in force on {day} (in force from 2018-01-01)")


@dataclass(frozen=True, slots=True)
class PendingMeasure:
    """A measure the law announces whose rule is not yet set: it applies to nothing, and says why."""
    measure_id: str
    refs: tuple[str, ...]
    jurisdiction: str
    document: str
    clause: str
    status: str
    window: Window
    rate: None
    title: Text
    reason: Text


def _pending(measure_id: str) -> PendingMeasure:
    """A pending measure as the catalogue lists it (one definition: policies/000000-national/env_tax.yaml)."""
    [p] = policies.BY_ID[measure_id]
    if p.status != "pending" or p.quantity is not None:
        raise ValueError(f"{measure_id} is listed as {p.status}, not a pending measure with no rate")
    return PendingMeasure(measure_id=p.policy_id, refs=tuple(p.refs), jurisdiction=p.jurisdiction,
                          document=p.source.document, clause=p.source.clause, status=p.status, window=p.window,
                          rate=None, title=p.title, reason=p.unquantified)


VOCS_PILOT = _pending("national.env_tax_vocs_pilot")     # LAW-27: VOCs outside 附表二 are not taxed yet
PENDING: tuple[PendingMeasure, ...] = (VOCS_PILOT,)

# Names and HJ 212 codes of VOCs measured as a whole (not an item of 附表二): 非甲烷总烃 a24088 and
# 挥发性有机物; the 18 named VOCs of 附表二 (苯, 甲苯 …) are taxed as their own items.
VOC_NAMES = ("vocs", "voc", "挥发性有机物", "非甲烷总烃", "nmhc", "tvoc", "总挥发性有机物")
VOC_HJ212_CODES = ("a24088",)
