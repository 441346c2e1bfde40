//! Accounts: login and logout, passwords, account creation, role assignment, API tokens.

use crate::audit::{event, Subject};
use crate::secret::{random_token, token_hash};
use crate::{App, AppError, Ctx};
use chrono::{Duration, Utc};
use domain::audit::Outcome;
use domain::authz::{can, Action, Target};
use domain::password::check_new_password;
use domain::{Actor, AreaCode, DomainError, FieldError, Role, RoleAssignment};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::identity::{Authenticated, NewUser, TokenRow};
use store::time;

/// A new login session: the cookie value (shown once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// An account as its administrator sees it: roles, and the client addresses its failed logins
/// have locked out for now.
#[derive(Debug, Clone)]
pub struct UserDetail {
    pub user: store::identity::UserRow,
    pub roles: Vec<store::identity::AssignmentRow>,
    pub locks: Vec<store::identity::LoginLockRow>,
}

/// Form to create an account with its first role.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct UserForm {
    pub login: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub area: String,
    #[serde(default)]
    pub organization_id: Option<String>,
}

/// Form to assign a role.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RoleForm {
    pub role: String,
    pub area: String,
    #[serde(default)]
    pub organization_id: Option<String>,
}

/// A token just created: the secret is shown this once and never again.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CreatedToken {
    pub id: String,
    pub name: String,
    pub token: String,
}

pub fn actor_of(a: &Authenticated) -> Actor {
    Actor {
        user_id: a.user.id.clone(),
        login: a.user.login.clone(),
        display_name: a.user.display_name.clone(),
        assignments: a.assignments.iter().map(|r| r.to_domain()).collect(),
    }
}

fn parse_assignment(
    role: &str,
    area: &str,
    organization_id: Option<String>,
) -> Result<RoleAssignment, DomainError> {
    let mut errors = Vec::new();
    let role = Role::parse(role.trim());
    if role.is_none() {
        errors.push(FieldError::new("role", "invalid_role", "请选择有效的角色"));
    }
    let area = match area.trim() {
        "" => {
            errors.push(FieldError::new("area", "required", "请填写区划代码"));
            None
        }
        a => match AreaCode::parse(a) {
            Ok(c) => Some(c),
            Err(DomainError::Invalid(mut f)) => {
                for e in &mut f {
                    e.field = "area".into();
                }
                errors.extend(f);
                None
            }
            Err(e) => return Err(e),
        },
    };
    match (role, area) {
        (Some(r), Some(a)) if errors.is_empty() => RoleAssignment::new(r, a, organization_id),
        _ => Err(DomainError::Invalid(errors)),
    }
}

impl App {
    /// A role can only be held at an area that exists (or at the nation).
    async fn ensure_area_exists(&self, area: &AreaCode) -> Result<(), AppError> {
        if *area == AreaCode::nation() || self.db.area(area).await?.is_some() {
            return Ok(());
        }
        Err(AppError::Domain(DomainError::field(
            "area",
            "unknown_area",
            format!("区划代码 {} 不存在", area.full()),
        )))
    }

    /// Resolves a session cookie to the person, or `None` when it is unknown or expired.
    pub async fn session_actor(&self, token: &str) -> Result<Option<Authenticated>, AppError> {
        let key = format!("s:{}", token_hash(token));
        if let Some(a) = self.credentials.get(&key) {
            return Ok(Some(a));
        }
        let found = self
            .db
            .authenticate_session(&token_hash(token), &time::now())
            .await?;
        if let Some(a) = &found {
            self.credentials.put(key, a.clone());
        }
        Ok(found)
    }

    /// Resolves an API bearer token.
    pub async fn token_actor(&self, token: &str) -> Result<Option<Authenticated>, AppError> {
        let key = format!("t:{}", token_hash(token));
        if let Some(a) = self.credentials.get(&key) {
            return Ok(Some(a));
        }
        let found = self.db.authenticate_token(&token_hash(token)).await?;
        if let Some(a) = &found {
            self.credentials.put(key, a.clone());
        }
        Ok(found)
    }

    /// Logs in. Every failure gives the same generic error and costs the same (an unknown login
    /// is verified against a dummy hash; a disabled or locked account is verified too). The fifth
    /// failure in a row from one client address locks the account for that address (the owner
    /// elsewhere still gets in); an address that fails too often, or has too many logins under
    /// way, is refused before any hashing (429). Failures and locks are audited; a login name
    /// that no account has is kept only masked (people type identity and phone numbers there).
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        ctx: &Ctx,
    ) -> Result<NewSession, AppError> {
        let login = login.trim();
        let client = ctx.client_addr.clone().unwrap_or_default();
        let now = Utc::now();
        let nation = AreaCode::nation();
        let _attempt = match self
            .logins
            .enter(&client, &self.settings.client_throttle, now)
        {
            Ok(a) => a,
            Err(refused) => {
                if refused.first {
                    let subject = Subject {
                        kind: "client",
                        id: &client,
                        area: &nation,
                    };
                    return Err(self
                        .refused(None, "session.throttled", &subject, refused.error, ctx)
                        .await);
                }
                return Err(refused.error);
            }
        };
        let Some(user) = self.db.user_by_login(login).await? else {
            self.hasher.verify_dummy(password).await?;
            self.logins
                .failed(&client, &self.settings.client_throttle, now);
            let masked = domain::password::masked_login(login);
            let subject = Subject {
                kind: "login",
                id: &masked,
                area: &nation,
            };
            return Err(self
                .refused(None, "session.login", &subject, AppError::LoginFailed, ctx)
                .await);
        };
        let throttle = self.settings.throttle;
        let lock = self.db.login_lock(&user.id, &client).await?;
        let locked = throttle.is_locked(
            lock.as_ref()
                .and_then(|l| l.locked_until.as_deref())
                .and_then(time::from_db),
            now,
        );
        let matches = self.hasher.verify(&user.password_hash, password).await?;
        let ok = matches && !user.disabled && !locked;
        let subject_area = user.home_area.clone();
        let subject = Subject {
            kind: "user",
            id: &user.id,
            area: &subject_area,
        };
        let who = Actor {
            user_id: user.id.clone(),
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            assignments: Vec::new(),
        };
        if !ok {
            self.logins
                .failed(&client, &self.settings.client_throttle, now);
            let mut tx = self.db.begin().await?;
            let reason = if locked {
                "locked"
            } else if user.disabled {
                "disabled"
            } else {
                "bad_password"
            };
            let mut detail = json!({ "reason": reason });
            if !locked {
                // Re-read inside the write transaction so concurrent failures all count.
                let fresh = tx.login_lock_for_update(&user.id, &client).await?;
                let o = throttle.after_failure(fresh.map(|l| l.failures).unwrap_or(0), now);
                let until = o.locked_until.map(time::to_db);
                tx.put_login_lock(
                    &user.id,
                    &client,
                    o.failed_logins,
                    until.as_deref(),
                    &time::to_db(now),
                )
                .await?;
                if let Some(u) = &until {
                    detail = json!({ "reason": reason, "locked_until": u });
                    tx.append_audit(event(
                        Some(&who),
                        None,
                        "account.locked",
                        Outcome::Ok,
                        &subject,
                        None,
                        Some(json!({ "locked_until": u, "failures": throttle.max_failures, "client": client })),
                        ctx,
                    ))
                    .await?;
                }
            }
            tx.append_audit(event(
                Some(&who),
                None,
                "session.login",
                Outcome::Failed,
                &subject,
                None,
                Some(detail),
                ctx,
            ))
            .await?;
            tx.commit().await?;
            return Err(AppError::LoginFailed);
        }
        let token = random_token();
        let csrf = random_token();
        let expires = time::to_db(now + Duration::hours(self.settings.session_hours));
        let mut tx = self.db.begin().await?;
        tx.insert_session(
            &token_hash(&token),
            &user.id,
            &csrf,
            &time::to_db(now),
            &expires,
            ctx.client_addr.as_deref(),
        )
        .await?;
        tx.append_audit(event(
            Some(&who),
            None,
            "session.login",
            Outcome::Ok,
            &subject,
            None,
            Some(json!({ "expires_at": expires })),
            ctx,
        ))
        .await?;
        tx.commit().await?;
        let assignments = self.db.assignments_of(&user.id).await?;
        Ok(NewSession {
            token,
            csrf_token: csrf,
            actor: Actor {
                assignments: assignments.iter().map(|a| a.to_domain()).collect(),
                ..who
            },
        })
    }

    pub async fn logout(&self, actor: &Actor, token: &str, ctx: &Ctx) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        tx.delete_session(&token_hash(token)).await?;
        let area = self.home_area(actor).await?;
        tx.append_audit(event(
            Some(actor),
            None,
            "session.logout",
            Outcome::Ok,
            &Subject {
                kind: "user",
                id: &actor.user_id,
                area: &area,
            },
            None,
            None,
            ctx,
        ))
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(())
    }

    async fn home_area(&self, actor: &Actor) -> Result<AreaCode, AppError> {
        Ok(self
            .db
            .user_by_id(&actor.user_id)
            .await?
            .map(|u| u.home_area)
            .unwrap_or_else(AreaCode::nation))
    }

    /// Changes one's own password after checking the current one; other sessions end.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        confirm: &str,
        session_token: Option<&str>,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        can(actor, Action::ManageOwnAccount, Target::Own)?;
        let area = self.home_area(actor).await?;
        let subject = Subject {
            kind: "user",
            id: &actor.user_id,
            area: &area,
        };
        let user = self
            .db
            .user_by_id(&actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let mut errors = Vec::new();
        if !self.hasher.verify(&user.password_hash, current).await? {
            errors.push(FieldError::new(
                "current_password",
                "wrong_password",
                "当前密码不正确",
            ));
        }
        if let Err(DomainError::Invalid(f)) = check_new_password(&user.login, new) {
            errors.extend(f);
        }
        if new != confirm {
            errors.push(FieldError::new(
                "confirm_password",
                "mismatch",
                "两次输入的新密码不一致",
            ));
        }
        if !errors.is_empty() {
            let err = AppError::Domain(DomainError::Invalid(errors));
            return Err(self
                .refused(Some(actor), "account.password_change", &subject, err, ctx)
                .await);
        }
        let hash = self.hasher.hash(new).await?;
        let mut tx = self.db.begin().await?;
        let revoked = tx
            .set_password(
                &user.id,
                user.version,
                &hash,
                session_token.map(token_hash).as_deref(),
                &time::now(),
            )
            .await?;
        let Some(revoked) = revoked else {
            tx.rollback().await?;
            return Err(AppError::StaleVersion {
                message: "账号信息已被他人修改，请刷新后重试".into(),
                current: String::new(),
            });
        };
        tx.append_audit(event(
            Some(actor),
            None,
            "account.password_change",
            Outcome::Ok,
            &subject,
            Some(json!({ "version": user.version })),
            Some(json!({ "version": user.version + 1, "other_sessions_ended": true, "api_tokens_revoked": revoked })),
            ctx,
        ))
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(())
    }

    /// Creates an account with its first role. The creator must be allowed to manage accounts
    /// at the role's area.
    pub async fn create_user(
        &self,
        actor: Option<&Actor>,
        form: &UserForm,
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
                        .refused(actor, "account.create", &subject, d.into(), ctx)
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
                    .refused(actor, "account.create", &subject, err, ctx)
                    .await);
            }
            Err(e) => {
                let err = match e {
                    DomainError::Invalid(_) => AppError::Domain(DomainError::Invalid(errors)),
                    other => AppError::Domain(other),
                };
                return Err(self
                    .refused(actor, "account.create", &subject, err, ctx)
                    .await);
            }
        };
        if let Err(err) = self.ensure_area_exists(&assignment.area).await {
            return Err(self
                .refused(actor, "account.create", &subject, err, ctx)
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
                .refused(actor, "account.create", &subject, err, ctx)
                .await);
        }
        inserted?;
        tx.insert_assignment(&uuid::Uuid::now_v7().to_string(), &id, &assignment, &now)
            .await?;
        tx.append_audit(event(
            actor,
            grant_role,
            "account.create",
            Outcome::Ok,
            &Subject {
                kind: "user",
                id: &id,
                area: &assignment.area,
            },
            None,
            Some(json!({
                "login": login,
                "display_name": name,
                "role": assignment.role.as_str(),
                "area": assignment.area.as_str(),
                "organization_id": assignment.organization_id,
            })),
            ctx,
        ))
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
                .refused(Some(actor), "role.assign", &subject, d.into(), ctx)
                .await);
        }
        let assignment =
            match parse_assignment(&form.role, &form.area, form.organization_id.clone()) {
                Ok(a) => a,
                Err(e) => {
                    return Err(self
                        .refused(Some(actor), "role.assign", &subject, e.into(), ctx)
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
                    .refused(Some(actor), "role.assign", &subject, d.into(), ctx)
                    .await)
            }
        };
        if let Err(err) = self.ensure_area_exists(&assignment.area).await {
            return Err(self
                .refused(Some(actor), "role.assign", &subject, err, ctx)
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
                    .refused(Some(actor), "role.assign", &subject, err, ctx)
                    .await);
            }
            other => other?,
        }
        tx.append_audit(event(
            Some(actor),
            grant.role,
            "role.assign",
            Outcome::Ok,
            &Subject {
                kind: "user",
                id: user_id,
                area: &assignment.area,
            },
            None,
            Some(json!({
                "assignment_id": id,
                "role": assignment.role.as_str(),
                "area": assignment.area.as_str(),
                "organization_id": assignment.organization_id,
            })),
            ctx,
        ))
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
                    .refused(Some(actor), "role.remove", &subject, d.into(), ctx)
                    .await);
            }
        };
        tx.delete_assignment(assignment_id).await?;
        tx.append_audit(event(
            Some(actor),
            grant.role,
            "role.remove",
            Outcome::Ok,
            &subject,
            Some(json!({
                "assignment_id": a.id,
                "role": a.role.as_str(),
                "area": a.area_code.as_str(),
                "organization_id": a.organization_id,
            })),
            None,
            ctx,
        ))
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
                .refused(Some(actor), "token.create", &subject, err, ctx)
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
        tx.append_audit(event(
            Some(actor),
            None,
            "token.create",
            Outcome::Ok,
            &Subject {
                kind: "api_token",
                id: &id,
                area: &area,
            },
            None,
            Some(json!({ "name": name, "hint": hint })),
            ctx,
        ))
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
        tx.append_audit(event(
            Some(actor),
            None,
            "token.revoke",
            Outcome::Ok,
            &Subject {
                kind: "api_token",
                id,
                area: &area,
            },
            None,
            Some(json!({ "revoked": true })),
            ctx,
        ))
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
    /// Accounts the actor administers (home or a role inside their administrator territory).
    pub async fn list_users(
        &self,
        actor: &Actor,
        ctx: &Ctx,
    ) -> Result<
        Vec<(
            store::identity::UserRow,
            Vec<store::identity::AssignmentRow>,
        )>,
        AppError,
    > {
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
                .refused(Some(actor), "account.list", &subject, d, ctx)
                .await);
        }
        Ok(self.db.users_in_scope(&scope, 500).await?)
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
        if let Err(d) = can(actor, Action::ViewAccounts, Target::Area(&user.home_area)) {
            let subject = Subject {
                kind: "user",
                id,
                area: &user.home_area,
            };
            return Err(self
                .refused(Some(actor), "account.view", &subject, d.into(), ctx)
                .await);
        }
        let roles = self.db.assignments_of(id).await?;
        let locks = self.db.login_locks_of(id, &time::now()).await?;
        Ok(UserDetail { user, roles, locks })
    }

    /// Audit events inside the actor's audit territory, optionally narrowed to an area.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &store::audit::AuditFilter,
        limit: i64,
        ctx: &Ctx,
    ) -> Result<Vec<store::audit::AuditEventRow>, AppError> {
        let scope = domain::authz::reach(actor, Action::ViewAudit);
        let target = match filter.area_prefix.as_deref().filter(|s| !s.is_empty()) {
            Some(a) => Some(AreaCode::parse(a).map_err(|mut e| {
                if let DomainError::Invalid(f) = &mut e {
                    for x in f.iter_mut() {
                        x.field = "area".into();
                    }
                }
                AppError::Domain(e)
            })?),
            None => None,
        };
        let check_area = target.clone().unwrap_or_else(|| {
            scope
                .roots()
                .first()
                .cloned()
                .unwrap_or_else(AreaCode::nation)
        });
        if let Err(d) = can(actor, Action::ViewAudit, Target::Area(&check_area)) {
            let subject = Subject {
                kind: "audit",
                id: check_area.as_str(),
                area: &check_area,
            };
            return Err(self
                .refused(Some(actor), "audit.view", &subject, d.into(), ctx)
                .await);
        }
        Ok(self
            .db
            .audit_events(&scope, filter, limit.clamp(1, 500))
            .await?)
    }
}
