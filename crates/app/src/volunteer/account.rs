//! Linking a volunteer registered by a unit (or imported) to a person's account, so that they
//! see their records and may ask for corrections.

use crate::audit::{done, Subject};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::volunteer::can_link_account;
use domain::{Actor, DomainError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::time;

/// An account offered when linking a volunteer: picked by name or login, never typed as an id.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountChoice {
    pub user_id: String,
    pub login: String,
    pub display_name: String,
}

/// Accounts offered at most.
const ACCOUNTS_OFFERED: i64 = 20;

impl App {
    /// Accounts the officer may link to this volunteer, by name or login (`q`), among those
    /// living in the officer's area.
    pub async fn account_candidates(
        &self,
        actor: &Actor,
        volunteer_id: &str,
        q: &str,
    ) -> Result<Vec<AccountChoice>, AppError> {
        let v = self.load_volunteer(volunteer_id).await?;
        let (_, area) = can_link_account(actor, &v.volunteer.area)?;
        if q.trim().is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .db
            .accounts_matching(&area, q, ACCOUNTS_OFFERED)
            .await?
            .into_iter()
            .map(|(user_id, login, display_name)| AccountChoice {
                user_id,
                login,
                display_name,
            })
            .collect())
    }

    /// Links a volunteer who has no account yet to an account the officer picked (audited); a
    /// volunteer already linked is refused (`already_linked`).
    pub async fn link_volunteer_account(
        &self,
        actor: &Actor,
        volunteer_id: &str,
        user_id: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let v = self.load_volunteer(volunteer_id).await?;
        let subject = Subject {
            kind: "volunteer",
            id: volunteer_id,
            area: &v.volunteer.area,
        };
        let (role, area) = self
            .or_refused(
                can_link_account(actor, &v.volunteer.area).map_err(AppError::from),
                actor,
                EventKind::VolunteerLink,
                &subject,
                ctx,
            )
            .await?;
        // Only an account the picker could offer: one living in the officer's area.
        let user = self
            .db
            .user_by_id(user_id)
            .await?
            .filter(|u| !u.disabled && area.contains(&u.home_area));
        let Some(user) = user else {
            let e = AppError::Domain(DomainError::field(
                "user_id",
                "unknown_account",
                "请从搜索结果中选择本辖区的居民账号",
            ));
            return Err(self
                .refused(Some(actor), EventKind::VolunteerLink, &subject, e, ctx)
                .await);
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .link_volunteer(&v.tenant_id, volunteer_id, &user.id, &now)
            .await?
        {
            tx.rollback().await?;
            let e = AppError::Domain(DomainError::conflict(
                "already_linked",
                "该志愿者已关联账号，不能再关联其他账号",
            ));
            return Err(self
                .refused(Some(actor), EventKind::VolunteerLink, &subject, e, ctx)
                .await);
        }
        tx.append_audit(
            done(actor, Some(role), EventKind::VolunteerLink, &subject, ctx)
                .before(json!({ "user_id": null }))
                .after(json!({ "user_id": user.id, "login": user.login })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
