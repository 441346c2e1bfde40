//! Who is asking and from where: the session cookie or API token, the CSRF check, the locale,
//! the client behind a trusted proxy and the request context. Handlers take these as extractors
//! and never look at cookies themselves.

use crate::error::{ApiError, PageError};
use crate::i18n::Locale;
use crate::AppState;
use app::{AppError, Ctx};
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::Actor;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use store::identity::UserRow;

pub const SESSION_COOKIE: &str = "sanshe_session";
pub const LOGIN_CSRF_COOKIE: &str = "sanshe_login_csrf";
pub const LANG_COOKIE: &str = "sanshe_lang";
pub const LARGE_COOKIE: &str = "sanshe_large";

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value with our defaults: `HttpOnly; SameSite=Lax; Path=/`. `Secure` is added
/// on the way out when the client came over HTTPS or the deployment says so
/// (`guard::transport`), so no handler can forget it.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

pub fn locale_of(headers: &HeaderMap) -> Locale {
    cookie(headers, LANG_COOKIE)
        .and_then(|l| Locale::parse(&l))
        .unwrap_or(Locale::Zh)
}

/// Where a request came from, as far as we can trust it: the peer's address, or, when the peer is
/// one of the configured reverse proxies, the client it names in `X-Forwarded-For`; and whether
/// the client used HTTPS (the proxy's `X-Forwarded-Proto`).
#[derive(Debug, Clone, Copy)]
pub struct Transport {
    pub client: IpAddr,
    pub https: bool,
}

impl Transport {
    pub fn of(headers: &HeaderMap, peer: IpAddr, trusted: &[IpAddr]) -> Transport {
        if !trusted.contains(&peer) {
            return Transport {
                client: peer,
                https: false,
            };
        }
        // The right-most address that is not one of our proxies is the client (entries to its
        // left were written by the client itself and prove nothing).
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        let client = forwarded
            .iter()
            .rev()
            .find(|a| !trusted.contains(a))
            .copied()
            .unwrap_or(peer);
        let https = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Transport { client, https }
    }
}

/// The request's id (set by the request-id layer) and the client's address (behind a trusted
/// proxy, the client it names: see [`Transport`]).
pub fn ctx_of(parts: &Parts) -> Ctx {
    ctx_from(&parts.headers, &parts.extensions)
}

/// [`ctx_of`] for a whole request (in middleware).
pub fn ctx_of_request(req: &Request) -> Ctx {
    ctx_from(req.headers(), req.extensions())
}

fn ctx_from(headers: &HeaderMap, extensions: &axum::http::Extensions) -> Ctx {
    Ctx {
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        client_addr: extensions
            .get::<Transport>()
            .map(|t| t.client.to_string())
            .or_else(|| {
                extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip().to_string())
            }),
    }
}

/// A signed-in person, from a session cookie or an API token.
#[derive(Debug, Clone)]
pub struct Signed {
    pub actor: Actor,
    pub user: UserRow,
    /// CSRF token of the session (absent for API tokens).
    pub csrf: Option<String>,
    /// The raw session token (to log out, or keep on password change).
    pub session_token: Option<String>,
    pub locale: Locale,
    pub large_text: bool,
    pub ctx: Ctx,
}

/// The CSRF token a form must carry, left in the request by the user extractor.
#[derive(Clone)]
struct ExpectedCsrf(String);

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Signed>, AppError> {
    let ctx = ctx_of(parts);
    let locale = locale_of(&parts.headers);
    let large_text = cookie(&parts.headers, LARGE_COOKIE).as_deref() == Some("1");
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    if let Some(token) = bearer {
        // A presented token must be valid: a bad one is never silently ignored.
        let Some(a) = state.app.token_actor(&token).await? else {
            return Err(AppError::Unauthenticated);
        };
        return Ok(Some(Signed {
            actor: app::identity::actor_of(&a),
            user: a.user,
            csrf: None,
            session_token: None,
            locale,
            large_text,
            ctx,
        }));
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(a) = state.app.session_actor(&token).await? else {
        return Ok(None);
    };
    let locale = cookie(&parts.headers, LANG_COOKIE)
        .and_then(|l| Locale::parse(&l))
        .or_else(|| Locale::parse(&a.user.locale))
        .unwrap_or(Locale::Zh);
    if let Some(c) = &a.csrf_token {
        parts.extensions.insert(ExpectedCsrf(c.clone()));
    }
    Ok(Some(Signed {
        actor: app::identity::actor_of(&a),
        csrf: a.csrf_token.clone(),
        user: a.user,
        session_token: Some(token),
        locale,
        large_text,
        ctx,
    }))
}

/// A signed-in person on a page; anyone else is sent to the login page.
pub struct PageUser(pub Signed);

impl<S> FromRequestParts<S> for PageUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let locale = locale_of(&parts.headers);
        let next = parts.uri.path_and_query().map(|p| p.to_string());
        match resolve(parts, &state).await {
            // A reset password is changed before anything else (issue 15).
            Ok(Some(s))
                if s.user.must_change_password
                    && !matches!(
                        parts.uri.path(),
                        "/account" | "/account/password" | "/logout"
                    ) =>
            {
                Err(PageError {
                    error: AppError::PasswordChangeRequired,
                    locale,
                    next,
                })
            }
            Ok(Some(s)) => Ok(PageUser(s)),
            Ok(None) | Err(AppError::Unauthenticated) => Err(PageError {
                error: AppError::Unauthenticated,
                locale,
                next,
            }),
            Err(e) => Err(PageError::new(e, locale)),
        }
    }
}

/// A signed-in API client. A browser calling the API with its session cookie must also send the
/// session's CSRF token in `X-CSRF-Token` for anything but reads.
pub struct ApiUser(pub Signed);

impl<S> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let s = resolve(parts, &state)
            .await?
            .ok_or(ApiError(AppError::Unauthenticated))?;
        if s.user.must_change_password
            && !matches!(parts.uri.path(), "/api/v1/account/password" | "/api/v1/me")
        {
            return Err(ApiError(AppError::PasswordChangeRequired));
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            if let Some(expected) = &s.csrf {
                let sent = parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok());
                if sent != Some(expected.as_str()) {
                    return Err(ApiError(AppError::Denied(domain::Denied {
                        code: "csrf_failed",
                        message: "请求缺少有效的 CSRF 令牌".into(),
                    })));
                }
            }
        }
        Ok(ApiUser(s))
    }
}

/// The language of a page when nobody need be signed in.
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(locale_of(&parts.headers)))
    }
}

/// The request context alone (id and address), for pages without a signed-in person.
pub struct ReqCtx(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for ReqCtx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqCtx(ctx_of(parts)))
    }
}

/// A urlencoded form whose `csrf_token` field must match the session's token (or, on the login
/// page before any session exists, the login CSRF cookie). Put it after the user extractor.
pub struct CsrfForm<T>(pub T);

pub struct CsrfRejection;

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        crate::error::render_error_page(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "表单已过期或来源无效，请返回后刷新页面重新提交。",
            Locale::Zh,
        )
    }
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<ExpectedCsrf>()
            .map(|e| e.0.clone())
            .or_else(|| cookie(req.headers(), LOGIN_CSRF_COOKIE));
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| CsrfRejection.into_response())?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.as_str());
        match (expected.as_deref(), sent) {
            (Some(e), Some(s)) if !e.is_empty() && constant_eq(e, s) => {}
            _ => return Err(CsrfRejection.into_response()),
        }
        let value: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            crate::error::render_error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_form",
                &format!("表单内容无法识别：{e}"),
                Locale::Zh,
            )
        })?;
        Ok(CsrfForm(value))
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
