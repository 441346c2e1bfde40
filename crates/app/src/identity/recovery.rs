//! What an administrator does for an account that is stuck or leaving (issue 15): reset its
//! password (the owner must change it at the next sign-in), lift its login locks, disable it (it
//! cannot sign in, its sessions end and its tokens are revoked at once) and enable it again.
//!
//! Who may: an administrator whose territory holds the account's home area and every role it
//! holds, so that a county's administrator cannot take over a city bureau's account by resetting
//! its password. Nobody does these to their own account (one's own password is changed on one's
//! own page, and an administrator cannot lock themself out).

use crate::audit::{done, Subject};
use crate::secret::temporary_password;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::authz::{can, Action, Grant, Target};
use domain::{Actor, DomainError};
use serde_json::json;
use store::identity::UserRow;
use store::time;

impl App {
    /// The account `user_id` if `actor` administers all of it; the refusal is audited as `kind`.
    async fn administered(
        &self,
        actor: &Actor,
        user_id: &str,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<(UserRow, Grant), AppError> {
        let user = self
            .db
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AppError::not_found("账号"))?;
        let subject = Subject {
            kind: "user",
            id: user_id,
            area: &user.home_area,
        };
        let roles = self.db.assignments_of(user_id).await?;
        let checked = can(actor, Action::ManageAccounts, Target::Area(&user.home_area))
            .and_then(|g| {
                for a in &roles {
                    can(actor, Action::ManageAccounts, Target::Area(&a.area_code))?;
                }
                Ok(g)
            })
            .map_err(AppError::from)
            .and_then(|g| {
                if user.id == actor.user_id {
                    return Err(DomainError::conflict(
                        "own_account",
                        "不能对自己的账号执行此操作（修改本人密码请到“我的账号”）",
                    )
                    .into());
                }
                Ok(g)
            });
        let grant = self.or_refused(checked, actor, kind, &subject, ctx).await?;
        Ok((user, grant))
    }

    /// Resets an account's password to a temporary one, shown once to the administrator: the
    /// owner must change it at the next sign-in; every session ends and every token is revoked.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        user_id: &str,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let kind = EventKind::AccountPasswordReset;
        let (user, grant) = self.administered(actor, user_id, kind, ctx).await?;
        let password = temporary_password();
        let hash = self.hasher.hash(&password).await?;
        let mut tx = self.db.begin().await?;
        if !tx.reset_password(user_id, &hash, &time::now()).await? {
            return Err(AppError::not_found("账号"));
        }
        let subject = Subject {
            kind: "user",
            id: user_id,
            area: &user.home_area,
        };
        // The temporary password itself is never written down.
        tx.append_audit(
            done(actor, grant.role, kind, &subject, ctx)
                .after(json!({ "must_change_password": true, "sessions_ended": true })),
        )
        .await?;
        tx.commit().await?;
        self.credentials.clear();
        Ok(password)
    }

    /// Lifts every login lock of an account; returns how many locks there were.
    pub async fn unlock_account(
        &self,
        actor: &Actor,
        user_id: &str,
        ctx: &Ctx,
    ) -> Result<u64, AppError> {
        let kind = EventKind::AccountUnlock;
        let (user, grant) = self.administered(actor, user_id, kind, ctx).await?;
        let locks = self.db.login_locks_of(user_id, &time::now()).await?;
        let mut tx = self.db.begin().await?;
        let n = tx.clear_login_locks(user_id).await?;
        let subject = Subject {
            kind: "user",
            id: user_id,
            area: &user.home_area,
        };
        tx.append_audit(
            done(actor, grant.role, kind, &subject, ctx)
                .before(json!({ "locks": locks }))
                .after(json!({ "locks": [] })),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Disables (`true`) or re-enables an account. A disabled account cannot sign in, its
    /// sessions end and its API tokens are revoked at once (re-enabling restores none of them).
    pub async fn set_account_disabled(
        &self,
        actor: &Actor,
        user_id: &str,
        disabled: bool,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let kind = if disabled {
            EventKind::AccountDisable
        } else {
            EventKind::AccountEnable
        };
        let (user, grant) = self.administered(actor, user_id, kind, ctx).await?;
        let subject = Subject {
            kind: "user",
            id: user_id,
            area: &user.home_area,
        };
        let mut tx = self.db.begin().await?;
        if !tx.set_disabled(user_id, disabled, &time::now()).await? {
            let why = if disabled {
                DomainError::conflict("already_disabled", "该账号已停用")
            } else {
                DomainError::conflict("not_disabled", "该账号未停用")
            };
            return Err(self.conflict(tx, actor, kind, &subject, why, ctx).await);
        }
        tx.append_audit(
            done(actor, grant.role, kind, &subject, ctx)
                .before(json!({ "disabled": user.disabled }))
                .after(json!({ "disabled": disabled })),
        )
        .await?;
        tx.commit().await?;
        // No server keeps serving the disabled account's credentials from its cache.
        self.credentials.clear();
        Ok(())
    }
}
