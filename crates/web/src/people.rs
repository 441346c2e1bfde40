//! Import and export of the people ledgers (social workers, volunteer roster): pages and API.
//! Exports stream page by page in the reader's territory; identity numbers leave only masked.

use crate::auth::{ApiUser, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{
    download, import_page_result, render, ApiResult, Chrome, ImportPage, ImportQuery, PageResult,
    CSV, XLSX,
};
use crate::AppState;
use app::people_transfer as pt;
use app::AppError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::future::BoxFuture;
use serde::Deserialize;
use std::sync::Arc;

type Cursor = Option<(String, String)>;
/// Fetches the rows after a keyset cursor, and the cursor of the next page (None at the end).
type Fetch = Arc<
    dyn Fn(Cursor) -> BoxFuture<'static, Result<(Vec<Vec<String>>, Cursor), AppError>>
        + Send
        + Sync,
>;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    format: String,
}

/// Streams a ledger: CSV (UTF-8 with BOM, or GB18030) page by page, or Excel (built whole: the
/// format is a zip). The first page is read before answering, so that a refusal is an error
/// answer rather than an empty file.
async fn export(
    format: &str,
    stem: &str,
    sheet: &str,
    columns: &'static [&'static str],
    fetch: Fetch,
) -> Result<Response, AppError> {
    let (first, mut next) = fetch(None).await?;
    if format == "xlsx" {
        // Built whole, so capped: past the limit the sheet ends with a notice (and a header says
        // so); CSV streams every row.
        let mut rows = first;
        while rows.len() <= app::transfer::XLSX_EXPORT_ROWS {
            let Some(c) = next.take() else { break };
            let (page, n) = fetch(Some(c)).await?;
            rows.extend(page);
            next = n;
        }
        let (b, cut) = app::transfer::write_xlsx_export(sheet, columns, rows, next.is_some())?;
        return Ok(crate::kit::cut_notice(
            download(b, XLSX, &format!("{stem}.xlsx")),
            cut,
        ));
    }
    let gb = format == "gb18030";
    let mut head = if gb {
        Vec::new()
    } else {
        "\u{feff}".as_bytes().to_vec()
    };
    let header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    app::transfer::write_csv_row(&mut head, &header, gb);
    for r in &first {
        app::transfer::write_csv_row(&mut head, r, gb);
    }
    let state = (Some(head), next, false);
    let stream = futures_util::stream::unfold(state, move |(head, next, done)| {
        let fetch = fetch.clone();
        async move {
            if let Some(h) = head {
                return Some((Ok::<_, std::io::Error>(h), (None, next, done)));
            }
            let cursor = next?;
            if done {
                return None;
            }
            match fetch(Some(cursor)).await {
                Ok((page, n)) => {
                    let mut out = Vec::new();
                    for r in &page {
                        app::transfer::write_csv_row(&mut out, r, gb);
                    }
                    Some((Ok(out), (None, n, false)))
                }
                Err(e) => Some((
                    Err(std::io::Error::other(e.to_string())),
                    (None, None, true),
                )),
            }
        }
    });
    let ct = if gb {
        "text/csv; charset=gb18030"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, ct.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.csv\""),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

fn worker_fetch(state: AppState, s: &Signed) -> Fetch {
    let actor = s.actor.clone();
    Arc::new(move |after| {
        let (state, actor) = (state.clone(), actor.clone());
        Box::pin(async move {
            let page = state.app.social_worker_export_page(&actor, after).await?;
            let next = (page.len() >= 500)
                .then(|| page.last().map(|w| (w.name.clone(), w.id.clone())))
                .flatten();
            Ok((page.iter().map(pt::worker_row).collect(), next))
        })
    })
}

fn volunteer_fetch(state: AppState, s: &Signed) -> Fetch {
    let actor = s.actor.clone();
    Arc::new(move |after| {
        let (state, actor) = (state.clone(), actor.clone());
        Box::pin(async move {
            let page = state.app.volunteer_export_page(&actor, after).await?;
            let next = (page.len() >= 500)
                .then(|| {
                    page.last()
                        .map(|v| (v.volunteer.name.clone(), v.id.clone()))
                })
                .flatten();
            Ok((page.iter().map(pt::volunteer_row).collect(), next))
        })
    })
}

fn record_fetch(state: AppState, s: &Signed) -> Fetch {
    let actor = s.actor.clone();
    Arc::new(move |after| {
        let (state, actor) = (state.clone(), actor.clone());
        Box::pin(async move { state.app.record_export_page(&actor, after).await })
    })
}

/// What one people ledger's export is: the file's name, its sheet and columns, and where its
/// rows come from. The page and the API answer the same file; only their errors differ.
struct Export {
    stem: &'static str,
    sheet: &'static str,
    columns: &'static [&'static str],
    fetch: fn(AppState, &Signed) -> Fetch,
}

const RECORDS: Export = Export {
    stem: "service-records",
    sheet: "服务记录",
    columns: &pt::RECORD_EXPORT_COLUMNS,
    fetch: record_fetch,
};

const WORKERS: Export = Export {
    stem: "social-workers",
    sheet: "社工",
    columns: &pt::WORKER_EXPORT_COLUMNS,
    fetch: worker_fetch,
};

const VOLUNTEERS: Export = Export {
    stem: "volunteers",
    sheet: "志愿者",
    columns: &pt::VOLUNTEER_EXPORT_COLUMNS,
    fetch: volunteer_fetch,
};

impl Export {
    async fn answer(
        &self,
        state: AppState,
        s: &Signed,
        q: &FormatQuery,
    ) -> Result<Response, AppError> {
        let fetch = (self.fetch)(state, s);
        export(&q.format, self.stem, self.sheet, self.columns, fetch).await
    }
}

pub async fn export_records(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<FormatQuery>,
) -> Result<Response, PageError> {
    RECORDS.answer(state, &s, &q).await.page(s.locale)
}

pub async fn api_export_records(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<FormatQuery>,
) -> ApiResult {
    Ok(RECORDS.answer(state, &s, &q).await?)
}

pub async fn export_workers(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<FormatQuery>,
) -> Result<Response, PageError> {
    WORKERS.answer(state, &s, &q).await.page(s.locale)
}

pub async fn api_export_workers(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<FormatQuery>,
) -> ApiResult {
    Ok(WORKERS.answer(state, &s, &q).await?)
}

pub async fn export_volunteers(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<FormatQuery>,
) -> Result<Response, PageError> {
    VOLUNTEERS.answer(state, &s, &q).await.page(s.locale)
}

pub async fn api_export_volunteers(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<FormatQuery>,
) -> ApiResult {
    Ok(VOLUNTEERS.answer(state, &s, &q).await?)
}

fn template_response(
    s: &Signed,
    columns: &[&str],
    sheet: &str,
    example: &[&str],
    stem: &str,
    xlsx: bool,
) -> Result<Response, PageError> {
    let b = pt::template(columns, sheet, example, xlsx).page(s.locale)?;
    Ok(if xlsx {
        download(b, XLSX, &format!("{stem}.xlsx"))
    } else {
        download(b, CSV, &format!("{stem}.csv"))
    })
}

pub async fn worker_template_xlsx(PageUser(s): PageUser) -> Result<Response, PageError> {
    template_response(
        &s,
        &pt::WORKER_COLUMNS,
        "社工",
        &pt::WORKER_EXAMPLE,
        "social-workers-template",
        true,
    )
}

pub async fn worker_template_csv(PageUser(s): PageUser) -> Result<Response, PageError> {
    template_response(
        &s,
        &pt::WORKER_COLUMNS,
        "社工",
        &pt::WORKER_EXAMPLE,
        "social-workers-template",
        false,
    )
}

pub async fn volunteer_template_xlsx(PageUser(s): PageUser) -> Result<Response, PageError> {
    template_response(
        &s,
        &pt::VOLUNTEER_COLUMNS,
        "志愿者",
        &pt::VOLUNTEER_EXAMPLE,
        "volunteers-template",
        true,
    )
}

pub async fn volunteer_template_csv(PageUser(s): PageUser) -> Result<Response, PageError> {
    template_response(
        &s,
        &pt::VOLUNTEER_COLUMNS,
        "志愿者",
        &pt::VOLUNTEER_EXAMPLE,
        "volunteers-template",
        false,
    )
}

fn worker_page(s: &Signed) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_user(s, "/social-workers/import"),
        title: "批量导入社工",
        action: "/social-workers/import",
        back: "/social-workers",
        back_label: "社工台账",
        templates: vec![
            ("模板（Excel）", "/social-workers/template.xlsx"),
            ("模板（CSV）", "/social-workers/template.csv"),
        ],
        summary: String::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    }
}

fn volunteer_page(s: &Signed) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_user(s, "/volunteers/roster/import"),
        title: "批量导入志愿者名册",
        action: "/volunteers/roster/import",
        back: "/volunteers",
        back_label: "志愿者",
        templates: vec![
            ("模板（Excel）", "/volunteers/roster/template.xlsx"),
            ("模板（CSV）", "/volunteers/roster/template.csv"),
        ],
        summary: String::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    }
}

pub async fn worker_import_form(PageUser(s): PageUser) -> Response {
    render(StatusCode::OK, &worker_page(&s))
}

pub async fn volunteer_import_form(PageUser(s): PageUser) -> Response {
    render(StatusCode::OK, &volunteer_page(&s))
}

fn summary_text(r: &pt::PeopleImportSummary, what: &str) -> String {
    format!(
        "导入完成：共 {} 行，新增 {} 名{what}，已存在未变 {} 名。",
        r.rows, r.added, r.unchanged
    )
}

pub async fn import_workers(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let page = worker_page(&s);
    let (app, actor, ctx) = (state.app.clone(), s.actor.clone(), s.ctx.clone());
    import_page_result(&s, mp, page, |t, name| async move {
        let r = app.import_social_workers(&actor, t, &name, &ctx).await?;
        Ok((summary_text(&r, "社工"), Vec::new()))
    })
    .await
}

pub async fn import_volunteers(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let page = volunteer_page(&s);
    let (app, actor, ctx) = (state.app.clone(), s.actor.clone(), s.ctx.clone());
    import_page_result(&s, mp, page, |t, name| async move {
        let r = app.import_volunteers(&actor, t, &name, &ctx).await?;
        Ok((summary_text(&r, "志愿者"), Vec::new()))
    })
    .await
}

pub async fn api_import_workers(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let name = q.name();
    let r = state
        .app
        .import_social_workers(&s.actor, body.to_vec(), &name, &s.ctx)
        .await?;
    Ok(Json(r).into_response())
}

pub async fn api_import_volunteers(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let name = q.name();
    let r = state
        .app
        .import_volunteers(&s.actor, body.to_vec(), &name, &s.ctx)
        .await?;
    Ok(Json(r).into_response())
}
