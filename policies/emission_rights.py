"""Emission rights (排污权) trading and government reserves."""
from __future__ import annotations

from datetime import date

from incentives.explain import Text
from incentives.periods import Window
from incentives.policy import AdvancedGrade, GradeAtLeast, Policy, Upgraded, parameter

from . import documents as d

# NX-A1-10: 企业完成提级晋A后，各地生态环境部门应于1个月内完成可交易排污权认定.
CERTIFICATION_MONTHS = parameter(
    "ningxia.rights_certification_months",
    (Window(date(2025, 1, 1), None), 1, "NX-A1-10", "宁夏“提级扩面”方案（征求意见稿）附件1 第10项"),
    description="months after the upgrade within which surplus rights are certified tradable", unit="month")

# NAT-10-3: 鼓励将绩效等级先进企业的富余排污权优先投放市场自由交易，对出让困难的，鼓励地方优先回购收储.
NATIONAL_MARKET = Policy(
    policy_id="national.emission_rights_market_first", refs=("NAT-10-3",), category="emission_rights",
    jurisdiction="000000", source=d.national("四(十)", "鼓励将绩效等级先进企业的富余排污权", "优先回购收储。"), window=d.NATIONAL,
    conditions=(AdvancedGrade("NAT-10-3"),),
    title=Text("富余排污权优先投放市场，出让困难的地方优先回购收储",
               "Surplus emission rights go to the market first; local buy-back if hard to sell"),
)

NINGXIA_TRADING = Policy(
    policy_id="ningxia.emission_rights_trading", refs=("NX-A1-10",), category="emission_rights",
    jurisdiction="640000", source=d.ningxia("附件1 第10项", "优先开展排污权交易"), window=d.NINGXIA,
    params={"certification_months": CERTIFICATION_MONTHS},
    conditions=(Upgraded("A", "NX-A1-10", since="ningxia_upgrade_since"),),
    title=Text("提级晋A形成的富余排污权1个月内认定、简化审核、优先交易，可回购收储",
               "Upgraded to A: surplus rights certified within 1 month, simplified review, first to market"),
)

# SX-4-6: 省、市两级政府储备大气污染物排污权主要用于保障A级、B级和引领性企业（新建企业的投资项目除外）.
SHAOXING_RESERVE = Policy(
    policy_id="shaoxing.emission_rights_reserve", refs=("SX-4-6",), category="emission_rights",
    jurisdiction="330600", source=d.shaoxing("四(六)", "（六）实施排污权差异化保障"), window=d.SHAOXING,
    conditions=(GradeAtLeast("B", "SX-4-6"),),
    title=Text("省、市政府储备排污权主要保障A级、B级和引领性企业及其投资项目",
               "Provincial and city reserves of air emission rights mainly serve A, B and 引领 enterprises"),
)

# SX-4-6: 省级政府储备 … 主要用于保障绩效A级或引领性企业及其投资项目.
SHAOXING_PROVINCIAL_RESERVE = Policy(
    policy_id="shaoxing.emission_rights_provincial_reserve", refs=("SX-4-6",), category="emission_rights",
    jurisdiction="330600", source=d.shaoxing("四(六)", "（六）实施排污权差异化保障"), window=d.SHAOXING,
    conditions=(GradeAtLeast("A", "SX-4-6"),),
    title=Text("省级政府储备排污权主要保障A级或引领性企业及其投资项目",
               "The provincial reserve of air emission rights mainly serves A and 引领 enterprises"),
)

POLICIES = (NATIONAL_MARKET, NINGXIA_TRADING, SHAOXING_RESERVE, SHAOXING_PROVINCIAL_RESERVE)
PARAMETERS = (CERTIFICATION_MONTHS,)
