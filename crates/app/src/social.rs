//! Social work: platforms and the staffing standard, social workers (identity numbers encrypted),
//! professional posts and trainings.

use crate::audit::{done, event, Subject};
use crate::kernel::{new_id, tenant_of, today};
use crate::page::{self, Page};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::Action;
use domain::social::{
    allowance_eligible_on, can_manage, HeldPost, PlatformForm, PostForm, SocialWorkerForm,
    Staffing, StaffingStandard, TrainingForm,
};
use domain::{Actor, DomainError, FieldError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::social::{
    NewPost, NewSocialWorker, PlatformRow, PostRow, SocialWorkerRow, TrainingOwner, TrainingRow,
};
use store::time;
use store::versions::{Register, VersionRow};

/// The profile in force for the demonstration city. Targets are policy data: a deployment for
/// another jurisdiction names its own.
pub const STANDARD: StaffingStandard = StaffingStandard::HUANGSHAN_2020;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlatformDetail {
    #[serde(flatten)]
    pub row: PlatformRow,
    pub posts: Vec<PostRow>,
    pub required_posts: Option<i64>,
    pub meets_standard: Option<bool>,
    pub standard: StaffingStandard,
    /// The posts held on the day asked (today unless `?on=`), against the standard.
    pub staffing: Staffing,
    pub editable: bool,
    /// Saved versions, newest first (empty until the first edit).
    pub versions: Vec<VersionRow>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SocialWorkerDetail {
    #[serde(flatten)]
    pub row: SocialWorkerRow,
    pub posts: Vec<PostRow>,
    pub trainings: Vec<TrainingRow>,
    /// Eligible for the allowance on `on`: certified and holding a post that day.
    pub allowance_eligible: bool,
    /// The day asked (today unless `?on=`).
    pub on: chrono::NaiveDate,
    pub editable: bool,
    /// Saved versions, newest first (empty until the first edit).
    pub versions: Vec<VersionRow>,
}

/// Posts as the standard and the allowance count them.
fn held(posts: &[PostRow]) -> Vec<HeldPost> {
    posts
        .iter()
        .filter_map(|p| {
            HeldPost::parse(
                &p.started_on,
                p.ended_on.as_deref(),
                p.employment_ended_on.as_deref(),
            )
        })
        .collect()
}

fn today_text() -> String {
    today().format("%Y-%m-%d").to_string()
}

impl App {
    pub async fn create_platform(
        &self,
        actor: &Actor,
        form: &PlatformForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed =
            domain::AreaCode::parse(&form.area).unwrap_or_else(|_| domain::AreaCode::nation());
        let subject = Subject {
            kind: "platform",
            id: form.name.trim(),
            area: &typed,
        };
        let checked = form
            .validate()
            .map_err(AppError::from)
            .and_then(|p| Ok((can_manage(actor, &p.area)?, p)));
        let (role, p) = self
            .or_refused(checked, actor, EventKind::PlatformCreate, &subject, ctx)
            .await?;
        if self.db.area(&p.area).await?.is_none() {
            let e = AppError::Domain(DomainError::field(
                "area",
                "unknown_area",
                format!("区划代码 {} 不存在", p.area.full()),
            ));
            return Err(self
                .refused(Some(actor), EventKind::PlatformCreate, &subject, e, ctx)
                .await);
        }
        let tenant = p.area.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let mut tx = self.db.begin().await?;
        match tx.insert_platform(&tenant, &id, &p, &time::now()).await {
            Err(store::StoreError::Duplicate(_)) => {
                tx.rollback().await?;
                let e = AppError::Duplicate {
                    field: "area",
                    message: format!(
                        "该区划已有{}（每个乡镇一个中心、每个社区一个站）",
                        p.kind.zh()
                    ),
                };
                return Err(self
                    .refused(Some(actor), EventKind::PlatformCreate, &subject, e, ctx)
                    .await);
            }
            other => other?,
        }
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::PlatformCreate,
                Outcome::Ok,
                &Subject {
                    kind: "platform",
                    id: &id,
                    area: &p.area,
                },
                ctx,
            )
            .after(json!(p)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn platform_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<PlatformDetail, AppError> {
        self.platform_detail_on(actor, id, None, ctx).await
    }

    /// A platform with its staffing on `on` (today by default).
    pub async fn platform_detail_on(
        &self,
        actor: &Actor,
        id: &str,
        on: Option<chrono::NaiveDate>,
        ctx: &Ctx,
    ) -> Result<PlatformDetail, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("平台"))?;
        let row = self
            .db
            .platform(tenant, id, &today_text())
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
            EventKind::PlatformView,
            ctx,
        )
        .await?;
        let posts = self.db.posts(tenant, "platform_id", id).await?;
        let staffing =
            STANDARD.staffing_on(row.platform.kind, &held(&posts), on.unwrap_or_else(today));
        Ok(PlatformDetail {
            editable: can_manage(actor, &row.platform.area).is_ok(),
            meets_standard: staffing.meets,
            required_posts: staffing.required,
            staffing,
            versions: self
                .db
                .register_versions(tenant, Register::Platform, id)
                .await?,
            standard: STANDARD,
            posts,
            row,
        })
    }

    /// A page of the platforms of the actor's territory (by community, kind, id).
    pub async fn list_platforms(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page<PlatformRow>, AppError> {
        let scope = crate::registry::registry_scope(actor)?;
        let after = page::decode(after, store::social::PLATFORM_ORDER.len())?;
        let rows = self
            .db
            .platforms(&scope, &today_text(), after.as_deref(), limit + 1)
            .await?;
        let total = self.db.count_platforms(&scope).await?;
        Ok(Page::cut(rows, limit, total, |p| {
            vec![
                p.platform.area.as_str().to_string(),
                p.platform.kind.as_str().to_string(),
                p.id.clone(),
            ]
        }))
    }

    /// A social worker takes a professional post at a platform for a dated period.
    pub async fn add_post(
        &self,
        actor: &Actor,
        platform_id: &str,
        form: &PostForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let detail = self.platform_detail(actor, platform_id, ctx).await?;
        let area = detail.row.platform.area.clone();
        let subject = Subject {
            kind: "platform",
            id: platform_id,
            area: &area,
        };
        let role = self
            .or_refused(
                can_manage(actor, &area).map_err(AppError::from),
                actor,
                EventKind::PostCreate,
                &subject,
                ctx,
            )
            .await?;
        let mut errors = Vec::new();
        let tenant = detail.row.tenant_id.clone();
        let worker = match tenant_of(form.social_worker_id.trim()) {
            Some(t) if t == tenant => {
                self.db
                    .social_worker(&tenant, form.social_worker_id.trim(), &today_text())
                    .await?
            }
            _ => None,
        };
        if worker.is_none() {
            errors.push(FieldError::new(
                "social_worker_id",
                "unknown_worker",
                "请选择本市台账中的社工",
            ));
        }
        // The title and period: the same rule as a correction of the post.
        let terms = form.terms().map_err(|e| errors.extend(e)).ok();
        let (Some(worker), Some(terms), true) = (worker, terms, errors.is_empty()) else {
            let e = AppError::Domain(DomainError::Invalid(errors));
            return Err(self
                .refused(Some(actor), EventKind::PostCreate, &subject, e, ctx)
                .await);
        };
        let (title, started, ended) = (terms.title.as_str(), terms.started_on, terms.ended_on);
        let id = new_id(&tenant);
        let mut tx = self.db.begin().await?;
        tx.insert_post(&NewPost {
            tenant: &tenant,
            id: &id,
            platform: platform_id,
            worker: &worker.id,
            title,
            started_on: &started.to_string(),
            ended_on: ended.map(|d| d.to_string()).as_deref(),
            now: &time::now(),
        })
        .await?;
        tx.append_audit(done(actor, Some(role), EventKind::PostCreate, &subject, ctx).after(json!({ "post": id, "social_worker": worker.id, "title": title, "started_on": started, "ended_on": ended })))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a social worker. The identity number is encrypted; its keyed hash finds a
    /// duplicate; only the masked form ever leaves the store (and never the audit log).
    pub async fn create_social_worker(
        &self,
        actor: &Actor,
        form: &SocialWorkerForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed =
            domain::AreaCode::parse(&form.area).unwrap_or_else(|_| domain::AreaCode::nation());
        let subject = Subject {
            kind: "social_worker",
            id: form.name.trim(),
            area: &typed,
        };
        let checked = form
            .validate(today())
            .map_err(AppError::from)
            .and_then(|w| Ok((can_manage(actor, &w.area)?, w)));
        let (role, w) = self
            .or_refused(checked, actor, EventKind::SocialWorkerCreate, &subject, ctx)
            .await?;
        let tenant = w.area.tenant().unwrap_or("0000").to_string();
        let pii = &self.settings.pii;
        let lookup = pii.lookup_hash(w.id_number.expose());
        if self
            .db
            .social_worker_by_lookup(&tenant, &lookup)
            .await?
            .is_some()
        {
            let e = AppError::Duplicate {
                field: "id_number",
                message: "该身份证号码的社工已在台账中".into(),
            };
            return Err(self
                .refused(Some(actor), EventKind::SocialWorkerCreate, &subject, e, ctx)
                .await);
        }
        let id = new_id(&tenant);
        let masked = w.id_number.masked();
        let cipher = pii.encrypt(w.id_number.expose());
        let gender = if w.id_number.is_male() {
            "male"
        } else {
            "female"
        };
        let number = Some(w.certificate_number.as_str()).filter(|n| !n.is_empty());
        let new = NewSocialWorker {
            name: &w.name,
            gender,
            id_cipher: &cipher,
            id_lookup: &lookup,
            id_masked: &masked,
            certificate_level: w.certificate_level,
            certificate_number: number,
            certificate_date: w.certificate_date.map(|d| d.to_string()),
            employer_org_id: w.employer_org_id.as_deref(),
            area: &w.area,
        };
        let mut tx = self.db.begin().await?;
        match tx
            .insert_social_worker(&tenant, &id, &new, &time::now())
            .await
        {
            Err(store::StoreError::Duplicate(c)) => {
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
                return Err(self
                    .refused(Some(actor), EventKind::SocialWorkerCreate, &subject, e, ctx)
                    .await);
            }
            other => other?,
        }
        tx.append_audit(done(actor, Some(role), EventKind::SocialWorkerCreate, &Subject { kind: "social_worker", id: &id, area: &w.area }, ctx).after(json!({ "name": w.name, "id_number": masked, "certificate_level": w.certificate_level, "certificate_number": number, "employer_org_id": w.employer_org_id })))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn social_worker_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<SocialWorkerDetail, AppError> {
        self.social_worker_detail_on(actor, id, None, ctx).await
    }

    /// A social worker with their allowance eligibility on `on` (today by default).
    pub async fn social_worker_detail_on(
        &self,
        actor: &Actor,
        id: &str,
        on: Option<chrono::NaiveDate>,
        ctx: &Ctx,
    ) -> Result<SocialWorkerDetail, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("社工"))?;
        let row = self
            .db
            .social_worker(tenant, id, &today_text())
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
            EventKind::SocialWorkerView,
            ctx,
        )
        .await?;
        let posts = self.db.posts(tenant, "social_worker_id", id).await?;
        let on = on.unwrap_or_else(today);
        Ok(SocialWorkerDetail {
            allowance_eligible: allowance_eligible_on(row.certificate_level, &held(&posts), on),
            on,
            versions: self
                .db
                .register_versions(tenant, Register::SocialWorker, id)
                .await?,
            editable: can_manage(actor, &row.area).is_ok(),
            trainings: self
                .db
                .trainings(tenant, TrainingOwner::SocialWorker(id))
                .await?,
            posts,
            row,
        })
    }

    pub async fn list_social_workers(
        &self,
        actor: &Actor,
        q: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page<SocialWorkerRow>, AppError> {
        let scope = crate::registry::registry_scope(actor)?;
        let after = page::decode(after, store::social::WORKER_ORDER.len())?;
        let rows = self
            .db
            .social_workers(&scope, &today_text(), q, after.as_deref(), limit + 1)
            .await?;
        let total = self.db.count_social_workers(&scope, q).await?;
        Ok(Page::cut(rows, limit, total, |w| {
            vec![w.name.clone(), w.id.clone()]
        }))
    }

    pub async fn add_training(
        &self,
        actor: &Actor,
        worker_id: &str,
        form: &TrainingForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let d = self.social_worker_detail(actor, worker_id, ctx).await?;
        let subject = Subject {
            kind: "social_worker",
            id: worker_id,
            area: &d.row.area,
        };
        let role = self
            .or_refused(
                can_manage(actor, &d.row.area).map_err(AppError::from),
                actor,
                EventKind::TrainingCreate,
                &subject,
                ctx,
            )
            .await?;
        let training = self
            .or_refused(
                form.validate(today()).map_err(AppError::from),
                actor,
                EventKind::TrainingCreate,
                &subject,
                ctx,
            )
            .await?;
        let id = new_id(&d.row.tenant_id);
        let mut tx = self.db.begin().await?;
        tx.insert_training(
            &d.row.tenant_id,
            &id,
            TrainingOwner::SocialWorker(worker_id),
            &training,
            &time::now(),
        )
        .await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::TrainingCreate, &subject, ctx)
                .after(json!(training)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
