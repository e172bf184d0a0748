"""Projects: priority, approvals and facilities for upgrade projects; project requirements (obligations)."""
from __future__ import annotations

from incentives.explain import Text
from incentives.policy import Fact, GradeAtLeast, InIndustry, LowestGrade, Policy

from . import documents as d

# NAT-10-4: 重点区域、生态环境优先保护单元内的新、改、扩建项目，优先支持绩效可达A级水平的项目 (the project's level).
NATIONAL_NEW_PROJECT = Policy(
    policy_id="national.new_project_priority", refs=("NAT-10-4",), category="projects",
    jurisdiction="000000", source=d.national("四(十)", "大气污染防治重点区域、生态环境优先保护单元内", "绩效可达A级水平的项目。"),
    window=d.NATIONAL, conditions=(Fact("key_region_project_grade", ("A+", "A"), "NAT-10-4"),),
    title=Text("重点区域、优先保护单元内绩效可达A级的新改扩建项目优先支持",
               "New, rebuilt or expanded projects in key regions that can reach A: priority"),
)

# NAT-10-5: 不新增用地、以设备更新为主且不增加污染物排放的提升项目 … 加快前期审批手续.
NATIONAL_FAST_APPROVAL = Policy(
    policy_id="national.upgrade_project_fast_approval", refs=("NAT-10-5",), category="projects",
    jurisdiction="000000", source=d.national("四(十)", "对不新增用地、以设备更新为主"), window=d.NATIONAL,
    conditions=(Fact("upgrade_project", (True,), "NAT-10-5"), Fact("upgrade_project_qualifies", (True,), "NAT-10-5")),
    title=Text("绩效等级提升项目加快前期审批", "Faster approvals for grade-upgrade projects"),
)

# NAT-11-2: 推动提升项目有关的电动重型货车充电桩（换电站）、氢能重型货车加氢站等设施的投资建设.
NATIONAL_CHARGING = Policy(
    policy_id="national.heavy_truck_charging", refs=("NAT-11-2",), category="projects",
    jurisdiction="000000", source=d.national("四(十一)", "推动提升项目有关的电动重型货车", "设施的投资建设。"), window=d.NATIONAL,
    conditions=(Fact("upgrade_project", (True,), "NAT-11-2"),),
    title=Text("提升项目的重型货车充电、换电、加氢设施建设", "Charging, battery-swap and hydrogen stations for upgrade projects"),
)

# HN-16: A级、绩效引领性企业纳入重大项目生态环境要素保障白名单，给予生态环境要素基础保障.
HENAN_WHITE_LIST = Policy(
    policy_id="henan.major_project_white_list", refs=("HN-16",), category="projects",
    jurisdiction="410000", source=d.henan("第十六条", "第十六条"), window=d.HENAN,
    conditions=(GradeAtLeast("A", "HN-16"),),
    title=Text("纳入重大项目生态环境要素保障白名单", "Major-project environmental-factor white list"),
)

# SX-4-1: 新建的重点行业项目应以绩效B级（含引领性）及以上指标为要求 (an obligation on new projects).
SHAOXING_NEW_PROJECT = Policy(
    policy_id="shaoxing.new_project_grade_b", refs=("SX-4-1",), category="projects",
    jurisdiction="330600", source=d.shaoxing("四(一)", "（一）新建的重点行业项目"), window=d.SHAOXING,
    conditions=(Fact("new_project", (True,), "SX-4-1"),), is_obligation=True,
    title=Text("新建重点行业项目须达到绩效B级（含引领性）及以上指标",
               "New key-industry projects must meet B (引领) or above"),
)

# SX-4-1: 炼油与石油化工企业应对照绩效A级标准实施建设；现有企业"一年启动、三年完成、五年一流"制定提级改造计划.
SHAOXING_PETROCHEMICAL = Policy(
    policy_id="shaoxing.petrochemical_grade_a", refs=("SX-4-1",), category="projects",
    jurisdiction="330600", source=d.shaoxing("四(一)", "（一）新建的重点行业项目"), window=d.SHAOXING,
    conditions=(InIndustry("SX-4-1", industries=("refining_petrochemical",)),), is_obligation=True,
    title=Text("炼油与石油化工企业对照绩效A级标准建设和提级改造",
               "Refining and petrochemicals: build to A; existing plants plan an upgrade to A"),
)

# SX-4-5: 绩效评级最低级的企业新、改、扩建项目，现有项目原则上同步实施、同步完成"以新带老"提级改造.
SHAOXING_LOWEST = Policy(
    policy_id="shaoxing.lowest_grade_upgrade_with_new_project", refs=("SX-4-5",), category="projects",
    jurisdiction="330600", source=d.shaoxing("四(五)", "（五）绩效评级最低级的企业"), window=d.SHAOXING,
    conditions=(LowestGrade("SX-4-5"), Fact("new_project", (True,), "SX-4-5")), is_obligation=True,
    title=Text("最低等级企业新改扩建项目须同步实施现有项目提级改造",
               "Lowest-grade enterprises: new projects must upgrade the existing plant at the same time"),
)

POLICIES = (NATIONAL_NEW_PROJECT, NATIONAL_FAST_APPROVAL, NATIONAL_CHARGING, HENAN_WHITE_LIST,
            SHAOXING_NEW_PROJECT, SHAOXING_PETROCHEMICAL, SHAOXING_LOWEST)
PARAMETERS = ()
