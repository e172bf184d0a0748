"""Finance, price, funds and production support."""
from __future__ import annotations

from incentives.explain import Text
from incentives.policy import AdvancedGrade, AnyOf, Fact, GradeAtLeast, InIndustry, Policy, Upgraded

from . import documents as d

NX_UPGRADED = "ningxia_upgrade_since"
ULTRA_LOW_INDUSTRIES = ("steel_long_process", "steel_short_process", "coking", "cement")

# NAT-11-1: 鼓励地方出台激励政策，支持提升项目或对完成提升的企业给予奖励 (an encouragement to local governments).
NATIONAL_AWARDS = Policy(
    policy_id="national.upgrade_awards", refs=("NAT-11-1",), category="funding",
    jurisdiction="000000", source=d.national("四(十一)", "鼓励地方出台激励政策", "给予奖励。"), window=d.NATIONAL,
    conditions=(AnyOf((Fact("upgrade_project", (True,), "NAT-11-1"), Upgraded(None, "NAT-11-1")), "NAT-11-1"),),
    title=Text("鼓励地方支持提升项目或奖励完成提升的企业",
               "Local awards for upgrade projects or completed upgrades (encouraged)"),
)

# NAT-11-3: 探索基于绩效等级和能耗的重点行业企业差别化电价政策 (to be explored).
NATIONAL_PRICE = Policy(
    policy_id="national.differentiated_electricity_price", refs=("NAT-11-3",), category="electricity_price",
    jurisdiction="000000", source=d.national("四(十一)", "探索基于绩效等级和能耗", "差别化电价政策。"), window=d.NATIONAL,
    conditions=(AdvancedGrade("NAT-11-3"),),
    title=Text("基于绩效等级和能耗的差别化电价（探索）", "Electricity price by grade and energy use (to be explored)"),
)

# NAT-11-4: 产能产量指标向绩效等级先进企业倾斜.
NATIONAL_CAPACITY = Policy(
    policy_id="national.capacity_output_tilt", refs=("NAT-11-4",), category="production",
    jurisdiction="000000", source=d.national("四(十一)", "鼓励开展基于绩效等级的产能产量调控", "绩效等级先进企业倾斜。"), window=d.NATIONAL,
    conditions=(AdvancedGrade("NAT-11-4"),),
    title=Text("产能产量指标向绩效等级先进企业倾斜", "Capacity and output quotas tilted to advanced grades"),
)

# NAT-11-5: 金融机构将绩效等级作为信贷管理的重要参考 … 加大对提升项目的支持力度.
NATIONAL_CREDIT = Policy(
    policy_id="national.credit_reference", refs=("NAT-11-5",), category="finance",
    jurisdiction="000000", source=d.national("四(十一)", "鼓励金融机构将企业绩效等级", "加大对提升项目的支持力度。"), window=d.NATIONAL,
    conditions=(AnyOf((AdvancedGrade("NAT-11-5"), Fact("upgrade_project", (True,), "NAT-11-5")), "NAT-11-5"),),
    title=Text("绩效等级作为贷款审批、额度测算的重要参考；支持提升项目的金融产品",
               "Grade as a reference in loan approval and credit lines; products for upgrade projects"),
)

# NX-A1-2: 帮扶提级晋A企业谋划申报中央大气污染防治项目 … 加大提级企业资金支持额度.
NINGXIA_FUNDS = Policy(
    policy_id="ningxia.air_fund_support", refs=("NX-A1-2",), category="funding",
    jurisdiction="640000", source=d.ningxia("附件1 第2项", "积极争取中央大气污染防治资金支持"), window=d.NINGXIA,
    conditions=(Upgraded("A", "NX-A1-2", since=NX_UPGRADED),),
    title=Text("帮扶提级晋A企业申报中央大气污染防治资金，加大资金支持",
               "Upgraded to A: help applying for central air-pollution funds; more funding"),
)

# NX-A1-3: 对完成环保绩效提级晋A的生活垃圾焚烧发电企业 … 合理提高处理费用补贴标准.
NINGXIA_WASTE = Policy(
    policy_id="ningxia.waste_incineration_subsidy", refs=("NX-A1-3",), category="funding",
    jurisdiction="640000", source=d.ningxia("附件1 第3项", "提高垃圾处理费用补贴"), window=d.NINGXIA,
    conditions=(Fact("waste_to_energy", (True,), "NX-A1-3"), Upgraded("A", "NX-A1-3", since=NX_UPGRADED)),
    title=Text("提级晋A的生活垃圾焚烧发电企业提高处理费用补贴",
               "Waste-to-energy plants upgraded to A: higher treatment-fee subsidy"),
)

# NX-A1-4: 对优先完成超低排放改造和逾期未完成超低排放改造的钢铁、焦化、水泥等行业企业用电实行差别化电价.
NINGXIA_PRICE = Policy(
    policy_id="ningxia.ultra_low_electricity_price", refs=("NX-A1-4",), category="electricity_price",
    jurisdiction="640000", source=d.ningxia("附件1 第4项", "实施差别化电价"), window=d.NINGXIA,
    conditions=(InIndustry("NX-A1-4", industries=ULTRA_LOW_INDUSTRIES),
                Fact("ultra_low_retrofit", ("early",), "NX-A1-4")),
    title=Text("优先完成超低排放改造的钢铁、焦化、水泥企业差别化电价",
               "Steel, coking, cement finishing ultra-low-emission retrofit early: differentiated electricity price"),
)

NINGXIA_SURCHARGE = Policy(
    policy_id="ningxia.ultra_low_electricity_surcharge", refs=("NX-A1-4",), category="electricity_price",
    jurisdiction="640000", source=d.ningxia("附件1 第4项", "实施差别化电价"), window=d.NINGXIA,
    conditions=(InIndustry("NX-A1-4", industries=ULTRA_LOW_INDUSTRIES),
                Fact("ultra_low_retrofit", ("overdue",), "NX-A1-4")),
    is_obligation=True,
    title=Text("逾期未完成超低排放改造的钢铁、焦化、水泥企业差别化电价",
               "Steel, coking, cement overdue with ultra-low-emission retrofit: differentiated (higher) price"),
)

# NX-A1-5: 将 … 重点行业升级企业列入银行业金融机构优先支持名单，开展排污权、碳排放权、知识产权质押和应收账款质押的绿色信贷.
NINGXIA_CREDIT = Policy(
    policy_id="ningxia.green_credit", refs=("NX-A1-5",), category="finance",
    jurisdiction="640000", source=d.ningxia("附件1 第5项", "开展绿色信贷"), window=d.NINGXIA,
    conditions=(Upgraded(None, "NX-A1-5", since=NX_UPGRADED),),
    title=Text("升级企业列入银行优先支持名单，排污权、碳排放权等质押绿色信贷，简化审批",
               "Upgraded enterprises on banks' priority list; green credit on pledged rights; fast approval"),
)

# NX-A1-6: 鼓励有融资需求的提级晋A企业在自治区金融服务平台绿色金融专区发布融资需求.
NINGXIA_PLATFORM = Policy(
    policy_id="ningxia.green_finance_platform", refs=("NX-A1-6",), category="finance",
    jurisdiction="640000", source=d.ningxia("附件1 第6项", "加强融资引导"), window=d.NINGXIA,
    conditions=(Upgraded("A", "NX-A1-6", since=NX_UPGRADED),),
    title=Text("提级晋A企业在绿色金融专区发布融资需求", "Upgraded to A: financing needs on the green-finance platform"),
)

# NX-A1-7: 依规对完成环保绩效提级晋A的水泥熟料生产线减少错峰时间.
NINGXIA_STAGGERED = Policy(
    policy_id="ningxia.less_staggered_production", refs=("NX-A1-7",), category="production",
    jurisdiction="640000", source=d.ningxia("附件1 第7项", "减少错峰时间"), window=d.NINGXIA,
    conditions=(InIndustry("NX-A1-7", branches=("cement_clinker",)), Upgraded("A", "NX-A1-7", since=NX_UPGRADED)),
    title=Text("提级晋A的水泥熟料生产线减少错峰生产时间", "Cement clinker lines upgraded to A: less staggered production"),
)

# HN-16: 第十六条 A级、绩效引领性企业 … 中央大气污染防治资金倾斜.
HENAN_FUNDS = Policy(
    policy_id="henan.air_fund_priority", refs=("HN-16",), category="funding",
    jurisdiction="410000", source=d.henan("第十六条", "第十六条"), window=d.HENAN,
    conditions=(GradeAtLeast("A", "HN-16"),),
    title=Text("中央大气污染防治资金倾斜", "Priority for central air-pollution funds"),
)

# CQ-A1-1: 帮扶企业争取中央和市级大气专项补助资金 (deep treatment, ultra-low emission; no grade condition).
CHONGQING_FUNDS = Policy(
    policy_id="chongqing.air_fund_help", refs=("CQ-A1-1",), category="funding",
    jurisdiction="500000", source=d.chongqing("附件1 一", "一、帮扶企业争取中央和市级大气专项补助资金"),
    window=d.CHONGQING, window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    conditions=(Fact("upgrade_project", (True,), "CQ-A1-1"),),
    title=Text("帮扶企业争取中央和市级大气专项补助资金", "Help with central and municipal air-pollution special funds"),
)

# CQ-A1-5: 在同等条件下，优先享受大气专项财政补助，并在政府绿色采购、企业信贷融资中协调争取政策支持 (B级及以上).
CHONGQING_PRIORITY = Policy(
    policy_id="chongqing.subsidy_credit_priority", refs=("CQ-A1-5",), category="finance",
    jurisdiction="500000", source=d.chongqing("附件1 五", "五、攻坚战正面典型宣传"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    conditions=(GradeAtLeast("B", "CQ-A1-5"),),
    title=Text("同等条件下优先享受大气专项补助，绿色采购、信贷融资政策支持",
               "Under equal conditions: priority for special subsidies, green procurement and credit"),
)

POLICIES = (NATIONAL_AWARDS, NATIONAL_PRICE, NATIONAL_CAPACITY, NATIONAL_CREDIT, NINGXIA_FUNDS, NINGXIA_WASTE,
            NINGXIA_PRICE, NINGXIA_SURCHARGE, NINGXIA_CREDIT, NINGXIA_PLATFORM, NINGXIA_STAGGERED, HENAN_FUNDS,
            CHONGQING_FUNDS, CHONGQING_PRIORITY)
PARAMETERS = ()
