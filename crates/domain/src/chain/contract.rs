//! The purchase contract (购买协议, YQ step 5; MECHANISM §4 step 5): parties, amount, period,
//! deliverables, acceptance criteria, and payment tranches tied to milestones. The tranches add
//! up to the contract's amount and the last one waits for final acceptance (费随事转: the money
//! follows the work). Signed, it never changes.

use crate::chain::money::Money;

/// Payment tranches a contract may have (a year's contract is paid in a handful).
pub const MAX_TRANCHES: usize = 24;
use crate::{labelled, DomainError, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled! {
    /// What releases a tranche.
    pub enum Milestone {
        Signing = ("signing", "签约后"),
        MidTerm = ("mid_term", "中期评估后"),
        FinalAcceptance = ("final_acceptance", "验收通过后"),
    }
}

impl Milestone {
    fn read(s: &str) -> Option<Milestone> {
        Milestone::parse(s).or_else(|| {
            Milestone::ALL
                .iter()
                .copied()
                .find(|m| s.chars().count() >= 2 && m.zh().starts_with(s))
        })
    }
}

/// A purchase contract as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContractForm {
    pub starts_on: String,
    pub ends_on: String,
    pub deliverables: String,
    pub acceptance_criteria: String,
    pub signed_on: String,
    /// The purchaser's signatory (the township), as signed.
    pub purchaser_signatory: String,
    /// The provider's signatory (the organization), as signed.
    pub provider_signatory: String,
    /// `节点|金额（元）` per line; 节点 is 签约, 中期评估 or 验收 (or signing, mid_term,
    /// final_acceptance).
    pub tranches: String,
}

/// A payment tranche: the milestone that releases it and its amount in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tranche {
    pub milestone: Milestone,
    pub amount_fen: Money,
}

/// A checked purchase contract, whose tranches add up to the amount bought for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contract {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub deliverables: String,
    pub acceptance_criteria: String,
    pub signed_on: NaiveDate,
    pub purchaser_signatory: String,
    pub provider_signatory: String,
    pub tranches: Vec<Tranche>,
}

fn date(s: &str) -> Option<NaiveDate> {
    crate::text::parse_date(s)
}

impl ContractForm {
    /// Checks the contract for `amount_fen` (the amount the township decided to buy for).
    pub fn validate(&self, amount_fen: Money) -> Result<Contract, DomainError> {
        let mut errors = Vec::new();
        let mut err =
            |f: &str, code: &'static str, m: String| errors.push(FieldError::new(f, code, m));
        let starts = date(&self.starts_on);
        let ends = date(&self.ends_on);
        let signed = date(&self.signed_on);
        for (field, v, label) in [
            ("starts_on", starts, "服务开始日期"),
            ("ends_on", ends, "服务结束日期"),
            ("signed_on", signed, "签订日期"),
        ] {
            if v.is_none() {
                err(
                    field,
                    "invalid_date",
                    format!("请填写{label}（YYYY-MM-DD）"),
                );
            }
        }
        if let (Some(s), Some(e)) = (starts, ends) {
            if e < s {
                err("ends_on", "period_order", "服务结束日期早于开始日期".into());
            }
        }
        for (field, v, label) in [
            ("deliverables", &self.deliverables, "服务内容和交付成果"),
            ("acceptance_criteria", &self.acceptance_criteria, "验收标准"),
            (
                "purchaser_signatory",
                &self.purchaser_signatory,
                "购买方签字人",
            ),
            (
                "provider_signatory",
                &self.provider_signatory,
                "承接方签字人",
            ),
        ] {
            if v.trim().is_empty() {
                err(field, "required", format!("请填写{label}"));
            }
        }
        let mut tranches = Vec::new();
        for (n, line) in self
            .tranches
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            match parts.as_slice() {
                [m, a] => match (
                    Milestone::read(m),
                    Money::parse(a).filter(|f| *f > Money::ZERO),
                ) {
                    (Some(milestone), Some(amount_fen)) => tranches.push(Tranche {
                        milestone,
                        amount_fen,
                    }),
                    _ => err(
                        "tranches",
                        "invalid_tranche",
                        format!(
                            "第 {} 行：节点应为签约、中期评估或验收；{}",
                            n + 1,
                            crate::chain::money::AMOUNT_RULE
                        ),
                    ),
                },
                _ => err(
                    "tranches",
                    "invalid_tranche",
                    format!("第 {} 行：付款节点应写作“节点|金额（元）”", n + 1),
                ),
            }
        }
        // Checked: a sum that passes the bound is refused, never wrapped around.
        let total = Money::sum(tranches.iter().map(|t| t.amount_fen));
        let all_read = tranches.len()
            == self
                .tranches
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count();
        if !all_read {
            // The bad lines are named above; a total of the rest would only confuse.
        } else if tranches.is_empty() {
            err("tranches", "required", "请列出付款节点".into());
        } else if tranches.len() > MAX_TRANCHES {
            err(
                "tranches",
                "too_many_tranches",
                format!("付款节点不能超过 {MAX_TRANCHES} 个"),
            );
        } else if total != Some(amount_fen) {
            // A checked total is within the bound, so an amount equal to it is too.
            let total = total.map_or_else(|| "超过上限的".to_string(), Money::yuan);
            err(
                "tranches",
                "tranches_total",
                format!(
                    "各节点金额合计 {total} 元，应等于购买金额 {} 元",
                    amount_fen.yuan()
                ),
            );
        } else if tranches
            .last()
            .is_some_and(|t| t.milestone != Milestone::FinalAcceptance)
        {
            err(
                "tranches",
                "final_tranche",
                "最后一笔款须在验收通过后支付".into(),
            );
        }
        match (starts, ends, signed) {
            (Some(starts_on), Some(ends_on), Some(signed_on)) if errors.is_empty() => {
                Ok(Contract {
                    starts_on,
                    ends_on,
                    deliverables: self.deliverables.trim().to_string(),
                    acceptance_criteria: self.acceptance_criteria.trim().to_string(),
                    signed_on,
                    purchaser_signatory: self.purchaser_signatory.trim().to_string(),
                    provider_signatory: self.provider_signatory.trim().to_string(),
                    tranches,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::money::{yuan, MAX_AMOUNT_FEN};
    use proptest::prelude::*;

    fn fen(f: i64) -> Money {
        Money::from_fen(f).unwrap()
    }

    fn form(tranches: &str) -> ContractForm {
        ContractForm {
            starts_on: "2027-01-01".into(),
            ends_on: "2027-12-31".into(),
            deliverables: "每周上门服务 20 户".into(),
            acceptance_criteria: "服务户数、满意度达到申请书目标".into(),
            signed_on: "2026-12-28".into(),
            purchaser_signatory: "陈干事".into(),
            provider_signatory: "赵晴".into(),
            tranches: tranches.into(),
        }
    }

    #[test]
    fn tranches_add_up_to_the_amount_and_the_last_waits_for_acceptance() {
        let c = form("签约|9000\n中期评估|9000\n验收|12000")
            .validate(fen(3_000_000))
            .unwrap();
        assert_eq!(c.tranches.len(), 3);
        assert_eq!(c.tranches[2].milestone, Milestone::FinalAcceptance);
        let code = |f: ContractForm, amount| match f.validate(fen(amount)).unwrap_err() {
            DomainError::Invalid(e) => e[0].code,
            DomainError::Conflict { code, .. } => code,
        };
        assert_eq!(
            code(form("签约|9000\n验收|12000"), 3_000_000),
            "tranches_total"
        );
        assert_eq!(
            code(form("验收|10000\n签约|20000"), 3_000_000),
            "final_tranche"
        );
        assert_eq!(code(form("首付|30000"), 3_000_000), "invalid_tranche");
        assert_eq!(code(form(""), 3_000_000), "required");
        let mut f = form("验收|30000");
        f.ends_on = "2026-06-30".into();
        assert_eq!(code(f, 3_000_000), "period_order");
    }

    /// The attack of the issue: some 18,447 tranches of about ten trillion yuan whose fen, added
    /// in 64 bits, wrap around to exactly the 25,000 yuan bought.
    #[test]
    fn tranches_that_wrap_around_to_the_amount_are_refused() {
        let base: i64 = 999_999_999_999_999;
        let target: i64 = 2_500_000;
        let (n, last) = (18_447..20_000i64)
            .find_map(|n| {
                let head = (0..n - 1).fold(0i64, |acc, _| acc.wrapping_add(base));
                let last = target.wrapping_sub(head);
                (1..=base).contains(&last).then_some((n, last))
            })
            .expect("a wrapping set exists");
        let mut lines = vec![format!("签约|{}", yuan(base)); (n - 1) as usize];
        lines.push(format!("验收|{}", yuan(last)));
        let wrapped = (0..n - 1).fold(last, |acc, _| acc.wrapping_add(base));
        assert_eq!(wrapped, target, "the old sum said 25,000 yuan");
        assert!(form(&lines.join("\n")).validate(fen(target)).is_err());
    }

    proptest! {
        /// Any split of the amount whose last part waits for acceptance is accepted; any other
        /// total is refused.
        #[test]
        fn only_splits_of_the_amount_are_accepted(parts in proptest::collection::vec(1i64..5_000_000, 1..5), extra in 1i64..1000) {
            let amount: i64 = parts.iter().sum();
            let n = parts.len();
            let lines: Vec<String> = parts.iter().enumerate().map(|(i, p)| {
                let m = if i + 1 == n { "验收" } else if i == 0 { "签约" } else { "中期评估" };
                format!("{m}|{}", yuan(*p))
            }).collect();
            let f = form(&lines.join("\n"));
            prop_assert!(f.validate(fen(amount)).is_ok());
            prop_assert!(f.validate(fen(amount + extra)).is_err());
        }

        /// Whatever the tranches (up to ten trillion yuan each, as many as typed), a contract is
        /// accepted only when their exact sum is the amount bought: never a sum that wrapped
        /// around to it.
        #[test]
        fn tranches_are_accepted_only_when_their_exact_sum_is_the_amount(
            yuans in proptest::collection::vec(1u64..10_000_000_000_000, 1..30),
            wrapped in any::<bool>(),
        ) {
            let n = yuans.len();
            let lines: Vec<String> = yuans.iter().enumerate().map(|(i, y)| {
                let m = if i + 1 == n { "验收" } else { "签约" };
                format!("{m}|{y}")
            }).collect();
            let exact: i128 = yuans.iter().map(|y| i128::from(*y) * 100).sum();
            let wrapping = yuans.iter().fold(0i64, |acc, y| acc.wrapping_add((*y as i64).wrapping_mul(100)));
            let amount = if wrapped { wrapping } else { i64::try_from(exact).unwrap_or(i64::MAX) };
            // Whatever the number, as the store would hand it over.
            if form(&lines.join("\n")).validate(Money::from_stored(amount)).is_ok() {
                prop_assert_eq!(exact, i128::from(amount));
                prop_assert!(amount <= MAX_AMOUNT_FEN);
            }
        }

    }
}
