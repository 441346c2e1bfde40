//! Pages and API of volunteers, service records and certificates, and the public verification page.

mod account;
mod units;

pub use account::{api_accounts, api_link, link};
pub use units::{api_confirm, api_units, confirm};

use crate::answer::{self, Created, Issued};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{
    download, import_page_result, local_time, render, ApiJson, Chrome, Empty, FormErrors,
    ImportPage, ImportQuery, PageResult, CSV,
};
use crate::AppState;
use app::volunteer::{AccountChoice, UnitChoice, VolunteerDetail};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::volunteer::{hours_text, ServiceRecordForm, VolunteerForm, CONSENT_TEXT};
use serde::Deserialize;
use store::volunteer::VolunteerRow;

const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    limit: Option<i64>,
}

#[derive(Template)]
#[template(path = "volunteers.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<VolunteerRow>,
    pager: crate::kit::Pager,
}

impl ListPage {
    fn hours(&self, m: &i64) -> String {
        hours_text(*m)
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let list = state
        .app
        .list_volunteers(&s.actor, Some(&q.q), Some(&q.after), PAGE)
        .await
        .page(s.locale)?;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_user(&s, "/volunteers"),
            pager: crate::kit::Pager::of(&list, "/volunteers", &[("q", &q.q)]),
            q: q.q,
            rows: list.items,
        },
    ))
}

#[derive(Template)]
#[template(path = "volunteer_form.html")]
struct FormPage {
    chrome: Chrome,
    form: VolunteerForm,
    errors: FormErrors,
    consent_text: &'static str,
}

pub async fn new_form(PageUser(s): PageUser) -> Response {
    let area = s
        .actor
        .assignments
        .iter()
        .find(|a| a.area.level() == domain::AreaLevel::Community)
        .map(|a| a.area.as_str().to_string())
        .unwrap_or_default();
    let form = VolunteerForm {
        area,
        ..Default::default()
    };
    render(
        StatusCode::OK,
        &FormPage {
            chrome: Chrome::for_user(&s, "/volunteers/new"),
            form,
            errors: FormErrors::default(),
            consent_text: CONSENT_TEXT,
        },
    )
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<VolunteerForm>,
) -> Result<Response, PageError> {
    match state.app.register_volunteer(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/volunteers/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => Ok(render(
                crate::error::status_of(&e),
                &FormPage {
                    chrome: Chrome::for_user(&s, "/volunteers/new"),
                    form,
                    errors,
                    consent_text: CONSENT_TEXT,
                },
            )),
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "volunteer.html")]
struct DetailPage {
    chrome: Chrome,
    d: VolunteerDetail,
    errors: FormErrors,
    /// (field, label key, value typed)
    fields: Vec<(&'static str, &'static str, String)>,
    history: Vec<(i64, String, String, String)>,
    /// The recording units the form offers, and the one picked.
    units: Vec<UnitChoice>,
    unit: String,
    /// The account search typed (linking a volunteer to an account) and what it found.
    account_q: String,
    accounts: Vec<AccountChoice>,
}

impl DetailPage {
    fn hours(&self, m: &i64) -> String {
        hours_text(*m)
    }
    fn when(&self, at: &str) -> String {
        local_time(at)
    }
}

fn record_fields(f: &ServiceRecordForm) -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "activity_name",
            "vol.activity_name",
            f.activity_name.clone(),
        ),
        (
            "activity_date",
            "vol.activity_date",
            f.activity_date.clone(),
        ),
        ("place", "vol.place", f.place.clone()),
        ("content", "vol.content", f.content.clone()),
        ("hours", "vol.hours", f.hours.clone()),
        (
            "person_in_charge",
            "vol.person_in_charge",
            f.person_in_charge.clone(),
        ),
        ("late_reason", "vol.late_reason", f.late_reason.clone()),
    ]
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    page: &RecordsPage,
    status: StatusCode,
    form: ServiceRecordForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let d = state
        .app
        .volunteer_detail(&s.actor, id, page.before(), &s.ctx)
        .await
        .page(s.locale)?;
    let versions = state
        .app
        .volunteer_versions(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    let units = state.app.recording_units(id).await.page(s.locale)?;
    let account_q = page.account_q.trim().to_string();
    let accounts = if d.is_unit && d.row.user_id.is_none() {
        state
            .app
            .account_candidates(&s.actor, id, &account_q)
            .await
            .page(s.locale)?
    } else {
        Vec::new()
    };
    let page = DetailPage {
        chrome: Chrome::for_user(s, &format!("/volunteers/{id}")),
        history: crate::kit::history(&versions),
        d,
        errors,
        fields: record_fields(&form),
        units,
        unit: form.unit,
        account_q,
        accounts,
    };
    Ok(render(status, &page))
}

/// Which page of a volunteer's records (`before`: the `next_before` of the page before).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecordsPage {
    pub before: String,
    /// An account search on the page (linking the volunteer to an account).
    pub account_q: String,
}

impl RecordsPage {
    fn before(&self) -> Option<&str> {
        Some(self.before.trim()).filter(|b| !b.is_empty())
    }
}

pub async fn detail(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Query(page): Query<RecordsPage>,
) -> Result<Response, PageError> {
    detail_page(
        &state,
        &s,
        &id,
        &page,
        StatusCode::OK,
        ServiceRecordForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn add_record(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ServiceRecordForm>,
) -> Result<Response, PageError> {
    match state.app.record_service(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/volunteers/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                detail_page(
                    &state,
                    &s,
                    &id,
                    &RecordsPage::default(),
                    crate::error::status_of(&e),
                    form,
                    errors,
                )
                .await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(flatten)]
    record: ServiceRecordForm,
    #[serde(default)]
    note: String,
}

/// The volunteer whose record `record_id` is, for redirects.
async fn volunteer_of_record(state: &AppState, record_id: &str) -> Option<String> {
    state
        .app
        .volunteer_of_record(record_id)
        .await
        .ok()
        .flatten()
}

pub async fn request_correction(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(record_id): Path<String>,
    CsrfForm(f): CsrfForm<CorrectionForm>,
) -> Result<Response, PageError> {
    state
        .app
        .request_correction(&s.actor, &record_id, &f.record, &f.note, &s.ctx)
        .await
        .page(s.locale)?;
    let v = volunteer_of_record(&state, &record_id)
        .await
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/volunteers/{v}")).into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    accept: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(record_id): Path<String>,
    CsrfForm(f): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    state
        .app
        .decide_correction(&s.actor, &record_id, f.accept == "1", &s.ctx)
        .await
        .page(s.locale)?;
    let v = volunteer_of_record(&state, &record_id)
        .await
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/volunteers/{v}")).into_response())
}

pub async fn issue_certificate(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let code = state
        .app
        .issue_certificate(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(Redirect::to(&format!("/volunteers/{id}/certificates/{code}")).into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    name: String,
    hours: String,
    count: i64,
    contents: Vec<String>,
    units: String,
    code: String,
    issued: String,
    volunteer_id: String,
    hash: Option<String>,
}

pub async fn certificate(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let v = state
        .app
        .volunteer_certificate(&s.actor, &id, &code, &s.ctx)
        .await
        .page(s.locale)?;
    let c = v.certificate;
    let issued = local_time(&c.issued_at).chars().take(10).collect();
    let page = CertificatePage {
        name: v.name,
        hours: c.hours,
        count: c.record_count,
        contents: v.contents,
        units: c.units,
        code: c.code,
        issued,
        volunteer_id: id,
        hash: c.content_hash,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    code: String,
    cert: Option<app::volunteer::VerifiedCertificate>,
    issued: String,
}

#[derive(Deserialize, Default)]
pub struct VerifyQuery {
    #[serde(default)]
    code: String,
}

/// Public: anyone checks a certificate by its code.
pub async fn verify(State(state): State<AppState>, Query(q): Query<VerifyQuery>) -> Response {
    let code = q.code.trim().to_string();
    if code.is_empty() {
        return render(
            StatusCode::OK,
            &VerifyPage {
                code,
                cert: None,
                issued: String::new(),
            },
        );
    }
    match state.app.verify_certificate(&code).await {
        Ok(c) => {
            let issued = local_time(&c.issued_at);
            render(
                StatusCode::OK,
                &VerifyPage {
                    code,
                    cert: Some(c),
                    issued,
                },
            )
        }
        Err(AppError::NotFound(_)) => render(
            StatusCode::NOT_FOUND,
            &VerifyPage {
                code,
                cert: None,
                issued: String::new(),
            },
        ),
        Err(e) => PageError::new(e, crate::i18n::Locale::Zh).into_response(),
    }
}

// ---------- API ----------

pub async fn api_list(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let page = state
        .app
        .list_volunteers(
            &s.actor,
            Some(&q.q),
            Some(&q.after),
            app::page::limit(q.limit),
        )
        .await?;
    answer::send(StatusCode::OK, &page)
}

pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<VolunteerForm>,
) -> Result<Response, ApiError> {
    let id = state
        .app
        .register_volunteer(&s.actor, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_detail(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    Query(page): Query<RecordsPage>,
) -> Result<Response, ApiError> {
    Ok(Json(
        state
            .app
            .volunteer_detail(&s.actor, &id, page.before(), &s.ctx)
            .await?,
    )
    .into_response())
}

pub async fn api_add_record(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ServiceRecordForm>,
) -> Result<Response, ApiError> {
    let rid = state
        .app
        .record_service(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id: rid })
}

pub async fn api_correction(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(record_id): Path<String>,
    ApiJson(f): ApiJson<CorrectionForm>,
) -> Result<Response, ApiError> {
    let id = state
        .app
        .request_correction(&s.actor, &record_id, &f.record, &f.note, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

#[derive(Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    accept: bool,
}

pub async fn api_decide(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(record_id): Path<String>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Response, ApiError> {
    state
        .app
        .decide_correction(&s.actor, &record_id, b.accept, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn api_issue_certificate(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let code = state.app.issue_certificate(&s.actor, &id, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Issued { code })
}

/// Public: verify a certificate.
pub async fn api_verify(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.verify_certificate(&code).await?).into_response())
}

// ---------- import of service records ----------

fn records_import_page(s: &Signed) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_user(s, "/volunteers/import"),
        title: "批量导入志愿服务记录",
        action: "/volunteers/import",
        back: "/volunteers",
        back_label: "志愿者",
        templates: vec![
            ("模板（Excel）", "/volunteers/records-template.xlsx"),
            ("模板（CSV）", "/volunteers/records-template.csv"),
        ],
        summary: String::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    }
}

pub async fn import_form(PageUser(s): PageUser) -> Response {
    render(StatusCode::OK, &records_import_page(&s))
}

pub async fn records_template(PageUser(_): PageUser) -> Response {
    let mut out = "\u{feff}".as_bytes().to_vec();
    app::transfer::write_csv_row(
        &mut out,
        &app::record_transfer::COLUMNS.map(str::to_string),
        false,
    );
    download(out, CSV, "service-records-template.csv")
}

/// The service-record template as an Excel workbook: the header row and one example row.
pub async fn records_template_xlsx(PageUser(s): PageUser) -> Result<Response, PageError> {
    let out = app::people_transfer::template(
        &app::record_transfer::COLUMNS,
        "服务记录",
        &app::record_transfer::EXAMPLE,
        true,
    )
    .map_err(|e| PageError::new(e, s.locale))?;
    Ok(download(
        out,
        crate::kit::XLSX,
        "service-records-template.xlsx",
    ))
}

pub async fn import(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let page = records_import_page(&s);
    let (app, actor, ctx) = (state.app.clone(), s.actor.clone(), s.ctx.clone());
    import_page_result(&s, mp, page, |t, name| async move {
        let r = app.import_service_records(&actor, t, &name, &ctx).await?;
        Ok((
            format!(
                "导入完成：共 {} 行，新增 {} 条，已导入过的 {} 条未重复导入，涉及 {} 名志愿者。",
                r.rows, r.added, r.unchanged, r.volunteers
            ),
            Vec::new(),
        ))
    })
    .await
}

/// API import: the file (CSV or .xlsx) is the request body.
pub async fn api_import(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let name = q.name();
    Ok(Json(
        state
            .app
            .import_service_records(&s.actor, body.to_vec(), &name, &s.ctx)
            .await?,
    )
    .into_response())
}
