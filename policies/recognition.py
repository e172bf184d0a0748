"""Recognition: honours, published lists, green procurement."""
from __future__ import annotations

from incentives.explain import Text
from incentives.policy import AdvancedGrade, GradeAtLeast, Policy

from . import documents as d

# NAT-11-6: 推广企业绿色采购，鼓励优先采购和使用绩效等级先进企业的产品.
NATIONAL_PROCUREMENT = Policy(
    policy_id="national.green_procurement", refs=("NAT-11-6",), category="recognition",
    jurisdiction="000000", source=d.national("四(十一)", "推广企业绿色采购"), window=d.NATIONAL,
    conditions=(AdvancedGrade("NAT-11-6"),),
    title=Text("绿色采购优先采购和使用绩效等级先进企业的产品",
               "Green procurement prefers advanced enterprises' products"),
)

# HN-16: 对评定为A级、B级和绩效引领性企业授予荣誉称号、颁发荣誉证书 (B includes B-, 第四条(1) "下同").
HENAN_HONOUR = Policy(
    policy_id="henan.honorary_title", refs=("HN-16",), category="recognition",
    jurisdiction="410000", source=d.henan("第十六条", "第十六条"), window=d.HENAN,
    conditions=(GradeAtLeast("B", "HN-16"),),
    title=Text("授予荣誉称号、颁发荣誉证书", "Honorary title and certificate"),
)

# CQ-A1-5: 市生态环境局对绩效评级B级及以上企业名单在官网进行公告 … 正面典型通报表扬和宣传.
CHONGQING_PUBLISHED = Policy(
    policy_id="chongqing.published_list", refs=("CQ-A1-5",), category="recognition",
    jurisdiction="500000", source=d.chongqing("附件1 五", "五、攻坚战正面典型宣传"), window=d.CHONGQING,
    window_end="campaign_end", params={"campaign_end": d.CAMPAIGN_END},
    conditions=(GradeAtLeast("B", "CQ-A1-5"),),
    title=Text("B级及以上企业名单官网公告，正面典型宣传", "Published on the EEB site as a positive example"),
)

POLICIES = (NATIONAL_PROCUREMENT, HENAN_HONOUR, CHONGQING_PUBLISHED)
PARAMETERS = ()
