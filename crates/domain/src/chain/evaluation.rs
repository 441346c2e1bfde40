//! Self-evaluation, the review panel's scores and the written verdict (YQ step 7; MECHANISM §4
//! step 7), and which tranche may be paid when. The rubric is policy data; each member with an
//! account scores every criterion once; the review group's chair signs the written verdict (see
//! `review_group`), and only an accepting verdict releases the final tranche.

use crate::chain::stage::{Stage, Verdict};
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

/// The review rubric of the policy profile: (code, criterion, maximum points); 100 in all.
pub const RUBRIC: [(&str, &str, u32); 5] = [
    ("need", "回应需求", 20),
    ("goals", "目标达成", 25),
    ("quality", "服务质量", 20),
    ("money", "资金使用", 15),
    ("satisfaction", "居民满意度", 20),
];

/// The organization's self-evaluation as typed: its report and, for social work, a case study.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfEvaluationForm {
    pub report: String,
    /// Required for social-work projects (社会工作案例).
    pub case_study: String,
}

impl SelfEvaluationForm {
    /// Checks the self-evaluation; a social-work project also needs its case study.
    pub fn validate(&self, social_work: bool) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        if self.report.trim().chars().count() < 30 {
            errors.push(FieldError::new(
                "report",
                "required",
                "请写明自评报告：目标完成情况、服务成效和经费使用（至少 30 字）",
            ));
        }
        if social_work && self.case_study.trim().chars().count() < 30 {
            errors.push(FieldError::new(
                "case_study",
                "required",
                "社会工作服务项目须附社会工作案例（至少 30 字）",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// A member's scores as typed: one field per criterion code, and a comment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreForm {
    pub need: String,
    pub goals: String,
    pub quality: String,
    pub money: String,
    pub satisfaction: String,
    pub comment: String,
}

impl ScoreForm {
    fn value(&self, code: &str) -> &str {
        match code {
            "need" => &self.need,
            "goals" => &self.goals,
            "quality" => &self.quality,
            "money" => &self.money,
            _ => &self.satisfaction,
        }
    }

    /// The points per criterion, in the rubric's order, and their total.
    pub fn validate(&self) -> Result<(Vec<u32>, u32), DomainError> {
        let mut errors = Vec::new();
        let mut points = Vec::new();
        for (code, label, max) in RUBRIC {
            match self.value(code).trim().parse::<u32>() {
                Ok(p) if p <= max => points.push(p),
                _ => errors.push(FieldError::new(
                    code,
                    "invalid_score",
                    format!("“{label}”应为 0 到 {max} 之间的整数"),
                )),
            }
        }
        if errors.is_empty() {
            let total = points.iter().sum();
            Ok((points, total))
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// The review group's written report as typed: the verdict, any conditions and the report;
/// signed by the group's chair.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VerdictForm {
    /// `accepted`, `accepted_with_conditions` or `not_accepted`.
    pub verdict: String,
    pub conditions: String,
    pub report: String,
}

impl VerdictForm {
    /// The verdict and its report as written (whether the report may be signed now is
    /// `review_group::report_ready`).
    pub fn validate(&self) -> Result<Verdict, DomainError> {
        let mut errors = Vec::new();
        let verdict = Verdict::parse(self.verdict.trim());
        if verdict.is_none() {
            errors.push(FieldError::new(
                "verdict",
                "invalid_verdict",
                "请选择评议结论",
            ));
        }
        if verdict == Some(Verdict::AcceptedWithConditions) && self.conditions.trim().is_empty() {
            errors.push(FieldError::new(
                "conditions",
                "required",
                "有条件通过须写明整改条件",
            ));
        }
        if self.report.trim().chars().count() < 20 {
            errors.push(FieldError::new(
                "report",
                "required",
                "请写明评议报告（至少 20 字）",
            ));
        }
        match verdict {
            Some(v) if errors.is_empty() => Ok(v),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Only a member of the project's review panel scores.
pub fn can_score(member: bool) -> Result<(), crate::Denied> {
    if member {
        Ok(())
    } else {
        Err(crate::Denied {
            code: "not_panel_member",
            message: "无权评分：只有评议小组成员可以评分".into(),
        })
    }
}

/// A member scores once, while the project is under review.
pub fn may_score(stage: Stage, already_scored: bool) -> Result<(), DomainError> {
    if stage != Stage::UnderReview {
        return Err(DomainError::conflict(
            "not_under_review",
            format!("项目现为“{}”，不在评议中", stage.zh()),
        ));
    }
    if already_scored {
        return Err(DomainError::conflict(
            "already_scored",
            "您已评过分，评分提交后不能修改",
        ));
    }
    Ok(())
}

/// The verdict is written while the project is under review (whichever verdict it is).
pub fn may_decide_verdict(stage: Stage) -> Result<(), DomainError> {
    stage
        .next(crate::chain::stage::Event::Review(Verdict::Accepted))
        .map(drop)
}

/// Tranches are paid in the contract's order: `seq` only when no earlier one is unpaid.
pub fn in_order(seq: i64, unpaid: &[i64]) -> Result<(), DomainError> {
    match unpaid.iter().filter(|u| **u < seq).min() {
        Some(first) => Err(DomainError::conflict(
            "earlier_tranche_unpaid",
            format!("须先支付第 {first} 笔款项"),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_a_member_scores_once_and_only_under_review() {
        for s in Stage::ALL.iter().copied() {
            let under = s == Stage::UnderReview;
            assert_eq!(may_score(s, false).is_ok(), under, "{s:?}");
            assert_eq!(may_decide_verdict(s).is_ok(), under, "{s:?}");
        }
        let again = may_score(Stage::UnderReview, true).unwrap_err();
        assert!(matches!(
            again,
            DomainError::Conflict {
                code: "already_scored",
                ..
            }
        ));
        assert!(can_score(true).is_ok());
        assert_eq!(can_score(false).unwrap_err().code, "not_panel_member");
    }
    use super::*;

    #[test]
    fn the_rubric_adds_up_to_one_hundred() {
        assert_eq!(RUBRIC.iter().map(|r| r.2).sum::<u32>(), 100);
        let f = ScoreForm {
            need: "18".into(),
            goals: "22".into(),
            quality: "17".into(),
            money: "13".into(),
            satisfaction: "19".into(),
            comment: String::new(),
        };
        assert_eq!(f.validate().unwrap().1, 89);
        let over = ScoreForm {
            goals: "26".into(),
            money: "x".into(),
            ..f
        };
        let DomainError::Invalid(e) = over.validate().unwrap_err() else {
            panic!()
        };
        assert_eq!(
            e.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(),
            ["goals", "money"]
        );
    }

    #[test]
    fn a_verdicts_conditions_and_report_are_written() {
        let f = VerdictForm {
            verdict: "accepted_with_conditions".into(),
            conditions: String::new(),
            report: "项目完成申请书目标，居民满意度较高，经费使用规范。".into(),
        };
        let DomainError::Invalid(e) = f.validate().unwrap_err() else {
            panic!()
        };
        assert_eq!(e[0].field, "conditions");
        let ok = VerdictForm {
            verdict: "accepted".into(),
            ..f
        };
        assert_eq!(ok.validate().unwrap(), Verdict::Accepted);
        let short = VerdictForm {
            report: "同意".into(),
            ..ok
        };
        let DomainError::Invalid(e) = short.validate().unwrap_err() else {
            panic!()
        };
        assert_eq!(e[0].field, "report");
    }

    #[test]
    fn tranches_are_paid_in_order() {
        assert!(in_order(1, &[1, 2, 3]).is_ok());
        assert!(in_order(3, &[3]).is_ok());
        let DomainError::Conflict { message, .. } = in_order(3, &[2, 3]).unwrap_err() else {
            panic!()
        };
        assert!(message.contains("第 2 笔"));
    }
}
