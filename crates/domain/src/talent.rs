//! Community service talent, the "1+4" model (HS 二(三)): social-work professionals first, leading
//! four kinds of local talent — party work, volunteer service, self-governance and organization
//! backbone. A backbone-talent pool (骨干人才库) is kept and its training coverage is a target
//! (LN 附件二.1: every backbone trained by 2023). Trainings are dated and counted in hours.

use crate::area::AreaLevel;
use crate::{AreaCode, DomainError, FieldError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The five categories of "1+4": the one, then the four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TalentCategory {
    SocialWork,
    PartyWork,
    VolunteerService,
    SelfGovernance,
    OrganizationBackbone,
}

impl TalentCategory {
    /// Every category: social work first, then the four kinds of local talent.
    pub const ALL: [TalentCategory; 5] = [
        TalentCategory::SocialWork,
        TalentCategory::PartyWork,
        TalentCategory::VolunteerService,
        TalentCategory::SelfGovernance,
        TalentCategory::OrganizationBackbone,
    ];

    /// The stable snake_case code of the category, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TalentCategory::SocialWork => "social_work",
            TalentCategory::PartyWork => "party_work",
            TalentCategory::VolunteerService => "volunteer_service",
            TalentCategory::SelfGovernance => "self_governance",
            TalentCategory::OrganizationBackbone => "organization_backbone",
        }
    }

    /// The category with this code or Chinese name, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.zh() == s)
    }

    /// The Chinese name of the category shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            TalentCategory::SocialWork => "社会工作专业人才",
            TalentCategory::PartyWork => "基层党务人才",
            TalentCategory::VolunteerService => "志愿服务人才",
            TalentCategory::SelfGovernance => "基层自治人才",
            TalentCategory::OrganizationBackbone => "社会组织骨干人才",
        }
    }
}

/// A talent as typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TalentForm {
    pub name: String,
    /// `male` or `female`, or empty.
    pub gender: String,
    pub category: String,
    /// Township or community where they serve.
    pub area: String,
    /// Their role, such as 社区党委委员 or 楼栋长.
    pub position: String,
    /// The organization they serve in (id), if any.
    pub organization_id: String,
    /// The social worker's ledger entry (id), for the social-work category.
    pub social_worker_id: String,
    /// Enter the backbone-talent pool ("on"/"true" from a checkbox, or a JSON boolean).
    #[serde(deserialize_with = "flag_text")]
    pub backbone: String,
}

/// A checked talent, serving in a township or community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Talent {
    pub name: String,
    pub gender: String,
    pub category: TalentCategory,
    pub area: AreaCode,
    pub position: String,
    pub organization_id: Option<String>,
    pub social_worker_id: Option<String>,
    pub backbone: bool,
}

/// Reads a flag sent as text (a form's checkbox) or as a JSON boolean.
fn flag_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Flag::deserialize(d)? {
        Flag::Bool(b) => b.to_string(),
        Flag::Text(t) => t,
    })
}

/// A checkbox or API flag: "on", "true", "1" or "是" mean yes.
pub fn flag(v: &str) -> bool {
    matches!(v.trim(), "on" | "true" | "1" | "是" | "yes")
}

fn optional_id(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|s| !s.is_empty())
}

impl TalentForm {
    /// Checks the talent; only the social-work category may link a social worker's ledger entry.
    pub fn validate(&self) -> Result<Talent, DomainError> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写姓名（不超过 50 字）",
            ));
        }
        let gender = match self.gender.trim() {
            "" => String::new(),
            "male" | "男" => "male".into(),
            "female" | "女" => "female".into(),
            _ => {
                errors.push(FieldError::new(
                    "gender",
                    "invalid_gender",
                    "性别应为男或女",
                ));
                String::new()
            }
        };
        let category = TalentCategory::parse(self.category.trim());
        if category.is_none() {
            errors.push(FieldError::new(
                "category",
                "invalid_category",
                "请选择人才类别（“1+4”之一）",
            ));
        }
        let area = match AreaCode::parse(&self.area) {
            Ok(a) if matches!(a.level(), AreaLevel::Township | AreaLevel::Community) => Some(a),
            _ => {
                errors.push(FieldError::new(
                    "area",
                    "area_level",
                    "所在地应为乡镇（9 位）或社区（12 位）代码",
                ));
                None
            }
        };
        let position = self.position.trim();
        if position.chars().count() > 50 {
            errors.push(FieldError::new("position", "too_long", "职务不超过 50 字"));
        }
        let social_worker_id = optional_id(&self.social_worker_id);
        if social_worker_id.is_some() && category != Some(TalentCategory::SocialWork) {
            errors.push(FieldError::new(
                "social_worker_id",
                "not_social_work",
                "只有社会工作专业人才才能关联社工台账",
            ));
        }
        match (category, area, errors.is_empty()) {
            (Some(category), Some(area), true) => Ok(Talent {
                name: name.to_string(),
                gender,
                category,
                area,
                position: position.to_string(),
                organization_id: optional_id(&self.organization_id),
                social_worker_id,
                backbone: flag(&self.backbone),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A training attended, as typed (social workers and talents alike).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingForm {
    pub name: String,
    pub organizer: String,
    pub held_on: String,
    pub hours: String,
}

/// A checked training, its length kept in minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Training {
    pub name: String,
    pub organizer: String,
    pub held_on: NaiveDate,
    pub minutes: i64,
}

impl TrainingForm {
    /// A training has a name and organizer, a date not in the future and a positive number of
    /// hours (at most 1,000).
    pub fn validate(&self, today: NaiveDate) -> Result<Training, DomainError> {
        let mut errors = Vec::new();
        for (v, field, label) in [
            (&self.name, "name", "培训名称"),
            (&self.organizer, "organizer", "主办单位"),
        ] {
            if v.trim().is_empty() || v.chars().count() > 100 {
                errors.push(FieldError::new(
                    field,
                    "required",
                    format!("请填写{label}（不超过 100 字）"),
                ));
            }
        }
        let held = match crate::text::parse_date(self.held_on.trim()).ok_or(()) {
            Ok(d) if d <= today => Some(d),
            Ok(_) => {
                errors.push(FieldError::new(
                    "held_on",
                    "future_date",
                    "培训日期不能晚于今天",
                ));
                None
            }
            Err(_) => {
                errors.push(FieldError::new(
                    "held_on",
                    "invalid_date",
                    "请填写培训日期（YYYY-MM-DD）",
                ));
                None
            }
        };
        let minutes =
            crate::volunteer::parse_hours(&self.hours).filter(|m| *m > 0 && *m <= 1000 * 60);
        if minutes.is_none() {
            errors.push(FieldError::new(
                "hours",
                "invalid_hours",
                "学时应为大于 0 的小时数",
            ));
        }
        match (held, minutes, errors.is_empty()) {
            (Some(held_on), Some(minutes), true) => Ok(Training {
                name: self.name.trim().to_string(),
                organizer: self.organizer.trim().to_string(),
                held_on,
                minutes,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// How far the backbone-talent pool is trained: members with at least one training, of all
/// members (LN 附件二.1 sets full coverage as the target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PoolCoverage {
    pub members: i64,
    pub trained: i64,
}

impl PoolCoverage {
    /// Percentage trained, rounded down; an empty pool is reported as 0 (nothing to cover is
    /// not "fully covered").
    pub fn percent(&self) -> i64 {
        if self.members <= 0 {
            0
        } else {
            self.trained.clamp(0, self.members) * 100 / self.members
        }
    }

    /// Whether every member of a non-empty pool has been trained.
    pub fn complete(&self) -> bool {
        self.members > 0 && self.trained >= self.members
    }

    /// How many members of the pool have no training yet.
    pub fn untrained(&self) -> i64 {
        (self.members - self.trained).max(0)
    }
}

/// Talent is kept by the bureaus, the township and the community committee, each for their own
/// territory (the committee finds and cultivates local talent, LN 附件三).
pub fn can_manage(actor: &crate::Actor, area: &AreaCode) -> Result<crate::Role, crate::Denied> {
    use crate::Role::*;
    actor
        .assignments
        .iter()
        .find(|a| {
            matches!(
                a.role,
                CityBureau | CountyBureau | TownshipOfficer | CommunityOfficer
            ) && a.area.contains(area)
        })
        .map(|a| a.role)
        .ok_or_else(|| crate::Denied {
            code: "not_talent_manager",
            message: "无权操作：人才台账由民政局、乡镇（街道）或社区居委会维护".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, Role, RoleAssignment};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn form() -> TalentForm {
        TalentForm {
            name: "汪丽".into(),
            gender: "女".into(),
            category: "party_work".into(),
            area: "341002002001".into(),
            position: "社区党委委员".into(),
            backbone: "on".into(),
            ..TalentForm::default()
        }
    }

    #[test]
    fn the_five_categories_round_trip_by_code_and_by_chinese_name() {
        for c in TalentCategory::ALL {
            assert_eq!(TalentCategory::parse(c.as_str()), Some(c));
            assert_eq!(TalentCategory::parse(c.zh()), Some(c));
        }
        assert_eq!(TalentCategory::parse("other"), None);
    }

    #[test]
    fn a_valid_talent_keeps_what_was_typed() {
        let t = form().validate().unwrap();
        assert_eq!(t.category, TalentCategory::PartyWork);
        assert_eq!(t.gender, "female");
        assert!(t.backbone);
        assert_eq!(t.area.as_str(), "341002002001");
        let t = TalentForm {
            backbone: String::new(),
            ..form()
        }
        .validate()
        .unwrap();
        assert!(!t.backbone);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = TalentForm {
            name: " ".into(),
            gender: "x".into(),
            category: "chef".into(),
            area: "3410".into(),
            position: "长".repeat(51),
            ..form()
        }
        .validate()
        .unwrap_err();
        let DomainError::Invalid(f) = e else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "gender", "category", "area", "position"]);
    }

    #[test]
    fn only_social_work_talent_links_to_the_social_worker_ledger() {
        let f = TalentForm {
            social_worker_id: "3410-x".into(),
            ..form()
        };
        assert!(f.validate().is_err());
        let f = TalentForm {
            category: "social_work".into(),
            ..f
        };
        assert_eq!(
            f.validate().unwrap().social_worker_id.as_deref(),
            Some("3410-x")
        );
    }

    #[test]
    fn a_training_needs_a_past_date_and_positive_hours() {
        let ok = TrainingForm {
            name: "社区社会组织负责人培训".into(),
            organizer: "黄山市民政局".into(),
            held_on: "2026-10-12".into(),
            hours: "6.5".into(),
        };
        assert_eq!(ok.validate(today()).unwrap().minutes, 390);
        for (held_on, hours, field) in [
            ("2026-11-23", "2", "held_on"),
            ("2026/13/12", "2", "held_on"),
            ("2026-10-12", "0", "hours"),
            ("2026-10-12", "-1", "hours"),
            ("2026-10-12", "1001", "hours"),
        ] {
            let e = TrainingForm {
                held_on: held_on.into(),
                hours: hours.into(),
                ..ok.clone()
            }
            .validate(today())
            .unwrap_err();
            let DomainError::Invalid(f) = e else {
                panic!("expected field errors")
            };
            assert_eq!(f[0].field, field, "{held_on} {hours}");
        }
    }

    #[test]
    fn pool_coverage_counts_trained_members() {
        let c = PoolCoverage {
            members: 3,
            trained: 2,
        };
        assert_eq!(c.percent(), 66);
        assert!(!c.complete());
        assert_eq!(c.untrained(), 1);
        let full = PoolCoverage {
            members: 3,
            trained: 3,
        };
        assert!(full.complete());
        assert_eq!(full.percent(), 100);
        let empty = PoolCoverage {
            members: 0,
            trained: 0,
        };
        assert!(!empty.complete());
        assert_eq!(empty.percent(), 0);
    }

    #[test]
    fn community_officers_manage_their_own_communitys_talent_only() {
        let a = Actor {
            user_id: "u".into(),
            login: "u".into(),
            display_name: "u".into(),
            assignments: vec![RoleAssignment {
                role: Role::CommunityOfficer,
                area: AreaCode::parse("341002002001").unwrap(),
                organization_id: None,
            }],
        };
        assert!(can_manage(&a, &AreaCode::parse("341002002001").unwrap()).is_ok());
        assert!(can_manage(&a, &AreaCode::parse("341002002002").unwrap()).is_err());
        assert!(can_manage(&a, &AreaCode::parse("341002002").unwrap()).is_err());
        let resident = Actor {
            assignments: vec![RoleAssignment {
                role: Role::Resident,
                ..a.assignments[0].clone()
            }],
            ..a
        };
        assert!(can_manage(&resident, &AreaCode::parse("341002002001").unwrap()).is_err());
    }
}
