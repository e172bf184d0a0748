"""The tables the pages hand over (lookup, tax filing, the Ningxia 附件2 plan, upload templates), in the page's
language: names and plain words in the cells, catalogue codes only as extra columns at the end."""
from __future__ import annotations

from incentives.reference import reference

from ..i18n import lang, pick
from .downloads import Column, Sheet, rows_of_csv
from .format import division_label, grade_label, industry_label
from .text import label, plain_restriction, t


def _en() -> bool:
    return lang() == "en"


LOOKUP_COLUMNS = (
    Column("统一社会信用代码", "USCC", 21), Column("企业名称", "Name", 28, wrap=True),
    Column("查询结果", "Result", 10), Column("管理等级", "Managed grade", 10), Column("评定等级", "Rated grade", 10),
    Column("状态", "Status", 16, wrap=True), Column("行政区划", "Division", 16, wrap=True),
    Column("行业等级", "Industry grades", 32, wrap=True), Column("限制", "Restrictions", 48, wrap=True),
    Column("复核到期", "Review due", 12), Column("状态代码", "status code", 12),
    Column("行业代码", "industry codes", 30, wrap=True), Column("限制条款", "restriction refs", 16, wrap=True),
)


def lookup_sheet(answer: dict) -> Sheet:
    """The bank's lookup: one line per USCC asked, in words; codes in the last three columns."""
    rows = []
    for r in answer["results"]:
        industries = "；".join(f"{industry_label(i['industry'], i['branch'])}：{grade_label(i['grade'])}"
                              for i in r["industries"])
        restrictions = "；".join(plain_restriction(x) for x in r["restrictions"])
        rows.append([r["uscc"], r["name"], t("found"), grade_label(r["overall_grade"]),
                     grade_label(r["rated_grade"]), label("status", r["status"]),
                     division_label(r.get("facility_division") or r.get("division")), industries, restrictions,
                     r.get("review_due") or "", r["status"],
                     "; ".join(f"{i['industry']}/{i['branch']}={i['grade'] or '-'}" for i in r["industries"]),
                     "; ".join(x["ref"] for x in r["restrictions"])])
    for u in answer["not_found"]:
        rows.append([u, "", t("not_found")] + [""] * 10)
    for e in answer["invalid"]:
        rows.append([e["value"], "", t("invalid"), "", "", e["message"]] + [""] * 7)
    return Sheet(name=t("lookup"), columns=LOOKUP_COLUMNS, rows=rows, title=f"{t('lookup')} · {t('as_of')} "
                 f"{answer['as_of']}")


def filing_sheet(filing_text: str) -> Sheet:
    """The tax service's filing form (its own columns and figures), as a sheet the page writes for Excel."""
    header, rows = rows_of_csv(filing_text)
    columns = tuple(Column(h, h, 16 if i > 2 else 12) for i, h in enumerate(header))
    return Sheet(name=t("tax")[:31], columns=columns, rows=rows)


PLAN_COLUMNS = (
    Column("序号", "No.", 6), Column("地级市", "City", 12), Column("县（市、区）", "County", 14),
    Column("企业名称", "Enterprise", 26, wrap=True), Column("重点行业类型", "Industry", 16, wrap=True),
    Column("重点行业分支", "Branch", 18, wrap=True), Column("绩效现状", "Current grade", 10),
    Column("绩效提升目标", "Target grade", 12), Column("差异化指标", "Differentiating indicators", 26, wrap=True),
    Column("存在问题", "Problems", 48, wrap=True), Column("改进措施", "Measures", 30, wrap=True),
    Column("拟完成时间", "Planned completion", 14), Column("备注", "Remarks", 36, wrap=True),
)
PLAN_TITLE = ("重点行业绩效分级“提级扩面”企业清单", "Key industries: enterprises to be upgraded (提级扩面)")
PLAN_NOTES = (
    ("注：改进措施、拟完成时间由企业填写（本表留空）。", ("Note: measures and planned completion are for the enterprise to fill in "
     "(left blank here).")),
    ("1.重点行业类型及重点行业分支，应严格对照国家和宁夏回族自治区重污染天气重点行业应急减排措施制定技术指南当中行业类型规范填报；",
     "1. Industry and branch follow the national and Ningxia technical guides for emergency emission reduction;"),
    ("2.企业存在跨行业时，相应行业分行填报，并在备注中标注企业所涉及其他行业类型。",
     "2. An enterprise in several industries has one line per industry; the remarks name the others."),
)


def _city_county(code: str | None) -> tuple[str, str]:
    """(地级市, 县（市、区）) of a facility division as names where the table knows them, else the code."""
    if not code:
        return "", ""
    divisions = reference().divisions
    city = code[:4] + "00"
    city_name = division_label(city) if city in divisions and city != code[:2] + "0000" else ""
    county = division_label(code) if code[4:] != "00" else ""
    return city_name, county


def _problems(answer: dict, branch: str) -> str:
    """存在问题 in words: what blocks the upgrade, then the target's measures whose conditions are not met."""
    items = []
    for b in answer["blocking"]:
        if b.get("branch") in (None, branch):
            until = f"，{t('until')} {b['until']}" if b.get("until") else ""
            items.append(f"{pick(b['message'])}（{t('ref')} {b['ref']}{until}）")
    for n in answer["target"]["not_applicable"]:
        unmet = [m for m in n["missing"] if m.get("condition") not in ("window", "jurisdiction")]
        if unmet:
            items.append(t("plan_unmet").format(title=pick(n["title"]), refs="、".join(n["refs"])))
    return "；\n".join(f"{i}. {x}" for i, x in enumerate(items, start=1))


def plan_sheet(answer: dict) -> Sheet:
    """The preview as the Ningxia 附件2 list (提级扩面企业清单): one line per targeted industry line."""
    en = _en()
    city, county = _city_county(answer.get("facility_division") or answer.get("division"))
    current = {(g["industry"], g["branch"]): g for g in answer["current"].get("industries", [])}
    industries = [g["industry"] for g in answer["target"]["grades"]]
    rows = []
    for n, g in enumerate(answer["target"]["grades"], start=1):
        ind = reference().industries[g["industry"]]
        br = reference().branches[g["branch"]]
        others = [industry_label(i) for i in dict.fromkeys(industries) if i != g["industry"]]
        remarks = (t("plan_other_industries") + "、".join(others)) if others else ""
        now = current.get((g["industry"], g["branch"]), {}).get("grade") or answer["current"]["overall_grade"]
        rows.append([n, city, county, answer.get("name") or answer.get("uscc") or "",
                     ind.name_en if en else ind.name_zh, br.name_en if en else br.name_zh, grade_label(now),
                     grade_label(g["grade"]), t("plan_indicators").format(branch=br.name_en if en else br.name_zh,
                                                                          grade=grade_label(g["grade"])),
                     _problems(answer, g["branch"]), "", "", remarks])
    title = PLAN_TITLE[1] if en else PLAN_TITLE[0]
    return Sheet(name="附件2" if not en else "Annex 2", columns=PLAN_COLUMNS, rows=rows,
                 title=f"{title}  {t('date')}：{answer['as_of']}",
                 notes=tuple(n[1] if en else n[0] for n in PLAN_NOTES))


# Upload templates: the headers each upload reads, and one example line.
TEMPLATES = {
    "lookup": (Column("统一社会信用代码", "uscc", 22),),
    "monitoring": (Column("排放口", "outlet", 10), Column("污染物", "pollutant", 12), Column("时间", "time", 18),
                   Column("浓度", "concentration", 10), Column("流量", "flow", 12),
                   Column("标准浓度", "standard", 10), Column("数据来源", "source", 12)),
}
TEMPLATE_EXAMPLES = {
    "lookup": [["91500112MA5U0AB1XX"]],
    "monitoring": [["DA001", "二氧化硫", "2024-01-01T00:00", "8.9", "194816", "35", "自动监测"],
                   ["DA001", "二氧化硫", "2024-01-01T01:00", "9.9", "203644", "35", "自动监测"]],
}


def template_sheet(name: str) -> Sheet:
    """An upload's template: the headers the service reads and example lines."""
    examples = TEMPLATE_EXAMPLES[name]
    if name == "lookup":
        from incentives import uscc as uscc_mod
        examples = [[uscc_mod.make("91", "500112", "MA5U0AB1")]]
    return Sheet(name=name, columns=TEMPLATES[name], rows=examples)
