//! Pages and API of consultation meetings.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{status_of, ApiError, PageError};
use crate::kit::{ids, refused, render, with_lists, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::chain::consultation::{ConsultationDetail, ConsultationList};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::consultation::{
    AttendeeForm, AttendeeRole, CommentForm, ConsultationForm, FreezeForm,
};

#[derive(Template)]
#[template(path = "consultations.html")]
struct ListPage {
    chrome: Chrome,
    pager: crate::kit::Pager,
    list: ConsultationList,
    form: ConsultationForm,
    errors: FormErrors,
}

impl ListPage {
    fn chosen(&self, id: &str) -> bool {
        ids(&self.form.projects).any(|x| x == id)
    }
}

async fn list_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    mut form: ConsultationForm,
    errors: FormErrors,
    after: &str,
) -> Result<Response, PageError> {
    let list = state
        .app
        .consultations(&s.actor, Some(after), app::page::DEFAULT_LIMIT)
        .await
        .page(s.locale)?;
    if form.community.is_empty() {
        if let [only] = list.can_convene_for.as_slice() {
            form.community = only.as_str().to_string();
        }
    }
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_user(s, "/consultations"),
            pager: crate::kit::Pager::of(&list.page, "/consultations", &[]),
            list,
            form,
            errors,
        },
    ))
}

pub async fn consultations(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, PageError> {
    list_page(
        &state,
        &s,
        StatusCode::OK,
        ConsultationForm::default(),
        FormErrors::default(),
        &p.after,
    )
    .await
}

pub async fn convene(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form: ConsultationForm = with_lists(pairs);
    match state
        .app
        .convene_consultation(&s.actor, &form, &s.ctx)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/consultations/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => list_page(&state, &s, st, form, errors, "").await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct DetailPage {
    chrome: Chrome,
    d: ConsultationDetail,
    roles: Vec<(&'static str, &'static str)>,
    notice: String,
    /// What was typed in the refused form, to keep it.
    comment: CommentForm,
    attendee: AttendeeForm,
    freeze: FreezeForm,
    erratum: domain::chain::erratum::ErratumForm,
    errors: FormErrors,
}

impl DetailPage {
    fn title_of(&self, project: &Option<String>) -> String {
        self.d
            .agenda
            .iter()
            .find(|a| Some(&a.project_id) == project.as_ref())
            .map(|a| a.title.clone())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Typed {
    comment: CommentForm,
    attendee: AttendeeForm,
    freeze: FreezeForm,
    erratum: domain::chain::erratum::ErratumForm,
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    notice: String,
    typed: Typed,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let d = state
        .app
        .consultation_detail(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &DetailPage {
            chrome: Chrome::for_user(s, &format!("/consultations/{id}")),
            d,
            roles: AttendeeRole::options(),
            notice,
            comment: typed.comment,
            attendee: typed.attendee,
            freeze: typed.freeze,
            erratum: typed.erratum,
            errors,
        },
    ))
}

pub async fn consultation(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    detail_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        String::new(),
        Typed::default(),
        FormErrors::default(),
    )
    .await
}

/// Back to the meeting, or the meeting again with the typed form kept and what was wrong.
async fn after(
    state: &AppState,
    s: &Signed,
    id: &str,
    typed: Typed,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/consultations/{id}")).into_response()),
        Err(e @ (AppError::Domain(_) | AppError::Denied(_))) => {
            let errors = FormErrors::from_error(&e).unwrap_or_default();
            let notice = if errors.any() {
                String::new()
            } else {
                e.to_string()
            };
            detail_page(state, s, id, status_of(&e), notice, typed, errors).await
        }
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}

pub async fn attend(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AttendeeForm>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .record_attendee(&s.actor, &id, &form, &s.ctx)
        .await;
    let typed = Typed {
        attendee: form,
        ..Typed::default()
    };
    after(&state, &s, &id, typed, r).await
}

pub async fn comment(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<Response, PageError> {
    let r = state.app.record_comment(&s.actor, &id, &form, &s.ctx).await;
    let typed = Typed {
        comment: form,
        ..Typed::default()
    };
    after(&state, &s, &id, typed, r).await
}

pub async fn freeze(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<FreezeForm>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .freeze_consultation(&s.actor, &id, &form, &s.ctx)
        .await;
    let typed = Typed {
        freeze: form,
        ..Typed::default()
    };
    after(&state, &s, &id, typed, r).await
}

/// The author of the signed minutes appends a correction; back to it on the page (the receipt),
/// or the page again with what was typed and why not.
pub async fn correct(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(mut form): CsrfForm<domain::chain::erratum::ErratumForm>,
) -> Result<Response, PageError> {
    form.kind = domain::chain::erratum::ErratumKind::ConsultationMinutes
        .as_str()
        .to_string();
    match state.app.append_erratum(&s.actor, &id, &form, &s.ctx).await {
        Ok(receipt) => Ok(
            Redirect::to(&format!("/consultations/{id}#erratum-{}", receipt.id)).into_response(),
        ),
        Err(e) => {
            let typed = Typed {
                erratum: form,
                ..Typed::default()
            };
            after(&state, &s, &id, typed, Err(e)).await
        }
    }
}

// ---------- API ----------

pub async fn api_consultations(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .app
        .consultations(&s.actor, Some(&p.after), app::page::limit(p.limit))
        .await?;
    Ok(Json(list).into_response())
}

pub async fn api_convene(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<ConsultationForm>,
) -> Result<Response, ApiError> {
    let id = state
        .app
        .convene_consultation(&s.actor, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_consultation(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.consultation_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_attend(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<AttendeeForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .record_attendee(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn api_comment(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<CommentForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .record_comment(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn api_freeze(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<FreezeForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .freeze_consultation(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(Json(state.app.consultation_detail(&s.actor, &id, &s.ctx).await?).into_response())
}
