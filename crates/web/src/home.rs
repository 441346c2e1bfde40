//! The home page: the reader's roles, their territory at a glance and what waits for them; and
//! the work list as JSON.

use crate::answer::{self, Items};
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::i18n::Tr;
use crate::kit::{render, Chrome, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::AreaCode;

pub struct RoleLine {
    role: &'static str,
    area_name: String,
    area_full: String,
    organization: Option<String>,
    link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    display_name: String,
    roles: Vec<RoleLine>,
    chart_src: String,
    chart_title: String,
    /// (level, number of areas) below the first territory.
    summary: Vec<(&'static str, i64)>,
    /// What waits for the reader.
    work: Vec<app::worklist::Work>,
}

pub async fn home(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let codes: Vec<AreaCode> = s.actor.assignments.iter().map(|a| a.area.clone()).collect();
    let areas = state.app.areas_named(&codes).await.page(s.locale)?;
    let name_of = |c: &AreaCode| {
        if c.as_str().is_empty() {
            "全国".to_string()
        } else {
            areas
                .iter()
                .find(|a| &a.code == c)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| c.full())
        }
    };
    let roles = s
        .actor
        .assignments
        .iter()
        .map(|a| RoleLine {
            role: tr.role(&a.role),
            area_name: name_of(&a.area),
            area_full: a.area.full(),
            organization: a.organization_id.clone(),
            link: format!("/areas/{}", a.area.as_str())
                .trim_end_matches('/')
                .to_string(),
        })
        .collect();
    let first = s.actor.assignments.first().map(|a| a.area.clone());
    let (chart_src, chart_title, summary) = match first {
        Some(a) if a.level() < domain::AreaLevel::Community => {
            let counts = state.app.areas_below(&a).await.page(s.locale)?;
            let code = if a.as_str().is_empty() {
                "nation"
            } else {
                a.as_str()
            };
            (
                format!("/api/v1/areas/{code}/children"),
                name_of(&a),
                counts.into_iter().map(|(l, n)| (l.zh(), n)).collect(),
            )
        }
        _ => (String::new(), String::new(), Vec::new()),
    };
    let work = state.app.work_list(&s.actor).await.page(s.locale)?;
    let page = HomePage {
        work,
        chrome: Chrome::for_user(&s, "/"),
        display_name: s.actor.display_name.clone(),
        roles,
        chart_src,
        chart_title,
        summary,
    };
    Ok(render(StatusCode::OK, &page))
}

/// What waits for the reader (the home page's work list).
pub async fn api_work(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
) -> Result<Response, ApiError> {
    let items = state.app.work_list(&s.actor).await?;
    answer::send(StatusCode::OK, &Items { items })
}
