//! Accounts, role assignments, sessions and API tokens.
//!
//! These are national tables (an account may hold roles in several cities); a query that lists
//! accounts is still filtered by the reader's scope.

use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::identity::Scope;
use domain::{AreaCode, Role, RoleAssignment};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: String,
    pub login: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub home_area: AreaCode,
    pub locale: String,
    pub disabled: bool,
    /// The password was set by someone else (a reset): its owner must change it first.
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssignmentRow {
    pub id: String,
    pub user_id: String,
    pub role: Role,
    pub area_code: AreaCode,
    pub organization_id: Option<String>,
}

impl AssignmentRow {
    pub fn to_domain(&self) -> RoleAssignment {
        RoleAssignment {
            role: self.role,
            area: self.area_code.clone(),
            organization_id: self.organization_id.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub hint: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Failed logins of an account from one client address, and the lock they caused.
#[derive(Debug, Clone, Serialize)]
pub struct LoginLockRow {
    pub client: String,
    pub failures: i64,
    pub locked_until: Option<String>,
    pub updated_at: String,
}

const LOGIN_LOCK_SQL: &str =
    "SELECT client, failures, locked_until, updated_at FROM login_locks WHERE user_id = $1 AND client = $2";

fn login_lock_from_row<R: Row>(r: &R) -> Result<LoginLockRow, sqlx::Error>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(LoginLockRow {
        client: r.try_get("client")?,
        failures: r.try_get("failures")?,
        locked_until: r.try_get("locked_until")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// What a request's credentials resolve to.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: UserRow,
    pub assignments: Vec<AssignmentRow>,
    /// The session's CSRF token (None for API tokens, which are not sent by browsers).
    pub csrf_token: Option<String>,
}

const USER_COLS: &str =
    "id, login, display_name, password_hash, home_area, locale, disabled, must_change_password, version, created_at";

macro_rules! user_from_row {
    ($r:expr) => {{
        let r = $r;
        UserRow {
            id: r.try_get("id")?,
            login: r.try_get("login")?,
            display_name: r.try_get("display_name")?,
            password_hash: r.try_get("password_hash")?,
            home_area: AreaCode::from_stored(&r.try_get::<String, _>("home_area")?),
            locale: r.try_get("locale")?,
            disabled: r.try_get("disabled")?,
            must_change_password: r.try_get("must_change_password")?,
            version: r.try_get("version")?,
            created_at: r.try_get("created_at")?,
        }
    }};
}

macro_rules! assignment_from_row {
    ($r:expr) => {{
        let r = $r;
        let role: String = r.try_get("role")?;
        let org: String = r.try_get("organization_id")?;
        AssignmentRow {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            role: Role::parse(&role).unwrap_or(Role::Resident),
            area_code: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
            organization_id: if org.is_empty() { None } else { Some(org) },
        }
    }};
}

/// The order of the account list: login, id.
pub const USER_ORDER: crate::kernel::Keyset = crate::kernel::Keyset(&[
    crate::kernel::Key::asc("u.login"),
    crate::kernel::Key::asc("u.id"),
]);

/// Accounts with a home area or a role inside the scope, optionally by login or display name.
fn users_where(scope: &Scope, q: Option<&str>, binds: &mut Vec<String>) -> String {
    let home = scope_filter("u.home_area", scope, binds);
    let role = scope_filter("r.area_code", scope, binds);
    let mut wh = format!(
        "({home} OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND {role}))"
    );
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        binds.push(format!("%{}%", crate::area::like_escape(q)));
        wh.push_str(&format!(
            " AND (u.login LIKE ${n} ESCAPE '\\' OR u.display_name LIKE ${n} ESCAPE '\\')",
            n = binds.len()
        ));
    }
    wh
}

impl Db {
    /// The failed-login record of an account for one client address.
    pub async fn login_lock(
        &self,
        user_id: &str,
        client: &str,
    ) -> Result<Option<LoginLockRow>, StoreError> {
        on_pool!(self, c => {
            match sqlx::query(LOGIN_LOCK_SQL).bind(user_id).bind(client).fetch_optional(c).await? {
                Some(r) => Ok(Some(login_lock_from_row(&r)?)),
                None => Ok(None),
            }
        })
    }

    /// The account's locks still in force at `now`, for its administrator's page.
    pub async fn login_locks_of(
        &self,
        user_id: &str,
        now: &str,
    ) -> Result<Vec<LoginLockRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT client, failures, locked_until, updated_at FROM login_locks \
                 WHERE user_id = $1 AND locked_until > $2 ORDER BY locked_until DESC LIMIT 50",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(login_lock_from_row(r)?);
            }
            Ok(out)
        })
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE login = $1");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(login).fetch_optional(c).await? {
                Some(r) => Ok(Some(user_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(user_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    pub async fn assignments_of(&self, user_id: &str) -> Result<Vec<AssignmentRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, user_id, role, area_code, organization_id FROM role_assignments \
                 WHERE user_id = $1 ORDER BY created_at, id",
            )
            .bind(user_id)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(assignment_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Resolves a session cookie (by the hash of its token) to the account, its roles and the
    /// session's CSRF token, in one round trip; expired sessions and disabled accounts resolve
    /// to nothing.
    pub async fn authenticate_session(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<Authenticated>, StoreError> {
        let sql = "SELECT u.id, u.login, u.display_name, u.password_hash, u.home_area, u.locale, \
                   u.disabled, u.must_change_password, u.version, u.created_at, s.csrf_token, \
                   r.id AS rid, r.user_id, r.role, r.area_code, r.organization_id \
                   FROM sessions s JOIN users u ON u.id = s.user_id \
                   LEFT JOIN role_assignments r ON r.user_id = u.id \
                   WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE \
                   ORDER BY r.created_at, r.id";
        on_pool!(self, c => {
            let rows = sqlx::query(sql).bind(token_hash).bind(now).fetch_all(c).await?;
            let Some(first) = rows.first() else { return Ok(None) };
            let user = user_from_row!(first);
            let csrf: String = first.try_get("csrf_token")?;
            let mut assignments = Vec::new();
            for r in &rows {
                let rid: Option<String> = r.try_get("rid")?;
                if let Some(id) = rid {
                    let role: String = r.try_get("role")?;
                    let org: String = r.try_get("organization_id")?;
                    assignments.push(AssignmentRow {
                        id,
                        user_id: user.id.clone(),
                        role: Role::parse(&role).unwrap_or(Role::Resident),
                        area_code: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
                        organization_id: if org.is_empty() { None } else { Some(org) },
                    });
                }
            }
            Ok(Some(Authenticated { user, assignments, csrf_token: Some(csrf) }))
        })
    }

    /// Resolves an API token (by hash) to its owner; revoked tokens resolve to nothing.
    pub async fn authenticate_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<Authenticated>, StoreError> {
        let user_id: Option<String> = on_pool!(self, c => {
            sqlx::query_scalar(
                "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE",
            )
            .bind(token_hash)
            .fetch_optional(c)
            .await?
        });
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let Some(user) = self.user_by_id(&user_id).await? else {
            return Ok(None);
        };
        let assignments = self.assignments_of(&user_id).await?;
        Ok(Some(Authenticated {
            user,
            assignments,
            csrf_token: None,
        }))
    }

    /// Accounts with a home area or a role inside the scope (optionally whose login or display
    /// name contains `q`), by login and id, after a cursor of that order.
    pub async fn users_in_scope(
        &self,
        scope: &Scope,
        q: Option<&str>,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<(UserRow, Vec<AssignmentRow>)>, StoreError> {
        let mut binds = Vec::new();
        let wh = users_where(scope, q, &mut binds);
        let wh = USER_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {} FROM users u WHERE {wh} ORDER BY {} LIMIT {limit}",
            USER_COLS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            USER_ORDER.order_by()
        );
        let users: Vec<UserRow> = on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(user_from_row!(r));
            }
            out
        });
        if users.is_empty() {
            return Ok(Vec::new());
        }
        // One query for all their roles, not one per account.
        let ph: Vec<String> = (1..=users.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, user_id, role, area_code, organization_id FROM role_assignments WHERE user_id IN ({}) ORDER BY created_at, id",
            ph.join(",")
        );
        let all: Vec<AssignmentRow> = on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for u in &users {
                q = q.bind(u.id.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(assignment_from_row!(r));
            }
            out
        });
        Ok(users
            .into_iter()
            .map(|u| {
                let mine = all.iter().filter(|a| a.user_id == u.id).cloned().collect();
                (u, mine)
            })
            .collect())
    }

    /// How many accounts [`Db::users_in_scope`] lists under the same filter.
    pub async fn count_users_in_scope(
        &self,
        scope: &Scope,
        q: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = users_where(scope, q, &mut binds);
        self.count_where("users u", &wh, &binds).await
    }

    pub async fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, user_id, name, hint, created_at, last_used_at, revoked_at FROM api_tokens \
                 WHERE user_id = $1 ORDER BY created_at DESC",
            )
            .bind(user_id)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(TokenRow {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("name")?,
                    hint: r.try_get("hint")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, c => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(c).await?))
    }
}

/// A new account as stored.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub home_area: &'a AreaCode,
    pub locale: &'a str,
    /// The password was set by someone else (an administrator, or generated): its owner must
    /// change it at the first sign-in.
    pub must_change_password: bool,
}

impl Tx {
    pub async fn user_for_update(&mut self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let sql = match self.backend() {
            crate::Backend::Sqlite => sql,
            crate::Backend::Postgres => sql + " FOR UPDATE",
        };
        on_tx!(self, c => {
            match sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await? {
                Some(r) => Ok(Some(user_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    pub async fn insert_user(&mut self, u: &NewUser<'_>, now: &str) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO users (id, login, display_name, password_hash, home_area, locale, must_change_password, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(u.id)
            .bind(u.login)
            .bind(u.display_name)
            .bind(u.password_hash)
            .bind(u.home_area.as_str())
            .bind(u.locale)
            .bind(u.must_change_password)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn insert_assignment(
        &mut self,
        id: &str,
        user_id: &str,
        a: &RoleAssignment,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO role_assignments (id, user_id, role, area_code, organization_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(user_id)
            .bind(a.role.as_str())
            .bind(a.area.as_str())
            .bind(a.organization_id.clone().unwrap_or_default())
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn assignment(&mut self, id: &str) -> Result<Option<AssignmentRow>, StoreError> {
        on_tx!(self, c => {
            match sqlx::query("SELECT id, user_id, role, area_code, organization_id FROM role_assignments WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *c)
                .await?
            {
                Some(r) => Ok(Some(assignment_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    pub async fn delete_assignment(&mut self, id: &str) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM role_assignments WHERE id = $1").bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The failed-login record of an account for one client address, locked for this
    /// transaction so that concurrent failures all count.
    pub async fn login_lock_for_update(
        &mut self,
        user_id: &str,
        client: &str,
    ) -> Result<Option<LoginLockRow>, StoreError> {
        let sql = match self.backend() {
            crate::Backend::Sqlite => LOGIN_LOCK_SQL.to_string(),
            crate::Backend::Postgres => format!("{LOGIN_LOCK_SQL} FOR UPDATE"),
        };
        on_tx!(self, c => {
            match sqlx::query(&sql).bind(user_id).bind(client).fetch_optional(&mut *c).await? {
                Some(r) => Ok(Some(login_lock_from_row(&r)?)),
                None => Ok(None),
            }
        })
    }

    /// Records the failures of an account from one client and, when they lock it, until when.
    pub async fn put_login_lock(
        &mut self,
        user_id: &str,
        client: &str,
        failures: i64,
        locked_until: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO login_locks (user_id, client, failures, locked_until, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (user_id, client) DO UPDATE SET failures = $3, locked_until = $4, updated_at = $5",
            )
            .bind(user_id)
            .bind(client)
            .bind(failures)
            .bind(locked_until)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Changes the password if the account is still at `version` (optimistic locking); returns
    /// whether it changed. Every other session of the account is ended.
    pub async fn set_password(
        &mut self,
        user_id: &str,
        version: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        now: &str,
    ) -> Result<Option<u64>, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = FALSE, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
            )
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .bind(version)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if n != 1 {
                return Ok(None);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *c)
                .await?;
            // API tokens were made with the old password's authority: a changed password (a
            // suspected leak, often) ends them too.
            let revoked = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected();
            // A new password also lifts the locks its guessers caused.
            sqlx::query("DELETE FROM login_locks WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            Ok(Some(revoked))
        })
    }

    /// An administrator's reset: a new password its owner must change at the next sign-in;
    /// every session ends, every API token is revoked, the locks lift. Returns whether the
    /// account exists.
    pub async fn reset_password(
        &mut self,
        user_id: &str,
        password_hash: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = TRUE, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if n != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM login_locks WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            Ok(true)
        })
    }

    /// Disables or re-enables an account; returns whether it changed. Disabling ends every
    /// session and revokes every API token at once (re-enabling brings none back).
    pub async fn set_disabled(
        &mut self,
        user_id: &str,
        disabled: bool,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE users SET disabled = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND disabled <> $1",
            )
            .bind(disabled)
            .bind(now)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if n == 1 && disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *c)
                    .await?;
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *c)
                    .await?;
            }
            Ok(n == 1)
        })
    }

    /// Lifts every login lock of an account; returns how many there were.
    pub async fn clear_login_locks(&mut self, user_id: &str) -> Result<u64, StoreError> {
        on_tx!(self, c => {
            Ok(sqlx::query("DELETE FROM login_locks WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?
                .rows_affected())
        })
    }

    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: &str,
        csrf: &str,
        now: &str,
        expires_at: &str,
        client_addr: Option<&str>,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            // A successful login from an address forgets that address's failures.
            sqlx::query("DELETE FROM login_locks WHERE user_id = $1 AND client = $2")
                .bind(user_id)
                .bind(client_addr.unwrap_or(""))
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, client_addr) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(now)
            .bind(expires_at)
            .bind(client_addr)
            .execute(&mut *c)
            .await?;
            // Expired sessions are swept as new ones arrive, so the table stays small.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> Result<u64, StoreError> {
        on_tx!(self, c => {
            Ok(sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *c)
                .await?
                .rows_affected())
        })
    }

    pub async fn insert_token(
        &mut self,
        id: &str,
        user_id: &str,
        name: &str,
        token_hash: &str,
        hint: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, hint, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(hint)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Revokes a token of `user_id`; returns false when there is no such live token of theirs.
    pub async fn revoke_token(
        &mut self,
        id: &str,
        user_id: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            Ok(sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
                == 1)
        })
    }
}
