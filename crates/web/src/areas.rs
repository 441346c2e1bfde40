//! Areas: the pages that walk the tree of provinces down to communities, and the API of the same
//! (with the children counts the home and area charts read).

use crate::answer::{self, Items};
use crate::auth::{ApiUser, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{render, ApiResult, Chrome, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::{AreaCode, AreaLevel, CommitteeKind, TownshipKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use store::area::AreaRow;

// ---------- pages ----------

// Not `AreaPage`: that is the API's answer, whose schema is named after it.
#[derive(Template)]
#[template(path = "area.html")]
struct AreaTemplate {
    chrome: Chrome,
    view: app::area::AreaView,
    full_code: String,
    chart_src: String,
    has_grandchildren: bool,
}

async fn area_page(state: &AppState, s: &Signed, code: &AreaCode) -> Result<Response, PageError> {
    let view = state
        .app
        .view_area(&s.actor, code, &s.ctx)
        .await
        .page(s.locale)?;
    let path = if code.as_str().is_empty() {
        "/areas".to_string()
    } else {
        format!("/areas/{}", code.as_str())
    };
    let chart_code = if code.as_str().is_empty() {
        "nation"
    } else {
        code.as_str()
    };
    let has_grandchildren = view.children.iter().any(|c| c.child_count > 0);
    let page = AreaTemplate {
        chrome: Chrome::for_user(s, &path),
        full_code: code.full(),
        chart_src: format!("/api/v1/areas/{chart_code}/children"),
        has_grandchildren,
        view,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn areas_root(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    area_page(&state, &s, &AreaCode::nation()).await
}

pub async fn area(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let code = AreaCode::parse(&code).page(s.locale)?;
    area_page(&state, &s, &code).await
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    results: Vec<store::area::AreaRow>,
    /// More matched than are shown: at most this many.
    cut_at: Option<i64>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let q = q.q.unwrap_or_default();
    let (results, cut_at) = state
        .app
        .search_areas(&s.actor, &q, 50)
        .await
        .page(s.locale)?;
    let page = SearchPage {
        chrome: Chrome::for_user(&s, "/areas/search"),
        q,
        results,
        cut_at,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------- API ----------

/// The nation is addressed as `nation` in API paths.
fn parse_code(code: &str) -> Result<AreaCode, ApiError> {
    if code == "nation" {
        return Ok(AreaCode::nation());
    }
    Ok(AreaCode::parse(code)?)
}

/// An area as the API shows it: `code` is the significant digits (empty for the nation),
/// `full_code` the 12-digit form people read.
#[derive(Serialize, JsonSchema)]
pub struct AreaJson {
    pub code: String,
    pub full_code: String,
    pub parent_code: String,
    pub name: String,
    pub level: AreaLevel,
    pub township_kind: Option<TownshipKind>,
    pub committee_kind: Option<CommitteeKind>,
    pub retired: bool,
}

impl From<&AreaRow> for AreaJson {
    fn from(a: &AreaRow) -> Self {
        AreaJson {
            code: a.code.as_str().to_string(),
            full_code: a.code.full(),
            parent_code: a.parent_code.as_str().to_string(),
            name: a.name.clone(),
            level: a.level,
            township_kind: a.township_kind,
            committee_kind: a.committee_kind,
            retired: a.retired,
        }
    }
}

/// A child area with how many children it has in turn.
#[derive(Serialize, JsonSchema)]
pub struct ChildJson {
    #[serde(flatten)]
    pub area: AreaJson,
    pub child_count: i64,
}

fn children_json(children: &[app::area::ChildArea]) -> Vec<ChildJson> {
    children
        .iter()
        .map(|c| ChildJson {
            area: AreaJson::from(&c.area),
            child_count: c.child_count,
        })
        .collect()
}

/// An area with the path above it and the children the reader may see.
#[derive(Serialize, JsonSchema)]
pub struct AreaPage {
    pub area: AreaJson,
    pub ancestors: Vec<AreaJson>,
    pub inside_territory: bool,
    pub children: Vec<ChildJson>,
}

#[derive(Deserialize)]
pub struct ApiSearchQuery {
    q: Option<String>,
    limit: Option<i64>,
}

pub async fn api_search(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ApiSearchQuery>,
) -> ApiResult {
    let (rows, cut_at) = state
        .app
        .search_areas(
            &s.actor,
            q.q.as_deref().unwrap_or(""),
            q.limit.unwrap_or(50),
        )
        .await?;
    let items = rows.iter().map(AreaJson::from).collect();
    answer::send(StatusCode::OK, &AreaSearch { items, cut_at })
}

/// What an area search found; `cut_at` is set when more matched than were sent (ask a more
/// complete name or code, or a larger `limit` up to 200).
#[derive(Serialize, JsonSchema)]
pub struct AreaSearch {
    pub items: Vec<AreaJson>,
    pub cut_at: Option<i64>,
}

pub async fn api_area(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(code): Path<String>,
) -> ApiResult {
    let code = parse_code(&code)?;
    let v = state.app.view_area(&s.actor, &code, &s.ctx).await?;
    answer::send(
        StatusCode::OK,
        &AreaPage {
            area: AreaJson::from(&v.area),
            ancestors: v.ancestors.iter().map(AreaJson::from).collect(),
            inside_territory: v.inside_territory,
            children: children_json(&v.children),
        },
    )
}

pub async fn api_children(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(code): Path<String>,
) -> ApiResult {
    let code = parse_code(&code)?;
    let v = state.app.view_area(&s.actor, &code, &s.ctx).await?;
    let items = children_json(&v.children);
    answer::send(StatusCode::OK, &Items { items })
}
