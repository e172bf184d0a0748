"""The filing form: an assessment's rows in the air columns of the 《环境保护税税源明细表》 with the
reduction columns of the 减免税 schedule (公告2018年第7号; env-tax.md §5.2, §9), and a total row.

One line per outlet × pollutant × month; money with two decimals; the total row sums the rounded line
amounts (env-tax.md §6: no second rounding), and notes follow it. The 税源编号 is given by the tax
office's system, so it is left blank. 废气排放量 (万标立方米) is the Σ of the hourly flows where the records
carry them, else blank with a note — never estimated (env-tax.md §9.1). 减免性质代码 comes from the named
parameter RELIEF_CODES: the tax administration's code of the 法 第十三条 reductions was not found in a
source that can be cited (env-tax.md §9.1), so it is empty, the column blank with a note, and the relief is
named in words in 减免项目名称.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..reference import reference
from .parameters import NO_REDUCTION_TIER, percent, statutory

HEADERS = {
    "zh": ("月份", "税源编号", "排放口名称", "污染物名称", "污染物排放量计算方法", "废气排放量（万标立方米）",
           "实测浓度值（毫克/标立方米）", "最高浓度（毫克/标立方米）", "排放标准浓度值（毫克/标立方米）",
           "污染物排放量（千克）", "污染当量值（千克）", "污染当量数", "适用税额（元/污染当量）", "本期应纳税额（减免前）",
           "减免性质代码", "减免项目名称", "本期减免税额", "本期应纳税额"),
    "en": ("month", "tax_source_no", "outlet", "pollutant", "method", "exhaust_10k_m3", "avg_concentration_mg_m3",
           "max_concentration_mg_m3", "standard_mg_m3", "emission_kg", "equivalent_kg", "equivalents",
           "rate_yuan_per_equivalent", "tax_before_reduction", "relief_code", "relief", "reduction", "tax_due"),
}
# 减免性质代码 of each tier of 法 第十三条, from the tax administration's code table. Named and empty: no code
# was found in a source that can be cited (env-tax.md §9.1, searched 2026-12-03); a code is added here only
# with its source in that reference copy. An empty entry leaves the cell blank and the form says so.
RELIEF_CODES: dict[str, str] = {}
TEN_THOUSAND_M3 = Decimal(10000)   # 废气排放量 is in 万标立方米 (env-tax.md §9.1)
NOTES = {
    "zh": {"note": "注",
           "exhaust": "废气排放量：{n}行的监测记录未带流量（按月汇总记录，或只有排放量的小时），留空，未推算",
           "relief_code": "减免性质代码：未在可引用的来源中找到国家税务总局对法第十三条减征的代码，留空；"
                          "请在申报系统中按“减免项目名称”选择"},
    "en": {"note": "note",
           "exhaust": "exhaust volume: the records of {n} line(s) carry no flow (monthly records, or hours given "
                      "only as a mass); left blank, never estimated",
           "relief_code": "relief code: the tax administration's code for the 法 第十三条 reduction was not found "
                          "in a source that can be cited; left blank: pick it in the tax system by the relief named"},
}
METHODS = {"zh": {"cems": "自动监测", "agency": "监测机构监测", "estimate": "排污系数/物料衡算"},
           "en": {"cems": "automatic monitoring", "agency": "monitoring agency", "estimate": "emission factors"}}
TOTAL = {"zh": "合计", "en": "total"}


def _relief(lang: str, tier: str, month: str) -> str:
    """The relief text of a month's tier, from the LAW-13 tiers the catalogue publishes for that month
    ("法第十三条 浓度值低于标准30% 减按75%")."""
    if tier == NO_REDUCTION_TIER:
        return ""
    limits = {label: limit for limit, _, label in statutory(date.fromisoformat(month + "-01")).tiers}
    if tier not in limits:
        return f"法第十三条 减按{tier}" if lang == "zh" else f"法 第十三条: {tier} of the tax"
    below = percent(1 - limits[tier])
    return f"法第十三条 浓度值低于标准{below} 减按{tier}" if lang == "zh" else \
        f"法 第十三条: {below} below the standard, {tier} of the tax"


MONEY = ("tax_before_reduction", "reduction", "tax_due")


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _exhaust(row: dict) -> Decimal | None:
    """废气排放量 in 万标立方米 from the row's Σ hourly m³ (stored answers before issue 15's form have none)."""
    m3 = _dec(row.get("exhaust_m3"))
    return None if m3 is None else (m3 / TEN_THOUSAND_M3).normalize()


def filing_rows(answer: dict, lang: str = "zh") -> list[list]:
    """The header, one line per assessed row (taxed pollutants first within an outlet), the total row and
    the notes for blank cells; numbers as exact Decimals (the writer decides text or number cells)."""
    lang = "en" if lang == "en" else "zh"
    pollutants = reference().pollutants
    out: list[list] = [list(HEADERS[lang])]
    totals = dict.fromkeys(MONEY, Decimal("0.00"))
    no_exhaust = no_code = 0
    for r in answer["rows"]:
        p = pollutants.get(r["pollutant"])
        money = {k: _money(r[k]) for k in MONEY}
        for k in MONEY:
            totals[k] += money[k]
        exhaust = _exhaust(r)
        no_exhaust += exhaust is None
        relieved = r["taxed"] and r["tier"] != NO_REDUCTION_TIER
        code = RELIEF_CODES.get(r["tier"], "") if relieved else ""
        no_code += relieved and not code
        out.append([r["month"], "", r["outlet"], r["pollutant_zh"] if lang == "zh" else r["pollutant"],
                    METHODS[lang].get(r["data_source"], r["data_source"]), exhaust, _dec(r["avg_concentration"]),
                    _dec(r["max_concentration"]), _dec(r["standard"]), _dec(r["emission_kg"]),
                    p.equivalent_kg if p else None, _dec(r["equivalents"]), _dec(r["rate"]),
                    money["tax_before_reduction"], code, _relief(lang, r["tier"], r["month"]) if r["taxed"] else "",
                    money["reduction"], money["tax_due"]])
    out.append([TOTAL[lang]] + [None] * 12 + [totals["tax_before_reduction"], None, None, totals["reduction"],
                                              totals["tax_due"]])
    notes, blank = NOTES[lang], [None] * (len(HEADERS[lang]) - 2)   # note lines as wide as the form
    if no_exhaust:
        out.append([notes["note"], notes["exhaust"].format(n=no_exhaust)] + blank)
    if no_code:
        out.append([notes["note"], notes["relief_code"]] + blank)
    return out
