//! "1+4" talent: recording talents, their trainings, and the backbone-talent pool with its
//! training coverage.

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::{tenant_of, today};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::Action;
use domain::talent::{can_manage, TalentForm, TrainingForm};
use domain::{Actor, DomainError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::social::{TrainingOwner, TrainingRow};
use store::talent::{TalentFilter, TalentRow, TalentSummary};
use store::time;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TalentDetail {
    #[serde(flatten)]
    pub row: TalentRow,
    pub trainings: Vec<TrainingRow>,
    /// Name of the organization they serve in, when recorded.
    pub organization_name: Option<String>,
    pub editable: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TalentList {
    /// A page of the talents under the filter (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: crate::page::Page<TalentRow>,
    pub summary: TalentSummary,
    /// The social workers of the ledger: the "1" of "1+4", counted beside the talents.
    pub social_workers: i64,
}

impl App {
    pub async fn create_talent(
        &self,
        actor: &Actor,
        form: &TalentForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed =
            domain::AreaCode::parse(&form.area).unwrap_or_else(|_| domain::AreaCode::nation());
        let subject = Subject {
            kind: "talent",
            id: form.name.trim(),
            area: &typed,
        };
        let checked = form
            .validate()
            .map_err(AppError::from)
            .and_then(|t| Ok((can_manage(actor, &t.area)?, t)));
        let (role, t) = self
            .or_refused(checked, actor, EventKind::TalentCreate, &subject, ctx)
            .await?;
        let tenant = t.area.tenant().unwrap_or("0000").to_string();
        let errors = self.talent_link_errors(&t, &tenant).await?;
        if !errors.is_empty() {
            let e = AppError::Domain(DomainError::Invalid(errors));
            return Err(self
                .refused(Some(actor), EventKind::TalentCreate, &subject, e, ctx)
                .await);
        }
        let id = new_id(&tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_talent(&tenant, &id, &t, &today().to_string(), &now)
            .await?;
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::TalentCreate,
                Outcome::Ok,
                &Subject {
                    kind: "talent",
                    id: &id,
                    area: &t.area,
                },
                ctx,
            )
            .after(json!(t)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A talent's area must exist and its links point into the same city's ledger; the same
    /// check on create and on a correction.
    pub(crate) async fn talent_link_errors(
        &self,
        t: &domain::talent::Talent,
        tenant: &str,
    ) -> Result<Vec<domain::FieldError>, AppError> {
        let mut errors = Vec::new();
        if self.db.area(&t.area).await?.is_none() {
            errors.push(domain::FieldError::new(
                "area",
                "unknown_area",
                format!("区划代码 {} 不存在", t.area.full()),
            ));
        }
        if let Some(org) = &t.organization_id {
            let found = match tenant_of(org) {
                Some(tn) if tn == tenant => self.db.organization(tenant, org).await?,
                _ => None,
            };
            if found.is_none() {
                errors.push(domain::FieldError::new(
                    "organization_id",
                    "unknown_organization",
                    "所在组织不在本市台账中",
                ));
            }
        }
        if let Some(w) = &t.social_worker_id {
            let found = match tenant_of(w) {
                Some(tn) if tn == tenant => {
                    self.db
                        .social_worker(tenant, w, &today().to_string())
                        .await?
                }
                _ => None,
            };
            if found.is_none() {
                errors.push(domain::FieldError::new(
                    "social_worker_id",
                    "unknown_worker",
                    "关联的社工不在本市台账中",
                ));
            }
        }
        Ok(errors)
    }

    pub async fn talent_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<TalentDetail, AppError> {
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
            EventKind::TalentView,
            ctx,
        )
        .await?;
        let organization_name = match &row.organization_id {
            Some(o) => self.db.organization(tenant, o).await?.map(|o| o.org.name),
            None => None,
        };
        Ok(TalentDetail {
            trainings: self.db.trainings(tenant, TrainingOwner::Talent(id)).await?,
            editable: can_manage(actor, &row.area).is_ok(),
            organization_name,
            row,
        })
    }

    pub async fn list_talents(
        &self,
        actor: &Actor,
        filter: &TalentFilter,
        after: Option<&str>,
        limit: i64,
    ) -> Result<TalentList, AppError> {
        let scope = crate::registry::registry_scope(actor)?;
        let after = crate::page::decode(after, store::talent::TALENT_ORDER.len())?;
        let rows = self
            .db
            .talents(&scope, filter, after.as_deref(), limit + 1)
            .await?;
        let total = self.db.count_talents(&scope, filter).await?;
        Ok(TalentList {
            page: crate::page::Page::cut(rows, limit, total, |t| {
                vec![t.area.as_str().to_string(), t.name.clone(), t.id.clone()]
            }),
            summary: self.db.talent_summary(&scope).await?,
            social_workers: self.db.count_social_workers(&scope, None).await?,
        })
    }

    /// Records a training a talent attended; the talent's totals move in the same transaction.
    pub async fn add_talent_training(
        &self,
        actor: &Actor,
        talent_id: &str,
        form: &TrainingForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let d = self.talent_detail(actor, talent_id, ctx).await?;
        let subject = Subject {
            kind: "talent",
            id: talent_id,
            area: &d.row.area,
        };
        let role = self
            .or_refused(
                can_manage(actor, &d.row.area).map_err(AppError::from),
                actor,
                EventKind::TalentTraining,
                &subject,
                ctx,
            )
            .await?;
        let training = self
            .or_refused(
                form.validate(today()).map_err(AppError::from),
                actor,
                EventKind::TalentTraining,
                &subject,
                ctx,
            )
            .await?;
        let tenant = d.row.tenant_id.as_str();
        let id = new_id(tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_training(
            tenant,
            &id,
            TrainingOwner::Talent(talent_id),
            &training,
            &now,
        )
        .await?;
        tx.add_talent_training_totals(tenant, talent_id, training.minutes, &now)
            .await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::TalentTraining, &subject, ctx)
                .after(json!(training)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Enters a talent into the backbone-talent pool, or takes them out.
    pub async fn set_backbone(
        &self,
        actor: &Actor,
        talent_id: &str,
        backbone: bool,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let d = self.talent_detail(actor, talent_id, ctx).await?;
        let subject = Subject {
            kind: "talent",
            id: talent_id,
            area: &d.row.area,
        };
        let role = self
            .or_refused(
                can_manage(actor, &d.row.area).map_err(AppError::from),
                actor,
                EventKind::TalentBackbone,
                &subject,
                ctx,
            )
            .await?;
        let mut tx = self.db.begin().await?;
        tx.set_backbone(
            &d.row.tenant_id,
            talent_id,
            backbone,
            &today().to_string(),
            &time::now(),
        )
        .await?;
        tx.append_audit(
            done(actor, Some(role), EventKind::TalentBackbone, &subject, ctx)
                .before(json!({ "backbone": d.row.backbone }))
                .after(json!({ "backbone": backbone })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
