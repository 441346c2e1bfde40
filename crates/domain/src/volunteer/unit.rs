//! Recording units and verified hours: a service record is vouched for by a unit in the
//! registry — an organization (by its id) or a community committee (by its area code) — and
//! only hours such a unit confirmed go on a certificate, whose content is fixed when issued.

use crate::{Actor, AreaCode, Role};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of registered body a recording unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// An organization in the registry, named by its id.
    Organization,
    /// A community (residents' or villagers') committee, named by its area code.
    Committee,
}

impl UnitKind {
    /// The stable snake_case code of the kind, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Organization => "organization",
            UnitKind::Committee => "committee",
        }
    }
    /// The kind with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "organization" => Some(UnitKind::Organization),
            "committee" => Some(UnitKind::Committee),
            _ => None,
        }
    }
}

/// A recording unit picked from the registry: its kind and its id (organization id or area code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnitRef {
    /// Organization or committee.
    pub kind: UnitKind,
    /// The organization's id, or the committee's area code.
    pub id: String,
}

impl UnitRef {
    /// Reads a form's pick: `organization:<id>` or `committee:<area code>`.
    pub fn parse(s: &str) -> Option<Self> {
        let (k, id) = s.trim().split_once(':')?;
        let kind = UnitKind::parse(k)?;
        let id = id.trim();
        if id.is_empty() {
            return None;
        }
        if kind == UnitKind::Committee && AreaCode::parse(id).is_err() {
            return None;
        }
        Some(UnitRef {
            kind,
            id: id.to_string(),
        })
    }
    /// The form value of this unit (`organization:<id>` or `committee:<area code>`).
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

/// The role in which `actor` speaks for `unit`, if any: the organization's manager, or a community
/// or township officer whose area holds the committee.
pub fn speaks_for(actor: &Actor, unit: &UnitRef) -> Option<Role> {
    actor
        .assignments
        .iter()
        .find(|a| match unit.kind {
            UnitKind::Organization => {
                a.role == Role::OrganizationManager
                    && a.organization_id.as_deref() == Some(unit.id.as_str())
            }
            UnitKind::Committee => {
                matches!(a.role, Role::CommunityOfficer | Role::TownshipOfficer)
                    && AreaCode::parse(&unit.id).is_ok_and(|c| a.area.contains(&c))
            }
        })
        .map(|a| a.role)
}

/// Who may confirm a valid record that waits for its unit: whoever speaks for the record's unit;
/// for an older record without one, a unit of the volunteer's community.
pub fn can_confirm(
    actor: &Actor,
    unit: Option<&UnitRef>,
    volunteer_area: &AreaCode,
) -> Result<Role, crate::Denied> {
    let role = match unit {
        Some(u) => speaks_for(actor, u),
        None => super::can_decide_correction(actor, volunteer_area).ok(),
    };
    role.ok_or_else(|| crate::Denied {
        code: "not_recording_unit",
        message: "只有该记录的组织单位可以核实这条服务记录".into(),
    })
}

/// The unit an officer records for when they pick none: their organization if they manage one
/// there, else the committee of the volunteer's community.
pub fn own_unit(actor: &Actor, volunteer_area: &AreaCode) -> Option<UnitRef> {
    let org = actor.assignments.iter().find_map(|a| {
        (a.role == Role::OrganizationManager && a.area.contains(volunteer_area))
            .then(|| a.organization_id.clone())
            .flatten()
    });
    match org {
        Some(id) => Some(UnitRef {
            kind: UnitKind::Organization,
            id,
        }),
        None => actor
            .assignments
            .iter()
            .any(|a| {
                matches!(a.role, Role::CommunityOfficer | Role::TownshipOfficer)
                    && a.area.contains(volunteer_area)
            })
            .then(|| UnitRef {
                kind: UnitKind::Committee,
                id: volunteer_area.as_str().to_string(),
            }),
    }
}

/// What a certificate states, fixed when issued: stored as JSON with its SHA-256, and shown as
/// stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CertificateContent {
    /// The verification code printed on the certificate.
    pub code: String,
    /// The holder's name, masked.
    pub masked_name: String,
    /// Verified hours, as text ("5.5").
    pub hours: String,
    /// Verified minutes.
    pub minutes: i64,
    /// Verified valid records counted.
    pub record_count: i64,
    /// The recording units of those records, by name.
    pub units: Vec<String>,
    /// What those records were about ("activity: content", at most ten distinct lines).
    pub activities: Vec<String>,
    /// When it was issued (stored time text).
    pub issued_at: String,
}

impl CertificateContent {
    /// The SHA-256 of a stored content text, in lowercase hex.
    pub fn hash_of(text: &str) -> String {
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RoleAssignment;

    fn actor(role: Role, area: &str, org: Option<&str>) -> Actor {
        Actor {
            user_id: "u".into(),
            login: "u".into(),
            display_name: "u".into(),
            assignments: vec![RoleAssignment {
                role,
                area: AreaCode::parse(area).unwrap(),
                organization_id: org.map(str::to_string),
            }],
        }
    }

    #[test]
    fn a_unit_is_picked_as_kind_and_id() {
        let u = UnitRef::parse("committee:341002002001").unwrap();
        assert_eq!(u.kind, UnitKind::Committee);
        assert_eq!(UnitRef::parse(&u.key()), Some(u));
        assert!(UnitRef::parse("committee:not-a-code").is_none());
        assert!(
            UnitRef::parse("柏树街社区居委会").is_none(),
            "free text is no unit"
        );
        assert!(UnitRef::parse("organization:").is_none());
        assert_eq!(
            UnitRef::parse("organization:3410-abc").map(|u| u.kind),
            Some(UnitKind::Organization)
        );
    }

    #[test]
    fn only_the_unit_itself_speaks_for_it() {
        let committee = UnitRef::parse("committee:341002002001").unwrap();
        let org = UnitRef::parse("organization:3410-o1").unwrap();
        let community = actor(Role::CommunityOfficer, "341002002001", None);
        let township = actor(Role::TownshipOfficer, "341002002", None);
        let elsewhere = actor(Role::CommunityOfficer, "341002002002", None);
        let manager = actor(Role::OrganizationManager, "341002", Some("3410-o1"));
        let other_manager = actor(Role::OrganizationManager, "341002", Some("3410-o2"));
        assert_eq!(
            speaks_for(&community, &committee),
            Some(Role::CommunityOfficer)
        );
        assert_eq!(
            speaks_for(&township, &committee),
            Some(Role::TownshipOfficer)
        );
        assert_eq!(speaks_for(&elsewhere, &committee), None);
        assert_eq!(speaks_for(&community, &org), None);
        assert_eq!(speaks_for(&manager, &org), Some(Role::OrganizationManager));
        assert_eq!(speaks_for(&other_manager, &org), None);
        let area = AreaCode::parse("341002002001").unwrap();
        assert_eq!(own_unit(&manager, &area), Some(org.clone()));
        assert_eq!(own_unit(&township, &area), Some(committee.clone()));
        assert_eq!(own_unit(&elsewhere, &area), None);
        assert!(can_confirm(&community, Some(&committee), &area).is_ok());
        assert_eq!(
            can_confirm(&community, Some(&org), &area).unwrap_err().code,
            "not_recording_unit"
        );
        assert!(
            can_confirm(&community, None, &area).is_ok(),
            "an older record"
        );
        assert!(can_confirm(&elsewhere, None, &area).is_err());
    }

    #[test]
    fn a_certificate_hash_changes_with_its_text() {
        let text = r#"{"hours":"5.5"}"#;
        let h = CertificateContent::hash_of(text);
        assert_eq!(h.len(), 64);
        assert_eq!(h, CertificateContent::hash_of(text));
        assert_ne!(h, CertificateContent::hash_of(&text.replace("5.5", "6.5")));
    }
}
