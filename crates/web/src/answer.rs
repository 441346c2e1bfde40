//! The API's small JSON answers that are no view of the `app` layer: typed, so that the OpenAPI
//! document describes exactly what is sent.

use crate::error::ApiError;
use app::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use schemars::JsonSchema;
use serde::Serialize;

/// Sends `body` as the `json!` objects these types replaced were sent: through a
/// `serde_json::Value`, whose maps sort their keys, so the bytes on the wire did not change.
pub fn send<T: Serialize>(status: StatusCode, body: &T) -> Result<Response, ApiError> {
    let value = serde_json::to_value(body).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((status, Json(value)).into_response())
}

/// What was created: its id.
#[derive(Serialize, JsonSchema)]
pub struct Created {
    pub id: String,
}

/// A list.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "{T}List")]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// The version an application revision saved.
#[derive(Serialize, JsonSchema)]
pub struct SavedVersion {
    pub version: i64,
}

/// The project an award created.
#[derive(Serialize, JsonSchema)]
pub struct Awarded {
    pub project_id: String,
}

/// A certificate just issued: its verification code.
#[derive(Serialize, JsonSchema)]
pub struct Issued {
    pub code: String,
}

/// A project after a tranche was paid: its stage and contract.
#[derive(Serialize, JsonSchema)]
pub struct Paid {
    pub stage: domain::chain::stage::Stage,
    pub contract: Option<store::chain::contract::ContractRow>,
}
