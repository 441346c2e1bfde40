//! Money in fen (分, hundredths of a yuan), and funds that never go below zero.

use crate::{labelled, DomainError};

labelled! {
    /// Where a fund's money comes from (glossary: `FundSource`).
    pub enum FundSource {
        Special = ("special", "专项资金"),
        WelfareLottery = ("welfare_lottery", "福彩公益金"),
        Community = ("community", "社区基金"),
        Social = ("social", "社会资金"),
    }
}

/// Reads an amount in yuan as typed ("12", "12.5", "1,234.56", "¥12.30") into fen.
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
    yuan.checked_mul(100)?.checked_add(fen)
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

    proptest! {
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
