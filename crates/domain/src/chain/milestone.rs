//! The records a payment milestone waits for (issue 16, findings 1 and 2): a tranche "after the
//! mid-term review" is payable once the committee has recorded that review with the supervisor
//! (findings, rating, conditions), and the final tranche after a conditional pass (有条件通过)
//! once the review group has recorded each condition as met. Signing and an unconditional pass
//! need no record beyond the contract and the verdict.

use crate::chain::contract::Milestone;
use crate::chain::stage::Stage;
use crate::{labelled, DomainError, FieldError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

labelled! {
    /// How the mid-term review rates the delivery so far.
    pub enum MidtermRating {
        Good = ("good", "良好"),
        Fair = ("fair", "一般"),
        Poor = ("poor", "较差"),
    }
}

/// The mid-term review as typed (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MidtermForm {
    /// What the committee and the supervisor found.
    pub findings: String,
    /// `good`, `fair` or `poor`.
    pub rating: String,
    /// What must be improved before the end (may be empty).
    pub conditions: String,
    /// The supervisor (督导) who took part, by name.
    pub supervisor: String,
}

/// A checked mid-term review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MidtermReview {
    pub findings: String,
    pub rating: MidtermRating,
    pub conditions: String,
    pub supervisor: String,
}

impl MidtermForm {
    /// Checks the review; every field's reason at once.
    pub fn validate(&self) -> Result<MidtermReview, DomainError> {
        let mut errors = Vec::new();
        if self.findings.trim().chars().count() < 20 {
            errors.push(FieldError::new(
                "findings",
                "required",
                "请写明中期评估的发现（至少 20 字）",
            ));
        }
        let rating = MidtermRating::parse(self.rating.trim());
        if rating.is_none() {
            errors.push(FieldError::new("rating", "required", "请选择评估等级"));
        }
        if self.supervisor.trim().is_empty() {
            errors.push(FieldError::new(
                "supervisor",
                "required",
                "请填写参加评估的督导姓名（中期评估由社区居委会会同督导进行）",
            ));
        }
        match rating {
            Some(rating) if errors.is_empty() => Ok(MidtermReview {
                findings: self.findings.trim().to_string(),
                rating,
                conditions: self.conditions.trim().to_string(),
                supervisor: self.supervisor.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// The mid-term review happens while the project is delivered, once.
pub fn may_record_midterm(stage: Stage, recorded: bool) -> Result<(), DomainError> {
    if recorded {
        return Err(DomainError::conflict(
            "midterm_recorded",
            "该项目的中期评估已经记录",
        ));
    }
    if stage != Stage::Delivering {
        return Err(DomainError::conflict(
            "not_delivering",
            format!("中期评估在项目实施中进行（项目现为“{}”）", stage.zh()),
        ));
    }
    Ok(())
}

/// The conditions of a conditional pass, one per line (or separated by `；`/`;`), as the report
/// wrote them.
pub fn conditions_of(text: &str) -> Vec<String> {
    text.split(['\n', '；', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// "Conditions met" as typed: what shows each condition met, in the order of the conditions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ConditionsMetForm {
    pub evidence: Vec<String>,
}

/// One condition of the verdict and what shows it met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConditionMet {
    pub condition: String,
    pub evidence: String,
}

impl ConditionsMetForm {
    /// Every condition must be named met with what shows it (at least 4 characters each).
    pub fn validate(&self, conditions: &[String]) -> Result<Vec<ConditionMet>, DomainError> {
        let mut errors = Vec::new();
        let mut met = Vec::new();
        for (i, c) in conditions.iter().enumerate() {
            let e = self.evidence.get(i).map(|s| s.trim()).unwrap_or("");
            if e.chars().count() < 4 {
                errors.push(FieldError::new(
                    format!("evidence.{i}"),
                    "required",
                    format!("请写明第 {} 项条件“{c}”如何落实（至少 4 字）", i + 1),
                ));
            } else {
                met.push(ConditionMet {
                    condition: c.clone(),
                    evidence: e.to_string(),
                });
            }
        }
        if errors.is_empty() {
            Ok(met)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// The conditions are recorded as met after a conditional pass, once.
pub fn may_record_conditions_met(stage: Stage, recorded: bool) -> Result<(), DomainError> {
    if recorded {
        return Err(DomainError::conflict(
            "conditions_recorded",
            "整改条件的落实情况已经记录",
        ));
    }
    if stage != Stage::AcceptedWithConditions {
        return Err(DomainError::conflict(
            "not_conditional",
            format!(
                "只有“有条件通过”的项目需要记录条件落实（项目现为“{}”）",
                stage.zh()
            ),
        ));
    }
    Ok(())
}

/// Which milestone records a project has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MilestoneRecords {
    /// The mid-term review was recorded.
    pub midterm_review: bool,
    /// The conditions of a conditional pass were recorded as met.
    pub conditions_met: bool,
}

/// Whether a tranche tied to `milestone` may be paid at `stage` with `records`: on signing once
/// contracted; the mid-term one once the mid-term review is recorded (or once the final one is
/// payable: an accepting verdict is the fuller review, and tranches are paid in order, so a
/// project that was never reviewed half-way is not held from its money for ever); the final one
/// after an unconditional pass, or after a conditional pass once its conditions are recorded as
/// met.
pub fn payable(
    milestone: Milestone,
    stage: Stage,
    records: MilestoneRecords,
) -> Result<(), DomainError> {
    use Stage as S;
    let refused = |why: String| {
        Err(DomainError::conflict(
            "milestone_not_reached",
            format!("付款节点“{}”尚未达到：{why}", milestone.zh()),
        ))
    };
    if stage == S::Terminated {
        // Its unpaid tranches were cancelled and their money returned to the fund.
        return refused("项目已终止，未付款项已取消并退回资金".into());
    }
    match milestone {
        Milestone::Signing => {
            if stage.reached(S::Contracted) && stage.is_bought() {
                Ok(())
            } else {
                refused(format!("项目现为“{}”", stage.zh()))
            }
        }
        Milestone::MidTerm => {
            if payable(Milestone::FinalAcceptance, stage, records).is_ok() {
                Ok(())
            } else if !records.midterm_review {
                refused("中期评估尚未记录".into())
            } else if stage.is_bought() && stage.reached(S::Delivering) {
                Ok(())
            } else {
                refused(format!("项目现为“{}”", stage.zh()))
            }
        }
        Milestone::FinalAcceptance => match stage {
            S::Accepted | S::ReAccepted => Ok(()),
            S::AcceptedWithConditions if records.conditions_met => Ok(()),
            S::AcceptedWithConditions => refused("有条件通过的整改条件尚未记录为已落实".into()),
            _ => refused(format!("项目现为“{}”", stage.zh())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: MilestoneRecords = MilestoneRecords {
        midterm_review: false,
        conditions_met: false,
    };
    const BOTH: MilestoneRecords = MilestoneRecords {
        midterm_review: true,
        conditions_met: true,
    };

    #[test]
    fn the_mid_term_tranche_waits_for_the_mid_term_review_not_for_the_first_activity() {
        assert!(payable(Milestone::MidTerm, Stage::Delivering, NONE).is_err());
        let with = MilestoneRecords {
            midterm_review: true,
            ..NONE
        };
        assert!(payable(Milestone::MidTerm, Stage::Delivering, with).is_ok());
        assert!(payable(Milestone::MidTerm, Stage::Contracted, with).is_err());
        // Never reviewed half-way, but accepted: the accepting verdict reaches it too.
        assert!(payable(Milestone::MidTerm, Stage::SelfEvaluated, NONE).is_err());
        assert!(payable(Milestone::MidTerm, Stage::Accepted, NONE).is_ok());
        assert!(payable(Milestone::MidTerm, Stage::AcceptedWithConditions, NONE).is_err());
        assert!(payable(Milestone::MidTerm, Stage::NotAccepted, NONE).is_err());
    }

    #[test]
    fn a_conditional_pass_pays_the_final_tranche_only_once_the_conditions_are_met() {
        let review_only = MilestoneRecords {
            midterm_review: true,
            ..NONE
        };
        let e = payable(
            Milestone::FinalAcceptance,
            Stage::AcceptedWithConditions,
            review_only,
        )
        .unwrap_err();
        assert!(format!("{e:?}").contains("整改条件"));
        assert!(payable(
            Milestone::FinalAcceptance,
            Stage::AcceptedWithConditions,
            BOTH
        )
        .is_ok());
        assert!(payable(Milestone::FinalAcceptance, Stage::Accepted, NONE).is_ok());
        assert!(payable(Milestone::FinalAcceptance, Stage::NotAccepted, BOTH).is_err());
    }

    #[test]
    fn signing_pays_once_contracted_on_the_buying_branch_only() {
        for stage in Stage::ALL {
            let ok = payable(Milestone::Signing, *stage, NONE).is_ok();
            let expected = stage.is_bought()
                && stage.reached(Stage::Contracted)
                && *stage != Stage::Terminated;
            assert_eq!(ok, expected, "{stage:?}");
        }
        assert!(payable(Milestone::Signing, Stage::Declined, BOTH).is_err());
        assert!(payable(Milestone::Signing, Stage::Contracted, NONE).is_ok());
    }

    #[test]
    fn the_mid_term_review_is_recorded_once_while_delivering() {
        assert!(may_record_midterm(Stage::Delivering, false).is_ok());
        assert!(may_record_midterm(Stage::Delivering, true).is_err());
        assert!(may_record_midterm(Stage::Contracted, false).is_err());
        let f = MidtermForm {
            findings: "短".into(),
            rating: "excellent".into(),
            conditions: String::new(),
            supervisor: String::new(),
        };
        let DomainError::Invalid(e) = f.validate().unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["findings", "rating", "supervisor"]);
    }

    #[test]
    fn every_condition_is_named_met_with_its_evidence() {
        let c = conditions_of("补充服务台账；\n增加入户频次;");
        assert_eq!(c, ["补充服务台账", "增加入户频次"]);
        let f = ConditionsMetForm {
            evidence: vec!["台账已补齐并归档".into(), "".into()],
        };
        let DomainError::Invalid(e) = f.validate(&c).unwrap_err() else {
            panic!()
        };
        assert_eq!(e[0].field, "evidence.1");
        let f = ConditionsMetForm {
            evidence: vec!["台账已补齐并归档".into(), "每周入户两次".into()],
        };
        assert_eq!(f.validate(&c).unwrap().len(), 2);
        assert!(may_record_conditions_met(Stage::AcceptedWithConditions, false).is_ok());
        assert!(may_record_conditions_met(Stage::Accepted, false).is_err());
        assert!(may_record_conditions_met(Stage::AcceptedWithConditions, true).is_err());
    }
}
