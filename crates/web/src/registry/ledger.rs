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
    pager: crate::kit::Pager,
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
    let (list, errors) = match q.filter() {
        Ok(f) => {
            let list = state
                .app
                .list_organizations(&s.actor, &f, PAGE, &s.ctx)
                .await
                .page(s.locale)?;
            (list, FormErrors::default())
        }
        Err(e) => (
            app::page::Page::cut(Vec::new(), PAGE, 0, |_: &OrgRow| Vec::new()),
            FormErrors::from_error(&e).unwrap_or_default(),
        ),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ListPage {
        chrome: Chrome::for_user(&s, "/organizations"),
        can_create: domain::registry::manages_somewhere(&s.actor),
        pager: crate::kit::Pager::of(
            &list,
            "/organizations",
            &[
                ("q", &q.q),
                ("area", &q.area),
                ("category", &q.category),
                ("status", &q.status),
                ("grade", &q.grade),
                ("hub", &q.hub),
                ("brand", &q.brand),
                ("incubated", &q.incubated),
            ],
        ),
        f: q,
        rows: list.items,
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
    let page = state
        .app
        .list_organizations(&s.actor, &f, limit, &s.ctx)
        .await?;
    // Serialized straight from the rows (no intermediate JSON value).
    Ok(Json(page).into_response())
}
