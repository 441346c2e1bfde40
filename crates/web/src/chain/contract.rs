//! Pages and API of the purchase contract.

use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::contract::ContractForm;

pub async fn sign(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ContractForm>,
) -> Result<Response, PageError> {
    let r = state.app.sign_contract(&s.actor, &id, &form, &s.ctx).await;
    let typed = crate::chain::application::Typed {
        contract: form,
        ..Default::default()
    };
    crate::chain::application::after_typed(&state, &s, &id, typed, r).await
}

pub async fn api_sign(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ContractForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .sign_contract(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(Json(state.app.project_detail(&s.actor, &id, &s.ctx).await?).into_response())
}
