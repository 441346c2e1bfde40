//! Linking a volunteer to an account: the officer searches accounts by name or login and picks
//! one (page and API).

use crate::answer::{self, Items};
use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    pub q: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    pub user_id: String,
}

/// The officer links the volunteer to the account picked from the search on their page.
pub async fn link(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<LinkForm>,
) -> Result<Response, PageError> {
    state
        .app
        .link_volunteer_account(&s.actor, &id, &f.user_id, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    Ok(Redirect::to(&format!("/volunteers/{id}")).into_response())
}

pub async fn api_link(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<LinkForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .link_volunteer_account(&s.actor, &id, &f.user_id, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Accounts the officer may link to the volunteer, by name or login (`q`).
pub async fn api_accounts(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    Query(q): Query<AccountQuery>,
) -> Result<Response, ApiError> {
    let items = state.app.account_candidates(&s.actor, &id, &q.q).await?;
    answer::send(StatusCode::OK, &Items { items })
}
