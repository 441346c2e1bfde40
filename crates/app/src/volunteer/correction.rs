//! Corrections of service records: the volunteer asks, the unit decides; an accepted correction
//! supersedes the old record only while it is still valid.

use crate::audit::{event, Subject};
use crate::kernel::{new_id, tenant_of, today};
use crate::{App, AppError, Ctx};
use domain::audit::{EventKind, Outcome};
use domain::volunteer::{can_decide_correction, RecordStatus, ServiceRecordForm};
use domain::{Actor, DomainError, Role};
use serde_json::json;
use store::time;
use store::volunteer::NewRecord;

impl App {
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
        // A correction keeps the record's unit: it corrects what was done, not who vouches.
        let form = ServiceRecordForm {
            organizing_unit: old.record.organizing_unit.clone(),
            ..form.clone()
        };
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
            unit: old.unit.as_ref(),
            verified: false,
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
        // The old record must still be valid when the correction replaces it: another
        // correction of it may have been accepted first. The read above locks the row on
        // PostgreSQL; the conditional updates below are the check on both backends.
        let moved = if accept {
            old.status == RecordStatus::Valid
                && tx
                    .move_record_status(
                        &tenant,
                        &old_id,
                        RecordStatus::Valid,
                        RecordStatus::Superseded,
                        &actor.login,
                        &now,
                    )
                    .await?
                && tx
                    .move_record_status(
                        &tenant,
                        pending_id,
                        RecordStatus::Pending,
                        RecordStatus::Valid,
                        &actor.login,
                        &now,
                    )
                    .await?
        } else {
            tx.move_record_status(
                &tenant,
                pending_id,
                RecordStatus::Pending,
                RecordStatus::Rejected,
                &actor.login,
                &now,
            )
            .await?
        };
        if !moved {
            tx.rollback().await?;
            let e = AppError::Domain(if accept {
                DomainError::conflict(
                    "already_superseded",
                    format!(
                        "原记录已被另一条更正取代或已不再有效（当前：{}），这条更正不能再接受；请驳回或让志愿者对新记录重新申请",
                        old.status.zh()
                    ),
                )
            } else {
                DomainError::conflict("not_pending", "该更正申请已被处理")
            });
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ServiceRecordCorrectionDecide,
                    &subject,
                    e,
                    ctx,
                )
                .await);
        }
        if accept {
            // Accepted by the unit: the corrected record is verified as the old one was vouched.
            tx.confirm_record(&tenant, pending_id, &actor.login, &now)
                .await?;
            tx.add_to_totals(
                &tenant,
                &v.id,
                new.record.minutes - old.record.minutes,
                0,
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
}
