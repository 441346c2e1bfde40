//! Volunteers and their service records: registration with consent, records entered by the
//! volunteer or the unit, corrections as new records, maintained totals, certificates that anyone
//! can verify.

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::{tenant_of, today};
use crate::page::{self, Page};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::volunteer::{
    can_decide_correction, can_record, can_register, fixed_holidays, mask_name, RecordStatus,
    ServiceRecordForm, VolunteerActor, VolunteerForm, CONSENT_VERSION,
};
use domain::{Actor, AreaCode, DomainError, Role};
use rand::Rng;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::time;
use store::volunteer::{NewCertificate, NewRecord, RecordRow, VolunteerRow};

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
    /// What the valid records were about.
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
        let checked = form
            .validate()
            .map_err(AppError::from)
            .and_then(|v| Ok((can_register(actor, &v.area)?, v)));
        let (who, v) = self
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
        let id = new_id(&tenant);
        let user = matches!(who, VolunteerActor::Themself).then_some(actor.user_id.as_str());
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_volunteer(&tenant, &id, user, &v, CONSENT_VERSION, &now)
            .await?;
        tx.append_audit(done(actor, role_of(who), EventKind::VolunteerRegister, &Subject { kind: "volunteer", id: &id, area: &v.area }, ctx).after(json!({ "volunteer": v, "consent_version": CONSENT_VERSION, "self_registered": user.is_some() })))
        .await?;
        tx.commit().await?;
        Ok(id)
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
        let rec = self
            .or_refused(
                form.validate(today(), &self.holidays())
                    .map_err(AppError::from),
                actor,
                EventKind::ServiceRecordCreate,
                &subject,
                ctx,
            )
            .await?;
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
            .after(json!({ "volunteer_id": volunteer_id, "record": rec })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The volunteer asks to correct a record: a new pending record pointing at the old one.
    pub async fn request_correction(
        &self,
        actor: &Actor,
        record_id: &str,
        form: &ServiceRecordForm,
        note: &str,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let tenant = tenant_of(record_id)
            .ok_or_else(|| AppError::not_found("服务记录"))?
            .to_string();
        let mut tx = self.db.begin().await?;
        let old = tx
            .record_for_update(&tenant, record_id)
            .await?
            .ok_or_else(|| AppError::not_found("服务记录"))?;
        let v = self
            .db
            .volunteer(&tenant, &old.volunteer_id)
            .await?
            .ok_or_else(|| AppError::not_found("志愿者"))?;
        let subject = Subject {
            kind: "service_record",
            id: record_id,
            area: &v.volunteer.area,
        };
        if v.user_id.as_deref() != Some(actor.user_id.as_str()) {
            tx.rollback().await?;
            let d = domain::Denied {
                code: "not_the_volunteer",
                message: "只有志愿者本人可以申请更正自己的服务记录".into(),
            };
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ServiceRecordCorrectionRequest,
                    &subject,
                    d.into(),
                    ctx,
                )
                .await);
        }
        if old.status != RecordStatus::Valid {
            tx.rollback().await?;
            let e = AppError::Domain(DomainError::conflict(
                "record_not_valid",
                format!("该记录当前状态为“{}”，不能再申请更正", old.status.zh()),
            ));
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ServiceRecordCorrectionRequest,
                    &subject,
                    e,
                    ctx,
                )
                .await);
        }
        let mut errors = Vec::new();
        let rec = match form.validate(today(), &[]) {
            // A correction keeps the original entry date's lateness: it is not a new late entry.
            Ok(mut r) => {
                r.late = old.record.late;
                r.late_reason = old.record.late_reason.clone();
                Some(r)
            }
            Err(DomainError::Invalid(f)) => {
                errors.extend(f.into_iter().filter(|e| e.field != "late_reason"));
                None
            }
            Err(e) => return Err(e.into()),
        };
        if note.trim().is_empty() {
            errors.push(domain::FieldError::new(
                "note",
                "required",
                "请说明需要更正的原因",
            ));
        }
        let Some(rec) = rec.filter(|_| errors.is_empty()) else {
            tx.rollback().await?;
            let e = AppError::Domain(DomainError::Invalid(errors));
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ServiceRecordCorrectionRequest,
                    &subject,
                    e,
                    ctx,
                )
                .await);
        };
        let id = new_id(&tenant);
        let now = time::now();
        tx.insert_record(&NewRecord {
            tenant: &tenant,
            id: &id,
            volunteer_id: &v.id,
            record: &rec,
            status: RecordStatus::Pending,
            corrects_id: Some(record_id),
            correction_note: note.trim(),
            entered_by: &actor.login,
            entered_role: Some(Role::Volunteer.as_str()),
            now: &now,
        })
        .await?;
        tx.append_audit(
            event(
                Some(actor),
                Some(Role::Volunteer),
                EventKind::ServiceRecordCorrectionRequest,
                Outcome::Ok,
                &Subject {
                    kind: "service_record",
                    id: &id,
                    area: &v.volunteer.area,
                },
                ctx,
            )
            .before(json!(old.record))
            .after(json!({ "corrects": record_id, "record": rec, "note": note.trim() })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The unit accepts or rejects a pending correction. Accepting supersedes the old record and
    /// moves the total by the difference, in one transaction.
    pub async fn decide_correction(
        &self,
        actor: &Actor,
        pending_id: &str,
        accept: bool,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let tenant = tenant_of(pending_id)
            .ok_or_else(|| AppError::not_found("服务记录"))?
            .to_string();
        let mut tx = self.db.begin().await?;
        let new = tx
            .record_for_update(&tenant, pending_id)
            .await?
            .ok_or_else(|| AppError::not_found("服务记录"))?;
        let v = self
            .db
            .volunteer(&tenant, &new.volunteer_id)
            .await?
            .ok_or_else(|| AppError::not_found("志愿者"))?;
        let subject = Subject {
            kind: "service_record",
            id: pending_id,
            area: &v.volunteer.area,
        };
        let role = match can_decide_correction(actor, &v.volunteer.area) {
            Ok(r) => r,
            Err(d) => {
                tx.rollback().await?;
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::ServiceRecordCorrectionDecide,
                        &subject,
                        d.into(),
                        ctx,
                    )
                    .await);
            }
        };
        let (Some(old_id), RecordStatus::Pending) = (new.corrects_id.clone(), new.status) else {
            tx.rollback().await?;
            let e = AppError::Domain(DomainError::conflict(
                "not_pending",
                format!("该记录不是待确认的更正申请（当前：{}）", new.status.zh()),
            ));
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ServiceRecordCorrectionDecide,
                    &subject,
                    e,
                    ctx,
                )
                .await);
        };
        let old = tx
            .record_for_update(&tenant, &old_id)
            .await?
            .ok_or_else(|| AppError::not_found("服务记录"))?;
        let now = time::now();
        if accept {
            tx.set_record_status(
                &tenant,
                &old_id,
                RecordStatus::Superseded,
                &actor.login,
                &now,
            )
            .await?;
            tx.set_record_status(&tenant, pending_id, RecordStatus::Valid, &actor.login, &now)
                .await?;
            tx.add_to_totals(
                &tenant,
                &v.id,
                new.record.minutes - old.record.minutes,
                0,
                &now,
            )
            .await?;
        } else {
            tx.set_record_status(
                &tenant,
                pending_id,
                RecordStatus::Rejected,
                &actor.login,
                &now,
            )
            .await?;
        }
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                if accept {
                    EventKind::ServiceRecordCorrectionAccept
                } else {
                    EventKind::ServiceRecordCorrectionReject
                },
                Outcome::Ok,
                &subject,
                ctx,
            )
            .before(json!({ "record": old_id, "minutes": old.record.minutes }))
            .after(
                json!({ "record": pending_id, "minutes": new.record.minutes, "accepted": accept }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A volunteer's certificate as the volunteer's page shows it: only a certificate issued to
    /// this volunteer (any other code is "not found" here, whatever the public page says of it),
    /// with what the valid records were about (at most ten distinct lines).
    pub async fn volunteer_certificate(
        &self,
        actor: &Actor,
        volunteer_id: &str,
        code: &str,
        ctx: &Ctx,
    ) -> Result<CertificateView, AppError> {
        let d = self
            .volunteer_detail(actor, volunteer_id, None, ctx)
            .await?;
        // Only a certificate issued to this volunteer, read once (any other code is "not
        // found" here, whatever the public page says of it).
        let code = code.trim().to_uppercase();
        let c = match tenant_of(&code) {
            Some(t) if t == d.row.tenant_id => self.db.certificate(t, &code).await?,
            _ => None,
        }
        .filter(|c| c.volunteer_id == volunteer_id)
        .ok_or_else(|| AppError::not_found("证明"))?;
        let certificate = verified(c, &d.row.volunteer.name);
        let mut contents: Vec<String> = Vec::new();
        for r in d.records.iter().filter(|r| r.status == RecordStatus::Valid) {
            let line = format!("{}：{}", r.record.activity_name, r.record.content);
            if !contents.contains(&line) && contents.len() < 10 {
                contents.push(line);
            }
        }
        Ok(CertificateView {
            name: d.row.volunteer.name,
            certificate,
            contents,
        })
    }

    /// The volunteer a service record belongs to (where to go back after acting on it).
    pub async fn volunteer_of_record(&self, record_id: &str) -> Result<Option<String>, AppError> {
        match tenant_of(record_id) {
            Some(t) => Ok(self.db.volunteer_of_record(t, record_id).await?),
            None => Ok(None),
        }
    }

    /// Issues a certificate of the current totals with a verification code (`3410-XXXX-XXXX`).
    pub async fn issue_certificate(
        &self,
        actor: &Actor,
        volunteer_id: &str,
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
                EventKind::CertificateIssue,
                &subject,
                ctx,
            )
            .await?;
        if v.record_count == 0 {
            let e = AppError::Domain(DomainError::conflict(
                "no_records",
                "尚无有效的服务记录，不能出具证明",
            ));
            return Err(self
                .refused(Some(actor), EventKind::CertificateIssue, &subject, e, ctx)
                .await);
        }
        let units = self
            .db
            .recording_units(&v.tenant_id, volunteer_id)
            .await?
            .join("、");
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let code = {
            let mut rng = rand::thread_rng();
            let mut part = || {
                (0..4)
                    .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                    .collect::<String>()
            };
            format!("{}-{}-{}", v.tenant_id, part(), part())
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_certificate(&NewCertificate {
            tenant: &v.tenant_id,
            code: &code,
            volunteer_id,
            total_minutes: v.total_minutes,
            record_count: v.record_count,
            units: &units,
            issued_by: &actor.login,
            now: &now,
        })
        .await?;
        tx.append_audit(done(actor, role_of(who), EventKind::CertificateIssue, &subject, ctx).after(json!({ "code": code, "total_minutes": v.total_minutes, "record_count": v.record_count })))
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Anyone may check a certificate by its code; only what the certificate states is shown.
    pub async fn verify_certificate(&self, code: &str) -> Result<VerifiedCertificate, AppError> {
        let code = code.trim().to_uppercase();
        let tenant = tenant_of(&code)
            .ok_or_else(|| AppError::not_found("证明编号"))?
            .to_string();
        let c = self
            .db
            .certificate(&tenant, &code)
            .await?
            .ok_or_else(|| AppError::not_found("证明编号"))?;
        let v = self
            .db
            .volunteer(&tenant, &c.volunteer_id)
            .await?
            .ok_or_else(|| AppError::not_found("证明编号"))?;
        Ok(verified(c, &v.volunteer.name))
    }
}

/// What a certificate says, the holder's name masked.
fn verified(c: store::volunteer::CertificateRow, name: &str) -> VerifiedCertificate {
    VerifiedCertificate {
        code: c.code,
        masked_name: mask_name(name),
        hours: domain::volunteer::hours_text(c.total_minutes),
        record_count: c.record_count,
        units: c.units,
        issued_at: c.issued_at,
    }
}
