//! Accounts, roles and role assignments: who a person is and where they may act.

use crate::area::{AreaCode, AreaLevel};
use crate::error::DomainError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The roles of the glossary. A person may hold several, each at an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CityBureau,
    CountyBureau,
    TownshipOfficer,
    CommunityOfficer,
    OrganizationManager,
    OrganizationMember,
    SocialWorker,
    Volunteer,
    Resident,
    Representative,
    Evaluator,
    Supervisor,
    SystemAdministrator,
}

impl Role {
    /// Every role, in the glossary's order.
    pub const ALL: [Role; 13] = [
        Role::CityBureau,
        Role::CountyBureau,
        Role::TownshipOfficer,
        Role::CommunityOfficer,
        Role::OrganizationManager,
        Role::OrganizationMember,
        Role::SocialWorker,
        Role::Volunteer,
        Role::Resident,
        Role::Representative,
        Role::Evaluator,
        Role::Supervisor,
        Role::SystemAdministrator,
    ];

    /// The stable snake_case code of the role, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CityBureau => "city_bureau",
            Role::CountyBureau => "county_bureau",
            Role::TownshipOfficer => "township_officer",
            Role::CommunityOfficer => "community_officer",
            Role::OrganizationManager => "organization_manager",
            Role::OrganizationMember => "organization_member",
            Role::SocialWorker => "social_worker",
            Role::Volunteer => "volunteer",
            Role::Resident => "resident",
            Role::Representative => "representative",
            Role::Evaluator => "evaluator",
            Role::Supervisor => "supervisor",
            Role::SystemAdministrator => "system_administrator",
        }
    }

    /// The role with this code, if any.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese name of the role shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            Role::CityBureau => "市民政局",
            Role::CountyBureau => "区县民政局",
            Role::TownshipOfficer => "街道乡镇工作人员",
            Role::CommunityOfficer => "社区工作人员",
            Role::OrganizationManager => "社会组织负责人",
            Role::OrganizationMember => "社会组织成员",
            Role::SocialWorker => "社工",
            Role::Volunteer => "志愿者",
            Role::Resident => "居民",
            Role::Representative => "居民代表",
            Role::Evaluator => "评估专家",
            Role::Supervisor => "督导",
            Role::SystemAdministrator => "系统管理员",
        }
    }

    /// The English name of the role, as in the glossary.
    pub fn en(self) -> &'static str {
        match self {
            Role::CityBureau => "City bureau",
            Role::CountyBureau => "County bureau",
            Role::TownshipOfficer => "Township officer",
            Role::CommunityOfficer => "Community officer",
            Role::OrganizationManager => "Organization manager",
            Role::OrganizationMember => "Organization member",
            Role::SocialWorker => "Social worker",
            Role::Volunteer => "Volunteer",
            Role::Resident => "Resident",
            Role::Representative => "Representative",
            Role::Evaluator => "Evaluator",
            Role::Supervisor => "Supervisor",
            Role::SystemAdministrator => "System administrator",
        }
    }

    /// The area levels at which the role can be held. Officers act for exactly one level of
    /// government; people who serve (social workers, evaluators…) may be attached anywhere below
    /// the nation; only a system administrator may hold the nation.
    pub fn allowed_levels(self) -> &'static [AreaLevel] {
        use AreaLevel::*;
        match self {
            Role::CityBureau => &[City],
            Role::CountyBureau => &[County],
            Role::TownshipOfficer => &[Township],
            Role::CommunityOfficer | Role::Resident | Role::Representative => &[Community],
            Role::SystemAdministrator => &[Nation, Province, City, County],
            _ => &[Province, City, County, Township, Community],
        }
    }

    /// Whether the role needs an organization (organization managers and members do).
    pub fn needs_organization(self) -> bool {
        matches!(self, Role::OrganizationManager | Role::OrganizationMember)
    }
}

/// A role held at an area, optionally for an organization: (role, area, organization).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub role: Role,
    pub area: AreaCode,
    pub organization_id: Option<String>,
}

impl RoleAssignment {
    /// Checks the assignment against the role's rules before it is stored.
    pub fn new(
        role: Role,
        area: AreaCode,
        organization_id: Option<String>,
    ) -> Result<Self, DomainError> {
        if !role.allowed_levels().contains(&area.level()) {
            let levels: Vec<&str> = role.allowed_levels().iter().map(|l| l.zh()).collect();
            return Err(DomainError::field(
                "area",
                "role_level_mismatch",
                format!(
                    "角色“{}”只能设在{}级区划，而“{}”是{}级",
                    role.zh(),
                    levels.join("、"),
                    area.full(),
                    area.level().zh()
                ),
            ));
        }
        let organization_id = organization_id.filter(|o| !o.trim().is_empty());
        if role.needs_organization() && organization_id.is_none() {
            return Err(DomainError::field(
                "organization_id",
                "organization_required",
                format!("角色“{}”必须指定所属社会组织", role.zh()),
            ));
        }
        Ok(Self {
            role,
            area,
            organization_id,
        })
    }
}

/// Where an assignment's organization must be: one the registry holds (`organization_area` is
/// its area, `None` when there is no such organization), inside the assignment's area. The
/// assignment's area is inside the granting administrator's territory (checked by
/// `authz::can(ManageAccounts)`), so the organization is too: an administrator cannot make
/// anyone, themself included, a manager of an organization of another county or city.
pub fn check_organization_placement(
    assignment: &RoleAssignment,
    organization_area: Option<&AreaCode>,
) -> Result<(), DomainError> {
    if assignment.organization_id.is_none() {
        return Ok(());
    }
    match organization_area {
        None => Err(DomainError::field(
            "organization_id",
            "unknown_organization",
            "台账中没有这个社会组织",
        )),
        Some(area) if !assignment.area.contains(area) => Err(DomainError::field(
            "organization_id",
            "organization_elsewhere",
            format!(
                "该社会组织在{}，不在所分配的区划 {} 内",
                area.full(),
                assignment.area.full()
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// The person acting, with every role they hold. Built by the web layer from a session or token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: String,
    pub login: String,
    pub display_name: String,
    pub assignments: Vec<RoleAssignment>,
}

impl Actor {
    /// The areas this person may see into: the minimal set of assignment areas.
    pub fn scope(&self) -> Scope {
        Scope::new(self.assignments.iter().map(|a| a.area.clone()))
    }

    /// Whether the person holds this role at any area.
    pub fn has_role(&self, role: Role) -> bool {
        self.assignments.iter().any(|a| a.role == role)
    }

    /// The role shown for the person when no particular role grants an action.
    pub fn primary_role(&self) -> Option<Role> {
        self.assignments.first().map(|a| a.role)
    }
}

/// A territory: the union of some areas. Every query of tenant data is filtered by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    roots: Vec<AreaCode>,
}

impl Scope {
    /// Builds a scope, dropping areas already covered by a wider one.
    pub fn new(areas: impl IntoIterator<Item = AreaCode>) -> Self {
        let mut all: Vec<AreaCode> = areas.into_iter().collect();
        all.sort_by_key(|a| a.as_str().len());
        let mut roots: Vec<AreaCode> = Vec::new();
        for a in all {
            if !roots.iter().any(|r| r.contains(&a)) {
                roots.push(a);
            }
        }
        roots.sort();
        Scope { roots }
    }

    /// The whole country as one territory.
    pub fn nation() -> Self {
        Scope {
            roots: vec![AreaCode::nation()],
        }
    }

    /// The widest areas of the territory, none inside another, in code order.
    pub fn roots(&self) -> &[AreaCode] {
        &self.roots
    }

    /// Whether the territory is the whole country.
    pub fn is_nation(&self) -> bool {
        self.roots.iter().any(|r| r.level() == AreaLevel::Nation)
    }

    /// The area lies inside the territory: its data may be read.
    pub fn contains(&self, area: &AreaCode) -> bool {
        self.roots.iter().any(|r| r.contains(area))
    }

    /// The area is above part of the territory: its name and the path down may be shown, so that a
    /// person can browse from the province to where they work, but nothing else about it.
    pub fn is_on_path(&self, area: &AreaCode) -> bool {
        self.roots.iter().any(|r| area.contains(r))
    }

    /// Whether anything of the area may be shown: it is inside the territory or on the path to it.
    pub fn can_see(&self, area: &AreaCode) -> bool {
        self.contains(area) || self.is_on_path(area)
    }

    /// Children of `parent` that lie on the way down to the territory (when `parent` itself is
    /// only on the path). Empty when `parent` is inside the territory: then all children show.
    pub fn path_children(&self, parent: &AreaCode) -> Vec<AreaCode> {
        let Some(child_level) = parent.level().child() else {
            return Vec::new();
        };
        let len = child_level.prefix_len();
        let mut out: Vec<AreaCode> = self
            .roots
            .iter()
            .filter(|r| parent.contains(r) && r.as_str().len() >= len && *r != parent)
            .map(|r| AreaCode::from_stored(&r.as_str()[..len]))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert!(!r.zh().is_empty());
        }
        assert_eq!(Role::parse("mayor"), None);
    }

    #[test]
    fn a_township_officer_cannot_be_assigned_to_a_county() {
        let err = RoleAssignment::new(Role::TownshipOfficer, code("341002"), None).unwrap_err();
        assert!(matches!(err, DomainError::Invalid(ref f) if f[0].code == "role_level_mismatch"));
        assert!(RoleAssignment::new(Role::TownshipOfficer, code("341002001"), None).is_ok());
    }

    #[test]
    fn an_assignments_organization_is_registered_inside_its_area() {
        let at = |area: &str, org: Option<&str>| {
            RoleAssignment::new(
                Role::OrganizationManager,
                AreaCode::parse(area).unwrap(),
                org.map(str::to_string),
            )
            .unwrap()
        };
        let tunxi = AreaCode::parse("341002002001").unwrap();
        let code = |r: Result<(), DomainError>| match r {
            Ok(()) => "ok",
            Err(DomainError::Invalid(f)) => f[0].code,
            Err(e) => panic!("{e:?}"),
        };
        let here = at("341002002001", Some("o"));
        assert_eq!(
            code(check_organization_placement(&here, Some(&tunxi))),
            "ok"
        );
        let above = at("341002", Some("o"));
        assert_eq!(
            code(check_organization_placement(&above, Some(&tunxi))),
            "ok"
        );
        let shexian = at("341021100", Some("o"));
        assert_eq!(
            code(check_organization_placement(&shexian, Some(&tunxi))),
            "organization_elsewhere"
        );
        assert_eq!(
            code(check_organization_placement(&here, None)),
            "unknown_organization"
        );
        let none = RoleAssignment::new(Role::Volunteer, tunxi.clone(), None).unwrap();
        assert_eq!(code(check_organization_placement(&none, None)), "ok");
    }

    #[test]
    fn an_organization_manager_needs_an_organization() {
        let err = RoleAssignment::new(Role::OrganizationManager, code("341002"), Some(" ".into()))
            .unwrap_err();
        assert!(matches!(err, DomainError::Invalid(ref f) if f[0].code == "organization_required"));
        assert!(
            RoleAssignment::new(Role::OrganizationManager, code("341002"), Some("o1".into()))
                .is_ok()
        );
    }

    #[test]
    fn only_a_system_administrator_may_hold_the_nation() {
        for r in Role::ALL {
            let ok = RoleAssignment::new(r, AreaCode::nation(), None).is_ok();
            assert_eq!(ok, r == Role::SystemAdministrator, "{r:?}");
        }
    }

    #[test]
    fn scope_drops_areas_covered_by_wider_ones() {
        let s = Scope::new([code("341002001"), code("341002"), code("341021")]);
        let roots: Vec<_> = s.roots().iter().map(|c| c.as_str()).collect();
        assert_eq!(roots, vec!["341002", "341021"]);
    }

    #[test]
    fn the_path_down_is_visible_but_not_the_neighbours() {
        let s = Scope::new([code("341002")]);
        assert!(s.can_see(&code("34")));
        assert!(s.can_see(&code("3410")));
        assert!(s.can_see(&code("341002001001")));
        assert!(!s.can_see(&code("341021")));
        assert!(!s.can_see(&code("341021100")));
        assert!(!s.contains(&code("3410")));
        let kids: Vec<_> = s
            .path_children(&code("3410"))
            .into_iter()
            .map(|c| c.as_str().to_string())
            .collect();
        assert_eq!(kids, vec!["341002"]);
        let provinces = s.path_children(&AreaCode::nation());
        assert_eq!(provinces, vec![code("34")]);
    }
}
