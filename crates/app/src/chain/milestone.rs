//! The records payment milestones wait for (issue 16, findings 1 and 2): the community committee
//! records the mid-term review with the supervisor while the project is delivered; after a
//! conditional pass, the review group's chair records each condition as met. A tranche is payable
//! only once its milestone's record exists (`domain::chain::milestone::payable`).

use super::project_subject as subject;
use crate::audit::done;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::committee::may_review_midterm;
use domain::chain::milestone::{
    conditions_of, may_record_conditions_met, may_record_midterm, ConditionsMetForm, MidtermForm,
};
use domain::chain::review_group::may_confirm_conditions;
use domain::{Actor, DomainError};
use serde_json::json;
use store::chain::milestone::NewRecord;
use store::time;

impl App {
    /// The committee of the project's community records the mid-term review, with the
    /// supervisor, once, while the project is delivered.
    pub async fn record_midterm_review(
        &self,
        actor: &Actor,
        id: &str,
        form: &MidtermForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::MidtermReview;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let recorded = self
            .db
            .milestone_records(&p.tenant_id, id)
            .await?
            .midterm_review;
        let checked = may_review_midterm(actor, &p.community)
            .map_err(AppError::from)
            .and_then(|role| {
                may_record_midterm(p.stage, recorded)?;
                Ok((role, form.validate()?))
            });
        let (role, review) = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let record = NewRecord::on(&p, &actor.user_id, &now);
        if !tx.insert_midterm_review(&record, &review).await? {
            let why = DomainError::conflict("midterm_recorded", "该项目的中期评估刚刚已记录");
            return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await);
        }
        tx.append_audit(done(actor, Some(role), kind, &subject(&p), ctx).after(json!(review)))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// After a conditional pass, the review group's chair records each condition of the report
    /// as met, with what shows it; the final tranche becomes payable.
    pub async fn record_conditions_met(
        &self,
        actor: &Actor,
        id: &str,
        form: &ConditionsMetForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = EventKind::ConditionsMet;
        let p = self.readable_project(actor, id, kind, ctx).await?;
        let t = &p.tenant_id;
        let group = self.db.review_group(t, id).await?;
        let report = self.db.review_report(t, id).await?;
        let recorded = self.db.milestone_records(t, id).await?.conditions_met;
        let checked =
            may_confirm_conditions(&actor.user_id, group.as_ref().and_then(|g| g.chair()))
                .map_err(AppError::from)
                .and_then(|()| {
                    may_record_conditions_met(p.stage, recorded)?;
                    let conditions =
                        conditions_of(report.as_ref().map_or("", |r| r.conditions.as_str()));
                    Ok(form.validate(&conditions)?)
                });
        let items = self
            .or_refused(checked, actor, kind, &subject(&p), ctx)
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let record = NewRecord {
            tenant: t,
            project: id,
            by: &actor.user_id,
            now: &now,
        };
        if !tx.insert_conditions_met(&record, &items).await? {
            let why = DomainError::conflict("conditions_recorded", "整改条件的落实情况刚刚已记录");
            return Err(self.conflict(tx, actor, kind, &subject(&p), why, ctx).await);
        }
        tx.append_audit(
            done(actor, None, kind, &subject(&p), ctx).after(json!({ "items": items })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
