//! One error type rendered two ways: a Chinese page for people, `application/problem+json` for
//! programs. The stable `code` is the same in both.

use crate::i18n::{Locale, Tr};
use app::AppError;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use serde_json::json;

/// What a page says above itself when an action on it was refused: invalid input's field
/// messages joined, or the refusal's own message; `None` for anything else (an error page).
pub fn notice_of(e: &AppError) -> Option<String> {
    match e {
        AppError::Domain(domain::DomainError::Invalid(f)) => Some(
            f.iter()
                .map(|x| x.message.as_str())
                .collect::<Vec<_>>()
                .join("；"),
        ),
        AppError::Domain(_) | AppError::Denied(_) => Some(e.to_string()),
        _ => None,
    }
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Domain(DomainError::Invalid(_)) | AppError::Import(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Domain(DomainError::Conflict { .. })
        | AppError::StaleVersion { .. }
        | AppError::Duplicate { .. } => StatusCode::CONFLICT,
        AppError::Denied(_) => StatusCode::FORBIDDEN,
        AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
        AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Throttled { .. } | AppError::AccountLocked { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn title_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        401 => "未登录",
        403 => "无权访问",
        404 => "未找到",
        405 => "方法不允许",
        408 => "请求超时",
        409 => "冲突",
        413 => "请求过大",
        415 => "类型不支持",
        422 => "输入有误",
        429 => "请求过于频繁",
        503 => "服务暂不可用",
        s if s < 500 => "请求有误",
        _ => "服务器内部错误",
    }
}

/// `Retry-After` for an answer that says when to try again.
fn with_retry_after(mut res: Response, e: &AppError) -> Response {
    if let Some(v) = e.retry_after().and_then(|s| s.to_string().parse().ok()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// An error answered as problem+json (RFC 9457).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub fn problem(status: StatusCode, code: &str, detail: &str, extra: serde_json::Value) -> Response {
    let mut body = json!({
        "type": format!("https://sanshe.invalid/problems/{code}"),
        "title": title_of(status),
        "status": status.as_u16(),
        "code": code,
        "detail": detail,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(&e);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "internal error");
        }
        let extra = match &e {
            AppError::Domain(DomainError::Invalid(f)) => json!({ "errors": f }),
            AppError::Duplicate { field, message } => {
                json!({ "errors": [{ "field": field, "code": "duplicate", "message": message }] })
            }
            AppError::Import(rows) => json!({ "rows": rows }),
            AppError::StaleVersion { current, .. } => json!({ "current": current }),
            _ => json!({}),
        };
        let detail = match status {
            StatusCode::INTERNAL_SERVER_ERROR => "内部错误，请稍后重试".to_string(),
            _ => e.message(),
        };
        with_retry_after(problem(status, e.code(), &detail, extra), &e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    title: &'a str,
    status: u16,
    message: &'a str,
    code: &'a str,
}

/// An error answered as a page; an unauthenticated person is sent to the login page.
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub locale: Locale,
    /// Where to come back after logging in.
    pub next: Option<String>,
}

impl PageError {
    pub fn new(error: impl Into<AppError>, locale: Locale) -> Self {
        PageError {
            error: error.into(),
            locale,
            next: None,
        }
    }
}

pub fn render_error_page(
    status: StatusCode,
    code: &str,
    message: &str,
    locale: Locale,
) -> Response {
    let page = ErrorPage {
        tr: Tr { locale },
        title: title_of(status),
        status: status.as_u16(),
        message,
        code,
    };
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(_) => (status, message.to_string()).into_response(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.error;
        if matches!(e, AppError::PasswordChangeRequired) {
            return Redirect::to("/account?must_change=1").into_response();
        }
        if matches!(e, AppError::Unauthenticated) {
            let next = self.next.unwrap_or_else(|| "/".into());
            return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
        }
        let status = status_of(&e);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "internal error");
        }
        let msg = match status {
            StatusCode::INTERNAL_SERVER_ERROR => "内部错误，请稍后重试".to_string(),
            _ => e.message(),
        };
        with_retry_after(render_error_page(status, e.code(), &msg, self.locale), &e)
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
