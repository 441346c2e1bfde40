//! The public site: no login, every area's projects, needs and organizations, and each project's
//! public facts (HTML and JSON).

use crate::error::{ApiError, PageError};
use crate::i18n::Locale;
use crate::kit::render;
use crate::AppState;
use app::public::{PublicArea, PublicProjectDetail};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::money::yuan;

#[derive(Template)]
#[template(path = "public_area.html")]
struct AreaPage {
    a: PublicArea,
}

impl AreaPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

#[derive(Template)]
#[template(path = "public_project.html")]
struct ProjectPage {
    d: PublicProjectDetail,
}

impl ProjectPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

pub async fn home(State(state): State<AppState>) -> Result<Response, PageError> {
    area_page(&state, "000000000000").await
}

pub async fn area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    area_page(&state, &code).await
}

async fn area_page(state: &AppState, code: &str) -> Result<Response, PageError> {
    let a = state
        .app
        .public_area(code)
        .await
        .map_err(|e| PageError::new(e, Locale::Zh))?;
    Ok(render(StatusCode::OK, &AreaPage { a }))
}

pub async fn project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .public_project_detail(&id)
        .await
        .map_err(|e| PageError::new(e, Locale::Zh))?;
    Ok(render(StatusCode::OK, &ProjectPage { d }))
}

pub async fn api_area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.public_area(&code).await?).into_response())
}

pub async fn api_project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.public_project_detail(&id).await?).into_response())
}

#[derive(Template)]
#[template(path = "public_call.html")]
struct CallPage {
    v: app::call::CallView,
}

impl CallPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
    fn points(&self, centi: &u64) -> String {
        format!("{}.{:02}", centi / 100, centi % 100)
    }
}

pub async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let v = state
        .app
        .public_call(&id)
        .await
        .map_err(|e| PageError::new(e, Locale::Zh))?;
    Ok(render(StatusCode::OK, &CallPage { v }))
}

pub async fn api_call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.public_call(&id).await?).into_response())
}

/// An area's package, streamed as it is written (at most 10,000 releases): an unknown area is a
/// 404 before the first byte; a failure later cuts the body short (the JSON is then incomplete).
pub async fn api_ocds_area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    domain::AreaCode::parse(code.trim())
        .map_err(|_| ApiError::from(app::AppError::not_found("行政区划")))?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    let app = state.app.clone();
    tokio::spawn(async move {
        let ext = app.settings.ocds_bids_extension.clone();
        if let Err(e) = app.ocds_stream(&code, 10_000, &ext, tx).await {
            tracing::error!(error = %e, "OCDS stream failed");
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    });
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

pub async fn api_ocds_project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.ocds_project(&id).await?).into_response())
}

pub async fn api_ocds_call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.ocds_call(&id).await?).into_response())
}
