//! The registries (台账) of social organizations: the ledger with its filters ([`ledger`]), one
//! organization with its history, incubations and disclosures ([`organization`]), and the ledger's
//! import, export and templates ([`transfer`]); each with its pages and its API. What they
//! share is here: the ledger's query and the choices of category and status.

pub mod ledger;
pub mod organization;
pub mod transfer;

use app::AppError;
use domain::registry::{OrgCategory, RegistrationStatus};
use domain::AreaCode;
use serde::Deserialize;
use store::registry::OrgFilter;

pub const PAGE: i64 = 50;

fn categories() -> Vec<(&'static str, &'static str)> {
    OrgCategory::ALL
        .iter()
        .map(|c| (c.as_str(), c.zh()))
        .collect()
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    RegistrationStatus::ALL
        .iter()
        .map(|c| (c.as_str(), c.zh()))
        .collect()
}

/// The list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub hub: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub incubated: String,
    /// Keyset cursor `name|id`.
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl OrgQuery {
    pub fn filter(&self) -> Result<OrgFilter, AppError> {
        let opt = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        let area = match opt(&self.area) {
            Some(a) => Some(AreaCode::parse(&a).map_err(|e| match e {
                domain::DomainError::Invalid(mut f) => {
                    for x in f.iter_mut() {
                        x.field = "area".into();
                    }
                    AppError::Domain(domain::DomainError::Invalid(f))
                }
                other => AppError::Domain(other),
            })?),
            None => None,
        };
        let boolean = |s: &str| match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        };
        Ok(OrgFilter {
            area,
            category: OrgCategory::parse(self.category.trim()),
            status: RegistrationStatus::parse(self.status.trim()),
            grade: self
                .grade
                .trim()
                .parse()
                .ok()
                .filter(|g| (1..=5).contains(g)),
            hub: boolean(&self.hub),
            brand: boolean(&self.brand),
            incubated: boolean(&self.incubated),
            q: opt(&self.q),
            after: app::page::decode(Some(&self.after), 2)?.and_then(|v| match v.as_slice() {
                [n, i] => Some((n.clone(), i.clone())),
                _ => None,
            }),
        })
    }
}
