//! The registries (台账): social organizations, their status and its managing authority.
//!
//! LN 附件四.2: a registered organization is managed by the county civil-affairs bureau, a filed one
//! by the township, a community-led group by the community committee. Only the managing authority
//! changes the status; a move between statuses is decided by the authority of the higher of the two
//! (registering is done by the bureau that registers, deregistering by the bureau that had it).

use crate::area::{AreaCode, AreaLevel};
use crate::error::{DomainError, FieldError};
use crate::ident::{LegalForm, Uscc};
use crate::identity::{Actor, Role};
use crate::Denied;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 登记 / 备案 / 社区管理
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    CommunityManaged,
    Filed,
    Registered,
}

impl RegistrationStatus {
    /// Every status, from registered (the county bureau's) down to community-managed.
    pub const ALL: [RegistrationStatus; 3] = [
        RegistrationStatus::Registered,
        RegistrationStatus::Filed,
        RegistrationStatus::CommunityManaged,
    ];
    /// The stable snake_case code of the status, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "registered",
            RegistrationStatus::Filed => "filed",
            RegistrationStatus::CommunityManaged => "community_managed",
        }
    }
    /// The status with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// The Chinese name of the status shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "登记",
            RegistrationStatus::Filed => "备案",
            RegistrationStatus::CommunityManaged => "社区管理",
        }
    }
    /// The role that manages organizations of this status, and the level of area it sits at.
    pub fn authority(self) -> (Role, AreaLevel) {
        match self {
            RegistrationStatus::Registered => (Role::CountyBureau, AreaLevel::County),
            RegistrationStatus::Filed => (Role::TownshipOfficer, AreaLevel::Township),
            RegistrationStatus::CommunityManaged => (Role::CommunityOfficer, AreaLevel::Community),
        }
    }
    /// The Chinese name of the managing authority, for the UI.
    pub fn authority_zh(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "区县民政局",
            RegistrationStatus::Filed => "乡镇（街道）",
            RegistrationStatus::CommunityManaged => "社区居（村）委会",
        }
    }
}

/// Category of service (LN 附件一.1, HS 二(二)3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgCategory {
    LifeServices,
    Charity,
    MutualAid,
    ElderlyCare,
    VolunteerService,
    CommunityGovernance,
    CultureSports,
    SocialWorkAgency,
}

impl OrgCategory {
    /// Every category of service.
    pub const ALL: [OrgCategory; 8] = [
        OrgCategory::LifeServices,
        OrgCategory::Charity,
        OrgCategory::MutualAid,
        OrgCategory::ElderlyCare,
        OrgCategory::VolunteerService,
        OrgCategory::CommunityGovernance,
        OrgCategory::CultureSports,
        OrgCategory::SocialWorkAgency,
    ];
    /// The stable snake_case code of the category, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgCategory::LifeServices => "life_services",
            OrgCategory::Charity => "charity",
            OrgCategory::MutualAid => "mutual_aid",
            OrgCategory::ElderlyCare => "elderly_care",
            OrgCategory::VolunteerService => "volunteer_service",
            OrgCategory::CommunityGovernance => "community_governance",
            OrgCategory::CultureSports => "culture_sports",
            OrgCategory::SocialWorkAgency => "social_work_agency",
        }
    }
    /// The category with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// The Chinese name of the category shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            OrgCategory::LifeServices => "生活服务类",
            OrgCategory::Charity => "公益慈善类",
            OrgCategory::MutualAid => "邻里互助类",
            OrgCategory::ElderlyCare => "养老服务类",
            OrgCategory::VolunteerService => "志愿服务类",
            OrgCategory::CommunityGovernance => "社区治理类",
            OrgCategory::CultureSports => "文体活动类",
            OrgCategory::SocialWorkAgency => "专业社工机构",
        }
    }
}

/// What a person submits to create or edit an organization (all text, as typed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationForm {
    pub name: String,
    #[serde(default)]
    pub uscc: String,
    pub registration_status: String,
    pub category: String,
    /// The community or township it serves.
    pub area: String,
    #[serde(default)]
    pub is_hub: Option<String>,
    #[serde(default)]
    pub is_brand: Option<String>,
    /// 1–5 (A), empty for none.
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub grade_date: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub description: String,
}

/// A checked organization, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Organization {
    pub name: String,
    pub uscc: Option<String>,
    pub legal_form: Option<LegalForm>,
    pub registration_status: RegistrationStatus,
    pub category: OrgCategory,
    pub area: AreaCode,
    pub is_hub: bool,
    pub is_brand: bool,
    pub grade: Option<i64>,
    pub grade_date: Option<NaiveDate>,
    pub address: String,
    pub description: String,
}

fn flag(v: &Option<String>) -> bool {
    matches!(
        v.as_deref().map(str::trim),
        Some("on" | "true" | "1" | "yes")
    )
}

impl OrganizationForm {
    /// Checks every field and returns every problem at once, plus warnings that do not refuse.
    pub fn validate(&self, today: NaiveDate) -> Result<(Organization, Vec<String>), DomainError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut warnings = Vec::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写组织名称（不超过 100 字）",
            ));
        }
        let status = RegistrationStatus::parse(self.registration_status.trim());
        if status.is_none() {
            errors.push(FieldError::new(
                "registration_status",
                "invalid_status",
                "请选择登记状态：登记、备案或社区管理",
            ));
        }
        let category = OrgCategory::parse(self.category.trim());
        if category.is_none() {
            errors.push(FieldError::new(
                "category",
                "invalid_category",
                "请选择组织类别",
            ));
        }
        let area = match AreaCode::parse(&self.area) {
            Ok(a) if matches!(a.level(), AreaLevel::Township | AreaLevel::Community) => Some(a),
            Ok(_) => {
                errors.push(FieldError::new(
                    "area",
                    "area_level",
                    "服务区域应为乡镇（街道）或社区（村）",
                ));
                None
            }
            Err(_) => {
                errors.push(FieldError::new(
                    "area",
                    "invalid_area_code",
                    "服务区域的区划代码格式不正确（9 位乡镇或 12 位社区代码）",
                ));
                None
            }
        };
        let uscc_text = self.uscc.trim();
        let mut uscc = None;
        let mut legal_form = None;
        if uscc_text.is_empty() {
            if status == Some(RegistrationStatus::Registered) {
                errors.push(FieldError::new(
                    "uscc",
                    "uscc_required",
                    "登记的社会组织必须填写统一社会信用代码",
                ));
            }
        } else {
            match Uscc::parse(uscc_text, "uscc") {
                Ok(c) => {
                    warnings.extend(c.warnings);
                    legal_form = c.code.legal_form();
                    uscc = Some(c.code.as_str().to_string());
                }
                Err(DomainError::Invalid(f)) => errors.extend(f),
                Err(e) => return Err(e),
            }
        }
        if status == Some(RegistrationStatus::Registered) && uscc.is_some() && legal_form.is_none()
        {
            warnings.push(
                "该代码不是民政部门登记的社会组织代码（应以 51、52、53 或 59 开头），请核对".into(),
            );
        }
        let grade = match self.grade.trim().trim_end_matches(['A', 'a']) {
            "" => None,
            g => match g.parse::<i64>() {
                Ok(n @ 1..=5) => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        "grade",
                        "invalid_grade",
                        "评估等级应为 1A 至 5A",
                    ));
                    None
                }
            },
        };
        let grade_date = match self.grade_date.trim() {
            "" => None,
            d => match crate::text::parse_date(d).ok_or(()) {
                Ok(d) if d <= today => Some(d),
                _ => {
                    errors.push(FieldError::new(
                        "grade_date",
                        "invalid_date",
                        "评估日期应为不晚于今天的日期（YYYY-MM-DD）",
                    ));
                    None
                }
            },
        };
        if grade.is_some()
            && grade_date.is_none()
            && !errors.iter().any(|e| e.field == "grade_date")
        {
            errors.push(FieldError::new(
                "grade_date",
                "required",
                "有评估等级时须填写评估日期",
            ));
        }
        if grade.is_none() && grade_date.is_some() {
            errors.push(FieldError::new(
                "grade",
                "required",
                "填写了评估日期时须选择评估等级",
            ));
        }
        if self.address.chars().count() > 200 || self.description.chars().count() > 2000 {
            errors.push(FieldError::new(
                "description",
                "too_long",
                "地址不超过 200 字，简介不超过 2000 字",
            ));
        }
        match (status, category, area) {
            (Some(registration_status), Some(category), Some(area)) if errors.is_empty() => Ok((
                Organization {
                    name,
                    uscc,
                    legal_form,
                    registration_status,
                    category,
                    area,
                    is_hub: flag(&self.is_hub),
                    is_brand: flag(&self.is_brand),
                    grade,
                    grade_date,
                    address: self.address.trim().to_string(),
                    description: self.description.trim().to_string(),
                },
                warnings,
            )),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Whether `actor` is the managing authority of an organization of `status` serving `area`:
/// the status's role, held at an area that contains the organization's.
pub fn managing_grant(actor: &Actor, status: RegistrationStatus, area: &AreaCode) -> Option<Role> {
    let (role, _) = status.authority();
    actor
        .assignments
        .iter()
        .find(|a| a.role == role && a.area.contains(area))
        .map(|a| a.role)
}

fn not_authority(status: RegistrationStatus) -> Denied {
    Denied {
        code: "not_managing_authority",
        message: format!(
            "无权操作：{}的社会组织由{}管理",
            status.zh(),
            status.authority_zh()
        ),
    }
}

/// Whether `actor` is a managing authority somewhere (and so records organizations at all: the
/// registry offers its form for a new one; each organization is then checked with
/// [`can_create`]).
pub fn manages_somewhere(actor: &Actor) -> bool {
    actor.assignments.iter().any(|a| {
        RegistrationStatus::ALL
            .iter()
            .any(|st| st.authority().0 == a.role)
    })
}

/// May `actor` import organizations at all (a managing authority somewhere)? Asked before the
/// file is even read; each row is then checked with [`can_create`].
pub fn may_import(actor: &Actor) -> Result<(), Denied> {
    if manages_somewhere(actor) {
        Ok(())
    } else {
        Err(Denied {
            code: "not_managing_authority",
            message: "无权导入：社会组织台账由其管理机关（民政局、乡镇（街道）或社区）导入".into(),
        })
    }
}

/// May `actor` create (or register into the ledger) an organization of this status here?
pub fn can_create(actor: &Actor, org: &Organization) -> Result<Role, Denied> {
    managing_grant(actor, org.registration_status, &org.area)
        .ok_or_else(|| not_authority(org.registration_status))
}

/// May `actor` change `before` into `after`? Editing needs the current managing authority (or a
/// city or county bureau above it); a status change needs the authority of the higher status;
/// moving the organization out of the actor's reach is refused.
pub fn can_edit(
    actor: &Actor,
    before: &Organization,
    after: &Organization,
) -> Result<Role, Denied> {
    let supervising = actor
        .assignments
        .iter()
        .find(|a| {
            matches!(a.role, Role::CityBureau | Role::CountyBureau)
                && a.area.contains(&before.area)
                && a.area.contains(&after.area)
        })
        .map(|a| a.role);
    if before.registration_status != after.registration_status {
        let higher = before.registration_status.max(after.registration_status);
        let role = managing_grant(actor, higher, &before.area)
            .filter(|_| managing_grant(actor, higher, &after.area).is_some())
            .ok_or_else(|| Denied {
                code: "not_managing_authority",
                message: format!(
                    "无权变更登记状态：从“{}”变为“{}”须由{}办理",
                    before.registration_status.zh(),
                    after.registration_status.zh(),
                    higher.authority_zh()
                ),
            })?;
        return Ok(role);
    }
    let own = managing_grant(actor, before.registration_status, &before.area)
        .filter(|_| managing_grant(actor, after.registration_status, &after.area).is_some());
    own.or(supervising)
        .ok_or_else(|| not_authority(before.registration_status))
}

/// Kinds of disclosure entries and reports an organization files (LN 附件四.2–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureKind {
    /// 决策事项
    Decision,
    /// 收费事项
    Fee,
    /// 重大活动（公开）
    MajorActivity,
    /// 重大活动报告（向管理机关报告）
    MajorActivityReport,
    /// 定期向社区居委会报告工作
    WorkReport,
}

impl DisclosureKind {
    /// Every kind of disclosure entry and report.
    pub const ALL: [DisclosureKind; 5] = [
        DisclosureKind::Decision,
        DisclosureKind::Fee,
        DisclosureKind::MajorActivity,
        DisclosureKind::MajorActivityReport,
        DisclosureKind::WorkReport,
    ];
    /// The stable snake_case code of the kind, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureKind::Decision => "decision",
            DisclosureKind::Fee => "fee",
            DisclosureKind::MajorActivity => "major_activity",
            DisclosureKind::MajorActivityReport => "major_activity_report",
            DisclosureKind::WorkReport => "work_report",
        }
    }
    /// The kind with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// The Chinese name of the kind shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            DisclosureKind::Decision => "决策事项公开",
            DisclosureKind::Fee => "收费事项公开",
            DisclosureKind::MajorActivity => "重大活动公开",
            DisclosureKind::MajorActivityReport => "重大活动报告",
            DisclosureKind::WorkReport => "工作报告（报社区居委会）",
        }
    }
}

/// A disclosure entry or report as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DisclosureForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub occurred_on: String,
}

/// A checked disclosure entry or report of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub kind: DisclosureKind,
    pub title: String,
    pub body: String,
    pub occurred_on: NaiveDate,
}

fn date_field(
    v: &str,
    field: &str,
    label: &str,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    match crate::text::parse_date(v.trim()).ok_or(()) {
        Ok(d) if d <= today => Some(d),
        Ok(_) => {
            errors.push(FieldError::new(
                field,
                "future_date",
                format!("{label}不能晚于今天"),
            ));
            None
        }
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "invalid_date",
                format!("请填写{label}（YYYY-MM-DD）"),
            ));
            None
        }
    }
}

impl DisclosureForm {
    /// Checks the entry, whose date may not be after `today`, and returns every problem at once.
    pub fn validate(&self, today: NaiveDate) -> Result<Disclosure, DomainError> {
        let mut errors = Vec::new();
        let kind = DisclosureKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "invalid_kind",
                "请选择公开或报告的类型",
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            errors.push(FieldError::new(
                "title",
                "required",
                "请填写标题（不超过 100 字）",
            ));
        }
        let body = self.body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            errors.push(FieldError::new(
                "body",
                "required",
                "请填写内容（不超过 5000 字）",
            ));
        }
        let occurred_on = date_field(
            &self.occurred_on,
            "occurred_on",
            "发生日期",
            today,
            &mut errors,
        );
        match (kind, occurred_on) {
            (Some(kind), Some(occurred_on)) if errors.is_empty() => Ok(Disclosure {
                kind,
                title: title.to_string(),
                body: body.to_string(),
                occurred_on,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// An organization's stay in an incubator as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IncubationForm {
    pub incubator: String,
    pub started_on: String,
    pub ended_on: String,
    pub outcome: String,
}

/// A checked stay of an organization in an incubator; no end date while it is still there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incubation {
    pub incubator: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub outcome: String,
}

impl IncubationForm {
    /// Checks the stay, whose dates may not be after `today` nor end before it starts.
    pub fn validate(&self, today: NaiveDate) -> Result<Incubation, DomainError> {
        let mut errors = Vec::new();
        let incubator = self.incubator.trim();
        if incubator.is_empty() || incubator.chars().count() > 100 {
            errors.push(FieldError::new(
                "incubator",
                "required",
                "请填写孵化基地名称（不超过 100 字）",
            ));
        }
        let started_on = date_field(
            &self.started_on,
            "started_on",
            "入孵日期",
            today,
            &mut errors,
        );
        let ended_on = match self.ended_on.trim() {
            "" => None,
            v => date_field(v, "ended_on", "出孵日期", today, &mut errors),
        };
        if let (Some(s), Some(e)) = (started_on, ended_on) {
            if e < s {
                errors.push(FieldError::new(
                    "ended_on",
                    "before_start",
                    "出孵日期不能早于入孵日期",
                ));
            }
        }
        match started_on {
            Some(started_on) if errors.is_empty() => Ok(Incubation {
                incubator: incubator.to_string(),
                started_on,
                ended_on,
                outcome: self.outcome.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// May `actor` file a disclosure or report for organization `org_id`? Its own manager may, and so
/// may its managing authority.
pub fn can_disclose(actor: &Actor, org_id: &str, org: &Organization) -> Result<Role, Denied> {
    if let Some(a) = actor.assignments.iter().find(|a| {
        a.role == Role::OrganizationManager && a.organization_id.as_deref() == Some(org_id)
    }) {
        return Ok(a.role);
    }
    can_edit(actor, org, org).map_err(|_| Denied {
        code: "not_organization_manager",
        message: "无权填报：信息公开和工作报告由本组织负责人或其管理机关填报".into(),
    })
}

#[cfg(test)]
mod disclosure_tests {
    use super::*;
    use crate::identity::RoleAssignment;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_incubation_cannot_end_before_it_starts() {
        let f = IncubationForm {
            incubator: "屯溪区社会组织孵化园".into(),
            started_on: "2025-03-01".into(),
            ended_on: "2025-01-01".into(),
            outcome: String::new(),
        };
        let e = format!("{:?}", f.validate(d("2026-11-22")).unwrap_err());
        assert!(e.contains("不能早于入孵日期"));
        let ok = IncubationForm {
            ended_on: String::new(),
            ..f
        };
        assert_eq!(ok.validate(d("2026-11-22")).unwrap().ended_on, None);
    }

    #[test]
    fn the_organizations_own_manager_files_its_disclosures() {
        let (org, _) = OrganizationForm {
            name: "互助会".into(),
            registration_status: "filed".into(),
            category: "mutual_aid".into(),
            area: "341002002001".into(),
            ..Default::default()
        }
        .validate(d("2026-11-22"))
        .unwrap();
        let manager = Actor {
            user_id: "m".into(),
            login: "m".into(),
            display_name: "m".into(),
            assignments: vec![RoleAssignment {
                role: Role::OrganizationManager,
                area: AreaCode::parse("341002002001").unwrap(),
                organization_id: Some("3410-x".into()),
            }],
        };
        assert!(can_disclose(&manager, "3410-x", &org).is_ok());
        assert!(can_disclose(&manager, "3410-y", &org).is_err());
        let e = DisclosureForm {
            kind: "gossip".into(),
            ..Default::default()
        }
        .validate(d("2026-11-22"))
        .unwrap_err();
        assert!(format!("{e:?}").contains("请选择公开或报告的类型"));
    }
}

#[cfg(test)]
mod tests;
