"""Enforcement and inspection: positive lists, fewer checks, first violation not penalised."""
from __future__ import annotations

from incentives.explain import Text
from incentives.policy import AdvancedGrade, Fact, GradeAtLeast, Policy, Upgraded

from . import documents as d

# NAT-10-2: 优先将符合条件的绩效等级先进企业纳入生态环境监督执法正面清单，除有明确违法问题线索或"体检式"帮扶外，一般不进行现场执法检查.
NATIONAL_POSITIVE_LIST = Policy(
    policy_id="national.enforcement_positive_list", refs=("NAT-10-2",), category="enforcement",
    jurisdiction="000000", source=d.national("四(十)", "优先将符合条件的绩效等级先进企业", "一般不进行现场执法检查。"), window=d.NATIONAL,
    conditions=(AdvancedGrade("NAT-10-2"),),
    title=Text("优先纳入监督执法正面清单，一般不进行现场执法检查",
               "First onto the enforcement positive list; no on-site inspection without clear leads"),
)

# NX-2-6b: 二(六) the same qualifying A enterprises "同时纳入自治区监管执法正面清单，减少现场检查的频次".
NINGXIA_GREEN_A_LIST = Policy(
    policy_id="ningxia.enforcement_positive_list_green_a", refs=("NX-2-6b",), category="enforcement",
    jurisdiction="640000", source=d.ningxia("二(六)", "（六）实施绿色发展激励政策", "减少现场检查的频次。"), window=d.NINGXIA,
    conditions=(GradeAtLeast("A", "NX-2-6b"), Fact("clean_energy", (True,), "NX-2-6b"),
                Fact("efficient_treatment", (True,), "NX-2-6b"), Fact("stable_compliance", (True,), "NX-2-6b")),
    title=Text("清洁能源、高效治理、稳定达标的A级企业纳入监管执法正面清单，减少现场检查",
               "Qualifying A enterprises: enforcement positive list and fewer on-site checks"),
)

# NX-A1-9: 提级晋A的企业直接纳入监督执法正面清单，全部由自治区生态环境厅统一组织现场执法检查 … 无事不扰.
NINGXIA_POSITIVE_LIST = Policy(
    policy_id="ningxia.enforcement_positive_list", refs=("NX-A1-9", "NX-2-6b"), category="enforcement",
    jurisdiction="640000", source=d.ningxia("附件1 第9项", "优化环境监督执法方式"), window=d.NINGXIA,
    conditions=(Upgraded("A", "NX-A1-9", since="ningxia_upgrade_since"),),
    title=Text("提级晋A企业纳入执法正面清单，现场检查由自治区厅统一组织，无事不扰",
               "Upgraded to A: positive list; on-site checks only by the regional EEB; no routine checks"),
)

# HN-16: 第十六条 A级、绩效引领性企业纳入河南省监管执法正面清单 … 减少现场检查频次.
HENAN_POSITIVE_LIST = Policy(
    policy_id="henan.enforcement_positive_list", refs=("HN-16",), category="enforcement",
    jurisdiction="410000", source=d.henan("第十六条", "第十六条"), window=d.HENAN,
    conditions=(GradeAtLeast("A", "HN-16"),),
    title=Text("纳入河南省监管执法正面清单，减少现场检查频次",
               "Henan enforcement positive list and fewer on-site checks"),
)

# CQ-A1-6: 对于绩效评级B级及以上企业，首次、轻微且没有造成危害后果的违法行为建立容错机制.
CHONGQING_FIRST_VIOLATION = Policy(
    policy_id="chongqing.first_violation_no_penalty", refs=("CQ-A1-6",), category="enforcement",
    jurisdiction="500000", source=d.chongqing("附件1 六", "六、首违不罚"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    conditions=(GradeAtLeast("B", "CQ-A1-6"),),
    title=Text("首违不罚：首次、轻微且无危害后果的违法行为批评教育、不予处罚",
               "First minor violation without harmful consequences is not penalised"),
)

# CQ-A1-7: 对于绩效评级B级及以上企业，减少现场检查、监测、执法频次，无事不扰，低效失效设施排查等专项行动不纳入.
CHONGQING_FEWER_CHECKS = Policy(
    policy_id="chongqing.fewer_inspections", refs=("CQ-A1-7",), category="enforcement",
    jurisdiction="500000", source=d.chongqing("附件1 七", "七、减少检查频次"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    conditions=(GradeAtLeast("B", "CQ-A1-7"),),
    title=Text("减少检查频次，无事不扰，不纳入低效失效设施排查等专项行动",
               "Fewer on-site checks, monitoring and enforcement; excluded from campaigns"),
)

# SX-4-4: 绩效A级、B级和引领性企业，优先列入生态环境监管执法正面清单.
SHAOXING_POSITIVE_LIST = Policy(
    policy_id="shaoxing.enforcement_positive_list", refs=("SX-4-4",), category="enforcement",
    jurisdiction="330600", source=d.shaoxing("四(四)", "（四）绩效A级、B级和引领性企业"), window=d.SHAOXING,
    conditions=(GradeAtLeast("B", "SX-4-4"),),
    title=Text("优先列入生态环境监管执法正面清单", "First onto the enforcement positive list"),
)

POLICIES = (NATIONAL_POSITIVE_LIST, NINGXIA_GREEN_A_LIST, NINGXIA_POSITIVE_LIST, HENAN_POSITIVE_LIST,
            CHONGQING_FIRST_VIOLATION, CHONGQING_FEWER_CHECKS, SHAOXING_POSITIVE_LIST)
PARAMETERS = ()
