"""Emergency response in heavy-pollution weather (应急减排): treatment by grade and alert level."""
from __future__ import annotations

from incentives.explain import Text
from incentives.policy import Fact, GradeAtLeast, Policy, Response, TreatmentRule, Upgraded

from . import documents as d

# NAT-10-1: 四(十) "A级及以上企业可自主采取减排措施，B级企业可少采取应急减排措施，绩效等级低的企业依法依规严格采取".
NATIONAL_EMERGENCY = Policy(
    policy_id="national.emergency_differentiated", refs=("NAT-10-1",), category="emergency_response",
    jurisdiction="000000", source=d.national("四(十)", "在重污染天气应急响应期间", "严格采取应急减排措施。"), window=d.NATIONAL,
    title=Text("重污染天气应急响应差异化管控（A级及以上自主减排，B级少采取措施）",
               "Differentiated emergency response: A+ and A choose their own measures, B takes fewer"),
    response=Response((("heavy", (TreatmentRule(GradeAtLeast("A", "NAT-10-1"), "own_measures"),
                                  TreatmentRule(GradeAtLeast("B", "NAT-10-1"), "fewer_measures")), "strict"),),
                      "NAT-10-1"),
)

# HN-4-1: 第四条(1) "预警期间，A级和绩效引领性企业可采取自主减排措施；B（含B-）级及以下企业和非绩效引领性企业，实施差异化管控措施".
HENAN_EMERGENCY = Policy(
    policy_id="henan.emergency_own_measures", refs=("HN-4-1",), category="emergency_response",
    jurisdiction="410000", source=d.henan("第四条(1)", "（1）突出重点"), window=d.HENAN,
    title=Text("重污染天气预警期间A级和绩效引领性企业自主减排", "A and 引领: own measures during heavy-pollution alerts"),
    response=Response((("heavy", (TreatmentRule(GradeAtLeast("A", "HN-4-1"), "own_measures"),),
                        "differentiated"),), "HN-4-1"),
)

# CQ-A1-8: 附件1 八 "A级企业鼓励结合实际，自主采取减排措施。B级、绩效引领性企业少限产，与C级D级企业拉开差距".
CHONGQING_EMERGENCY = Policy(
    policy_id="chongqing.emergency_fewer_limits", refs=("CQ-A1-8",), category="emergency_response",
    jurisdiction="500000", source=d.chongqing("附件1 八", "八、重污染天不限产停产"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    title=Text("重污染天不限产停产：A级自主减排，B级、绩效引领性企业少限产",
               "No production stop on heavy-pollution days: A own measures, B and 引领 fewer limits"),
    response=Response((("heavy", (TreatmentRule(GradeAtLeast("A", "CQ-A1-8"), "own_measures"),
                                  TreatmentRule(GradeAtLeast("B", "CQ-A1-8"), "fewer_measures")), "strict"),),
                      "CQ-A1-8"),
)

# NX-2-6: 二(六) "对实现清洁能源替代、建设高效废气治理工艺、全面稳定达标排放A级企业，可以减少或免除应急响应".
NINGXIA_GREEN_A = Policy(
    policy_id="ningxia.emergency_reduced_green_a", refs=("NX-2-6",), category="emergency_response",
    jurisdiction="640000", source=d.ningxia("二(六)", "（六）实施绿色发展激励政策", "减少现场检查的频次。"), window=d.NINGXIA,
    title=Text("清洁能源、高效治理、稳定达标的A级企业减少或免除应急响应",
               "A enterprises with clean energy, efficient treatment and full compliance: reduced or no "
               "emergency response"),
    conditions=(Fact("clean_energy", (True,), "NX-2-6"), Fact("efficient_treatment", (True,), "NX-2-6"),
                Fact("stable_compliance", (True,), "NX-2-6")),
    response=Response((("heavy", (TreatmentRule(GradeAtLeast("A", "NX-2-6"), "reduced_or_exempt"),), None),),
                      "NX-2-6"),
)

# NX-A1-8: 附件1 第8项 "对完成环保绩效提级晋A的企业，直接纳入生态环境监管白名单，重污染天气期间实施自主减排，确保企业不停产、不限产".
NINGXIA_WHITE_LIST = Policy(
    policy_id="ningxia.white_list_own_measures", refs=("NX-A1-8",), category="emergency_response",
    jurisdiction="640000", source=d.ningxia("附件1 第8项", "落实差异化管理"), window=d.NINGXIA,
    title=Text("提级晋A企业纳入监管白名单，重污染天气自主减排、不停产不限产",
               "Upgraded to A: white list, own measures in heavy pollution, no stop or limit of production"),
    response=Response((("heavy", (TreatmentRule(Upgraded("A", "NX-A1-8", since="ningxia_upgrade_since"),
                                                "own_measures"),), None),), "NX-A1-8"),
)

# SX-4-3: 四(三) "重污染天气期间，绩效A级和引领性的企业可豁免；中、轻度污染天气期间，绩效B级及以上企业可豁免，
# 绩效C级、D级和非引领性企业应纳入污染天气应急减排清单和重大活动保障强化减排清单". B on heavy days is not exempt.
SHAOXING_EMERGENCY = Policy(
    policy_id="shaoxing.emergency_exemption", refs=("SX-4-3",), category="emergency_response",
    jurisdiction="330600", source=d.shaoxing("四(三)", "（三）在污染天气应急管控"), window=d.SHAOXING,
    title=Text("污染天气应急减排豁免（重污染：A级和引领性；中、轻度：B级及以上）",
               "Exemption from emergency measures (heavy: A and 引领; light/moderate: B and above)"),
    response=Response((
        ("heavy", (TreatmentRule(GradeAtLeast("A", "SX-4-3"), "exempt"),
                   TreatmentRule(GradeAtLeast("B", "SX-4-3"), "list_measures")), "on_list"),
        ("light_moderate", (TreatmentRule(GradeAtLeast("B", "SX-4-3"), "exempt"),), "on_list"),
    ), "SX-4-3"),
)

POLICIES = (NATIONAL_EMERGENCY, HENAN_EMERGENCY, CHONGQING_EMERGENCY, NINGXIA_GREEN_A, NINGXIA_WHITE_LIST,
            SHAOXING_EMERGENCY)
PARAMETERS = ()
