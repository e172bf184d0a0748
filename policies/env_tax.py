"""Environmental protection tax (环境保护税): the statutory reduction and the grade documents restating it.

The computation from monitoring data is its own module; here each measure is listed with its conditions and
`quantity.value` None ("needs monitoring data")."""
from __future__ import annotations

from datetime import date

from incentives.explain import Text
from incentives.periods import Window
from incentives.policy import AdvancedGrade, Fact, Policy, parameter

from . import documents as d

# LAW-13: 浓度值低于标准百分之三十的，减按百分之七十五征收；低于百分之五十的，减按百分之五十征收 (a strict "below").
REDUCTION_TIERS = parameter(
    "env_tax.reduction_tiers",
    (Window(date(2018, 1, 1), None), (("0.30", "0.75"), ("0.50", "0.50")), "LAW-13",
     "环境保护税法 第十三条 (incentives/data/env-tax.md §5)"),
    description="(share below the standard, factor of the tax due): more than 30% below -> 75%, more than "
                "50% below -> 50%", unit="ratio")

NEEDS_DATA = Text("需要监测数据：由环境保护税计算按月、按排放口和污染物确定（75%或50%）",
                  "needs monitoring data: the tax computation decides the 75% or 50% tier per month, outlet "
                  "and pollutant")

# LAW-13: the statute applies to every taxpayer whose concentrations qualify, graded or not.
STATUTORY = Policy(
    policy_id="national.env_tax_statutory_reduction", refs=("LAW-13",), category="env_tax",
    jurisdiction="000000", source=d.statute("第十三条", "纳税人排放应税大气污染物或者水污染物的浓度值低于",
                                                   "的，减按百分之五十征收环境保护税。"),
    window=d.STATUTE, params={"tiers": REDUCTION_TIERS}, unquantified=NEEDS_DATA,
    title=Text("环境保护税减征（浓度低于标准30%减按75%，低于50%减按50%）",
               "Environmental protection tax reduction (more than 30% below the standard: 75%; more than 50%: 50%)"),
)

# NAT-11-TAX: 四(十一) "排放大气污染物浓度值低于国家和地方规定的污染物排放标准的绩效等级先进企业，依法享受环境保护税减免".
NATIONAL_ADVANCED = Policy(
    policy_id="national.env_tax_reduction_advanced", refs=("NAT-11-TAX", "LAW-13"), category="env_tax",
    jurisdiction="000000", source=d.national("四(十一)", "落实好环境保护税减免政策", "依法享受环境保护税减免。"), window=d.NATIONAL,
    params={"tiers": REDUCTION_TIERS}, unquantified=NEEDS_DATA,
    conditions=(AdvancedGrade("NAT-11-TAX"), Fact("below_standard", (True,), "NAT-11-TAX", unknown="pass")),
    title=Text("绩效等级先进企业依法享受环境保护税减免", "Advanced-grade enterprises enjoy the statutory tax reduction"),
)

# CQ-A1-2: 附件1 二 restates the statute for enterprises doing deep treatment and 创B争A; no grade condition.
CHONGQING_TAX = Policy(
    policy_id="chongqing.env_tax_reduction", refs=("CQ-A1-2", "LAW-13"), category="env_tax",
    jurisdiction="500000", source=d.chongqing("附件1 二", "二、指导企业通过低排放减交环保税"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END, "tiers": REDUCTION_TIERS},
    unquantified=NEEDS_DATA,
    title=Text("指导企业通过低排放减交环保税", "Guidance to pay less environmental tax through low emissions"),
)

# NX-A1-1: 附件1 第1项 "对符合《环境保护税法》规定的纳税人 … 减按百分之七十五/五十征收".
NINGXIA_TAX = Policy(
    policy_id="ningxia.env_tax_reduction", refs=("NX-A1-1", "LAW-13"), category="env_tax",
    jurisdiction="640000", source=d.ningxia("附件1 第1项", "落实环境保护税减免"), window=d.NINGXIA,
    params={"tiers": REDUCTION_TIERS}, unquantified=NEEDS_DATA,
    title=Text("落实环境保护税减免", "Environmental protection tax reduction applied"),
)

POLICIES = (STATUTORY, NATIONAL_ADVANCED, CHONGQING_TAX, NINGXIA_TAX)
PARAMETERS = (REDUCTION_TIERS,)
