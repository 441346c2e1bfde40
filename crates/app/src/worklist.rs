//! Every actor's work list: what waits for them in their territory, on their home page.
//! It grows with the chain; today it holds the catalogue, eligibilities, needs and applications.

use crate::{App, AppError};
use domain::chain::call::CallStage;
use domain::chain::catalogue::{EligibilityStatus, ItemStatus};
use domain::chain::need::NeedStatus;
use domain::chain::stage::Stage;
use domain::identity::Scope;
use domain::{Actor, Role};
use schemars::JsonSchema;
use serde::Serialize;
use store::chain::need::NeedFilter;

/// One thing waiting for the reader.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Work {
    /// Stable kind: `review_item`, `decide_eligibility`, `revise_item`, `awaiting_eligibility`,
    /// `write_application`, `submit_application`, `consult_applications`, `vote_applications`,
    /// `decide_purchase`, `sign_contract`, `pay_tranche`, `record_activities`, `self_evaluate`,
    /// `form_panel`, `cast_vote`, `score_project`, `write_verdict`, `support_needs`, `open_needs`,
    /// `score_call`, `form_call_panel`, `award_call`; issue 16's `open_rectification`,
    /// `end_lapsed_rectification`, `rectify`, `respond_termination`, `re_review`; `more` after the first 50 of a kind: the
    /// list shows only those, the link leads to all.
    pub kind: &'static str,
    /// What to do, in Chinese.
    pub title: String,
    pub link: String,
}

/// How many things of one kind the work list shows; beyond them it says so.
const PER_KIND: i64 = 50;

/// At most [`PER_KIND`] things of each kind; a kind with more ends in one `more` line that says
/// only the first ones are shown and links to the register (the first path segment of its
/// links), so that nothing is cut off silently.
fn bounded(items: Vec<Work>) -> Vec<Work> {
    let mut out: Vec<Work> = Vec::with_capacity(items.len());
    let mut counts: Vec<(&'static str, i64)> = Vec::new();
    for w in items {
        let n = match counts.iter_mut().find(|(k, _)| *k == w.kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counts.push((w.kind, 1));
                1
            }
        };
        if n <= PER_KIND {
            out.push(w);
        } else if n == PER_KIND + 1 {
            let register = w.link.split('/').nth(1).unwrap_or_default();
            out.push(Work {
                kind: "more",
                title: format!("仅显示前 {PER_KIND} 条同类待办，其余请到列表中查看"),
                link: format!("/{register}"),
            });
        }
    }
    out
}

fn areas_of(actor: &Actor, role: Role) -> Scope {
    Scope::new(
        actor
            .assignments
            .iter()
            .filter(|a| a.role == role)
            .map(|a| a.area.clone()),
    )
}

impl App {
    pub async fn work_list(&self, actor: &Actor) -> Result<Vec<Work>, AppError> {
        let mut out = Vec::new();
        let township = areas_of(actor, Role::TownshipOfficer);
        if !township.roots().is_empty() {
            for i in self
                .db
                .catalogue(&township, Some(ItemStatus::Proposed), None, PER_KIND + 1)
                .await?
            {
                out.push(Work {
                    kind: "review_item",
                    title: format!("审核服务事项：{}", i.name),
                    link: format!("/catalogue/{}", i.id),
                });
            }
            for (e, item) in self
                .db
                .eligibilities_in(&township, EligibilityStatus::Pending, None, PER_KIND + 1)
                .await?
            {
                out.push(Work {
                    kind: "decide_eligibility",
                    title: format!("审核承接资格：{} · {item}", e.organization_name),
                    link: format!("/catalogue/{}", e.item_id),
                });
            }
        }
        if !township.roots().is_empty() {
            for p in self
                .db
                .projects(&township, Some(Stage::Passed), None, None, PER_KIND + 1)
                .await?
            {
                out.push(Work {
                    kind: "decide_purchase",
                    title: format!("居民代表会议已表决通过，作出购买决定：{}", p.title),
                    link: format!("/projects/{}", p.id),
                });
            }
        }
        if !township.roots().is_empty() {
            for stage in [
                Stage::Purchased,
                Stage::Contracted,
                Stage::Delivering,
                Stage::Accepted,
                Stage::AcceptedWithConditions,
                Stage::ReAccepted,
            ] {
                for p in self
                    .db
                    .projects(&township, Some(stage), None, None, PER_KIND + 1)
                    .await?
                {
                    let title = match stage {
                        Stage::Purchased => format!("已决定购买，登记购买协议：{}", p.title),
                        _ => {
                            let Some(k) = self.db.contract(&p.tenant_id, &p.id).await? else {
                                continue;
                            };
                            let Some(t) = k
                                .tranches
                                .iter()
                                .find(|t| t.paid_at.is_none() && t.cancelled_at.is_none())
                            else {
                                continue;
                            };
                            let records = self.db.milestone_records(&p.tenant_id, &p.id).await?;
                            if domain::chain::milestone::payable(t.milestone, p.stage, records)
                                .is_err()
                            {
                                continue;
                            }
                            format!(
                                "支付第 {} 笔款项（{}）：{}",
                                t.seq,
                                t.milestone.zh(),
                                p.title
                            )
                        }
                    };
                    out.push(Work {
                        kind: if stage == Stage::Purchased {
                            "sign_contract"
                        } else {
                            "pay_tranche"
                        },
                        title,
                        link: format!("/projects/{}", p.id),
                    });
                }
            }
        }
        if !township.roots().is_empty() {
            // After "not accepted": the rectification period to set; a period passed unused:
            // the project to end (its money back to the fund).
            for p in self
                .db
                .projects(
                    &township,
                    Some(Stage::NotAccepted),
                    None,
                    None,
                    PER_KIND + 1,
                )
                .await?
            {
                out.push(Work {
                    kind: "open_rectification",
                    title: format!("验收不通过，确定整改期限和要求：{}", p.title),
                    link: format!("/projects/{}", p.id),
                });
            }
            for p in self
                .db
                .projects(&township, Some(Stage::Rectifying), None, None, PER_KIND + 1)
                .await?
            {
                let ending = self.db.ending(&p.tenant_id, &p.id).await?;
                let due = ending.rectification.as_ref().map(|r| r.due_on.clone());
                if due.as_deref().and_then(domain::text::parse_date) < Some(crate::kernel::today())
                {
                    out.push(Work {
                        kind: "end_lapsed_rectification",
                        title: format!(
                            "整改期限（{}）已过未整改，终止项目并退回资金：{}",
                            due.unwrap_or_default(),
                            p.title
                        ),
                        link: format!("/projects/{}", p.id),
                    });
                }
            }
        }
        let community = areas_of(actor, Role::CommunityOfficer);
        if !community.roots().is_empty() {
            for i in self
                .db
                .catalogue(&community, Some(ItemStatus::Returned), None, PER_KIND + 1)
                .await?
            {
                out.push(Work {
                    kind: "revise_item",
                    title: format!("街道退回的服务事项：{}（{}）", i.name, i.decision_reason),
                    link: format!("/catalogue/{}", i.id),
                });
            }
            let open = self
                .db
                .count_needs(
                    &community,
                    &NeedFilter {
                        status: Some(NeedStatus::Open),
                        ..NeedFilter::default()
                    },
                )
                .await?;
            let submitted = self
                .db
                .projects(&community, Some(Stage::Submitted), None, None, PER_KIND + 1)
                .await?;
            if !submitted.is_empty() {
                out.push(Work {
                    kind: "consult_applications",
                    title: format!("{} 份项目申请书待召开恳谈会", submitted.len()),
                    link: "/projects?stage=submitted".into(),
                });
            }
            let consulted = self
                .db
                .projects(&community, Some(Stage::Consulted), None, None, PER_KIND + 1)
                .await?;
            if !consulted.is_empty() {
                out.push(Work {
                    kind: "vote_applications",
                    title: format!("{} 份申请书已恳谈，待提交居民代表会议表决", consulted.len()),
                    link: "/votes".into(),
                });
            }
            // The committee convenes the review group; the group's chair writes the report.
            for (stage, kind, what) in [(
                Stage::SelfEvaluated,
                "form_panel",
                "已提交自评，组建评议小组",
            )] {
                for p in self
                    .db
                    .projects(&community, Some(stage), None, None, PER_KIND + 1)
                    .await?
                {
                    out.push(Work {
                        kind,
                        title: format!("{what}：{}", p.title),
                        link: format!("/projects/{}", p.id),
                    });
                }
            }
            if open > 0 {
                out.push(Work {
                    kind: "open_needs",
                    title: format!("本社区征集中的需求 {open} 条（整理、合并重复）"),
                    link: "/needs".into(),
                });
            }
        }
        for a in &actor.assignments {
            let (Role::OrganizationManager, Some(org)) = (a.role, a.organization_id.as_deref())
            else {
                continue;
            };
            for (e, item) in self
                .db
                .eligibilities_in(
                    &Scope::new([a.area.clone()]),
                    EligibilityStatus::Pending,
                    Some(org),
                    50,
                )
                .await?
            {
                out.push(Work {
                    kind: "awaiting_eligibility",
                    title: format!("承接资格待街道审核：{item}"),
                    link: format!("/catalogue/{}", e.item_id),
                });
            }
            let scope = Scope::new([a.area.clone()]);
            for (e, item) in self
                .db
                .eligibilities_in(&scope, EligibilityStatus::Approved, Some(org), PER_KIND + 1)
                .await?
            {
                if self
                    .db
                    .project_of_eligibility(&e.tenant_id, &e.id)
                    .await?
                    .is_none()
                {
                    out.push(Work {
                        kind: "write_application",
                        title: format!("已获承接资格，撰写项目申请书：{item}"),
                        link: format!("/projects/new?eligibility={}", e.id),
                    });
                }
            }
            for (stage, kind, what) in [
                (
                    Stage::Contracted,
                    "record_activities",
                    "已签约，记录服务活动",
                ),
                (
                    Stage::Delivering,
                    "self_evaluate",
                    "实施中，记录活动并在完成后提交自评",
                ),
            ] {
                for p in self
                    .db
                    .projects(&scope, Some(stage), Some(org), None, PER_KIND + 1)
                    .await?
                {
                    out.push(Work {
                        kind,
                        title: format!("{what}：{}", p.title),
                        link: format!("/projects/{}", p.id),
                    });
                }
            }
            for p in self
                .db
                .projects(
                    &scope,
                    Some(Stage::Rectifying),
                    Some(org),
                    None,
                    PER_KIND + 1,
                )
                .await?
            {
                let due = self
                    .db
                    .ending(&p.tenant_id, &p.id)
                    .await?
                    .rectification
                    .map(|r| r.due_on)
                    .unwrap_or_default();
                out.push(Work {
                    kind: "rectify",
                    title: format!("验收不通过，{due} 前整改并登记整改情况：{}", p.title),
                    link: format!("/projects/{}", p.id),
                });
            }
            for p in self
                .db
                .projects(
                    &scope,
                    Some(Stage::Terminated),
                    Some(org),
                    None,
                    PER_KIND + 1,
                )
                .await?
            {
                let ending = self.db.ending(&p.tenant_id, &p.id).await?;
                if ending.termination.is_some() && ending.response.is_none() {
                    out.push(Work {
                        kind: "respond_termination",
                        title: format!("项目已终止，可对终止决定作出回应：{}", p.title),
                        link: format!("/projects/{}", p.id),
                    });
                }
            }
            for p in self
                .db
                .projects(&scope, Some(Stage::Draft), Some(org), None, PER_KIND + 1)
                .await?
            {
                out.push(Work {
                    kind: "submit_application",
                    title: format!("申请书草稿待提交：{}", p.title),
                    link: format!("/projects/{}", p.id),
                });
            }
        }
        // What waits for the reader by name, in one query.
        let tasks = self.db.personal_tasks(&actor.user_id).await?;
        // Motions the reader may vote on now.
        for (meeting, title) in tasks.motions {
            out.push(Work {
                kind: "cast_vote",
                title: format!("居民代表会议表决：{title}"),
                link: format!("/votes/{meeting}"),
            });
        }
        // Calls: sheets the reader owes as a panel member, and the organizer's next step.
        for (call, title) in tasks.calls {
            out.push(Work {
                kind: "score_call",
                title: format!("评审评分：{title}"),
                link: format!("/calls/{call}"),
            });
        }
        let organizers = Scope::new(
            actor
                .assignments
                .iter()
                .filter(|a| {
                    matches!(
                        a.role,
                        Role::CommunityOfficer
                            | Role::TownshipOfficer
                            | Role::CountyBureau
                            | Role::CityBureau
                    )
                })
                .map(|a| a.area.clone()),
        );
        if !organizers.roots().is_empty() {
            let now = crate::kernel::china_now();
            for k in self.db.calls(&organizers, &[], None, PER_KIND + 1).await? {
                let closed = now > crate::chain::call::closes_at(&k);
                let step = match k.stage {
                    CallStage::Open if closed && k.applications > 0 => {
                        Some(("form_call_panel", "组成评审小组"))
                    }
                    CallStage::Sealed => Some(("award_call", "评定")),
                    _ => None,
                };
                if let Some((kind, what)) = step {
                    out.push(Work {
                        kind,
                        title: format!("{what}：{}", k.title),
                        link: format!("/calls/{}", k.id),
                    });
                }
            }
        }
        // Groups the reader sits on and has not scored yet, and groups the reader chairs.
        for (project, title) in tasks.panels {
            out.push(Work {
                kind: "score_project",
                title: format!("评议打分：{title}"),
                link: format!("/projects/{project}"),
            });
        }
        for (project, title) in tasks.chairs {
            out.push(Work {
                kind: "write_verdict",
                title: format!("评议小组组长：记录评议会并签署评议报告：{title}"),
                link: format!("/projects/{project}"),
            });
        }
        for (project, title) in tasks.re_reviews {
            out.push(Work {
                kind: "re_review",
                title: format!("评议小组组长：整改后复评并签署复评报告：{title}"),
                link: format!("/projects/{project}"),
            });
        }
        let residents = Scope::new(
            actor
                .assignments
                .iter()
                .filter(|a| matches!(a.role, Role::Resident | Role::Representative))
                .map(|a| a.area.clone()),
        );
        if !residents.roots().is_empty() {
            // A count, not the board: the work list only says how many wait.
            let unsupported = self
                .db
                .count_unsupported(&residents, &actor.user_id)
                .await?;
            if unsupported > 0 {
                out.push(Work {
                    kind: "support_needs",
                    title: format!("本社区有 {unsupported} 条需求您还没有附议"),
                    link: "/needs".into(),
                });
            }
        }
        Ok(bounded(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_beyond_the_bound_ends_in_one_line_that_says_so() {
        let work = |kind: &'static str, i: i64| Work {
            kind,
            title: format!("{kind} {i}"),
            link: format!("/catalogue/{i}"),
        };
        let mut items: Vec<Work> = (0..PER_KIND + 1).map(|i| work("review_item", i)).collect();
        items.push(work("decide_eligibility", 0));
        let out = bounded(items);
        assert_eq!(out.len() as i64, PER_KIND + 2);
        let more: Vec<&Work> = out.iter().filter(|w| w.kind == "more").collect();
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].link, "/catalogue");
        assert!(more[0].title.contains("仅显示前 50 条"));
        let exact: Vec<Work> = (0..PER_KIND).map(|i| work("review_item", i)).collect();
        assert!(bounded(exact).iter().all(|w| w.kind != "more"));
    }
}
