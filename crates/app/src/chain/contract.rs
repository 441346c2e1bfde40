//! The contract (step 6 of the chain): the township signs with the organization whose project it
//! bought, with tranches tied to milestones; the project moves to "contracted".

use crate::audit::{done, Subject};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::money::Money;
use domain::Actor;
use domain::DomainError;
use serde_json::json;
use store::chain::contract::NewContract;
use store::time;

impl App {
    /// The township records the contract both parties signed; the project becomes contracted.
    pub async fn sign_contract(
        &self,
        actor: &Actor,
        id: &str,
        form: &domain::chain::contract::ContractForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, id, EventKind::ContractSign, ctx)
            .await?;
        let subject = Subject {
            kind: "project",
            id,
            area: &p.community,
        };
        let amount = self
            .db
            .purchase_decision(&p.tenant_id, id)
            .await?
            .and_then(|d| d.amount_fen)
            .unwrap_or(Money::ZERO);
        let checked = self.purchaser_role(actor, &p).await.and_then(|role| {
            let to = p.stage.next(domain::chain::stage::Event::Sign)?;
            Ok((role, to, form.validate(amount)?))
        });
        let (role, to, contract) = self
            .or_refused(checked, actor, EventKind::ContractSign, &subject, ctx)
            .await?;
        let purchaser = self.purchaser_area(&p).await?.as_str().to_string();
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let signed = tx
            .insert_contract(&NewContract {
                tenant: &p.tenant_id,
                project: id,
                purchaser_area: &purchaser,
                organization_id: &p.organization_id,
                amount_fen: amount,
                contract: &contract,
                by: &actor.user_id,
                now: &now,
            })
            .await?
            && tx.move_stage(&p.tenant_id, id, p.stage, to, &now).await?;
        if !signed {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::ContractSign,
                    &subject,
                    DomainError::conflict("contract_signed", "该项目的购买协议已经登记"),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, Some(role), EventKind::ContractSign, &subject, ctx)
                .before(json!({ "stage": p.stage }))
                .after(json!({ "stage": to, "contract": contract, "amount_fen": amount })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
