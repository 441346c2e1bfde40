//! Accounts: created with their first role, roles assigned and removed, personal access tokens,
//! and the administrator's list and detail of the accounts in their territory.

use super::*;
use crate::audit::{done, event, Subject};
use crate::secret::{random_token, token_hash};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{can, Action, Target};
use domain::password::check_new_password;
use domain::{Actor, AreaCode, DomainError, FieldError};
use serde_json::json;
use store::identity::{NewUser, TokenRow};
use store::time;

impl App {
    /// Creates an account with its first role. The creator must be allowed to manage accounts
    /// at the role's area. An account an administrator creates must change the password the
    /// administrator chose at its first sign-in (issue 15); the operator's command line and the
    /// demonstration (no actor) set the password their owner will keep.
    pub async fn create_user(
        &self,
        actor: Option<&Actor>,
        form: &UserForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        self.create_account(actor, form, actor.is_some(), ctx).await
    }

    /// The operator's `sanshe user create`: when the password was generated (printed once on
    /// the operator's terminal), its owner must change it at the first sign-in.
    pub async fn create_user_by_operator(
        &self,
        form: &UserForm,
        generated_password: bool,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        self.create_account(None, form, generated_password, ctx)
            .await
    }

    async fn create_account(
        &self,
        actor: Option<&Actor>,
        form: &UserForm,
        must_change_password: bool,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let assignment = parse_assignment(&form.role, &form.area, form.organization_id.clone());
        let area = assignment
            .as_ref()
            .map(|a| a.area.clone())
            .unwrap_or_else(|_| AreaCode::nation());
        let subject = Subject {
            kind: "user",
            id: form.login.trim(),
            area: &area,
        };
        // `None` is the command line, run by the operator of the machine.
        let grant_role = match actor {
            Some(a) => match can(a, Action::ManageAccounts, Target::Area(&area)) {
                Ok(g) => g.role,
                Err(d) => {
                    return Err(self
                        .refused(actor, EventKind::AccountCreate, &subject, d.into(), ctx)
                        .await)
                }
            },
            None => None,
        };
        let mut errors = Vec::new();
        let login = form.login.trim();
        if login.is_empty()
            || login.len() > 64
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
        {
            errors.push(FieldError::new(
                "login",
                "invalid_login",
                "登录名须为 1–64 位字母、数字或 . _ - @",
            ));
        }
        let name = form.display_name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            errors.push(FieldError::new(
                "display_name",
                "required",
                "请填写姓名（不超过 64 字）",
            ));
        }
        if let Err(DomainError::Invalid(mut f)) = check_new_password(login, &form.password) {
            for e in &mut f {
                e.field = "password".into();
            }
            errors.extend(f);
        }
        if let Err(DomainError::Invalid(f)) = &assignment {
            errors.extend(f.clone());
        }
        let assignment = match assignment {
            Ok(a) if errors.is_empty() => a,
            Ok(_) => {
                let err = AppError::Domain(DomainError::Invalid(errors));
                return Err(self
                    .refused(actor, EventKind::AccountCreate, &subject, err, ctx)
                    .await);
            }
            Err(e) => {
                let err = match e {
                    DomainError::Invalid(_) => AppError::Domain(DomainError::Invalid(errors)),
                    other => AppError::Domain(other),
                };
                return Err(self
                    .refused(actor, EventKind::AccountCreate, &subject, err, ctx)
                    .await);
            }
        };
        if let Err(err) = self.ensure_placed(&assignment, actor.is_none()).await {
            return Err(self
                .refused(actor, EventKind::AccountCreate, &subject, err, ctx)
                .await);
        }
        let hash = self.hasher.hash(&form.password).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let inserted = tx
            .insert_user(
                &NewUser {
                    id: &id,
                    login,
                    display_name: name,
                    password_hash: &hash,
                    home_area: &assignment.area,
                    locale: "zh",
                    must_change_password,
                },
                &now,
            )
            .await;
        if let Err(store::StoreError::Duplicate(_)) = inserted {
            tx.rollback().await?;
            let err = AppError::Duplicate {
                field: "login",
                message: format!("登录名“{login}”已被使用"),
            };
            return Err(self
                .refused(actor, EventKind::AccountCreate, &subject, err, ctx)
                .await);
        }
        inserted?;
        tx.insert_assignment(&uuid::Uuid::now_v7().to_string(), &id, &assignment, &now)
            .await?;
        tx.append_audit(
            event(
                actor,
                grant_role,
                EventKind::AccountCreate,
                Outcome::Ok,
                &Subject {
                    kind: "user",
                    id: &id,
                    area: &assignment.area,
                },
                ctx,
            )
            .after(json!({
                "login": login,
                "display_name": name,
                "role": assignment.role.as_str(),
                "area": assignment.area.as_str(),
                "organization_id": assignment.organization_id,
                "must_change_password": must_change_password,
            })),
        )
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(id)
    }

    /// Adds a role to an account. Both the account and the new role's area must be within the
    /// administrator's reach.
    pub async fn assign_role(
        &self,
        actor: &Actor,
        user_id: &str,
        form: &RoleForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let target = self
            .db
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AppError::not_found("账号"))?;
        let subject = Subject {
            kind: "user",
            id: user_id,
            area: &target.home_area,
        };
        if let Err(d) = can(
            actor,
            Action::ManageAccounts,
            Target::Area(&target.home_area),
        ) {
            return Err(self
                .refused(Some(actor), EventKind::RoleAssign, &subject, d.into(), ctx)
                .await);
        }
        let assignment =
            match parse_assignment(&form.role, &form.area, form.organization_id.clone()) {
                Ok(a) => a,
                Err(e) => {
                    return Err(self
                        .refused(Some(actor), EventKind::RoleAssign, &subject, e.into(), ctx)
                        .await)
                }
            };
        let grant = match can(
            actor,
            Action::ManageAccounts,
            Target::Area(&assignment.area),
        ) {
            Ok(g) => g,
            Err(d) => {
                return Err(self
                    .refused(Some(actor), EventKind::RoleAssign, &subject, d.into(), ctx)
                    .await)
            }
        };
        if let Err(err) = self.ensure_placed(&assignment, false).await {
            return Err(self
                .refused(Some(actor), EventKind::RoleAssign, &subject, err, ctx)
                .await);
        }
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.db.begin().await?;
        match tx
            .insert_assignment(&id, user_id, &assignment, &time::now())
            .await
        {
            Err(store::StoreError::Duplicate(_)) => {
                tx.rollback().await?;
                let err = AppError::Duplicate {
                    field: "role",
                    message: "该账号已有此角色".into(),
                };
                return Err(self
                    .refused(Some(actor), EventKind::RoleAssign, &subject, err, ctx)
                    .await);
            }
            other => other?,
        }
        tx.append_audit(
            event(
                Some(actor),
                grant.role,
                EventKind::RoleAssign,
                Outcome::Ok,
                &Subject {
                    kind: "user",
                    id: user_id,
                    area: &assignment.area,
                },
                ctx,
            )
            .after(json!({
                "assignment_id": id,
                "role": assignment.role.as_str(),
                "area": assignment.area.as_str(),
                "organization_id": assignment.organization_id,
            })),
        )
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(id)
    }

    /// Removes a role from an account.
    pub async fn remove_role(
        &self,
        actor: &Actor,
        user_id: &str,
        assignment_id: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let Some(a) = tx
            .assignment(assignment_id)
            .await?
            .filter(|a| a.user_id == user_id)
        else {
            tx.rollback().await?;
            return Err(AppError::not_found("角色分配"));
        };
        let subject = Subject {
            kind: "user",
            id: user_id,
            area: &a.area_code,
        };
        let grant = match can(actor, Action::ManageAccounts, Target::Area(&a.area_code)) {
            Ok(g) => g,
            Err(d) => {
                tx.rollback().await?;
                return Err(self
                    .refused(Some(actor), EventKind::RoleRemove, &subject, d.into(), ctx)
                    .await);
            }
        };
        tx.delete_assignment(assignment_id).await?;
        tx.append_audit(
            done(actor, grant.role, EventKind::RoleRemove, &subject, ctx).before(json!({
                "assignment_id": a.id,
                "role": a.role.as_str(),
                "area": a.area_code.as_str(),
                "organization_id": a.organization_id,
            })),
        )
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(())
    }

    /// Creates a personal access token for the actor (scoped like its owner, stored hashed).
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        ctx: &Ctx,
    ) -> Result<CreatedToken, AppError> {
        can(actor, Action::ManageOwnAccount, Target::Own)?;
        let name = name.trim();
        let area = self.home_area(actor).await?;
        let subject = Subject {
            kind: "api_token",
            id: &actor.user_id,
            area: &area,
        };
        if name.is_empty() || name.chars().count() > 64 {
            let err = AppError::Domain(DomainError::field(
                "name",
                "required",
                "请填写令牌名称（不超过 64 字）",
            ));
            return Err(self
                .refused(Some(actor), EventKind::TokenCreate, &subject, err, ctx)
                .await);
        }
        let token = format!("ssk_{}", random_token());
        let id = uuid::Uuid::now_v7().to_string();
        let hint = format!("{}…", &token[..12]);
        let mut tx = self.db.begin().await?;
        tx.insert_token(
            &id,
            &actor.user_id,
            name,
            &token_hash(&token),
            &hint,
            &time::now(),
        )
        .await?;
        tx.append_audit(
            event(
                Some(actor),
                None,
                EventKind::TokenCreate,
                Outcome::Ok,
                &Subject {
                    kind: "api_token",
                    id: &id,
                    area: &area,
                },
                ctx,
            )
            .after(json!({ "name": name, "hint": hint })),
        )
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(CreatedToken {
            id,
            name: name.to_string(),
            token,
        })
    }

    pub async fn revoke_token(&self, actor: &Actor, id: &str, ctx: &Ctx) -> Result<(), AppError> {
        can(actor, Action::ManageOwnAccount, Target::Own)?;
        let area = self.home_area(actor).await?;
        let mut tx = self.db.begin().await?;
        if !tx.revoke_token(id, &actor.user_id, &time::now()).await? {
            tx.rollback().await?;
            return Err(AppError::not_found("令牌"));
        }
        tx.append_audit(
            event(
                Some(actor),
                None,
                EventKind::TokenRevoke,
                Outcome::Ok,
                &Subject {
                    kind: "api_token",
                    id,
                    area: &area,
                },
                ctx,
            )
            .after(json!({ "revoked": true })),
        )
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(())
    }

    pub async fn tokens(&self, actor: &Actor) -> Result<Vec<TokenRow>, AppError> {
        can(actor, Action::ManageOwnAccount, Target::Own)?;
        Ok(self.db.tokens_of(&actor.user_id).await?)
    }
}

impl App {
    /// A page of the accounts the actor administers (home or a role inside their administrator
    /// territory), optionally whose login or display name contains `q`, by login.
    pub async fn list_users(
        &self,
        actor: &Actor,
        q: Option<&str>,
        after: Option<&str>,
        limit: i64,
        ctx: &Ctx,
    ) -> Result<
        crate::page::Page<(
            store::identity::UserRow,
            Vec<store::identity::AssignmentRow>,
        )>,
        AppError,
    > {
        let after = crate::page::decode(after, store::identity::USER_ORDER.len())?;
        let scope = domain::authz::reach(actor, Action::ViewAccounts);
        if scope.roots().is_empty() {
            let subject = Subject {
                kind: "users",
                id: "",
                area: &AreaCode::nation(),
            };
            let d = can(
                actor,
                Action::ViewAccounts,
                Target::Area(&AreaCode::nation()),
            )
            .err()
            .map(AppError::from)
            .unwrap_or(AppError::Unauthenticated);
            return Err(self
                .refused(Some(actor), EventKind::AccountList, &subject, d, ctx)
                .await);
        }
        let rows = self
            .db
            .users_in_scope(&scope, q, after.as_deref(), limit + 1)
            .await?;
        let total = self.db.count_users_in_scope(&scope, q).await?;
        Ok(crate::page::Page::cut(rows, limit, total, |(u, _)| {
            vec![u.login.clone(), u.id.clone()]
        }))
    }

    /// One account with its roles and tokens' count, if the actor administers its home area.
    pub async fn user_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<UserDetail, AppError> {
        let user = self
            .db
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("账号"))?;
        self.may_read(
            actor,
            Action::ViewAccounts,
            &Subject {
                kind: "user",
                id,
                area: &user.home_area,
            },
            EventKind::AccountView,
            ctx,
        )
        .await?;
        let roles = self.db.assignments_of(id).await?;
        let locks = self.db.login_locks_of(id, &time::now()).await?;
        Ok(UserDetail { user, roles, locks })
    }
}
