"""The filing form: an assessment's rows in the air columns of the 《环境保护税税源明细表》 with the
reduction columns of the 减免税 schedule (公告2018年第7号; env-tax.md §5.2, §9), and a total row.

One line per outlet × pollutant × month; money with two decimals; the total row sums the rounded line
amounts (env-tax.md §6: no second rounding). The 税源编号 is given by the tax office's system, so it is
left blank. The 减免性质代码 column names the relief (法 第十三条 and its tier); the numeric code of the
tax authorities' code table was not found in a verified source and is not invented here.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..reference import reference
from .parameters import NO_REDUCTION_TIER, percent, statutory

HEADERS = {
    "zh": ("月份", "税源编号", "排放口名称", "污染物名称", "污染物排放量计算方法", "实测浓度值（毫克/标立方米）",
           "最高浓度（毫克/标立方米）", "排放标准浓度值（毫克/标立方米）", "污染物排放量（千克）", "污染当量值（千克）",
           "污染当量数", "适用税额（元/污染当量）", "本期应纳税额（减免前）", "减免性质代码", "本期减免税额",
           "本期应纳税额"),
    "en": ("month", "tax_source_no", "outlet", "pollutant", "method", "avg_concentration_mg_m3",
           "max_concentration_mg_m3", "standard_mg_m3", "emission_kg", "equivalent_kg", "equivalents",
           "rate_yuan_per_equivalent", "tax_before_reduction", "relief", "reduction", "tax_due"),
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


def filing_rows(answer: dict, lang: str = "zh") -> list[list]:
    """The header, one line per assessed row (taxed pollutants first within an outlet) and the total row;
    numbers as exact Decimals (the writer decides text or number cells)."""
    lang = "en" if lang == "en" else "zh"
    pollutants = reference().pollutants
    out: list[list] = [list(HEADERS[lang])]
    totals = dict.fromkeys(MONEY, Decimal("0.00"))
    for r in answer["rows"]:
        p = pollutants.get(r["pollutant"])
        money = {k: _money(r[k]) for k in MONEY}
        for k in MONEY:
            totals[k] += money[k]
        out.append([r["month"], "", r["outlet"], r["pollutant_zh"] if lang == "zh" else r["pollutant"],
                    METHODS[lang].get(r["data_source"], r["data_source"]), _dec(r["avg_concentration"]),
                    _dec(r["max_concentration"]), _dec(r["standard"]), _dec(r["emission_kg"]),
                    p.equivalent_kg if p else None, _dec(r["equivalents"]), _dec(r["rate"]),
                    money["tax_before_reduction"], _relief(lang, r["tier"], r["month"]) if r["taxed"] else "",
                    money["reduction"], money["tax_due"]])
    out.append([TOTAL[lang]] + [None] * 11 + [totals["tax_before_reduction"], None, totals["reduction"],
                                              totals["tax_due"]])
    return out
