//! Money in fen (分, hundredths of a yuan), and funds that never go below zero.

use crate::{labelled, DomainError};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

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
/// checked, so a sum either is right or is refused. It travels as the bare number of fen: serde
/// reads and writes it as an integer, and its JSON Schema is `i64`'s, inlined, so the JSON API and
/// the OpenAPI document read exactly as when amounts were `i64`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// No money at all.
    pub const ZERO: Money = Money(0);

    /// The largest amount, [`MAX_AMOUNT_FEN`].
    pub const MAX: Money = Money(MAX_AMOUNT_FEN);

    /// `fen` as money, if within 0..=MAX.
    pub fn from_fen(fen: i64) -> Option<Money> {
        (0..=MAX_AMOUNT_FEN).contains(&fen).then_some(Money(fen))
    }

    /// `fen` as money in a constant: an amount out of bounds does not compile.
    pub const fn constant(fen: i64) -> Money {
        assert!(
            fen >= 0 && fen <= MAX_AMOUNT_FEN,
            "an amount of money is 0..=MAX_AMOUNT_FEN fen"
        );
        Money(fen)
    }

    /// A stored amount; the database's CHECK constraints and the domain bounds kept it in range.
    /// Only for what the store reads back (it is taken as it is, like `AreaCode::from_stored`).
    pub fn from_stored(fen: i64) -> Money {
        Money(fen)
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

    /// The sum of `amounts`, or `None` if it would pass the bound.
    pub fn sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }

    /// The amount in yuan for people: `123456` fen → `1,234.56` (the one way amounts are shown).
    pub fn yuan(self) -> String {
        yuan(self.0)
    }
}

// Written by hand, not derived: exactly `i64`'s schema, inlined, so that the OpenAPI document
// describes an amount as the integer it is on the wire (as before amounts were `Money`).
impl JsonSchema for Money {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        i64::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        i64::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        i64::json_schema(generator)
    }
}

/// Reads an amount in yuan as typed ("12", "12.5", "1,234.56", "¥12.30") into fen; `None` for
/// anything else, and for more than [`MAX_AMOUNT_FEN`].
pub fn parse_yuan(s: &str) -> Option<i64> {
    let t: String = crate::text::half_width(s.trim())
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

/// Fen as yuan for people: `123456` → `1,234.56` (an amount of [`Money`] is shown with
/// [`Money::yuan`], which calls this).
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
pub fn assign(balance: Money, amount: Money) -> Result<Money, DomainError> {
    if amount <= Money::ZERO {
        return Err(DomainError::field(
            "amount",
            "invalid_amount",
            "金额须大于 0",
        ));
    }
    balance.checked_sub(amount).ok_or_else(|| {
        DomainError::conflict(
            "insufficient_funds",
            format!(
                "资金余额不足：余额 {} 元，需 {} 元",
                balance.yuan(),
                amount.yuan()
            ),
        )
    })
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

    fn fen(f: i64) -> Money {
        Money::from_fen(f).unwrap()
    }

    #[test]
    fn a_fund_is_never_overdrawn() {
        assert_eq!(assign(fen(10_000), fen(10_000)).unwrap(), Money::ZERO);
        let err = assign(fen(10_000), fen(10_001)).unwrap_err();
        assert!(err.to_string().contains("余额不足"));
        assert!(err.to_string().contains("100.00"));
        assert!(assign(fen(10_000), Money::ZERO).is_err());
    }

    #[test]
    fn money_is_read_back_as_stored_and_shown_in_yuan() {
        assert_eq!(Money::from_stored(123_456).fen(), 123_456);
        assert_eq!(Money::from_stored(0), Money::ZERO);
        assert_eq!(Money::from_stored(MAX_AMOUNT_FEN), Money::MAX);
        assert_eq!(Money::from_fen(MAX_AMOUNT_FEN), Some(Money::MAX));
        const C: Money = Money::constant(2_000_000);
        assert_eq!(C, fen(2_000_000));
        assert_eq!(fen(123_456).yuan(), "1,234.56");
        assert_eq!(fen(7).yuan(), "0.07");
        assert_eq!(Money::ZERO.yuan(), "0.00");
        assert_eq!(Money::MAX.yuan(), "1,000,000,000.00");
        assert!(fen(1) > Money::ZERO && fen(99) < fen(100));
        assert_eq!(Money::sum([fen(100), fen(250)]), Some(fen(350)));
        assert_eq!(Money::sum([Money::MAX, fen(1)]), None);
        assert_eq!(Money::sum([]), Some(Money::ZERO));
    }

    #[test]
    fn money_reads_as_a_bare_integer_with_the_schema_of_i64() {
        use serde::de::value::{Error, I64Deserializer};
        let read = Money::deserialize(I64Deserializer::<Error>::new(4_200));
        assert_eq!(read, Ok(fen(4_200)));
        // Written through serde_json (which schemars carries; domain has no JSON dependency).
        let written =
            schemars::json_schema!({ "amount_fen": fen(4_200), "none": Option::<Money>::None });
        assert_eq!(
            written.as_value().to_string(),
            r#"{"amount_fen":4200,"none":null}"#
        );
        assert!(Money::inline_schema());
        assert_eq!(Money::schema_name(), i64::schema_name());
        assert_eq!(Money::schema_id(), i64::schema_id());
        assert_eq!(
            schemars::schema_for!(Money),
            schemars::schema_for!(i64),
            "the document describes an amount exactly as an i64"
        );
        assert_eq!(
            schemars::schema_for!(Option<Money>),
            schemars::schema_for!(Option<i64>)
        );
        assert_eq!(
            schemars::schema_for!((&str, Money, bool)),
            schemars::schema_for!((&str, i64, bool))
        );
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
        assert_eq!(Money::from_fen(123_456).unwrap().yuan(), "1,234.56");
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
            amounts in proptest::collection::vec(0i64..300_000, 0..50),
        ) {
            let mut balance = fen(start);
            let mut spent = 0;
            for a in amounts {
                if let Ok(b) = assign(balance, fen(a)) {
                    prop_assert!(a > 0);
                    spent += a;
                    balance = b;
                }
                prop_assert!(balance >= Money::ZERO);
            }
            prop_assert_eq!(balance.fen() + spent, start);
        }

        #[test]
        fn yuan_round_trips(fen in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_yuan(&yuan(fen)), Some(fen));
        }
    }
}
