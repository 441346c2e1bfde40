//! The service catalogue and undertaking eligibility (YQ step 1; MECHANISM §4 step 1): the
//! community committee lists the public-service items it can transfer (委托转移服务事项目录清单),
//! the township approves them; organizations apply for eligibility (承接资格) on approved items,
//! and the township approves. An organization that undertakes a social-service project must have
//! professional social-work staff (HS 二(三), "必备条件"): the approver sees whether it has, and
//! may override only with a written reason.

use crate::{labelled, Actor, AreaCode, Denied, DomainError, FieldError, Role};
use serde::{Deserialize, Serialize};

labelled! {
    /// Where a catalogue item is in the township's review.
    pub enum ItemStatus {
        /// Listed by the community, waiting for the township.
        Proposed = ("proposed", "待街道审核"),
        Approved = ("approved", "已审核"),
        /// Sent back by the township with a reason.
        Returned = ("returned", "已退回"),
    }
}

labelled! {
    /// Where an organization's application for undertaking eligibility on an item stands.
    pub enum EligibilityStatus {
        Pending = ("pending", "待审核"),
        Approved = ("approved", "已具备承接资格"),
        Rejected = ("rejected", "未通过"),
    }
}

/// A catalogue item as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    /// The community's 12-digit code.
    pub community: String,
    pub name: String,
    pub description: String,
    /// Whether delivering it is social-work service (the staffing condition applies).
    pub social_work: String,
    /// The period (year) of the catalogue it belongs to; empty for the current one.
    pub period: String,
}

/// A checked catalogue item of a community, marked when it is social-work service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItem {
    pub community: AreaCode,
    pub name: String,
    pub description: String,
    pub social_work: bool,
    /// The year of the community's catalogue the item belongs to (China time).
    pub period: i32,
}

/// The period (a year, China time) a moment falls in: a community's catalogue is yearly.
pub fn period_of(china: chrono::NaiveDateTime) -> i32 {
    chrono::Datelike::year(&china)
}

/// The periods an item may be listed in when `current` is this year: last year (late
/// corrections), this year, and next year (a catalogue prepared before the year starts).
pub fn listable_periods(current: i32) -> std::ops::RangeInclusive<i32> {
    current - 1..=current + 1
}

/// A period filter as typed in a list's query: empty is the current period, `all` every
/// period, otherwise a year (`Ok(None)` is every period).
pub fn period_filter(text: &str, current: i32) -> Result<Option<i32>, DomainError> {
    match text.trim() {
        "" => Ok(Some(current)),
        "all" => Ok(None),
        t => t
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| {
                DomainError::field("period", "invalid_period", "年度须为四位年份，或“全部”")
            }),
    }
}

/// The years a period filter offers when `current` is this year: the two before, this one and
/// the next (a catalogue may be prepared before its year starts).
pub fn offered_periods(current: i32) -> Vec<i32> {
    (current - 2..=current + 1).rev().collect()
}

/// `"on"`, `"true"`, `"1"`, `"是"`: a checked box or a yes.
fn yes(s: &str) -> bool {
    matches!(s.trim(), "on" | "true" | "1" | "是")
}

impl ItemForm {
    /// Checks the item: a 12-digit community code, a name and a description of bounded length,
    /// and a period among [`listable_periods`] of `current` (empty: `current`).
    pub fn validate(&self, current: i32) -> Result<CatalogueItem, DomainError> {
        let mut errors = Vec::new();
        let community = match AreaCode::parse(self.community.trim()) {
            Ok(c) if c.level() == crate::AreaLevel::Community => Some(c),
            _ => {
                errors.push(FieldError::new(
                    "community",
                    "invalid_community",
                    "请填写社区的 12 位区划代码",
                ));
                None
            }
        };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            errors.push(FieldError::new(
                "name",
                "required",
                "请填写服务事项名称（不超过 60 字）",
            ));
        }
        let description = self.description.trim();
        if description.chars().count() > 1000 {
            errors.push(FieldError::new(
                "description",
                "too_long",
                "事项说明不超过 1000 字",
            ));
        }
        let period = match self.period.trim() {
            "" => Some(current),
            t => t
                .parse::<i32>()
                .ok()
                .filter(|p| listable_periods(current).contains(p)),
        };
        if period.is_none() {
            errors.push(FieldError::new(
                "period",
                "invalid_period",
                format!("年度须为 {} 至 {} 年之一", current - 1, current + 1),
            ));
        }
        match (community, period) {
            (Some(community), Some(period)) if errors.is_empty() => Ok(CatalogueItem {
                community,
                name: name.to_string(),
                description: description.to_string(),
                social_work: yes(&self.social_work),
                period,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

fn holds(actor: &Actor, roles: &[Role], area: &AreaCode) -> Option<Role> {
    actor
        .assignments
        .iter()
        .find(|a| roles.contains(&a.role) && a.area.contains(area))
        .map(|a| a.role)
}

/// The community committee keeps its catalogue (YQ step 1).
pub fn can_list(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, &[Role::CommunityOfficer], community).ok_or_else(|| Denied {
        code: "not_community_officer",
        message: "无权操作：服务事项目录由本社区居委会编制".into(),
    })
}

/// The township above the community approves the catalogue and the eligibilities.
pub fn can_approve(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, &[Role::TownshipOfficer], community).ok_or_else(|| Denied {
        code: "not_township_officer",
        message: "无权操作：目录和承接资格由社区所在的街道（乡镇）审核".into(),
    })
}

/// The manager of an organization applies for its eligibility.
pub fn can_apply(actor: &Actor, organization_id: &str) -> Result<Role, Denied> {
    actor
        .assignments
        .iter()
        .find(|a| {
            a.role == Role::OrganizationManager
                && a.organization_id.as_deref() == Some(organization_id)
        })
        .map(|a| a.role)
        .ok_or_else(|| Denied {
            code: "not_organization_manager",
            message: "无权操作：承接资格由该社会组织负责人申请".into(),
        })
}

/// The organizations an actor applies for (for eligibility, in calls): those they manage, each
/// passing [`can_apply`].
pub fn applies_for(actor: &Actor) -> Vec<String> {
    actor
        .assignments
        .iter()
        .filter(|a| a.role == Role::OrganizationManager)
        .filter_map(|a| a.organization_id.clone())
        .collect()
}

/// The communities whose catalogue the actor lists items in (each passing [`can_list`]).
pub fn lists_for(actor: &Actor) -> Vec<AreaCode> {
    let mut out: Vec<AreaCode> = actor
        .assignments
        .iter()
        .filter(|a| a.area.level() == crate::AreaLevel::Community)
        .filter(|a| can_list(actor, &a.area).is_ok())
        .map(|a| a.area.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The township's decision on an item.
pub fn review_item(
    status: ItemStatus,
    approve: bool,
    reason: &str,
) -> Result<ItemStatus, DomainError> {
    if status != ItemStatus::Proposed {
        return Err(DomainError::conflict(
            "item_decided",
            format!("该事项已{}，不能再审核", status.zh()),
        ));
    }
    if !approve && reason.trim().chars().count() < 4 {
        return Err(DomainError::field(
            "reason",
            "reason_required",
            "退回须写明理由（至少 4 个字）",
        ));
    }
    Ok(if approve {
        ItemStatus::Approved
    } else {
        ItemStatus::Returned
    })
}

/// Whether an organization may apply for eligibility on an item in `status`.
pub fn item_open(status: ItemStatus) -> Result<(), DomainError> {
    if status == ItemStatus::Approved {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "item_not_approved",
            "该事项尚未经街道审核通过，不能申请承接资格",
        ))
    }
}

/// The professional-staff condition (HS 二(三)): at least one social worker employed by the
/// organization, or a professional post held by one of its social workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Staffing {
    pub social_workers: i64,
}

impl Staffing {
    /// Whether the organization has the professional social-work staff the condition requires.
    pub fn met(&self) -> bool {
        self.social_workers > 0
    }
}

/// The township's decision on an eligibility. Approving a social-work item for an organization
/// without professional staff needs a written override reason; rejecting needs a reason.
pub fn decide_eligibility(
    status: EligibilityStatus,
    approve: bool,
    social_work: bool,
    staffing: Staffing,
    reason: &str,
) -> Result<EligibilityStatus, DomainError> {
    if status != EligibilityStatus::Pending {
        return Err(DomainError::conflict(
            "eligibility_decided",
            format!("该申请已{}，不能再审核", status.zh()),
        ));
    }
    let reason = reason.trim();
    if !approve {
        if reason.chars().count() < 4 {
            return Err(DomainError::field(
                "reason",
                "reason_required",
                "不予通过须写明理由（至少 4 个字）",
            ));
        }
        return Ok(EligibilityStatus::Rejected);
    }
    if social_work && !staffing.met() && reason.chars().count() < 10 {
        return Err(DomainError::field(
            "reason",
            "staffing_override_reason",
            "该组织没有专业社会工作人员（黄山市 二(三) 必备条件）；如确需通过，须书面说明理由（至少 10 个字）",
        ));
    }
    Ok(EligibilityStatus::Approved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::actor;

    #[test]
    fn managers_apply_for_their_organizations_and_officers_list_for_their_community() {
        let manager = actor(Role::OrganizationManager, "341002", Some("o1"));
        assert_eq!(applies_for(&manager), vec!["o1".to_string()]);
        assert!(can_apply(&manager, "o1").is_ok());
        let officer = actor(Role::CommunityOfficer, "341002002001", None);
        assert!(applies_for(&officer).is_empty());
        assert_eq!(
            lists_for(&officer),
            vec![AreaCode::parse("341002002001").unwrap()]
        );
        assert!(lists_for(&manager).is_empty());
        // A community officer at a township lists nowhere: items are a community's.
        assert!(lists_for(&actor(Role::CommunityOfficer, "341002002", None)).is_empty());
    }

    #[test]
    fn a_period_filter_defaults_to_the_current_year() {
        assert_eq!(period_filter("", 2026).unwrap(), Some(2026));
        assert_eq!(period_filter("all", 2026).unwrap(), None);
        assert_eq!(period_filter(" 2025 ", 2026).unwrap(), Some(2025));
        assert!(period_filter("去年", 2026).is_err());
        assert!(period_filter("1999", 2026).is_err());
        assert_eq!(offered_periods(2026), vec![2027, 2026, 2025, 2024]);
    }

    #[test]
    fn an_item_names_its_community() {
        let f = ItemForm {
            community: "341002002001".into(),
            name: "居家养老上门服务".into(),
            description: String::new(),
            social_work: "on".into(),
            period: String::new(),
        };
        let item = f.validate(2026).unwrap();
        assert!(item.social_work);
        // An empty period is the current one; next year's catalogue may be prepared, not 2030's.
        assert_eq!(item.period, 2026);
        let next = ItemForm {
            period: "2027".into(),
            ..f.clone()
        };
        assert_eq!(next.validate(2026).unwrap().period, 2027);
        let far = ItemForm {
            period: "2030".into(),
            ..f.clone()
        };
        let DomainError::Invalid(e) = far.validate(2026).unwrap_err() else {
            panic!()
        };
        assert_eq!(e[0].field, "period");
        let bad = ItemForm {
            community: "341002002".into(),
            ..ItemForm::default()
        };
        let DomainError::Invalid(e) = bad.validate(2026).unwrap_err() else {
            panic!()
        };
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn the_community_lists_the_township_approves_the_manager_applies() {
        let c = AreaCode::parse("341002002001").unwrap();
        assert!(can_list(&actor(Role::CommunityOfficer, "341002002001", None), &c).is_ok());
        assert!(can_list(&actor(Role::CommunityOfficer, "341002002002", None), &c).is_err());
        assert!(can_list(&actor(Role::TownshipOfficer, "341002002", None), &c).is_err());
        assert!(can_approve(&actor(Role::TownshipOfficer, "341002002", None), &c).is_ok());
        assert!(can_approve(&actor(Role::TownshipOfficer, "341002001", None), &c).is_err());
        assert!(can_approve(&actor(Role::CommunityOfficer, "341002002001", None), &c).is_err());
        let m = actor(Role::OrganizationManager, "341002002001", Some("3410-a"));
        assert!(can_apply(&m, "3410-a").is_ok());
        assert!(can_apply(&m, "3410-b").is_err());
        assert!(can_apply(
            &actor(Role::OrganizationMember, "341002002001", Some("3410-a")),
            "3410-a"
        )
        .is_err());
    }

    #[test]
    fn items_are_decided_once_and_returned_with_a_reason() {
        assert_eq!(
            review_item(ItemStatus::Proposed, true, "").unwrap(),
            ItemStatus::Approved
        );
        assert!(review_item(ItemStatus::Proposed, false, "").is_err());
        assert_eq!(
            review_item(ItemStatus::Proposed, false, "与现有项目重复").unwrap(),
            ItemStatus::Returned
        );
        assert!(review_item(ItemStatus::Approved, false, "重新考虑一下").is_err());
        assert!(item_open(ItemStatus::Approved).is_ok());
        assert!(item_open(ItemStatus::Proposed).is_err());
        assert!(item_open(ItemStatus::Returned).is_err());
    }

    #[test]
    fn without_professional_staff_only_a_written_reason_lets_a_social_work_eligibility_pass() {
        let none = Staffing { social_workers: 0 };
        let one = Staffing { social_workers: 1 };
        let p = EligibilityStatus::Pending;
        assert_eq!(
            decide_eligibility(p, true, true, one, "").unwrap(),
            EligibilityStatus::Approved
        );
        let err = decide_eligibility(p, true, true, none, "").unwrap_err();
        assert!(err_text(&err).contains("必备条件"), "{err:?}");
        assert!(decide_eligibility(p, true, true, none, "太短的理由").is_err());
        assert_eq!(
            decide_eligibility(
                p,
                true,
                true,
                none,
                "该组织已签约两名社工，下月到岗，先行通过"
            )
            .unwrap(),
            EligibilityStatus::Approved
        );
        // Not a social-work item: the condition does not apply.
        assert!(decide_eligibility(p, true, false, none, "").is_ok());
        assert!(
            decide_eligibility(p, false, true, one, "").is_err(),
            "rejection needs a reason"
        );
        assert_eq!(
            decide_eligibility(p, false, true, one, "服务范围不符").unwrap(),
            EligibilityStatus::Rejected
        );
        assert!(decide_eligibility(
            EligibilityStatus::Approved,
            false,
            true,
            one,
            "改变主意了啊"
        )
        .is_err());
    }

    fn err_text(e: &DomainError) -> String {
        match e {
            DomainError::Invalid(f) => f.iter().map(|x| x.message.clone()).collect(),
            other => other.to_string(),
        }
    }
}
