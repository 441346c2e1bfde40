//! Applications (step 2 of the chain): an organization with an approved eligibility writes an
//! application on the item; every revision is a new immutable version, any two compare side by
//! side; the manager submits it for the community's consultation meeting.

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{can, Action, Target};
use domain::chain::application::{
    compare, may_revise, may_write, ordinary_application_open, ApplicationContent, ApplicationForm,
    Change,
};
use domain::chain::catalogue::can_apply;
use domain::chain::money::Money;
use domain::chain::need::NeedStatus;
use domain::chain::stage::{Event, Stage};
use domain::{Actor, DomainError, FieldError, Role};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::chain::application::{NewProject, NewVersion, ProjectRow, RegistryTable, VersionRow};
use store::chain::catalogue::{EligibilityRow, ItemRow};
use store::chain::need::{NeedFilter, NeedRow};
use store::time;

pub use super::project_list::ProjectList;

/// A person or record named in an application, with the name the registry gives it (empty when
/// it is no longer there).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProjectDetail {
    pub project: ProjectRow,
    /// The current version.
    pub current: VersionRow,
    /// Every version, oldest first (number, date, note, total).
    pub versions: Vec<VersionSummary>,
    pub lead: Named,
    pub social_workers: Vec<Named>,
    pub volunteers: Vec<Named>,
    pub needs: Vec<Named>,
    /// Comments and requested changes from frozen consultation minutes: (entry, meeting, date).
    pub comments: Vec<(store::chain::consultation::EntryRow, String, String)>,
    /// The township's purchase decision, once made.
    pub purchase: Option<store::chain::purchase::DecisionRow>,
    /// The representatives' votes on it: (meeting id, motion).
    pub votes: Vec<(String, store::chain::vote::MotionRow)>,
    /// Delivery, evaluation and payments.
    pub acceptance: crate::chain::evaluation::AcceptanceView,
    /// Rectification after "not accepted", termination and the money returned (issue 16).
    pub ending: crate::chain::termination::EndingView,
    /// The signed contract and its tranches, once recorded.
    pub contract: Option<store::chain::contract::ContractRow>,
    /// Corrections of the project's signed records (vote minutes, contract, report,
    /// self-evaluation), shown under the originals, which never change.
    pub errata: crate::chain::erratum::ProjectErrata,
    /// The reader is the township and the project was bought: the contract form.
    pub can_sign: bool,
    /// The reader is the township and the vote passed: the decision form, with its funds.
    pub can_decide: bool,
    pub funds: Vec<store::chain::purchase::FundRow>,
    /// The fund picker looked at only the first this many funds of the township (more exist).
    pub funds_cut: Option<i64>,
    /// The reader manages the organization and the stage allows revision.
    pub can_revise: bool,
    /// The reader manages the organization and the application is a draft.
    pub can_submit: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VersionSummary {
    pub version: i64,
    pub budget_fen: Money,
    pub note: String,
    pub created_at: String,
}

/// What an application form offers to choose from (the organization's accounts and social
/// workers, the community's open needs).
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationSetup {
    pub eligibility: EligibilityRow,
    pub item: ItemRow,
    pub accounts: Vec<Named>,
    pub social_workers: Vec<Named>,
    /// The township's social workers offered are only the first this many (more exist).
    pub social_workers_cut: Option<i64>,
    pub needs: Vec<NeedRow>,
    /// The community's open needs offered are only the first this many of the board.
    pub needs_cut: Option<i64>,
}

/// A new application: the eligibility it rests on and its first version.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewApplication {
    pub eligibility_id: String,
    #[serde(flatten)]
    pub form: ApplicationForm,
}

/// A revision: the version it was written on (so a late edit cannot overwrite another), what it
/// changes, and the whole text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Revision {
    pub based_on: String,
    pub note: String,
    #[serde(flatten)]
    pub form: ApplicationForm,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Comparison {
    pub project: ProjectRow,
    pub a: VersionRow,
    pub b: VersionRow,
    pub changes: Vec<Change>,
}

fn named(pairs: Vec<(String, String)>) -> Vec<Named> {
    pairs
        .into_iter()
        .map(|(id, name)| Named { id, name })
        .collect()
}

/// The names of `ids` from `found`, keeping ids the registry no longer has (with no name).
fn names_of(ids: &[String], found: &[(String, String)]) -> Vec<Named> {
    ids.iter()
        .map(|id| Named {
            id: id.clone(),
            name: found
                .iter()
                .find(|(f, _)| f == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
        })
        .collect()
}

fn manages(actor: &Actor, organization_id: &str) -> bool {
    can_apply(actor, organization_id).is_ok()
}

impl App {
    /// A project the reader may see: in their territory, or of an organization they manage.
    pub(crate) async fn readable_project(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<ProjectRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("项目"))?;
        let p = self
            .db
            .project(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("项目"))?;
        if let Err(d) = can(actor, Action::ViewChain, Target::Area(&p.community)) {
            if !manages(actor, &p.organization_id) {
                let subject = Subject {
                    kind: "project",
                    id,
                    area: &p.community,
                };
                return Err(self
                    .refused(Some(actor), action, &subject, d.into(), ctx)
                    .await);
            }
        }
        Ok(p)
    }

    pub async fn project_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<ProjectDetail, AppError> {
        let project = self
            .readable_project(actor, id, EventKind::ProjectView, ctx)
            .await?;
        let t = &project.tenant_id;
        let all = self.db.application_versions(t, id).await?;
        let current = all
            .iter()
            .find(|v| v.version == project.version)
            .cloned()
            .ok_or_else(|| AppError::not_found("申请书版本"))?;
        let c = &current.content;
        let accounts = self
            .db
            .organization_accounts(&project.organization_id)
            .await?;
        let workers = self
            .db
            .registry_names(RegistryTable::SocialWorkers, t, &c.social_workers)
            .await?;
        let volunteers = self
            .db
            .registry_names(RegistryTable::Volunteers, t, &c.volunteers)
            .await?;
        let mut needs = Vec::new();
        for n in &c.needs {
            let title = self.db.need(t, n).await?.map(|r| r.title);
            needs.push(Named {
                id: n.clone(),
                name: title.unwrap_or_default(),
            });
        }
        let mine = manages(actor, &project.organization_id);
        // Only look for what the stage reached can have (a draft's page is the common case).
        let at = |s: Stage| project.stage.reached(s);
        let comments = if at(Stage::Consulted) {
            self.db.comments_on(t, id).await?
        } else {
            Vec::new()
        };
        let purchase = if at(Stage::Purchased) {
            self.db.purchase_decision(t, id).await?
        } else {
            None
        };
        let contract = if at(Stage::Contracted) {
            self.db.contract(t, id).await?
        } else {
            None
        };
        let votes = if at(Stage::Voting) {
            self.db.motions(t, None, Some(id)).await?
        } else {
            Vec::new()
        };
        let acceptance = self.acceptance_view(actor, &project).await?;
        let ending = self.ending_view(actor, &project).await?;
        let errata = self.project_errata(actor, &project, &votes).await?;
        let can_sign =
            project.stage == Stage::Purchased && self.purchaser_role(actor, &project).await.is_ok();
        let can_decide = project.stage == Stage::Passed
            && domain::chain::catalogue::can_approve(actor, &project.community).is_ok();
        let (funds, funds_cut) = if can_decide {
            self.funds_for(&project.community).await?
        } else {
            (Vec::new(), None)
        };
        Ok(ProjectDetail {
            lead: names_of(std::slice::from_ref(&c.lead), &accounts)
                .pop()
                .unwrap_or(Named {
                    id: c.lead.clone(),
                    name: String::new(),
                }),
            social_workers: names_of(&c.social_workers, &workers),
            volunteers: names_of(&c.volunteers, &volunteers),
            needs,
            comments,
            purchase,
            votes,
            acceptance,
            ending,
            contract,
            errata,
            can_sign,
            can_decide,
            funds,
            funds_cut,
            can_revise: mine && project.stage.revisable(),
            can_submit: mine && project.stage == Stage::Draft,
            versions: all
                .iter()
                .map(|v| VersionSummary {
                    version: v.version,
                    budget_fen: v.budget_fen,
                    note: v.note.clone(),
                    created_at: v.created_at.clone(),
                })
                .collect(),
            current,
            project,
        })
    }

    /// The eligibility an application is written on, checked: the reader manages its
    /// organization and the township approved it.
    async fn writable_eligibility(
        &self,
        actor: &Actor,
        eligibility_id: &str,
        ctx: &Ctx,
    ) -> Result<(EligibilityRow, ItemRow, Role), AppError> {
        let tenant = tenant_of(eligibility_id).ok_or_else(|| AppError::not_found("承接资格"))?;
        let e = self
            .db
            .eligibility(tenant, eligibility_id)
            .await?
            .ok_or_else(|| AppError::not_found("承接资格"))?;
        let item = self
            .db
            .catalogue_item(tenant, &e.item_id)
            .await?
            .ok_or_else(|| AppError::not_found("服务事项"))?;
        let subject = Subject {
            kind: "eligibility",
            id: eligibility_id,
            area: &item.community,
        };
        let checked = can_apply(actor, &e.organization_id)
            .map_err(AppError::from)
            .and_then(|role| {
                may_write(e.status)?;
                Ok(role)
            });
        let role = self
            .or_refused(checked, actor, EventKind::ApplicationWrite, &subject, ctx)
            .await?;
        Ok((e, item, role))
    }

    /// What the application form for an eligibility offers.
    pub async fn application_setup(
        &self,
        actor: &Actor,
        eligibility_id: &str,
        ctx: &Ctx,
    ) -> Result<ApplicationSetup, AppError> {
        let (e, item, _) = self
            .writable_eligibility(actor, eligibility_id, ctx)
            .await?;
        self.setup_for(e, item).await
    }

    async fn setup_for(
        &self,
        e: EligibilityRow,
        item: ItemRow,
    ) -> Result<ApplicationSetup, AppError> {
        let accounts = named(self.db.organization_accounts(&e.organization_id).await?);
        // The organization's own social workers first, then those of the item's township (a
        // station's social worker often serves on a community's project).
        let mut social_workers = named(
            self.db
                .employed_workers(&e.tenant_id, &e.organization_id)
                .await?,
        );
        const TOWNSHIP_WORKERS: i64 = 20;
        let mut social_workers_cut = None;
        if let Some(township) = item.community.parent() {
            let (workers, cut) = crate::page::first(
                self.db
                    .social_workers(
                        &domain::identity::Scope::new([township]),
                        &crate::kernel::today().to_string(),
                        None,
                        None,
                        TOWNSHIP_WORKERS + 1,
                    )
                    .await?,
                TOWNSHIP_WORKERS,
            );
            social_workers_cut = cut;
            for w in workers {
                if !social_workers.iter().any(|n| n.id == w.id) {
                    social_workers.push(Named {
                        id: w.id,
                        name: w.name,
                    });
                }
            }
        }
        let filter = NeedFilter {
            community: Some(item.community.clone()),
            status: Some(NeedStatus::Open),
            ..Default::default()
        };
        const NEEDS: i64 = 100;
        let (needs, needs_cut) = crate::page::first(
            self.db
                .needs(
                    &domain::identity::Scope::new([item.community.clone()]),
                    &filter,
                    NEEDS + 1,
                )
                .await?,
            NEEDS,
        );
        Ok(ApplicationSetup {
            eligibility: e,
            item,
            accounts,
            social_workers,
            social_workers_cut,
            needs,
            needs_cut,
        })
    }

    /// The form of a project's application setup (to revise it).
    pub async fn revision_setup(
        &self,
        actor: &Actor,
        project_id: &str,
        ctx: &Ctx,
    ) -> Result<ApplicationSetup, AppError> {
        let p = self
            .readable_project(actor, project_id, EventKind::ApplicationRevise, ctx)
            .await?;
        let (e, item, _) = self
            .writable_eligibility(actor, eligibility_of(&p)?, ctx)
            .await?;
        self.setup_for(e, item).await
    }

    /// Checks the team and needs of an application against the registries: the lead is an
    /// account of the organization, the social workers and volunteers are in the city's
    /// registries, the needs are open needs of the item's community.
    async fn check_against_registries(
        &self,
        c: &ApplicationContent,
        e: &EligibilityRow,
        item: &ItemRow,
    ) -> Result<(), AppError> {
        let mut errors = Vec::new();
        let accounts = self.db.organization_accounts(&e.organization_id).await?;
        if !accounts.iter().any(|(id, _)| *id == c.lead) {
            errors.push(FieldError::new(
                "lead",
                "not_member",
                "项目负责人须是本组织的账号",
            ));
        }
        for (field, table, what) in [
            ("social_workers", RegistryTable::SocialWorkers, "社工台账"),
            ("volunteers", RegistryTable::Volunteers, "志愿者台账"),
        ] {
            let ids = if field == "social_workers" {
                &c.social_workers
            } else {
                &c.volunteers
            };
            let found = self.db.registry_names(table, &e.tenant_id, ids).await?;
            let missing: Vec<&str> = ids
                .iter()
                .filter(|id| !found.iter().any(|(f, _)| f == *id))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                errors.push(FieldError::new(
                    field,
                    "not_in_registry",
                    format!("{what}中没有这些编号：{}", missing.join("、")),
                ));
            }
        }
        for n in &c.needs {
            match self.db.need(&e.tenant_id, n).await? {
                Some(r) if r.community == item.community && r.status != NeedStatus::Merged => {}
                _ => errors.push(FieldError::new(
                    "needs",
                    "unknown_need",
                    format!("“{n}”不是本社区的在办需求"),
                )),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors).into())
        }
    }

    /// The manager of an organization with an approved eligibility writes the first version.
    pub async fn create_project(
        &self,
        actor: &Actor,
        new: &NewApplication,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let (e, item, role) = self
            .writable_eligibility(actor, new.eligibility_id.trim(), ctx)
            .await?;
        let subject = Subject {
            kind: "eligibility",
            id: &e.id,
            area: &item.community,
        };
        // An item of a period has one undertaker: a selection on it, another organization's
        // project on it, or competing eligible organizations keep an ordinary application out
        // (the organization's own earlier application is found below as already written).
        let selection = self.db.selection_on_item(&e.tenant_id, &item.id).await?;
        let holder = self
            .db
            .item_holder(&e.tenant_id, &item.id)
            .await?
            .filter(|(_, org, _)| *org != e.organization_id)
            .map(|(_, _, name)| name);
        let competitors = self
            .db
            .approved_eligibilities_on(&e.tenant_id, &item.id)
            .await?;
        // The organization's own application on this eligibility (failed or not) spends its
        // one application on the item in the period; say so before anything else.
        let written = self
            .db
            .project_of_eligibility(&e.tenant_id, &e.id)
            .await?
            .is_some();
        let open = if written {
            Err(already_written())
        } else {
            ordinary_application_open(
                selection.as_ref().map(|(t, u)| (t.as_str(), *u)),
                holder.as_deref(),
                competitors,
            )
        };
        let content = match (open, new.form.validate()) {
            (Err(d), _) => Err(d.into()),
            (Ok(()), Ok(c)) => self
                .check_against_registries(&c, &e, &item)
                .await
                .map(|_| c),
            (Ok(()), Err(d)) => Err(d.into()),
        };
        let content = self
            .or_refused(content, actor, EventKind::ApplicationWrite, &subject, ctx)
            .await?;
        let id = new_id(&e.tenant_id);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let inserted = tx
            .insert_project(&NewProject {
                tenant: &e.tenant_id,
                id: &id,
                community: &item.community,
                item_id: Some(&item.id),
                call_id: None,
                organization_id: &e.organization_id,
                eligibility_id: Some(&e.id),
                stage: Stage::Draft,
                content: &content,
                by: &actor.user_id,
                now: &now,
            })
            .await;
        if let Err(store::StoreError::Duplicate(what)) = &inserted {
            // The partial unique index on the item: another organization took it meanwhile.
            // A simultaneous write: the eligibility's own unique key, or the item's partial index
            // when another organization took the item meanwhile.
            let err = if what.contains("eligibility") {
                already_written()
            } else {
                DomainError::conflict(
                    "item_taken",
                    "该事项本年度刚刚已由其他组织申请承接，不能另行申请",
                )
            };
            return Err(self
                .conflict(tx, actor, EventKind::ApplicationWrite, &subject, err, ctx)
                .await);
        }
        inserted?;
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::ApplicationWrite,
                Outcome::Ok,
                &Subject {
                    kind: "project",
                    id: &id,
                    area: &item.community,
                },
                ctx,
            )
            .after(json!({ "version": 1, "eligibility_id": e.id, "budget_fen": content.total() })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A new version of the application, written on the current one.
    pub async fn revise_application(
        &self,
        actor: &Actor,
        id: &str,
        rev: &Revision,
        ctx: &Ctx,
    ) -> Result<i64, AppError> {
        let p = self
            .readable_project(actor, id, EventKind::ApplicationRevise, ctx)
            .await?;
        let subject = Subject {
            kind: "project",
            id,
            area: &p.community,
        };
        let (e, item, role) = self
            .writable_eligibility(actor, eligibility_of(&p)?, ctx)
            .await?;
        let based_on: i64 = rev.based_on.trim().parse().unwrap_or(0);
        let checked = match may_revise(p.stage, p.version, based_on) {
            Ok(_) => match rev.form.validate() {
                Ok(c) => self
                    .check_against_registries(&c, &e, &item)
                    .await
                    .map(|_| c),
                Err(d) => Err(d.into()),
            },
            Err(d) => Err(d.into()),
        };
        let content = self
            .or_refused(checked, actor, EventKind::ApplicationRevise, &subject, ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let note = rev.note.trim();
        if !tx
            .add_version(&NewVersion {
                tenant: &p.tenant_id,
                project_id: id,
                expected: based_on,
                content: &content,
                note,
                by: &actor.user_id,
                now: &now,
            })
            .await?
        {
            drop(tx);
            // Someone added a version or the stage moved since the page was loaded.
            let now_row = self.db.project(&p.tenant_id, id).await?;
            let err = match now_row {
                Some(r) => may_revise(r.stage, r.version, based_on).err(),
                None => None,
            }
            .unwrap_or(DomainError::conflict(
                "stale_version",
                "申请书刚刚已被修改，请刷新后在最新版本上修改",
            ));
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ApplicationRevise,
                    &subject,
                    err.into(),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::ApplicationRevise,
                &subject,
                ctx,
            )
            .before(json!({ "version": based_on }))
            .after(json!({ "version": based_on + 1, "note": note, "budget_fen": content.total() })),
        )
        .await?;
        tx.commit().await?;
        Ok(based_on + 1)
    }

    /// The manager submits the draft for the community's consultation meeting.
    pub async fn submit_application(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::ApplicationSubmit, ctx)
            .await?;
        let subject = Subject {
            kind: "project",
            id,
            area: &p.community,
        };
        let checked = can_apply(actor, &p.organization_id)
            .map_err(AppError::from)
            .and_then(|role| Ok((role, p.stage.next(Event::Submit)?)));
        let (role, to) = self
            .or_refused(checked, actor, EventKind::ApplicationSubmit, &subject, ctx)
            .await?;
        self.move_project(actor, role, &p, to, EventKind::ApplicationSubmit, ctx)
            .await
    }

    /// Moves a project to `to` in one transaction with its audit event; refused when the stage
    /// moved since it was read.
    pub(crate) async fn move_project(
        &self,
        actor: &Actor,
        role: Role,
        p: &ProjectRow,
        to: Stage,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let subject = Subject {
            kind: "project",
            id: &p.id,
            area: &p.community,
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .move_stage(&p.tenant_id, &p.id, p.stage, to, &now)
            .await?
        {
            drop(tx);
            let err = DomainError::conflict("stage_moved", "项目状态刚刚已变化，请刷新后查看");
            return Err(self
                .refused(Some(actor), action, &subject, err.into(), ctx)
                .await);
        }
        tx.append_audit(
            event(Some(actor), Some(role), action, Outcome::Ok, &subject, ctx)
                .before(json!({ "stage": p.stage }))
                .after(json!({ "stage": to, "detail": {} })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Two versions of a project's application side by side, with what changed.
    pub async fn compare_versions(
        &self,
        actor: &Actor,
        id: &str,
        a: i64,
        b: i64,
        ctx: &Ctx,
    ) -> Result<Comparison, AppError> {
        let project = self
            .readable_project(actor, id, EventKind::ProjectView, ctx)
            .await?;
        let all = self.db.application_versions(&project.tenant_id, id).await?;
        let pick = |n: i64, field: &str| {
            all.iter().find(|v| v.version == n).cloned().ok_or_else(|| {
                AppError::from(DomainError::field(
                    field,
                    "unknown_version",
                    format!("没有第 {n} 版（共 {} 版）", all.len()),
                ))
            })
        };
        let (va, vb) = (pick(a, "a")?, pick(b, "b")?);
        Ok(Comparison {
            changes: compare(&va.content, &vb.content),
            a: va,
            b: vb,
            project,
        })
    }
}

/// The organization already wrote its one application on the eligibility (in its period).
fn already_written() -> DomainError {
    DomainError::conflict(
        "already_written",
        "该组织已就这一承接资格撰写了项目申请书（每个年度每个事项一份），请在原申请书上修改",
    )
}

/// The eligibility a project's application was written under; a project awarded by a call has
/// none and its application is the call's, which is never revised.
fn eligibility_of(p: &ProjectRow) -> Result<&str, AppError> {
    p.eligibility_id.as_deref().ok_or_else(|| {
        DomainError::conflict(
            "awarded_by_call",
            "该项目经评审立项，申请书以评审时提交的为准，不能修改",
        )
        .into()
    })
}
