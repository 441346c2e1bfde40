//! The recording units a volunteer's records may name, and a unit's confirmation of hours the
//! volunteer entered alone (page and API).

use super::volunteer_of_record;
use crate::answer::{self, Items};
use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::Empty;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The unit confirms a record (the volunteer page's button).
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(record_id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state
        .app
        .confirm_record(&s.actor, &record_id, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    let v = volunteer_of_record(&state, &record_id)
        .await
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/volunteers/{v}")).into_response())
}

pub async fn api_confirm(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(record_id): Path<String>,
) -> Result<Response, ApiError> {
    state
        .app
        .confirm_record(&s.actor, &record_id, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The units a record of this volunteer may name (to fill `unit`).
pub async fn api_units(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // Whoever may read the volunteer may read the units offered for their records.
    state
        .app
        .volunteer_detail(&s.actor, &id, None, &s.ctx)
        .await?;
    let items = state.app.recording_units(&id).await?;
    answer::send(StatusCode::OK, &Items { items })
}
