//! Static assets compiled into the binary (htmx and ECharts from their npm packages, with their
//! licences), the API description ([`crate::openapi`]) and the health endpoints.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "vendor/htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/htmx.min.js"),
    ),
    (
        "vendor/htmx.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/htmx.LICENSE.txt"),
    ),
    (
        "vendor/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "vendor/echarts.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.LICENSE.txt"),
    ),
    (
        "vendor/echarts.NOTICE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.NOTICE.txt"),
    ),
];

pub async fn asset(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == file) {
        Some((_, ct, body)) => (
            [
                (header::CONTENT_TYPE, *ct),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    // Ready means a write can begin within a second: a database that answers reads but is
    // locked for writing is not ready.
    match state.app.ready(std::time::Duration::from_secs(1)).await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            crate::error::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "数据库暂时无法写入",
                serde_json::json!({}),
            )
        }
    }
}

/// The OpenAPI document ([`crate::openapi`]), written at start.
pub async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi)
}
