//! What a route is: its method, path, who may call it, what it says it does and answers, and its
//! handler. The table of routes ([`crate::routes`]) is made of these, and the OpenAPI document
//! ([`crate::openapi`]) is written from them.

use crate::AppState;
use axum::http::{Method, StatusCode};
use axum::routing::MethodRouter;
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Who may call a route at all (what they may then do is the policy's business).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: login, health, assets, the API description.
    Public,
    /// A signed-in person or API token.
    Signed,
}

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    /// JSON request body schema name (API routes), for OpenAPI.
    pub body: Option<&'static str>,
    /// What the route answers when it succeeds (API routes), for OpenAPI.
    pub success: Success,
    pub handler: MethodRouter<AppState>,
}

/// Writes the JSON Schema of an answer: a `$ref` to a named schema, which the generator then
/// holds among its definitions (see [`crate::openapi`]).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// What a route answers when it succeeds.
#[derive(Clone, Copy)]
pub enum Success {
    /// Not described: a page, an asset, or a route outside the API.
    Undescribed,
    /// A JSON body of this schema, with this status (200 or 201).
    Json(StatusCode, SchemaFn),
    /// 204, no body.
    NoContent,
    /// 200, a file streamed as CSV or .xlsx, as the `format` parameter asks.
    Export,
}

/// The schema of `T` as serialized.
pub fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

impl RouteSpec {
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/v1/")
    }
    /// Names of the `{param}` segments of the path.
    pub fn params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }
    pub fn body(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }
    /// Answers 200 with a `T`.
    pub fn ok<T: JsonSchema>(self) -> Self {
        self.ok_with(schema_of::<T>)
    }
    /// Answers 200 with a body of this schema.
    pub fn ok_with(mut self, schema: SchemaFn) -> Self {
        self.success = Success::Json(StatusCode::OK, schema);
        self
    }
    /// Answers 201 with a `T`.
    pub fn created<T: JsonSchema>(mut self) -> Self {
        self.success = Success::Json(StatusCode::CREATED, schema_of::<T>);
        self
    }
    /// Answers 204.
    pub fn no_content(mut self) -> Self {
        self.success = Success::NoContent;
        self
    }
    /// Answers 200 with a CSV or .xlsx file.
    pub fn export(mut self) -> Self {
        self.success = Success::Export;
        self
    }
}

/// A route of `method` at `path`, not yet described for the API.
pub fn r(
    method: Method,
    path: &'static str,
    access: Access,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        summary,
        body: None,
        success: Success::Undescribed,
        handler,
    }
}
