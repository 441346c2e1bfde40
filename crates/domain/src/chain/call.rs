//! Venture-philanthropy calls (公益创投) and community micro calls (微公益创投) (MECHANISM §1;
//! issue 5): a fund holder opens a call with a theme, priority groups, a pool of money, a
//! per-project ceiling and dates; awards are made within the pool and the ceiling, and a call
//! never awards more than its pool.

use crate::chain::money::{parse_yuan, yuan};
use crate::chain::need::PriorityGroup;
use crate::{DomainError, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CallForm {
    pub theme: String,
    /// Priority-group codes, separated by commas.
    pub groups: String,
    /// The pool, in yuan.
    pub pool: String,
    /// The most one project may be awarded, in yuan.
    pub ceiling: String,
    pub opens_on: String,
    pub closes_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub theme: String,
    pub groups: Vec<PriorityGroup>,
    pub pool_fen: i64,
    pub ceiling_fen: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

impl CallForm {
    pub fn validate(&self) -> Result<Call, DomainError> {
        let mut errors = Vec::new();
        let theme = self.theme.trim();
        if theme.is_empty() || theme.chars().count() > 80 {
            errors.push(FieldError::new(
                "theme",
                "required",
                "请填写创投主题（不超过 80 字）",
            ));
        }
        let mut groups = Vec::new();
        for g in self
            .groups
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            match PriorityGroup::parse(g) {
                Some(p) if !groups.contains(&p) => groups.push(p),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "groups",
                    "invalid_group",
                    format!("“{g}”不是重点人群类别"),
                )),
            }
        }
        let money = |field: &str, v: &str, errors: &mut Vec<FieldError>| match parse_yuan(v) {
            Some(f) if f > 0 => Some(f),
            _ => {
                errors.push(FieldError::new(
                    field,
                    "invalid_amount",
                    "金额应为大于 0 的元数，最多两位小数",
                ));
                None
            }
        };
        let pool = money("pool", &self.pool, &mut errors);
        let ceiling = money("ceiling", &self.ceiling, &mut errors);
        if let (Some(p), Some(c)) = (pool, ceiling) {
            if c > p {
                errors.push(FieldError::new(
                    "ceiling",
                    "over_pool",
                    format!("单个项目上限不能超过资金池 {} 元", yuan(p)),
                ));
            }
        }
        let date = |field: &str, v: &str, errors: &mut Vec<FieldError>| {
            let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
            if d.is_none() {
                errors.push(FieldError::new(
                    field,
                    "invalid_date",
                    "日期应写作 YYYY-MM-DD",
                ));
            }
            d
        };
        let opens = date("opens_on", &self.opens_on, &mut errors);
        let closes = date("closes_on", &self.closes_on, &mut errors);
        if let (Some(o), Some(c)) = (opens, closes) {
            if c < o {
                errors.push(FieldError::new(
                    "closes_on",
                    "period_order",
                    "截止日期早于开始日期",
                ));
            }
        }
        match (pool, ceiling, opens, closes) {
            (Some(pool_fen), Some(ceiling_fen), Some(opens_on), Some(closes_on))
                if errors.is_empty() =>
            {
                Ok(Call {
                    theme: theme.to_string(),
                    groups,
                    pool_fen,
                    ceiling_fen,
                    opens_on,
                    closes_on,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// An award of `amount` on a call with `remaining` of its pool: within the ceiling and the pool;
/// the pool's remainder afterwards.
pub fn award(remaining: i64, ceiling: i64, amount: i64) -> Result<i64, DomainError> {
    if amount <= 0 {
        return Err(DomainError::field(
            "amount",
            "invalid_amount",
            "金额须大于 0",
        ));
    }
    if amount > ceiling {
        return Err(DomainError::field(
            "amount",
            "over_ceiling",
            format!("超过单个项目上限 {} 元", yuan(ceiling)),
        ));
    }
    if amount > remaining {
        return Err(DomainError::Conflict {
            code: "pool_exhausted",
            message: format!(
                "资金池余额 {} 元，不足以资助 {} 元",
                yuan(remaining),
                yuan(amount)
            ),
        });
    }
    Ok(remaining - amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_call_names_every_bad_field() {
        let ok = CallForm {
            theme: "关爱一老一小".into(),
            groups: "special_elderly, children_in_difficulty".into(),
            pool: "500000".into(),
            ceiling: "50000".into(),
            opens_on: "2027-03-01".into(),
            closes_on: "2027-04-30".into(),
        };
        let c = ok.validate().unwrap();
        assert_eq!(
            (c.pool_fen, c.ceiling_fen, c.groups.len()),
            (50_000_000, 5_000_000, 2)
        );
        let bad = CallForm {
            groups: "rich".into(),
            ceiling: "600000".into(),
            closes_on: "2027-02-01".into(),
            ..ok
        };
        let DomainError::Invalid(e) = bad.validate().unwrap_err() else {
            panic!()
        };
        let codes: Vec<&str> = e.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["invalid_group", "over_pool", "period_order"]);
    }

    proptest! {
        /// Whatever awards are asked for, in any order, the sum granted never exceeds the pool
        /// and none exceeds the ceiling.
        #[test]
        fn awards_never_exceed_the_pool(asks in proptest::collection::vec(1i64..80_000, 0..40), pool in 1i64..500_000, ceiling in 1i64..60_000) {
            let mut remaining = pool;
            let mut granted = 0;
            for a in asks {
                if let Ok(r) = award(remaining, ceiling, a) {
                    prop_assert!(a <= ceiling);
                    granted += a;
                    remaining = r;
                }
            }
            prop_assert!(granted <= pool);
            prop_assert_eq!(remaining, pool - granted);
        }
    }
}
