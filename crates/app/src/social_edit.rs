//! Corrections of the social-work registers (issue 15): a social worker, a platform and a post
//! are edited on the version read (`versioned`), a post and a social worker's employment end on a
//! date, and the staffing standard and the allowance are read on a day.

use crate::audit::Subject;
use crate::kernel::{tenant_of, today};
use crate::versioned::{Edit, Edited};
use crate::{App, AppError, Ctx};
use chrono::NaiveDate;
use domain::audit::EventKind;
use domain::authz::Action;
use domain::social::{
    can_manage, end_date, PlatformForm, PostForm, SocialWorker, SocialWorkerForm,
};
use domain::{Actor, AreaCode, DomainError, FieldError};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use store::social::{NewSocialWorker, PlatformRow, PostRow, SocialWorkerRow};
use store::time;
use store::versions::Register;

/// An end on a date, on the version read (a post's end, an employment's end).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct EndForm {
    pub version: i64,
    /// `YYYY-MM-DD`: the last day.
    #[serde(default)]
    pub ended_on: String,
}

/// A social worker as the history keeps it: the identity number masked.
pub(crate) fn worker_snapshot(r: &SocialWorkerRow) -> Value {
    json!({
        "name": r.name, "gender": r.gender, "id_number": r.id_masked,
        "certificate_level": r.certificate_level, "certificate_number": r.certificate_number,
        "certificate_date": r.certificate_date, "employer_org_id": r.employer_org_id,
        "area": r.area, "employment_ended_on": r.employment_ended_on,
    })
}

fn platform_snapshot(p: &domain::social::Platform) -> Value {
    json!({ "kind": p.kind, "name": p.name, "area": p.area })
}

fn post_snapshot(title: &str, started_on: &str, ended_on: Option<&str>) -> Value {
    json!({ "title": title, "started_on": started_on, "ended_on": ended_on })
}

impl App {
    /// A social worker the actor may see, for an edit (refusals audited as `kind`).
    async fn worker_for(
        &self,
        actor: &Actor,
        id: &str,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<SocialWorkerRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("社工"))?;
        let row = self
            .db
            .social_worker(tenant, id, &today().to_string())
            .await?
            .ok_or_else(|| AppError::not_found("社工"))?;
        self.may_read(
            actor,
            Action::ViewRegistry,
            &Subject {
                kind: "social_worker",
                id,
                area: &row.area,
            },
            kind,
            ctx,
        )
        .await?;
        Ok(row)
    }

    /// The record's area and the new one must both be the actor's to keep, and in one city.
    async fn may_keep(
        &self,
        actor: &Actor,
        from: &AreaCode,
        to: &AreaCode,
        kind: EventKind,
        subject: &Subject<'_>,
        ctx: &Ctx,
    ) -> Result<domain::Role, AppError> {
        let checked = can_manage(actor, from)
            .and_then(|r| can_manage(actor, to).map(|_| r))
            .map_err(AppError::from)
            .and_then(|r| {
                if from.tenant() == to.tenant() {
                    Ok(r)
                } else {
                    Err(AppError::Domain(DomainError::field(
                        "area",
                        "other_city",
                        "不能改到其他城市的区域",
                    )))
                }
            });
        self.or_refused(checked, actor, kind, subject, ctx).await
    }

    /// Corrects a social worker on the version read. A blank identity number keeps the stored
    /// one; a new one is encrypted and hashed as on create, and shown only masked.
    pub async fn update_social_worker(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        form: &SocialWorkerForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let kind = EventKind::SocialWorkerUpdate;
        let row = self.worker_for(actor, id, kind, ctx).await?;
        let subject = Subject {
            kind: "social_worker",
            id,
            area: &row.area,
        };
        let pii = &self.settings.pii;
        let mut form = form.clone();
        if form.id_number.trim().is_empty() {
            form.id_number = pii.decrypt(&row.id_cipher).unwrap_or_default();
        }
        let w: SocialWorker = self
            .or_refused(
                form.validate(today()).map_err(AppError::from),
                actor,
                kind,
                &subject,
                ctx,
            )
            .await?;
        let role = self
            .may_keep(actor, &row.area, &w.area, kind, &subject, ctx)
            .await?;
        let lookup = pii.lookup_hash(w.id_number.expose());
        let masked = w.id_number.masked();
        let cipher = pii.encrypt(w.id_number.expose());
        let number = Some(w.certificate_number.as_str()).filter(|n| !n.is_empty());
        let new = NewSocialWorker {
            name: &w.name,
            gender: if w.id_number.is_male() {
                "male"
            } else {
                "female"
            },
            id_cipher: &cipher,
            id_lookup: &lookup,
            id_masked: &masked,
            certificate_level: w.certificate_level,
            certificate_number: number,
            certificate_date: w.certificate_date.map(|d| d.to_string()),
            employer_org_id: w.employer_org_id.as_deref(),
            area: &w.area,
        };
        let after = SocialWorkerRow {
            name: w.name.clone(),
            gender: new.gender.to_string(),
            id_masked: masked.clone(),
            certificate_level: w.certificate_level,
            certificate_number: number.map(str::to_string),
            certificate_date: new.certificate_date.clone(),
            employer_org_id: w.employer_org_id.clone(),
            area: w.area.clone(),
            ..row.clone()
        };
        let edit = Edit {
            register: Register::SocialWorker,
            tenant: &row.tenant_id,
            id,
            expected,
            before: worker_snapshot(&row),
            after: worker_snapshot(&after),
            kind,
            noun: "社工",
        };
        let mut tx = self.begin_edit(&edit, actor, &subject, ctx).await?;
        if let Err(store::StoreError::Duplicate(c)) = tx
            .update_social_worker(&row.tenant_id, id, &new, &time::now())
            .await
        {
            tx.rollback().await?;
            let e = if c.contains("certificate") {
                AppError::Duplicate {
                    field: "certificate_number",
                    message: format!("证书编号 {} 已被登记", w.certificate_number),
                }
            } else {
                AppError::Duplicate {
                    field: "id_number",
                    message: "该身份证号码的社工已在台账中".into(),
                }
            };
            return Err(self.refused(Some(actor), kind, &subject, e, ctx).await);
        }
        self.finish_edit(tx, &edit, actor, role, &subject, ctx)
            .await
    }

    /// Ends a social worker's employment on a date (their last day), on the version read: from
    /// the next day their posts no longer count towards the standard or the allowance.
    pub async fn end_employment(
        &self,
        actor: &Actor,
        id: &str,
        form: &EndForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let kind = EventKind::SocialWorkerEmploymentEnd;
        let row = self.worker_for(actor, id, kind, ctx).await?;
        let subject = Subject {
            kind: "social_worker",
            id,
            area: &row.area,
        };
        let role = self
            .or_refused(
                can_manage(actor, &row.area).map_err(AppError::from),
                actor,
                kind,
                &subject,
                ctx,
            )
            .await?;
        // The employment cannot end before the latest post it held began.
        let posts = self
            .db
            .posts(&row.tenant_id, "social_worker_id", id)
            .await?;
        let latest = posts
            .iter()
            .filter_map(|p| NaiveDate::parse_from_str(&p.started_on, "%Y-%m-%d").ok())
            .max();
        let ended = end_date(
            &form.ended_on,
            latest.unwrap_or(NaiveDate::MIN),
            "ended_on",
            "聘用终止日期",
            "其最近岗位的到岗日期",
        )
        .map_err(|f| AppError::Domain(DomainError::Invalid(vec![f])));
        let ended = self.or_refused(ended, actor, kind, &subject, ctx).await?;
        let ended_text = ended.to_string();
        let after = SocialWorkerRow {
            employment_ended_on: Some(ended_text.clone()),
            ..row.clone()
        };
        let edit = Edit {
            register: Register::SocialWorker,
            tenant: &row.tenant_id,
            id,
            expected: form.version,
            before: worker_snapshot(&row),
            after: worker_snapshot(&after),
            kind,
            noun: "社工",
        };
        let mut tx = self.begin_edit(&edit, actor, &subject, ctx).await?;
        tx.set_employment_end(&row.tenant_id, id, Some(&ended_text), &time::now())
            .await?;
        self.finish_edit(tx, &edit, actor, role, &subject, ctx)
            .await
    }

    async fn platform_for(
        &self,
        actor: &Actor,
        id: &str,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<PlatformRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("平台"))?;
        let row = self
            .db
            .platform(tenant, id, &today().to_string())
            .await?
            .ok_or_else(|| AppError::not_found("平台"))?;
        self.may_read(
            actor,
            Action::ViewRegistry,
            &Subject {
                kind: "platform",
                id,
                area: &row.platform.area,
            },
            kind,
            ctx,
        )
        .await?;
        Ok(row)
    }

    /// Corrects a platform on the version read (one centre per township, one station per
    /// community, as on create).
    pub async fn update_platform(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        form: &PlatformForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let kind = EventKind::PlatformUpdate;
        let row = self.platform_for(actor, id, kind, ctx).await?;
        let subject = Subject {
            kind: "platform",
            id,
            area: &row.platform.area,
        };
        let p = self
            .or_refused(
                form.validate().map_err(AppError::from),
                actor,
                kind,
                &subject,
                ctx,
            )
            .await?;
        let role = self
            .may_keep(actor, &row.platform.area, &p.area, kind, &subject, ctx)
            .await?;
        if self.db.area(&p.area).await?.is_none() {
            let e = AppError::Domain(DomainError::field(
                "area",
                "unknown_area",
                format!("区划代码 {} 不存在", p.area.full()),
            ));
            return Err(self.refused(Some(actor), kind, &subject, e, ctx).await);
        }
        let edit = Edit {
            register: Register::Platform,
            tenant: &row.tenant_id,
            id,
            expected,
            before: platform_snapshot(&row.platform),
            after: platform_snapshot(&p),
            kind,
            noun: "平台",
        };
        let mut tx = self.begin_edit(&edit, actor, &subject, ctx).await?;
        if let Err(store::StoreError::Duplicate(_)) =
            tx.update_platform(&row.tenant_id, id, &p).await
        {
            tx.rollback().await?;
            let e = AppError::Duplicate {
                field: "area",
                message: format!(
                    "该区划已有{}（每个乡镇一个中心、每个社区一个站）",
                    p.kind.zh()
                ),
            };
            return Err(self.refused(Some(actor), kind, &subject, e, ctx).await);
        }
        self.finish_edit(tx, &edit, actor, role, &subject, ctx)
            .await
    }

    /// One post with what its platform's keepers may do (refusals audited as `kind`).
    pub async fn post_for(
        &self,
        actor: &Actor,
        id: &str,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<(PostRow, PlatformRow), AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("岗位"))?;
        let post = self
            .db
            .post(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("岗位"))?;
        let platform = self
            .platform_for(actor, &post.platform_id, kind, ctx)
            .await?;
        Ok((post, platform))
    }

    /// Corrects a post's title and period on the version read (the holder and the platform stay).
    pub async fn update_post(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        form: &PostForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let kind = EventKind::PostUpdate;
        self.save_post(actor, id, expected, form, kind, ctx).await
    }

    /// Ends a post on a date (the last day held), on the version read.
    pub async fn end_post(
        &self,
        actor: &Actor,
        id: &str,
        form: &EndForm,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let (post, _) = self.post_for(actor, id, EventKind::PostEnd, ctx).await?;
        let form_terms = PostForm {
            title: post.title,
            started_on: post.started_on,
            ended_on: if form.ended_on.trim().is_empty() {
                // An end needs its date: an empty one is refused on its field, not read as "open".
                "—".into()
            } else {
                form.ended_on.clone()
            },
            ..Default::default()
        };
        self.save_post(
            actor,
            id,
            form.version,
            &form_terms,
            EventKind::PostEnd,
            ctx,
        )
        .await
    }

    async fn save_post(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        form: &PostForm,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let (post, platform) = self.post_for(actor, id, kind, ctx).await?;
        let subject = Subject {
            kind: "post",
            id,
            area: &platform.platform.area,
        };
        let role = self
            .or_refused(
                can_manage(actor, &platform.platform.area).map_err(AppError::from),
                actor,
                kind,
                &subject,
                ctx,
            )
            .await?;
        let terms = form
            .terms()
            .map_err(|errors: Vec<FieldError>| AppError::Domain(DomainError::Invalid(errors)));
        let terms = self.or_refused(terms, actor, kind, &subject, ctx).await?;
        let started = terms.started_on.to_string();
        let ended = terms.ended_on.map(|d| d.to_string());
        let edit = Edit {
            register: Register::Post,
            tenant: &platform.tenant_id,
            id,
            expected,
            before: post_snapshot(&post.title, &post.started_on, post.ended_on.as_deref()),
            after: post_snapshot(&terms.title, &started, ended.as_deref()),
            kind,
            noun: "岗位",
        };
        let mut tx = self.begin_edit(&edit, actor, &subject, ctx).await?;
        tx.update_post(
            &platform.tenant_id,
            id,
            &terms.title,
            &started,
            ended.as_deref(),
        )
        .await?;
        self.finish_edit(tx, &edit, actor, role, &subject, ctx)
            .await
    }

    /// The saved versions of a post, newest first (for whoever may see its platform).
    pub async fn post_versions(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Vec<store::versions::VersionRow>, AppError> {
        let (_, platform) = self.post_for(actor, id, EventKind::PostView, ctx).await?;
        self.versions_of(Register::Post, &platform.tenant_id, id)
            .await
    }
}

impl App {
    /// The saved versions of a social worker, newest first.
    pub async fn social_worker_versions(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Vec<store::versions::VersionRow>, AppError> {
        let row = self
            .worker_for(actor, id, EventKind::SocialWorkerView, ctx)
            .await?;
        self.versions_of(Register::SocialWorker, &row.tenant_id, id)
            .await
    }

    /// The saved versions of a platform, newest first.
    pub async fn platform_versions(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Vec<store::versions::VersionRow>, AppError> {
        let row = self
            .platform_for(actor, id, EventKind::PlatformView, ctx)
            .await?;
        self.versions_of(Register::Platform, &row.tenant_id, id)
            .await
    }
}
