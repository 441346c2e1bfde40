//! Building and running the HTTP server: `Application::build` binds (port 0 in tests) and
//! `run_until_stopped` serves with graceful shutdown.

use crate::AppState;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub bind: String,
    /// Add `Secure` to cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            body_limit: 32 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

pub struct Application {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    port: u16,
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    let mut set = |k: &'static str, v: &'static str| {
        h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    };
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "same-origin");
    set(
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    res
}

impl Application {
    pub async fn build(app: app::App, config: WebConfig) -> std::io::Result<Application> {
        let listener = tokio::net::TcpListener::bind(&config.bind).await?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            app,
            config: Arc::new(config.clone()),
        };
        let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        });
        let router = crate::routes::router(state).layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(RequestBodyLimitLayer::new(config.body_limit))
                .layer(axum::extract::DefaultBodyLimit::max(config.body_limit))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                ))
                .layer(axum::middleware::map_response(security_headers)),
        );
        Ok(Application {
            listener,
            router,
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` resolves, then finishes requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
