//! Actors for the rules' tests (compiled only for tests).

use crate::{Actor, AreaCode, Role, RoleAssignment};

/// User "u" holding `assignments` (role, area code; "" is the nation), for no organization.
pub fn holding(assignments: &[(Role, &str)]) -> Actor {
    holding_as("u", assignments)
}

/// As [`holding`], for the user `user`.
pub fn holding_as(user: &str, assignments: &[(Role, &str)]) -> Actor {
    Actor {
        user_id: user.into(),
        login: user.into(),
        display_name: user.into(),
        assignments: assignments
            .iter()
            .map(|(role, area)| RoleAssignment {
                role: *role,
                area: if area.is_empty() {
                    AreaCode::nation()
                } else {
                    AreaCode::parse(area).unwrap_or_else(|_| panic!("area {area}"))
                },
                organization_id: None,
            })
            .collect(),
    }
}

/// User "u" holding one role at `area`, for the organization `org` if any.
pub fn actor(role: Role, area: &str, org: Option<&str>) -> Actor {
    let mut a = holding(&[(role, area)]);
    a.assignments[0].organization_id = org.map(str::to_string);
    a
}
