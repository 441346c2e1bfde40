//! One's own account: who I am, my password, my API tokens; the page and the API.

use crate::answer::{self, Items};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{local_time, render, ApiJson, ApiResult, Chrome, Empty, FormErrors, PageResult};
use crate::AppState;
use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::Role;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

// ---------- the page ----------

pub struct TokenLine {
    id: String,
    name: String,
    hint: String,
    created_at: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    login: String,
    errors: FormErrors,
    tokens: Vec<TokenLine>,
    new_token: String,
    token_name: String,
    /// The password was reset by an administrator: it is changed before anything else.
    must_change: bool,
}

/// What the account page shows beside the stored data: a refused form or a result.
struct AccountOutcome {
    status: StatusCode,
    errors: FormErrors,
    flash: &'static str,
    new_token: String,
    token_name: String,
}

impl AccountOutcome {
    fn plain() -> Self {
        AccountOutcome {
            status: StatusCode::OK,
            errors: FormErrors::default(),
            flash: "",
            new_token: String::new(),
            token_name: String::new(),
        }
    }
    /// A refused form: its field errors, or `None` when the error is not about the form.
    fn refused(e: &AppError) -> Option<Self> {
        FormErrors::from_error(e).map(|errors| AccountOutcome {
            status: crate::error::status_of(e),
            errors,
            ..AccountOutcome::plain()
        })
    }
}

async fn account_page(
    state: &AppState,
    s: &Signed,
    o: AccountOutcome,
) -> Result<Response, PageError> {
    let tokens = state
        .app
        .tokens(&s.actor)
        .await
        .page(s.locale)?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            hint: t.hint,
            created_at: local_time(&t.created_at),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let page = AccountPage {
        chrome: Chrome::for_user(s, "/account").with_flash(o.flash),
        login: s.actor.login.clone(),
        errors: o.errors,
        tokens,
        new_token: o.new_token,
        token_name: o.token_name,
        must_change: s.user.must_change_password,
    };
    Ok(render(o.status, &page))
}

pub async fn account(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    account_page(&state, &s, AccountOutcome::plain()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let res = state
        .app
        .change_password(
            &s.actor,
            &f.current_password,
            &f.new_password,
            &f.confirm_password,
            s.session_token.as_deref(),
            &s.ctx,
        )
        .await;
    let outcome = match res {
        Ok(()) => AccountOutcome {
            flash: Tr { locale: s.locale }.t("account.password_changed"),
            ..AccountOutcome::plain()
        },
        Err(e) => AccountOutcome::refused(&e).ok_or_else(|| PageError::new(e, s.locale))?,
    };
    account_page(&state, &s, outcome).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let outcome = match state.app.create_token(&s.actor, &f.name, &s.ctx).await {
        Ok(t) => AccountOutcome {
            new_token: t.token,
            ..AccountOutcome::plain()
        },
        Err(e) => AccountOutcome {
            token_name: f.name,
            ..AccountOutcome::refused(&e).ok_or_else(|| PageError::new(e, s.locale))?
        },
    };
    account_page(&state, &s, outcome).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state
        .app
        .revoke_token(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(Redirect::to("/account").into_response())
}

// ---------- API ----------

/// The signed-in account and the roles it acts in.
#[derive(Serialize, JsonSchema)]
pub struct Me {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub home_area: String,
    pub roles: Vec<MyRole>,
}

/// One role the signed-in account acts in.
#[derive(Serialize, JsonSchema)]
pub struct MyRole {
    pub role: Role,
    pub area_code: String,
    pub organization_id: Option<String>,
}

pub async fn api_me(ApiUser(s): ApiUser) -> ApiResult {
    answer::send(
        StatusCode::OK,
        &Me {
            id: s.user.id.clone(),
            login: s.user.login.clone(),
            display_name: s.user.display_name.clone(),
            home_area: s.user.home_area.as_str().to_string(),
            roles: s
                .actor
                .assignments
                .iter()
                .map(|a| MyRole {
                    role: a.role,
                    area_code: a.area.as_str().to_string(),
                    organization_id: a.organization_id.clone(),
                })
                .collect(),
        },
    )
}

pub async fn api_tokens(State(state): State<AppState>, ApiUser(s): ApiUser) -> ApiResult {
    let list = state.app.tokens(&s.actor).await?;
    answer::send(StatusCode::OK, &Items { items: list })
}

// The JSON bodies keep their own types: a body of the wrong shape is refused with a message
// that names the type it expected.
#[derive(Deserialize)]
pub struct TokenBody {
    name: String,
}

pub async fn api_create_token(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(b): ApiJson<TokenBody>,
) -> ApiResult {
    let t = state.app.create_token(&s.actor, &b.name, &s.ctx).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

pub async fn api_revoke_token(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    state.app.revoke_token(&s.actor, &id, &s.ctx).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn api_change_password(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult {
    state
        .app
        .change_password(
            &s.actor,
            &b.current_password,
            &b.new_password,
            &b.confirm_password,
            s.session_token.as_deref(),
            &s.ctx,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
