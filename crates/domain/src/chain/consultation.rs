//! The consultation meeting (恳谈会, YQ step 3; MECHANISM §4 step 3): the community committee
//! convenes the supervisory council, resident representatives, organizations and residents; the
//! applicants present; comments and requested changes are recorded per application; the minutes
//! are signed by the recorder and the chair and then frozen. After freezing nothing in them
//! changes.

use crate::{labelled, AreaCode, DomainError, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled! {
    /// In what capacity someone attended.
    pub enum AttendeeRole {
        SupervisoryCouncil = ("supervisory_council", "议监会成员"),
        Representative = ("representative", "居民代表"),
        Organization = ("organization", "社会组织"),
        Resident = ("resident", "居民"),
        Committee = ("committee", "社区“两委”"),
        Township = ("township", "街道（乡镇）"),
    }
}

/// Convening a meeting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsultationForm {
    pub community: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    /// Projects (submitted applications of the community) on the agenda, comma-separated.
    pub projects: String,
}

/// A checked consultation meeting of a community, with the projects on its agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consultation {
    pub community: AreaCode,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub projects: Vec<String>,
}

fn ids(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn required(errors: &mut Vec<FieldError>, field: &str, value: &str, label: &str, max: usize) {
    let n = value.trim().chars().count();
    if n == 0 || n > max {
        errors.push(FieldError::new(
            field,
            "required",
            format!("请填写{label}（不超过 {max} 字）"),
        ));
    }
}

impl ConsultationForm {
    /// Checks the meeting: a community code, title, place, date and at least one project.
    pub fn validate(&self) -> Result<Consultation, DomainError> {
        let mut errors = Vec::new();
        let community = AreaCode::parse(self.community.trim()).ok();
        if !matches!(&community, Some(c) if c.level() == crate::AreaLevel::Community) {
            errors.push(FieldError::new(
                "community",
                "invalid_community",
                "请填写 12 位社区代码",
            ));
        }
        required(&mut errors, "title", &self.title, "会议名称", 80);
        required(&mut errors, "place", &self.place, "会议地点", 80);
        let held_on = crate::text::parse_date(self.held_on.trim());
        if held_on.is_none() {
            errors.push(FieldError::new(
                "held_on",
                "invalid_date",
                "会议日期应写作 YYYY-MM-DD",
            ));
        }
        let projects = ids(&self.projects);
        if projects.is_empty() {
            errors.push(FieldError::new(
                "projects",
                "required",
                "请至少选择一份待恳谈的项目申请书",
            ));
        }
        match (community, held_on) {
            (Some(community), Some(held_on)) if errors.is_empty() => Ok(Consultation {
                community,
                title: self.title.trim().to_string(),
                held_on,
                place: self.place.trim().to_string(),
                projects,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Someone who attended.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendeeForm {
    pub role: String,
    pub name: String,
}

impl AttendeeForm {
    /// Checks the attendee, returning their capacity and name or organization.
    pub fn validate(&self) -> Result<(AttendeeRole, String), DomainError> {
        let mut errors = Vec::new();
        let role = AttendeeRole::parse(self.role.trim());
        if role.is_none() {
            errors.push(FieldError::new("role", "invalid_role", "请选择参会身份"));
        }
        required(&mut errors, "name", &self.name, "参会人姓名或单位", 60);
        match role {
            Some(r) if errors.is_empty() => Ok((r, self.name.trim().to_string())),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A comment on one application, with the change it asks for (if any).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    pub project_id: String,
    pub speaker: String,
    pub role: String,
    pub comment: String,
    pub requested_change: String,
}

/// A checked comment on one project of the agenda, with the change it asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub project_id: String,
    pub speaker: String,
    pub role: AttendeeRole,
    pub comment: String,
    pub requested_change: String,
}

impl CommentForm {
    /// Checks the comment; `agenda` is the meeting's projects (a comment is on one of them).
    pub fn validate(&self, agenda: &[String]) -> Result<Comment, DomainError> {
        let mut errors = Vec::new();
        let project_id = self.project_id.trim();
        if !agenda.iter().any(|p| p == project_id) {
            errors.push(FieldError::new(
                "project_id",
                "not_on_agenda",
                "请选择本次会议议程中的项目",
            ));
        }
        let role = AttendeeRole::parse(self.role.trim());
        if role.is_none() {
            errors.push(FieldError::new("role", "invalid_role", "请选择发言人身份"));
        }
        required(&mut errors, "speaker", &self.speaker, "发言人", 60);
        required(&mut errors, "comment", &self.comment, "意见内容", 2000);
        if self.requested_change.trim().chars().count() > 2000 {
            errors.push(FieldError::new(
                "requested_change",
                "too_long",
                "修改要求不超过 2000 字",
            ));
        }
        match role {
            Some(role) if errors.is_empty() => Ok(Comment {
                project_id: project_id.to_string(),
                speaker: self.speaker.trim().to_string(),
                role,
                comment: self.comment.trim().to_string(),
                requested_change: self.requested_change.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Signing and freezing the minutes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FreezeForm {
    /// The recorder's name, as signed.
    pub recorder: String,
    /// The chair's name, as signed.
    pub chair: String,
    /// The minutes' summary.
    pub summary: String,
}

/// Nothing in frozen minutes changes.
pub fn open_for_changes(frozen: bool) -> Result<(), DomainError> {
    if frozen {
        Err(DomainError::conflict(
            "minutes_frozen",
            "会议纪要已签字封存，不能再修改",
        ))
    } else {
        Ok(())
    }
}

/// The minutes are frozen once signed by the recorder and the chair, with the attendance
/// recorded and the supervisory council present (it sits in every consultation, YQ step 3).
pub fn may_freeze(
    frozen: bool,
    attendees: &[AttendeeRole],
    form: &FreezeForm,
) -> Result<(), DomainError> {
    open_for_changes(frozen)?;
    let mut errors = Vec::new();
    required(&mut errors, "recorder", &form.recorder, "记录人签名", 30);
    required(&mut errors, "chair", &form.chair, "主持人签名", 30);
    required(&mut errors, "summary", &form.summary, "会议纪要摘要", 4000);
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if !attendees.contains(&AttendeeRole::SupervisoryCouncil) {
        return Err(DomainError::conflict(
            "no_supervisory_council",
            "尚未登记议监会成员出席，恳谈会须有议监会参加",
        ));
    }
    if !attendees.contains(&AttendeeRole::Representative) {
        return Err(DomainError::conflict(
            "no_representatives",
            "尚未登记居民代表出席",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ConsultationForm {
        ConsultationForm {
            community: "341002002001".into(),
            title: "2027 年度服务项目恳谈会".into(),
            held_on: "2026-12-10".into(),
            place: "柏树街社区议事厅".into(),
            projects: "3410-b, 3410-a 3410-a".into(),
        }
    }

    #[test]
    fn a_meeting_needs_a_community_a_date_and_an_agenda() {
        let c = form().validate().unwrap();
        assert_eq!(c.projects, ["3410-a", "3410-b"]);
        let bad = ConsultationForm {
            community: "341002".into(),
            held_on: "12月10日".into(),
            projects: " ".into(),
            ..form()
        };
        let DomainError::Invalid(e) = bad.validate().unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["community", "held_on", "projects"]);
    }

    #[test]
    fn comments_are_on_the_agenda_and_say_who_spoke() {
        let agenda = vec!["3410-a".to_string()];
        let ok = CommentForm {
            project_id: "3410-a".into(),
            speaker: "王建国".into(),
            role: "supervisory_council".into(),
            comment: "食材补贴偏高".into(),
            requested_change: "压缩到 3 万元".into(),
        };
        assert_eq!(
            ok.validate(&agenda).unwrap().role,
            AttendeeRole::SupervisoryCouncil
        );
        let off = CommentForm {
            project_id: "3410-z".into(),
            role: "nobody".into(),
            comment: String::new(),
            ..ok
        };
        let DomainError::Invalid(e) = off.validate(&agenda).unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["project_id", "role", "comment"]);
    }

    #[test]
    fn minutes_freeze_once_signed_with_the_council_and_representatives_present() {
        let signed = FreezeForm {
            recorder: "李娜".into(),
            chair: "张伟".into(),
            summary: "与会人员同意助餐项目，建议压缩食材补贴。".into(),
        };
        let both = [
            AttendeeRole::SupervisoryCouncil,
            AttendeeRole::Representative,
        ];
        assert!(may_freeze(false, &both, &signed).is_ok());
        let code = |r: Result<(), DomainError>| match r.unwrap_err() {
            DomainError::Conflict { code, .. } => code.to_string(),
            DomainError::Invalid(e) => e[0].code.to_string(),
        };
        assert_eq!(code(may_freeze(true, &both, &signed)), "minutes_frozen");
        assert_eq!(
            code(may_freeze(false, &[AttendeeRole::Representative], &signed)),
            "no_supervisory_council"
        );
        assert_eq!(
            code(may_freeze(
                false,
                &[AttendeeRole::SupervisoryCouncil],
                &signed
            )),
            "no_representatives"
        );
        let unsigned = FreezeForm {
            chair: " ".into(),
            ..signed
        };
        assert_eq!(code(may_freeze(false, &both, &unsigned)), "required");
        assert!(open_for_changes(false).is_ok());
        assert_eq!(code(open_for_changes(true)), "minutes_frozen");
    }
}
