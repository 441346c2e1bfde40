//! Delivery (step 6 of the chain): the organization records activities (its volunteers' hours
//! become service records, the people served are named), and the oversight notes — coordination
//! meetings, supervision, major-activity reports and progress — are recorded by whoever the rule
//! names.

use super::{field, project_subject as subject};
use crate::audit::done;
use crate::kernel::new_id;
use crate::kernel::today;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::catalogue::can_apply;
use domain::chain::delivery::ActivityForm;
use domain::chain::oversight::{may_note, NoteForm, NoteKind};
use domain::chain::stage::Event;
use domain::volunteer::{RecordStatus, ServiceRecordForm};
use domain::{Actor, DomainError, FieldError, Role};
use serde_json::json;
use store::chain::application::{ProjectRow, RegistryTable};
use store::chain::delivery::{NewActivity, NewNote};
use store::time;
use store::volunteer::NewRecord;

/// [`may_note`] on a project.
pub(super) fn may_note_on(actor: &Actor, p: &ProjectRow, kind: NoteKind) -> Result<Role, AppError> {
    Ok(may_note(
        actor,
        p.stage,
        &p.community,
        &p.organization_id,
        kind,
    )?)
}

impl App {
    /// Records a coordination meeting, supervision session, major-activity report or progress.
    pub async fn record_note(
        &self,
        actor: &Actor,
        id: &str,
        form: &NoteForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let p = self
            .readable_project(actor, id, EventKind::DeliveryNote, ctx)
            .await?;
        let goals: Vec<String> = self
            .db
            .application_versions(&p.tenant_id, id)
            .await?
            .into_iter()
            .find(|v| v.version == p.version)
            .map(|v| v.content.goals.into_iter().map(|g| g.goal).collect())
            .unwrap_or_default();
        let checked = form
            .validate(&goals, today())
            .map_err(AppError::from)
            .and_then(|n| Ok((may_note_on(actor, &p, n.kind)?, n)));
        let (role, note) = self
            .or_refused(checked, actor, EventKind::DeliveryNote, &subject(&p), ctx)
            .await?;
        let nid = new_id(&p.tenant_id);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_note(&NewNote {
            tenant: &p.tenant_id,
            id: &nid,
            project: id,
            note: &note,
            by: &actor.user_id,
            role: role.as_str(),
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::DeliveryNote,
                &subject(&p),
                ctx,
            )
            .after(json!(note)),
        )
        .await?;
        tx.commit().await?;
        Ok(nid)
    }

    /// The organization records an activity; its volunteers' hours become service records.
    pub async fn record_activity(
        &self,
        actor: &Actor,
        id: &str,
        form: &ActivityForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let p = self
            .readable_project(actor, id, EventKind::ActivityRecord, ctx)
            .await?;
        let checked = async {
            let role = can_apply(actor, &p.organization_id)?;
            let to = p.stage.next(Event::Deliver)?;
            let a = form.validate(today())?;
            let t = &p.tenant_id;
            let found = self
                .db
                .registry_names(RegistryTable::SocialWorkers, t, &a.social_workers)
                .await?;
            if found.len() != a.social_workers.len() {
                return Err(field(
                    "social_workers",
                    "not_in_registry",
                    "社工台账中没有其中的编号",
                ));
            }
            let ids: Vec<String> = a.volunteers.iter().map(|(v, _)| v.clone()).collect();
            let found = self
                .db
                .registry_names(RegistryTable::Volunteers, t, &ids)
                .await?;
            if found.len() != ids.len() {
                return Err(field(
                    "volunteers",
                    "not_in_registry",
                    "志愿者台账中没有其中的编号",
                ));
            }
            let mut recipients = Vec::new();
            for login in &a.recipients {
                match self.db.user_by_login(login).await? {
                    Some(u) => recipients.push(u.id),
                    None => {
                        return Err(field(
                            "recipients",
                            "unknown_account",
                            format!("没有登录名为“{login}”的居民账号"),
                        ))
                    }
                }
            }
            // Each volunteer's record, checked as the registry checks any record.
            let mut records = Vec::new();
            for (v, minutes) in &a.volunteers {
                let r = ServiceRecordForm {
                    activity_name: p.title.clone(),
                    activity_date: a.held_on.to_string(),
                    place: a.place.clone(),
                    content: a.content.clone(),
                    hours: format!("{}", *minutes as f64 / 60.0),
                    organizing_unit: p.organization_name.clone(),
                    person_in_charge: actor.display_name.clone(),
                    late_reason: form.late_reason.clone(),
                    unit: String::new(),
                }
                .validate(today(), &self.holidays())
                .map_err(|e| match e {
                    DomainError::Invalid(errs) => DomainError::Invalid(
                        errs.into_iter()
                            .map(|f| {
                                FieldError::new(
                                    if f.field == "late_reason" {
                                        "late_reason"
                                    } else {
                                        "volunteers"
                                    },
                                    f.code,
                                    f.message,
                                )
                            })
                            .collect(),
                    ),
                    other => other,
                })?;
                // The record's time is the activity's, to the minute (the hours text above is
                // only for the registry's other checks and may round, e.g. 80 min = 1.333… h).
                let r = domain::volunteer::ServiceRecord {
                    minutes: *minutes,
                    ..r
                };
                records.push((v.clone(), r));
            }
            Ok::<_, AppError>((role, to, a, recipients, records))
        }
        .await;
        let (role, to, a, recipients, records) = self
            .or_refused(checked, actor, EventKind::ActivityRecord, &subject(&p), ctx)
            .await?;
        let aid = new_id(&p.tenant_id);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_activity(&NewActivity {
            tenant: &p.tenant_id,
            id: &aid,
            project: id,
            activity: &a,
            recipients: &recipients,
            recipient_names: &form.recipient_names(),
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        let unit = domain::volunteer::UnitRef {
            kind: domain::volunteer::UnitKind::Organization,
            id: p.organization_id.clone(),
        };
        for (v, r) in &records {
            let rid = new_id(&p.tenant_id);
            tx.insert_record(&NewRecord {
                tenant: &p.tenant_id,
                id: &rid,
                volunteer_id: v,
                record: r,
                status: RecordStatus::Valid,
                corrects_id: None,
                correction_note: "",
                entered_by: &actor.user_id,
                entered_role: Some(Role::OrganizationManager.as_str()),
                unit: Some(&unit),
                verified: true,
                now: &now,
            })
            .await?;
            tx.add_to_totals(&p.tenant_id, v, r.minutes, 1, &now)
                .await?;
        }
        self.advance(&mut tx, &p, to, &now).await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::ActivityRecord,
                &subject(&p),
                ctx,
            )
            .after(json!({ "activity_id": aid, "activity": a, "service_records": records.len(), "recipients_by_name": form.recipient_names().len() })),
        )
        .await?;
        tx.commit().await?;
        Ok(aid)
    }
}
