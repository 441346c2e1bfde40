//! Pages and API of the registries (台账): organizations.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{
    download, import_page_result, local_time, render, ApiJson, Chrome, FormErrors, ImportPage,
    ImportQuery, PageResult, CSV, XLSX,
};
use crate::AppState;
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::registry::{
    DisclosureForm, DisclosureKind, IncubationForm, OrgCategory, OrganizationForm,
    RegistrationStatus,
};
use domain::AreaCode;
use serde::Deserialize;
use store::registry::{OrgFilter, OrgRow};

pub const PAGE: i64 = 50;

fn categories() -> Vec<(&'static str, &'static str)> {
    OrgCategory::ALL
        .iter()
        .map(|c| (c.as_str(), c.zh()))
        .collect()
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    RegistrationStatus::ALL
        .iter()
        .map(|c| (c.as_str(), c.zh()))
        .collect()
}

/// The list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub hub: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub incubated: String,
    /// Keyset cursor `name|id`.
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl OrgQuery {
    pub fn filter(&self) -> Result<OrgFilter, AppError> {
        let opt = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        let area = match opt(&self.area) {
            Some(a) => Some(AreaCode::parse(&a).map_err(|e| match e {
                domain::DomainError::Invalid(mut f) => {
                    for x in f.iter_mut() {
                        x.field = "area".into();
                    }
                    AppError::Domain(domain::DomainError::Invalid(f))
                }
                other => AppError::Domain(other),
            })?),
            None => None,
        };
        let boolean = |s: &str| match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        };
        Ok(OrgFilter {
            area,
            category: OrgCategory::parse(self.category.trim()),
            status: RegistrationStatus::parse(self.status.trim()),
            grade: self
                .grade
                .trim()
                .parse()
                .ok()
                .filter(|g| (1..=5).contains(g)),
            hub: boolean(&self.hub),
            brand: boolean(&self.brand),
            incubated: boolean(&self.incubated),
            q: opt(&self.q),
            after: self
                .after
                .split_once('|')
                .map(|(n, i)| (n.to_string(), i.to_string())),
        })
    }

    fn next_link(&self, last: &OrgRow) -> String {
        let e = crate::error::urlencode;
        format!(
            "/organizations?q={}&area={}&category={}&status={}&grade={}&hub={}&brand={}&incubated={}&after={}",
            e(&self.q), e(&self.area), e(&self.category), e(&self.status), e(&self.grade), e(&self.hub),
            e(&self.brand), e(&self.incubated), e(&format!("{}|{}", last.org.name, last.id))
        )
    }
}

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
}

impl FormPage {
    fn grade_selected(&self, g: &str) -> bool {
        self.form.grade.trim_end_matches(['A', 'a']) == g
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

#[derive(Template)]
#[template(path = "organization_form.html")]
struct FormPage {
    chrome: Chrome,
    id: String,
    version: i64,
    form: OrganizationForm,
    errors: FormErrors,
    conflict: String,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

fn form_page(
    s: &Signed,
    id: &str,
    version: i64,
    form: OrganizationForm,
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
        chrome: Chrome::for_user(
            s,
            if id.is_empty() {
                "/organizations/new"
            } else {
                "/organizations"
            },
        ),
        id: id.to_string(),
        version,
        form,
        errors,
        conflict,
        categories: categories(),
        statuses: statuses(),
    };
    render(status, &page)
}

pub async fn new_form(PageUser(s): PageUser) -> Response {
    // Start from the person's own area and the status they manage.
    let own = s.actor.assignments.iter().find_map(|a| {
        RegistrationStatus::ALL
            .into_iter()
            .find(|st| st.authority().0 == a.role)
            .map(|st| (st, a.area.clone()))
    });
    let form = OrganizationForm {
        registration_status: own
            .as_ref()
            .map(|o| o.0.as_str())
            .unwrap_or("filed")
            .to_string(),
        area: own.map(|o| o.1.as_str().to_string()).unwrap_or_default(),
        ..Default::default()
    };
    form_page(&s, "", 0, form, None)
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<OrganizationForm>,
) -> Result<Response, PageError> {
    match state.app.create_organization(&s.actor, &form, &s.ctx).await {
        Ok(saved) => Ok(Redirect::to(&format!("/organizations/{}", saved.id)).into_response()),
        Err(e) if FormErrors::from_error(&e).is_some() => Ok(form_page(&s, "", 0, form, Some(&e))),
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}

#[derive(Template)]
#[template(path = "organization.html")]
struct DetailPage {
    chrome: Chrome,
    d: app::registry::OrgDetail,
    area_name: String,
    /// (version, when, who, what)
    history: Vec<(i64, String, String, String)>,
    warnings: Vec<String>,
    can_disclose: bool,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    inc: IncubationForm,
    disc: DisclosureForm,
}

impl DetailPage {
    fn kind_zh(&self, k: &str) -> &'static str {
        DisclosureKind::parse(k).map(|k| k.zh()).unwrap_or("")
    }
}

/// A refused sub-form of the detail page, shown again with its errors.
#[derive(Default)]
struct Refused {
    status: Option<StatusCode>,
    errors: FormErrors,
    inc: IncubationForm,
    disc: DisclosureForm,
}

pub async fn detail(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    detail_page(&state, &s, &id, Refused::default()).await
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    refused: Refused,
) -> Result<Response, PageError> {
    let id = id.to_string();
    let d = state
        .app
        .organization_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    let area_name = state
        .app
        .area_name(&d.row.org.area)
        .await
        .page(s.locale)?
        .unwrap_or_default();
    // Each version against the one before it.
    let mut history = Vec::new();
    for (i, v) in d.versions.iter().enumerate() {
        let what = match d.versions.get(i + 1) {
            Some(prev) => app::registry::json_diff(&prev.snapshot, &v.snapshot).join("；"),
            None => "建档".to_string(),
        };
        history.push((
            v.version,
            local_time(&v.changed_at),
            v.changed_by.clone().unwrap_or_default(),
            what,
        ));
    }
    let warnings = d
        .row
        .org
        .uscc
        .as_deref()
        .and_then(|u| domain::ident::Uscc::parse(u, "uscc").ok())
        .map(|c| c.warnings)
        .unwrap_or_default();
    let can_disclose = domain::registry::can_disclose(&s.actor, &id, &d.row.org).is_ok();
    let page = DetailPage {
        chrome: Chrome::for_user(s, &format!("/organizations/{id}")),
        d,
        area_name,
        history,
        warnings,
        can_disclose,
        kinds: DisclosureKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.zh()))
            .collect(),
        errors: refused.errors,
        inc: refused.inc,
        disc: refused.disc,
    };
    Ok(render(refused.status.unwrap_or(StatusCode::OK), &page))
}

pub async fn add_incubation(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<IncubationForm>,
) -> Result<Response, PageError> {
    match state.app.add_incubation(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/organizations/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                detail_page(
                    &state,
                    &s,
                    &id,
                    Refused {
                        status: Some(crate::error::status_of(&e)),
                        errors,
                        inc: form,
                        ..Default::default()
                    },
                )
                .await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn add_disclosure(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DisclosureForm>,
) -> Result<Response, PageError> {
    match state.app.add_disclosure(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/organizations/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                detail_page(
                    &state,
                    &s,
                    &id,
                    Refused {
                        status: Some(crate::error::status_of(&e)),
                        errors,
                        disc: form,
                        ..Default::default()
                    },
                )
                .await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn api_add_incubation(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<IncubationForm>,
) -> Result<Response, ApiError> {
    let iid = state
        .app
        .add_incubation(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id: iid })
}

pub async fn api_add_disclosure(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<DisclosureForm>,
) -> Result<Response, ApiError> {
    let did = state
        .app
        .add_disclosure(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id: did })
}

/// The stored organization as the form shows it.
fn form_of(r: &OrgRow) -> OrganizationForm {
    let o = &r.org;
    OrganizationForm {
        name: o.name.clone(),
        uscc: o.uscc.clone().unwrap_or_default(),
        registration_status: o.registration_status.as_str().into(),
        category: o.category.as_str().into(),
        area: o.area.as_str().into(),
        is_hub: o.is_hub.then(|| "on".into()),
        is_brand: o.is_brand.then(|| "on".into()),
        grade: o.grade.map(|g| g.to_string()).unwrap_or_default(),
        grade_date: o.grade_date.map(|d| d.to_string()).unwrap_or_default(),
        address: o.address.clone(),
        description: o.description.clone(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .organization_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    if !d.editable {
        return Err(PageError::new(
            AppError::Denied(domain::Denied {
                code: "not_managing_authority",
                message: format!(
                    "无权修改：{}的社会组织由{}管理",
                    d.row.org.registration_status.zh(),
                    d.row.org.registration_status.authority_zh()
                ),
            }),
            s.locale,
        ));
    }
    Ok(form_page(&s, &id, d.row.version, form_of(&d.row), None))
}

/// The edit form, with the version it was loaded at.
#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: i64,
    #[serde(flatten)]
    form: OrganizationForm,
}

pub async fn update(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .update_organization(&s.actor, &id, f.version, &f.form, &s.ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/organizations/{id}")).into_response()),
        Err(e)
            if FormErrors::from_error(&e).is_some()
                || matches!(e, AppError::StaleVersion { .. }) =>
        {
            Ok(form_page(&s, &id, f.version, f.form, Some(&e)))
        }
        Err(e) => Err(PageError::new(e, s.locale)),
    }
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

pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<OrganizationForm>,
) -> Result<Response, ApiError> {
    let saved = state
        .app
        .create_organization(&s.actor, &form, &s.ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

pub async fn api_detail(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let d = state.app.organization_detail(&s.actor, &id, &s.ctx).await?;
    Ok(Json(d).into_response())
}

pub async fn api_update(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<EditForm>,
) -> Result<Response, ApiError> {
    let saved = state
        .app
        .update_organization(&s.actor, &id, f.version, &f.form, &s.ctx)
        .await?;
    Ok(Json(saved).into_response())
}

// ---------- import and export ----------

impl ListPage {
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
        while let Some(a) = after.take() {
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
        let b = app::transfer::write_xlsx("社会组织", &app::org_transfer::COLUMNS, &rows)?;
        return Ok(download(b, XLSX, "organizations.xlsx"));
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
    export_response(state, s, q)
        .await
        .map_err(|e| PageError::new(e, locale))
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
