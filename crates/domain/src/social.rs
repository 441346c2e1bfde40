//! Social work: service platforms, professional posts, social workers and their certificates,
//! and the staffing standard of the policy profile in force.

use crate::area::{AreaCode, AreaLevel};
use crate::error::{DomainError, FieldError};
use crate::ident::IdNumber;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Kinds of platform (HS 二(一), 二(三); LN 附件一.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    /// 社会工作服务中心, one per township
    Centre,
    /// 社会工作服务站, one per community
    Station,
    /// 社会组织孵化园 / 孵化基地
    Incubator,
    /// 社区治理学院
    Academy,
}

impl PlatformKind {
    /// Every kind of platform.
    pub const ALL: [PlatformKind; 4] = [
        PlatformKind::Centre,
        PlatformKind::Station,
        PlatformKind::Incubator,
        PlatformKind::Academy,
    ];
    /// The stable snake_case code of the kind, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformKind::Centre => "centre",
            PlatformKind::Station => "station",
            PlatformKind::Incubator => "incubator",
            PlatformKind::Academy => "academy",
        }
    }
    /// The kind with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// The Chinese name of the kind shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            PlatformKind::Centre => "社会工作服务中心",
            PlatformKind::Station => "社会工作服务站",
            PlatformKind::Incubator => "社会组织孵化园",
            PlatformKind::Academy => "社区治理学院",
        }
    }
    /// The level of area a platform of this kind sits at, when fixed.
    pub fn level(self) -> Option<AreaLevel> {
        match self {
            PlatformKind::Centre => Some(AreaLevel::Township),
            PlatformKind::Station => Some(AreaLevel::Community),
            PlatformKind::Incubator | PlatformKind::Academy => None,
        }
    }
}

/// A policy profile's staffing standard (targets are policy data, not code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct StaffingStandard {
    pub profile: &'static str,
    pub source: &'static str,
    pub centre_posts: i64,
    pub station_posts: i64,
}

impl StaffingStandard {
    /// 黄山市 2020 (HS 二(一)): each township centre ≥ 2 professional posts, each community
    /// station ≥ 1.
    pub const HUANGSHAN_2020: StaffingStandard = StaffingStandard {
        profile: "黄山市 2020",
        source: "HS 二(一)",
        centre_posts: 2,
        station_posts: 1,
    };

    /// Posts required at a platform of this kind, if the standard sets any.
    pub fn required(&self, kind: PlatformKind) -> Option<i64> {
        match kind {
            PlatformKind::Centre => Some(self.centre_posts),
            PlatformKind::Station => Some(self.station_posts),
            _ => None,
        }
    }
}

/// A service platform as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformForm {
    pub kind: String,
    pub name: String,
    pub area: String,
}

/// A checked service platform: its kind, name and the area it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Platform {
    pub kind: PlatformKind,
    pub name: String,
    pub area: AreaCode,
}

impl PlatformForm {
    /// Checks the platform, including that a centre or station sits at its fixed level of area.
    pub fn validate(&self) -> Result<Platform, DomainError> {
        let mut errors = Vec::new();
        let kind = PlatformKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new("kind", "invalid_kind", "请选择平台类型"));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写平台名称（不超过 100 字）",
            ));
        }
        let area = AreaCode::parse(&self.area)
            .ok()
            .filter(|a| a.level() >= AreaLevel::County);
        match (kind, &area) {
            (Some(k), Some(a)) => {
                if let Some(l) = k.level() {
                    if a.level() != l {
                        errors.push(FieldError::new(
                            "area",
                            "area_level",
                            format!("{}应设在{}级区划", k.zh(), l.zh()),
                        ));
                    }
                }
            }
            (_, None) => errors.push(FieldError::new(
                "area",
                "invalid_area_code",
                "请填写所在区划代码（区县、乡镇或社区）",
            )),
            _ => {}
        }
        match (kind, area) {
            (Some(kind), Some(area)) if errors.is_empty() => Ok(Platform {
                kind,
                name: name.to_string(),
                area,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// 助理社会工作师 / 社会工作师 / 高级社会工作师, or 社会工作员 after training (XM 三(一)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateLevel {
    Assistant,
    Intermediate,
    Senior,
    Aide,
}

impl CertificateLevel {
    /// Every level: the three certified by examination, then the aide.
    pub const ALL: [CertificateLevel; 4] = [
        CertificateLevel::Assistant,
        CertificateLevel::Intermediate,
        CertificateLevel::Senior,
        CertificateLevel::Aide,
    ];
    /// The stable snake_case code of the level, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateLevel::Assistant => "assistant",
            CertificateLevel::Intermediate => "intermediate",
            CertificateLevel::Senior => "senior",
            CertificateLevel::Aide => "aide",
        }
    }
    /// The level with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// The Chinese title of the level shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            CertificateLevel::Assistant => "助理社会工作师",
            CertificateLevel::Intermediate => "社会工作师",
            CertificateLevel::Senior => "高级社会工作师",
            CertificateLevel::Aide => "社会工作员",
        }
    }
    /// Holders of the national vocational-level certificate (by examination).
    pub fn is_certified(self) -> bool {
        !matches!(self, CertificateLevel::Aide)
    }
}

/// A social worker as typed into a form or an import row (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SocialWorkerForm {
    pub name: String,
    /// Resident identity number (encrypted at rest; never echoed back into a page).
    pub id_number: String,
    pub certificate_level: String,
    pub certificate_number: String,
    pub certificate_date: String,
    /// The organization employing them (id), if any.
    pub employer_org_id: String,
    /// Where they work (township or community).
    pub area: String,
}

/// A checked social worker, with their identity number and certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialWorker {
    pub name: String,
    pub id_number: IdNumber,
    pub certificate_level: CertificateLevel,
    pub certificate_number: String,
    pub certificate_date: Option<NaiveDate>,
    pub employer_org_id: Option<String>,
    pub area: AreaCode,
}

impl SocialWorkerForm {
    /// Checks the worker on `today`; a certified level needs a certificate number.
    pub fn validate(&self, today: NaiveDate) -> Result<SocialWorker, DomainError> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写姓名（不超过 50 字）",
            ));
        }
        let id_number = match IdNumber::parse(&self.id_number, "id_number", today) {
            Ok(n) => Some(n),
            Err(DomainError::Invalid(f)) => {
                errors.extend(f);
                None
            }
            Err(e) => return Err(e),
        };
        let level = CertificateLevel::parse(self.certificate_level.trim());
        if level.is_none() {
            errors.push(FieldError::new(
                "certificate_level",
                "invalid_level",
                "请选择证书等级",
            ));
        }
        let number = self.certificate_number.trim().to_uppercase();
        if level.is_some_and(|l| l.is_certified()) && number.is_empty() {
            errors.push(FieldError::new(
                "certificate_number",
                "required",
                "持证社工须填写职业水平证书编号",
            ));
        }
        if number.chars().count() > 40 {
            errors.push(FieldError::new(
                "certificate_number",
                "too_long",
                "证书编号不超过 40 位",
            ));
        }
        let certificate_date = match self.certificate_date.trim() {
            "" => None,
            d => match crate::text::parse_date(d).ok_or(()) {
                Ok(d) if d <= today => Some(d),
                _ => {
                    errors.push(FieldError::new(
                        "certificate_date",
                        "invalid_date",
                        "取证日期应为不晚于今天的日期（YYYY-MM-DD）",
                    ));
                    None
                }
            },
        };
        let area = match AreaCode::parse(&self.area) {
            Ok(a) if matches!(a.level(), AreaLevel::Township | AreaLevel::Community) => Some(a),
            _ => {
                errors.push(FieldError::new(
                    "area",
                    "area_level",
                    "工作地应为乡镇（9 位）或社区（12 位）代码",
                ));
                None
            }
        };
        match (id_number, level, area) {
            (Some(id_number), Some(certificate_level), Some(area)) if errors.is_empty() => {
                Ok(SocialWorker {
                    name: name.to_string(),
                    id_number,
                    certificate_level,
                    certificate_number: number,
                    certificate_date,
                    employer_org_id: Some(self.employer_org_id.trim().to_string())
                        .filter(|s| !s.is_empty()),
                    area,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Professional allowance (HS 二(三)): certified social workers who hold a current professional
/// post. An aide, or a certified worker without a post, is not eligible.
pub fn allowance_eligible(level: CertificateLevel, holds_current_post: bool) -> bool {
    level.is_certified() && holds_current_post
}

/// A professional post held by a social worker, as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub social_worker_id: String,
    pub title: String,
    pub started_on: String,
    pub ended_on: String,
}

/// Whether a post is held on `day`.
pub fn post_current(started_on: NaiveDate, ended_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    started_on <= day && ended_on.is_none_or(|e| e >= day)
}

/// A dated period (a post held, an employment) from `started_on` to `ended_on`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub started_on: NaiveDate,
    /// The last day, once ended.
    pub ended_on: Option<NaiveDate>,
}

impl Period {
    /// Whether the period covers `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        post_current(self.started_on, self.ended_on, day)
    }
}

/// A post as the staffing standard and the allowance count it: its own period, cut short by the
/// end of its holder's employment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldPost {
    /// The post's own period.
    pub post: Period,
    /// The last day of its holder's employment, once ended.
    pub employment_ended_on: Option<NaiveDate>,
}

impl HeldPost {
    /// From stored text (`YYYY-MM-DD`); `None` when the start is not a date.
    pub fn parse(
        started_on: &str,
        ended_on: Option<&str>,
        employment_ended_on: Option<&str>,
    ) -> Option<Self> {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Some(HeldPost {
            post: Period {
                started_on: d(started_on)?,
                ended_on: ended_on.and_then(d),
            },
            employment_ended_on: employment_ended_on.and_then(d),
        })
    }

    /// Whether the post is held on `day`: the post runs and its holder is still employed.
    pub fn held_on(&self, day: NaiveDate) -> bool {
        self.post.active_on(day) && self.employment_ended_on.is_none_or(|e| e >= day)
    }
}

/// A platform's staffing on a day against the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Staffing {
    /// The day counted.
    pub on: NaiveDate,
    /// Posts held that day.
    pub held: i64,
    /// Posts the standard requires at a platform of this kind, if any.
    pub required: Option<i64>,
    /// Whether the platform meets the standard that day (`None` when no standard applies).
    pub meets: Option<bool>,
}

impl StaffingStandard {
    /// The staffing of a platform of `kind` on `day`, counting only the posts held that day.
    pub fn staffing_on(&self, kind: PlatformKind, posts: &[HeldPost], day: NaiveDate) -> Staffing {
        let held = posts.iter().filter(|p| p.held_on(day)).count() as i64;
        let required = self.required(kind);
        Staffing {
            on: day,
            held,
            required,
            meets: required.map(|r| held >= r),
        }
    }
}

/// The professional allowance on `day`: a certified worker holding a post that day.
pub fn allowance_eligible_on(level: CertificateLevel, posts: &[HeldPost], day: NaiveDate) -> bool {
    allowance_eligible(level, posts.iter().any(|p| p.held_on(day)))
}

/// A post's title and period, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostTerms {
    /// The post's title, trimmed.
    pub title: String,
    /// The first day held.
    pub started_on: NaiveDate,
    /// The last day held, once ended.
    pub ended_on: Option<NaiveDate>,
}

impl PostForm {
    /// Checks the post's title and period (the holder is checked by the caller, who knows the
    /// ledger); the same rule on creating and on correcting a post.
    pub fn terms(&self) -> Result<PostTerms, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 50 {
            errors.push(FieldError::new(
                "title",
                "required",
                "请填写岗位名称（不超过 50 字）",
            ));
        }
        let started = crate::text::parse_date(&self.started_on);
        if started.is_none() {
            errors.push(FieldError::new(
                "started_on",
                "invalid_date",
                "请填写到岗日期（YYYY-MM-DD）",
            ));
        }
        let ended = match self.ended_on.trim() {
            "" => None,
            v => match started {
                Some(s) => match end_date(v, s, "ended_on", "离岗日期", "到岗日期") {
                    Ok(e) => Some(e),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                },
                None => None,
            },
        };
        match started {
            Some(started_on) if errors.is_empty() => Ok(PostTerms {
                title: title.to_string(),
                started_on,
                ended_on: ended,
            }),
            _ => Err(errors),
        }
    }
}

/// An end date as typed: a date not before `start` (a post's start, an incubation's, an
/// employment's latest post). `label` names the end, `start_label` the start, in Chinese.
pub fn end_date(
    value: &str,
    start: NaiveDate,
    field: &str,
    label: &str,
    start_label: &str,
) -> Result<NaiveDate, FieldError> {
    match crate::text::parse_date(value) {
        None => Err(FieldError::new(
            field,
            "invalid_date",
            format!("请填写{label}（YYYY-MM-DD）"),
        )),
        Some(e) if e < start => Err(FieldError::new(
            field,
            "before_start",
            format!("{label}不能早于{start_label}（{start}）"),
        )),
        Some(e) => Ok(e),
    }
}

/// Platforms and the social-work ledger are kept by the civil-affairs bureaus and the township
/// (street office) for their own territory.
pub fn can_manage(actor: &crate::Actor, area: &AreaCode) -> Result<crate::Role, crate::Denied> {
    use crate::Role::*;
    actor
        .assignments
        .iter()
        .find(|a| {
            matches!(a.role, CityBureau | CountyBureau | TownshipOfficer) && a.area.contains(area)
        })
        .map(|a| a.role)
        .ok_or_else(|| crate::Denied {
            code: "not_social_work_manager",
            message: "无权操作：社工平台、岗位和社工台账由民政局或乡镇（街道）维护".into(),
        })
}

/// May `actor` import social workers at all? Asked before the file is read; each row is then
/// checked with [`can_manage`] at its area.
pub fn may_import(actor: &crate::Actor) -> Result<(), crate::Denied> {
    use crate::Role::*;
    if actor
        .assignments
        .iter()
        .any(|a| matches!(a.role, CityBureau | CountyBureau | TownshipOfficer))
    {
        Ok(())
    } else {
        Err(crate::Denied {
            code: "not_social_work_manager",
            message: "无权导入：社工台账由民政局或乡镇（街道）维护".into(),
        })
    }
}

/// Trainings are one rule for social workers and the other talents alike.
pub use crate::talent::{Training, TrainingForm};

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn a_centre_sits_at_a_township_and_a_station_at_a_community() {
        let f = PlatformForm {
            kind: "centre".into(),
            name: "昱中街道社工站".into(),
            area: "341002002001".into(),
        };
        assert!(format!("{:?}", f.validate().unwrap_err()).contains("乡镇街道级"));
        let f = PlatformForm {
            area: "341002002".into(),
            ..f
        };
        assert!(f.validate().is_ok());
        let f = PlatformForm {
            kind: "incubator".into(),
            name: "屯溪区孵化园".into(),
            area: "341002".into(),
        };
        assert!(f.validate().is_ok());
    }

    #[test]
    fn the_huangshan_standard_needs_two_posts_at_a_centre_and_one_at_a_station() {
        let s = StaffingStandard::HUANGSHAN_2020;
        assert_eq!(s.required(PlatformKind::Centre), Some(2));
        assert_eq!(s.required(PlatformKind::Station), Some(1));
        assert_eq!(s.required(PlatformKind::Incubator), None);
    }

    #[test]
    fn a_certified_worker_needs_a_number_and_an_aide_does_not() {
        let f = SocialWorkerForm {
            name: "周婷".into(),
            id_number: "11010519491231002X".into(),
            certificate_level: "intermediate".into(),
            area: "341002002".into(),
            ..Default::default()
        };
        assert!(format!("{:?}", f.validate(today()).unwrap_err()).contains("证书编号"));
        let aide = SocialWorkerForm {
            certificate_level: "aide".into(),
            ..f.clone()
        };
        assert!(aide.validate(today()).is_ok());
        let bad = SocialWorkerForm {
            id_number: "110101202311012171".into(),
            ..aide
        };
        let e = format!("{:?}", bad.validate(today()).unwrap_err());
        assert!(
            e.contains("校验位") && !e.contains("110101202311012171"),
            "{e}"
        );
    }

    #[test]
    fn only_certified_post_holders_get_the_allowance() {
        assert!(allowance_eligible(CertificateLevel::Assistant, true));
        assert!(!allowance_eligible(CertificateLevel::Assistant, false));
        assert!(!allowance_eligible(CertificateLevel::Aide, true));
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(post_current(d("2025-01-01"), None, today()));
        assert!(!post_current(
            d("2025-01-01"),
            Some(d("2026-01-01")),
            today()
        ));
        assert!(!post_current(d("2027-01-01"), None, today()));
    }

    #[test]
    fn staffing_and_allowance_count_only_what_is_held_on_the_day_asked() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let s = StaffingStandard::HUANGSHAN_2020;
        let open = HeldPost::parse("2025-01-01", None, None).unwrap();
        let ended = HeldPost::parse("2025-01-01", Some("2026-03-31"), None).unwrap();
        let left = HeldPost::parse("2025-01-01", None, Some("2026-06-30")).unwrap();
        let posts = [open, ended, left];
        let before = s.staffing_on(PlatformKind::Centre, &posts, d("2026-03-31"));
        assert_eq!((before.held, before.meets), (3, Some(true)));
        let after_post = s.staffing_on(PlatformKind::Centre, &posts, d("2026-04-01"));
        assert_eq!((after_post.held, after_post.meets), (2, Some(true)));
        let after_job = s.staffing_on(PlatformKind::Centre, &posts, d("2026-07-01"));
        assert_eq!((after_job.held, after_job.meets), (1, Some(false)));
        let early = s.staffing_on(PlatformKind::Centre, &posts, d("2024-12-31"));
        assert_eq!(early.held, 0);
        assert_eq!(
            s.staffing_on(PlatformKind::Academy, &posts, d("2026-01-01"))
                .meets,
            None
        );
        let level = CertificateLevel::Assistant;
        assert!(allowance_eligible_on(level, &[left], d("2026-06-30")));
        assert!(!allowance_eligible_on(level, &[left], d("2026-07-01")));
        assert!(!allowance_eligible_on(
            CertificateLevel::Aide,
            &[open],
            d("2026-07-01")
        ));
    }

    #[test]
    fn an_end_before_the_start_is_refused_on_its_field() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let e = end_date("2026-02-28", start, "ended_on", "离岗日期", "到岗日期").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("ended_on", "before_start"));
        assert!(end_date("2026-03-01", start, "ended_on", "离岗日期", "到岗日期").is_ok());
        assert_eq!(
            end_date("下月", start, "ended_on", "离岗日期", "到岗日期")
                .unwrap_err()
                .code,
            "invalid_date"
        );
        let f = PostForm {
            title: "社工".into(),
            started_on: "2026-03-01".into(),
            ended_on: "2026-01-01".into(),
            ..Default::default()
        };
        assert_eq!(f.terms().unwrap_err()[0].field, "ended_on");
    }
}
