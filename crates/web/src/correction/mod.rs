//! Corrections of the registers (issue 15), pages and API: the edit form of a social worker,
//! platform, post, talent or volunteer (one generic form page, pre-filled, on the version read,
//! keeping what was typed after a refusal or a conflict), the dated ends of posts, employments
//! and incubation periods (confirmed), and each record's versions.

/// The API twins of a register's correction: `$put` saves the fields on the version read
/// (`App::$update`, 409 `stale_version` when someone saved first), `$list` lists the versions
/// (`App::$versions`).
macro_rules! api_correction {
    ($put:ident, $list:ident, $form:ty, $update:ident, $versions:ident) => {
        pub async fn $put(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            crate::auth::ApiUser(s): crate::auth::ApiUser,
            axum::extract::Path(id): axum::extract::Path<String>,
            crate::kit::ApiJson(b): crate::kit::ApiJson<super::EditBody<$form>>,
        ) -> Result<axum::response::Response, crate::error::ApiError> {
            use axum::response::IntoResponse;
            let saved = state
                .app
                .$update(&s.actor, &id, b.version, &b.form, &s.ctx)
                .await?;
            Ok(axum::Json(saved).into_response())
        }

        pub async fn $list(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            crate::auth::ApiUser(s): crate::auth::ApiUser,
            axum::extract::Path(id): axum::extract::Path<String>,
        ) -> Result<axum::response::Response, crate::error::ApiError> {
            let items = state.app.$versions(&s.actor, &id, &s.ctx).await?;
            crate::answer::send(axum::http::StatusCode::OK, &crate::answer::Items { items })
        }
    };
}

/// The page that saves a correction (`App::$update` on the version read): back to the record
/// at `$prefix{id}`, or the form again with what was typed and why (`$spec`, `$fields`).
macro_rules! page_correction {
    ($name:ident, $form:ty, $update:ident, $spec:ident, $fields:ident, $prefix:literal) => {
        pub async fn $name(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            crate::auth::PageUser(s): crate::auth::PageUser,
            axum::extract::Path(id): axum::extract::Path<String>,
            crate::auth::CsrfForm(b): crate::auth::CsrfForm<super::EditBody<$form>>,
        ) -> Result<axum::response::Response, crate::error::PageError> {
            let r = state
                .app
                .$update(&s.actor, &id, b.version, &b.form, &s.ctx)
                .await;
            let spec = $spec(&s, &id, &b.form.name);
            let fields = $fields(&s, &b.form);
            let back = format!("{}{}", $prefix, id);
            super::saved_or_form(&s, r, &back, spec, b.version, fields)
        }
    };
}

pub mod people;
pub mod social;

use crate::auth::Signed;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::kit::{render, Chrome, FormErrors};
use app::versioned::Edited;
use app::AppError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// An edit sent by a form or the API: the version read and the record's fields.
#[derive(Debug, Deserialize)]
pub struct EditBody<F> {
    pub version: i64,
    #[serde(flatten)]
    pub form: F,
}

/// One field of the generic form.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// `text`, `date`, `select` or `check`.
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    pub hint: String,
}

impl Field {
    fn new(name: &'static str, label: &str, value: &str, kind: &'static str) -> Self {
        Field {
            name,
            label: label.to_string(),
            value: value.to_string(),
            kind,
            options: Vec::new(),
            hint: String::new(),
        }
    }
    pub fn text(name: &'static str, label: &str, value: &str) -> Self {
        Self::new(name, label, value, "text")
    }
    pub fn date(name: &'static str, label: &str, value: &str) -> Self {
        Self::new(name, label, value, "date")
    }
    pub fn check(name: &'static str, label: &str, on: bool) -> Self {
        Self::new(name, label, if on { "on" } else { "" }, "check")
    }
    pub fn select(
        name: &'static str,
        label: &str,
        value: &str,
        options: impl IntoIterator<Item = (&'static str, &'static str)>,
    ) -> Self {
        Field {
            options: options
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..Self::new(name, label, value, "select")
        }
    }
    pub fn hint(mut self, hint: String) -> Self {
        self.hint = hint;
        self
    }
}

/// What the form is: its title, where it goes back to, where it posts, its button, and the
/// confirmation an irreversible step asks for.
pub struct Spec {
    pub title: String,
    pub back_href: String,
    pub back_label: String,
    pub action: String,
    pub submit: String,
    pub confirm: String,
    pub note: String,
}

impl Spec {
    pub fn new(tr: Tr, title: &str, back: (String, &str), action: String) -> Self {
        Spec {
            title: title.to_string(),
            back_href: back.0,
            back_label: back.1.to_string(),
            action,
            submit: tr.t("common.save").to_string(),
            confirm: String::new(),
            note: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "register_form.html")]
struct FormPage {
    chrome: Chrome,
    spec: Spec,
    version: i64,
    fields: Vec<Field>,
    errors: FormErrors,
    conflict: String,
}

/// The form, fresh or after a refusal (its field errors, or the conflict's message).
pub fn form_page(
    s: &Signed,
    spec: Spec,
    version: i64,
    fields: Vec<Field>,
    err: Option<&AppError>,
) -> Response {
    let (status, errors, conflict) = match err {
        None => (StatusCode::OK, FormErrors::default(), String::new()),
        Some(e @ AppError::StaleVersion { message, .. }) => (
            crate::error::status_of(e),
            FormErrors::default(),
            message.clone(),
        ),
        Some(e) => (
            crate::error::status_of(e),
            FormErrors::from_error(e).unwrap_or_default(),
            String::new(),
        ),
    };
    let page = FormPage {
        chrome: Chrome::for_user(s, &spec.back_href),
        spec,
        version,
        fields,
        errors,
        conflict,
    };
    render(status, &page)
}

/// After a save: to `back` when saved; the form again, keeping what was typed, when refused on
/// a field or by a conflict; the error page otherwise.
pub fn saved_or_form(
    s: &Signed,
    result: Result<Edited, AppError>,
    back: &str,
    spec: Spec,
    version: i64,
    fields: Vec<Field>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(back).into_response()),
        Err(e)
            if FormErrors::from_error(&e).is_some()
                || matches!(e, AppError::StaleVersion { .. }) =>
        {
            Ok(form_page(s, spec, version, fields, Some(&e)))
        }
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}

/// The refusal of an edit form to someone who may see the record but not keep it.
pub fn not_keeper(s: &Signed, message: &str) -> PageError {
    PageError::new(
        AppError::Denied(domain::Denied {
            code: "not_keeper",
            message: message.to_string(),
        }),
        s.locale,
    )
}
