//! The public site (no login): per area, the projects with their stage, money, vote results and
//! verdicts; the needs board; the organization directory. Nothing personal leaves here: no
//! resident's name, contact or identity number, no ballot, no signatory, no free text a resident
//! typed beyond a need's title (MECHANISM §6). Drafts are not public (issue 16): a project is
//! shown from its submission on. Every free text shown is screened (`crate::disclosure`): mobile
//! numbers, identity numbers and the names of registered people in it are masked.

use crate::{App, AppError};
use domain::chain::money::Money;
use domain::chain::stage::{Stage, Verdict};
use domain::chain::vote::Tally;
use domain::identity::Scope;
use domain::{AreaCode, AreaLevel};
use schemars::JsonSchema;
use serde::Serialize;
use store::area::AreaRow;
use store::chain::application::ProjectRow;
use store::chain::need::NeedFilter;

/// A project as the public sees it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicProject {
    pub id: String,
    pub title: String,
    pub stage: Stage,
    pub community: AreaCode,
    pub item_name: String,
    pub organization_name: String,
    pub budget_fen: Money,
    /// The amount the township decided to buy for.
    pub amount_fen: Option<Money>,
    /// The sealed tally of its representatives' vote.
    pub vote: Option<Tally>,
    pub verdict: Option<Verdict>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicNeed {
    pub title: String,
    pub group: &'static str,
    pub supporters: i64,
    pub status: &'static str,
    /// The bought project that answers it (issue 16: an answered need says by what).
    pub answered_by: Option<PublicProjectLink>,
}

/// A project named on the public site: its public page is `/public/projects/{id}`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicProjectLink {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicOrg {
    pub name: String,
    pub category: &'static str,
    pub grade: Option<i64>,
    /// Its latest disclosures (信息公开): (kind, title, date); the text stays on its own page.
    pub disclosures: Vec<(&'static str, String, String)>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicArea {
    pub area: AreaRow,
    /// From the province down to the parent.
    pub path: Vec<AreaRow>,
    pub children: Vec<AreaRow>,
    pub projects: Vec<PublicProject>,
    /// The needs board (communities only).
    pub needs: Vec<PublicNeed>,
    /// The organization directory (communities only).
    pub organizations: Vec<PublicOrg>,
    /// Calls organized here, above (open to this area) or below: terms and stage.
    pub calls: Vec<store::chain::call::CallRow>,
    /// The lists above that show only their first rows, said in Chinese ("项目仅显示最新 50
    /// 个"): the public pages summarise, and say so rather than cut silently.
    pub cut: Vec<String>,
}

/// A project's public page: the list facts plus the contract's tranches and what was delivered.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PublicProjectDetail {
    #[serde(flatten)]
    pub project: PublicProject,
    pub path: Vec<AreaRow>,
    /// (milestone, amount, paid).
    pub tranches: Vec<(&'static str, Money, bool)>,
    pub activities: usize,
    pub served: i64,
    pub average_score: Option<i64>,
}

impl App {
    async fn public_project(
        &self,
        p: ProjectRow,
        screens: &mut crate::disclosure::Screens<'_>,
    ) -> Result<PublicProject, AppError> {
        let t = &p.tenant_id;
        let at = |s: Stage| p.stage.reached(s);
        let amount = if at(Stage::Purchased) {
            self.db
                .purchase_decision(t, &p.id)
                .await?
                .and_then(|d| d.amount_fen)
        } else {
            None
        };
        let vote = if at(Stage::Voting) {
            self.db
                .motions(t, None, Some(&p.id))
                .await?
                .into_iter()
                .rev()
                .find_map(|(_, m)| m.tally)
        } else {
            None
        };
        let verdict = if at(Stage::UnderReview) {
            self.db.review_report(t, &p.id).await?.map(|r| r.verdict)
        } else {
            None
        };
        Ok(PublicProject {
            title: screens.text(&p.community, &p.title).await?,
            id: p.id,
            stage: p.stage,
            community: p.community,
            item_name: p.item_name,
            organization_name: p.organization_name,
            budget_fen: p.budget_fen,
            amount_fen: amount,
            vote,
            verdict,
        })
    }

    async fn path_of(&self, code: &AreaCode) -> Result<Vec<AreaRow>, AppError> {
        let ancestors: Vec<AreaCode> = code
            .ancestors()
            .into_iter()
            .filter(|a| a.level() != AreaLevel::Nation)
            .collect();
        let mut rows = self.db.areas_by_code(&ancestors).await?;
        rows.sort_by_key(|r| r.code.as_str().len());
        Ok(rows)
    }

    /// An area's public page (the nation's lists the provinces).
    pub async fn public_area(&self, code: &str) -> Result<PublicArea, AppError> {
        let code = AreaCode::parse(code.trim()).map_err(|_| AppError::not_found("行政区划"))?;
        let area = if code.level() == AreaLevel::Nation {
            AreaRow {
                code: code.clone(),
                parent_code: code.clone(),
                level: AreaLevel::Nation,
                name: "全国".into(),
                township_kind: None,
                committee_kind: None,
                retired: false,
            }
        } else {
            self.db
                .area(&code)
                .await?
                .filter(|a| !a.retired)
                .ok_or_else(|| AppError::not_found("行政区划"))?
        };
        let scope = Scope::new([code.clone()]);
        let mut screens = self.screens();
        let children = self
            .db
            .area_children(&code, &Scope::nation())
            .await?
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| !a.retired)
            .collect();
        // Projects of townships and communities (a county's or city's would be a long list; the
        // public browses down to them).
        let mut projects = Vec::new();
        let mut cut = Vec::new();
        let mut note = |what: &str, shown: Option<i64>| {
            if let Some(n) = shown {
                cut.push(format!("{what}仅显示前 {n} 条"));
            }
        };
        if matches!(area.level, AreaLevel::Township | AreaLevel::Community) {
            let (rows, shown) = crate::page::first(self.submitted_projects(&scope, 51).await?, 50);
            note("服务项目", shown);
            for p in rows {
                projects.push(self.public_project(p, &mut screens).await?);
            }
        }
        let (mut needs, mut organizations) = (Vec::new(), Vec::new());
        if area.level == AreaLevel::Community {
            // The open needs, then those a bought project answers, with it.
            for (status, limit) in [
                (domain::chain::need::NeedStatus::Open, 50),
                (domain::chain::need::NeedStatus::Answered, 20),
            ] {
                let filter = NeedFilter {
                    status: Some(status),
                    ..Default::default()
                };
                let (rows, shown) =
                    crate::page::first(self.db.needs(&scope, &filter, limit + 1).await?, limit);
                note(&format!("{}的居民需求", status.zh()), shown);
                for n in rows {
                    let answered_by = if status == domain::chain::need::NeedStatus::Answered {
                        self.db
                            .projects_for_need(&n.tenant_id, &n.id)
                            .await?
                            .into_iter()
                            .find(|p| p.stage.is_bought())
                            .map(|p| PublicProjectLink {
                                id: p.id,
                                title: p.title,
                            })
                    } else {
                        None
                    };
                    let answered_by = match answered_by {
                        Some(mut link) => {
                            link.title = screens.text(&n.community, &link.title).await?;
                            Some(link)
                        }
                        None => None,
                    };
                    needs.push(PublicNeed {
                        title: screens.text(&n.community, &n.title).await?,
                        group: n.priority_group.zh(),
                        supporters: n.supporters,
                        status: n.status.zh(),
                        answered_by,
                    });
                }
            }
            let f = store::registry::OrgFilter {
                area: Some(code.clone()),
                ..Default::default()
            };
            let (orgs, shown) =
                crate::page::first(self.db.organizations(&scope, &f, 101).await?, 100);
            note("社会组织", shown);
            let ids: Vec<String> = orgs.iter().map(|o| o.id.clone()).collect();
            let disclosed = match code.tenant() {
                Some(t) => self.db.latest_disclosures(t, &ids, 3).await?,
                None => Vec::new(),
            };
            for o in orgs {
                let mut disclosures = Vec::new();
                for (_, d) in disclosed.iter().filter(|(id, _)| *id == o.id) {
                    disclosures.push((
                        domain::registry::DisclosureKind::parse(&d.kind)
                            .map(|k| k.zh())
                            .unwrap_or("信息公开"),
                        screens.text(&code, &d.title).await?,
                        d.occurred_on.clone(),
                    ));
                }
                organizations.push(PublicOrg {
                    disclosures,
                    name: o.org.name,
                    category: o.org.category.zh(),
                    grade: o.org.grade,
                });
            }
        }
        // Calls of this area and of the areas above it (which are open to it), and for a
        // township or community those organized inside it.
        let mut covering = code.ancestors();
        covering.push(code.clone());
        let inside = if matches!(area.level, AreaLevel::Township | AreaLevel::Community) {
            scope.clone()
        } else {
            Scope::new(Vec::<AreaCode>::new())
        };
        let (mut calls, shown) =
            crate::page::first(self.db.calls(&inside, &covering, None, 21).await?, 20);
        note("征集", shown);
        for k in &mut calls {
            screen_call(&mut screens, k).await?;
        }
        Ok(PublicArea {
            calls,
            cut,
            path: self.path_of(&code).await?,
            area,
            children,
            projects,
            needs,
            organizations,
        })
    }

    pub async fn public_project_detail(&self, id: &str) -> Result<PublicProjectDetail, AppError> {
        let tenant = crate::kernel::tenant_of(id).ok_or_else(|| AppError::not_found("项目"))?;
        let p = self
            .db
            .project(tenant, id)
            .await?
            .filter(|p| p.stage != Stage::Draft)
            .ok_or_else(|| AppError::not_found("项目"))?;
        let at = |s: Stage| p.stage.reached(s);
        let tranches = if at(Stage::Contracted) {
            self.db
                .contract(tenant, id)
                .await?
                .map(|k| {
                    k.tranches
                        .iter()
                        .map(|t| (t.milestone.zh(), t.amount_fen, t.paid_at.is_some()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let activities = if at(Stage::Contracted) {
            self.db.activities(tenant, id).await?
        } else {
            Vec::new()
        };
        let average_score = if at(Stage::UnderReview) {
            self.db.review_report(tenant, id).await?.map(|r| r.average)
        } else {
            None
        };
        let path = self.path_of(&p.community).await?;
        Ok(PublicProjectDetail {
            tranches,
            served: activities.iter().map(|a| a.activity.served).sum(),
            activities: activities.len(),
            average_score,
            path,
            project: self.public_project(p, &mut self.screens()).await?,
        })
    }
}

impl App {
    /// A call's public page: its terms, and once sealed the ranking with its explanations and
    /// the awards (no applicant's text, no panel member's name).
    pub async fn public_call(&self, id: &str) -> Result<crate::chain::call::CallView, AppError> {
        let tenant = crate::kernel::tenant_of(id).ok_or_else(|| AppError::not_found("征集"))?;
        let k = self
            .db
            .call(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("征集"))?;
        let area = k.area.clone();
        let mut v = self.view_of(k, None).await?;
        let mut screens = self.screens();
        screen_call(&mut screens, &mut v.call).await?;
        for r in &mut v.ranking {
            screens.screen(&area, &mut [&mut r.title]).await?;
        }
        for w in &mut v.awards {
            screens.screen(&area, &mut [&mut w.reasons]).await?;
        }
        Ok(v)
    }

    /// The newest `limit` projects of the scope that are past their draft (drafts are not
    /// public), by pages of the store's newest-first list.
    async fn submitted_projects(
        &self,
        scope: &Scope,
        limit: i64,
    ) -> Result<Vec<ProjectRow>, AppError> {
        let mut out = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = self
                .db
                .projects(scope, None, None, before.as_deref(), limit)
                .await?;
            let full = page.len() as i64 == limit;
            before = page.last().map(|p| p.id.clone());
            out.extend(page.into_iter().filter(|p| p.stage != Stage::Draft));
            if !full || out.len() as i64 >= limit {
                out.truncate(limit.max(0) as usize);
                return Ok(out);
            }
        }
    }
}

/// A call's free texts, screened.
async fn screen_call(
    screens: &mut crate::disclosure::Screens<'_>,
    k: &mut store::chain::call::CallRow,
) -> Result<(), AppError> {
    let area = k.area.clone();
    screens
        .screen(
            &area,
            &mut [&mut k.title, &mut k.requirements, &mut k.facility],
        )
        .await
}
