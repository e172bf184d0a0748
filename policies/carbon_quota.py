"""Carbon quota (碳排放配额) measures."""
from __future__ import annotations

from datetime import date

from incentives.explain import Text
from incentives.periods import Window
from incentives.policy import Fact, Policy, RateOfFact, Upgraded, parameter

from . import documents as d

# CQ-A1-9: 提升至A级的，增发2023年度配额的0.5%，提升至B级的，增发0.3%（以2023年度配额分配实施方案正式文件为准）.
BONUS_RATE = parameter(
    "chongqing.carbon_bonus_rate",
    (Window(date(2024, 8, 1), None), {"A": "0.005", "B": "0.003"}, "CQ-A1-9",
     "重庆“创B争A”通知 附件1 九 减污降碳激励（以重庆市2023年度碳排放配额分配实施方案正式文件为准）"),
    description="extra allowance as a share of the 2023 allowance, by the grade upgraded to", unit="ratio")

CHONGQING_BONUS = Policy(
    policy_id="chongqing.carbon_quota_bonus", refs=("CQ-A1-9",), category="carbon_quota",
    jurisdiction="500000", source=d.chongqing("附件1 九", "九、减污降碳激励"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END, "bonus_rate": BONUS_RATE},
    conditions=(Upgraded("B", "CQ-A1-9"), Fact("holds_carbon_allowance", (True,), "CQ-A1-9")),
    quantity=RateOfFact("bonus_rate", "allowance_2023_t", "tCO2", "CQ-A1-9"),
    title=Text("提升至B级及以上增发碳排放配额（A级0.5%，B级0.3%），并提供碳排放系数优惠",
               "Extra carbon allowance after an upgrade (A: 0.5%, B: 0.3% of 2023), plus emission-factor relief"),
)

# NX-A1-11: 以提级晋A企业为重点 … 节能降碳诊断服务 … 优先对提级晋A项目减排量进行评估并开展核定登记.
NINGXIA_DIAGNOSIS = Policy(
    policy_id="ningxia.carbon_diagnosis", refs=("NX-A1-11",), category="carbon_quota",
    jurisdiction="640000", source=d.ningxia("附件1 第11项", "开展降碳节能诊断服务"), window=d.NINGXIA,
    conditions=(Upgraded("A", "NX-A1-11", since="ningxia_upgrade_since"),),
    title=Text("提级晋A企业节能降碳诊断服务，减排项目优先评估登记",
               "Upgraded to A: energy and carbon diagnosis; carbon-reduction projects assessed and registered first"),
)

POLICIES = (CHONGQING_BONUS, NINGXIA_DIAGNOSIS)
PARAMETERS = (BONUS_RATE,)
