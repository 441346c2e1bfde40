//! Termination, rectification and the money that returns (issue 16, finding 3). The purchaser
//! ends a project with reasons — before signing (the purchase decision withdrawn), during
//! delivery (the contract terminated), or when a rectification period passed unused — and the
//! organization may answer once. "Not accepted" opens a rectification period the purchaser sets;
//! the organization records its rectification within it; the review group re-reviews once:
//! accepted, the project closes as usual; not accepted again, it is terminated. Whenever
//! committed money will not be paid, what is unpaid returns to the fund it came from
//! (`returned`).

use crate::chain::money::Money;
use crate::chain::stage::{Event, Stage};
use crate::{labelled, DomainError, FieldError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The longest rectification period a purchaser may set, in days (a quarter: long enough to
/// redo a season's activities, short enough that the money does not stay out for the year).
pub const MAX_RECTIFICATION_DAYS: i64 = 90;

labelled! {
    /// Why a project ended before being paid in full.
    pub enum Cause {
        Withdrawn = ("withdrawn", "撤销购买决定（未签约）"),
        Terminated = ("terminated", "终止购买协议"),
        RectificationLapsed = ("rectification_lapsed", "整改期满未整改"),
        NotAcceptedTwice = ("not_accepted_twice", "整改后复评仍不通过"),
    }
}

/// The purchaser's termination as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct TerminationForm {
    /// Why the project ends (at least 10 characters; it is audited and shown to the organization).
    pub reasons: String,
}

impl TerminationForm {
    pub fn validate(&self) -> Result<String, DomainError> {
        let r = self.reasons.trim();
        if r.chars().count() < 10 {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "reasons",
                "required",
                "请写明终止的理由（至少 10 字），承接组织将看到并可作出回应",
            )]));
        }
        Ok(r.to_string())
    }
}

/// The organization's answer to a termination, or its rectification, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct StatementForm {
    pub text: String,
}

impl StatementForm {
    /// At least `min` characters; `what` names it in the message.
    pub fn validate(&self, min: usize, what: &str) -> Result<String, DomainError> {
        let t = self.text.trim();
        if t.chars().count() < min {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "text",
                "required",
                format!("请写明{what}（至少 {min} 字）"),
            )]));
        }
        Ok(t.to_string())
    }
}

/// The rectification period as typed by the purchaser.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RectificationForm {
    /// What must be put right (from the review report's findings).
    pub requirements: String,
    /// The last day of the period, YYYY-MM-DD.
    pub due_on: String,
}

/// A checked rectification period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Rectification {
    pub requirements: String,
    pub due_on: NaiveDate,
}

impl RectificationForm {
    /// The period ends between today and [`MAX_RECTIFICATION_DAYS`] from today.
    pub fn validate(&self, today: NaiveDate) -> Result<Rectification, DomainError> {
        let mut errors = Vec::new();
        if self.requirements.trim().chars().count() < 10 {
            errors.push(FieldError::new(
                "requirements",
                "required",
                "请写明整改要求（至少 10 字）",
            ));
        }
        let due = crate::text::parse_date(&self.due_on);
        match due {
            None => errors.push(FieldError::new(
                "due_on",
                "invalid_date",
                "请填写整改期限（YYYY-MM-DD）",
            )),
            Some(d) if d < today || (d - today).num_days() > MAX_RECTIFICATION_DAYS => {
                errors.push(FieldError::new(
                    "due_on",
                    "due_out_of_range",
                    format!("整改期限应在今天至 {MAX_RECTIFICATION_DAYS} 天之内"),
                ))
            }
            Some(_) => {}
        }
        match due {
            Some(due_on) if errors.is_empty() => Ok(Rectification {
                requirements: self.requirements.trim().to_string(),
                due_on,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// The re-review as typed by the review group's chair: accepted or not, and the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ReReviewForm {
    /// `accepted` or `not_accepted` (a re-review does not pass with conditions: the
    /// rectification was the condition).
    pub verdict: String,
    pub report: String,
}

impl ReReviewForm {
    /// Whether the re-review accepts, and its report.
    pub fn validate(&self) -> Result<(bool, String), DomainError> {
        let mut errors = Vec::new();
        let accepted = match self.verdict.trim() {
            "accepted" => Some(true),
            "not_accepted" => Some(false),
            _ => {
                errors.push(FieldError::new(
                    "verdict",
                    "invalid_verdict",
                    "请选择复评结论：通过或不通过",
                ));
                None
            }
        };
        if self.report.trim().chars().count() < 20 {
            errors.push(FieldError::new(
                "report",
                "required",
                "请写明复评报告：整改要求逐项落实情况（至少 20 字）",
            ));
        }
        match accepted {
            Some(a) if errors.is_empty() => Ok((a, self.report.trim().to_string())),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Whether the purchaser may end the project at `stage` today: a project in rectification
/// only once its period (`due_on`) has passed without the organization's rectification (the
/// period is the organization's; ending it early would take it away). The cause it is ended for.
pub fn may_terminate(
    stage: Stage,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Cause, DomainError> {
    stage.next(Event::Terminate)?;
    match stage {
        Stage::Purchased => Ok(Cause::Withdrawn),
        Stage::Rectifying => match due_on {
            Some(d) if today > d => Ok(Cause::RectificationLapsed),
            Some(d) => Err(DomainError::conflict(
                "rectification_running",
                format!("整改期限为 {d}，期满未整改的才能终止"),
            )),
            None => Err(DomainError::conflict(
                "rectification_running",
                "整改期尚未确定",
            )),
        },
        _ => Ok(Cause::Terminated),
    }
}

/// The organization records its rectification while the project is rectifying and the period
/// has not passed.
pub fn may_rectify(
    stage: Stage,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), DomainError> {
    stage.next(Event::Rectify)?;
    match due_on {
        Some(d) if today <= d => Ok(()),
        _ => Err(DomainError::conflict(
            "rectification_lapsed",
            "整改期限已过，不能再登记整改情况",
        )),
    }
}

/// The organization answers a termination once.
pub fn may_respond(stage: Stage, terminated: bool, answered: bool) -> Result<(), DomainError> {
    if stage != Stage::Terminated || !terminated {
        return Err(DomainError::conflict(
            "not_terminated",
            "项目未终止，无须回应",
        ));
    }
    if answered {
        return Err(DomainError::conflict(
            "response_recorded",
            "承接组织已作出回应，回应登记后不能修改",
        ));
    }
    Ok(())
}

/// What returns to the fund when a project ends: the amount committed less what was paid.
/// `None` when more was paid than committed (the records are inconsistent: refuse rather than
/// move a wrong amount).
pub fn returned(committed: Money, paid: Money) -> Option<Money> {
    committed.checked_sub(paid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_cause_follows_the_stage_and_a_running_period_is_not_cut_short() {
        let today = d("2027-03-10");
        assert_eq!(
            may_terminate(Stage::Purchased, None, today),
            Ok(Cause::Withdrawn)
        );
        assert_eq!(
            may_terminate(Stage::Contracted, None, today),
            Ok(Cause::Terminated)
        );
        assert_eq!(
            may_terminate(Stage::Delivering, None, today),
            Ok(Cause::Terminated)
        );
        let e = may_terminate(Stage::Rectifying, Some(d("2027-03-10")), today).unwrap_err();
        assert!(format!("{e:?}").contains("rectification_running"));
        assert_eq!(
            may_terminate(Stage::Rectifying, Some(d("2027-03-09")), today),
            Ok(Cause::RectificationLapsed)
        );
        assert!(may_terminate(Stage::UnderReview, None, today).is_err());
        assert!(may_terminate(Stage::Declined, None, today).is_err());
        assert!(may_terminate(Stage::Terminated, None, today).is_err());
    }

    #[test]
    fn rectification_is_recorded_within_its_period_only() {
        let today = d("2027-03-10");
        assert!(may_rectify(Stage::Rectifying, Some(today), today).is_ok());
        assert!(may_rectify(Stage::Rectifying, Some(d("2027-03-09")), today).is_err());
        assert!(may_rectify(Stage::Rectified, Some(today), today).is_err());
        assert!(may_rectify(Stage::NotAccepted, Some(today), today).is_err());
    }

    #[test]
    fn forms_name_their_fields() {
        let today = d("2027-03-10");
        let f = RectificationForm {
            requirements: "短".into(),
            due_on: "2027-09-01".into(),
        };
        let DomainError::Invalid(e) = f.validate(today).unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["requirements", "due_on"]);
        let ok = RectificationForm {
            requirements: "补齐服务台账并补做入户走访".into(),
            due_on: "2027-04-30".into(),
        };
        assert_eq!(ok.validate(today).unwrap().due_on, d("2027-04-30"));
        assert!(TerminationForm::default().validate().is_err());
        let r = ReReviewForm {
            verdict: "accepted_with_conditions".into(),
            report: "短".into(),
        };
        let DomainError::Invalid(e) = r.validate().unwrap_err() else {
            panic!()
        };
        assert_eq!(e.len(), 2);
        let r = ReReviewForm {
            verdict: "not_accepted".into(),
            report: "整改后台账仍不完整，入户走访未补做，复评不通过。".into(),
        };
        assert!(!r.validate().unwrap().0);
    }

    #[test]
    fn the_unpaid_remainder_returns_and_nothing_more() {
        let c = Money::constant(3_000_000);
        assert_eq!(returned(c, Money::ZERO), Some(c));
        assert_eq!(
            returned(c, Money::constant(900_000)),
            Some(Money::constant(2_100_000))
        );
        assert_eq!(returned(c, c), Some(Money::ZERO));
        assert_eq!(returned(Money::ZERO, c), None);
    }

    #[test]
    fn a_termination_is_answered_once() {
        assert!(may_respond(Stage::Terminated, true, false).is_ok());
        assert!(may_respond(Stage::Terminated, true, true).is_err());
        assert!(may_respond(Stage::Delivering, false, false).is_err());
    }
}
