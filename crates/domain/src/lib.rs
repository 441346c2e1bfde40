//! The rules of the 三社联动 mechanism, free of I/O.
//!
//! Everything here is pure: validated newtypes, the enums of the glossary, the authorization policy
//! and the audit chain's hashing. The store, app and web crates only ever ask this crate what is
//! allowed; none of them decides a rule on its own.

pub mod area;
pub mod audit;
pub mod authz;
pub mod chain;
pub mod error;
pub mod ident;
pub mod identity;
pub mod labels;
pub mod password;
pub mod registry;
pub mod screen;
pub mod social;
pub mod talent;
pub mod text;
pub mod volunteer;

#[cfg(test)]
pub(crate) mod testing;

pub use area::{AreaCode, AreaLevel, CommitteeKind, TownshipKind};
pub use authz::{can, Action, Denied, Target};
pub use error::{DomainError, FieldError, Refusal};
pub use identity::{Actor, Role, RoleAssignment};
