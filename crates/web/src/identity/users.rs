//! The administration of accounts: listing and creating them, assigning and removing roles, and
//! the addresses failed logins locked out; the pages and the API.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{local_time, render, ApiJson, ApiResult, Chrome, Empty, FormErrors, PageResult};
use crate::AppState;
use app::identity::{RoleForm, UserForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub struct UserLine {
    id: String,
    login: String,
    display_name: String,
    roles: String,
}

pub struct Field {
    name: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserLine>,
    /// The search the list is under (login or display name).
    q: String,
    pager: crate::kit::Pager,
    fields: Vec<Field>,
    role_options: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

fn role_options(tr: Tr) -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), tr.role(r))).collect()
}

fn role_label(tr: Tr, a: &store::identity::AssignmentRow) -> String {
    let mut s = format!("{} @ {}", tr.role(&a.role), a.area_code.full());
    if let Some(o) = &a.organization_id {
        s.push_str(&format!(" ({o})"));
    }
    s
}

async fn users_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    form: UserForm,
    errors: FormErrors,
    flash: &str,
    list_q: UsersQuery,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let list = state
        .app
        .list_users(
            &s.actor,
            Some(&list_q.q),
            Some(&list_q.after),
            app::page::DEFAULT_LIMIT,
            &s.ctx,
        )
        .await
        .page(s.locale)?;
    let pager = crate::kit::Pager::of(&list, "/admin/users", &[("q", &list_q.q)]);
    let users = list
        .items
        .into_iter()
        .map(|(u, roles)| UserLine {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            roles: roles
                .iter()
                .map(|a| role_label(tr, a))
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    let fields = vec![
        Field {
            name: "login",
            label: "users.login",
            value: form.login,
        },
        Field {
            name: "display_name",
            label: "users.display_name",
            value: form.display_name,
        },
        // A refused form never echoes the password back into the page.
        Field {
            name: "password",
            label: "users.password",
            value: String::new(),
        },
        Field {
            name: "role",
            label: "users.role",
            value: form.role,
        },
        Field {
            name: "area",
            label: "users.area",
            value: form.area,
        },
        Field {
            name: "organization_id",
            label: "users.organization",
            value: form.organization_id.unwrap_or_default(),
        },
    ];
    let page = UsersPage {
        chrome: Chrome::for_user(s, "/admin/users").with_flash(flash),
        users,
        q: list_q.q,
        pager,
        fields,
        role_options: role_options(tr),
        errors,
    };
    Ok(render(status, &page))
}

/// The account list's search (login or display name) and page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UsersQuery {
    pub q: String,
    pub after: String,
    pub limit: Option<i64>,
}

pub async fn users(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<UsersQuery>,
) -> Result<Response, PageError> {
    users_page(
        &state,
        &s,
        StatusCode::OK,
        UserForm::default(),
        FormErrors::default(),
        "",
        q,
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, PageError> {
    match state.app.create_user(Some(&s.actor), &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                let st = crate::error::status_of(&e);
                users_page(&state, &s, st, form, errors, "", UsersQuery::default()).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub struct RoleRow {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    chrome: Chrome,
    user: store::identity::UserRow,
    /// Addresses locked out of this account for now (failed logins from them).
    locks: Vec<(String, String)>,
    roles: Vec<RoleRow>,
    role_options: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    form_role: String,
    form_area: String,
    form_org: String,
    /// What was just done, shown once (a temporary password after a reset).
    notice: String,
}

async fn user_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    form: RoleForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    user_page_noting(state, s, id, status, form, errors, String::new()).await
}

async fn user_page_noting(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    form: RoleForm,
    errors: FormErrors,
    notice: String,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let app::identity::UserDetail { user, roles, locks } = state
        .app
        .user_detail(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    let page = UserPage {
        chrome: Chrome::for_user(s, &format!("/admin/users/{id}")),
        locks: locks
            .into_iter()
            .map(|l| {
                let until = l
                    .locked_until
                    .as_deref()
                    .map(local_time)
                    .unwrap_or_default();
                (l.client, until)
            })
            .collect(),
        roles: roles
            .iter()
            .map(|a| RoleRow {
                id: a.id.clone(),
                label: role_label(tr, a),
            })
            .collect(),
        user,
        role_options: role_options(tr),
        errors,
        form_role: form.role,
        form_area: form.area,
        form_org: form.organization_id.unwrap_or_default(),
        notice,
    };
    Ok(render(status, &page))
}

pub async fn user(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    user_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        RoleForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn assign_role(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    match state.app.assign_role(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                user_page(&state, &s, &id, crate::error::status_of(&e), form, errors).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn remove_role(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, assignment_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state
        .app
        .remove_role(&s.actor, &id, &assignment_id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// Resets the password and shows the temporary one once, on the account's page (the receipt).
pub async fn reset_password(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let password = state
        .app
        .reset_password(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    let notice = format!(
        "{} {password}",
        Tr { locale: s.locale }.t("users.reset_done")
    );
    let mut r = user_page_noting(
        &state,
        &s,
        &id,
        StatusCode::OK,
        RoleForm::default(),
        FormErrors::default(),
        notice,
    )
    .await?;
    // A page with a password on it is never kept by a browser or a proxy.
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// What an administrator does to an account from its page, which it then shows again.
enum AccountStep {
    Unlock,
    Disable,
    Enable,
}

async fn account_step(
    state: &AppState,
    s: &Signed,
    id: &str,
    step: AccountStep,
) -> Result<Response, PageError> {
    let done = match step {
        AccountStep::Unlock => state
            .app
            .unlock_account(&s.actor, id, &s.ctx)
            .await
            .map(|_| ()),
        AccountStep::Disable => {
            state
                .app
                .set_account_disabled(&s.actor, id, true, &s.ctx)
                .await
        }
        AccountStep::Enable => {
            state
                .app
                .set_account_disabled(&s.actor, id, false, &s.ctx)
                .await
        }
    };
    done.page(s.locale)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

pub async fn unlock(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    account_step(&state, &s, &id, AccountStep::Unlock).await
}

pub async fn disable(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    account_step(&state, &s, &id, AccountStep::Disable).await
}

pub async fn enable(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    account_step(&state, &s, &id, AccountStep::Enable).await
}

// ---------- API ----------

/// The temporary password a reset gave, shown this once.
#[derive(Serialize, JsonSchema)]
pub struct ResetJson {
    pub temporary_password: String,
}

/// How many login locks an unlock lifted.
#[derive(Serialize, JsonSchema)]
pub struct UnlockJson {
    pub locks_lifted: u64,
}

pub async fn api_reset_password(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let temporary_password = state.app.reset_password(&s.actor, &id, &s.ctx).await?;
    let mut r = answer::send(StatusCode::OK, &ResetJson { temporary_password })?;
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

pub async fn api_unlock(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let locks_lifted = state.app.unlock_account(&s.actor, &id, &s.ctx).await?;
    answer::send(StatusCode::OK, &UnlockJson { locks_lifted })
}

pub async fn api_disable(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    api_set_disabled(&state, &s, &id, true).await
}

pub async fn api_enable(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    api_set_disabled(&state, &s, &id, false).await
}

async fn api_set_disabled(state: &AppState, s: &Signed, id: &str, disabled: bool) -> ApiResult {
    state
        .app
        .set_account_disabled(&s.actor, id, disabled, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A role assignment of an account.
#[derive(Serialize, JsonSchema)]
pub struct RoleJson {
    pub id: String,
    pub role: Role,
    pub area_code: String,
    pub organization_id: Option<String>,
}

/// An address that failed logins locked out of an account, and until when.
#[derive(Serialize, JsonSchema)]
pub struct LoginLockJson {
    pub client: String,
    pub locked_until: Option<String>,
}

/// An account with its roles; one account's page (not the list) also has `login_locks`.
#[derive(Serialize, JsonSchema)]
pub struct UserJson {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub home_area: String,
    pub disabled: bool,
    pub version: i64,
    pub created_at: String,
    pub roles: Vec<RoleJson>,
    // Absent rather than null when there are none to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<LoginLockJson>")]
    pub login_locks: Option<Vec<LoginLockJson>>,
}

fn user_json(
    u: &store::identity::UserRow,
    roles: &[store::identity::AssignmentRow],
    locks: Option<&[store::identity::LoginLockRow]>,
) -> UserJson {
    UserJson {
        id: u.id.clone(),
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        home_area: u.home_area.as_str().to_string(),
        disabled: u.disabled,
        version: u.version,
        created_at: u.created_at.clone(),
        roles: roles
            .iter()
            .map(|a| RoleJson {
                id: a.id.clone(),
                role: a.role,
                area_code: a.area_code.as_str().to_string(),
                organization_id: a.organization_id.clone(),
            })
            .collect(),
        // One account's page also says which addresses its failed logins locked out.
        login_locks: locks.map(|locks| {
            locks
                .iter()
                .map(|l| LoginLockJson {
                    client: l.client.clone(),
                    locked_until: l.locked_until.clone(),
                })
                .collect()
        }),
    }
}

pub async fn api_users(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<UsersQuery>,
) -> ApiResult {
    let list = state
        .app
        .list_users(
            &s.actor,
            Some(&q.q),
            Some(&q.after),
            app::page::limit(q.limit),
            &s.ctx,
        )
        .await?;
    let page = list.map(|(u, r)| user_json(&u, &r, None));
    answer::send(StatusCode::OK, &page)
}

pub async fn api_create_user(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<UserForm>,
) -> ApiResult {
    let id = state.app.create_user(Some(&s.actor), &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_user(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let d = state.app.user_detail(&s.actor, &id, &s.ctx).await?;
    answer::send(
        StatusCode::OK,
        &user_json(&d.user, &d.roles, Some(&d.locks)),
    )
}

pub async fn api_assign_role(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<RoleForm>,
) -> ApiResult {
    let aid = state.app.assign_role(&s.actor, &id, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id: aid })
}

pub async fn api_remove_role(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, assignment_id)): Path<(String, String)>,
) -> ApiResult {
    state
        .app
        .remove_role(&s.actor, &id, &assignment_id, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
