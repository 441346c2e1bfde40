//! The projects list: a page of the reader's projects and the eligibilities they may write an
//! application on.

use crate::{App, AppError};
use domain::authz::{reach, Action};
use domain::chain::catalogue::EligibilityStatus;
use domain::chain::catalogue::{offered_periods, period_filter};
use domain::chain::stage::Stage;
use domain::{Actor, Role};
use schemars::JsonSchema;
use serde::Serialize;
use store::chain::application::{ProjectFilter, ProjectRow};
use store::chain::catalogue::EligibilityRow;

/// A page of projects.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProjectList {
    /// A page of the projects, newest first (`items`, `total`, `next_after`: the id to continue
    /// after).
    #[serde(flatten)]
    pub page: crate::page::Page<ProjectRow>,
    /// Approved eligibilities of the reader's organizations that have no application yet.
    pub can_write: Vec<(EligibilityRow, String)>,
    /// Only the first this many approved eligibilities of an organization were looked at.
    pub can_write_cut: Option<i64>,
    /// The period listed (`None`: every period).
    pub period: Option<i32>,
    /// The periods the filter offers.
    pub periods: Vec<i32>,
}

impl App {
    /// Projects of the reader's territory (and of the organizations they manage), newest first;
    /// `period` is the filter as typed (empty: the current period; `all`: every period).
    pub async fn projects(
        &self,
        actor: &Actor,
        stage: Option<Stage>,
        period: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<ProjectList, AppError> {
        let current = crate::kernel::current_period();
        let period = period_filter(period, current)?;
        let filter = ProjectFilter {
            stage,
            organization: None,
            period,
        };
        let scope = reach(actor, Action::ViewChain);
        let after = crate::page::decode(after, 1)?;
        let before = after.as_ref().and_then(|a| a.first()).map(String::as_str);
        let (rows, total) = if scope.roots().is_empty() {
            (Vec::new(), 0)
        } else {
            (
                self.db
                    .projects_filtered(&scope, &filter, before, limit + 1)
                    .await?,
                self.db.count_projects_filtered(&scope, &filter).await?,
            )
        };
        let page = crate::page::Page::cut(rows, limit, total, |p| vec![p.id.clone()]);
        const ELIGIBILITIES: i64 = 100;
        let mut can_write = Vec::new();
        let mut can_write_cut = None;
        for a in &actor.assignments {
            if let (Role::OrganizationManager, Some(org)) = (a.role, a.organization_id.as_deref()) {
                let (approved, cut) = crate::page::first(
                    self.db
                        .eligibilities_in(
                            &scope,
                            EligibilityStatus::Approved,
                            Some(org),
                            ELIGIBILITIES + 1,
                        )
                        .await?,
                    ELIGIBILITIES,
                );
                can_write_cut = can_write_cut.or(cut);
                for (e, item) in approved {
                    if self
                        .db
                        .project_of_eligibility(&e.tenant_id, &e.id)
                        .await?
                        .is_none()
                    {
                        can_write.push((e, item));
                    }
                }
            }
        }
        Ok(ProjectList {
            page,
            can_write,
            can_write_cut,
            period,
            periods: offered_periods(current),
        })
    }
}
