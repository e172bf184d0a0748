"""The documents the measures come from: names, status, files and in-force windows (digest, first table)."""
from __future__ import annotations

from datetime import date

from incentives.periods import Window
from incentives.policy import Source, parameter

NATIONAL_DOC = "关于加强重点行业大气环境绩效分级管理的指导意见（环办大气〔2026〕2号）"
HENAN_DOC = "河南省重污染天气重点行业绩效分级管理细则"
CHONGQING_DOC = ("关于进一步深化重点行业企业大气污染防治绩效评级“创B争A”工作助推高质量发展的通知"
                 "（附件1 惠企措施）")
NINGXIA_DOC = "自治区重点行业企业环保绩效“提级扩面”行动实施方案（征求意见稿）"
SHAOXING_DOC = "绍兴市重点行业绩效分级管理工作方案（征求意见稿）"
STATUTE_DOC = "中华人民共和国环境保护税法"

# Signed 2026-01-13, 印发 2026-01-14; the text names no start date, so it applies from issue.
NATIONAL = Window(date(2026, 1, 14), None)
# 第二十三条: 自正式印发之日起实施; the issue date is not in the text, so no start is asserted.
HENAN = Window(None, None)
# 一、工作时段 2024-08-01 — 12-31 (可适当延长): the end is the parameter chongqing.campaign_end.
CHONGQING = Window(date(2024, 8, 1), None)
# 三、阶段划分: stages from 2025-01; a draft, evaluated only with include_drafts.
NINGXIA = Window(date(2025, 1, 1), None)
# Undated draft (targets from 2023-08): no start asserted.
SHAOXING = Window(None, None)
# 环境保护税法 in force 2018-01-01 (incentives/data/env-tax.md §1).
STATUTE = Window(date(2018, 1, 1), None)

CAMPAIGN_END = parameter(
    "chongqing.campaign_end",
    (Window(date(2024, 8, 1), None), date(2024, 12, 31), "CQ-2",
     "重庆“创B争A”通知 一、工作时段：2024年8月1日—12月31日（根据工作需要，可适当延长）"),
    description="Last day of Chongqing's 创B争A campaign; an extension is a new dated value here.")


def national(clause: str, anchor: str, end: str | None = None) -> Source:
    """A clause of the national guidance (in force); its paragraphs hold several measures, so `end` cuts one."""
    return Source(NATIONAL_DOC, clause, "in_force", "national-2026-guidance.txt", anchor, end)


def henan(clause: str, anchor: str) -> Source:
    """A clause of the Henan rules (in force)."""
    return Source(HENAN_DOC, clause, "in_force", "henan-grading-rules.txt", anchor)


def chongqing(clause: str, anchor: str) -> Source:
    """A measure of the Chongqing notice (in force for the campaign)."""
    return Source(CHONGQING_DOC, clause, "in_force", "chongqing-b-to-a-notice-2024.txt", anchor)


def ningxia(clause: str, anchor: str, end: str | None = None) -> Source:
    """A clause of the Ningxia plan (draft)."""
    return Source(NINGXIA_DOC, clause, "draft", "ningxia-upgrade-plan-draft.txt", anchor, end)


def shaoxing(clause: str, anchor: str) -> Source:
    """A clause of the Shaoxing plan (draft)."""
    return Source(SHAOXING_DOC, clause, "draft", "shaoxing-grading-plan-draft.txt", anchor)


def statute(clause: str, anchor: str, end: str | None = None) -> Source:
    """A clause of the environmental protection tax law (quoted in incentives/data/env-tax.md)."""
    return Source(STATUTE_DOC, clause, "in_force", "env-tax.md", anchor, end)
