//! The review group (评议小组, step 7 of the chain; issue 14, finding 6): the community committee
//! of the project's community convenes it (never the purchaser); the group's chair records the
//! method and the review meeting and signs the written report that carries the verdict. Each use
//! case asks `domain::chain::review_group` and `domain::chain::committee`, and audits a refusal.

use super::project_subject as subject;
use crate::audit::done;
use crate::kernel::today;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::committee::may_convene_review;
use domain::chain::evaluation::{may_decide_verdict, VerdictForm};
use domain::chain::review_group::{
    check_group, may_record_meeting, may_sign_report, names, report_ready, Account, GroupForm,
    Interests, MeetingForm, Member, Proposed, DEFAULT_MINIMUM,
};
use domain::chain::stage::Event;
use domain::{Actor, DomainError, Role};
use serde_json::json;
use store::chain::application::{ProjectRow, RegistryTable};
use store::chain::evaluation::{NewGroupMember, NewReport, ReviewGroupRow};
use store::time;

impl App {
    /// Who may not sit on the group of `p`: the organization's accounts and employed social
    /// workers, the team (volunteers and social workers) of the application's current version,
    /// and the people its activities served, by account and by name.
    async fn review_interests(&self, p: &ProjectRow) -> Result<Interests, AppError> {
        let t = &p.tenant_id;
        let versions = self.db.application_versions(t, &p.id).await?;
        let (volunteers, workers) = match versions.iter().find(|v| v.version == p.version) {
            Some(v) => (
                v.content.volunteers.clone(),
                v.content.social_workers.clone(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let volunteer_rows = self
            .db
            .registry_names(RegistryTable::Volunteers, t, &volunteers)
            .await?;
        let worker_rows = self
            .db
            .registry_names(RegistryTable::SocialWorkers, t, &workers)
            .await?;
        Ok(Interests {
            organization_id: p.organization_id.clone(),
            organization_name: p.organization_name.clone(),
            organization_accounts: self
                .db
                .organization_accounts(&p.organization_id)
                .await?
                .into_iter()
                .map(|(u, _)| u)
                .collect(),
            employed_social_workers: names(
                self.db
                    .employed_social_worker_names(t, &p.organization_id)
                    .await?,
            ),
            team_volunteer_accounts: self
                .db
                .volunteer_accounts(t, &volunteers)
                .await?
                .into_iter()
                .collect(),
            team_volunteer_names: names(volunteer_rows.iter().map(|(_, n)| n)),
            team_social_workers: names(worker_rows.iter().map(|(_, n)| n)),
            recipient_accounts: self.db.recipients(t, &p.id).await?.into_iter().collect(),
            recipient_names: names(self.db.recipient_names(t, &p.id).await?),
        })
    }

    /// The members as the rules see them: each login found, able to read the project, and known
    /// as of the committee or not.
    async fn group_members(
        &self,
        proposed: &[Proposed],
        p: &ProjectRow,
    ) -> Result<Vec<Member>, AppError> {
        let mut out = Vec::with_capacity(proposed.len());
        for m in proposed {
            let account = match &m.login {
                Some(login) => {
                    let f = format!("members[{}].login", m.row);
                    let a = self
                        .reviewer_account(login, &p.community, &f, "本项目")
                        .await?;
                    Some(Account {
                        committee: a
                            .assignments
                            .iter()
                            .any(|x| x.role == Role::CommunityOfficer && x.area == p.community),
                        organizations: a
                            .assignments
                            .iter()
                            .filter_map(|x| x.organization_id.clone())
                            .collect(),
                        user_id: a.user_id,
                        display_name: a.display_name,
                    })
                }
                None => None,
            };
            out.push(Member {
                name: m.name.clone(),
                category: m.category,
                account,
                organization: m.organization.clone(),
                chair: m.chair,
            });
        }
        Ok(out)
    }

    /// The community committee convenes the review group of a self-evaluated project: refused to
    /// anyone else (the purchaser above all), and while any member may not sit or the group lacks
    /// its minimum, an expert or third party, or a chair with an account.
    pub async fn convene_review_group(
        &self,
        actor: &Actor,
        id: &str,
        form: &GroupForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::EvaluationPanel, ctx)
            .await?;
        let checked = async {
            let role = may_convene_review(actor, &p.community)?;
            let to = p.stage.next(Event::FormPanel)?;
            let proposed = form.validate()?;
            let members = self.group_members(&proposed, &p).await?;
            let interests = self.review_interests(&p).await?;
            check_group(&members, &interests, DEFAULT_MINIMUM)?;
            Ok::<_, AppError>((role, to, members))
        }
        .await;
        let (role, to, members) = self
            .or_refused(
                checked,
                actor,
                EventKind::EvaluationPanel,
                &subject(&p),
                ctx,
            )
            .await?;
        let rows: Vec<NewGroupMember> = members
            .into_iter()
            .map(|m| NewGroupMember {
                name: m.name,
                category: m.category,
                user_id: m.account.map(|a| a.user_id),
                organization: m.organization,
                chair: m.chair,
            })
            .collect();
        let now = time::now();
        let mut tx = self.db.begin().await?;
        self.advance(&mut tx, &p, to, &now).await?;
        tx.insert_review_group(&store::chain::evaluation::NewReviewGroup {
            tenant: &p.tenant_id,
            project: id,
            members: &rows,
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        let summary: Vec<_> = rows
            .iter()
            .map(|m| json!({ "name": m.name, "category": m.category.as_str(), "user_id": m.user_id, "chair": m.chair }))
            .collect();
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::EvaluationPanel,
                &subject(&p),
                ctx,
            )
            .after(json!({ "members": summary })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The group's chair records the method the group set and the review meeting (date, place,
    /// who attended); again if need be, until the report is signed.
    pub async fn record_review_meeting(
        &self,
        actor: &Actor,
        id: &str,
        form: &MeetingForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::EvaluationMeeting, ctx)
            .await?;
        let group = self.db.review_group(&p.tenant_id, id).await?;
        let checked = group_of(&p, group.as_ref()).and_then(|g| {
            may_record_meeting(&actor.user_id, g.chair())?;
            if g.signed_at.is_some() {
                return Err(signed());
            }
            let chair = g.members.iter().find(|m| m.chair).map(|m| m.seq);
            Ok(form.validate(g.members.len() as i64, chair, today())?)
        });
        let meeting = self
            .or_refused(
                checked,
                actor,
                EventKind::EvaluationMeeting,
                &subject(&p),
                ctx,
            )
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .record_review_meeting(&p.tenant_id, id, &meeting, &actor.user_id, &now)
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::EvaluationMeeting,
                    &subject(&p),
                    DomainError::conflict(
                        "report_signed",
                        "评议报告已签署，评议小组的记录不能再改",
                    ),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, None, EventKind::EvaluationMeeting, &subject(&p), ctx)
                .after(json!(meeting)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The group's chair signs the written report with the verdict, after the review meeting and
    /// once every member present with an account has scored; the committee cannot.
    pub async fn sign_review_report(
        &self,
        actor: &Actor,
        id: &str,
        form: &VerdictForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::EvaluationVerdict, ctx)
            .await?;
        let group = self.db.review_group(&p.tenant_id, id).await?;
        let scores = self.db.review_scores(&p.tenant_id, id).await?;
        let checked = group_of(&p, group.as_ref()).and_then(|g| {
            may_sign_report(&actor.user_id, g.chair())?;
            may_decide_verdict(p.stage)?;
            let owed: Vec<&str> = g
                .members
                .iter()
                .filter(|m| m.present == Some(true))
                .filter_map(|m| m.user_id.as_deref())
                .collect();
            let scored = owed
                .iter()
                .filter(|u| scores.iter().any(|s| s.user_id == **u))
                .count();
            report_ready(g.meeting_on.is_some(), owed.len(), scored)?;
            let v = form.validate()?;
            Ok((v, p.stage.next(Event::Review(v))?))
        });
        let (verdict, to) = self
            .or_refused(
                checked,
                actor,
                EventKind::EvaluationVerdict,
                &subject(&p),
                ctx,
            )
            .await?;
        let average = if scores.is_empty() {
            0
        } else {
            scores.iter().map(|s| s.total).sum::<i64>() / scores.len() as i64
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .sign_review_group(&p.tenant_id, id, &actor.user_id, &now)
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::EvaluationVerdict,
                    &subject(&p),
                    DomainError::conflict("report_signed", "评议报告刚刚已签署"),
                    ctx,
                )
                .await);
        }
        self.advance(&mut tx, &p, to, &now).await?;
        tx.insert_report(&NewReport {
            tenant: &p.tenant_id,
            project: id,
            verdict,
            conditions: form.conditions.trim(),
            report: form.report.trim(),
            average,
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(actor, None, EventKind::EvaluationVerdict, &subject(&p), ctx).after(
                json!({ "verdict": verdict, "average": average, "signed_by": actor.user_id }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The project's group, or why there is none to act for.
fn group_of<'a>(
    p: &ProjectRow,
    group: Option<&'a ReviewGroupRow>,
) -> Result<&'a ReviewGroupRow, AppError> {
    group.ok_or_else(|| {
        DomainError::conflict(
            "no_review_group",
            format!("项目现为“{}”，尚无评议小组", p.stage.zh()),
        )
        .into()
    })
}

/// The refusal once the report is signed.
fn signed() -> AppError {
    DomainError::conflict("report_signed", "评议报告已签署，评议小组的记录不能再改").into()
}
