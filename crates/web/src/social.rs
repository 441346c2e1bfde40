//! Pages and API of social work: platforms with their staffing standard, social workers, posts
//! and trainings.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{
    history, refused, render, ApiJson, Chrome, FormErrors, OnQuery, PageQuery, PageResult, Pager,
};
use crate::AppState;
use app::social::{PlatformDetail, SocialWorkerDetail, STANDARD};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::social::{
    CertificateLevel, PlatformForm, PlatformKind, PostForm, SocialWorkerForm, StaffingStandard,
    TrainingForm,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use store::social::{PlatformRow, SocialWorkerRow};

#[derive(Template)]
#[template(path = "platforms.html")]
struct PlatformsPage {
    chrome: Chrome,
    rows: Vec<PlatformRow>,
    pager: Pager,
    standard: StaffingStandard,
    kinds: Vec<(&'static str, &'static str)>,
    form: PlatformForm,
    errors: FormErrors,
}

impl PlatformsPage {
    fn meets(&self, p: &PlatformRow) -> String {
        match self.standard.required(p.platform.kind) {
            Some(r) if p.current_posts >= r => "达标".into(),
            Some(r) => format!("未达标（差 {}）", r - p.current_posts),
            None => "—".into(),
        }
    }
}

async fn platforms_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    form: PlatformForm,
    errors: FormErrors,
    after: &str,
) -> Result<Response, PageError> {
    let list = state
        .app
        .list_platforms(&s.actor, Some(after), app::page::DEFAULT_LIMIT)
        .await
        .page(s.locale)?;
    let page = PlatformsPage {
        chrome: Chrome::for_user(s, "/platforms"),
        pager: Pager::of(&list, "/platforms", &[]),
        rows: list.items,
        standard: STANDARD,
        kinds: PlatformKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.zh()))
            .collect(),
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn platforms(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(p): Query<PageQuery>,
) -> Result<Response, PageError> {
    platforms_page(
        &state,
        &s,
        StatusCode::OK,
        PlatformForm::default(),
        FormErrors::default(),
        &p.after,
    )
    .await
}

pub async fn create_platform(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<PlatformForm>,
) -> Result<Response, PageError> {
    match state.app.create_platform(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/platforms/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => platforms_page(&state, &s, st, form, errors, "").await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "platform.html")]
struct PlatformPage {
    chrome: Chrome,
    d: PlatformDetail,
    workers: Vec<(String, String)>,
    /// The picker shows only the first N of the register.
    workers_cut: Option<i64>,
    form: PostForm,
    errors: FormErrors,
    history: Vec<(i64, String, String, String)>,
    on: String,
    today: String,
}

impl PlatformPage {
    fn standard_text(&self) -> String {
        let d = &self.d;
        let held = d.staffing.held;
        match d.required_posts {
            Some(r) if held >= r => {
                format!("达标（{}：≥ {r} 个岗位）", d.standard.profile)
            }
            Some(r) => format!(
                "未达标：{}（{}）要求 ≥ {r} 个岗位，现有 {held} 个",
                d.standard.profile, d.standard.source
            ),
            None => "该类平台无岗位标准".into(),
        }
    }
}

async fn platform_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    on: Option<chrono::NaiveDate>,
    status: StatusCode,
    form: PostForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let d = state
        .app
        .platform_detail_on(&s.actor, id, on, &s.ctx)
        .await
        .page(s.locale)?;
    // A picker, bounded: it says so when the register holds more than it shows.
    let (workers, workers_cut) = if d.editable {
        let list = state
            .app
            .list_social_workers(&s.actor, None, None, app::page::MAX_LIMIT)
            .await
            .page(s.locale)?;
        let cut = list.next_after.is_some();
        let workers = list
            .items
            .into_iter()
            .filter(|w| w.tenant_id == d.row.tenant_id)
            .map(|w| (w.id, format!("{}（{}）", w.name, w.certificate_level.zh())))
            .collect();
        (workers, cut.then_some(app::page::MAX_LIMIT))
    } else {
        (Vec::new(), None)
    };
    let page = PlatformPage {
        chrome: Chrome::for_user(s, &format!("/platforms/{id}")),
        history: history(&d.versions),
        on: d.staffing.on.to_string(),
        today: app::kernel::today().to_string(),
        d,
        workers,
        workers_cut,
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn platform(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Query(on): Query<OnQuery>,
) -> Result<Response, PageError> {
    platform_page(
        &state,
        &s,
        &id,
        on.day(),
        StatusCode::OK,
        PostForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn add_post(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Result<Response, PageError> {
    match state.app.add_post(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/platforms/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => platform_page(&state, &s, &id, None, st, form, errors).await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "social_workers.html")]
struct WorkersPage {
    chrome: Chrome,
    q: String,
    rows: Vec<SocialWorkerRow>,
    pager: Pager,
    levels: Vec<(&'static str, &'static str)>,
    form: SocialWorkerForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct Q {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    limit: Option<i64>,
}

async fn workers_page(
    state: &AppState,
    s: &Signed,
    q: String,
    status: StatusCode,
    mut form: SocialWorkerForm,
    errors: FormErrors,
    after: &str,
) -> Result<Response, PageError> {
    let list = state
        .app
        .list_social_workers(&s.actor, Some(&q), Some(after), app::page::DEFAULT_LIMIT)
        .await
        .page(s.locale)?;
    // The identity number is never sent back to the browser, even after a refusal.
    form.id_number.clear();
    let page = WorkersPage {
        chrome: Chrome::for_user(s, "/social-workers"),
        pager: Pager::of(&list, "/social-workers", &[("q", &q)]),
        q,
        rows: list.items,
        levels: CertificateLevel::ALL
            .iter()
            .map(|l| (l.as_str(), l.zh()))
            .collect(),
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn workers(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<Q>,
) -> Result<Response, PageError> {
    workers_page(
        &state,
        &s,
        q.q,
        StatusCode::OK,
        SocialWorkerForm::default(),
        FormErrors::default(),
        &q.after,
    )
    .await
}

pub async fn create_worker(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<SocialWorkerForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .create_social_worker(&s.actor, &form, &s.ctx)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/social-workers/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => {
                workers_page(&state, &s, String::new(), st, form, errors, "").await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "social_worker.html")]
struct WorkerPage {
    chrome: Chrome,
    d: SocialWorkerDetail,
    form: TrainingForm,
    errors: FormErrors,
    history: Vec<(i64, String, String, String)>,
    today: String,
}

impl WorkerPage {
    fn hours(&self, m: &i64) -> String {
        domain::volunteer::hours_text(*m)
    }

    fn training_action(&self) -> String {
        format!("/social-workers/{}/trainings", self.d.row.id)
    }
}

async fn worker_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    on: Option<chrono::NaiveDate>,
    status: StatusCode,
    form: TrainingForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let d = state
        .app
        .social_worker_detail_on(&s.actor, id, on, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &WorkerPage {
            chrome: Chrome::for_user(s, &format!("/social-workers/{id}")),
            history: history(&d.versions),
            today: app::kernel::today().to_string(),
            d,
            form,
            errors,
        },
    ))
}

pub async fn worker(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Query(on): Query<OnQuery>,
) -> Result<Response, PageError> {
    worker_page(
        &state,
        &s,
        &id,
        on.day(),
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
    match state.app.add_training(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/social-workers/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => worker_page(&state, &s, &id, None, st, form, errors).await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

// ---------- API ----------

/// The platforms with the staffing standard they are measured against.
#[derive(Serialize, JsonSchema)]
pub struct Platforms {
    /// A page of the platforms (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: app::page::Page<store::social::PlatformRow>,
    pub standard: domain::social::StaffingStandard,
}

pub async fn api_platforms(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(p): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .list_platforms(&s.actor, Some(&p.after), app::page::limit(p.limit))
        .await?;
    answer::send(
        StatusCode::OK,
        &Platforms {
            page,
            standard: STANDARD,
        },
    )
}

pub async fn api_create_platform(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<PlatformForm>,
) -> Result<Response, ApiError> {
    let id = state.app.create_platform(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_platform(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    Query(on): Query<OnQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(
        state
            .app
            .platform_detail_on(&s.actor, &id, on.day(), &s.ctx)
            .await?,
    )
    .into_response())
}

pub async fn api_add_post(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<PostForm>,
) -> Result<Response, ApiError> {
    let pid = state.app.add_post(&s.actor, &id, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id: pid })
}

pub async fn api_workers(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<Q>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .list_social_workers(
            &s.actor,
            Some(&q.q),
            Some(&q.after),
            app::page::limit(q.limit),
        )
        .await?;
    answer::send(StatusCode::OK, &page)
}

pub async fn api_create_worker(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<SocialWorkerForm>,
) -> Result<Response, ApiError> {
    let id = state
        .app
        .create_social_worker(&s.actor, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_worker(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    Query(on): Query<OnQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(
        state
            .app
            .social_worker_detail_on(&s.actor, &id, on.day(), &s.ctx)
            .await?,
    )
    .into_response())
}

pub async fn api_add_training(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<TrainingForm>,
) -> Result<Response, ApiError> {
    let tid = state.app.add_training(&s.actor, &id, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id: tid })
}
