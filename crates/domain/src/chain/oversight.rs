//! What is kept about a project while it is delivered besides its activities (YQ step 6, YQ
//! 二(三); MECHANISM §4 step 6): coordination meetings (社区事务协调会) with their minutes,
//! supervision sessions (督导) before, during and after, major-activity reports (重大活动报告)
//! and progress against the application's goals. Each is a note of one kind, kept as written.

use crate::chain::catalogue::can_apply;
use crate::chain::committee::may_convene_coordination;
use crate::chain::stage::Stage;
use crate::{labelled, Actor, AreaCode, DomainError, FieldError, Refusal, Role};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

labelled! {
    /// What a delivery note records: coordination, supervision, a major activity or progress.
    pub enum NoteKind {
        Coordination = ("coordination", "社区事务协调会"),
        Supervision = ("supervision", "督导"),
        MajorActivity = ("major_activity", "重大活动报告"),
        Progress = ("progress", "目标进展"),
    }
}

labelled! {
    /// When a supervision session happens relative to the service.
    pub enum SupervisionPhase {
        Before = ("before", "服务前"),
        During = ("during", "服务中"),
        After = ("after", "服务后"),
    }
}

/// A delivery note as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub kind: String,
    pub held_on: String,
    /// Coordination: the parties present (committee chair, mediator, police officer, …);
    /// supervision: the supervisor; major activity: the activity's name; progress: empty.
    pub who: String,
    /// Supervision only: before, during or after.
    pub phase: String,
    /// Minutes, advice, the activity's plan (participants, safety), or for progress one line
    /// per goal: `目标|当前进展`.
    pub body: String,
}

/// A checked delivery note, kept as written; only supervision has a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    pub kind: NoteKind,
    pub held_on: NaiveDate,
    pub who: String,
    pub phase: Option<SupervisionPhase>,
    pub body: String,
}

impl NoteForm {
    /// Checks the note; `goals` are the application's goals (progress names one of them per
    /// line).
    pub fn validate(&self, goals: &[String], today: NaiveDate) -> Result<Note, DomainError> {
        let mut errors = Vec::new();
        let kind = NoteKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new("kind", "invalid_kind", "请选择记录类型"));
        }
        let held_on = crate::text::parse_date(self.held_on.trim());
        match (held_on, kind) {
            (None, _) => errors.push(FieldError::new(
                "held_on",
                "invalid_date",
                "日期应写作 YYYY-MM-DD",
            )),
            // A major activity is reported before it happens; everything else afterwards.
            (Some(d), Some(k)) if k != NoteKind::MajorActivity && d > today => errors.push(
                FieldError::new("held_on", "future_date", "不能记录尚未发生的事项"),
            ),
            _ => {}
        }
        let phase = SupervisionPhase::parse(self.phase.trim());
        if kind == Some(NoteKind::Supervision) && phase.is_none() {
            errors.push(FieldError::new(
                "phase",
                "required",
                "请选择督导阶段（服务前、中、后）",
            ));
        }
        if kind != Some(NoteKind::Progress) && self.who.trim().is_empty() {
            let label = match kind {
                Some(NoteKind::Coordination) => "出席各方（如社区书记、调解员、社区民警）",
                Some(NoteKind::Supervision) => "督导人",
                Some(NoteKind::MajorActivity) => "活动名称",
                _ => "相关人员",
            };
            errors.push(FieldError::new("who", "required", format!("请填写{label}")));
        }
        if self.body.trim().chars().count() < 10 {
            errors.push(FieldError::new(
                "body",
                "required",
                "请写明内容（至少 10 字）",
            ));
        }
        if kind == Some(NoteKind::Progress) {
            for (n, line) in self
                .body
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let named = line
                    .split(['|', '｜'])
                    .next()
                    .map(str::trim)
                    .is_some_and(|g| goals.iter().any(|x| x == g));
                if !named || !line.contains(['|', '｜']) {
                    errors.push(FieldError::new(
                        "body",
                        "unknown_goal",
                        format!("第 {} 行：应写作“申请书中的目标|当前进展”", n + 1),
                    ));
                }
            }
        }
        match (kind, held_on) {
            (Some(kind), Some(held_on)) if errors.is_empty() => Ok(Note {
                kind,
                held_on,
                who: self.who.trim().to_string(),
                phase: if kind == NoteKind::Supervision {
                    phase
                } else {
                    None
                },
                body: self.body.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Who records which note, and when: the committee convenes coordination meetings; a supervisor
/// of the area (or the organization) records supervision; the organization reports major
/// activities and progress; all from signing until the verdict.
pub fn may_note(
    actor: &Actor,
    stage: Stage,
    community: &AreaCode,
    organization_id: &str,
    kind: NoteKind,
) -> Result<Role, Refusal> {
    if !matches!(
        stage,
        Stage::Contracted | Stage::Delivering | Stage::SelfEvaluated | Stage::UnderReview
    ) {
        return Err(DomainError::conflict(
            "not_in_delivery",
            format!("项目现为“{}”，签约后、评议结论前才能记录", stage.zh()),
        )
        .into());
    }
    let org = can_apply(actor, organization_id);
    let role = match kind {
        NoteKind::Coordination => may_convene_coordination(actor, community),
        NoteKind::Supervision => actor
            .assignments
            .iter()
            .find(|a| a.role == Role::Supervisor && a.area.contains(community))
            .map(|a| a.role)
            .ok_or(())
            .or_else(|_| org.clone()),
        NoteKind::MajorActivity | NoteKind::Progress => org,
    }?;
    Ok(role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_asks_for_what_it_needs() {
        let today = NaiveDate::from_ymd_opt(2027, 3, 10).unwrap();
        let goals = vec!["为高龄老人提供上门服务".to_string()];
        let base = NoteForm {
            kind: "supervision".into(),
            held_on: "2027-03-01".into(),
            who: "督导 许老师".into(),
            phase: "during".into(),
            body: "建议建立个案记录，按月回访服务对象。".into(),
        };
        assert_eq!(
            base.validate(&goals, today).unwrap().phase,
            Some(SupervisionPhase::During)
        );
        let code = |f: NoteForm| match f.validate(&goals, today).unwrap_err() {
            DomainError::Invalid(e) => e.iter().map(|x| x.code).collect::<Vec<_>>(),
            DomainError::Conflict { code, .. } => vec![code],
        };
        assert_eq!(
            code(NoteForm {
                phase: String::new(),
                ..base.clone()
            }),
            ["required"]
        );
        assert_eq!(
            code(NoteForm {
                held_on: "2027-04-01".into(),
                ..base.clone()
            }),
            ["future_date"]
        );
        let report = NoteForm {
            kind: "major_activity".into(),
            held_on: "2027-04-01".into(),
            who: "邻里节".into(),
            phase: String::new(),
            body: "预计 300 人参加，设安全员 6 名，报社区民警备案。".into(),
        };
        assert!(
            report.validate(&goals, today).is_ok(),
            "a major activity is reported ahead"
        );
        let progress = NoteForm {
            kind: "progress".into(),
            who: String::new(),
            body: "为高龄老人提供上门服务|已服务 12 户\n提高满意度|90%".into(),
            ..report
        };
        assert_eq!(
            code(NoteForm {
                held_on: "2027-03-09".into(),
                ..progress
            }),
            ["unknown_goal"]
        );
    }

    /// Who records each kind of note: the committee (never the purchaser) convenes coordination,
    /// a supervisor or the organization records supervision, the organization reports.
    #[test]
    fn each_kind_is_recorded_by_its_holder() {
        use crate::testing::actor;
        let community = AreaCode::parse("341002002001").unwrap();
        let committee = actor(Role::CommunityOfficer, "341002002001", None);
        let township = actor(Role::TownshipOfficer, "341002002", None);
        let supervisor = actor(Role::Supervisor, "341002", None);
        let org = actor(Role::OrganizationManager, "341002002001", Some("org"));
        let may = |a: &Actor, kind| may_note(a, Stage::Delivering, &community, "org", kind);
        assert!(may(&committee, NoteKind::Coordination).is_ok());
        let Err(Refusal::Denied(d)) = may(&township, NoteKind::Coordination) else {
            panic!("the purchaser convened coordination");
        };
        assert_eq!(d.code, "purchaser_conflict");
        assert!(may(&org, NoteKind::Coordination).is_err());
        assert!(may(&supervisor, NoteKind::Supervision).is_ok());
        assert!(may(&org, NoteKind::Supervision).is_ok());
        assert!(may(&committee, NoteKind::Supervision).is_err());
        assert!(may(&org, NoteKind::Progress).is_ok());
        assert!(may(&township, NoteKind::MajorActivity).is_err());
        assert!(may_note(&org, Stage::Closed, &community, "org", NoteKind::Progress).is_err());
    }
}
