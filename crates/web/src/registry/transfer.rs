//! The ledger in and out: import templates, the import page and the API import (all rows or
//! none), and the export of the filtered ledger, streamed as CSV or built as Excel.

use super::OrgQuery;
use crate::auth::{ApiUser, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{
    download, import_page_result, render, Chrome, ImportPage, ImportQuery, PageResult, CSV, XLSX,
};
use crate::AppState;
use app::AppError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use store::registry::OrgRow;

pub async fn template_xlsx(PageUser(s): PageUser) -> Result<Response, PageError> {
    let b = app::org_transfer::template_xlsx().page(s.locale)?;
    Ok(download(b, XLSX, "organizations-template.xlsx"))
}

pub async fn template_csv(PageUser(_): PageUser) -> Response {
    download(
        app::org_transfer::template_csv(),
        CSV,
        "organizations-template.csv",
    )
}

fn import_page(s: &Signed) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_user(s, "/organizations/import"),
        title: "批量导入社会组织",
        action: "/organizations/import",
        back: "/organizations",
        back_label: "社会组织台账",
        templates: vec![
            ("模板（Excel）", "/organizations/template.xlsx"),
            ("模板（CSV）", "/organizations/template.csv"),
        ],
        summary: String::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    }
}

pub async fn import_form(PageUser(s): PageUser) -> Response {
    render(StatusCode::OK, &import_page(&s))
}

pub async fn import(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let page = import_page(&s);
    let (app, actor, ctx) = (state.app.clone(), s.actor.clone(), s.ctx.clone());
    import_page_result(&s, mp, page, |t, name| async move {
        let r = app.import_organizations(&actor, t, &name, &ctx).await?;
        Ok((
            format!(
                "导入完成：共 {} 行，新增 {} 个，已存在未变 {} 个。",
                r.rows, r.added, r.unchanged
            ),
            r.warnings,
        ))
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(flatten)]
    q: OrgQuery,
}

/// Streams the filtered ledger, page by page, in the template's columns: CSV (UTF-8 with BOM, or
/// GB18030) or Excel. Only what the reader may see; personal data is not part of this ledger.
async fn export_response(state: AppState, s: Signed, q: ExportQuery) -> Result<Response, AppError> {
    let filter = q.q.filter()?;
    // A refusal must be an error answer, not an empty file: check the first page now.
    let first = state.app.export_page(&s.actor, &filter, &s.ctx).await?;
    let gb = q.format == "gb18030";
    if q.format == "xlsx" {
        let mut rows: Vec<Vec<String>> = first
            .iter()
            .map(|r| app::org_transfer::row_of(&r.org))
            .collect();
        let mut after = first.last().map(|r| (r.org.name.clone(), r.id.clone()));
        // Built whole, so capped: past the limit the sheet ends with a notice.
        while rows.len() <= app::transfer::XLSX_EXPORT_ROWS {
            let Some(a) = after.take() else { break };
            let page = state
                .app
                .export_page(
                    &s.actor,
                    &store::registry::OrgFilter {
                        after: Some(a),
                        ..filter.clone()
                    },
                    &s.ctx,
                )
                .await?;
            rows.extend(page.iter().map(|r| app::org_transfer::row_of(&r.org)));
            after = page.last().map(|r| (r.org.name.clone(), r.id.clone()));
        }
        let (b, cut) = app::transfer::write_xlsx_export(
            "社会组织",
            &app::org_transfer::COLUMNS,
            rows,
            after.is_some(),
        )?;
        return Ok(crate::kit::cut_notice(
            download(b, XLSX, "organizations.xlsx"),
            cut,
        ));
    }
    let mut head = if gb {
        Vec::new()
    } else {
        "\u{feff}".as_bytes().to_vec()
    };
    app::transfer::write_csv_row(
        &mut head,
        &app::org_transfer::COLUMNS.map(str::to_string),
        gb,
    );
    struct Cursor {
        state: AppState,
        actor: domain::Actor,
        ctx: app::Ctx,
        filter: store::registry::OrgFilter,
        pending: Option<Vec<OrgRow>>,
        head: Option<Vec<u8>>,
        done: bool,
    }
    let cursor = Cursor {
        state,
        actor: s.actor.clone(),
        ctx: s.ctx.clone(),
        filter,
        pending: Some(first),
        head: Some(head),
        done: false,
    };
    let stream = futures_util::stream::unfold(cursor, move |mut c| async move {
        if let Some(h) = c.head.take() {
            return Some((Ok::<_, std::io::Error>(h), c));
        }
        if c.done {
            return None;
        }
        let page = match c.pending.take() {
            Some(p) => p,
            None => match c.state.app.export_page(&c.actor, &c.filter, &c.ctx).await {
                Ok(p) => p,
                Err(e) => {
                    return Some((
                        Err(std::io::Error::other(e.to_string())),
                        Cursor { done: true, ..c },
                    ))
                }
            },
        };
        if page.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for r in &page {
            app::transfer::write_csv_row(&mut out, &app::org_transfer::row_of(&r.org), gb);
        }
        match page.last() {
            Some(last) if page.len() >= 200 => {
                c.filter.after = Some((last.org.name.clone(), last.id.clone()))
            }
            _ => c.done = true,
        }
        Some((Ok(out), c))
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
                "attachment; filename=\"organizations.csv\"".to_string(),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

pub async fn export(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let locale = s.locale;
    export_response(state, s, q).await.page(locale)
}

pub async fn api_export(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    Ok(export_response(state, s, q).await?)
}

/// API import: the file is the request body (CSV or .xlsx).
pub async fn api_import(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let name = q.name();
    let table = body.to_vec();
    let summary = state
        .app
        .import_organizations(&s.actor, table, &name, &s.ctx)
        .await?;
    Ok(Json(summary).into_response())
}
