//! The one authorization policy: `can(actor, action, target)`.
//!
//! Pages and API endpoints both call this function, so they cannot disagree about who may do what.
//! A grant names the role under which the action is taken, which the audit log records.

use crate::area::AreaCode;
use crate::identity::{Actor, Role};
use serde::Serialize;

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read an area's page: its name, path and children.
    ViewArea,
    /// List accounts with roles in an area.
    ViewAccounts,
    /// Create accounts and assign or remove roles in an area.
    ManageAccounts,
    /// Read the audit log of an area.
    ViewAudit,
    /// Change one's own password, manage one's own API tokens.
    ManageOwnAccount,
    /// Read the registries (台账) of an area: organizations and the rest.
    ViewRegistry,
    /// Read the chain of an area: needs, the catalogue, projects (residents their community's,
    /// officers their territory's).
    ViewChain,
}

impl Action {
    /// The stable snake_case code of the action, as recorded in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewArea => "view_area",
            Action::ViewAccounts => "view_accounts",
            Action::ManageAccounts => "manage_accounts",
            Action::ViewAudit => "view_audit",
            Action::ManageOwnAccount => "manage_own_account",
            Action::ViewRegistry => "view_registry",
            Action::ViewChain => "view_chain",
        }
    }
}

/// What the action is aimed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    Area(&'a AreaCode),
    /// The actor's own account.
    Own,
}

/// The role and area under which an action is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Option<Role>,
    pub area: Option<AreaCode>,
}

/// Refusal, with a stable code and a Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Denied {
    pub code: &'static str,
    pub message: String,
}

impl Denied {
    fn out_of_territory(area: &AreaCode) -> Self {
        Denied {
            code: "out_of_territory",
            message: format!("无权访问：区划 {} 不在您的管辖范围内", area.full()),
        }
    }
    fn missing_role(action: Action) -> Self {
        let what = match action {
            Action::ViewArea => "查看区划",
            Action::ViewAccounts => "查看账号",
            Action::ManageAccounts => "管理账号",
            Action::ViewAudit => "查看审计日志",
            Action::ManageOwnAccount => "管理本人账号",
            Action::ViewRegistry => "查看台账",
            Action::ViewChain => "查看需求和项目",
        };
        Denied {
            code: "missing_role",
            message: format!("无权操作：您没有{what}的角色"),
        }
    }
}

/// The roles whose holders may take an action inside their area.
fn granting_roles(action: Action) -> &'static [Role] {
    match action {
        Action::ViewAccounts | Action::ManageAccounts => &[Role::SystemAdministrator],
        Action::ViewAudit => &[
            Role::SystemAdministrator,
            Role::CityBureau,
            Role::CountyBureau,
        ],
        Action::ViewRegistry => &[
            Role::CityBureau,
            Role::CountyBureau,
            Role::TownshipOfficer,
            Role::CommunityOfficer,
        ],
        Action::ViewArea | Action::ManageOwnAccount | Action::ViewChain => &Role::ALL,
    }
}

/// Decides whether `actor` may do `action` to `target`.
pub fn can(actor: &Actor, action: Action, target: Target<'_>) -> Result<Grant, Denied> {
    match (action, target) {
        (Action::ManageOwnAccount, Target::Own) => Ok(Grant {
            role: actor.primary_role(),
            area: None,
        }),
        (Action::ViewArea, Target::Area(area)) => {
            // Anyone may see the path down to where they work; data only inside it.
            let a = actor
                .assignments
                .iter()
                .find(|a| a.area.contains(area) || area.contains(&a.area))
                .ok_or_else(|| Denied::out_of_territory(area))?;
            Ok(Grant {
                role: Some(a.role),
                area: Some(a.area.clone()),
            })
        }
        (action, Target::Area(area)) => {
            let roles = granting_roles(action);
            let with_role: Vec<_> = actor
                .assignments
                .iter()
                .filter(|a| roles.contains(&a.role))
                .collect();
            if with_role.is_empty() {
                return Err(Denied::missing_role(action));
            }
            let a = with_role
                .into_iter()
                .find(|a| a.area.contains(area))
                .ok_or_else(|| Denied::out_of_territory(area))?;
            Ok(Grant {
                role: Some(a.role),
                area: Some(a.area.clone()),
            })
        }
        (action, Target::Own) => Err(Denied::missing_role(action)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::holding as actor;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    const TUNXI: &str = "341002";
    const SHEXIAN: &str = "341021";

    #[test]
    fn a_tunxi_officer_cannot_view_shexian() {
        let a = actor(&[(Role::CountyBureau, TUNXI)]);
        let d = can(&a, Action::ViewArea, Target::Area(&code(SHEXIAN))).unwrap_err();
        assert_eq!(d.code, "out_of_territory");
        assert!(can(&a, Action::ViewArea, Target::Area(&code("341002001"))).is_ok());
    }

    #[test]
    fn the_path_above_is_viewable_for_browsing() {
        let a = actor(&[(Role::CommunityOfficer, "341002001001")]);
        for c in ["34", "3410", TUNXI, "341002001", "341002001001"] {
            assert!(
                can(&a, Action::ViewArea, Target::Area(&code(c))).is_ok(),
                "{c}"
            );
        }
        for c in ["341002001002", "341002002", SHEXIAN, "35"] {
            assert!(
                can(&a, Action::ViewArea, Target::Area(&code(c))).is_err(),
                "{c}"
            );
        }
    }

    #[test]
    fn a_community_officer_cannot_manage_accounts_or_read_audit() {
        let a = actor(&[(Role::CommunityOfficer, "341002001001")]);
        let area = code("341002001001");
        assert_eq!(
            can(&a, Action::ManageAccounts, Target::Area(&area))
                .unwrap_err()
                .code,
            "missing_role"
        );
        assert_eq!(
            can(&a, Action::ViewAudit, Target::Area(&area))
                .unwrap_err()
                .code,
            "missing_role"
        );
    }

    #[test]
    fn a_county_administrator_manages_accounts_only_in_the_county() {
        let a = actor(&[(Role::SystemAdministrator, TUNXI)]);
        let g = can(&a, Action::ManageAccounts, Target::Area(&code("341002001"))).unwrap();
        assert_eq!(g.role, Some(Role::SystemAdministrator));
        assert_eq!(
            can(&a, Action::ManageAccounts, Target::Area(&code(SHEXIAN)))
                .unwrap_err()
                .code,
            "out_of_territory"
        );
        // Accounts above the county (the city) are out of reach too.
        assert!(can(&a, Action::ManageAccounts, Target::Area(&code("3410"))).is_err());
    }

    #[test]
    fn a_national_administrator_reaches_everywhere() {
        let a = actor(&[(Role::SystemAdministrator, "")]);
        for c in ["11", "3410", SHEXIAN, "341021100201"] {
            assert!(can(&a, Action::ManageAccounts, Target::Area(&code(c))).is_ok());
            assert!(can(&a, Action::ViewAudit, Target::Area(&code(c))).is_ok());
        }
    }

    #[test]
    fn bureaus_read_the_audit_log_of_their_territory() {
        let city = actor(&[(Role::CityBureau, "3410")]);
        assert!(can(&city, Action::ViewAudit, Target::Area(&code(SHEXIAN))).is_ok());
        assert!(can(&city, Action::ViewAudit, Target::Area(&code("3401"))).is_err());
        let county = actor(&[(Role::CountyBureau, TUNXI)]);
        assert!(can(&county, Action::ViewAudit, Target::Area(&code(SHEXIAN))).is_err());
    }

    #[test]
    fn the_role_that_grants_is_the_one_with_reach() {
        // A person who is a resident in 歙县 and a county bureau officer in 屯溪 reads 屯溪's audit
        // log as the bureau, and cannot use the resident role to read 歙县's.
        let a = actor(&[
            (Role::Resident, "341021100201"),
            (Role::CountyBureau, TUNXI),
        ]);
        let g = can(&a, Action::ViewAudit, Target::Area(&code(TUNXI))).unwrap();
        assert_eq!(g.role, Some(Role::CountyBureau));
        assert!(can(&a, Action::ViewAudit, Target::Area(&code("341021100201"))).is_err());
    }

    #[test]
    fn everyone_manages_their_own_account() {
        let a = actor(&[(Role::Volunteer, "341002")]);
        assert!(can(&a, Action::ManageOwnAccount, Target::Own).is_ok());
        assert!(can(&a, Action::ViewAudit, Target::Own).is_err());
    }
}

/// The territory over which `actor` may do `action`: the areas of the roles that grant it.
/// Lists (accounts, audit events) are filtered by this, so a list never shows what a single
/// read of the same item would refuse.
pub fn reach(actor: &Actor, action: Action) -> crate::identity::Scope {
    let roles = granting_roles(action);
    crate::identity::Scope::new(
        actor
            .assignments
            .iter()
            .filter(|a| roles.contains(&a.role))
            .map(|a| a.area.clone()),
    )
}

#[cfg(test)]
mod reach_tests {
    use super::*;
    use crate::identity::RoleAssignment;

    #[test]
    fn reach_counts_only_the_roles_that_grant_the_action() {
        let a = Actor {
            user_id: "u".into(),
            login: "u".into(),
            display_name: "u".into(),
            assignments: vec![
                RoleAssignment {
                    role: Role::Resident,
                    area: AreaCode::parse("341021100201").unwrap(),
                    organization_id: None,
                },
                RoleAssignment {
                    role: Role::CountyBureau,
                    area: AreaCode::parse("341002").unwrap(),
                    organization_id: None,
                },
            ],
        };
        let r = reach(&a, Action::ViewAudit);
        assert_eq!(r.roots(), &[AreaCode::parse("341002").unwrap()]);
        assert!(reach(&a, Action::ManageAccounts).roots().is_empty());
        assert_eq!(reach(&a, Action::ViewArea).roots().len(), 2);
    }
}
