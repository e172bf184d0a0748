"""Technology: free monitoring, research support, technology catalogues."""
from __future__ import annotations

from incentives.explain import Text
from incentives.policy import Fact, Policy, Upgraded

from . import documents as d

# CQ-A1-3: 对重点企业实施大气污染深度治理和"创B争A"的项目优先安排免费加密监测.
CHONGQING_MONITORING = Policy(
    policy_id="chongqing.free_monitoring", refs=("CQ-A1-3",), category="technology",
    jurisdiction="500000", source=d.chongqing("附件1 三", "三、优先为企业提供免费监测服务"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    conditions=(Fact("upgrade_project", (True,), "CQ-A1-3"),),
    title=Text("深度治理和“创B争A”项目优先免费加密监测", "Priority free monitoring for deep-treatment and 创B争A projects"),
)

# NX-A1-12: 支持提级晋A企业申报超低排放技术装备研发和成果转化科研项目，落实研发费用加计扣除.
NINGXIA_RND = Policy(
    policy_id="ningxia.rnd_support", refs=("NX-A1-12",), category="technology",
    jurisdiction="640000", source=d.ningxia("附件1 第12项", "加强科研支撑"), window=d.NINGXIA,
    conditions=(Upgraded("A", "NX-A1-12", since="ningxia_upgrade_since"),),
    title=Text("提级晋A企业科研项目支持，落实研发费用加计扣除",
               "Upgraded to A: R&D project support and R&D super-deduction"),
)

# NX-A1-13: 对完成超低排放改造并成功提级晋A的企业，择优推荐技术进入先进实用技术目录；创新型企业优先申报绿色工厂、专精特新.
NINGXIA_CATALOGUE = Policy(
    policy_id="ningxia.technology_catalogue", refs=("NX-A1-13",), category="technology",
    jurisdiction="640000", source=d.ningxia("附件1 第13项", "加强技术指导和支持"), window=d.NINGXIA,
    conditions=(Upgraded("A", "NX-A1-13", since="ningxia_upgrade_since"),),
    title=Text("提级晋A企业技术择优推荐进入先进实用技术目录，优先申报绿色工厂、专精特新",
               "Upgraded to A: technology recommended to catalogues; priority for green-factory, 专精特新"),
)

POLICIES = (CHONGQING_MONITORING, NINGXIA_RND, NINGXIA_CATALOGUE)
PARAMETERS = ()
