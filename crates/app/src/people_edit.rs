//! Corrections of the people registers (issue 15): a talent and a volunteer are edited on the
//! version read (`versioned`), with the same checks as when they were recorded; and an
//! organization's incubation period ends on a date.

use crate::audit::{done, Subject};
use crate::kernel::{tenant_of, today};
use crate::versioned::{Edit, Edited};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::authz::Action;
use domain::talent::{can_manage, Talent, TalentForm};
use domain::volunteer::{can_register, Volunteer, VolunteerActor, VolunteerForm};
use domain::{Actor, DomainError, Role};
use serde_json::{json, Value};
use store::talent::TalentRow;
use store::time;
use store::versions::{Register, VersionRow};
use store::volunteer::VolunteerRow;

fn talent_of(r: &TalentRow) -> Talent {
    Talent {
        name: r.name.clone(),
        gender: r.gender.clone(),
        category: r.category,
        area: r.area.clone(),
        position: r.position.clone(),
        organization_id: r.organization_id.clone(),
        social_worker_id: r.social_worker_id.clone(),
        backbone: r.backbone,
    }
}

fn other_city() -> AppError {
    AppError::Domain(DomainError::field(
        "area",
        "other_city",
        "不能改到其他城市的区域",
    ))
}

impl App {
    async fn talent_for(
        &self,
        actor: &Actor,
        id: &str,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<TalentRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("人才"))?;
        let row = self
            .db
            .talent(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("人才"))?;
        self.may_read(
            actor,
            Action::ViewRegistry,
            &Subject {
                kind: "talent",
                id,
                area: &row.area,
            },
            kind,
            ctx,
        )
        .await?;
        Ok(row)
    }

    /// Corrects a talent on the version read; the keepers of both the old and the new area may.
    pub async fn update_talent(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        form: &TalentForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let kind = EventKind::TalentUpdate;
        let row = self.talent_for(actor, id, kind, ctx).await?;
        let subject = Subject {
            kind: "talent",
            id,
            area: &row.area,
        };
        let checked = form.validate().map_err(AppError::from).and_then(|t| {
            let role = can_manage(actor, &row.area)?;
            can_manage(actor, &t.area)?;
            if t.area.tenant() != Some(row.tenant_id.as_str()) {
                return Err(other_city());
            }
            Ok((role, t))
        });
        let (role, t) = self.or_refused(checked, actor, kind, &subject, ctx).await?;
        let errors = self.talent_link_errors(&t, &row.tenant_id).await?;
        if !errors.is_empty() {
            let e = AppError::Domain(DomainError::Invalid(errors));
            return Err(self.refused(Some(actor), kind, &subject, e, ctx).await);
        }
        let edit = Edit {
            register: Register::Talent,
            tenant: &row.tenant_id,
            id,
            expected,
            before: json!(talent_of(&row)),
            after: json!(t),
            kind,
            noun: "人才",
        };
        let mut tx = self.begin_edit(&edit, actor, &subject, ctx).await?;
        tx.update_talent(&row.tenant_id, id, &t, &today().to_string(), &time::now())
            .await?;
        self.finish_edit(tx, &edit, actor, role, &subject, ctx)
            .await
    }

    /// The saved versions of a talent, newest first.
    pub async fn talent_versions(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Vec<VersionRow>, AppError> {
        let row = self
            .talent_for(actor, id, EventKind::TalentView, ctx)
            .await?;
        self.versions_of(Register::Talent, &row.tenant_id, id).await
    }

    /// A volunteer and who may correct them: the recording unit of their area, or the volunteer
    /// themself (their own profile only). Others who may see the record get a refusal.
    async fn volunteer_for(
        &self,
        actor: &Actor,
        id: &str,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<VolunteerRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("志愿者"))?;
        let row = self
            .db
            .volunteer(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("志愿者"))?;
        if row.user_id.as_deref() != Some(actor.user_id.as_str()) {
            self.may_read(
                actor,
                Action::ViewRegistry,
                &Subject {
                    kind: "volunteer",
                    id,
                    area: &row.volunteer.area,
                },
                kind,
                ctx,
            )
            .await?;
        }
        Ok(row)
    }

    /// Corrects a volunteer's registration on the version read (the consent given at
    /// registration stands).
    pub async fn update_volunteer(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        form: &VolunteerForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let kind = EventKind::VolunteerUpdate;
        let row = self.volunteer_for(actor, id, kind, ctx).await?;
        let subject = Subject {
            kind: "volunteer",
            id,
            area: &row.volunteer.area,
        };
        let own = row.user_id.as_deref() == Some(actor.user_id.as_str());
        let form = VolunteerForm {
            consent: Some("on".into()),
            ..form.clone()
        };
        let checked = form.validate().map_err(AppError::from).and_then(|v| {
            let may = |area| match can_register(actor, area)? {
                VolunteerActor::Themself if !own => Err(domain::Denied {
                    code: "not_recording_unit",
                    message: "无权修改：志愿者信息由本人或所在社区、街道、社会组织修改".into(),
                }),
                VolunteerActor::Themself => Ok(Role::Volunteer),
                VolunteerActor::Unit(r) => Ok(r),
            };
            let role = may(&row.volunteer.area)?;
            may(&v.area)?;
            if v.area.tenant() != Some(row.tenant_id.as_str()) {
                return Err(other_city());
            }
            Ok((role, v))
        });
        let (role, v): (Role, Volunteer) =
            self.or_refused(checked, actor, kind, &subject, ctx).await?;
        if self.db.area(&v.area).await?.is_none() {
            let e = AppError::Domain(DomainError::field(
                "area",
                "unknown_area",
                format!("区划代码 {} 不存在", v.area.full()),
            ));
            return Err(self.refused(Some(actor), kind, &subject, e, ctx).await);
        }
        let edit = Edit {
            register: Register::Volunteer,
            tenant: &row.tenant_id,
            id,
            expected,
            before: json!(row.volunteer),
            after: json!(v),
            kind,
            noun: "志愿者",
        };
        let mut tx = self.begin_edit(&edit, actor, &subject, ctx).await?;
        tx.update_volunteer(&row.tenant_id, id, &v, &time::now())
            .await?;
        self.finish_edit(tx, &edit, actor, role, &subject, ctx)
            .await
    }

    /// The saved versions of a volunteer, newest first.
    pub async fn volunteer_versions(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Vec<VersionRow>, AppError> {
        let row = self
            .volunteer_for(actor, id, EventKind::VolunteerView, ctx)
            .await?;
        self.versions_of(Register::Volunteer, &row.tenant_id, id)
            .await
    }

    /// Ends an open incubation period on a date (not before it began); the organization's
    /// managing authority may, as it may record one.
    pub async fn end_incubation(
        &self,
        actor: &Actor,
        org_id: &str,
        incubation_id: &str,
        ended_on: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::OrganizationIncubationEnd;
        let row = self.visible_org(actor, org_id, kind, ctx).await?;
        let subject = Subject {
            kind: "organization",
            id: org_id,
            area: &row.org.area,
        };
        let role = self
            .or_refused(
                domain::registry::can_edit(actor, &row.org, &row.org).map_err(AppError::from),
                actor,
                kind,
                &subject,
                ctx,
            )
            .await?;
        let incubations = self.db.incubations(&row.tenant_id, org_id).await?;
        let inc = incubations
            .iter()
            .find(|i| i.id == incubation_id)
            .ok_or_else(|| AppError::not_found("孵化记录"))?;
        let checked = if inc.ended_on.is_some() {
            Err(AppError::Domain(DomainError::field(
                "ended_on",
                "already_ended",
                format!(
                    "该孵化期已于 {} 结束",
                    inc.ended_on.clone().unwrap_or_default()
                ),
            )))
        } else {
            let start = chrono::NaiveDate::parse_from_str(&inc.started_on, "%Y-%m-%d")
                .unwrap_or(chrono::NaiveDate::MIN);
            domain::social::end_date(ended_on, start, "ended_on", "出孵日期", "入孵日期")
                .map_err(|f| AppError::Domain(DomainError::Invalid(vec![f])))
        };
        let ended = self.or_refused(checked, actor, kind, &subject, ctx).await?;
        let mut tx = self.db.begin().await?;
        if !tx
            .end_incubation(&row.tenant_id, org_id, incubation_id, &ended.to_string())
            .await?
        {
            tx.rollback().await?;
            let e = AppError::Domain(DomainError::field(
                "ended_on",
                "already_ended",
                "该孵化期已结束",
            ));
            return Err(self.refused(Some(actor), kind, &subject, e, ctx).await);
        }
        tx.append_audit(
            done(actor, Some(role), kind, &subject, ctx)
                .before(json!({ "incubation": incubation_id, "ended_on": Value::Null }))
                .after(json!({ "incubation": incubation_id, "ended_on": ended })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
