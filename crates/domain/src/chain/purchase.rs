//! The township's purchase decision (YQ step 5; MECHANISM §4 step 5) and the funds it draws on.
//! A decision states its reasons; buying assigns an amount no larger than the application's
//! budget from a fund of the township that covers the community, and a fund never goes below
//! zero (`money::assign`; the store applies the same guard in one statement, so simultaneous
//! decisions cannot overdraw it).

use crate::chain::money::{FundSource, Money};
use crate::chain::stage::{Event, Stage};
use crate::{Actor, AreaCode, AreaLevel, Denied, DomainError, FieldError, Role};
use serde::{Deserialize, Serialize};

/// A fund as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FundForm {
    /// The area whose money it is (a township, county or city code).
    pub area: String,
    pub name: String,
    pub source: String,
    pub year: String,
    /// The amount appropriated, in yuan.
    pub budget: String,
}

/// A checked fund of a township, county or city: its source, year and budget in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fund {
    pub area: AreaCode,
    pub name: String,
    pub source: FundSource,
    pub year: i32,
    pub budget_fen: Money,
}

impl FundForm {
    /// Checks the fund: an area of the right level, a name, a source, a year and a budget.
    pub fn validate(&self) -> Result<Fund, DomainError> {
        let mut errors = Vec::new();
        let area = AreaCode::parse(self.area.trim()).ok();
        if !matches!(&area, Some(a) if matches!(a.level(), AreaLevel::Township | AreaLevel::County | AreaLevel::City))
        {
            errors.push(FieldError::new(
                "area",
                "invalid_area",
                "请填写资金所属的街道（乡镇）、县（区）或市的区划代码",
            ));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写资金名称（不超过 60 字）",
            ));
        }
        let source = FundSource::parse(self.source.trim());
        if source.is_none() {
            errors.push(FieldError::new(
                "source",
                "invalid_source",
                "请选择资金来源",
            ));
        }
        let year = self
            .year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            errors.push(FieldError::new(
                "year",
                "invalid_year",
                "请填写年度（如 2027）",
            ));
        }
        let budget = Money::parse(&self.budget).filter(|f| *f > Money::ZERO);
        if budget.is_none() {
            errors.push(FieldError::new(
                "budget",
                "invalid_amount",
                crate::chain::money::AMOUNT_RULE,
            ));
        }
        match (area, source, year, budget) {
            (Some(area), Some(source), Some(year), Some(budget_fen)) if errors.is_empty() => {
                Ok(Fund {
                    area,
                    name: name.to_string(),
                    source,
                    year,
                    budget_fen,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// The township's decision as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseForm {
    /// `buy` or `decline`.
    pub decision: String,
    pub reason: String,
    pub fund_id: String,
    /// The amount assigned, in yuan (buying only).
    pub amount: String,
}

/// What the decision does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Purchase {
    Buy { fund_id: String, amount_fen: Money },
    Decline,
}

impl PurchaseForm {
    /// Checks the decision against the project's stage and the application's budget; the
    /// resulting stage comes with it.
    pub fn decide(
        &self,
        stage: Stage,
        budget_fen: Money,
    ) -> Result<(Purchase, Stage), DomainError> {
        let buy = match self.decision.trim() {
            "buy" | "true" => true,
            "decline" | "false" => false,
            _ => {
                return Err(DomainError::field(
                    "decision",
                    "invalid_decision",
                    "请选择购买或不予购买",
                ))
            }
        };
        let to = stage.next(Event::Decide { buy })?;
        let mut errors = Vec::new();
        if self.reason.trim().chars().count() < 4 {
            errors.push(FieldError::new(
                "reason",
                "required",
                "请写明决定理由（至少 4 个字）",
            ));
        }
        let purchase = if buy {
            if self.fund_id.trim().is_empty() {
                errors.push(FieldError::new("fund_id", "required", "请选择支付资金"));
            }
            match Money::parse(&self.amount) {
                Some(f) if f > Money::ZERO && f <= budget_fen => Purchase::Buy {
                    fund_id: self.fund_id.trim().to_string(),
                    amount_fen: f,
                },
                Some(f) if f > budget_fen => {
                    errors.push(FieldError::new(
                        "amount",
                        "over_budget",
                        format!("购买金额不能超过申请书预算 {} 元", budget_fen.yuan()),
                    ));
                    Purchase::Decline
                }
                _ => {
                    errors.push(FieldError::new(
                        "amount",
                        "invalid_amount",
                        crate::chain::money::AMOUNT_RULE,
                    ));
                    Purchase::Decline
                }
            }
        } else {
            Purchase::Decline
        };
        if errors.is_empty() {
            Ok((purchase, to))
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// A fund may pay for a project when it belongs to the community's township (or the community).
pub fn fund_covers(fund_area: &AreaCode, community: &AreaCode) -> Result<(), DomainError> {
    if fund_area.contains(community) && fund_area.level() >= AreaLevel::Township {
        Ok(())
    } else {
        Err(DomainError::field(
            "fund_id",
            "fund_elsewhere",
            "只能使用本街道（乡镇）的资金",
        ))
    }
}

/// Who keeps funds: the township (street office) and the civil-affairs bureaus.
const FUND_KEEPERS: [Role; 3] = [Role::TownshipOfficer, Role::CountyBureau, Role::CityBureau];

/// Whether the actor registers and keeps funds of `area`, and in which role.
pub fn can_keep_funds(actor: &Actor, area: &AreaCode) -> Result<Role, Denied> {
    actor
        .assignments
        .iter()
        .find(|a| FUND_KEEPERS.contains(&a.role) && a.area.contains(area))
        .map(|a| a.role)
        .ok_or_else(|| Denied {
            code: "not_fund_keeper",
            message: "无权操作：资金由街道（乡镇）或民政部门登记".into(),
        })
}

/// The areas whose funds the actor keeps (for the form that registers a fund).
pub fn keeps_funds_in(actor: &Actor) -> Vec<AreaCode> {
    actor
        .assignments
        .iter()
        .filter(|a| FUND_KEEPERS.contains(&a.role))
        .map(|a| a.area.clone())
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn funds_are_kept_by_the_township_and_the_bureaus_of_their_area() {
        let officer = |role: Role, area: &str| crate::testing::actor(role, area, None);
        let township = AreaCode::parse("341002002").unwrap();
        for (role, area, keeps) in [
            (Role::TownshipOfficer, "341002002", true),
            (Role::CountyBureau, "341002", true),
            (Role::CityBureau, "3410", true),
            (Role::CountyBureau, "341021", false),
            (Role::CommunityOfficer, "341002002", false),
            (Role::Supervisor, "3410", false),
        ] {
            let a = officer(role, area);
            assert_eq!(
                can_keep_funds(&a, &township).is_ok(),
                keeps,
                "{role:?} {area}"
            );
            assert_eq!(
                keeps_funds_in(&a).is_empty(),
                !matches!(
                    role,
                    Role::TownshipOfficer | Role::CountyBureau | Role::CityBureau
                )
            );
        }
    }
    use super::*;

    fn fen(f: i64) -> Money {
        Money::from_fen(f).unwrap()
    }

    fn form(decision: &str, amount: &str) -> PurchaseForm {
        PurchaseForm {
            decision: decision.into(),
            reason: "需求迫切，居民代表会议全票通过".into(),
            fund_id: "3410-f".into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn a_decision_needs_a_passed_vote_reasons_and_an_amount_within_the_budget() {
        let (p, to) = form("buy", "30000")
            .decide(Stage::Passed, fen(3_000_000))
            .unwrap();
        assert_eq!(to, Stage::Purchased);
        assert_eq!(
            p,
            Purchase::Buy {
                fund_id: "3410-f".into(),
                amount_fen: fen(3_000_000)
            }
        );
        let (p, to) = form("decline", "").decide(Stage::Passed, fen(1)).unwrap();
        assert_eq!((p, to), (Purchase::Decline, Stage::Declined));
        let DomainError::Conflict { code, .. } = form("buy", "1")
            .decide(Stage::Voting, fen(100))
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(code, "vote_not_sealed");
        let DomainError::Invalid(e) = form("buy", "30000.01")
            .decide(Stage::Passed, fen(3_000_000))
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(e[0].code, "over_budget");
        let mut f = form("buy", "x");
        f.reason = "好".into();
        f.fund_id = String::new();
        let DomainError::Invalid(e) = f.decide(Stage::Passed, fen(100)).unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["reason", "fund_id", "amount"]);
    }

    #[test]
    fn funds_belong_to_the_township_of_the_community() {
        let c = AreaCode::parse("341002002001").unwrap();
        assert!(fund_covers(&AreaCode::parse("341002002").unwrap(), &c).is_ok());
        assert!(fund_covers(&AreaCode::parse("341002003").unwrap(), &c).is_err());
        assert!(
            fund_covers(&AreaCode::parse("341002").unwrap(), &c).is_err(),
            "a county fund is allocated to townships first"
        );
        let f = FundForm {
            area: "341002002".into(),
            name: "2027 年社区服务专项资金".into(),
            source: "special".into(),
            year: "2027".into(),
            budget: "200,000".into(),
        };
        assert_eq!(f.validate().unwrap().budget_fen, fen(20_000_000));
        let bad = FundForm {
            area: "341002002001".into(),
            source: "gold".into(),
            year: "27".into(),
            budget: "-1".into(),
            ..f
        };
        let DomainError::Invalid(e) = bad.validate().unwrap_err() else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["area", "source", "year", "budget"]);
    }
}
