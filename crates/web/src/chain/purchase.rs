//! Pages and API of funds and the township's purchase decision.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{refused, render, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::chain::purchase::FundList;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::money::Money;
use domain::chain::purchase::{FundForm, PurchaseForm};

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    chrome: Chrome,
    pager: crate::kit::Pager,
    list: FundList,
    sources: Vec<(&'static str, &'static str)>,
    form: FundForm,
    errors: FormErrors,
}

impl FundsPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
}

async fn funds_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    mut form: FundForm,
    errors: FormErrors,
    after: &str,
) -> Result<Response, PageError> {
    let list = state
        .app
        .funds(&s.actor, Some(after), app::page::DEFAULT_LIMIT)
        .await
        .page(s.locale)?;
    if form.area.is_empty() {
        if let [only] = list.can_create_for.as_slice() {
            form.area = only.as_str().to_string();
        }
    }
    Ok(render(
        status,
        &FundsPage {
            chrome: Chrome::for_user(s, "/funds"),
            pager: crate::kit::Pager::of(&list.page, "/funds", &[]),
            list,
            sources: app::chain::purchase::sources(),
            form,
            errors,
        },
    ))
}

pub async fn funds(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, PageError> {
    funds_page(
        &state,
        &s,
        StatusCode::OK,
        FundForm::default(),
        FormErrors::default(),
        &p.after,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<FundForm>,
) -> Result<Response, PageError> {
    match state.app.create_fund(&s.actor, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to("/funds").into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => funds_page(&state, &s, st, form, errors, "").await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PurchaseForm>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .decide_purchase(&s.actor, &id, &form, &s.ctx)
        .await;
    let typed = crate::chain::application::Typed {
        purchase: form,
        ..Default::default()
    };
    crate::chain::application::after_typed(&state, &s, &id, typed, r).await
}

pub async fn api_funds(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .app
        .funds(&s.actor, Some(&p.after), app::page::limit(p.limit))
        .await?;
    Ok(Json(list).into_response())
}

pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<FundForm>,
) -> Result<Response, ApiError> {
    let id = state.app.create_fund(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_decide(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<PurchaseForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .decide_purchase(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(Json(state.app.project_detail(&s.actor, &id, &s.ctx).await?).into_response())
}
