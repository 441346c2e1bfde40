//! The kinds of audit event (issue 13): one variant per thing the platform records, with the
//! stable code stored in the log (`call.apply`) and the Chinese name the audit page shows.
//! A use case names its event by variant, so a typo cannot create a kind no filter finds.

use serde::{Serialize, Serializer};

macro_rules! event_kinds {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = ($code:literal, $zh:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $(#[doc = $zh] $variant),+ }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as stored in the log and sent by the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese name shown to people.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The kind whose code is `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

event_kinds! {
    /// What an audit event records.
    pub enum EventKind {
        AccountCreate = ("account.create", "创建账号"),
        AccountDisable = ("account.disable", "停用账号"),
        AccountEnable = ("account.enable", "启用账号"),
        AccountList = ("account.list", "查看账号列表"),
        AccountLocked = ("account.locked", "账号锁定"),
        AccountPasswordChange = ("account.password_change", "修改密码"),
        AccountPasswordReset = ("account.password_reset", "重置密码"),
        AccountUnlock = ("account.unlock", "解除锁定"),
        AccountView = ("account.view", "查看账号"),
        ActivityRecord = ("activity.record", "记录服务活动"),
        ApplicationRevise = ("application.revise", "修改申请书"),
        ApplicationSubmit = ("application.submit", "提交申请书"),
        ApplicationWrite = ("application.write", "撰写申请书"),
        AreaView = ("area.view", "查看区域"),
        AreasImport = ("areas.import", "导入行政区划"),
        AuditView = ("audit.view", "查看审计日志"),
        CallApply = ("call.apply", "申请征集"),
        CallAward = ("call.award", "征集评定"),
        CallClose = ("call.close", "结束征集评定"),
        CallOpen = ("call.open", "发布征集"),
        CallPanel = ("call.panel", "组成征集评审小组"),
        CallRubric = ("call.rubric", "修改评分标准"),
        CallScore = ("call.score", "征集评分"),
        CallView = ("call.view", "查看征集"),
        CataloguePropose = ("catalogue.propose", "编制服务事项"),
        CatalogueReview = ("catalogue.review", "审核服务事项"),
        CatalogueView = ("catalogue.view", "查看服务事项"),
        CertificateIssue = ("certificate.issue", "开具志愿服务证明"),
        ConsultationAttend = ("consultation.attend", "登记恳谈会出席"),
        ConsultationComment = ("consultation.comment", "记录恳谈意见"),
        ConsultationConvene = ("consultation.convene", "召开恳谈会"),
        ConsultationFreeze = ("consultation.freeze", "封存会议纪要"),
        ConsultationView = ("consultation.view", "查看恳谈会"),
        ContractSign = ("contract.sign", "签订合同"),
        DeliveryNote = ("delivery.note", "记录督导与报告"),
        DemoSeedLedger = ("demo.seed_ledger", "载入演示台账"),
        GenerateLedger = ("generate.ledger", "生成测试台账"),
        GenerateProjects = ("generate.projects", "生成测试项目"),
        EligibilityApply = ("eligibility.apply", "申请承接资格"),
        EligibilityDecide = ("eligibility.decide", "审核承接资格"),
        EvaluationMeeting = ("evaluation.meeting", "记录评议会"),
        EvaluationPanel = ("evaluation.panel", "组成评议小组"),
        EvaluationScore = ("evaluation.score", "评议评分"),
        EvaluationSelf = ("evaluation.self", "提交自评"),
        EvaluationVerdict = ("evaluation.verdict", "签署评议报告"),
        MidtermReview = ("evaluation.midterm", "中期评估"),
        ConditionsMet = ("evaluation.conditions_met", "确认整改条件已落实"),
        RectificationOpen = ("evaluation.rectification_open", "确定整改期限"),
        RectificationRecord = ("evaluation.rectification", "登记整改情况"),
        ReReview = ("evaluation.re_review", "签署复评报告"),
        ContractTerminate = ("contract.terminate", "终止项目（退回资金）"),
        TerminationResponse = ("contract.termination_response", "回应终止"),
        ErratumAppend = ("erratum.append", "提交更正"),
        ErratumAgree = ("erratum.agree", "确认更正"),
        FundCreate = ("fund.create", "登记资金"),
        NeedMerge = ("need.merge", "合并需求"),
        NeedRaise = ("need.raise", "提出需求"),
        NeedSupport = ("need.support", "附议需求"),
        NeedView = ("need.view", "查看需求"),
        OrganizationCreate = ("organization.create", "登记社会组织"),
        OrganizationDisclosure = ("organization.disclosure", "信息公开"),
        OrganizationImport = ("organization.import", "导入社会组织"),
        OrganizationIncubationEnd = ("organization.incubation_end", "结束孵化期"),
        OrganizationIncubation = ("organization.incubation", "孵化记录"),
        OrganizationList = ("organization.list", "查看社会组织列表"),
        OrganizationUpdate = ("organization.update", "修改社会组织"),
        OrganizationView = ("organization.view", "查看社会组织"),
        PaymentRecord = ("payment.record", "登记付款"),
        PlatformCreate = ("platform.create", "登记服务平台"),
        PlatformUpdate = ("platform.update", "修改服务平台"),
        PlatformView = ("platform.view", "查看服务平台"),
        PostCreate = ("post.create", "登记岗位"),
        PostEnd = ("post.end", "结束岗位"),
        PostUpdate = ("post.update", "修改岗位"),
        PostView = ("post.view", "查看岗位"),
        ProjectView = ("project.view", "查看项目"),
        PurchaseDecide = ("purchase.decide", "作出购买决定"),
        RequestFailed = ("request.failed", "请求处理出错"),
        RequestRefused = ("request.refused", "拒绝请求"),
        RoleAssign = ("role.assign", "分配角色"),
        RoleRemove = ("role.remove", "撤销角色"),
        ServiceRecordConfirm = ("service_record.confirm", "核实服务记录"),
        ServiceRecordCorrectionAccept = ("service_record.correction_accept", "采纳更正"),
        ServiceRecordCorrectionDecide = ("service_record.correction_decide", "处理更正申请"),
        ServiceRecordCorrectionReject = ("service_record.correction_reject", "驳回更正"),
        ServiceRecordCorrectionRequest = ("service_record.correction_request", "申请更正记录"),
        ServiceRecordCreate = ("service_record.create", "记录志愿服务"),
        ServiceRecordImport = ("service_record.import", "导入服务记录"),
        SessionLogin = ("session.login", "登录"),
        SessionLogout = ("session.logout", "退出登录"),
        SessionThrottled = ("session.throttled", "登录限流"),
        SocialWorkerCreate = ("social_worker.create", "登记社会工作者"),
        SocialWorkerEmploymentEnd = ("social_worker.employment_end", "终止社工聘用"),
        SocialWorkerImport = ("social_worker.import", "导入社会工作者"),
        SocialWorkerUpdate = ("social_worker.update", "修改社会工作者"),
        SocialWorkerView = ("social_worker.view", "查看社会工作者"),
        TalentBackbone = ("talent.backbone", "认定骨干人才"),
        TalentCreate = ("talent.create", "登记人才"),
        TalentTraining = ("talent.training", "记录人才培训"),
        TalentUpdate = ("talent.update", "修改人才"),
        TalentView = ("talent.view", "查看人才"),
        TokenCreate = ("token.create", "创建访问令牌"),
        TokenRevoke = ("token.revoke", "吊销访问令牌"),
        TrainingCreate = ("training.create", "登记培训"),
        VolunteerImport = ("volunteer.import", "导入志愿者"),
        VolunteerLink = ("volunteer.link", "关联志愿者账号"),
        VolunteerRegister = ("volunteer.register", "注册志愿者"),
        VolunteerUpdate = ("volunteer.update", "修改志愿者"),
        VolunteerView = ("volunteer.view", "查看志愿者"),
        VoteAttendance = ("vote.attendance", "登记表决出席"),
        VoteCast = ("vote.cast", "投票"),
        VoteOpen = ("vote.open", "开始表决"),
        VotePaper = ("vote.paper", "录入纸质表决票"),
        VoteRecusal = ("vote.recusal", "记录表决回避"),
        VoteSeal = ("vote.seal", "封存表决结果"),
        VoteView = ("vote.view", "查看表决"),
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// Serialized as its stored code (never as the variant's name).
impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_its_own_code_and_name_and_parses_back() {
        let codes: HashSet<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        let names: HashSet<&str> = EventKind::ALL.iter().map(|k| k.zh()).collect();
        assert_eq!(codes.len(), EventKind::ALL.len());
        assert_eq!(names.len(), EventKind::ALL.len());
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(*k));
            let (context, verb) = k.as_str().split_once('.').unwrap();
            assert!(!context.is_empty() && !verb.is_empty(), "{k}");
        }
        assert_eq!(EventKind::parse("call.aply"), None);
        assert_eq!(EventKind::CallApply.to_string(), "call.apply");
    }
}
