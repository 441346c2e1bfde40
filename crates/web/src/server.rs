//! Building and running the HTTP server: `Application::build` binds (port 0 in tests) and
//! `run_until` serves with graceful shutdown.
//!
//! The accept loop is ours (hyper's HTTP/1.1 connection under it) because a public service must
//! bound what a client can hold: at most `max_connections` sockets in all and
//! `max_connections_per_client` from one address (more are answered 503 and closed at once), and
//! a connection that sends no complete request head for `header_timeout` (a slow sender, or an
//! idle keep-alive connection) is closed. One client's 1,100 idle sockets no longer take every
//! descriptor of the process.

use crate::quota::Quota;
use crate::AppState;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub bind: String,
    /// Add `Secure` to every cookie, whatever the request says (behind HTTPS that the proxy does
    /// not announce). Requests that arrive over HTTPS through a trusted proxy get it anyway.
    pub secure_cookies: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Longest we wait for a handler before answering 503 (the handler still runs to its end).
    pub request_timeout: Duration,
    /// A connection that sends no complete request head for this long is closed: slow senders,
    /// and idle keep-alive connections.
    pub header_timeout: Duration,
    /// Open connections in all; 0 for what the process's descriptor limit allows.
    pub max_connections: usize,
    /// Open connections from one client address.
    pub max_connections_per_client: usize,
    /// Requests being handled in all (a handler runs to its end even when its client has gone,
    /// so a client that sends and hangs up still holds the place until then); more are
    /// answered 503 at once.
    pub max_in_flight: usize,
    /// Requests being handled for one client address.
    pub max_in_flight_per_client: usize,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` we believe.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            body_limit: 32 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(20),
            max_connections: 0,
            max_connections_per_client: 256,
            max_in_flight: 1024,
            max_in_flight_per_client: 128,
            trusted_proxies: Vec::new(),
        }
    }
}

pub struct Application {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    port: u16,
    connections: Arc<Quota>,
    header_timeout: Duration,
}

/// Descriptors kept free for the database pool, files and logs when the connection limit is
/// derived from the process's own limit.
const RESERVED_DESCRIPTORS: usize = 128;

/// Raises the soft limit on open descriptors to the hard limit and answers the connection limit
/// that leaves room for everything else.
fn connection_limit(configured: usize) -> usize {
    if configured > 0 {
        return configured;
    }
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a local struct.
    let soft = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024 - RESERVED_DESCRIPTORS;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        lim.rlim_cur
    };
    let soft = usize::try_from(soft).unwrap_or(usize::MAX).min(65_536);
    soft.saturating_sub(RESERVED_DESCRIPTORS).max(64)
}

/// What a connection over the limits reads before we close it.
static OVER_LIMIT: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let body = serde_json::json!({
        "type": "https://sanshe.invalid/problems/too_many_connections",
        "title": "服务繁忙",
        "status": 503,
        "code": "too_many_connections",
        "detail": "连接数已达上限，请稍后再试",
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
});

impl Application {
    pub async fn build(app: app::App, config: WebConfig) -> std::io::Result<Application> {
        let listener = tokio::net::TcpListener::bind(&config.bind).await?;
        let port = listener.local_addr()?.port();
        let connections = Quota::new(
            connection_limit(config.max_connections),
            config.max_connections_per_client,
        );
        let header_timeout = config.header_timeout;
        let state = AppState {
            app,
            config: Arc::new(config.clone()),
            in_flight: Quota::new(config.max_in_flight, config.max_in_flight_per_client),
            openapi: crate::openapi::document().to_string().into(),
        };
        // Refusals (a flood answered 503) are the guard's business, not errors worth a log line
        // each: a flood must not fill the disk. Internal errors are logged where they happen.
        let trace = TraceLayer::new_for_http()
            .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG))
            .make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        });
        use axum::middleware::from_fn_with_state as mw;
        // Outermost first: the request id and the trace see everything; `finish` turns whatever
        // a layer below answered into a proper answer; the handler runs in its own task, inside
        // the body limit (every extractor that reads a body honours it) and the NUL check.
        let router = crate::routes::router(state.clone()).layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(mw(state.clone(), crate::guard::finish))
                .layer(mw(state.clone(), crate::guard::transport))
                .layer(axum::extract::DefaultBodyLimit::max(config.body_limit))
                .layer(mw(state.clone(), crate::guard::reject_nul))
                .layer(mw(state, crate::guard::run_to_completion)),
        );
        Ok(Application {
            listener,
            router,
            port,
            connections,
            header_timeout,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish (up to 30 s).
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout)
            .keep_alive(true);
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of descriptors (or a connection reset before we took it): wait
                        // a moment rather than spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Some(admitted) = self.connections.take(peer.ip()) else {
                // Best effort, never waiting: the socket is closed right after.
                let _ = stream.try_write(&OVER_LIMIT);
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let router = self.router.clone();
            let service =
                hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    let router = router.clone();
                    async move {
                        use tower::ServiceExt;
                        router.oneshot(req.map(axum::body::Body::new)).await
                    }
                });
            let conn = http.serve_connection(TokioIo::new(stream), service);
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                drop(admitted);
            });
        }
        drop(self.listener);
        if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after 30 s; stopping anyway");
        }
        Ok(())
    }
}
