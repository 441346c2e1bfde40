//! Recording units: which registered bodies a record may name, their names, and the unit's
//! confirmation of hours a volunteer entered alone.

use crate::audit::{event, Subject};
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::{EventKind, Outcome};
use domain::volunteer::{can_confirm, UnitKind, UnitRef};
use domain::{Actor, AreaCode, AreaLevel, DomainError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::time;

/// A recording unit a service-record form offers: its form value and registered name.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnitChoice {
    /// The form value: `organization:<id>` or `committee:<area code>`.
    pub key: String,
    pub name: String,
    /// Organization or committee.
    pub kind: UnitKind,
}

/// Organizations offered in a record form at most.
const UNITS_OFFERED: i64 = 200;

impl App {
    /// The registered name of a picked unit, if it is one of the volunteer's city: an
    /// organization of the registry, or a community committee.
    pub(crate) async fn unit_name(
        &self,
        unit: &UnitRef,
        tenant: &str,
    ) -> Result<Option<String>, AppError> {
        Ok(match unit.kind {
            UnitKind::Organization => match tenant_of(&unit.id) {
                Some(t) if t == tenant => {
                    self.db.organization(t, &unit.id).await?.map(|o| o.org.name)
                }
                _ => None,
            },
            UnitKind::Committee => match AreaCode::parse(&unit.id) {
                Ok(c) if c.tenant() == Some(tenant) && c.level() == AreaLevel::Community => {
                    self.db.area(&c).await?.map(|a| a.name)
                }
                _ => None,
            },
        })
    }

    /// The unit a form names, checked against the registry, with its name; a field error on
    /// `unit` when it is missing or unknown.
    pub(crate) async fn picked_unit(
        &self,
        typed: &str,
        fallback: Option<UnitRef>,
        tenant: &str,
    ) -> Result<(UnitRef, String), DomainError> {
        let missing = || {
            DomainError::field(
                "unit",
                "required",
                "请从登记的社会组织或社区居委会中选择组织单位",
            )
        };
        let unit = if typed.trim().is_empty() {
            fallback.ok_or_else(missing)?
        } else {
            UnitRef::parse(typed).ok_or_else(missing)?
        };
        match self.unit_name(&unit, tenant).await {
            Ok(Some(name)) => Ok((unit, name)),
            Ok(None) => Err(DomainError::field(
                "unit",
                "unknown_unit",
                "所选组织单位不在本市的登记中",
            )),
            Err(e) => Err(DomainError::field("unit", "unknown_unit", e.to_string())),
        }
    }

    /// The units a volunteer's record form offers: the committee of their community, then the
    /// organizations registered in their county by name.
    pub async fn recording_units(&self, volunteer_id: &str) -> Result<Vec<UnitChoice>, AppError> {
        let v = self.load_volunteer(volunteer_id).await?;
        let area = &v.volunteer.area;
        let mut out = Vec::new();
        if let Some(a) = self.db.area(area).await? {
            out.push(UnitChoice {
                key: UnitRef {
                    kind: UnitKind::Committee,
                    id: area.as_str().to_string(),
                }
                .key(),
                name: a.name,
                kind: UnitKind::Committee,
            });
        }
        let county = area
            .ancestors()
            .into_iter()
            .find(|a| a.level() == AreaLevel::County)
            .unwrap_or_else(|| area.clone());
        for (id, name) in self
            .db
            .organizations_in(&v.tenant_id, &county, UNITS_OFFERED)
            .await?
        {
            out.push(UnitChoice {
                key: UnitRef {
                    kind: UnitKind::Organization,
                    id,
                }
                .key(),
                name,
                kind: UnitKind::Organization,
            });
        }
        Ok(out)
    }

    /// The record's unit confirms a valid record the volunteer entered alone: from then on its
    /// hours count on a certificate.
    pub async fn confirm_record(
        &self,
        actor: &Actor,
        record_id: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let tenant = tenant_of(record_id)
            .ok_or_else(|| AppError::not_found("服务记录"))?
            .to_string();
        let mut tx = self.db.begin().await?;
        let r = tx
            .record_for_update(&tenant, record_id)
            .await?
            .ok_or_else(|| AppError::not_found("服务记录"))?;
        let v = self
            .db
            .volunteer(&tenant, &r.volunteer_id)
            .await?
            .ok_or_else(|| AppError::not_found("志愿者"))?;
        let subject = Subject {
            kind: "service_record",
            id: record_id,
            area: &v.volunteer.area,
        };
        let checked = can_confirm(actor, r.unit.as_ref(), &v.volunteer.area)
            .map_err(AppError::from)
            .and_then(|role| {
                if r.status != domain::volunteer::RecordStatus::Valid || r.verified {
                    Err(AppError::Domain(DomainError::conflict(
                        "not_unverified",
                        format!(
                            "该记录无需核实（{}）",
                            if r.verified {
                                "已核实"
                            } else {
                                r.status.zh()
                            }
                        ),
                    )))
                } else {
                    Ok(role)
                }
            });
        let role = match checked {
            Ok(role) => role,
            Err(e) => {
                tx.rollback().await?;
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::ServiceRecordConfirm,
                        &subject,
                        e,
                        ctx,
                    )
                    .await);
            }
        };
        let now = time::now();
        if !tx
            .confirm_record(&tenant, record_id, &actor.login, &now)
            .await?
        {
            tx.rollback().await?;
            return Err(AppError::Domain(DomainError::conflict(
                "not_unverified",
                "该记录已被核实或已不再有效",
            )));
        }
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::ServiceRecordConfirm,
                Outcome::Ok,
                &subject,
                ctx,
            )
            .after(json!({ "volunteer_id": v.id, "minutes": r.record.minutes, "unit": r.unit, "organizing_unit": r.record.organizing_unit })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
