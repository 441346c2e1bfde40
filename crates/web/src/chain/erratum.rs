//! Pages and API of corrections (更正) of signed records: a project's vote minutes, contract,
//! review report and self-evaluation, and a consultation's minutes. The original is shown
//! unchanged with its corrections under it.

use crate::answer;
use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::erratum::{ErratumForm, ErratumKind};
use domain::DomainError;

/// A project's form may name every kind but consultation minutes, which are corrected on the
/// meeting's page (the minutes are the meeting's, not one project's).
fn project_form(form: &ErratumForm) -> Result<(), app::AppError> {
    if form.kind == ErratumKind::ConsultationMinutes.as_str() {
        return Err(
            DomainError::field("kind", "invalid_kind", "恳谈会纪要请在恳谈会页面更正").into(),
        );
    }
    Ok(())
}

/// Appends a correction from the project's page; back to the correction on the page (the
/// receipt), or the page again with what was typed and why not.
pub async fn correct(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ErratumForm>,
) -> Result<Response, PageError> {
    let r = match project_form(&form) {
        Ok(()) => state.app.append_erratum(&s.actor, &id, &form, &s.ctx).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(receipt) => {
            Ok(Redirect::to(&format!("/projects/{id}#erratum-{}", receipt.id)).into_response())
        }
        Err(e) => {
            let typed = crate::chain::application::Typed {
                erratum: form,
                ..Default::default()
            };
            crate::chain::application::after_typed(&state, &s, &id, typed, Err(e)).await
        }
    }
}

/// The other party agrees to a contract's correction.
pub async fn agree(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, erratum)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .agree_erratum(&s.actor, &id, &erratum, &s.ctx)
        .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}#erratum-{erratum}")).into_response()),
        Err(e) => crate::chain::application::after(&state, &s, &id, Err(e)).await,
    }
}

pub async fn api_correct(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ErratumForm>,
) -> Result<Response, ApiError> {
    project_form(&form)?;
    let receipt = state
        .app
        .append_erratum(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &receipt)
}

pub async fn api_agree(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, erratum)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state
        .app
        .agree_erratum(&s.actor, &id, &erratum, &s.ctx)
        .await?;
    Ok(Json(state.app.project_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

/// A correction of a consultation's minutes over the API (the kind is the minutes whatever the
/// body says).
pub async fn api_correct_minutes(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(mut form): ApiJson<ErratumForm>,
) -> Result<Response, ApiError> {
    form.kind = ErratumKind::ConsultationMinutes.as_str().to_string();
    let receipt = state
        .app
        .append_erratum(&s.actor, &id, &form, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &receipt)
}
