//! What every page needs: its frame ([`Chrome`]), rendering a template, times as people read
//! them, and turning a use case's error into an error page.

use crate::auth::Signed;
use crate::error::PageError;
use crate::i18n::{Locale, Tr};
use app::AppError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::authz::{reach, Action};

/// What every page's frame needs.
pub struct Chrome {
    pub tr: Tr,
    pub user: Option<String>,
    pub csrf: String,
    pub large: bool,
    pub path: String,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_registry: bool,
    pub flash: String,
}

impl Chrome {
    pub fn for_user(s: &Signed, path: &str) -> Self {
        Chrome {
            tr: Tr { locale: s.locale },
            user: Some(s.actor.display_name.clone()),
            csrf: s.csrf.clone().unwrap_or_default(),
            large: s.large_text,
            path: crate::error::urlencode(path),
            can_users: !reach(&s.actor, Action::ManageAccounts).roots().is_empty(),
            can_audit: !reach(&s.actor, Action::ViewAudit).roots().is_empty(),
            // Whether the nav shows the ledger.
            can_registry: !reach(&s.actor, Action::ViewRegistry).roots().is_empty(),
            flash: String::new(),
        }
    }
    pub fn with_flash(mut self, f: &str) -> Self {
        self.flash = f.to_string();
        self
    }
}

/// A page with this status; a template that fails is a plain-text 500.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(h) => (status, Html(h)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "模板渲染失败").into_response()
        }
    }
}

/// Shows a stored UTC time in Asia/Shanghai.
pub fn local_time(at: &str) -> String {
    store::time::from_db(at)
        .map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| at.to_string())
}

/// A stored UTC timestamp as people read it: `2026-11-30 04:49`.
pub fn when(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

/// `.page(locale)?`: a use case's error answered as an error page in the reader's language.
pub trait PageResult<T> {
    fn page(self, locale: Locale) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> PageResult<T> for Result<T, E> {
    fn page(self, locale: Locale) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(e, locale))
    }
}
