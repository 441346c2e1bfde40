//! Files in and out: downloads, multipart uploads (with their CSRF token), and the import page
//! every ledger shows with its last result.

use crate::auth::{CsrfRejection, Signed};
use crate::error::PageError;
use crate::kit::page::{render, Chrome, PageResult};
use app::AppError;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The content type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The content type of a UTF-8 CSV file.
pub const CSV: &str = "text/csv; charset=utf-8";

/// `bytes` as a file to save under `filename`.
/// An Excel export cut at `app::transfer::XLSX_EXPORT_ROWS` says so in a header too
/// (`x-export-truncated: <rows kept>`), beside the notice ending its sheet.
pub fn cut_notice(mut r: Response, cut: bool) -> Response {
    if cut {
        r.headers_mut().insert(
            "x-export-truncated",
            axum::http::HeaderValue::from(app::transfer::XLSX_EXPORT_ROWS),
        );
    }
    r
}

pub fn download(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The query of an API import, whose body is the file: its name, for the messages.
#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    pub filename: String,
}

impl ImportQuery {
    /// The file's name, `upload` when none was given.
    pub fn name(self) -> String {
        if self.filename.is_empty() {
            "upload".to_string()
        } else {
            self.filename
        }
    }
}

/// The import page of one ledger: where to upload, which templates, and the last result.
#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub action: &'static str,
    pub back: &'static str,
    pub back_label: &'static str,
    pub templates: Vec<(&'static str, &'static str)>,
    pub summary: String,
    pub warnings: Vec<String>,
    pub errors: Vec<app::ImportError>,
}

impl ImportPage {
    /// The edit page an error names (`/…/edit`), to link it.
    pub fn edit_link(&self, message: &str) -> Option<String> {
        message
            .split_whitespace()
            .find(|w| w.starts_with('/') && w.ends_with("/edit"))
            .map(str::to_string)
    }
}

/// Reads a multipart upload: the CSRF token travels as a form field beside the file. `None` when
/// the token is wrong (the caller answers 403); the file may be empty.
async fn read_upload(
    s: &Signed,
    mut mp: axum::extract::Multipart,
) -> Result<Option<(String, Vec<u8>)>, AppError> {
    let mut csrf = String::new();
    let mut file = (String::from("upload"), Vec::new());
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    {
        match field.name() {
            Some("csrf_token") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                file = (name, bytes.to_vec());
            }
            _ => {}
        }
    }
    if csrf.is_empty() || s.csrf.as_deref() != Some(csrf.as_str()) {
        return Ok(None);
    }
    Ok(Some(file))
}

/// Runs an import from an upload and shows its result on `page`.
pub async fn import_page_result<F, Fut>(
    s: &Signed,
    mp: axum::extract::Multipart,
    mut page: ImportPage,
    run: F,
) -> Result<Response, PageError>
where
    F: FnOnce(Vec<u8>, String) -> Fut,
    Fut: std::future::Future<Output = Result<(String, Vec<String>), AppError>>,
{
    let Some((name, bytes)) = read_upload(s, mp).await.page(s.locale)? else {
        return Ok(CsrfRejection.into_response());
    };
    if bytes.is_empty() {
        page.errors = vec![app::ImportError {
            file: String::new(),
            line: 0,
            column: None,
            message: "请选择要导入的文件".into(),
        }];
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let result = run(bytes.to_vec(), name).await;
    match result {
        Ok((summary, warnings)) => {
            page.summary = summary;
            page.warnings = warnings;
            Ok(render(StatusCode::OK, &page))
        }
        Err(AppError::Import(errors)) => {
            page.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}
