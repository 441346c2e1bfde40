//! The community committee's powers (社区居(管)委会, MECHANISM §2; YQ steps 3, 4, 6, 7): it
//! convenes the consultation meeting, chairs the representatives' meeting and seals its results,
//! convenes coordination meetings, and convenes the review group. One function per power, so
//! that a page's button and its command ask the same question.
//!
//! Who holds them: a community officer of the project's own community, and nobody else. The
//! seeds give each of these powers to the community committee by name ("社区居(管)委会主持召开",
//! "社区居(管)委会牵头组织"), while the township (street office) and the bureaus are the
//! purchaser (购买方, YQ step 5) that decides, signs and pays. A purchaser that also chaired the
//! vote, formed the review group or wrote the verdict would decide on its own purchase and release
//! its own final tranche; so an officer who keeps the funds over the community (a township,
//! county or city officer whose area holds it) is refused these powers even when the same
//! account also holds a community role there. The review group's report is signed by the group's
//! chair, not by the committee: see `review_group::may_sign_report`.

use crate::area::AreaCode;
use crate::authz::Denied;
use crate::chain::purchase::can_keep_funds;
use crate::identity::{Actor, Role};

/// A power of the community committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// Convene the consultation meeting and record and sign its minutes (YQ step 3).
    ConveneConsultation,
    /// Open the representatives' meeting, record attendance, enter paper counts and seal (step 4).
    ChairVote,
    /// Convene a coordination meeting during delivery (社区事务协调会, YQ step 6).
    ConveneCoordination,
    /// Convene the review group and name its members (评议小组, YQ step 7).
    ConveneReview,
    /// Record the mid-term review with the supervisor (中期评估, issue 16).
    ReviewMidterm,
}

impl Power {
    /// What the power is, in Chinese, as a refusal names it.
    pub fn zh(self) -> &'static str {
        match self {
            Power::ConveneConsultation => "召开恳谈会",
            Power::ChairVote => "主持居民代表会议表决",
            Power::ConveneCoordination => "召开社区事务协调会",
            Power::ConveneReview => "组建评议小组",
            Power::ReviewMidterm => "组织中期评估",
        }
    }
}

/// Whether `actor` holds `power` for `community`, and under which role; the refusal names why.
pub fn holds(actor: &Actor, power: Power, community: &AreaCode) -> Result<Role, Denied> {
    if let Ok(role) = can_keep_funds(actor, community) {
        return Err(Denied {
            code: "purchaser_conflict",
            message: format!(
                "无权操作：您以{}身份是本社区项目的购买方，不能{}（由社区居委会办理）",
                role.zh(),
                power.zh()
            ),
        });
    }
    actor
        .assignments
        .iter()
        .find(|a| a.role == Role::CommunityOfficer && a.area == *community)
        .map(|a| a.role)
        .ok_or_else(|| Denied {
            code: "not_committee",
            message: format!("无权操作：{}由本社区居委会办理", power.zh()),
        })
}

/// The committee convenes the consultation meeting (YQ step 3).
pub fn may_convene_consultation(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, Power::ConveneConsultation, community)
}

/// The committee chairs the representatives' meeting: attendance, paper counts, sealing (step 4).
pub fn may_chair_vote(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, Power::ChairVote, community)
}

/// The committee convenes coordination meetings (YQ step 6).
pub fn may_convene_coordination(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, Power::ConveneCoordination, community)
}

/// The committee convenes the review group (YQ step 7).
pub fn may_convene_review(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, Power::ConveneReview, community)
}

/// The committee records the mid-term review with the supervisor (issue 16): the purchaser,
/// who pays the tranche that waits for it, does not.
pub fn may_review_midterm(actor: &Actor, community: &AreaCode) -> Result<Role, Denied> {
    holds(actor, Power::ReviewMidterm, community)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{actor, holding};

    type May = fn(&Actor, &AreaCode) -> Result<Role, Denied>;

    const POWERS: [(Power, May); 4] = [
        (Power::ConveneConsultation, may_convene_consultation),
        (Power::ChairVote, may_chair_vote),
        (Power::ConveneCoordination, may_convene_coordination),
        (Power::ConveneReview, may_convene_review),
    ];

    /// Every power: who may (the committee of the community) and who may not (its purchaser,
    /// the bureaus, another community's committee, residents, the organization, supervisors).
    #[test]
    fn each_power_is_the_committees_and_never_the_purchasers() {
        let community = AreaCode::parse("341002002001").unwrap();
        let cases: Vec<(Actor, Result<(), &str>)> = vec![
            (actor(Role::CommunityOfficer, "341002002001", None), Ok(())),
            (
                actor(Role::CommunityOfficer, "341002002002", None),
                Err("not_committee"),
            ),
            (
                actor(Role::TownshipOfficer, "341002002", None),
                Err("purchaser_conflict"),
            ),
            (
                actor(Role::CountyBureau, "341002", None),
                Err("purchaser_conflict"),
            ),
            (
                actor(Role::CityBureau, "3410", None),
                Err("purchaser_conflict"),
            ),
            // The township's officer who also holds the community's role still buys.
            (
                holding(&[
                    (Role::CommunityOfficer, "341002002001"),
                    (Role::TownshipOfficer, "341002002"),
                ]),
                Err("purchaser_conflict"),
            ),
            // Another township's officer is no purchaser here, but no committee either.
            (
                holding(&[
                    (Role::CommunityOfficer, "341002002001"),
                    (Role::TownshipOfficer, "341002003"),
                ]),
                Ok(()),
            ),
            (
                actor(Role::Representative, "341002002001", None),
                Err("not_committee"),
            ),
            (
                actor(Role::Resident, "341002002001", None),
                Err("not_committee"),
            ),
            (
                actor(Role::OrganizationManager, "341002002001", Some("org")),
                Err("not_committee"),
            ),
            (
                actor(Role::Supervisor, "341002002001", None),
                Err("not_committee"),
            ),
        ];
        for (power, may) in POWERS {
            for (who, expected) in &cases {
                let got = may(who, &community);
                match (expected, &got) {
                    (Ok(()), Ok(role)) => assert_eq!(*role, Role::CommunityOfficer),
                    (Err(code), Err(d)) => {
                        assert_eq!(d.code, *code, "{power:?} {:?}", who.assignments);
                        assert!(d.message.contains(power.zh()), "{}", d.message);
                    }
                    _ => panic!("{power:?} {:?}: {got:?}", who.assignments),
                }
            }
        }
    }
}
