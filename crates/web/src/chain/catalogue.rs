//! Pages and API of the service catalogue and undertaking eligibility.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{notice_of, status_of, ApiError, PageError};
use crate::kit::{refused, render, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::chain::catalogue::{ApplyForm, CarryOverForm, CatalogueView, DecisionForm, ItemDetail};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::catalogue::{ItemForm, ItemStatus};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueQuery {
    pub status: String,
    /// The period (year); empty for the current one, `all` for every period.
    pub period: String,
    /// How many items a carry-over just created (its receipt), when the page follows one.
    pub carried: String,
    /// The cursor of the page (the `next_after` of the page before).
    pub after: String,
    pub limit: Option<i64>,
}

impl CatalogueQuery {
    fn status(&self) -> Option<ItemStatus> {
        ItemStatus::parse(self.status.trim())
    }
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    view: CatalogueView,
    pager: crate::kit::Pager,
    filter: CatalogueQuery,
    statuses: Vec<(&'static str, &'static str)>,
    form: ItemForm,
    errors: FormErrors,
}

async fn catalogue_page(
    state: &AppState,
    s: &Signed,
    filter: CatalogueQuery,
    status: StatusCode,
    mut form: ItemForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let view = state
        .app
        .catalogue(
            &s.actor,
            filter.status(),
            &filter.period,
            Some(&filter.after),
            app::page::DEFAULT_LIMIT,
        )
        .await
        .page(s.locale)?;
    let pager = crate::kit::Pager::of(
        &view.page,
        "/catalogue",
        &[("status", &filter.status), ("period", &filter.period)],
    );
    if form.community.is_empty() {
        if let [only] = view.can_list_for.as_slice() {
            form.community = only.as_str().to_string();
        }
    }
    let page = CataloguePage {
        chrome: Chrome::for_user(s, "/catalogue"),
        pager,
        view,
        filter,
        statuses: ItemStatus::options(),
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn catalogue(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response, PageError> {
    catalogue_page(
        &state,
        &s,
        q,
        StatusCode::OK,
        ItemForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn propose(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<Response, PageError> {
    match state.app.propose_item(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/catalogue/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => {
                catalogue_page(&state, &s, CatalogueQuery::default(), st, form, errors).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "catalogue_item.html")]
struct ItemPage {
    chrome: Chrome,
    d: ItemDetail,
    /// Why the last action was refused, when it was.
    notice: String,
    /// What was typed in the refused form's reason.
    reason: String,
}

async fn item_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    notice: String,
    reason: String,
) -> Result<Response, PageError> {
    let d = state
        .app
        .catalogue_item(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &ItemPage {
            chrome: Chrome::for_user(s, &format!("/catalogue/{id}")),
            d,
            notice,
            reason,
        },
    ))
}

pub async fn item(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    item_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        String::new(),
        String::new(),
    )
    .await
}

/// After an action on an item: back to its page, or the page again saying why it was refused
/// (with the reason typed kept).
async fn after(
    state: &AppState,
    s: &Signed,
    id: &str,
    reason: &str,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/catalogue/{id}")).into_response()),
        Err(e) => match notice_of(&e) {
            Some(notice) => {
                item_page(state, s, id, status_of(&e), notice, reason.to_string()).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn review(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let r = state.app.review_item(&s.actor, &id, &form, &s.ctx).await;
    after(&state, &s, &id, &form.reason, r).await
}

pub async fn apply(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ApplyForm>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .apply_eligibility(&s.actor, &id, &form, &s.ctx)
        .await
        .map(|_| ());
    after(&state, &s, &id, "", r).await
}

/// The decision form also names the item, to come back to its page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EligibilityDecisionForm {
    pub decision: String,
    pub reason: String,
    pub item_id: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EligibilityDecisionForm>,
) -> Result<Response, PageError> {
    let decision = DecisionForm {
        decision: form.decision.clone(),
        reason: form.reason.clone(),
    };
    let r = state
        .app
        .decide_eligibility(&s.actor, &id, &decision, &s.ctx)
        .await;
    if app::kernel::tenant_of(&form.item_id).is_some() {
        return after(&state, &s, &form.item_id, &form.reason, r).await;
    }
    match r {
        Ok(()) => Ok(Redirect::to("/catalogue").into_response()),
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}

// ---------- API ----------

pub async fn api_catalogue(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response, ApiError> {
    let view = state
        .app
        .catalogue(
            &s.actor,
            q.status(),
            &q.period,
            Some(&q.after),
            app::page::limit(q.limit),
        )
        .await?;
    Ok(Json(view).into_response())
}

/// 沿用上一年度目录: last period's approved items, proposed again in the period; the list of
/// the period's items awaiting approval is the receipt.
pub async fn carry_over(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<CarryOverForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .carry_over_catalogue(&s.actor, &form, &s.ctx)
        .await
    {
        Ok(done) => Ok(Redirect::to(&format!(
            "/catalogue?period={}&status=proposed&carried={}",
            done.period,
            done.created.len()
        ))
        .into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => {
                catalogue_page(
                    &state,
                    &s,
                    CatalogueQuery::default(),
                    st,
                    ItemForm::default(),
                    errors,
                )
                .await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn api_carry_over(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<CarryOverForm>,
) -> Result<Response, ApiError> {
    let done = state
        .app
        .carry_over_catalogue(&s.actor, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &done)
}

pub async fn api_propose(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<ItemForm>,
) -> Result<Response, ApiError> {
    let id = state.app.propose_item(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_item(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.catalogue_item(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_review(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<DecisionForm>,
) -> Result<Response, ApiError> {
    state.app.review_item(&s.actor, &id, &form, &s.ctx).await?;
    Ok(Json(state.app.catalogue_item(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_apply(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ApplyForm>,
) -> Result<Response, ApiError> {
    let eid = state
        .app
        .apply_eligibility(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id: eid })
}

pub async fn api_decide(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<DecisionForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .decide_eligibility(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
