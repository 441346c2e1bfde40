//! One message catalogue, Chinese first, English second; the locale is chosen per request.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Locale> {
        match s {
            "zh" | "zh-CN" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }
}

/// (key, 中文, English)
const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "三社联动平台", "Sanshe platform"),
    (
        "app.tagline",
        "社区 · 社会组织 · 社会工作",
        "Communities · Social organizations · Social work",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.areas", "行政区划", "Areas"),
    ("nav.search", "搜索区划", "Search areas"),
    ("nav.account", "我的账号", "My account"),
    ("nav.users", "账号管理", "Accounts"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.logout", "退出登录", "Log out"),
    ("nav.skip", "跳到正文", "Skip to content"),
    ("nav.large_text", "大字模式", "Large text"),
    ("nav.normal_text", "标准字号", "Normal text"),
    ("nav.lang_other", "English", "中文"),
    ("login.title", "登录", "Log in"),
    ("login.login", "登录名", "Login"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Log in"),
    (
        "login.failed",
        "登录名或密码错误，或账号已被暂时锁定。",
        "Wrong login or password, or the account is temporarily locked.",
    ),
    (
        "login.demo_hint",
        "演示账号见服务器启动时打印的列表。",
        "Demonstration accounts are printed when the server starts.",
    ),
    ("home.title", "工作台", "Workbench"),
    ("home.roles", "我的角色与辖区", "My roles and territory"),
    ("home.open_area", "打开辖区", "Open territory"),
    ("home.summary", "辖区概况", "Territory at a glance"),
    ("home.chart", "下级区划数量", "Sub-areas"),
    ("area.code", "区划代码", "Area code"),
    ("area.name", "名称", "Name"),
    ("area.level", "级别", "Level"),
    ("area.kind", "类型", "Kind"),
    ("area.children", "下级区划", "Sub-areas"),
    ("area.child_count", "下级数量", "Sub-areas"),
    ("area.retired", "已撤销", "Retired"),
    (
        "area.none",
        "没有可显示的下级区划。",
        "No sub-areas to show.",
    ),
    (
        "area.path_only",
        "您的辖区在此区划之下，这里只显示通往辖区的路径。",
        "Your territory lies below this area; only the path to it is shown.",
    ),
    (
        "area.chart",
        "各下级区划的下属单位数",
        "Units under each sub-area",
    ),
    ("search.title", "搜索区划", "Search areas"),
    (
        "search.placeholder",
        "输入名称或代码，如“屯溪”或“341002”",
        "Name or code, e.g. 屯溪 or 341002",
    ),
    ("search.submit", "搜索", "Search"),
    (
        "search.none",
        "在您的辖区内没有找到匹配的区划。",
        "No matching area in your territory.",
    ),
    ("account.title", "我的账号", "My account"),
    ("account.password", "修改密码", "Change password"),
    ("account.current_password", "当前密码", "Current password"),
    ("account.new_password", "新密码", "New password"),
    (
        "account.confirm_password",
        "确认新密码",
        "Confirm new password",
    ),
    (
        "account.password_changed",
        "密码已修改，其他设备上的登录已退出。",
        "Password changed; other sessions were logged out.",
    ),
    ("account.tokens", "API 访问令牌", "API access tokens"),
    ("account.token_name", "令牌名称", "Token name"),
    ("account.token_create", "创建令牌", "Create token"),
    (
        "account.token_created",
        "令牌已创建。请立即复制，它只显示这一次：",
        "Token created. Copy it now; it is shown only once:",
    ),
    ("account.token_revoke", "吊销", "Revoke"),
    ("account.token_revoked", "已吊销", "Revoked"),
    ("account.token_hint", "令牌", "Token"),
    ("account.token_created_at", "创建时间", "Created"),
    ("account.token_last_used", "最近使用", "Last used"),
    ("common.save", "保存", "Save"),
    ("common.status", "状态", "Status"),
    ("common.actions", "操作", "Actions"),
    ("common.active", "有效", "Active"),
    ("common.error_title", "出错了", "Something went wrong"),
    ("common.back_home", "返回首页", "Back to home"),
    (
        "common.form_errors",
        "请修改以下标出的内容后重新提交。",
        "Please correct the marked fields and submit again.",
    ),
    ("common.more", "更多", "More"),
    ("common.filter", "筛选", "Filter"),
    ("users.title", "账号管理", "Accounts"),
    ("users.create", "新建账号", "New account"),
    ("users.login", "登录名", "Login"),
    ("users.display_name", "姓名", "Name"),
    ("users.password", "初始密码", "Initial password"),
    ("users.role", "角色", "Role"),
    ("users.area", "区划代码", "Area code"),
    (
        "users.organization",
        "所属社会组织编号（社会组织角色必填）",
        "Organization id (for organization roles)",
    ),
    ("users.roles", "角色与辖区", "Roles and areas"),
    ("users.assign", "分配角色", "Assign role"),
    ("users.remove", "移除", "Remove"),
    ("users.created", "账号已创建。", "Account created."),
    ("users.assigned", "角色已分配。", "Role assigned."),
    ("users.removed", "角色已移除。", "Role removed."),
    ("users.locked_until", "登录已锁定至", "Logins locked until"),
    ("users.locked_from", "来自地址", "from address"),
    ("users.manage", "账号管理", "Account"),
    ("users.disabled", "已停用：不能登录，令牌已作废", "Disabled: cannot sign in, tokens revoked"),
    ("users.must_change", "密码已重置，待本人修改", "Password reset, to be changed by its owner"),
    ("users.reset", "重置密码", "Reset password"),
    (
        "users.reset_confirm",
        "重置后该账号所有登录会话立即失效、令牌作废，本人须用临时密码登录并修改。确定重置？",
        "All sessions end and tokens are revoked; the owner signs in with the temporary password and must change it. Reset?",
    ),
    (
        "users.reset_done",
        "密码已重置。请将以下临时密码当面或电话告知本人（只显示这一次）：",
        "Password reset. Tell the owner this temporary password in person or by phone (shown once):",
    ),
    ("users.unlock", "解除登录锁定", "Lift login locks"),
    ("users.unlocked", "登录锁定已解除。", "Login locks lifted."),
    ("users.disable", "停用账号", "Disable account"),
    (
        "users.disable_confirm",
        "停用后该账号立即退出所有会话、令牌作废、不能再登录。确定停用？",
        "The account is signed out everywhere, its tokens revoked, and it cannot sign in. Disable?",
    ),
    ("users.enable", "重新启用", "Enable again"),
    (
        "account.must_change",
        "您的密码已由管理员重置。请先设置新密码，之后才能使用其他功能。",
        "An administrator reset your password. Set a new one before anything else.",
    ),
    ("nav.organizations", "社会组织", "Organizations"),
    ("org.title", "社会组织台账", "Organization ledger"),
    ("org.new", "登记社会组织", "Record an organization"),
    ("org.edit", "修改", "Edit"),
    (
        "org.search",
        "名称或统一社会信用代码",
        "Name or credit code",
    ),
    ("org.name", "组织名称", "Name"),
    ("org.uscc", "统一社会信用代码", "Unified social credit code"),
    ("org.legal_form", "组织形式", "Legal form"),
    ("org.status", "登记状态", "Registration status"),
    ("org.authority", "管理机关", "Managing authority"),
    ("org.category", "类别", "Category"),
    ("org.area", "服务区域", "Serves"),
    (
        "org.area_code",
        "服务区域代码（乡镇 9 位或社区 12 位）",
        "Area served (9- or 12-digit code)",
    ),
    ("org.grade", "评估等级", "Evaluation grade"),
    ("org.grade_date", "评估日期", "Grade date"),
    ("org.hub", "枢纽型组织", "Hub organization"),
    ("org.brand", "品牌社会组织", "Brand organization"),
    ("org.incubated", "曾入孵", "Incubated"),
    ("org.address", "地址", "Address"),
    ("org.description", "简介", "Description"),
    ("org.version", "版本", "Version"),
    ("org.history", "修改历史", "History"),
    ("reg.no_history", "尚无修改记录", "No edits yet"),
    ("reg.edit", "修改", "Edit"),
    ("reg.end_post", "结束岗位", "End the post"),
    ("reg.end_post_confirm", "确定在该日期结束此岗位？结束后次日起不再计入岗位标准和津贴。", "End this post on this date? From the next day it no longer counts towards the standard or the allowance."),
    ("reg.end_employment", "终止聘用", "End the employment"),
    ("reg.end_employment_confirm", "确定在该日期终止该社工的聘用？次日起其岗位不再计入岗位标准和津贴。", "End this employment on this date? From the next day their posts no longer count."),
    ("reg.end_incubation", "结束孵化期", "End the incubation"),
    ("reg.end_incubation_confirm", "确定在该日期结束此孵化期？", "End this incubation period on this date?"),
    ("reg.last_day", "最后一天", "Last day"),
    ("reg.on", "查询日期", "On"),
    ("reg.show", "查看", "Show"),
    (
        "org.none",
        "没有符合条件的社会组织。",
        "No matching organization.",
    ),
    ("org.saved", "已保存。", "Saved."),
    ("org.import", "批量导入", "Import"),
    ("org.export", "导出", "Export"),
    ("org.import_hint", "支持 Excel(.xlsx) 和 CSV（UTF-8 或 GB18030）。全部行无误才会导入；已在台账中的相同记录会跳过。", "Excel (.xlsx) or CSV (UTF-8 or GB18030). Every row must be valid or nothing is imported; rows already in the ledger are skipped."),
    ("org.import_file", "选择文件", "File"),
    ("org.incubations", "孵化经历", "Incubation"),
    ("org.incubator", "孵化基地", "Incubator"),
    ("org.started_on", "入孵日期", "From"),
    (
        "org.ended_on",
        "出孵日期（未出孵可不填）",
        "To (empty while incubating)",
    ),
    ("org.outcome", "孵化结果", "Outcome"),
    (
        "org.disclosures",
        "信息公开与工作报告",
        "Disclosures and reports",
    ),
    ("org.kind", "类型", "Kind"),
    ("org.disclosure_title", "标题", "Title"),
    ("org.disclosure_body", "内容", "Content"),
    ("org.occurred_on", "日期", "Date"),
    ("nav.volunteers", "志愿者", "Volunteers"),
    ("vol.title", "志愿者", "Volunteers"),
    ("vol.register", "注册志愿者", "Register a volunteer"),
    ("vol.name", "姓名", "Name"),
    ("vol.gender", "性别", "Gender"),
    ("vol.area", "注册社区", "Community"),
    (
        "vol.area_code",
        "注册社区代码（12 位）",
        "Community code (12 digits)",
    ),
    ("vol.skills", "服务技能", "Skills"),
    (
        "vol.consent",
        "志愿者本人已阅读并同意",
        "The volunteer has read and agrees",
    ),
    ("vol.consent_at", "同意时间", "Consent given"),
    ("vol.total", "累计服务时长（小时）", "Total hours"),
    ("vol.records", "服务记录", "Service records"),
    ("vol.none", "没有志愿者。", "No volunteers."),
    ("vol.add_record", "录入服务记录", "Record service"),
    ("vol.activity_name", "活动名称", "Activity"),
    ("vol.activity_date", "活动日期", "Date"),
    ("vol.place", "服务地点", "Place"),
    ("vol.content", "服务内容", "Content"),
    ("vol.hours", "服务时长（小时）", "Hours"),
    ("vol.organizing_unit", "组织单位", "Organizing unit"),
    ("vol.person_in_charge", "负责人", "Person in charge"),
    (
        "vol.late_reason",
        "补录原因（超过 10 个工作日时必填）",
        "Reason for late entry (after 10 working days)",
    ),
    ("vol.certificate", "出具志愿服务证明", "Issue a certificate"),
    ("vol.accept", "确认更正", "Accept"),
    ("vol.reject", "驳回", "Reject"),
    ("vol.request_correction", "申请更正", "Ask for a correction"),
    ("vol.note", "更正原因", "Reason"),
    ("nav.social_work", "社工", "Social work"),
    ("nav.talents", "人才", "Talent"),
    ("nav.needs", "需求", "Needs"),
    ("home.work", "待办事项", "Waiting for you"),
    ("home.no_work", "暂无待办事项", "Nothing is waiting for you"),
    ("nav.catalogue", "服务目录", "Catalogue"),
    ("cat.title", "委托转移服务事项目录", "Catalogue of transferable services"),
    ("cat.new", "新增服务事项", "Add an item"),
    ("cat.name", "服务事项", "Item"),
    ("cat.description", "事项说明", "Description"),
    ("cat.social_work", "社会工作服务", "Social-work service"),
    ("cat.propose", "报街道审核", "Submit to the township"),
    ("cat.none", "暂无服务事项", "No items yet"),
    ("cat.review", "街道审核", "Township review"),
    ("cat.reason", "理由", "Reason"),
    ("cat.approve", "通过", "Approve"),
    ("cat.return", "退回", "Return"),
    ("cat.reject", "不予通过", "Reject"),
    ("cat.apply", "申请承接资格", "Apply for eligibility"),
    ("cat.eligibilities", "承接资格", "Undertaking eligibility"),
    ("cat.staff", "专业社工", "Professional staff"),
    ("nav.projects", "项目", "Projects"),
    ("proj.title", "服务项目", "Service projects"),
    ("proj.write", "撰写项目申请书", "Write an application"),
    ("proj.revise", "修改申请书", "Revise the application"),
    ("proj.submit", "提交申请书（进入恳谈）", "Submit for consultation"),
    ("proj.stage", "阶段", "Stage"),
    ("proj.name", "项目名称", "Project"),
    ("proj.budget", "预算合计（元）", "Budget (yuan)"),
    ("proj.none", "暂无项目", "No projects yet"),
    ("proj.more", "更早的项目", "Older projects"),
    ("proj.application", "项目申请书", "Application"),
    ("proj.background", "项目背景、意义与需求调研", "Background and survey findings"),
    ("proj.goals", "目标与指标", "Goals and indicators"),
    ("proj.phases", "实施阶段", "Phases"),
    ("proj.budget_lines", "预算明细", "Budget lines"),
    ("proj.lead", "项目负责人", "Project lead"),
    ("proj.social_workers", "项目社工", "Social workers"),
    ("proj.other_ids", "其他社工台账编号", "Other social-worker ids"),
    ("proj.volunteers", "志愿者（志愿者台账编号，逗号分隔）", "Volunteers (registry ids)"),
    ("proj.needs", "回应的居民需求", "Needs answered"),
    ("proj.note", "本次修改说明", "What this revision changes"),
    ("proj.save", "保存为新版本", "Save as a new version"),
    ("proj.team", "项目团队", "Team"),
    ("proj.version", "当前版本", "Current version"),
    ("proj.versions", "历次版本", "Versions"),
    ("proj.compare", "对比版本", "Compare versions"),
    ("nav.consultations", "恳谈会", "Consultations"),
    ("cons.title", "项目恳谈会", "Consultation meetings"),
    ("cons.name", "会议名称", "Meeting"),
    ("cons.held_on", "会议日期", "Date"),
    ("cons.place", "会议地点", "Place"),
    ("cons.none", "暂无恳谈会", "No meetings yet"),
    ("cons.new", "召开恳谈会", "Convene a meeting"),
    ("cons.agenda", "议程（待恳谈的申请书）", "Agenda (applications)"),
    ("cons.convene", "召开", "Convene"),
    ("cons.summary", "会议纪要", "Minutes"),
    ("cons.attendance", "出席情况", "Attendance"),
    ("cons.role", "身份", "Capacity"),
    ("cons.person", "姓名或单位", "Name or body"),
    ("cons.add_attendee", "登记出席", "Record attendance"),
    ("cons.comments", "意见和修改要求", "Comments and requested changes"),
    ("cons.add_comment", "记录意见", "Record a comment"),
    ("cons.freeze", "签字封存会议纪要", "Sign and freeze the minutes"),
    ("nav.votes", "表决", "Votes"),
    ("vote.title", "居民代表会议表决", "Representatives' votes"),
    ("vote.roster", "居民代表名册", "Roster"),
    ("vote.none", "暂无居民代表会议", "No meetings yet"),
    ("vote.new", "召开居民代表会议", "Open a representatives' meeting"),
    ("vote.agenda", "表决事项（已恳谈的申请书）", "Motions (consulted applications)"),
    ("vote.open", "开会并锁定名册", "Open and fix the roster"),
    ("vote.rules", "表决规则", "Rules"),
    ("vote.attendance", "出席", "Attendance"),
    ("vote.save_attendance", "保存签到", "Save attendance"),
    ("vote.motions", "表决事项", "Motions"),
    ("vote.seal", "封存并公布结果", "Seal and announce"),
    ("nav.funds", "资金", "Funds"),
    ("nav.calls", "征集评审", "Calls"),
    ("fund.title", "购买服务资金", "Funds"),
    ("fund.name", "资金名称", "Fund"),
    ("fund.area", "所属区划代码", "Area code"),
    ("fund.source", "资金来源", "Source"),
    ("fund.year", "年度", "Year"),
    ("fund.budget", "下达金额（元）", "Appropriated (yuan)"),
    ("fund.balance", "余额（元）", "Balance (yuan)"),
    ("fund.none", "暂无资金", "No funds yet"),
    ("fund.new", "登记资金", "Record a fund"),
    ("fund.create", "登记", "Record"),
    ("need.title", "居民需求", "Residents' needs"),
    ("need.new", "提出需求", "Raise a need"),
    ("need.search", "搜索需求", "Search needs"),
    ("need.group", "涉及人群", "Group concerned"),
    ("need.channel", "收集渠道", "Channel"),
    ("need.status", "状态", "Status"),
    ("need.community", "所在社区（12 位区划代码）", "Community (12-digit area code)"),
    ("need.title_field", "需求标题", "Title"),
    ("need.description", "需求描述", "Description"),
    ("need.raise", "提交需求", "Submit the need"),
    ("need.none", "暂无需求", "No needs yet"),
    ("need.supporters", "附议人数", "Supporters"),
    ("need.raised_at", "提出时间", "Raised at"),
    ("need.support", "附议", "Support"),
    ("need.merge", "合并重复需求", "Merge a duplicate"),
    ("need.merge_into", "并入", "Merge into"),
    ("talent.title", "“1+4”人才台账", "\"1+4\" talent"),
    ("talent.new", "登记人才", "Record a talent"),
    ("talent.category", "人才类别", "Category"),
    ("talent.position", "职务", "Position"),
    ("talent.gender", "性别", "Gender"),
    ("talent.area", "所在地（乡镇或社区代码）", "Area (township or community code)"),
    ("talent.organization", "所在组织编号", "Organization id"),
    ("talent.social_worker", "社工台账编号", "Social worker id"),
    ("talent.backbone", "骨干人才库", "Backbone-talent pool"),
    ("talent.in_pool", "入库", "In the pool"),
    ("talent.join_pool", "纳入骨干人才库", "Enter the pool"),
    ("talent.leave_pool", "移出骨干人才库", "Leave the pool"),
    ("talent.coverage", "骨干人才培训覆盖率", "Pool training coverage"),
    ("talent.untrained", "只看未培训的骨干", "Untrained pool members only"),
    ("talent.trainings", "培训次数", "Trainings"),
    ("talent.filter", "筛选", "Filter"),
    ("talent.search", "姓名或职务", "Name or position"),
    ("sw.title", "社工台账", "Social workers"),
    ("sw.platforms", "社工服务平台", "Social-work platforms"),
    ("sw.standard", "岗位标准", "Staffing standard"),
    ("sw.platform_name", "平台名称", "Platform"),
    ("sw.kind", "类型", "Kind"),
    ("sw.current_posts", "在岗专业岗位数", "Posts held today"),
    ("sw.meets", "是否达标", "Meets the standard"),
    ("sw.new_platform", "新建平台", "New platform"),
    ("sw.posts", "专业社工岗位", "Professional posts"),
    ("sw.worker", "社工", "Social worker"),
    ("sw.post_title", "岗位名称", "Post"),
    ("sw.started_on", "到岗日期", "From"),
    (
        "sw.ended_on",
        "离岗日期（在岗可不填）",
        "To (empty while held)",
    ),
    ("sw.search", "姓名或证书编号", "Name or certificate number"),
    ("sw.id_number", "身份证号码", "Identity number"),
    ("sw.level", "证书等级", "Certificate level"),
    ("sw.cert_number", "职业水平证书编号", "Certificate number"),
    ("sw.cert_date", "取证日期", "Certified on"),
    (
        "sw.employer",
        "所在社会组织编号",
        "Employer (organization id)",
    ),
    (
        "sw.area",
        "工作地代码（乡镇或社区）",
        "Works in (area code)",
    ),
    ("sw.new", "登记社工", "Record a social worker"),
    ("sw.allowance", "专业津贴资格", "Professional allowance"),
    ("sw.trainings", "培训记录", "Trainings"),
    ("sw.training_name", "培训名称", "Training"),
    ("sw.organizer", "主办单位", "Organizer"),
    ("sw.held_on", "培训日期", "Date"),
    ("sw.hours", "学时（小时）", "Hours"),
    ("audit.title", "审计日志", "Audit log"),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Actor"),
    ("audit.role", "角色", "Role"),
    ("audit.action", "操作", "Action"),
    ("audit.outcome", "结果", "Outcome"),
    ("audit.target", "对象", "Target"),
    ("audit.area", "区划", "Area"),
    ("audit.change", "变更摘要", "Change"),
    ("audit.request", "请求号 / 地址", "Request / address"),
    ("audit.from", "起始日期", "From"),
    ("audit.to", "截止日期", "To"),
    ("audit.any", "全部", "Any"),
    ("audit.none", "没有符合条件的记录。", "No matching events."),
];

fn catalogue() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static C: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    C.get_or_init(|| MESSAGES.iter().map(|(k, z, e)| (*k, (*z, *e))).collect())
}

/// The translator a template receives.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        match catalogue().get(key) {
            Some((zh, en)) => match self.locale {
                Locale::Zh => zh,
                Locale::En => en,
            },
            None => "??",
        }
    }
    pub fn role(&self, role: &domain::Role) -> &'static str {
        match self.locale {
            Locale::Zh => role.zh(),
            Locale::En => role.en(),
        }
    }
    pub fn is_en(&self) -> bool {
        self.locale == Locale::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in MESSAGES {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
    }

    #[test]
    fn templates_use_only_known_keys() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("tr.t(\"").skip(1) {
                let key = &part[..part.find('"').unwrap()];
                assert!(catalogue().contains_key(key), "unknown message key {key}");
            }
        }
    }
}
