//! The ledger of organizations: the filtered list page (with its export links) and the API's
//! pages of it.

use super::{categories, statuses, OrgQuery, PAGE};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::{render, Chrome, FormErrors, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use store::registry::OrgRow;

#[derive(Template)]
#[template(path = "organizations.html")]
struct ListPage {
    chrome: Chrome,
    f: OrgQuery,
    rows: Vec<OrgRow>,
    next: String,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    can_create: bool,
}

impl ListPage {
    fn grade_selected(&self, g: &str) -> bool {
        self.f.grade == g
    }
    /// The current filters as a query string, for the export links.
    fn query(&self) -> String {
        let e = crate::error::urlencode;
        let f = &self.f;
        format!(
            "q={}&area={}&category={}&status={}&grade={}&hub={}&brand={}&incubated={}",
            e(&f.q),
            e(&f.area),
            e(&f.category),
            e(&f.status),
            e(&f.grade),
            e(&f.hub),
            e(&f.brand),
            e(&f.incubated)
        )
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<OrgQuery>,
) -> Result<Response, PageError> {
    let (rows, errors) = match q.filter() {
        Ok(f) => {
            let rows = state
                .app
                .list_organizations(&s.actor, &f, PAGE, &s.ctx)
                .await
                .page(s.locale)?;
            (rows, FormErrors::default())
        }
        Err(e) => (Vec::new(), FormErrors::from_error(&e).unwrap_or_default()),
    };
    let next = match rows.last() {
        Some(last) if rows.len() as i64 == PAGE => q.next_link(last),
        _ => String::new(),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ListPage {
        chrome: Chrome::for_user(&s, "/organizations"),
        can_create: domain::registry::manages_somewhere(&s.actor),
        f: q,
        rows,
        next,
        categories: categories(),
        statuses: statuses(),
        errors,
    };
    Ok(render(status, &page))
}

// ---------- API ----------

pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<OrgQuery>,
) -> Result<Response, ApiError> {
    let f = q.filter()?;
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 200);
    let rows = state
        .app
        .list_organizations(&s.actor, &f, limit, &s.ctx)
        .await?;
    let next = match rows.last() {
        Some(last) if rows.len() as i64 == limit => Some(format!("{}|{}", last.org.name, last.id)),
        _ => None,
    };
    // Serialized straight from the rows (no intermediate JSON value).
    Ok(Json(OrganizationPage {
        items: rows,
        next_after: next,
    })
    .into_response())
}

/// A page of the ledger; `next_after` is the cursor of the next page, if there is one.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct OrganizationPage {
    pub items: Vec<OrgRow>,
    pub next_after: Option<String>,
}
