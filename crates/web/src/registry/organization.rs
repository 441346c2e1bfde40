//! One organization: the forms to record and edit it (optimistic locking), its page with the
//! history of its versions, and its incubation periods and disclosures; pages and API.

use super::{categories, statuses};
use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::kit::{render, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::registry::{
    DisclosureForm, DisclosureKind, IncubationForm, OrganizationForm, RegistrationStatus,
};
use serde::Deserialize;
use store::registry::OrgRow;

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

impl FormPage {
    fn grade_selected(&self, g: &str) -> bool {
        self.form.grade.trim_end_matches(['A', 'a']) == g
    }
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
    let history = crate::kit::history(&d.versions);
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

// ---------- API ----------

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
