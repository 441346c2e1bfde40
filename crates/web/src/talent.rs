//! Pages and API of "1+4" talent: the register with its counts per category and the
//! backbone-talent pool's training coverage, one talent with their trainings.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{refused, render, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::talent::{TalentDetail, TalentList};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::talent::{flag, TalentCategory, TalentForm, TrainingForm};
use serde::Deserialize;
use store::talent::TalentFilter;

/// The list's filters as they arrive in the query string (kept as typed, to refill the form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TalentQuery {
    pub q: String,
    pub category: String,
    pub backbone: String,
    pub untrained: String,
    /// The cursor of the page (the `next_after` of the page before).
    pub after: String,
    /// Rows a page (API only; 1..=200, 50 if none).
    pub limit: Option<i64>,
}

impl TalentQuery {
    fn filter(&self) -> TalentFilter {
        TalentFilter {
            category: TalentCategory::parse(self.category.trim()),
            backbone: flag(&self.backbone).then_some(true),
            untrained: flag(&self.untrained),
            q: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
        }
    }
}

fn categories() -> Vec<(&'static str, &'static str)> {
    TalentCategory::ALL
        .iter()
        .map(|c| (c.as_str(), c.zh()))
        .collect()
}

#[derive(Template)]
#[template(path = "talents.html")]
struct TalentsPage {
    chrome: Chrome,
    list: TalentList,
    pager: crate::kit::Pager,
    filter: TalentQuery,
    categories: Vec<(&'static str, &'static str)>,
    form: TalentForm,
    errors: FormErrors,
}

impl TalentsPage {
    fn backbone_checked(&self) -> bool {
        flag(&self.form.backbone)
    }
}

async fn talents_page(
    state: &AppState,
    s: &Signed,
    filter: TalentQuery,
    status: StatusCode,
    form: TalentForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let list = state
        .app
        .list_talents(
            &s.actor,
            &filter.filter(),
            Some(&filter.after),
            app::page::DEFAULT_LIMIT,
        )
        .await
        .page(s.locale)?;
    let pager = crate::kit::Pager::of(
        &list.page,
        "/talents",
        &[
            ("q", &filter.q),
            ("category", &filter.category),
            ("backbone", &filter.backbone),
            ("untrained", &filter.untrained),
        ],
    );
    let page = TalentsPage {
        chrome: Chrome::for_user(s, "/talents"),
        pager,
        list,
        filter,
        categories: categories(),
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn talents(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<TalentQuery>,
) -> Result<Response, PageError> {
    talents_page(
        &state,
        &s,
        q,
        StatusCode::OK,
        TalentForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn create_talent(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<TalentForm>,
) -> Result<Response, PageError> {
    match state.app.create_talent(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/talents/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => {
                talents_page(&state, &s, TalentQuery::default(), st, form, errors).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "talent.html")]
struct TalentPage {
    chrome: Chrome,
    d: TalentDetail,
    form: TrainingForm,
    errors: FormErrors,
    history: Vec<(i64, String, String, String)>,
}

impl TalentPage {
    fn hours(&self, m: &i64) -> String {
        domain::volunteer::hours_text(*m)
    }

    fn training_action(&self) -> String {
        format!("/talents/{}/trainings", self.d.row.id)
    }
}

async fn talent_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    form: TrainingForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let d = state
        .app
        .talent_detail(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    let versions = state
        .app
        .talent_versions(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &TalentPage {
            chrome: Chrome::for_user(s, &format!("/talents/{id}")),
            history: crate::kit::history(&versions),
            d,
            form,
            errors,
        },
    ))
}

pub async fn talent(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    talent_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        TrainingForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn add_training(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TrainingForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .add_talent_training(&s.actor, &id, &form, &s.ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/talents/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => talent_page(&state, &s, &id, st, form, errors).await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

/// Entering or leaving the backbone-talent pool.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BackboneForm {
    pub backbone: String,
}

pub async fn set_backbone(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BackboneForm>,
) -> Result<Response, PageError> {
    state
        .app
        .set_backbone(&s.actor, &id, flag(&form.backbone), &s.ctx)
        .await
        .page(s.locale)?;
    Ok(Redirect::to(&format!("/talents/{id}")).into_response())
}

// ---------- API ----------

pub async fn api_talents(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<TalentQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .app
        .list_talents(
            &s.actor,
            &q.filter(),
            Some(&q.after),
            app::page::limit(q.limit),
        )
        .await?;
    Ok(Json(list).into_response())
}

pub async fn api_create_talent(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<TalentForm>,
) -> Result<Response, ApiError> {
    let id = state.app.create_talent(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_talent(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.talent_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_add_training(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<TrainingForm>,
) -> Result<Response, ApiError> {
    let tid = state
        .app
        .add_talent_training(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id: tid })
}

/// The API's body for the pool: a JSON boolean.
#[derive(Debug, Clone, Deserialize)]
pub struct BackboneJson {
    pub backbone: bool,
}

pub async fn api_set_backbone(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<BackboneJson>,
) -> Result<Response, ApiError> {
    state
        .app
        .set_backbone(&s.actor, &id, form.backbone, &s.ctx)
        .await?;
    Ok(Json(state.app.talent_detail(&s.actor, &id, &s.ctx).await?).into_response())
}
