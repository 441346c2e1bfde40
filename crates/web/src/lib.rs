//! The web layer: HTML pages (askama + htmx) and the JSON API under `/api/v1`, both thin over
//! the `app` use cases. Routes live in one table ([`routes::route_table`]) from which the router,
//! the OpenAPI document and the territory test are all built, so none can forget a route.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "256"]

pub mod answer;
pub mod areas;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod chain;
pub mod correction;
pub mod error;
pub mod guard;
pub mod home;
pub mod i18n;
pub mod identity;
pub mod kit;
pub mod openapi;
pub mod people;
pub mod public;
pub mod quota;
pub mod registry;
pub mod route_spec;
pub mod routes;
pub mod server;
pub mod social;
pub mod talent;
pub mod volunteer;

pub use server::{Application, WebConfig};

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    pub config: std::sync::Arc<WebConfig>,
    /// Places of the requests being handled (see `guard::run_to_completion`).
    pub in_flight: std::sync::Arc<quota::Quota>,
    /// The OpenAPI document as served, written once from the route table at start (its handler
    /// is in that table, so it takes the document from here rather than from `openapi`).
    pub openapi: axum::body::Bytes,
}
