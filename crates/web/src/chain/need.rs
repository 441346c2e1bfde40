//! Pages and API of needs: the ranked board with the form to raise one (fit for a phone), one
//! need with support and merge.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{status_of, ApiError, PageError};
use crate::kit::{refused, render, ApiJson, Chrome, Empty, FormErrors, PageResult};
use crate::AppState;
use app::chain::need::{NeedBoard, NeedDetail};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::need::{NeedChannel, NeedForm, NeedStatus, PriorityGroup};
use serde::Deserialize;
use store::chain::need::NeedFilter;

/// The board's filters as they arrive in the query string (kept as typed, to refill the form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NeedQuery {
    pub q: String,
    pub status: String,
    pub priority_group: String,
    pub community: String,
    /// The next page of the board starts after this (the `next_after` of the page before).
    pub after: String,
}

impl NeedQuery {
    /// The link to the board's next page with the same filters.
    pub fn next_link(&self, after: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("priority_group", self.priority_group.as_str()),
            ("community", self.community.as_str()),
            ("after", after),
        ])
        .unwrap_or_default();
        format!("/needs?{q}")
    }

    fn filter(&self) -> NeedFilter {
        NeedFilter {
            community: domain::AreaCode::parse(self.community.trim()).ok(),
            // Open needs unless another status (or "all") is asked for.
            status: match self.status.trim() {
                "" => Some(NeedStatus::Open),
                "all" => None,
                s => NeedStatus::parse(s),
            },
            priority_group: PriorityGroup::parse(self.priority_group.trim()),
            q: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            after: domain::chain::need::BoardCursor::parse(self.after.trim()),
        }
    }
}

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage {
    chrome: Chrome,
    board: NeedBoard,
    filter: NeedQuery,
    groups: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    form: NeedForm,
    errors: FormErrors,
}

async fn needs_page(
    state: &AppState,
    s: &Signed,
    filter: NeedQuery,
    status: StatusCode,
    mut form: NeedForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let board = state
        .app
        .need_board(&s.actor, &filter.filter())
        .await
        .page(s.locale)?;
    // A resident raises needs for their own community: preset it.
    if form.community.is_empty() {
        if let [only] = board.can_raise_for.as_slice() {
            form.community = only.as_str().to_string();
        }
    }
    let page = NeedsPage {
        chrome: Chrome::for_user(s, "/needs"),
        board,
        filter,
        groups: PriorityGroup::options(),
        channels: NeedChannel::options(),
        statuses: NeedStatus::options(),
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn needs(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<NeedQuery>,
) -> Result<Response, PageError> {
    needs_page(
        &state,
        &s,
        q,
        StatusCode::OK,
        NeedForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn raise_need(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<NeedForm>,
) -> Result<Response, PageError> {
    match state.app.raise_need(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/needs/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => {
                needs_page(&state, &s, NeedQuery::default(), st, form, errors).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    chrome: Chrome,
    d: NeedDetail,
    /// Why the last action was refused, when it was.
    notice: String,
}

async fn need_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    notice: String,
) -> Result<Response, PageError> {
    let d = state
        .app
        .need_detail(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &NeedPage {
            chrome: Chrome::for_user(s, &format!("/needs/{id}")),
            d,
            notice,
        },
    ))
}

pub async fn need(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    need_page(&state, &s, &id, StatusCode::OK, String::new()).await
}

/// After an action on a need: back to its page, or the page again with the refusal's reason.
async fn after(
    state: &AppState,
    s: &Signed,
    id: &str,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/needs/{id}")).into_response()),
        Err(e @ (AppError::Domain(_) | AppError::Denied(_))) => {
            need_page(state, s, id, status_of(&e), e.to_string()).await
        }
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}

pub async fn support(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .support_need(&s.actor, &id, &s.ctx)
        .await
        .map(|_| ());
    after(&state, &s, &id, r).await
}

/// Merging a need into another: the id of the need to keep.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    pub into: String,
}

pub async fn merge(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response, PageError> {
    let into = form.into.trim().to_string();
    let r = state.app.merge_need(&s.actor, &id, &into, &s.ctx).await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/needs/{into}")).into_response()),
        Err(e) => after(&state, &s, &id, Err(e)).await,
    }
}

// ---------- API ----------

pub async fn api_needs(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<NeedQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.need_board(&s.actor, &q.filter()).await?).into_response())
}

pub async fn api_raise_need(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<NeedForm>,
) -> Result<Response, ApiError> {
    let id = state.app.raise_need(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_need(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.need_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_support(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.support_need(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_merge(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<MergeForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .merge_need(&s.actor, &id, form.into.trim(), &s.ctx)
        .await?;
    Ok(Json(
        state
            .app
            .need_detail(&s.actor, form.into.trim(), &s.ctx)
            .await?,
    )
    .into_response())
}
