//! Competitive selection (竞争承接, MECHANISM §4 step 5; issue 5): when several eligible
//! organizations apply for one item or call, a panel scores them on a published rubric; the rubric
//! is locked from the first score; a late application is refused with the deadline named; the
//! ranking is computed, deterministic and explained, ties resolved by a stated rule.

use crate::DomainError;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The stated tie rule, shown with every ranking.
pub const TIE_RULE: &str = "平均分相同时，比较第一项评分标准的平均分；仍相同时，先提交申请者在前";

/// The rubric may change only until the first score is given.
pub fn rubric_open(scores_given: usize) -> Result<(), DomainError> {
    if scores_given == 0 {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "rubric_locked",
            format!("已有 {scores_given} 份评分，评分标准不能再修改"),
        ))
    }
}

/// An application arrives in time or is refused naming the deadline.
pub fn in_time(at: NaiveDateTime, deadline: NaiveDateTime) -> Result<(), DomainError> {
    if at <= deadline {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "deadline_passed",
            format!(
                "申请截止时间为 {}，已过期，不能再提交",
                deadline.format("%Y-%m-%d %H:%M")
            ),
        ))
    }
}

/// One applicant's scores: per member, the points per criterion (in rubric order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub applicant: String,
    pub submitted_at: NaiveDateTime,
    pub scores: Vec<Vec<u32>>,
}

/// A place in the ranking, with why it is there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub place: usize,
    pub applicant: String,
    /// Average total over the members, in hundredths of a point (exact, no floats).
    pub average_centi: u64,
    /// Average of the first criterion, in hundredths (the first tie-breaker).
    pub first_centi: u64,
    pub explanation: String,
}

fn centi(sum: u64, n: usize) -> u64 {
    if n == 0 {
        0
    } else {
        // Rounded half up to hundredths.
        (sum * 100 * 2 + n as u64) / (2 * n as u64)
    }
}

/// The ranking: by average total, then by the first criterion's average, then by earlier
/// submission, then by applicant id (so equal inputs in any order give the same ranking).
pub fn rank(entries: &[Entry]) -> Vec<Ranked> {
    let mut rows: Vec<(u64, u64, NaiveDateTime, &str)> = entries
        .iter()
        .map(|e| {
            let n = e.scores.len();
            let total: u64 = e
                .scores
                .iter()
                .map(|s| s.iter().map(|p| u64::from(*p)).sum::<u64>())
                .sum();
            let first: u64 = e
                .scores
                .iter()
                .map(|s| u64::from(s.first().copied().unwrap_or(0)))
                .sum();
            (
                centi(total, n),
                centi(first, n),
                e.submitted_at,
                e.applicant.as_str(),
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(b.3))
    });
    let fmt = |c: u64| format!("{}.{:02}", c / 100, c % 100);
    rows.iter()
        .enumerate()
        .map(|(i, (avg, first, at, who))| {
            let tie_above = i > 0 && rows[i - 1].0 == *avg;
            let tie_below = rows.get(i + 1).is_some_and(|r| r.0 == *avg);
            let why = if tie_above || tie_below {
                format!(
                    "平均分 {} 与他人相同；第一项平均 {}，提交于 {}（{TIE_RULE}）",
                    fmt(*avg),
                    fmt(*first),
                    at.format("%Y-%m-%d %H:%M")
                )
            } else {
                format!("平均分 {}", fmt(*avg))
            };
            Ranked {
                place: i + 1,
                applicant: who.to_string(),
                average_centi: *avg,
                first_centi: *first,
                explanation: why,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2027, 3, 1)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn ties_are_broken_by_the_stated_rule_and_explained() {
        let e = |a: &str, h, s: Vec<Vec<u32>>| Entry {
            applicant: a.into(),
            submitted_at: at(h),
            scores: s,
        };
        let r = rank(&[
            e("c", 9, vec![vec![10, 70], vec![10, 70]]),
            e("a", 10, vec![vec![20, 60], vec![20, 60]]),
            e("b", 8, vec![vec![20, 60], vec![20, 60]]),
            e("d", 7, vec![vec![20, 75], vec![20, 75]]),
        ]);
        let order: Vec<&str> = r.iter().map(|x| x.applicant.as_str()).collect();
        assert_eq!(
            order,
            ["d", "b", "a", "c"],
            "80 and 80 and 80: first criterion, then earlier"
        );
        assert_eq!(r[0].explanation, "平均分 95.00");
        assert!(
            r[1].explanation.contains("第一项平均 20.00") && r[1].explanation.contains(TIE_RULE)
        );
        assert_eq!(centi(179, 2), 8950);
        assert_eq!(centi(1, 3), 33);
    }

    #[test]
    fn the_rubric_locks_at_the_first_score_and_late_applications_are_refused() {
        assert!(rubric_open(0).is_ok());
        assert!(matches!(
            rubric_open(1),
            Err(DomainError::Conflict {
                code: "rubric_locked",
                ..
            })
        ));
        assert!(in_time(at(9), at(9)).is_ok());
        let Err(DomainError::Conflict { code, message }) = in_time(at(10), at(9)) else {
            panic!()
        };
        assert_eq!(code, "deadline_passed");
        assert!(message.contains("2027-03-01 09:00"), "{message}");
    }

    proptest! {
        /// The ranking is a permutation of the applicants, ordered by average, and the same
        /// whatever order the entries come in.
        #[test]
        fn ranking_is_deterministic(scores in proptest::collection::vec((0u32..50, 0u32..50, 0u32..24), 1..12)) {
            let entries: Vec<Entry> = scores.iter().enumerate().map(|(i, (a, b, h))| Entry {
                applicant: format!("o{i}"),
                submitted_at: at(*h),
                scores: vec![vec![*a, *b], vec![*b, *a]],
            }).collect();
            let r = rank(&entries);
            let mut reversed = entries.clone();
            reversed.reverse();
            prop_assert_eq!(&r, &rank(&reversed));
            prop_assert_eq!(r.len(), entries.len());
            prop_assert!(r.windows(2).all(|w| w[0].average_centi >= w[1].average_centi));
            let mut who: Vec<&str> = r.iter().map(|x| x.applicant.as_str()).collect();
            who.sort();
            who.dedup();
            prop_assert_eq!(who.len(), entries.len());
        }
    }
}
