//! The middleware every request passes through, outermost first: who the client is (behind a
//! trusted proxy too), text that no database may receive (NUL), a handler that runs to its end
//! whatever happens to the request, and the finishing of every answer (problem+json for programs
//! where a layer below answered in plain text, security and cache headers).

use crate::auth::Transport;
use crate::error::{problem, render_error_page};
use crate::i18n::Locale;
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

/// Finds the client (see [`Transport`]) and leaves it in the request for the extractors.
pub async fn transport(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let t = Transport::of(req.headers(), peer, &state.config.trusted_proxies);
    req.extensions_mut().insert(t);
    let mut res = next.run(req).await;
    if t.https || state.config.secure_cookies {
        let cookies: Vec<HeaderValue> = res
            .headers_mut()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| {
                if v.contains("; Secure") {
                    v.parse().ok()
                } else {
                    format!("{v}; Secure").parse().ok()
                }
            })
            .collect();
        res.headers_mut().remove(header::SET_COOKIE);
        for c in cookies {
            res.headers_mut().append(header::SET_COOKIE, c);
        }
    }
    if t.https {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn locale_of(headers: &HeaderMap) -> Locale {
    crate::auth::locale_of(headers)
}

/// The answer to a refused request, as problem+json under `/api/` and as a page elsewhere.
pub fn refusal(
    path: &str,
    headers: &HeaderMap,
    status: StatusCode,
    code: &str,
    message: &str,
    extra: serde_json::Value,
) -> Response {
    if is_api(path) {
        problem(status, code, message, extra)
    } else {
        render_error_page(status, code, message, locale_of(headers))
    }
}

/// Where a NUL character was found, for the field error.
fn nul_in_pairs(bytes: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
}

fn nul_in_json(v: &serde_json::Value, at: &str) -> Option<String> {
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(at.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_in_json(x, &format!("{at}/{i}"))),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            if k.contains('\0') {
                Some(at.to_string())
            } else {
                nul_in_json(x, &format!("{at}/{k}"))
            }
        }),
        _ => None,
    }
}

/// Text with a NUL character is refused at the door, audited, with the field named: PostgreSQL
/// cannot store it (it answered 500), and no person types it. Path, query, form and JSON bodies
/// are checked; files (multipart, and the raw bodies of the import endpoints) are the import's
/// business, which names the line.
pub async fn reject_nul(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut field: Option<String> = None;
    if path.contains("%00") || path.contains('\0') {
        field = Some("path".into());
    } else if let Some(q) = req.uri().query() {
        if q.contains("%00") || q.contains('\0') {
            field = nul_in_pairs(q.as_bytes()).or(Some("query".into()));
        }
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json_body = content_type.starts_with("application/json");
    let req = if field.is_none() && (form || json_body) && req.method() != Method::GET {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, state.config.body_limit).await {
            Ok(b) => b,
            Err(_) => {
                return refusal(
                    &path,
                    &parts.headers,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    &too_large_message(state.config.body_limit),
                    json!({}),
                )
            }
        };
        if form && (bytes.windows(3).any(|w| w == b"%00") || bytes.contains(&0)) {
            field = nul_in_pairs(&bytes).or(Some("body".into()));
        } else if json_body
            && (bytes.contains(&0) || bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")))
        {
            field = match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(v) => nul_in_json(&v, ""),
                Err(_) => Some("body".into()),
            };
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    let Some(field) = field else {
        return next.run(req).await;
    };
    let ctx = crate::auth::ctx_of_request(&req);
    state
        .app
        .refuse_request(req.method().as_str(), &path, "nul_character", &ctx)
        .await;
    let message = "提交的内容含有不允许的控制字符（NUL），请删除后重试";
    let field = field.trim_start_matches('/').to_string();
    refusal(
        &path,
        req.headers(),
        StatusCode::BAD_REQUEST,
        "invalid_text",
        message,
        json!({ "errors": [{ "field": field, "code": "invalid_text", "message": message }] }),
    )
}

fn too_large_message(limit: usize) -> String {
    format!(
        "请求内容过大（上限 {} MB）",
        (limit as f64 / 1_048_576.0 * 10.0).round() / 10.0
    )
}

/// Runs the rest of the request in a task of its own and waits for it at most the request
/// timeout. A client that hangs up, or the timeout, drops only the wait: the handler, and the use
/// case's transaction inside it, runs to its end (commit or rollback). A panic becomes a 500
/// rather than a dropped connection, and an audit event (`request.failed`).
///
/// Each running handler holds a place of `AppState::in_flight` until it ends (see `quota`); with
/// none left for the client, the answer is 503 at once.
pub async fn run_to_completion(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().to_string();
    let ctx = crate::auth::ctx_of_request(&req);
    let headers = req.headers().clone();
    let client = req
        .extensions()
        .get::<Transport>()
        .map(|t| t.client)
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let Some(place) = state.in_flight.take(client) else {
        let mut res = refusal(
            &path,
            &headers,
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "服务繁忙，请稍后再试",
            json!({}),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return res;
    };
    let task = tokio::spawn(async move {
        let res = next.run(req).await;
        drop(place);
        res
    });
    match tokio::time::timeout(state.config.request_timeout, task).await {
        Ok(Ok(res)) => res,
        Ok(Err(e)) => {
            tracing::error!(error = %e, path, "a request handler panicked");
            state.app.request_failed(&method, &path, &ctx).await;
            refusal(
                &path,
                &headers,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "内部错误，请稍后重试",
                json!({}),
            )
        }
        Err(_) => {
            tracing::warn!(path, "request timed out; its work goes on to the end");
            let mut res = refusal(
                &path,
                &headers,
                StatusCode::SERVICE_UNAVAILABLE,
                "request_timeout",
                "处理超时。操作可能仍在进行并会完成，请稍后刷新查看结果，不要重复提交。",
                json!({}),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            res
        }
    }
}

/// The code and Chinese message of a bare status answered by a layer below us (axum's
/// extractors, the router, the body limit).
fn bare_status(status: StatusCode, body_limit: usize) -> (&'static str, String) {
    match status.as_u16() {
        400 => ("bad_request", "请求格式不正确".into()),
        401 => ("unauthenticated", "请先登录".into()),
        403 => ("forbidden", "无权访问".into()),
        404 => ("not_found", "未找到".into()),
        405 => ("method_not_allowed", "不支持该请求方法".into()),
        408 => ("request_timeout", "请求超时".into()),
        411 => ("length_required", "请求缺少长度".into()),
        413 => ("payload_too_large", too_large_message(body_limit)),
        415 => ("unsupported_media_type", "请求内容的类型不受支持".into()),
        422 => ("unprocessable", "请求内容无法识别".into()),
        429 => ("too_many_requests", "请求过于频繁，请稍后再试".into()),
        503 => ("unavailable", "服务繁忙，请稍后再试".into()),
        _ => ("internal", "内部错误，请稍后重试".into()),
    }
}

/// Finishes every answer: an error a layer below answered in plain text (or with no body) becomes
/// problem+json under `/api/` and a Chinese page elsewhere, with what it said kept as `reason`;
/// security headers; and `Cache-Control: no-store` unless the handler chose (pages and answers
/// may carry personal data; shared caches must not keep them).
pub async fn finish(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let res = next.run(req).await;
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let explained = content_type.starts_with("application/problem+json")
        || content_type.starts_with("text/html");
    let mut res = if (status.is_client_error() || status.is_server_error()) && !explained {
        let kept: Vec<(HeaderName, HeaderValue)> = [header::RETRY_AFTER, header::ALLOW]
            .into_iter()
            .filter_map(|h| res.headers().get(&h).map(|v| (h.clone(), v.clone())))
            .collect();
        let said = axum::body::to_bytes(res.into_body(), 4096)
            .await
            .map(|b| {
                String::from_utf8_lossy(&b)
                    .chars()
                    .take(300)
                    .collect::<String>()
            })
            .unwrap_or_default();
        let (code, message) = bare_status(status, state.config.body_limit);
        let extra = if said.trim().is_empty() {
            json!({})
        } else {
            json!({ "reason": said.trim() })
        };
        let mut out = refusal(&path, &headers, status, code, &message, extra);
        for (k, v) in kept {
            out.headers_mut().insert(k, v);
        }
        out
    } else {
        res
    };
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
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                *k,
                v.parse().unwrap_or_else(|_| HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        let direct = Transport::of(&h, IpAddr::from([9, 9, 9, 9]), &[proxy]);
        assert_eq!(direct.client, IpAddr::from([9, 9, 9, 9]));
        assert!(!direct.https);
        let via = Transport::of(&h, proxy, &[proxy]);
        assert_eq!(
            via.client,
            IpAddr::from([1, 2, 3, 4]),
            "the right-most untrusted entry"
        );
        assert!(via.https);
    }

    #[test]
    fn nul_is_found_in_forms_and_json_with_its_field() {
        assert_eq!(nul_in_pairs(b"login=a%00b&x=1").as_deref(), Some("login"));
        assert_eq!(nul_in_pairs(b"login=ab"), None);
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a":{"b":["x","y\u0000"]}}"#).unwrap_or_default();
        assert_eq!(nul_in_json(&v, "").as_deref(), Some("/a/b/1"));
    }

    /// A handler that panics answers a 500 problem (not a dropped connection) and leaves a
    /// `request.failed` event in the audit log, with the path and without the panic's text.
    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_is_audited() {
        let (db, _url) = store::testing::fresh_db().await.unwrap();
        let app = app::App::new(db.clone(), app::Settings::default());
        let state = AppState {
            app,
            config: std::sync::Arc::new(crate::WebConfig::default()),
            in_flight: crate::quota::Quota::new(8, 8),
            openapi: axum::body::Bytes::new(),
        };
        let router = axum::Router::new()
            .route(
                "/api/v1/boom",
                axum::routing::get(|| async {
                    if std::hint::black_box(true) {
                        panic!("身份证号码 110105194912310021");
                    }
                    "never"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                state,
                run_to_completion,
            ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        let res = reqwest::get(format!("http://{addr}/api/v1/boom"))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = res.text().await.unwrap();
        assert!(body.contains("\"internal\""), "{body}");
        let events = db
            .audit_events(&domain::identity::Scope::nation(), &Default::default(), 50)
            .await
            .unwrap();
        let failed: Vec<_> = events
            .iter()
            .filter(|e| e.record.action == "request.failed")
            .collect();
        assert_eq!(failed.len(), 1, "{events:?}");
        assert_eq!(failed[0].record.target_id, "/api/v1/boom");
        assert_eq!(failed[0].record.outcome, "failed");
        let after = failed[0].record.after.as_ref().map(|v| v.to_string());
        assert!(
            !after.unwrap_or_default().contains("110105"),
            "the panic's text stays out of the log"
        );
    }
}
