//! Signing in and out, and the display choices kept in cookies (language, large text).

use crate::auth::{
    set_cookie, CsrfForm, Lang, PageUser, ReqCtx, LANG_COOKIE, LARGE_COOKIE, LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
};
use crate::error::PageError;
use crate::i18n::{Locale, Tr};
use crate::kit::{render, Chrome, Empty, PageResult};
use crate::AppState;
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

// ---------- login / logout ----------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    login: String,
    next: String,
    /// Why the last try did not sign in ("" on a fresh page).
    notice: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login page; after a refused try, `refusal` says why (and the login typed is kept).
fn login_page(locale: Locale, login: String, next: String, refusal: Option<&AppError>) -> Response {
    let csrf = app::secret::random_token();
    let page = LoginPage {
        chrome: Chrome {
            tr: Tr { locale },
            user: None,
            csrf: csrf.clone(),
            large: false,
            path: "/login".into(),
            can_users: false,
            can_audit: false,
            can_registry: false,
            flash: String::new(),
        },
        login,
        next,
        notice: match refusal {
            Some(AppError::LoginFailed) => Tr { locale }.t("login.failed").to_string(),
            Some(e) => e.message(),
            None => String::new(),
        },
    };
    let status = refusal.map_or(StatusCode::OK, crate::error::status_of);
    let mut r = render(status, &page);
    if let Some(secs) = refusal.and_then(AppError::retry_after) {
        if let Ok(v) = secs.to_string().parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_form(Lang(locale): Lang, Query(q): Query<NextQuery>) -> Response {
    login_page(locale, String::new(), safe_next(q.next.as_deref()), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ReqCtx(ctx): ReqCtx,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match state.app.login(&form.login, &form.password, &ctx).await {
        Ok(s) => {
            let mut r = Redirect::to(&next).into_response();
            let max_age = state.app.settings.session_hours * 3600;
            if let Ok(v) = set_cookie(SESSION_COOKIE, &s.token, Some(max_age)).parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, "", Some(0)).parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(
            e @ (AppError::LoginFailed
            | AppError::Throttled { .. }
            | AppError::AccountLocked { .. }
            | AppError::Busy { .. }
            | AppError::Domain(_)),
        ) => login_page(locale, form.login, next, Some(&e)),
        Err(e) => PageError::new(e, locale).into_response(),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(t) = &s.session_token {
        state.app.logout(&s.actor, t, &s.ctx).await.page(s.locale)?;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

// ---------- language and large text ----------

pub async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let locale = Locale::parse(&lang).unwrap_or(Locale::Zh);
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(LANG_COOKIE, locale.as_str(), Some(31_536_000)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
pub struct LargeQuery {
    on: Option<String>,
    next: Option<String>,
}

pub async fn set_large(Query(q): Query<LargeQuery>) -> Response {
    let on = q.on.as_deref() == Some("1");
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(LARGE_COOKIE, if on { "1" } else { "0" }, Some(31_536_000)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
