//! Registries: organizations. Each change writes a version snapshot and an audit event in the
//! same transaction; two editors of one organization cannot overwrite each other.

use crate::audit::{done, event, Subject};
use crate::kernel::{tenant_of, today};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{can, reach, Action, Target};
use domain::registry::{can_create, can_edit, OrganizationForm};
use domain::{Actor, AreaCode, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::registry::{
    DisclosureRow, IncubationRow, NewDisclosure, NewIncubation, NewOrgVersion, OrgFilter, OrgRow,
    OrgVersionRow,
};
use store::time;

/// The territory in which the actor may read the registries, or a refusal when they hold no role
/// that reads them (an empty scope would silently answer "nothing").
pub(crate) fn registry_scope(actor: &Actor) -> Result<domain::identity::Scope, AppError> {
    let scope = domain::authz::reach(actor, domain::authz::Action::ViewRegistry);
    if scope.roots().is_empty() {
        return Err(AppError::Denied(domain::Denied {
            code: "missing_role",
            message: "无权操作：您没有查看台账的角色".into(),
        }));
    }
    Ok(scope)
}

/// One organization with everything its page shows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrgDetail {
    #[serde(flatten)]
    pub row: OrgRow,
    pub versions: Vec<OrgVersionRow>,
    pub incubations: Vec<IncubationRow>,
    pub disclosures: Vec<DisclosureRow>,
    /// Whether the reader may edit it.
    pub editable: bool,
}

/// Created or saved, with warnings that did not refuse (e.g. the embedded organization code).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Saved {
    pub id: String,
    pub version: i64,
    pub warnings: Vec<String>,
}

impl App {
    async fn check_served_area(&self, area: &AreaCode) -> Result<(), AppError> {
        if self.db.area(area).await?.is_some() {
            return Ok(());
        }
        Err(AppError::Domain(DomainError::field(
            "area",
            "unknown_area",
            format!("区划代码 {} 不存在", area.full()),
        )))
    }

    /// Records a new organization in the ledger; only its managing authority may.
    pub async fn create_organization(
        &self,
        actor: &Actor,
        form: &OrganizationForm,
        ctx: &Ctx,
    ) -> Result<Saved, AppError> {
        let typed_area = AreaCode::parse(&form.area).unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "organization",
            id: form.name.trim(),
            area: &typed_area,
        };
        let (org, warnings) = match form.validate(today()) {
            Ok(x) => x,
            Err(e) => {
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::OrganizationCreate,
                        &subject,
                        e.into(),
                        ctx,
                    )
                    .await)
            }
        };
        let role = self
            .or_refused(
                can_create(actor, &org).map_err(AppError::from),
                actor,
                EventKind::OrganizationCreate,
                &subject,
                ctx,
            )
            .await?;
        if let Err(e) = self.check_served_area(&org.area).await {
            return Err(self
                .refused(Some(actor), EventKind::OrganizationCreate, &subject, e, ctx)
                .await);
        }
        let tenant = org.area.tenant().unwrap_or("0000").to_string();
        let id = format!("{tenant}-{}", uuid::Uuid::now_v7().simple());
        let now = time::now();
        let mut tx = self.db.begin().await?;
        match tx.insert_organization(&tenant, &id, &org, &now).await {
            Err(store::StoreError::Duplicate(_)) => {
                tx.rollback().await?;
                let err = AppError::Duplicate {
                    field: "uscc",
                    message: format!(
                        "统一社会信用代码 {} 已登记在册",
                        org.uscc.clone().unwrap_or_default()
                    ),
                };
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::OrganizationCreate,
                        &subject,
                        err,
                        ctx,
                    )
                    .await);
            }
            other => other?,
        }
        tx.insert_org_version(&NewOrgVersion {
            tenant: &tenant,
            id: &id,
            version: 1,
            org: &org,
            changed_by: Some(&actor.login),
            changed_role: Some(role.as_str()),
            now: &now,
        })
        .await?;
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::OrganizationCreate,
                Outcome::Ok,
                &Subject {
                    kind: "organization",
                    id: &id,
                    area: &org.area,
                },
                ctx,
            )
            .after(json!(org)),
        )
        .await?;
        tx.commit().await?;
        Ok(Saved {
            id,
            version: 1,
            warnings,
        })
    }

    /// Loads one organization the actor may see (refusals audited).
    pub(crate) async fn visible_org(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<OrgRow, AppError> {
        let Some(tenant) = tenant_of(id) else {
            return Err(AppError::not_found("社会组织"));
        };
        let row = self
            .db
            .organization(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("社会组织"))?;
        let own_org = actor.assignments.iter().any(|a| {
            matches!(a.role, Role::OrganizationManager | Role::OrganizationMember)
                && a.organization_id.as_deref() == Some(id)
        });
        if !own_org {
            if let Err(d) = can(actor, Action::ViewRegistry, Target::Area(&row.org.area)) {
                let subject = Subject {
                    kind: "organization",
                    id,
                    area: &row.org.area,
                };
                return Err(self
                    .refused(Some(actor), action, &subject, d.into(), ctx)
                    .await);
            }
        }
        Ok(row)
    }

    pub async fn organization_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<OrgDetail, AppError> {
        let row = self
            .visible_org(actor, id, EventKind::OrganizationView, ctx)
            .await?;
        let tenant = row.tenant_id.clone();
        let editable = can_edit(actor, &row.org, &row.org).is_ok();
        Ok(OrgDetail {
            versions: self.db.organization_versions(&tenant, id).await?,
            incubations: self.db.incubations(&tenant, id).await?,
            disclosures: self.db.disclosures(&tenant, id).await?,
            editable,
            row,
        })
    }

    /// Saves an edit made on `expected_version`. If someone saved in between, nothing is written
    /// and the refusal names what they changed.
    pub async fn update_organization(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        form: &OrganizationForm,
        ctx: &Ctx,
    ) -> Result<Saved, AppError> {
        let current = self
            .visible_org(actor, id, EventKind::OrganizationUpdate, ctx)
            .await?;
        let subject_area = current.org.area.clone();
        let subject = Subject {
            kind: "organization",
            id,
            area: &subject_area,
        };
        let (org, warnings) = match form.validate(today()) {
            Ok(x) => x,
            Err(e) => {
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::OrganizationUpdate,
                        &subject,
                        e.into(),
                        ctx,
                    )
                    .await)
            }
        };
        let role = self
            .or_refused(
                can_edit(actor, &current.org, &org).map_err(AppError::from),
                actor,
                EventKind::OrganizationUpdate,
                &subject,
                ctx,
            )
            .await?;
        if let Err(e) = self.check_served_area(&org.area).await {
            return Err(self
                .refused(Some(actor), EventKind::OrganizationUpdate, &subject, e, ctx)
                .await);
        }
        if org.area.tenant() != Some(current.tenant_id.as_str()) {
            let e = AppError::Domain(DomainError::field(
                "area",
                "other_city",
                "不能把社会组织改到其他城市的区域",
            ));
            return Err(self
                .refused(Some(actor), EventKind::OrganizationUpdate, &subject, e, ctx)
                .await);
        }
        let tenant = current.tenant_id.clone();
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let fresh = tx
            .organization_for_update(&tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("社会组织"))?;
        if fresh.version != expected_version {
            tx.rollback().await?;
            let versions = self.db.organization_versions(&tenant, id).await?;
            let err = crate::versioned::stale(
                &versions,
                expected_version,
                fresh.version,
                &serde_json::to_value(&fresh.org).unwrap_or_default(),
                "organization",
            );
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::OrganizationUpdate,
                    &subject,
                    err,
                    ctx,
                )
                .await);
        }
        match tx
            .update_organization(&tenant, id, expected_version, &org, &now)
            .await
        {
            Err(store::StoreError::Duplicate(_)) => {
                tx.rollback().await?;
                let err = AppError::Duplicate {
                    field: "uscc",
                    message: format!(
                        "统一社会信用代码 {} 已登记在册",
                        org.uscc.clone().unwrap_or_default()
                    ),
                };
                return Err(self
                    .refused(
                        Some(actor),
                        EventKind::OrganizationUpdate,
                        &subject,
                        err,
                        ctx,
                    )
                    .await);
            }
            other => {
                other?;
            }
        }
        let version = expected_version + 1;
        tx.insert_org_version(&NewOrgVersion {
            tenant: &tenant,
            id,
            version,
            org: &org,
            changed_by: Some(&actor.login),
            changed_role: Some(role.as_str()),
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::OrganizationUpdate,
                &subject,
                ctx,
            )
            .before(json!(fresh.org))
            .after(json!(org)),
        )
        .await?;
        tx.commit().await?;
        Ok(Saved {
            id: id.to_string(),
            version,
            warnings,
        })
    }

    /// A page of the organizations in the actor's registry territory under the filter (its
    /// `after` the cursor), by name and id.
    pub async fn list_organizations(
        &self,
        actor: &Actor,
        filter: &OrgFilter,
        limit: i64,
        ctx: &Ctx,
    ) -> Result<crate::page::Page<OrgRow>, AppError> {
        let limit = limit.clamp(1, 200);
        let scope = reach(actor, Action::ViewRegistry);
        let target = filter
            .area
            .clone()
            .or_else(|| scope.roots().first().cloned());
        let check = target.unwrap_or_else(AreaCode::nation);
        self.may_read(
            actor,
            Action::ViewRegistry,
            &Subject {
                kind: "organizations",
                id: check.as_str(),
                area: &check,
            },
            EventKind::OrganizationList,
            ctx,
        )
        .await?;
        let rows = self.db.organizations(&scope, filter, limit + 1).await?;
        let total = self.db.count_organizations(&scope, filter).await?;
        Ok(crate::page::Page::cut(rows, limit, total, |o| {
            vec![o.org.name.clone(), o.id.clone()]
        }))
    }
}

/// The fields that differ between two snapshots of a record, in Chinese: `名称：“a”→“b”`.
pub fn json_diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(a), Some(b)) = (before.as_object(), after.as_object()) {
        for (k, v) in b {
            if a.get(k) != Some(v) {
                let label = match k.as_str() {
                    "name" => "名称",
                    "uscc" => "统一社会信用代码",
                    "legal_form" => "组织形式",
                    "registration_status" => "登记状态",
                    "category" => "类别",
                    "area" => "服务区域",
                    "is_hub" => "枢纽型",
                    "is_brand" => "品牌",
                    "grade" => "评估等级",
                    "grade_date" => "评估日期",
                    "address" => "地址",
                    "description" => "简介",
                    other => crate::versioned::field_label(other),
                };
                let show = |x: Option<&serde_json::Value>| match x {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Null) | None => String::new(),
                    Some(v) => v.to_string(),
                };
                out.push(format!("{label}：“{}”→“{}”", show(a.get(k)), show(Some(v))));
            }
        }
    }
    out
}

impl App {
    /// Records an incubation period; the organization's managing authority (or a bureau above) may.
    pub async fn add_incubation(
        &self,
        actor: &Actor,
        org_id: &str,
        form: &domain::registry::IncubationForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let row = self
            .visible_org(actor, org_id, EventKind::OrganizationIncubation, ctx)
            .await?;
        let subject = Subject {
            kind: "organization",
            id: org_id,
            area: &row.org.area,
        };
        let role = self
            .or_refused(
                can_edit(actor, &row.org, &row.org).map_err(AppError::from),
                actor,
                EventKind::OrganizationIncubation,
                &subject,
                ctx,
            )
            .await?;
        let inc = self
            .or_refused(
                form.validate(today()).map_err(AppError::from),
                actor,
                EventKind::OrganizationIncubation,
                &subject,
                ctx,
            )
            .await?;
        let id = format!("{}-{}", row.tenant_id, uuid::Uuid::now_v7().simple());
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_incubation(&NewIncubation {
            tenant: &row.tenant_id,
            id: &id,
            org: org_id,
            incubator: &inc.incubator,
            started_on: &inc.started_on.to_string(),
            ended_on: inc.ended_on.map(|d| d.to_string()).as_deref(),
            outcome: &inc.outcome,
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::OrganizationIncubation,
                &subject,
                ctx,
            )
            .after(json!(inc)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Files a disclosure entry or a report; the organization's own manager or its managing
    /// authority may. Filed entries are never edited: a correction is a new entry.
    pub async fn add_disclosure(
        &self,
        actor: &Actor,
        org_id: &str,
        form: &domain::registry::DisclosureForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let row = self
            .visible_org(actor, org_id, EventKind::OrganizationDisclosure, ctx)
            .await?;
        let subject = Subject {
            kind: "organization",
            id: org_id,
            area: &row.org.area,
        };
        let role = self
            .or_refused(
                domain::registry::can_disclose(actor, org_id, &row.org).map_err(AppError::from),
                actor,
                EventKind::OrganizationDisclosure,
                &subject,
                ctx,
            )
            .await?;
        let d = self
            .or_refused(
                form.validate(today()).map_err(AppError::from),
                actor,
                EventKind::OrganizationDisclosure,
                &subject,
                ctx,
            )
            .await?;
        let id = format!("{}-{}", row.tenant_id, uuid::Uuid::now_v7().simple());
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_disclosure(&NewDisclosure {
            tenant: &row.tenant_id,
            id: &id,
            org: org_id,
            kind: d.kind.as_str(),
            title: &d.title,
            body: &d.body,
            occurred_on: &d.occurred_on.to_string(),
            created_by: Some(&actor.login),
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::OrganizationDisclosure,
                &subject,
                ctx,
            )
            .after(json!(d)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
