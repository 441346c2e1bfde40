//! The public site: no login, every area's projects, needs and organizations, and each project's
//! public facts (HTML and JSON).

use crate::error::{ApiError, PageError};
use crate::i18n::Locale;
use crate::kit::{render, PageResult};
use crate::AppState;
use app::public::{PublicArea, PublicProjectDetail};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::money::Money;
use schemars::{Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

#[derive(Template)]
#[template(path = "public_area.html")]
struct AreaPage {
    a: PublicArea,
}

impl AreaPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
}

#[derive(Template)]
#[template(path = "public_project.html")]
struct ProjectPage {
    d: PublicProjectDetail,
}

impl ProjectPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
}

pub async fn home(State(state): State<AppState>) -> Result<Response, PageError> {
    area_page(&state, "000000000000").await
}

pub async fn area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    area_page(&state, &code).await
}

async fn area_page(state: &AppState, code: &str) -> Result<Response, PageError> {
    let a = state.app.public_area(code).await.page(Locale::Zh)?;
    Ok(render(StatusCode::OK, &AreaPage { a }))
}

pub async fn project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .public_project_detail(&id)
        .await
        .page(Locale::Zh)?;
    Ok(render(StatusCode::OK, &ProjectPage { d }))
}

pub async fn api_area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.public_area(&code).await?).into_response())
}

pub async fn api_project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.public_project_detail(&id).await?).into_response())
}

#[derive(Template)]
#[template(path = "public_call.html")]
struct CallPage {
    v: app::chain::call::CallView,
}

impl CallPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
    fn points(&self, centi: &u64) -> String {
        format!("{}.{:02}", centi / 100, centi % 100)
    }
}

pub async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let v = state.app.public_call(&id).await.page(Locale::Zh)?;
    Ok(render(StatusCode::OK, &CallPage { v }))
}

pub async fn api_call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.public_call(&id).await?).into_response())
}

/// An area's package, streamed as it is written (at most 10,000 releases): an unknown area is a
/// 404 before the first byte; a failure later cuts the body short (the JSON is then incomplete).
/// `?since=`: only the releases dated after it (`app::ocds::parse_since` says the forms).
#[derive(serde::Deserialize, Default)]
pub struct OcdsQuery {
    #[serde(default)]
    pub since: String,
}

pub async fn api_ocds_area(
    State(state): State<AppState>,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<OcdsQuery>,
) -> Result<Response, ApiError> {
    domain::AreaCode::parse(code.trim())
        .map_err(|_| ApiError::from(app::AppError::not_found("行政区划")))?;
    let since = match q.since.trim() {
        "" => None,
        s => Some(app::ocds::parse_since(s)?),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    let app = state.app.clone();
    tokio::spawn(async move {
        let ext = app.settings.ocds_bids_extension.clone();
        if let Err(e) = app.ocds_stream(&code, 10_000, since, &ext, tx).await {
            tracing::error!(error = %e, "OCDS stream failed");
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    });
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

pub async fn api_ocds_project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.ocds_project(&id).await?).into_response())
}

pub async fn api_ocds_call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.ocds_call(&id).await?).into_response())
}

// ---------- the OCDS package's schema, for the API description ----------

/// The schema of an OCDS 1.1 release package as `app::ocds` writes it. That module builds JSON
/// values, not types, so the package is described here by hand; its parts join the generated
/// definitions.
pub fn ocds_package(generator: &mut SchemaGenerator) -> Schema {
    let definitions = generator.definitions_mut();
    for (name, schema) in ocds_schemas() {
        definitions.entry(name).or_insert(schema);
    }
    Schema::new_ref("#/components/schemas/OcdsReleasePackage".to_string())
}

fn ocds_schemas() -> Map<String, Value> {
    let r = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let s = |props: Value, required: Value| json!({ "type": "object", "properties": props, "required": required });
    let text = json!({ "type": "string" });
    let texts = json!({ "type": "array", "items": { "type": "string" } });
    let period = s(
        json!({ "startDate": text, "endDate": text }),
        json!(["startDate", "endDate"]),
    );
    let schemas = json!({
        "OcdsReleasePackage": s(json!({
            "uri": text, "version": { "type": "string", "enum": ["1.1"] }, "extensions": texts,
            "publishedDate": text, "publisher": s(json!({ "name": text }), json!(["name"])),
            "releases": { "type": "array", "items": r("OcdsRelease") }
        }), json!(["uri", "version", "extensions", "publishedDate", "publisher", "releases"])),
        "OcdsRelease": s(json!({
            "ocid": text, "id": text, "date": text,
            "tag": { "type": "array", "items": { "type": "string", "enum": ["planning", "tender", "award", "contract", "implementation"] } },
            "initiationType": { "type": "string", "enum": ["tender"] }, "language": text,
            "buyer": r("OcdsOrganizationReference"),
            "planning": s(json!({ "budget": s(json!({
                "id": text, "project": text, "description": text, "amount": r("OcdsValue")
            }), json!(["id", "description", "amount"])) }), json!(["budget"])),
            "parties": { "type": "array", "items": r("OcdsParty") },
            "tender": s(json!({
                "id": text, "title": text, "description": text,
                "status": { "type": "string", "enum": ["active", "complete", "unsuccessful"] },
                "procurementMethod": { "type": "string", "enum": ["limited", "open", "selective"] },
                "procurementMethodDetails": text, "mainProcurementCategory": text, "value": r("OcdsValue"),
                "tenderPeriod": period, "awardCriteria": text, "awardCriteriaDetails": text,
                "numberOfTenderers": { "type": "integer", "minimum": 0 },
                "tenderers": { "type": "array", "items": r("OcdsOrganizationReference") }
            }), json!(["id", "title", "status", "value", "tenderers"])),
            "bids": s(json!({
                "statistics": { "type": "array", "items": s(json!({ "id": text, "measure": text, "value": { "type": "integer" } }), json!(["id", "measure", "value"])) },
                "details": { "type": "array", "items": s(json!({
                    "id": text, "date": text, "status": { "type": "string", "enum": ["pending", "valid"] },
                    "tenderers": { "type": "array", "items": r("OcdsOrganizationReference") }, "value": r("OcdsValue"),
                    "documents": { "type": "array", "items": s(json!({ "id": text, "documentType": text, "title": text, "description": text, "language": text, "datePublished": text }), json!(["id"])) }
                }), json!(["id", "date", "status", "tenderers", "value"])) }
            }), json!(["statistics", "details"])),
            "awards": { "type": "array", "items": s(json!({
                "id": text, "title": text, "description": text, "status": text, "date": text, "value": r("OcdsValue"),
                "suppliers": { "type": "array", "items": r("OcdsOrganizationReference") }, "relatedBid": text
            }), json!(["id", "status", "date", "value", "suppliers"])) },
            "contracts": { "type": "array", "items": r("OcdsContract") }
        }), json!(["ocid", "id", "date", "tag", "initiationType", "language", "buyer", "parties", "tender"])),
        "OcdsOrganizationReference": s(json!({ "id": text, "name": text }), json!(["id", "name"])),
        "OcdsParty": s(json!({
            "id": text, "name": text, "roles": texts,
            "identifier": s(json!({ "scheme": text, "id": text, "legalName": text }), json!(["scheme", "id"]))
        }), json!(["id", "name", "roles"])),
        "OcdsValue": s(json!({ "amount": { "type": "number" }, "currency": { "type": "string", "enum": ["CNY"] } }), json!(["amount", "currency"])),
        "OcdsContract": s(json!({
            "id": text, "awardID": text, "title": text, "status": { "type": "string", "enum": ["active", "terminated"] },
            "value": r("OcdsValue"), "period": period, "dateSigned": text,
            "milestones": { "type": "array", "items": s(json!({
                "id": text, "title": text, "type": { "type": "string", "enum": ["payment", "assessment"] },
                "status": { "type": "string", "enum": ["scheduled", "met", "partiallyMet", "notMet"] },
                "description": text, "dateMet": text, "dateModified": text
            }), json!(["id", "title", "type", "status"])) },
            "implementation": s(json!({ "transactions": { "type": "array", "items": s(json!({
                "id": text, "date": text, "value": r("OcdsValue"),
                "payer": r("OcdsOrganizationReference"), "payee": r("OcdsOrganizationReference")
            }), json!(["id", "date", "value", "payer", "payee"])) } }), json!(["transactions"]))
        }), json!(["id", "awardID", "status", "value", "milestones", "implementation"]))
    });
    // An object literal is always an object.
    match schemas {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
