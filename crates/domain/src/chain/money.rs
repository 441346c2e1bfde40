//! Money in fen (分, hundredths of a yuan), and funds that never go below zero.

use crate::{labelled, DomainError};
use serde::{Deserialize, Serialize};

labelled! {
    /// Where a fund's money comes from (glossary: `FundSource`).
    pub enum FundSource {
        Special = ("special", "专项资金"),
        WelfareLottery = ("welfare_lottery", "福彩公益金"),
        Community = ("community", "社区基金"),
        Social = ("social", "社会资金"),
    }
}

/// The largest amount anywhere in the product, in fen: 10 亿元 (1,000,000,000 yuan). No fund,
/// pool, budget line, purchase or tranche of community social-service purchasing comes near it; a
/// bound this far above reality refuses typos and crafted numbers (18,447 tranches of about 10
/// trillion yuan once wrapped around to exactly the 25,000 yuan bought) while no sum of bounded
/// amounts can overflow.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000;

/// What a person reads when an amount is not one.
pub const AMOUNT_RULE: &str = "金额应为 0.01 至 1,000,000,000 元之间的元数，最多两位小数";

/// An amount of money in fen, never negative and never above [`MAX_AMOUNT_FEN`]; arithmetic is
/// checked, so a sum either is right or is refused.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// No money at all.
    pub const ZERO: Money = Money(0);

    /// `fen` as money, if within 0..=MAX.
    pub fn from_fen(fen: i64) -> Option<Money> {
        (0..=MAX_AMOUNT_FEN).contains(&fen).then_some(Money(fen))
    }

    /// An amount as typed in yuan, if it is one and within bounds.
    pub fn parse(s: &str) -> Option<Money> {
        parse_yuan(s).and_then(Money::from_fen)
    }

    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// The sum, or `None` if it would pass [`MAX_AMOUNT_FEN`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).and_then(Money::from_fen)
    }

    /// The difference, or `None` if it would go below zero.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).and_then(Money::from_fen)
    }

    /// The sum of `amounts`, or `None` if it would pass the bound (or any amount is not money).
    pub fn sum_fen<I: IntoIterator<Item = i64>>(amounts: I) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, f| acc.checked_add(Money::from_fen(f)?))
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&yuan(self.0))
    }
}

/// Reads an amount in yuan as typed ("12", "12.5", "1,234.56", "¥12.30") into fen; `None` for
/// anything else, and for more than [`MAX_AMOUNT_FEN`].
pub fn parse_yuan(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 13 {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    yuan.checked_mul(100)?
        .checked_add(fen)
        .filter(|f| *f <= MAX_AMOUNT_FEN)
}

/// Fen as yuan for people: `123456` → `1,234.56`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// What is left of a fund after assigning `amount` to a purchase; refused if it would overdraw.
pub fn assign(balance: i64, amount: i64) -> Result<i64, DomainError> {
    if amount <= 0 {
        return Err(DomainError::field(
            "amount",
            "invalid_amount",
            "金额须大于 0",
        ));
    }
    if amount > balance {
        return Err(DomainError::Conflict {
            code: "insufficient_funds",
            message: format!(
                "资金余额不足：余额 {} 元，需 {} 元",
                yuan(balance),
                yuan(amount)
            ),
        });
    }
    Ok(balance - amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_in_and_out() {
        assert_eq!(parse_yuan("12"), Some(1200));
        assert_eq!(parse_yuan("12.5"), Some(1250));
        assert_eq!(parse_yuan("¥1,234.56"), Some(123_456));
        assert_eq!(parse_yuan("0.07"), Some(7));
        for bad in ["", "-1", "1.234", "abc", "1.2.3", ".5"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
        assert_eq!(yuan(123_456), "1,234.56");
        assert_eq!(yuan(7), "0.07");
        assert_eq!(yuan(100_000_000), "1,000,000.00");
    }

    #[test]
    fn a_fund_is_never_overdrawn() {
        assert_eq!(assign(10_000, 10_000).unwrap(), 0);
        let err = assign(10_000, 10_001).unwrap_err();
        assert!(err.to_string().contains("余额不足"));
        assert!(assign(10_000, 0).is_err());
    }

    #[test]
    fn amounts_beyond_the_bound_are_not_money() {
        assert_eq!(parse_yuan("1000000000"), Some(MAX_AMOUNT_FEN));
        assert_eq!(parse_yuan("1000000000.01"), None);
        assert_eq!(parse_yuan("9999999999999"), None);
        assert_eq!(Money::from_fen(-1), None);
        let max = Money::from_fen(MAX_AMOUNT_FEN).unwrap();
        assert_eq!(max.checked_add(Money::from_fen(1).unwrap()), None);
        assert_eq!(Money::ZERO.checked_sub(Money::from_fen(1).unwrap()), None);
        assert_eq!(Money::sum_fen([MAX_AMOUNT_FEN, 1]), None);
        assert_eq!(Money::sum_fen([i64::MAX, i64::MAX]), None);
        assert_eq!(Money::sum_fen([100, 250]).map(Money::fen), Some(350));
        assert_eq!(Money::from_fen(123_456).unwrap().to_string(), "1,234.56");
    }

    proptest! {
        /// Whatever amounts are added, the sum is the exact one (computed in i128) when it is
        /// within the bound, and refused otherwise: never a wrapped-around number.
        #[test]
        fn a_sum_of_money_is_exact_or_refused(amounts in proptest::collection::vec(any::<i64>(), 0..40)) {
            let exact: i128 = amounts.iter().map(|a| i128::from(*a)).sum();
            let all_money = amounts.iter().all(|a| (0..=MAX_AMOUNT_FEN).contains(a));
            match Money::sum_fen(amounts.iter().copied()) {
                Some(m) => {
                    prop_assert!(all_money);
                    prop_assert_eq!(i128::from(m.fen()), exact);
                }
                None => prop_assert!(!all_money || exact > i128::from(MAX_AMOUNT_FEN)),
            }
        }

        #[test]
        fn a_typed_amount_is_within_the_bound_or_refused(s in "[0-9]{1,16}(\\.[0-9]{1,2})?") {
            match parse_yuan(&s) {
                Some(f) => prop_assert!((0..=MAX_AMOUNT_FEN).contains(&f)),
                None => {
                    let whole: u128 = s.split('.').next().unwrap().parse().unwrap();
                    prop_assert!(whole >= 1_000_000_000);
                }
            }
        }

        #[test]
        fn any_sequence_of_assignments_keeps_the_balance_non_negative(
            start in 0i64..1_000_000,
            amounts in proptest::collection::vec(-10i64..300_000, 0..50),
        ) {
            let mut balance = start;
            let mut spent = 0;
            for a in amounts {
                if let Ok(b) = assign(balance, a) {
                    spent += a;
                    balance = b;
                }
                prop_assert!(balance >= 0);
            }
            prop_assert_eq!(balance + spent, start);
        }

        #[test]
        fn yuan_round_trips(fen in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_yuan(&yuan(fen)), Some(fen));
        }
    }
}
