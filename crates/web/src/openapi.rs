//! The OpenAPI 3.1 description, generated from the route table so that every API route is in
//! it. Served from the binary; nothing is fetched.
//!
//! Request bodies are described by hand below; answers by the JSON Schemas of the Rust types the
//! handlers serialize (schemars, describing serialization), named after the types under
//! `#/components/schemas/` next to the hand-written ones.

use crate::kit::XLSX;
use crate::route_spec::{Access, Success};
use crate::routes::route_table;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// Generates the answers' schemas: draft 2020-12 (OpenAPI 3.1's dialect), as serialized, with
/// named schemas referenced under the document's components.
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .for_serialize()
        .with_transform(RecursiveTransform(required_once))
        .into_generator()
}

/// Names each required property once. `MotionView` flattens a row that has a `tally` of its own
/// and adds another (the key is sent twice and the last one counts): its `required` would name
/// `tally` twice, which JSON Schema does not allow.
fn required_once(schema: &mut Schema) {
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        let mut seen = Vec::new();
        required.retain(|name| {
            let first = !seen.contains(name);
            seen.push(name.clone());
            first
        });
    }
}

/// The success response of a route, keyed by its status; `None` for a route not described.
fn success_response(success: Success, generator: &mut SchemaGenerator) -> Option<(String, Value)> {
    let binary = json!({ "type": "string", "format": "binary" });
    Some(match success {
        Success::Undescribed => return None,
        Success::Json(status, schema) => (
            status.as_str().to_string(),
            json!({
                "description": status.canonical_reason().unwrap_or("OK"),
                "content": { "application/json": { "schema": schema(generator) } }
            }),
        ),
        Success::NoContent => ("204".to_string(), json!({ "description": "No Content" })),
        Success::Export => (
            "200".to_string(),
            json!({
                "description": "The file, streamed: CSV (UTF-8 with a byte-order mark, or GB 18030 with format=gb18030) or Excel (format=xlsx)",
                "content": { "text/csv": { "schema": binary }, XLSX: { "schema": binary } }
            }),
        ),
    })
}

pub fn document() -> Value {
    let mut generator = generator();
    let mut paths = Map::new();
    for spec in route_table().into_iter().filter(|s| s.is_api()) {
        let params: Vec<Value> = spec
            .params()
            .into_iter()
            .map(|p| json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let mut responses = Map::new();
        if let Some((status, response)) = success_response(spec.success, &mut generator) {
            responses.insert(status, response);
        }
        responses.insert(
            "default".to_string(),
            json!({ "description": "Problem", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }),
        );
        let mut op = json!({
            "summary": spec.summary,
            "operationId": format!("{}_{}", spec.method.as_str().to_lowercase(), spec.path.trim_start_matches("/api/v1/").replace(['/', '{', '}'], "_")),
            "parameters": params,
            "responses": responses,
        });
        if let Some(b) = spec.body {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{b}") } } } });
        }
        if spec.access == Access::Signed {
            op["security"] = json!([{ "bearer": [] }, { "session": [] }]);
        }
        let entry = paths
            .entry(spec.path.to_string())
            .or_insert_with(|| json!({}));
        entry[spec.method.as_str().to_lowercase()] = op;
    }
    let mut schemas = request_schemas();
    // Named after their Rust types; a test checks that none takes a hand-written schema's name.
    schemas.extend(generator.take_definitions(true));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "三社联动平台 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "JSON API of sanshe. Authenticate with a personal access token (`Authorization: Bearer ssk_…`), created on the account page or through POST /api/v1/tokens. A browser using its session cookie must send `X-CSRF-Token` on writes. Errors are application/problem+json with a stable `code` and, for invalid input, `errors[]` of {field, code, message}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "sanshe_session" }
            },
            "schemas": schemas
        }
    })
}

/// The hand-written schemas: problems and request bodies.
fn request_schemas() -> Map<String, Value> {
    let s = |props: Value, required: Value| json!({ "type": "object", "properties": props, "required": required });
    let schemas = json!({
        "Problem": s(json!({
            "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
            "code": { "type": "string" }, "detail": { "type": "string" },
            "errors": { "type": "array", "items": { "$ref": "#/components/schemas/FieldError" } }
        }), json!(["type", "title", "status", "code"])),
        "FieldError": s(json!({ "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" } }), json!(["field", "code", "message"])),
        "UserForm": s(json!({
            "login": { "type": "string" }, "display_name": { "type": "string" }, "password": { "type": "string" },
            "role": { "type": "string", "enum": domain::Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
            "area": { "type": "string", "description": "2/4/6/9/12-digit area code; 000000000000 for the nation" },
            "organization_id": { "type": ["string", "null"] }
        }), json!(["login", "display_name", "password", "role", "area"])),
        "RoleForm": s(json!({
            "role": { "type": "string", "enum": domain::Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
            "area": { "type": "string" }, "organization_id": { "type": ["string", "null"] }
        }), json!(["role", "area"])),
        "OrganizationForm": s(json!({
            "name": { "type": "string" }, "uscc": { "type": "string", "description": "GB 32100; required when registered" },
            "registration_status": { "type": "string", "enum": ["registered", "filed", "community_managed"] },
            "category": { "type": "string", "enum": domain::registry::OrgCategory::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "area": { "type": "string", "description": "township (9) or community (12) code served" },
            "is_hub": { "type": ["string", "null"], "description": "\"on\" when set" },
            "is_brand": { "type": ["string", "null"] },
            "grade": { "type": "string", "description": "1–5 or empty" }, "grade_date": { "type": "string", "format": "date" },
            "address": { "type": "string" }, "description": { "type": "string" }
        }), json!(["name", "registration_status", "category", "area"])),
        "OrganizationEdit": { "allOf": [ { "$ref": "#/components/schemas/OrganizationForm" }, s(json!({ "version": { "type": "integer" } }), json!(["version"])) ] },
        "IncubationForm": s(json!({
            "incubator": { "type": "string" }, "started_on": { "type": "string", "format": "date" },
            "ended_on": { "type": "string", "description": "date, or empty while incubating" }, "outcome": { "type": "string" }
        }), json!(["incubator", "started_on"])),
        "DisclosureForm": s(json!({
            "kind": { "type": "string", "enum": domain::registry::DisclosureKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "title": { "type": "string" }, "body": { "type": "string" }, "occurred_on": { "type": "string", "format": "date" }
        }), json!(["kind", "title", "body", "occurred_on"])),
        "PlatformForm": s(json!({ "kind": { "type": "string", "enum": ["centre", "station", "incubator", "academy"] }, "name": { "type": "string" }, "area": { "type": "string" } }), json!(["kind", "name", "area"])),
        "PostForm": s(json!({ "social_worker_id": { "type": "string" }, "title": { "type": "string" }, "started_on": { "type": "string", "format": "date" }, "ended_on": { "type": "string" } }), json!(["social_worker_id", "title", "started_on"])),
        "SocialWorkerEdit": { "allOf": [ { "$ref": "#/components/schemas/SocialWorkerForm" }, s(json!({ "version": { "type": "integer" } }), json!(["version"])) ] },
        "PlatformEdit": { "allOf": [ { "$ref": "#/components/schemas/PlatformForm" }, s(json!({ "version": { "type": "integer" } }), json!(["version"])) ] },
        "PostEdit": s(json!({ "version": { "type": "integer" }, "title": { "type": "string" }, "started_on": { "type": "string", "format": "date" }, "ended_on": { "type": "string", "description": "date, or empty while held" } }), json!(["version", "title", "started_on"])),
        "TalentEdit": { "allOf": [ { "$ref": "#/components/schemas/TalentForm" }, s(json!({ "version": { "type": "integer" } }), json!(["version"])) ] },
        "VolunteerEdit": s(json!({
            "version": { "type": "integer" }, "name": { "type": "string" }, "gender": { "type": "string", "enum": ["", "male", "female"] },
            "area": { "type": "string", "description": "12-digit community code" }, "skills": { "type": "string" }
        }), json!(["version", "name", "area"])),
        "EndForm": s(json!({ "version": { "type": "integer" }, "ended_on": { "type": "string", "format": "date", "description": "the last day" } }), json!(["version", "ended_on"])),
        "IncubationEnd": s(json!({ "ended_on": { "type": "string", "format": "date", "description": "the last day" } }), json!(["ended_on"])),
        "SocialWorkerForm": s(json!({
            "name": { "type": "string" }, "id_number": { "type": "string", "description": "GB 11643; encrypted at rest, returned only masked" },
            "certificate_level": { "type": "string", "enum": ["assistant", "intermediate", "senior", "aide"] },
            "certificate_number": { "type": "string" }, "certificate_date": { "type": "string", "format": "date" },
            "employer_org_id": { "type": "string" }, "area": { "type": "string" }
        }), json!(["name", "id_number", "certificate_level", "area"])),
        "TalentForm": s(json!({
            "name": { "type": "string" }, "gender": { "type": "string", "enum": ["", "male", "female"] },
            "category": { "type": "string", "enum": domain::talent::TalentCategory::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "area": { "type": "string", "description": "township (9 digits) or community (12 digits) code" },
            "position": { "type": "string" }, "organization_id": { "type": "string" },
            "social_worker_id": { "type": "string", "description": "only for the social_work category" },
            "backbone": { "type": ["string", "boolean"], "description": "true (or \"true\"): enter the backbone-talent pool" }
        }), json!(["name", "category", "area"])),
        "BackboneForm": s(json!({ "backbone": { "type": "boolean" } }), json!(["backbone"])),
        "NeedForm": s(json!({
            "community": { "type": "string", "description": "12-digit community code" },
            "priority_group": { "type": "string", "enum": domain::chain::need::PriorityGroup::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "channel": { "type": "string", "enum": domain::chain::need::NeedChannel::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "title": { "type": "string", "maxLength": 60 }, "description": { "type": "string", "minLength": 5, "maxLength": 2000 }
        }), json!(["community", "priority_group", "channel", "title", "description"])),
        "MergeForm": s(json!({ "into": { "type": "string", "description": "id of the need to keep" } }), json!(["into"])),
        "ItemForm": s(json!({
            "community": { "type": "string", "description": "12-digit community code" },
            "name": { "type": "string", "maxLength": 60 }, "description": { "type": "string", "maxLength": 1000 },
            "social_work": { "type": "string", "description": "\"on\": a social-work service (the professional-staff condition applies)" },
            "period": { "type": "string", "description": "the catalogue's year (last, this or next year); empty: the current year (China time)" }
        }), json!(["community", "name"])),
        "CarryOverForm": s(json!({
            "community": { "type": "string", "description": "12-digit community code" },
            "period": { "type": "string", "description": "the year the items go into (last, this or next year; empty: the current one); they come from the year before" }
        }), json!(["community"])),
        "DecisionForm": s(json!({ "decision": { "type": "string", "enum": ["approve", "reject"] }, "reason": { "type": "string" } }), json!(["decision"])),
        "ApplyForm": s(json!({ "organization_id": { "type": "string" } }), json!(["organization_id"])),
        "ApplicationForm": s(json!({
            "title": { "type": "string", "maxLength": 80 }, "background": { "type": "string", "minLength": 20 },
            "goals": { "type": "string", "description": "one per line: 目标|指标|目标值" },
            "phases": { "type": "string", "description": "one per line: 阶段|YYYY-MM-DD|YYYY-MM-DD|内容" },
            "budget": { "type": "string", "description": "one per line: 科目|金额（元）; the total is computed in fen" },
            "lead": { "type": "string", "description": "user id of an account of the organization" },
            "social_workers": { "type": "string", "description": "social-worker registry ids, comma-separated (at least one)" },
            "volunteers": { "type": "string", "description": "volunteer registry ids, comma-separated" },
            "needs": { "type": "string", "description": "ids of open needs of the item's community, comma-separated" }
        }), json!(["title", "background", "goals", "phases", "budget", "lead", "social_workers"])),
        "ConsultationForm": s(json!({
            "community": { "type": "string", "description": "12-digit community code" }, "title": { "type": "string" },
            "held_on": { "type": "string", "format": "date" }, "place": { "type": "string" },
            "projects": { "type": "string", "description": "ids of submitted applications of the community, comma-separated" }
        }), json!(["community", "title", "held_on", "place", "projects"])),
        "AttendeeForm": s(json!({ "role": { "type": "string", "enum": domain::chain::consultation::AttendeeRole::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() }, "name": { "type": "string" } }), json!(["role", "name"])),
        "CommentForm": s(json!({
            "project_id": { "type": "string" }, "speaker": { "type": "string" },
            "role": { "type": "string", "enum": domain::chain::consultation::AttendeeRole::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "comment": { "type": "string" }, "requested_change": { "type": "string" }
        }), json!(["project_id", "speaker", "role", "comment"])),
        "FreezeForm": s(json!({ "recorder": { "type": "string" }, "chair": { "type": "string" }, "summary": { "type": "string" } }), json!(["recorder", "chair", "summary"])),
        "OpenVoteForm": s(json!({
            "community": { "type": "string" }, "title": { "type": "string" }, "held_on": { "type": "string", "format": "date" },
            "projects": { "type": "string", "description": "ids of consulted applications of the community, comma-separated" }
        }), json!(["community", "title", "held_on", "projects"])),
        "AttendanceForm": s(json!({ "present": { "type": "string", "description": "user ids of the representatives present, comma-separated" } }), json!(["present"])),
        "BallotForm": s(json!({ "choice": { "type": "string", "enum": ["yes", "no", "abstain"] } }), json!(["choice"])),
        "PaperForm": s(json!({ "yes": { "type": "string" }, "no": { "type": "string" }, "abstain": { "type": "string" }, "counter": { "type": "string" } }), json!(["yes", "no", "abstain", "counter"])),
        "FundForm": s(json!({
            "area": { "type": "string", "description": "township, county or city code" }, "name": { "type": "string" },
            "source": { "type": "string", "enum": domain::chain::money::FundSource::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "year": { "type": "string" }, "budget": { "type": "string", "description": "yuan, up to 2 decimals" }
        }), json!(["area", "name", "source", "year", "budget"])),
        "CallForm": s(json!({
            "kind": { "type": "string", "enum": domain::chain::call::CallKind::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "area": { "type": "string", "description": "organizer's area code (a community for micro calls)" },
            "fund_id": { "type": "string", "description": "the fund the pool is drawn from; its area contains the organizer's" },
            "theme": { "type": "string", "maxLength": 80 }, "groups": { "type": "string", "description": "priority-group codes, comma-separated" },
            "item_id": { "type": "string", "description": "selection: the approved catalogue item contested" },
            "facility": { "type": "string", "description": "facility tender: the facility" }, "period_months": { "type": "string", "description": "facility tender: 1–60" },
            "requirements": { "type": "string" }, "pool": { "type": "string", "description": "yuan" }, "ceiling": { "type": "string", "description": "yuan per project (micro calls at most 20000)" },
            "opens_on": { "type": "string", "format": "date" }, "closes_on": { "type": "string", "format": "date", "description": "applications close at 23:59 China time" },
            "rubric": { "type": "string", "description": "one criterion per line: name then full marks; the marks add up to 100" },
            "min_panel": { "type": "string", "description": "3–15, default 5" }
        }), json!(["kind", "area", "fund_id", "theme", "requirements", "pool", "ceiling", "opens_on", "closes_on", "rubric"])),
        "CallApplicationForm": s(json!({
            "organization_id": { "type": "string", "description": "the organization applying (default: the only one the caller manages)" },
            "title": { "type": "string", "maxLength": 80 }, "proposal": { "type": "string", "minLength": 10 },
            "staffing": { "type": "string", "description": "required for a facility bid" }, "amount": { "type": "string", "description": "yuan, at most the ceiling" },
            "community": { "type": "string", "description": "community served (default: the call's, when it is a community)" }
        }), json!(["title", "proposal", "amount"])),
        "RubricForm": s(json!({ "rubric": { "type": "string" }, "min_panel": { "type": "string" } }), json!(["rubric", "min_panel"])),
        "ScoreSheetForm": s(json!({
            "scores": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "integer", "minimum": 0 } }, "description": "application id → points per criterion in rubric order" },
            "comment": { "type": "string" }
        }), json!(["scores"])),
        "AwardForm": s(json!({
            "application_id": { "type": "string" }, "amount": { "type": "string", "description": "yuan; default what was asked" },
            "reasons": { "type": "string", "minLength": 4 }
        }), json!(["application_id", "reasons"])),
        "PurchaseForm": s(json!({
            "decision": { "type": "string", "enum": ["buy", "decline"] }, "reason": { "type": "string", "minLength": 4 },
            "fund_id": { "type": "string", "description": "a fund of the community's township (buying)" },
            "amount": { "type": "string", "description": "yuan, at most the application's budget (buying)" }
        }), json!(["decision", "reason"])),
        "ContractForm": s(json!({
            "starts_on": { "type": "string", "format": "date" }, "ends_on": { "type": "string", "format": "date" },
            "deliverables": { "type": "string" }, "acceptance_criteria": { "type": "string" },
            "signed_on": { "type": "string", "format": "date" }, "purchaser_signatory": { "type": "string" }, "provider_signatory": { "type": "string" },
            "tranches": { "type": "string", "description": "one per line: 签约|中期评估|验收 (or signing|mid_term|final_acceptance), then |amount in yuan; the amounts add up to the purchase amount and the last is 验收" }
        }), json!(["starts_on", "ends_on", "deliverables", "acceptance_criteria", "signed_on", "purchaser_signatory", "provider_signatory", "tranches"])),
        "ActivityForm": s(json!({
            "held_on": { "type": "string", "format": "date" }, "place": { "type": "string" }, "content": { "type": "string" },
            "served": { "type": "string" }, "groups": { "type": "string", "description": "priority-group codes, comma-separated" },
            "social_workers": { "type": "string" }, "volunteers": { "type": "string", "description": "one per line: volunteer id|hours" },
            "recipients": { "type": "string", "description": "logins of residents served, comma-separated" },
            "recipient_names": { "type": "string", "description": "names of people served who have no account, one per line (kept off the review group)" },
            "late_reason": { "type": "string", "description": "required more than 10 working days after the activity" }
        }), json!(["held_on", "place", "content", "served"])),
        "NoteForm": s(json!({
            "kind": { "type": "string", "enum": domain::chain::oversight::NoteKind::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
            "held_on": { "type": "string", "format": "date" }, "who": { "type": "string" },
            "phase": { "type": "string", "enum": ["", "before", "during", "after"] },
            "body": { "type": "string", "description": "progress: one line per goal, goal|current progress" }
        }), json!(["kind", "held_on", "body"])),
        "SelfEvaluationForm": s(json!({ "report": { "type": "string" }, "case_study": { "type": "string" } }), json!(["report"])),
        "PanelForm": s(json!({ "members": { "type": "string", "description": "login names, comma-separated" } }), json!(["members"])),
        "GroupForm": s(json!({
            "members": { "type": "array", "items": s(json!({
                "name": { "type": "string" },
                "category": { "type": "string", "enum": domain::chain::review_group::Category::CHOSEN.iter().map(|c| c.as_str()).collect::<Vec<_>>() },
                "login": { "type": "string", "description": "the member's account, if any (the chair must have one)" },
                "organization": { "type": "string", "description": "required for third_party: the organization the member comes from" },
                "chair": { "type": "boolean" }
            }), json!(["name", "category"])) }
        }), json!(["members"])),
        "MeetingForm": s(json!({
            "method": { "type": "string", "description": "评议方式: how the group reviews" },
            "held_on": { "type": "string", "format": "date" }, "place": { "type": "string" },
            "present": { "type": "string", "description": "numbers (seq) of the members present, comma-separated; more than half, the chair among them" }
        }), json!(["method", "held_on", "place", "present"])),
        "ScoreForm": s(json!({
            "need": { "type": "string" }, "goals": { "type": "string" }, "quality": { "type": "string" }, "money": { "type": "string" }, "satisfaction": { "type": "string" }, "comment": { "type": "string" }
        }), json!(["need", "goals", "quality", "money", "satisfaction"])),
        "TerminationForm": s(json!({
            "reasons": { "type": "string", "description": "why the project ends (10 characters at least; audited, shown to the organization)" }
        }), json!(["reasons"])),
        "StatementForm": s(json!({
            "text": { "type": "string", "description": "the organization's response to a termination (10 characters at least) or its rectification (20 at least)" }
        }), json!(["text"])),
        "RectificationForm": s(json!({
            "requirements": { "type": "string", "description": "what must be put right (10 characters at least)" },
            "due_on": { "type": "string", "format": "date", "description": "the last day of the period, today to 90 days ahead" }
        }), json!(["requirements", "due_on"])),
        "ReReviewForm": s(json!({
            "verdict": { "type": "string", "enum": ["accepted", "not_accepted"] },
            "report": { "type": "string", "description": "how each requirement was met (20 characters at least)" }
        }), json!(["verdict", "report"])),
        "MidtermForm": s(json!({
            "findings": { "type": "string", "description": "what the committee and the supervisor found (20 characters at least)" },
            "rating": { "type": "string", "enum": domain::chain::milestone::MidtermRating::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
            "conditions": { "type": "string", "description": "what must be improved (may be empty)" },
            "supervisor": { "type": "string", "description": "the supervisor who took part, by name" }
        }), json!(["findings", "rating", "supervisor"])),
        "ErratumForm": s(json!({
            "kind": { "type": "string", "enum": domain::chain::erratum::ErratumKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(), "description": "the signed record corrected (consultation_minutes only on a consultation's route, where it is implied)" },
            "record": { "type": "string", "description": "the vote meeting, for vote_minutes" },
            "part": { "type": "string", "description": "what is corrected: the field, clause or line (at most 100 characters)" },
            "corrected": { "type": "string", "description": "the corrected text" },
            "reason": { "type": "string", "description": "why" }
        }), json!(["part", "corrected", "reason"])),
        "ConditionsMetForm": s(json!({
            "evidence": { "type": "array", "items": { "type": "string" }, "description": "what shows each condition of the report met, in the report's order" }
        }), json!(["evidence"])),
        "VerdictForm": s(json!({
            "verdict": { "type": "string", "enum": ["accepted", "accepted_with_conditions", "not_accepted"] },
            "conditions": { "type": "string" }, "report": { "type": "string" }
        }), json!(["verdict", "report"])),
        "NewApplication": { "allOf": [ { "$ref": "#/components/schemas/ApplicationForm" }, s(json!({ "eligibility_id": { "type": "string" } }), json!(["eligibility_id"])) ] },
        "Revision": { "allOf": [ { "$ref": "#/components/schemas/ApplicationForm" }, s(json!({ "based_on": { "type": "string", "description": "the version number revised" }, "note": { "type": "string" } }), json!(["based_on"])) ] },
        "TrainingForm": s(json!({ "name": { "type": "string" }, "organizer": { "type": "string" }, "held_on": { "type": "string", "format": "date" }, "hours": { "type": "string" } }), json!(["name", "organizer", "held_on", "hours"])),
        "VolunteerForm": s(json!({
            "name": { "type": "string" }, "gender": { "type": "string", "enum": ["", "male", "female"] },
            "area": { "type": "string", "description": "12-digit community code" }, "skills": { "type": "string" },
            "consent": { "type": "string", "description": "\"on\": the volunteer agreed to the consent text" },
            "id_number": { "type": "string", "description": "optional; only its keyed hash is kept, to refuse a duplicate (422 duplicate_volunteer)" },
            "birth_date": { "type": "string", "description": "optional (2026-11-05, 2026/11/5, 2026年11月5日); with the name, refuses a duplicate in the city" }
        }), json!(["name", "area", "consent"])),
        "ServiceRecordForm": s(json!({
            "activity_name": { "type": "string" }, "activity_date": { "type": "string", "format": "date" },
            "place": { "type": "string" }, "content": { "type": "string" }, "hours": { "type": "string", "description": "e.g. 2.5" },
            "organizing_unit": { "type": "string", "description": "ignored: the record shows the picked unit's registered name" }, "person_in_charge": { "type": "string" },
            "late_reason": { "type": "string", "description": "required after 10 working days" },
            "unit": { "type": "string", "description": "the recording unit, from GET /api/v1/volunteers/{volunteer_id}/units: organization:<id> or committee:<area code>; an officer who leaves it empty records for their own unit (required of a volunteer)" }
        }), json!(["activity_name", "activity_date", "place", "content", "hours", "person_in_charge"])),
        "CorrectionForm": { "allOf": [ { "$ref": "#/components/schemas/ServiceRecordForm" }, s(json!({ "note": { "type": "string" } }), json!(["note"])) ] },
        "LinkForm": s(json!({ "user_id": { "type": "string", "description": "an account from GET /api/v1/volunteers/{volunteer_id}/accounts" } }), json!(["user_id"])),
        "RecordDecisionForm": s(json!({ "accept": { "type": "boolean" } }), json!(["accept"])),
        "TokenForm": s(json!({ "name": { "type": "string" } }), json!(["name"])),
        "PasswordForm": s(json!({
            "current_password": { "type": "string" }, "new_password": { "type": "string" }, "confirm_password": { "type": "string" }
        }), json!(["current_password", "new_password", "confirm_password"]))
    });
    // An object literal is always an object.
    match schemas {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated schemas are named after their Rust types: none may take the name of a
    /// hand-written schema, whose `$ref`s would then point at the other.
    #[test]
    fn answer_schemas_keep_clear_of_hand_written_names() {
        let mut generator = generator();
        for spec in route_table() {
            success_response(spec.success, &mut generator);
        }
        let hand = request_schemas();
        let clashes: Vec<&String> = generator
            .definitions()
            .keys()
            .filter(|k| hand.contains_key(*k))
            .collect();
        assert!(
            clashes.is_empty(),
            "named like hand-written schemas: {clashes:?}"
        );
    }
}
