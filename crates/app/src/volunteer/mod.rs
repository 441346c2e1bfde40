//! Volunteers and their service records: registration with consent, records entered by the
//! volunteer or the unit, corrections as new records, maintained totals, certificates that anyone
//! can verify.

mod account;
mod certificate;
mod correction;
mod unit;

pub use account::AccountChoice;
pub use unit::UnitChoice;

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::{tenant_of, today};
use crate::page::{self, Page};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::volunteer::{
    can_decide_correction, can_record, can_register, fixed_holidays, own_unit, speaks_for,
    RecordStatus, ServiceRecordForm, VolunteerActor, VolunteerForm, CONSENT_VERSION,
};
use domain::{Actor, AreaCode, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::time;
use store::volunteer::{NewRecord, RecordRow, VolunteerRow};

fn role_of(v: VolunteerActor) -> Option<Role> {
    match v {
        VolunteerActor::Themself => Some(Role::Volunteer),
        VolunteerActor::Unit(r) => Some(r),
    }
}

/// A volunteer's page: the profile, the maintained totals and the latest records.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VolunteerDetail {
    #[serde(flatten)]
    pub row: VolunteerRow,
    pub records: Vec<RecordRow>,
    /// The reader is the volunteer (may ask for corrections).
    pub is_self: bool,
    /// The reader is the unit (may record, decide corrections).
    pub is_unit: bool,
    /// When there are older records: the `before` that asks for the next page.
    pub next_before: Option<String>,
}

/// A volunteer's own certificate, for its printable page.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateView {
    /// The volunteer's full name (the volunteer and the unit read it).
    pub name: String,
    pub certificate: VerifiedCertificate,
    /// What the verified records were about, as stated when issued.
    pub contents: Vec<String>,
}

/// What the public verification page shows: nothing beyond the certificate itself, the name
/// masked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifiedCertificate {
    pub code: String,
    pub masked_name: String,
    pub hours: String,
    pub record_count: i64,
    pub units: String,
    pub issued_at: String,
    /// The certificate's content as stored when issued (JSON); `None` for certificates issued
    /// before contents were stored.
    pub content: Option<String>,
    /// The SHA-256 (hex) of `content`: anyone may hash the text shown and compare.
    pub content_hash: Option<String>,
}

/// Records shown on a volunteer's page.
pub const RECORDS_SHOWN: i64 = 50;

impl App {
    pub(crate) fn holidays(&self) -> Vec<chrono::NaiveDate> {
        let y = chrono::Datelike::year(&today());
        fixed_holidays(y - 1, y)
    }

    /// Registers a volunteer; the consent is required and recorded with its text's version.
    pub async fn register_volunteer(
        &self,
        actor: &Actor,
        form: &VolunteerForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed = AreaCode::parse(&form.area).unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "volunteer",
            id: form.name.trim(),
            area: &typed,
        };
        let checked = domain::error::both(form.validate(), form.identity(today()))
            .map_err(AppError::from)
            .and_then(|(v, i)| Ok((can_register(actor, &v.area)?, v, i)));
        let (who, v, identity) = self
            .or_refused(checked, actor, EventKind::VolunteerRegister, &subject, ctx)
            .await?;
        if self.db.area(&v.area).await?.is_none() {
            let e = AppError::Domain(DomainError::field(
                "area",
                "unknown_area",
                format!("区划代码 {} 不存在", v.area.full()),
            ));
            return Err(self
                .refused(Some(actor), EventKind::VolunteerRegister, &subject, e, ctx)
                .await);
        }
        let tenant = v.area.tenant().unwrap_or("0000").to_string();
        let (id_hash, birth) = self.identity_keys(&identity);
        if let Some(e) = self
            .duplicate_volunteer(&tenant, &v.name, id_hash.as_deref(), birth.as_deref())
            .await?
        {
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::VolunteerRegister,
                    &subject,
                    e.into(),
                    ctx,
                )
                .await);
        }
        let id = new_id(&tenant);
        let user = matches!(who, VolunteerActor::Themself).then_some(actor.user_id.as_str());
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_volunteer(&tenant, &id, user, &v, CONSENT_VERSION, &now)
            .await?;
        let identity = tx
            .set_volunteer_identity(&tenant, &id, id_hash.as_deref(), birth.as_deref())
            .await;
        if let Err(store::StoreError::Duplicate(_)) = identity {
            // Registered a moment ago by someone else (the unique index saw it): name that record.
            tx.rollback().await?;
            let e = self
                .duplicate_volunteer(&tenant, &v.name, id_hash.as_deref(), birth.as_deref())
                .await?
                .map(AppError::from)
                .unwrap_or_else(|| AppError::Internal("duplicate identity".into()));
            return Err(self
                .refused(Some(actor), EventKind::VolunteerRegister, &subject, e, ctx)
                .await);
        }
        identity?;
        tx.append_audit(done(actor, role_of(who), EventKind::VolunteerRegister, &Subject { kind: "volunteer", id: &id, area: &v.area }, ctx).after(json!({ "volunteer": v, "consent_version": CONSENT_VERSION, "self_registered": user.is_some() })))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What is kept of a volunteer's identity: the number's keyed hash and the birth date text.
    pub(crate) fn identity_keys(
        &self,
        i: &domain::volunteer::VolunteerIdentity,
    ) -> (Option<String>, Option<String>) {
        (
            i.id_number
                .as_ref()
                .map(|n| self.settings.pii.lookup_hash(n.expose())),
            i.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
        )
    }

    /// The refusal of a registration that duplicates a volunteer of the city (same identity
    /// number, or same name and birth date), naming the existing record.
    pub(crate) async fn duplicate_volunteer(
        &self,
        tenant: &str,
        name: &str,
        id_hash: Option<&str>,
        birth: Option<&str>,
    ) -> Result<Option<DomainError>, AppError> {
        Ok(self
            .db
            .volunteer_duplicate(tenant, id_hash, name, birth)
            .await?
            .map(|(id, name, area, by_number)| {
                domain::volunteer::duplicate_of(
                    if by_number { "id_number" } else { "birth_date" },
                    &name,
                    &AreaCode::from_stored(&area).full(),
                    &id,
                )
            }))
    }

    async fn load_volunteer(&self, id: &str) -> Result<VolunteerRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("志愿者"))?;
        self.db
            .volunteer(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("志愿者"))
    }

    /// A volunteer with their newest records (a page of [`RECORDS_SHOWN`]; `before`, the
    /// `next_before` of a page, gives the page after it).
    pub async fn volunteer_detail(
        &self,
        actor: &Actor,
        id: &str,
        before: Option<&str>,
        ctx: &Ctx,
    ) -> Result<VolunteerDetail, AppError> {
        let row = self.load_volunteer(id).await?;
        let is_self = row.user_id.as_deref() == Some(actor.user_id.as_str());
        let is_unit = can_decide_correction(actor, &row.volunteer.area).is_ok();
        if !is_self && !is_unit {
            self.may_read(
                actor,
                Action::ViewRegistry,
                &Subject {
                    kind: "volunteer",
                    id,
                    area: &row.volunteer.area,
                },
                EventKind::VolunteerView,
                ctx,
            )
            .await?;
        }
        let before = before.and_then(|b| b.split_once('|'));
        let mut records = self
            .db
            .service_records(&row.tenant_id, id, RECORDS_SHOWN + 1, before)
            .await?;
        let next_before = if records.len() as i64 > RECORDS_SHOWN {
            records.truncate(RECORDS_SHOWN as usize);
            records
                .last()
                .map(|r| format!("{}|{}", r.record.activity_date, r.id))
        } else {
            None
        };
        Ok(VolunteerDetail {
            row,
            records,
            is_self,
            is_unit,
            next_before,
        })
    }

    /// A page of the volunteers the actor may see: their own profiles outside their territory
    /// first (on the first page), then those in their registry territory by name and id.
    pub async fn list_volunteers(
        &self,
        actor: &Actor,
        q: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page<VolunteerRow>, AppError> {
        let after = page::decode(after, store::volunteer::VOLUNTEER_ORDER.len())?;
        let mut scope_areas: Vec<AreaCode> = reach(actor, Action::ViewRegistry).roots().to_vec();
        scope_areas.extend(
            actor
                .assignments
                .iter()
                .filter(|a| a.role == Role::OrganizationManager)
                .map(|a| a.area.clone()),
        );
        let scope = domain::identity::Scope::new(scope_areas);
        let (rows, mut total) = if scope.roots().is_empty() {
            (Vec::new(), 0)
        } else {
            (
                self.db
                    .volunteers(&scope, q, after.as_deref(), limit + 1)
                    .await?,
                self.db.count_volunteers(&scope, q).await?,
            )
        };
        // One's own profiles in the territory come in their place in the order; those outside
        // it lead the first page (and count in the total).
        let own: Vec<VolunteerRow> = self
            .db
            .volunteers_of_user(&actor.user_id)
            .await?
            .into_iter()
            .filter(|v| !scope.contains(&v.volunteer.area))
            .filter(|v| q.is_none_or(|q| v.volunteer.name.contains(q.trim())))
            .collect();
        total += own.len() as i64;
        let mut page = Page::cut(rows, limit, total, |v| {
            vec![v.volunteer.name.clone(), v.id.clone()]
        });
        if after.is_none() {
            page.items.splice(0..0, own);
        }
        Ok(page)
    }

    /// Enters a service record for a volunteer (by the volunteer or the unit); the total moves in
    /// the same transaction.
    pub async fn record_service(
        &self,
        actor: &Actor,
        volunteer_id: &str,
        form: &ServiceRecordForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let v = self.load_volunteer(volunteer_id).await?;
        let subject = Subject {
            kind: "volunteer",
            id: volunteer_id,
            area: &v.volunteer.area,
        };
        let who = self
            .or_refused(
                can_record(actor, &v.volunteer.area, v.user_id.as_deref()).map_err(AppError::from),
                actor,
                EventKind::ServiceRecordCreate,
                &subject,
                ctx,
            )
            .await?;
        // The unit is picked from the registry (an officer who picks none records for their own
        // unit); its registered name is what the record shows.
        let fallback = match who {
            VolunteerActor::Unit(_) => own_unit(actor, &v.volunteer.area),
            VolunteerActor::Themself => None,
        };
        let picked = self.picked_unit(&form.unit, fallback, &v.tenant_id).await;
        let named = ServiceRecordForm {
            organizing_unit: match &picked {
                Ok((_, name)) => name.clone(),
                Err(_) => "—".into(),
            },
            ..form.clone()
        };
        let checked = domain::error::both(picked, named.validate(today(), &self.holidays()));
        let ((unit, _), rec) = self
            .or_refused(
                checked.map_err(AppError::from),
                actor,
                EventKind::ServiceRecordCreate,
                &subject,
                ctx,
            )
            .await?;
        // Verified when the unit itself enters it; a volunteer's own entry waits for the unit.
        let verified = speaks_for(actor, &unit).is_some();
        let id = new_id(&v.tenant_id);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_record(&NewRecord {
            tenant: &v.tenant_id,
            id: &id,
            volunteer_id,
            record: &rec,
            status: RecordStatus::Valid,
            corrects_id: None,
            correction_note: "",
            entered_by: &actor.login,
            entered_role: role_of(who).map(|r| r.as_str()),
            unit: Some(&unit),
            verified,
            now: &now,
        })
        .await?;
        tx.add_to_totals(&v.tenant_id, volunteer_id, rec.minutes, 1, &now)
            .await?;
        tx.append_audit(
            event(
                Some(actor),
                role_of(who),
                EventKind::ServiceRecordCreate,
                Outcome::Ok,
                &Subject {
                    kind: "service_record",
                    id: &id,
                    area: &v.volunteer.area,
                },
                ctx,
            )
            .after(json!({ "volunteer_id": volunteer_id, "record": rec, "unit": unit, "verified": verified })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The volunteer a service record belongs to (where to go back after acting on it).
    pub async fn volunteer_of_record(&self, record_id: &str) -> Result<Option<String>, AppError> {
        match tenant_of(record_id) {
            Some(t) => Ok(self.db.volunteer_of_record(t, record_id).await?),
            None => Ok(None),
        }
    }
}
