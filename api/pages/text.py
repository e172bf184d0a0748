"""The pages' interface strings in Chinese and English (the data's own {zh, en} texts come from the services)."""
from __future__ import annotations

import re

from incentives.tax.parameters import NO_REDUCTION_TIER

from ..i18n import lang

TEXT: dict[str, tuple[str, str]] = {
    "site": ("绩效分级激励服务", "Grade-incentive service"),
    "tagline": ("重点行业绩效分级 → 企业可享受的激励措施及其法律依据",
                "Air-pollution performance grades → the incentives each enterprise gets, with the law behind each"),
    "home": ("首页", "Home"),
    "preview": ("升级收益预览", "Upgrade preview"),
    "lookup": ("批量查询", "Bulk grade lookup"),
    "tax": ("环保税减免核算", "Env-tax reduction assessment"),
    "policies": ("政策目录", "Policy catalogue"),
    "enterprise": ("企业分级档案", "Enterprise grade record"),
    "api_docs": ("API 文档", "API docs"),
    "for_enterprise": ("企业", "Enterprises"),
    "for_bank": ("银行", "Banks"),
    "for_tax": ("税务机关", "Tax bureaus"),
    "for_everyone": ("所有人", "Everyone"),
    "home_preview": ("若提升绩效等级，能多享受哪些激励？逐项列出依据条款、可量化的金额与阻碍升级的限制。",
                     "What would a better grade bring? Each benefit with its clause, the figures, and what blocks it."),
    "home_lookup": ("粘贴或上传至多 1000 个统一社会信用代码，查询绩效等级、限制与复核日期，下载 CSV/XLSX。",
                    "Paste or upload up to 1 000 USCCs: grades, restrictions, review dates; download CSV/XLSX."),
    "home_tax": ("上传在线监测数据，按排放口 × 污染物 × 月份核算减征档次与应纳税额，下载申报表 CSV。",
                 "Upload monitoring data: the reduction tier and tax per outlet × pollutant × month; filing CSV."),
    "home_policies": ("按地区与类别列出全部政策、适用期间、条款编号与原文。",
                      "Every policy by jurisdiction and category, with its window, refs and clause text."),
    "home_enterprise": ("按统一社会信用代码查看一家企业的分级历史。", "A single enterprise's grade history by USCC."),
    "open": ("打开", "Open"),
    "needs_key": ("需要 API 密钥", "needs an API key"),
    "public": ("公开", "public"),
    # login
    "login": ("登录", "Sign in"),
    "logout": ("退出", "Sign out"),
    "api_key": ("API 密钥", "API key"),
    "login_intro": ("此页面需要相应角色的 API 密钥。密钥仅保存在本浏览器会话的 HttpOnly Cookie 中。",
                    ("This page needs an API key of a suitable role. It is kept only in this browser session's "
                    "HttpOnly cookie.")),
    "bad_key": ("密钥无效或已吊销。", "The key is unknown or revoked."),
    "signed_in_as": ("已登录角色", "Signed in as"),
    "wrong_role": ("当前密钥的角色不能使用此页面，请换用以下角色之一的密钥：",
                   "This key's role may not use this page; sign in with a key of one of these roles:"),
    "csrf": ("表单已过期（页面打开太久，或已在别处退出登录）。您填写的内容已保留，请检查后再次提交；如选择过文件，请重新选择。",
             ("The form has expired (the page was open too long, or you signed out elsewhere). What you typed is "
              "kept: check it and submit again; choose any file again.")),
    "skip_to_main": ("跳到正文", "Skip to main content"),
    "site_nav": ("网站导航", "Site"),
    "statistics": ("分级统计", "Grade statistics"),
    "not_found_intro": ("您输入的地址可能有误，或该页面已移动。", "The address may be mistyped, or the page has moved."),
    "where_next": ("您可以：", "You can:"),
    "error_intro": ("请求无法完成。", "The request could not be completed."),
    "error_prefix": ("错误：", "Error: "),
    "more_errors": ("另有 {n} 处错误未列出", "{n} more not listed"),
    "go_to_field": ("转到该项", "Go to the field"),
    "problem_title": ("出现问题", "There is a problem"),
    "forbidden_page": ("无权访问此页面", "You may not use this page"),
    # common
    "submit": ("提交", "Submit"),
    "as_of": ("基准日期", "As of"),
    "as_of_hint": ("留空为今天（北京时间）", "empty = today (Asia/Shanghai)"),
    "include_drafts": ("含征求意见稿的分级规则", "with the grading rules of drafts (征求意见稿)"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 XLSX", "Download XLSX"),
    "error": ("无法处理", "Cannot process this"),
    "details": ("详情", "Details"),
    "row": ("行", "line"),
    "column": ("列", "column"),
    "field": ("字段", "field"),
    "none": ("无", "none"),
    "language": ("English", "中文"),
    "ref": ("条款编号", "Ref"),
    "refs": ("条款编号", "Refs"),
    "clause": ("条款", "Clause"),
    "clause_text": ("条款原文", "Clause text"),
    "window": ("适用期间", "In force"),
    "until_changed": ("至今", "until changed"),
    "draft": ("征求意见稿", "draft"),
    "in_force": ("现行", "in force"),
    "pending": ("待定（尚无细则，不适用）", "pending (no rule yet, never applied)"),
    "obligation": ("义务（非激励）", "obligation (not a benefit)"),
    "document": ("文件", "Document"),
    "status": ("状态", "Status"),
    "file": ("文件（CSV 或 XLSX）", "File (CSV or XLSX)"),
    "uscc": ("统一社会信用代码", "USCC"),
    "name": ("企业名称", "Name"),
    "division": ("行政区划", "Division"),
    "industry": ("行业", "Industry"),
    "branch": ("行业分支", "Branch"),
    "grade": ("绩效等级", "Grade"),
    "any": ("全部", "all"),
    "category": ("类别", "Category"),
    "jurisdiction": ("地区", "Jurisdiction"),
    "filter": ("筛选", "Filter"),
    "not_found_page": ("页面不存在", "Page not found"),
    # policies
    "policies_intro": ("本服务已编码的全部政策措施（含征求意见稿，已标注）。点击标题可查看条款原文。",
                       "Every measure the service encodes (drafts included and marked). Open a title for its clause text."),
    "parameters": ("参数", "Parameters"),
    "value": ("取值", "Value"),
    "source": ("来源", "Source"),
    "count_policies": ("项政策", "policies"),
    "back_to_list": ("返回政策目录", "Back to the catalogue"),
    # enterprise
    "overall_grade": ("管理等级", "Managed grade"),
    "rated_grade": ("评定等级", "Rated grade"),
    "review_due": ("复核到期", "Review due"),
    "restrictions": ("限制", "Restrictions"),
    "until": ("截止（不含）", "Until (first free day)"),
    "history": ("分级历史", "Grade history"),
    "effect": ("影响", "Effect"),
    "industries": ("行业等级", "Industry grades"),
    "show": ("查看", "Show"),
    "rated_on": ("评级日期", "Rated on"),
    "upgrades": ("升级记录", "Upgrades"),
    "no_history": ("暂无事件。", "No events."),
    # lookup
    "lookup_intro": ("每行一个或用逗号、空格分隔，至多 1000 个；也可上传一列标题为 uscc 或 统一社会信用代码 的文件。",
                     ("One per line or separated by commas or spaces, at most 1 000; or upload a file with one "
                     "column headed uscc or 统一社会信用代码.")),
    "usccs": ("统一社会信用代码列表", "USCCs"),
    "or_upload": ("或上传文件", "or upload a file"),
    "results": ("结果", "Results"),
    "found": ("已找到", "found"),
    "not_found": ("未登记", "not registered"),
    "invalid": ("代码无效", "invalid code"),
    "summary_lookup": ("查询 {n} 个：已找到 {found}，未登记 {nf}，无效 {inv}。",
                       "{n} asked: {found} found, {nf} not registered, {inv} invalid."),
    "nothing_given": ("请粘贴代码或选择文件。", "Paste codes or choose a file."),
    # tax
    "tax_intro": (("上传自动监测或监测机构数据（CSV/XLSX，表头可用中文：排放口, 污染物, 时间, 浓度, 流量…）。"
                  "按《环境保护税法》第十三条逐月判定减征档次。"),
                  ("Upload automatic-monitoring or agency data (CSV/XLSX, headers in zh or en: outlet, pollutant, "
                  "time, concentration, flow…). Each month's tier follows Art. 13 of the Environmental Protection "
                  "Tax Law.")),
    "tax_division": ("税源所在地（行政区划）", "Division of the source"),
    "rates_json": ("税额标准（可选，JSON，元/污染当量）", "Rates (optional, JSON, yuan per pollution equivalent)"),
    "outlets_json": ("排放标准（JSON，mg/m³；文件无“标准浓度”列时填写）",
                     "Emission standards (JSON, mg/m³; needed when the file has no standard column)"),
    "boundary": ("边界处理", "Boundary"),
    "boundary_strict": ("严格低于（默认）", "strictly below (default)"),
    "boundary_inclusive": ("含等于", "at or below"),
    "uploading": ("上传中…", "Uploading…"),
    "computing": ("已上传，正在核算…", "Uploaded; computing…"),
    "outlet": ("排放口", "Outlet"),
    "pollutant": ("污染物", "Pollutant"),
    "month": ("月份", "Month"),
    "quarter": ("季度", "Quarter"),
    "avg": ("月均浓度 mg/m³", "Monthly mean mg/m³"),
    "max": ("最高小时浓度", "Highest hour"),
    "max_hour": ("最高小时浓度", "Highest hourly value"),
    "standard": ("标准浓度", "Standard"),
    "ratio": ("低于标准比例", "Below standard by"),
    "tier": ("减征档次", "Tier"),
    "reason": ("理由", "Reason"),
    "emission_kg": ("排放量 kg", "Emission kg"),
    "equivalents": ("污染当量数", "Equivalents"),
    "taxed": ("计税", "Taxed"),
    "tax_before": ("减免前税额", "Tax before reduction"),
    "reduction": ("减免税额", "Reduction"),
    "tax_due": ("应纳税额", "Tax due"),
    "filing_deadline": ("申报期限", "Filing deadline"),
    "totals_month": ("按月合计", "Totals by month"),
    "totals_quarter": ("按季合计", "Totals by quarter"),
    "chart_conc": ("月均浓度与排放标准", "Monthly mean concentration vs the standard"),
    "assessment_id": ("核算编号", "Assessment id"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "line_share": ("标准的{share}", "{share} of standard"),
    "tier_share": ("减按{share}", "pay {share}"),
    "tier_none": ("不减征", "no reduction"),
    "uscc_optional": ("统一社会信用代码（可选）", "USCC (optional)"),
    "no_file": ("请选择监测数据文件。", "Choose a monitoring file."),
    "not_ready": ("该功能的服务尚未部署。", "The service behind this page is not deployed yet."),
    # preview
    "preview_intro": ("输入统一社会信用代码（已登记企业），或选择行政区划、行业分支与当前等级；再选择目标等级。",
                      ("Give a registered enterprise's USCC, or choose division, industry branch and current grade; "
                      "then choose the target grade.")),
    "by_uscc": ("按统一社会信用代码", "By USCC"),
    "by_profile": ("或按企业情况", "or by profile"),
    "current_grade": ("当前等级", "Current grade"),
    "target_grade": ("目标等级", "Target grade"),
    "monitoring_optional": ("监测数据（可选，CSV/XLSX）", "Monitoring data (optional, CSV/XLSX)"),
    "allowance": ("2023年度碳排放配额（吨，可选）", "2023 carbon allowance (t, optional)"),
    "alert_days": ("一个采暖季的预警天数（可选）", "Alert days in a season (optional)"),
    "yellow": ("黄色", "yellow"), "orange": ("橙色", "orange"), "red": ("红色", "red"),
    "daily_output": ("日产值（元，可选）", "Daily output value (yuan, optional)"),
    "target_conc": ("升级后的月均浓度（JSON，mg/m³，可选）", "Monthly mean concentrations after the upgrade (JSON, mg/m³, optional)"),
    "current": ("当前", "Current"),
    "target": ("目标", "Target"),
    "benefits": ("激励措施", "Benefits"),
    "gained": ("升级后新增", "Gained by upgrading"),
    "lost": ("升级后失去", "Lost by upgrading"),
    "blocking": ("阻碍升级的限制", "What blocks the upgrade"),
    "quantified": ("可量化的收益", "Quantified benefits"),
    "quantity": ("数量", "Quantity"),
    "basis": ("计算依据", "Basis"),
    "plan": ("下载升级方案（附件2格式）", "Download the upgrade plan (附件2 form)"),
    "nothing": ("（无）", "(none)"),
    "choose": ("请选择", "choose"),
    "need_enterprise": ("请填写统一社会信用代码，或选择行政区划、行业分支和当前等级。",
                        "Give a USCC, or choose a division, an industry branch and the current grade."),
    "need_target": ("请选择目标等级。", "Choose the target grade."),
    "bad_number": ("不是有效的数字：", "not a valid number: "),
    "bad_json": ("不是有效的 JSON：", "not valid JSON: "),
    "date": ("日期", "Date"),
    "lifted_on": ("{day} 起解除", "lifted on {day}"),
    "no_end": ("无截止日期", "no end date"),
    "plan_unmet": ("尚不满足“{title}”的条件（条款 {refs}）", "the conditions of \u201c{title}\u201d are not met yet ({refs})"),
    "plan_other_industries": ("企业还涉及：", "The enterprise is also in: "),
    "plan_indicators": ("按{branch}技术指南{grade}级指标", "the {branch} technical guide's grade {grade} indicators"),
    "need_standard": ("请填写标准浓度（mg/m³）", "Enter the standard (mg/m³)"),
    "grid_bad": ("标准浓度与升级后浓度须为不小于 0 的数字。", "Standards and target concentrations must be numbers of 0 or more."),
    "only_in": ("此项仅适用于{places}（条款 {refs}，适用期间 {window}）。",
                "This applies only in {places} (ref {refs}, in force {window})."),
    "summary": ("升级收益概要", "What the upgrade is worth"),
    "h_tax": ("环保税减免", "Env-tax saving"),
    "h_tax_empty": ("上传监测数据（CSV/XLSX）并填写升级后的浓度，即可估算每年少缴的环保税。",
                    "Upload monitoring data (CSV/XLSX) and the concentrations after the upgrade to estimate the yearly saving."),
    "h_tax_note": ("数据覆盖 {months} 个月，期间少缴 {period} 元", "{period} yuan over the {months} months of data"),
    "h_output": ("不再限产的产值", "Output value no longer cut"),
    "h_output_days": ("少限产 {days} 天；填写日产值即可换算为金额。", "{days} fewer days cut; give the daily output value to see the amount."),
    "h_output_empty": ("填写预警天数与日产值，即可估算重污染天气期间不再限产的产值。",
                       "Give the alert days and the daily output value to estimate the output no longer cut in alerts."),
    "h_days": ("少限产 {days} 天", "{days} fewer days cut"),
    "h_carbon": ("增发碳排放配额", "Extra carbon allowance"),
    "h_cash": ("现金奖励", "Cash rewards"),
    "h_cash_empty": ("本企业所在地区没有已编码的、适用于该目标等级的现金奖励。",
                     "No encoded cash reward applies to this enterprise's area at the target grade."),
    "h_none": ("目标等级下无此项措施适用。", "No such measure applies at the target grade."),
    "target_differs": ("您选择的目标是 {asked}；按规则，升级后的管理等级为 {target}，原因见“阻碍升级的限制”。",
                       "You asked for {asked}; by the rules the managed grade after the upgrade is {target}: see what blocks it."),
    "chart_money": ("可量化收益（元）", "Quantified gains (yuan)"),
    "standards_grid": ("排放口 × 污染物：标准浓度与升级后浓度", "Outlet × pollutant: standard and concentration after the upgrade"),
    "grid_intro": ("标准浓度已按文件的“标准浓度”列预填，可修改；填写升级后的月均浓度可估算减税额。修改后请重新选择文件再提交。",
                   ("Standards are pre-filled from the file's standard column and can be changed; give the monthly mean "
                    "after the upgrade to estimate the saving. After a change, choose the file again and submit.")),
    "after_upgrade": ("升级后月均浓度 mg/m³", "After the upgrade, mg/m³"),
    "standard_mg": ("标准浓度 mg/m³", "Standard mg/m³"),
    "template": ("下载模板", "Download a template"),
    "file_tax": ("监测数据文件（CSV、XLSX 或 HJ 212 报文）", "Monitoring file (CSV, XLSX or HJ 212 packets)"),
    "standards_grid_tax": ("排放口 × 污染物：标准浓度", "Outlet × pollutant: emission standards"),
    "grid_intro_tax": ("文件没有“标准浓度”列的，请在此填写（mg/m³），然后重新选择文件再提交。",
                       "Where the file has no standard column, enter the standards here (mg/m³), choose the file again and submit."),
    "legend_bar": ("柱为月均浓度，颜色即该月减征档次：", "Bars: monthly mean, coloured by the month's tier:"),
    "advanced": ("高级选项", "Advanced"),
    "upload_failed": ("上传失败，请检查网络后重试。", "The upload failed: check the connection and try again."),
    "statistics_intro": ("按行政区划统计已登记企业的绩效等级结构（公开数据），及各地目标完成进度。",
                         "The grade structure of the registered enterprises of a division (public data), and progress against each target."),
    "total_enterprises": ("共 {n} 家企业", "{n} enterprises"),
    "rated_list_link": ("查看该地区已评级企业名单", "See the list of rated enterprises of this division"),
    "by_grade": ("按管理等级", "By managed grade"),
    "by_status": ("按状态", "By status"),
    "by_industry": ("按行业", "By industry"),
    "count": ("企业数", "Enterprises"),
    "share": ("占比", "Share"),
    "grades": ("等级分布", "Grades"),
    "public_list": ("公示名单", "Public list"),
    "open_list": ("查看名单", "See the list"),
    "unrated_short": ("未评级", "unrated"),
    "targets": ("目标完成进度", "Progress against the targets"),
    "met": ("已完成", "met"),
    "not_met": ("未完成", "not met"),
    "no_enterprises": ("该地区暂无符合条件的企业。", "No enterprise matches in this division."),
    "rated_list_title": ("已评级企业名单", "Rated enterprises"),
    "rated_list_intro": ("按行政区划与绩效等级查询已评级企业（公示信息）。点击企业名称查看其分级档案。",
                         "Rated enterprises by division and grade (published information). Open a name for its grade record."),
    "pages": ("分页", "Pages"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "open_to_grade": ("适用等级", "Open to grade"),
    "search": ("搜索", "Search"),
    "search_hint": ("标题、条款编号、文件或原文", "title, ref, document or text"),
    "no_policies": ("没有符合条件的政策。", "No policy matches."),
    "document_link": ("查看文件原文", "Read the document"),
    "back_to_policy": ("返回政策", "Back to the policy"),
    "jurisdictions": ("地区与文件", "Jurisdictions"),
    "jurisdictions_intro": ("本服务已编码的各地区：依据的文件（含状态与核实程度）、分级规则与激励措施数量。",
                            "Each jurisdiction the service encodes: its documents (status, confidence), grading rules and measures."),
    "documents": ("文件", "Documents"),
    "number": ("文号", "Number"),
    "issuer": ("发文机关", "Issuer"),
    "issued": ("印发日期", "Issued"),
    "confidence": ("核实程度", "Confidence"),
    "grading_rules": ("分级规则", "Grading rules"),
    "measures": ("激励措施", "Measures"),
    "parent": ("上级", "Parent"),
    "in_force_here": ("在此适用的规则与措施", "Rules and measures in force here"),
    "chain": ("适用层级", "Chain"),
    "see_rules": ("查看适用的规则与措施", "See the rules and measures in force"),
    "see_measures": ("在政策目录中查看", "See them in the catalogue"),
    "expired": ("已失效", "expired"),
    "bad_date": ("不是有效的日期（YYYY-MM-DD）：", "not a valid date (YYYY-MM-DD): "),
}


def t(key: str) -> str:
    """The interface string `key` in the request's language."""
    zh, en = TEXT[key]
    return en if lang() == "en" else zh


def tier_name(label: str) -> str:
    """A LAW-13 tier label in words, whatever tiers the catalogue publishes: 减按60% / pay 60%; none: 不减征."""
    return t("tier_none") if label == NO_REDUCTION_TIER else t("tier_share").format(share=label)


LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "category": {
        "env_tax": ("环境保护税", "Environmental protection tax"), "carbon_quota": ("碳排放配额", "Carbon quota"),
        "emergency_response": ("重污染天气应急", "Heavy-pollution emergency response"),
        "emission_rights": ("排污权", "Emission rights"), "enforcement": ("执法监管", "Enforcement"),
        "finance": ("绿色金融", "Green finance"), "electricity_price": ("电价", "Electricity price"),
        "funding": ("资金支持", "Funding"), "production": ("生产调控", "Production"),
        "projects": ("项目审批", "Projects"), "recognition": ("荣誉激励", "Recognition"),
        "technology": ("技术支持", "Technology"),
    },
    "status": {
        "rated": ("已评级", "rated"), "unrated": ("未评级（按最低级管理）", "unrated (managed at the lowest)"),
        "lowest_by_sanction": ("因处罚按最低级管理", "lowest by sanction"),
        "under_rectification": ("整改期间", "under rectification"),
    },
    "event": {
        "rated": ("评级", "rated"), "aplus_selected": ("遴选为A+", "selected A+"), "downgraded": ("降级", "downgraded"),
        "fraud_found": ("发现弄虚作假", "fraud found"), "violation_found": ("发现违法行为", "violation found"),
        "rectification_started": ("开始整改", "rectification started"),
        "rectification_ended": ("整改结束", "rectification ended"), "cancelled": ("撤销", "cancelled"),
        "managed_higher": ("按高一级管理", "managed a grade higher"),
    },
    "figure": {
        "carbon_allowance": ("增发碳配额", "extra carbon allowance"),
        "emergency_days": ("应急减排天数", "emergency days spared"),
        "emergency": ("预警与错峰少限产的产量（折合天数）", "output no longer cut in alerts and staggered production"),
        "emission_rights_certification": ("排污权核定", "emission-rights certification"),
        "emission_rights_priority": ("排污权优先", "emission-rights priority"),
        "enforcement_measures": ("执法检查", "enforcement measures"),
        "env_tax_saving": ("环保税减免", "env-tax saving"),
        "env_tax": ("环保税减免", "env-tax saving"),
    },
    "confidence": {
        "verified": ("已核实", "verified"), "partial": ("部分核实", "partly verified"),
        "unverified": ("未核实", "unverified"),
    },
    "role": {
        "bank": ("银行", "bank"), "regulator": ("生态环境主管部门", "regulator"), "tax_bureau": ("税务机关", "tax bureau"),
        "enterprise": ("企业", "enterprise"), "admin": ("管理员", "administrator"), "public": ("公众", "public"),
    },
    "restriction": {
        "no_application": ("不得申报", "may not apply"), "no_grade_above": ("等级上限", "grade capped"),
        "one_application_per_year": ("一年内限申报一次", "one application a year"),
    },
}


def plain_restriction(r: dict) -> str:
    """A restriction in words: what it is, why, the clause, and until when."""
    from ..i18n import pick
    reason = pick(r["reason"]) if r.get("reason") else ""
    until = t("lifted_on").format(day=r["until"]) if r.get("until") else t("no_end")
    words = label("restriction", r["kind"])
    if reason:
        words += f"：{reason}" if lang() != "en" else f": {reason}"
    return f"{words}（{t('ref')} {r['ref']}，{until}）" if lang() != "en" else f"{words} ({t('ref')} {r['ref']}; {until})"


# The assessment's named parameters, as they appear in its reasons, in plain words.
PARAMETER_WORDS: dict[str, tuple[str, str]] = {
    "EXCEEDANCE_SCOPE=taxpayer": ("（按纳税人全部排放口判断是否超标）", "(any exceedance of the taxpayer counts)"),
    "EXCEEDANCE_SCOPE=outlet": ("（按同一排放口判断是否超标）", "(an exceedance at the same outlet counts)"),
    "EXCEEDANCE_SCOPE=outlet_pollutant": ("（仅看本排放口本污染物）", "(only this outlet and pollutant count)"),
    "REDUCTION_BOUNDARY=strict": ("（恰好等于临界值时不享受该档）", "(a value exactly at the line does not qualify)"),
    "REDUCTION_BOUNDARY=inclusive": ("（恰好等于临界值时享受该档）", "(a value exactly at the line qualifies)"),
}
_PARAM = re.compile(r"[（(]?(EXCEEDANCE_SCOPE|REDUCTION_BOUNDARY)=([a-z_]+)[）)]?")


def plain_reason(text: str | None) -> str:
    """A tier's reason with the assessment's parameter names put in words."""
    if not text:
        return ""

    def words(m: re.Match) -> str:
        pair = PARAMETER_WORDS.get(f"{m.group(1)}={m.group(2)}")
        return m.group(0) if pair is None else pair[1] if lang() == "en" else pair[0]
    return _PARAM.sub(words, text).replace("，（", "（").replace(", (", " (").replace("; (", " (")


UNITS: dict[str, tuple[str, str]] = {
    "yuan/year": ("元/年", "yuan a year"), "yuan": ("元", "yuan"), "tCO2": ("吨二氧化碳", "t CO₂"),
    "days": ("天", "days"), "measures": ("项", "measures"), "date": ("日期", "date"), "rank": ("优先", "priority"),
    "kg": ("千克", "kg"), "t": ("吨", "t"),
}


def unit_label(unit: str | None) -> str:
    """A unit code as words in the page's language."""
    if not unit:
        return ""
    pair = UNITS.get(unit)
    return unit if pair is None else pair[1] if lang() == "en" else pair[0]


def label(kind: str, code: str | None) -> str:
    """A code of a closed list (category, status, event kind…) as words in the page's language."""
    if code is None:
        return "—"
    pair = LABELS.get(kind, {}).get(code)
    if pair is None:
        return code
    return pair[1] if lang() == "en" else pair[0]
