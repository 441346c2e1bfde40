//! Corrections of frozen records (更正; issue 16 finding 6; MECHANISM §4: "a frozen record never
//! changes again, and a correction is a new record that points at the old one"). Called errata in
//! code so they do not collide with the registers' versioned corrections (`app::versioned`).
//!
//! Who may correct: whoever signed the record — the account that froze consultation minutes,
//! the chair who sealed a vote motion, the review group's chair who signed its report, the
//! organization for its self-evaluation — and, for a contract, either party; a contract's
//! correction takes effect only when the other party agrees. A draft is simply edited, so only
//! a signed record takes a correction.

use crate::authz::Denied;
use crate::{labelled, DomainError, FieldError, Refusal};
use serde::{Deserialize, Serialize};

labelled! {
    /// The frozen records a correction can point at.
    pub enum ErratumKind {
        ConsultationMinutes = ("consultation_minutes", "恳谈会纪要"),
        VoteMinutes = ("vote_minutes", "表决结果"),
        Contract = ("contract", "购买协议"),
        ReviewReport = ("review_report", "评议报告"),
        SelfEvaluation = ("self_evaluation", "自评报告"),
    }
}

labelled! {
    /// A contract's two parties.
    pub enum Party {
        Purchaser = ("purchaser", "购买方"),
        Provider = ("provider", "承接方"),
    }
}

/// The longest "what is corrected" (a field or clause named in a few words).
pub const MAX_PART: usize = 100;
/// The longest corrected text and reason.
pub const MAX_TEXT: usize = 4000;

/// A correction as typed (all text). `record` names the vote meeting for vote minutes (a
/// project can be voted on at more than one meeting); the other kinds know their record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ErratumForm {
    pub kind: String,
    pub record: String,
    /// What is corrected: the field, clause or line (更正内容所在位置).
    pub part: String,
    /// The corrected text (更正为).
    pub corrected: String,
    /// Why (更正原因).
    pub reason: String,
}

/// A checked correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erratum {
    pub kind: ErratumKind,
    pub part: String,
    pub corrected: String,
    pub reason: String,
}

impl ErratumForm {
    /// Checks the form; each wrong field is named in Chinese.
    pub fn validate(&self) -> Result<Erratum, DomainError> {
        let mut errors = Vec::new();
        let kind = ErratumKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "invalid_kind",
                "请选择要更正的记录",
            ));
        }
        for (field, value, label, max) in [
            ("part", &self.part, "更正位置", MAX_PART),
            ("corrected", &self.corrected, "更正后的内容", MAX_TEXT),
            ("reason", &self.reason, "更正原因", MAX_TEXT),
        ] {
            let v = value.trim();
            if v.is_empty() {
                errors.push(FieldError::new(field, "required", format!("请填写{label}")));
            } else if v.chars().count() > max {
                errors.push(FieldError::new(
                    field,
                    "too_long",
                    format!("{label}不能超过 {max} 个字"),
                ));
            }
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(Erratum {
                kind,
                part: self.part.trim().to_string(),
                corrected: self.corrected.trim().to_string(),
                reason: self.reason.trim().to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Only a signed (frozen) record takes a correction: a draft is edited instead.
pub fn may_correct(signed: bool) -> Result<(), DomainError> {
    if signed {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "not_signed",
            "该记录尚未签署或封存，可直接修改，不需要更正",
        ))
    }
}

/// The author of a signed record (the account that signed it) may correct it; nobody else.
pub fn can_correct(user_id: &str, signed_by: Option<&str>) -> Result<(), Denied> {
    if signed_by == Some(user_id) {
        Ok(())
    } else {
        Err(Denied {
            code: "not_author",
            message: "无权更正：只有签署该记录的人可以提交更正".into(),
        })
    }
}

/// The party that confirms a contract's correction: the other party than the one that proposed
/// it, and only while it waits.
pub fn may_agree(
    proposed_by: Party,
    agreeing: Option<Party>,
    agreed: bool,
) -> Result<Party, Refusal> {
    match agreeing {
        None => Err(Denied {
            code: "not_party",
            message: "无权确认：只有协议双方可以确认更正".into(),
        }
        .into()),
        Some(p) if p == proposed_by => Err(Denied {
            code: "same_party",
            message: "更正须由协议另一方确认，提出方不能自行确认".into(),
        }
        .into()),
        Some(_) if agreed => Err(DomainError::conflict("erratum_agreed", "该更正已经确认").into()),
        Some(p) => Ok(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ErratumForm {
        ErratumForm {
            kind: "contract".into(),
            record: String::new(),
            part: "服务内容".into(),
            corrected: "每月两次探访".into(),
            reason: "笔误".into(),
        }
    }

    #[test]
    fn a_complete_form_is_checked_and_trimmed() {
        let mut f = form();
        f.reason = "  笔误 ".into();
        let e = f.validate().unwrap();
        assert_eq!(e.kind, ErratumKind::Contract);
        assert_eq!(e.reason, "笔误");
    }

    #[test]
    fn each_missing_field_is_named() {
        let f = ErratumForm {
            kind: "minutes".into(),
            ..Default::default()
        };
        let Err(DomainError::Invalid(errs)) = f.validate() else {
            panic!("accepted an empty form");
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "part", "corrected", "reason"]);
    }

    #[test]
    fn a_part_too_long_is_refused() {
        let mut f = form();
        f.part = "字".repeat(MAX_PART + 1);
        assert!(f.validate().is_err());
        f.part = "字".repeat(MAX_PART);
        assert!(f.validate().is_ok());
    }

    #[test]
    fn only_signed_records_and_their_author() {
        assert!(may_correct(false).is_err());
        assert!(may_correct(true).is_ok());
        assert!(can_correct("u1", Some("u1")).is_ok());
        assert_eq!(
            can_correct("u2", Some("u1")).unwrap_err().code,
            "not_author"
        );
        assert!(can_correct("u1", None).is_err());
    }

    #[test]
    fn the_other_party_agrees_once() {
        use Party::*;
        assert_eq!(
            may_agree(Purchaser, Some(Provider), false).unwrap(),
            Provider
        );
        assert_eq!(
            may_agree(Provider, Some(Purchaser), false).unwrap(),
            Purchaser
        );
        assert!(may_agree(Purchaser, Some(Purchaser), false).is_err());
        assert!(may_agree(Purchaser, None, false).is_err());
        assert!(may_agree(Purchaser, Some(Provider), true).is_err());
    }
}
