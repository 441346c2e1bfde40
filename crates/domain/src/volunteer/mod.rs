//! Volunteers and their service records (民政部令第67号, 2021): what a record holds, the
//! ten-working-day rule, corrections as new records, certificates.

mod duplicate;
mod unit;

pub use duplicate::{duplicate_of, VolunteerIdentity};
pub use unit::{can_confirm, own_unit, speaks_for, CertificateContent, UnitKind, UnitRef};

use crate::area::{AreaCode, AreaLevel};
use crate::error::{DomainError, FieldError};
use chrono::{Datelike, NaiveDate, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Records entered more than this many working days after the activity need a reason and are
/// flagged (民政部令第67号 第十一条).
pub const LATE_AFTER_WORKING_DAYS: i64 = 10;

/// The consent text a volunteer agrees to at registration; its version is stored with the consent.
pub const CONSENT_TEXT: &str = "本人自愿注册为志愿者，同意平台按照《志愿服务记录与证明出具办法》记录、保存本人的志愿服务信息，并用于出具志愿服务证明。";
/// The version of [`CONSENT_TEXT`], stored with each consent; change it whenever the text changes.
pub const CONSENT_VERSION: &str = "2021-67-v1";

/// Working days strictly after `from` up to and including `to` (Monday–Friday, minus the given
/// public holidays). Make-up working weekends are not modelled: a record is then at most a day or
/// two more lenient, never stricter.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, holidays: &[NaiveDate]) -> i64 {
    if to <= from {
        return 0;
    }
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d) {
            n += 1;
        }
    }
    n
}

/// The statutory public holidays with fixed Gregorian dates (New Year's Day, 1–2 May, 1–3
/// October) in the years `from..=to`. The lunar holidays and the State Council's yearly
/// adjustments are not in this list: a deployment adds them to its configuration.
pub fn fixed_holidays(from: i32, to: i32) -> Vec<NaiveDate> {
    (from..=to)
        .flat_map(|y| {
            [(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)]
                .into_iter()
                .filter_map(move |(m, d)| NaiveDate::from_ymd_opt(y, m, d))
        })
        .collect()
}

/// A volunteer's registration as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VolunteerForm {
    pub name: String,
    #[serde(default)]
    pub gender: String,
    /// The community where the volunteer registers.
    pub area: String,
    #[serde(default)]
    pub skills: String,
    /// "on" when the volunteer agreed to the consent text.
    #[serde(default)]
    pub consent: Option<String>,
    /// The identity number, optional; only its keyed hash is kept, to find duplicates.
    #[serde(default)]
    pub id_number: String,
    /// The birth date, optional (defaults to the identity number's).
    #[serde(default)]
    pub birth_date: String,
}

/// A checked volunteer, registered in a community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Volunteer {
    pub name: String,
    pub gender: String,
    pub area: AreaCode,
    pub skills: String,
}

impl VolunteerForm {
    /// Checks the registration; it needs a community code and the volunteer's consent.
    pub fn validate(&self) -> Result<Volunteer, DomainError> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写志愿者姓名（不超过 50 字）",
            ));
        }
        let gender = match self.gender.trim() {
            "" => "",
            "male" => "male",
            "female" => "female",
            _ => {
                errors.push(FieldError::new(
                    "gender",
                    "invalid_gender",
                    "性别只能为男或女",
                ));
                ""
            }
        };
        let area = match AreaCode::parse(&self.area) {
            Ok(a) if a.level() == AreaLevel::Community => Some(a),
            _ => {
                errors.push(FieldError::new(
                    "area",
                    "area_level",
                    "注册地应为 12 位社区（村）代码",
                ));
                None
            }
        };
        if self.skills.chars().count() > 200 {
            errors.push(FieldError::new(
                "skills",
                "too_long",
                "服务技能不超过 200 字",
            ));
        }
        if !matches!(self.consent.as_deref(), Some("on" | "true" | "1")) {
            errors.push(FieldError::new(
                "consent",
                "consent_required",
                "须经志愿者本人同意后方可注册",
            ));
        }
        match area {
            Some(area) if errors.is_empty() => Ok(Volunteer {
                name: name.to_string(),
                gender: gender.to_string(),
                area,
                skills: self.skills.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A service record as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceRecordForm {
    pub activity_name: String,
    pub activity_date: String,
    pub place: String,
    pub content: String,
    /// Hours actually served, e.g. "2.5".
    pub hours: String,
    pub organizing_unit: String,
    pub person_in_charge: String,
    /// Required when the record is entered late.
    #[serde(default)]
    pub late_reason: String,
    /// The recording unit picked from the registry: `organization:<id>` or
    /// `committee:<area code>`; an officer who leaves it empty records for their own unit.
    #[serde(default)]
    pub unit: String,
}

/// A checked service record; `late` marks one entered after the ten-working-day limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ServiceRecord {
    pub activity_name: String,
    pub activity_date: NaiveDate,
    pub place: String,
    pub content: String,
    pub minutes: i64,
    pub organizing_unit: String,
    pub person_in_charge: String,
    pub late: bool,
    pub late_reason: String,
}

/// Parses hours as typed ("2", "2.5", "1.25") into whole minutes.
pub fn parse_hours(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().take(2).collect();
        if !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let v: i64 = digits.parse().ok()?;
        if digits.len() == 1 {
            v * 6
        } else {
            v * 60 / 100
        }
    };
    Some(w * 60 + f)
}

/// The fields of a service record as typed, borrowed (an import checks hundreds of thousands of
/// rows without copying each cell first).
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordFields<'a> {
    pub activity_name: &'a str,
    pub activity_date: &'a str,
    pub place: &'a str,
    pub content: &'a str,
    pub hours: &'a str,
    pub organizing_unit: &'a str,
    pub person_in_charge: &'a str,
    pub late_reason: &'a str,
}

impl ServiceRecordForm {
    /// The record's fields borrowed, to be checked like an imported row.
    pub fn fields(&self) -> RecordFields<'_> {
        RecordFields {
            activity_name: &self.activity_name,
            activity_date: &self.activity_date,
            place: &self.place,
            content: &self.content,
            hours: &self.hours,
            organizing_unit: &self.organizing_unit,
            person_in_charge: &self.person_in_charge,
            late_reason: &self.late_reason,
        }
    }

    /// Checks a record entered on `today`; a late one needs a reason and is flagged.
    pub fn validate(
        &self,
        today: NaiveDate,
        holidays: &[NaiveDate],
    ) -> Result<ServiceRecord, DomainError> {
        self.fields().validate(today, holidays)
    }
}

use crate::text::parse_date;

impl RecordFields<'_> {
    /// Checks a record entered on `today`; a late one needs a reason and is flagged.
    pub fn validate(
        &self,
        today: NaiveDate,
        holidays: &[NaiveDate],
    ) -> Result<ServiceRecord, DomainError> {
        let mut errors = Vec::new();
        let req = |v: &str,
                   field: &'static str,
                   label: &str,
                   max: usize,
                   errors: &mut Vec<FieldError>| {
            let t = v.trim();
            if t.is_empty() || t.chars().count() > max {
                errors.push(FieldError::new(
                    field,
                    "required",
                    format!("请填写{label}（不超过 {max} 字）"),
                ));
            }
            t.to_string()
        };
        let activity_name = req(
            self.activity_name,
            "activity_name",
            "活动名称",
            100,
            &mut errors,
        );
        let place = req(self.place, "place", "服务地点", 100, &mut errors);
        let content = req(self.content, "content", "服务内容", 500, &mut errors);
        let organizing_unit = req(
            self.organizing_unit,
            "organizing_unit",
            "组织单位",
            100,
            &mut errors,
        );
        let person_in_charge = req(
            self.person_in_charge,
            "person_in_charge",
            "负责人",
            50,
            &mut errors,
        );
        let date = match parse_date(self.activity_date.trim()).ok_or(()) {
            Ok(d) if d <= today => Some(d),
            Ok(_) => {
                errors.push(FieldError::new(
                    "activity_date",
                    "future_date",
                    "活动日期不能晚于今天",
                ));
                None
            }
            Err(_) => {
                errors.push(FieldError::new(
                    "activity_date",
                    "invalid_date",
                    "请填写活动日期（YYYY-MM-DD）",
                ));
                None
            }
        };
        let minutes = match parse_hours(self.hours) {
            Some(m) if m > 0 && m <= 24 * 60 => Some(m),
            _ => {
                errors.push(FieldError::new(
                    "hours",
                    "invalid_hours",
                    "服务时长应为大于 0、不超过 24 的小时数（如 2.5）",
                ));
                None
            }
        };
        let mut late = false;
        if let Some(d) = date {
            let wd = working_days_between(d, today, holidays);
            if wd > LATE_AFTER_WORKING_DAYS {
                late = true;
                if self.late_reason.trim().is_empty() {
                    errors.push(FieldError::new(
                        "late_reason",
                        "late_reason_required",
                        format!("活动结束已 {wd} 个工作日（超过 {LATE_AFTER_WORKING_DAYS} 个工作日），补录须说明原因"),
                    ));
                }
            }
        }
        match (date, minutes) {
            (Some(activity_date), Some(minutes)) if errors.is_empty() => Ok(ServiceRecord {
                activity_name,
                activity_date,
                place,
                content,
                minutes,
                organizing_unit,
                person_in_charge,
                late,
                late_reason: self.late_reason.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// State of a service record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Counts towards the total.
    Valid,
    /// A correction the volunteer asked for, waiting for the unit.
    Pending,
    /// Replaced by an accepted correction; kept, no longer counted.
    Superseded,
    /// A correction the unit rejected.
    Rejected,
}

impl RecordStatus {
    /// The stable snake_case code of the status, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Valid => "valid",
            RecordStatus::Pending => "pending",
            RecordStatus::Superseded => "superseded",
            RecordStatus::Rejected => "rejected",
        }
    }
    /// The status with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [
            RecordStatus::Valid,
            RecordStatus::Pending,
            RecordStatus::Superseded,
            RecordStatus::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    /// The Chinese name of the status shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            RecordStatus::Valid => "有效",
            RecordStatus::Pending => "更正待确认",
            RecordStatus::Superseded => "已被更正",
            RecordStatus::Rejected => "更正未通过",
        }
    }
}

/// Masks a name for public pages: the surname and a star per other character.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Formats minutes as hours with up to two decimals ("2.5").
pub fn hours_text(minutes: i64) -> String {
    let h = minutes / 60;
    let m = minutes % 60;
    if m == 0 {
        h.to_string()
    } else {
        let frac = format!("{:02}", m * 100 / 60);
        format!("{h}.{}", frac.trim_end_matches('0'))
    }
}

/// Who acts on a volunteer's ledger: the volunteer themself, or the unit around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolunteerActor {
    /// The volunteer, signed in as the account linked to the profile.
    Themself,
    /// An officer of the community or township (or an organization's manager there) acting as
    /// the recording unit, under this role.
    Unit(crate::Role),
}

/// The unit roles: community and township officers and organization managers whose area contains
/// the volunteer's community.
fn unit_role(actor: &crate::Actor, area: &AreaCode) -> Option<crate::Role> {
    use crate::Role::*;
    actor
        .assignments
        .iter()
        .find(|a| {
            matches!(
                a.role,
                CommunityOfficer | TownshipOfficer | OrganizationManager
            ) && a.area.contains(area)
        })
        .map(|a| a.role)
}

fn denied(message: &str) -> crate::Denied {
    crate::Denied {
        code: "not_recording_unit",
        message: message.to_string(),
    }
}

/// Registering a volunteer: an officer of the unit, or a person with the volunteer role
/// registering themself in their own community.
pub fn can_register(
    actor: &crate::Actor,
    area: &AreaCode,
) -> Result<VolunteerActor, crate::Denied> {
    if let Some(r) = unit_role(actor, area) {
        return Ok(VolunteerActor::Unit(r));
    }
    if actor
        .assignments
        .iter()
        .any(|a| a.role == crate::Role::Volunteer && a.area.contains(area))
    {
        return Ok(VolunteerActor::Themself);
    }
    Err(denied(
        "无权注册：志愿者由本人或所在社区、街道、社会组织登记",
    ))
}

/// May `actor` import a volunteer roster at all (an officer of a recording unit somewhere)? Asked
/// before the file is read; each row is then checked with [`can_register`].
pub fn may_import_roster(actor: &crate::Actor) -> Result<(), crate::Denied> {
    use crate::Role::*;
    if actor.assignments.iter().any(|a| {
        matches!(
            a.role,
            CommunityOfficer | TownshipOfficer | OrganizationManager
        )
    }) {
        Ok(())
    } else {
        Err(denied("无权导入：志愿者名册由社区、街道或社会组织导入"))
    }
}

/// May `actor` import service records at all (a unit's officer, or a volunteer for their own)?
pub fn may_import_records(actor: &crate::Actor) -> Result<(), crate::Denied> {
    use crate::Role::*;
    if actor.assignments.iter().any(|a| {
        matches!(
            a.role,
            CommunityOfficer | TownshipOfficer | OrganizationManager | Volunteer
        )
    }) {
        Ok(())
    } else {
        Err(denied("无权导入：服务记录由志愿者本人或组织单位录入"))
    }
}

/// Entering a service record or issuing a certificate: the volunteer themself or the unit.
pub fn can_record(
    actor: &crate::Actor,
    area: &AreaCode,
    volunteer_user: Option<&str>,
) -> Result<VolunteerActor, crate::Denied> {
    if volunteer_user == Some(actor.user_id.as_str()) {
        return Ok(VolunteerActor::Themself);
    }
    unit_role(actor, area)
        .map(VolunteerActor::Unit)
        .ok_or_else(|| denied("无权记录：服务记录由志愿者本人或组织单位录入"))
}

/// Linking a volunteer to an account: an officer of the unit around the volunteer; gives the role
/// and the area of that assignment, inside which the accounts offered are searched.
pub fn can_link_account(
    actor: &crate::Actor,
    area: &AreaCode,
) -> Result<(crate::Role, AreaCode), crate::Denied> {
    use crate::Role::*;
    actor
        .assignments
        .iter()
        .find(|a| {
            matches!(
                a.role,
                CommunityOfficer | TownshipOfficer | OrganizationManager
            ) && a.area.contains(area)
        })
        .map(|a| (a.role, a.area.clone()))
        .ok_or_else(|| denied("无权关联账号：由志愿者所在社区、乡镇（街道）或组织单位关联"))
}

/// Deciding a correction the volunteer asked for: only the unit, never the volunteer themself.
pub fn can_decide_correction(
    actor: &crate::Actor,
    area: &AreaCode,
) -> Result<crate::Role, crate::Denied> {
    unit_role(actor, area).ok_or_else(|| denied("无权审核：更正申请由组织单位确认或驳回"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::holding_as as actor;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn record(date: &str) -> ServiceRecordForm {
        ServiceRecordForm {
            activity_name: "敬老院陪伴".into(),
            activity_date: date.into(),
            place: "屯溪区敬老院".into(),
            content: "陪老人聊天、读报".into(),
            hours: "2.5".into(),
            organizing_unit: "柏树街社区居委会".into(),
            person_in_charge: "刘敏".into(),
            late_reason: String::new(),
            unit: String::new(),
        }
    }

    #[test]
    fn dates_read_in_the_template_format_and_only_real_ones() {
        assert_eq!(parse_date("2026-11-05"), Some(d(2026, 11, 5)));
        assert_eq!(parse_date("2024-02-29"), Some(d(2024, 2, 29)));
        assert_eq!(parse_date("2026-2-5"), Some(d(2026, 2, 5)));
        // As Chinese Excel and input methods write them (issue 15).
        assert_eq!(parse_date("2026/11/05"), Some(d(2026, 11, 5)));
        assert_eq!(parse_date("２０２６年１１月５日"), Some(d(2026, 11, 5)));
        for bad in ["2026-02-29", "2026-13-01", "2026-11-0x", "", "11-05-2026"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 2026-11-20 to Monday 2026-11-23: one working day.
        assert_eq!(
            working_days_between(d(2026, 11, 20), d(2026, 11, 23), &[]),
            1
        );
        assert_eq!(
            working_days_between(d(2026, 11, 2), d(2026, 11, 16), &[]),
            10
        );
        // 1–3 October 2026 are Thursday to Saturday: of 1–8 October only 5, 6, 7 and 8 remain.
        assert_eq!(
            working_days_between(d(2026, 9, 30), d(2026, 10, 8), &fixed_holidays(2026, 2026)),
            4
        );
        assert_eq!(
            working_days_between(d(2026, 11, 20), d(2026, 11, 20), &[]),
            0
        );
    }

    #[test]
    fn a_record_on_the_tenth_working_day_is_on_time_and_the_eleventh_needs_a_reason() {
        let today = d(2026, 11, 16);
        let r = record("2026-11-02").validate(today, &[]).unwrap();
        assert!(!r.late);
        assert_eq!(r.minutes, 150);
        let e = record("2026-10-30").validate(today, &[]).unwrap_err();
        assert!(format!("{e:?}").contains("补录须说明原因"));
        let mut f = record("2026-10-30");
        f.late_reason = "活动当天系统维护，无法录入".into();
        let r = f.validate(today, &[]).unwrap();
        assert!(r.late);
    }

    #[test]
    fn hours_are_parsed_into_minutes() {
        assert_eq!(parse_hours("2"), Some(120));
        assert_eq!(parse_hours("2.5"), Some(150));
        assert_eq!(parse_hours("0.25"), Some(15));
        assert_eq!(parse_hours(".5"), Some(30));
        assert_eq!(parse_hours("abc"), None);
        assert_eq!(parse_hours("1.x"), None);
        assert_eq!(hours_text(150), "2.5");
        assert_eq!(hours_text(135), "2.25");
        assert_eq!(hours_text(120), "2");
    }

    #[test]
    fn a_record_needs_every_field_of_order_67() {
        let e = ServiceRecordForm::default()
            .validate(d(2026, 11, 22), &[])
            .unwrap_err();
        let fields: Vec<String> = match e {
            DomainError::Invalid(f) => f.into_iter().map(|x| x.field).collect(),
            _ => panic!(),
        };
        for f in [
            "activity_name",
            "activity_date",
            "place",
            "content",
            "hours",
            "organizing_unit",
            "person_in_charge",
        ] {
            assert!(fields.contains(&f.to_string()), "{f}");
        }
        let mut f = record("2026-11-23");
        f.hours = "25".into();
        let e = format!("{:?}", f.validate(d(2026, 11, 22), &[]).unwrap_err());
        assert!(e.contains("晚于今天") && e.contains("不超过 24"));
    }

    #[test]
    fn registration_needs_consent_and_a_community() {
        let f = VolunteerForm {
            name: "吴昊".into(),
            area: "341002".into(),
            ..Default::default()
        };
        let e = format!("{:?}", f.validate().unwrap_err());
        assert!(e.contains("本人同意") && e.contains("12 位社区"));
        let f = VolunteerForm {
            name: "吴昊".into(),
            area: "341002002001".into(),
            consent: Some("on".into()),
            ..Default::default()
        };
        assert!(f.validate().is_ok());
    }

    #[test]
    fn rosters_are_imported_by_units_and_records_by_units_or_volunteers() {
        use crate::Role::*;
        for (role, roster, records) in [
            (CommunityOfficer, true, true),
            (TownshipOfficer, true, true),
            (OrganizationManager, true, true),
            (Volunteer, false, true),
            (Resident, false, false),
            (Representative, false, false),
            (CountyBureau, false, false),
        ] {
            let a = actor("u", &[(role, "341002002001")]);
            assert_eq!(may_import_roster(&a).is_ok(), roster, "{role:?} roster");
            assert_eq!(may_import_records(&a).is_ok(), records, "{role:?} records");
        }
    }

    #[test]
    fn the_volunteer_records_their_own_hours_and_the_unit_decides_corrections() {
        use crate::Role::*;
        let area = AreaCode::parse("341002002001").unwrap();
        let me = actor("v1", &[(Volunteer, "341002002001")]);
        let officer = actor("o1", &[(CommunityOfficer, "341002002001")]);
        let neighbour = actor("o2", &[(CommunityOfficer, "341002002002")]);
        assert_eq!(can_register(&me, &area), Ok(VolunteerActor::Themself));
        assert_eq!(
            can_record(&me, &area, Some("v1")),
            Ok(VolunteerActor::Themself)
        );
        assert!(can_record(&me, &area, Some("someone-else")).is_err());
        assert_eq!(
            can_record(&officer, &area, Some("v1")),
            Ok(VolunteerActor::Unit(CommunityOfficer))
        );
        assert!(can_record(&neighbour, &area, Some("v1")).is_err());
        assert!(can_decide_correction(&me, &area).is_err());
        assert_eq!(can_decide_correction(&officer, &area), Ok(CommunityOfficer));
    }

    #[test]
    fn public_pages_show_only_the_surname() {
        assert_eq!(mask_name("吴昊"), "吴*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
    }
}
