//! The review panel (评议小组, YQ step 7; MECHANISM §4 step 7): formed by the community committee
//! of representatives, residents, department representatives and experts. The evaluated
//! organization recuses, and people who received the project's services do not sit on it; it has
//! at least the configured number of members (default 5). The same rules form the panels of
//! competitive selection (MECHANISM §4 step 5).

use crate::{DomainError, FieldError};
use std::collections::BTreeSet;

/// The configured minimum when a policy profile says nothing.
pub const DEFAULT_MINIMUM: usize = 5;

/// A proposed member, with what the rules need to know of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub person: String,
    pub name: String,
    /// Organizations the person manages, works for or is a member of.
    pub organizations: BTreeSet<String>,
    /// Recorded as a recipient of the project's services (an activity served them).
    pub beneficiary: bool,
}

/// Checks a panel for the evaluation of `evaluated` (the organization, or every applicant of a
/// selection). Every member who may not sit is named with the reason; nothing is accepted while
/// any reason holds.
pub fn check_panel(
    members: &[Candidate],
    evaluated: &BTreeSet<String>,
    minimum: usize,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        let field = format!("members[{i}]");
        if !seen.insert(m.person.as_str()) {
            errors.push(FieldError::new(
                field.clone(),
                "duplicate_member",
                format!("{} 重复列入评议小组", m.name),
            ));
        }
        if let Some(org) = m.organizations.intersection(evaluated).next() {
            errors.push(FieldError::new(
                field.clone(),
                "affiliated_member",
                format!("{} 与被评估组织（{org}）有关联，须回避", m.name),
            ));
        }
        if m.beneficiary {
            errors.push(FieldError::new(
                field,
                "beneficiary_member",
                format!("{} 是本项目的服务对象，不得担任评议小组成员", m.name),
            ));
        }
    }
    if seen.len() < minimum {
        errors.push(FieldError::new(
            "members",
            "panel_too_small",
            format!("评议小组至少 {minimum} 人，现有 {} 人", seen.len()),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn candidate(i: usize, orgs: &[&str], beneficiary: bool) -> Candidate {
        Candidate {
            person: format!("p{i}"),
            name: format!("成员{i}"),
            organizations: orgs.iter().map(|s| s.to_string()).collect(),
            beneficiary,
        }
    }

    #[test]
    fn a_clean_panel_of_five_is_accepted() {
        let members: Vec<_> = (0..5).map(|i| candidate(i, &["other"], false)).collect();
        assert!(check_panel(&members, &["org".to_string()].into(), 5).is_ok());
    }

    #[test]
    fn each_reason_is_named() {
        let members = vec![
            candidate(0, &["org"], false),
            candidate(1, &[], true),
            candidate(1, &[], false),
        ];
        let DomainError::Invalid(errors) =
            check_panel(&members, &["org".to_string()].into(), 5).unwrap_err()
        else {
            panic!()
        };
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "affiliated_member",
                "beneficiary_member",
                "duplicate_member",
                "panel_too_small"
            ]
        );
        assert!(errors[0].message.contains("须回避"));
    }

    proptest! {
        /// No panel with an affiliated member, a beneficiary, a repeated person or too few people
        /// is ever accepted; every other panel is.
        #[test]
        fn only_clean_panels_are_accepted(
            members in proptest::collection::vec((0usize..12, 0usize..4, any::<bool>()), 0..12),
            minimum in 1usize..8,
        ) {
            let orgs = ["a", "b", "c", "d"];
            let evaluated: BTreeSet<String> = ["a".to_string()].into();
            let panel: Vec<Candidate> = members
                .iter()
                .map(|(p, o, b)| candidate(*p, &[orgs[*o]], *b && p % 3 == 0))
                .collect();
            let distinct: BTreeSet<_> = panel.iter().map(|c| c.person.clone()).collect();
            let clean = panel.iter().all(|c| !c.beneficiary && !c.organizations.contains("a"))
                && distinct.len() == panel.len()
                && panel.len() >= minimum;
            prop_assert_eq!(check_panel(&panel, &evaluated, minimum).is_ok(), clean);
        }
    }
}
