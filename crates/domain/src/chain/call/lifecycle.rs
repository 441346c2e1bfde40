//! A call's lifecycle (issue 13): the only transitions between its stages, and what may be done
//! at each. Every `may_*` returns the refusal the command gives; a page offers a button exactly
//! when the same function says yes, so a button and its command cannot disagree.

use super::CallStage;
use crate::chain::selection::{in_time, rubric_open};
use crate::{Actor, AreaCode, Denied, DomainError, Role};
use chrono::{NaiveDate, NaiveDateTime};

/// What moves a call from one stage to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStep {
    /// The organizer forms the panel after the deadline.
    FormPanel,
    /// The last member's sheet seals the scores.
    SealScores,
    /// The last award is made, or the organizer ends the awards.
    Finish,
}

impl CallStage {
    /// The stage a step leads to from this one; `None` where the step does not apply.
    pub fn after(self, step: CallStep) -> Option<CallStage> {
        match (self, step) {
            (CallStage::Open, CallStep::FormPanel) => Some(CallStage::Reviewing),
            (CallStage::Reviewing, CallStep::SealScores) => Some(CallStage::Sealed),
            (CallStage::Sealed, CallStep::Finish) => Some(CallStage::Awarded),
            _ => None,
        }
    }

    /// The scores are sealed (the ranking may be shown).
    pub fn is_sealed(self) -> bool {
        matches!(self, CallStage::Sealed | CallStage::Awarded)
    }
}

/// The rubric and the panel's size may be revised while applications are open and before the
/// first score.
pub fn may_revise_rubric(stage: CallStage, sheets_in: usize) -> Result<(), DomainError> {
    rubric_open(sheets_in)?;
    if stage != CallStage::Open {
        return Err(DomainError::conflict(
            "rubric_locked",
            "评审小组组成后，评分标准不能再修改",
        ));
    }
    Ok(())
}

/// An application arrives while the call is open, from its first day to its deadline.
pub fn may_apply(
    stage: CallStage,
    opens_on: NaiveDate,
    closes_at: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<(), DomainError> {
    if stage != CallStage::Open {
        return Err(DomainError::conflict(
            "call_closed",
            format!("本次征集现为“{}”，不再接受申请", stage.zh()),
        ));
    }
    if at.date() < opens_on {
        return Err(DomainError::conflict(
            "call_not_open",
            format!("本次征集 {opens_on} 起接受申请"),
        ));
    }
    in_time(at, closes_at)
}

/// The panel is formed once, after the deadline, when there is something to review.
pub fn may_form_panel(
    stage: CallStage,
    closes_at: NaiveDateTime,
    at: NaiveDateTime,
    applications: usize,
) -> Result<(), DomainError> {
    if stage != CallStage::Open {
        return Err(DomainError::conflict("panel_formed", "评审小组已经组成"));
    }
    if at <= closes_at {
        return Err(DomainError::conflict(
            "still_accepting",
            format!(
                "申请截止时间为 {}，截止后才能组成评审小组",
                closes_at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    if applications == 0 {
        return Err(DomainError::conflict(
            "no_applications",
            "没有收到申请，无需评审",
        ));
    }
    Ok(())
}

/// Only a member of the call's panel scores.
pub fn can_score(member: bool) -> Result<(), Denied> {
    if member {
        Ok(())
    } else {
        Err(Denied {
            code: "not_panel_member",
            message: "无权评分：只有评审小组成员可以评分".into(),
        })
    }
}

/// A member submits one sheet, while the panel reviews.
pub fn may_score(stage: CallStage, already_scored: bool) -> Result<(), DomainError> {
    if stage != CallStage::Reviewing {
        return Err(DomainError::conflict(
            "not_reviewing",
            format!("本次征集现为“{}”，不在评审中", stage.zh()),
        ));
    }
    if already_scored {
        return Err(DomainError::conflict(
            "already_scored",
            "您已提交评分，评分提交后封存，不能修改",
        ));
    }
    Ok(())
}

/// Awards are made once the scores are sealed, until the awards end.
pub fn may_award(stage: CallStage) -> Result<(), DomainError> {
    if stage != CallStage::Sealed {
        return Err(DomainError::conflict(
            "not_sealed",
            format!("本次征集现为“{}”，评分封存后才能评定", stage.zh()),
        ));
    }
    Ok(())
}

/// The organizer ends the awards of a sealed call.
pub fn may_close(stage: CallStage) -> Result<(), DomainError> {
    if stage != CallStage::Sealed {
        return Err(DomainError::conflict(
            "not_sealed",
            format!("本次征集现为“{}”，评分封存后才能结束评定", stage.zh()),
        ));
    }
    Ok(())
}

/// Who reads a call besides those with the chain's view of its area: anyone inside the call's
/// area (a call of the city is open to every organization and officer in it); and, because
/// organizations compete for calls anywhere in their city (a township's tender may go to an
/// organization of the next district), the managers of the city's organizations.
pub fn reads_call(actor: &Actor, area: &AreaCode) -> bool {
    actor.assignments.iter().any(|a| {
        area.contains(&a.area)
            || (a.role == Role::OrganizationManager && a.area.tenant() == area.tenant())
    })
}

/// The cities whose every call an organization's manager reads (see [`reads_call`]).
pub fn competing_cities(actor: &Actor) -> Vec<AreaCode> {
    actor
        .assignments
        .iter()
        .filter(|a| a.role == Role::OrganizationManager)
        .filter_map(|a| a.area.tenant().and_then(|t| AreaCode::parse(t).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::actor;
    use chrono::NaiveTime;

    const ALL: [CallStage; 4] = [
        CallStage::Open,
        CallStage::Reviewing,
        CallStage::Sealed,
        CallStage::Awarded,
    ];

    fn at(d: &str, h: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap())
    }

    fn code(r: Result<(), DomainError>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(DomainError::Conflict { code, .. }) => code,
            Err(DomainError::Invalid(_)) => "invalid",
        }
    }

    #[test]
    fn the_only_transitions_run_open_reviewing_sealed_awarded() {
        let steps = [CallStep::FormPanel, CallStep::SealScores, CallStep::Finish];
        let mut moves = Vec::new();
        for s in ALL {
            for step in steps {
                if let Some(to) = s.after(step) {
                    moves.push((s, step, to));
                }
            }
        }
        assert_eq!(
            moves,
            vec![
                (CallStage::Open, CallStep::FormPanel, CallStage::Reviewing),
                (
                    CallStage::Reviewing,
                    CallStep::SealScores,
                    CallStage::Sealed
                ),
                (CallStage::Sealed, CallStep::Finish, CallStage::Awarded),
            ]
        );
        assert!(!CallStage::Reviewing.is_sealed());
        assert!(CallStage::Sealed.is_sealed() && CallStage::Awarded.is_sealed());
    }

    #[test]
    fn applications_come_in_from_the_first_day_to_the_deadline_while_open() {
        let opens = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        let closes = at("2027-04-30", 23);
        let open = |t| code(may_apply(CallStage::Open, opens, closes, t));
        assert_eq!(open(at("2027-02-28", 12)), "call_not_open");
        assert_eq!(open(at("2027-03-01", 0)), "ok");
        assert_eq!(open(at("2027-04-30", 23)), "ok");
        assert_eq!(open(at("2027-05-01", 0)), "deadline_passed");
        for s in [CallStage::Reviewing, CallStage::Sealed, CallStage::Awarded] {
            assert_eq!(
                code(may_apply(s, opens, closes, at("2027-03-10", 9))),
                "call_closed"
            );
        }
    }

    #[test]
    fn the_panel_is_formed_once_after_the_deadline_with_applications() {
        let closes = at("2027-04-30", 23);
        let after = at("2027-05-01", 9);
        assert_eq!(
            code(may_form_panel(CallStage::Open, closes, closes, 2)),
            "still_accepting"
        );
        assert_eq!(
            code(may_form_panel(CallStage::Open, closes, after, 0)),
            "no_applications"
        );
        assert_eq!(
            code(may_form_panel(CallStage::Open, closes, after, 1)),
            "ok"
        );
        for s in [CallStage::Reviewing, CallStage::Sealed, CallStage::Awarded] {
            assert_eq!(code(may_form_panel(s, closes, after, 3)), "panel_formed");
        }
    }

    #[test]
    fn each_stage_allows_only_its_own_commands() {
        for s in ALL {
            let reviewing = s == CallStage::Reviewing;
            let sealed = s == CallStage::Sealed;
            assert_eq!(may_score(s, false).is_ok(), reviewing, "{s:?}");
            assert_eq!(may_award(s).is_ok(), sealed, "{s:?}");
            assert_eq!(may_close(s).is_ok(), sealed, "{s:?}");
            assert_eq!(
                may_revise_rubric(s, 0).is_ok(),
                s == CallStage::Open,
                "{s:?}"
            );
        }
        assert_eq!(
            code(may_score(CallStage::Reviewing, true)),
            "already_scored"
        );
        assert_eq!(code(may_revise_rubric(CallStage::Open, 1)), "rubric_locked");
        assert!(can_score(true).is_ok());
        assert_eq!(can_score(false).unwrap_err().code, "not_panel_member");
    }

    #[test]
    fn a_call_is_read_inside_and_above_its_area_and_by_the_city_organizations() {
        let township_call = AreaCode::parse("341002002").unwrap();
        let community = actor(Role::CommunityOfficer, "341002002001", None);
        let county = actor(Role::CountyBureau, "341002", None);
        let next_county = actor(Role::CountyBureau, "341021", None);
        let manager = actor(Role::OrganizationManager, "341021", Some("o1"));
        let elsewhere = actor(Role::OrganizationManager, "340102", Some("o2"));
        assert!(reads_call(&community, &township_call));
        // Above the call, the county reads it by its view of the chain, not by this rule.
        assert!(!reads_call(&county, &township_call));
        assert!(!reads_call(&next_county, &township_call));
        assert!(reads_call(&manager, &township_call));
        assert!(!reads_call(&elsewhere, &township_call));
        assert_eq!(
            competing_cities(&manager),
            vec![AreaCode::parse("3410").unwrap()]
        );
        assert!(competing_cities(&county).is_empty());
    }
}
