//! The API's side of a handler: a JSON body whose rejection is a problem document, and the
//! result every API handler answers.

use crate::error::{problem, ApiError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;

/// What an API handler answers: its response, or a problem document.
pub type ApiResult = Result<Response, ApiError>;

/// A JSON body whose rejection is a problem document, not plain text.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let status = rej.status();
                let (code, detail) = match &rej {
                    JsonRejection::MissingJsonContentType(_) => (
                        "unsupported_media_type",
                        "请求体须为 JSON（Content-Type: application/json）".to_string(),
                    ),
                    _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                        ("payload_too_large", "请求内容过大".to_string())
                    }
                    _ => (
                        "bad_json",
                        format!("请求体不是有效的 JSON 或缺少字段：{}", rej.body_text()),
                    ),
                };
                Err(problem(status, code, &detail, json!({})))
            }
        }
    }
}
