//! Accounts: login and logout, passwords, account creation, role assignment, API tokens.

use crate::audit::{done, event, Subject};
use crate::secret::{random_token, token_hash};
use crate::{App, AppError, Ctx};
use chrono::{Duration, Utc};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{can, Action, Target};
use domain::password::check_new_password;
use domain::{Actor, AreaCode, DomainError, FieldError, Role, RoleAssignment};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::identity::Authenticated;
use store::time;

mod accounts;
mod recovery;

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
    /// An assignment's area exists, and its organization (if any) is in the registry inside it.
    /// The machine's operator (`operator`: the command line, and the demonstration seeding,
    /// which makes its accounts before its ledger) may name an organization not registered yet,
    /// but never one registered elsewhere.
    async fn ensure_placed(
        &self,
        assignment: &RoleAssignment,
        operator: bool,
    ) -> Result<(), AppError> {
        let area = &assignment.area;
        if *area != AreaCode::nation() && self.db.area(area).await?.is_none() {
            return Err(AppError::Domain(DomainError::field(
                "area",
                "unknown_area",
                format!("区划代码 {} 不存在", area.full()),
            )));
        }
        let organization_area = match assignment.organization_id.as_deref() {
            Some(id) => match crate::kernel::tenant_of(id) {
                Some(tenant) => self.db.organization(tenant, id).await?.map(|o| o.org.area),
                None => None,
            },
            None => None,
        };
        if operator && organization_area.is_none() {
            return Ok(());
        }
        Ok(domain::identity::check_organization_placement(
            assignment,
            organization_area.as_ref(),
        )?)
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
                        .refused(
                            None,
                            EventKind::SessionThrottled,
                            &subject,
                            refused.error,
                            ctx,
                        )
                        .await);
                }
                return Err(refused.error);
            }
        };
        let Some(user) = self.db.user_by_login(login).await? else {
            self.hasher.verify_dummy(password).await?;
            self.logins
                .failed(&client, &self.settings.client_throttle, now);
            // A name no account has locks as an account would, so "locked until" tells nothing.
            let until = match self.logins.phantom_locked_until(&client, login, now) {
                Some(u) => Some(u),
                None => self
                    .logins
                    .phantom_failed(&client, login, &self.settings.throttle, now),
            };
            let masked = domain::password::masked_login(login);
            let subject = Subject {
                kind: "login",
                id: &masked,
                area: &nation,
            };
            let err = until.map_or(AppError::LoginFailed, |u| AppError::locked(u, now));
            return Err(self
                .refused(None, EventKind::SessionLogin, &subject, err, ctx)
                .await);
        };
        let throttle = self.settings.throttle;
        let lock = self.db.login_lock(&user.id, &client).await?;
        let locked_until = lock
            .as_ref()
            .and_then(|l| l.locked_until.as_deref())
            .and_then(time::from_db)
            .filter(|u| throttle.is_locked(Some(*u), now));
        let locked = locked_until.is_some();
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
            // A locked account is told until when (the same answer a name no account has gets).
            let mut answer =
                locked_until.map_or(AppError::LoginFailed, |u| AppError::locked(u, now));
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
                if let (Some(u), Some(at)) = (&until, o.locked_until) {
                    answer = AppError::locked(at, now);
                    detail = json!({ "reason": reason, "locked_until": u });
                    tx.append_audit(event(Some(&who), None, EventKind::AccountLocked, Outcome::Ok, &subject, ctx).after(json!({ "locked_until": u, "failures": throttle.max_failures, "client": client })))
                    .await?;
                }
            }
            tx.append_audit(
                event(
                    Some(&who),
                    None,
                    EventKind::SessionLogin,
                    Outcome::Failed,
                    &subject,
                    ctx,
                )
                .after(detail),
            )
            .await?;
            tx.commit().await?;
            return Err(answer);
        }
        // An account without any role has nothing it may see; it is told so (its password was
        // right) rather than shown empty pages (issue 15).
        let assignments = self.db.assignments_of(&user.id).await?;
        if assignments.is_empty() {
            let err = DomainError::conflict("no_roles", "该账号尚未分配任何角色，请联系系统管理员");
            return Err(self
                .refused(
                    Some(&who),
                    EventKind::SessionLogin,
                    &subject,
                    err.into(),
                    ctx,
                )
                .await);
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
        tx.append_audit(
            event(
                Some(&who),
                None,
                EventKind::SessionLogin,
                Outcome::Ok,
                &subject,
                ctx,
            )
            .after(json!({ "expires_at": expires })),
        )
        .await?;
        tx.commit().await?;
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
            EventKind::SessionLogout,
            Outcome::Ok,
            &Subject {
                kind: "user",
                id: &actor.user_id,
                area: &area,
            },
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
                .refused(
                    Some(actor),
                    EventKind::AccountPasswordChange,
                    &subject,
                    err,
                    ctx,
                )
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
        tx.append_audit(done(actor, None, EventKind::AccountPasswordChange, &subject, ctx).before(json!({ "version": user.version })).after(json!({ "version": user.version + 1, "other_sessions_ended": true, "api_tokens_revoked": revoked })))
        .await?;
        tx.commit().await?;
        // Whatever changed, no server keeps serving the old credentials from its cache.
        self.credentials.clear();
        Ok(())
    }
}
