//! The JSON API under `/api/v1`: the same use cases as the pages, answered as JSON, errors as
//! `application/problem+json`.

use crate::auth::ApiUser;
use crate::error::{problem, ApiError};
use crate::pages::{AuditQuery, AUDIT_PAGE};
use crate::AppState;
use app::identity::{RoleForm, UserForm};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::AreaCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use store::area::AreaRow;

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

type ApiResult = Result<Response, ApiError>;

/// The nation is addressed as `nation` in API paths.
fn parse_code(code: &str) -> Result<AreaCode, ApiError> {
    if code == "nation" {
        return Ok(AreaCode::nation());
    }
    Ok(AreaCode::parse(code)?)
}

pub fn area_json(a: &AreaRow) -> Value {
    json!({
        "code": a.code.as_str(),
        "full_code": a.code.full(),
        "parent_code": a.parent_code.as_str(),
        "name": a.name,
        "level": a.level,
        "township_kind": a.township_kind,
        "committee_kind": a.committee_kind,
        "retired": a.retired,
    })
}

fn children_json(children: &[app::area::ChildArea]) -> Vec<Value> {
    children
        .iter()
        .map(|c| {
            let mut j = area_json(&c.area);
            j["child_count"] = json!(c.child_count);
            j
        })
        .collect()
}

fn roles_json(roles: &[store::identity::AssignmentRow]) -> Value {
    Value::Array(
        roles
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "role": a.role,
                    "area_code": a.area_code.as_str(),
                    "organization_id": a.organization_id,
                })
            })
            .collect(),
    )
}

fn user_json(
    u: &store::identity::UserRow,
    roles: &[store::identity::AssignmentRow],
    locks: Option<&[store::identity::LoginLockRow]>,
) -> Value {
    let mut v = json!({
        "id": u.id,
        "login": u.login,
        "display_name": u.display_name,
        "home_area": u.home_area.as_str(),
        "disabled": u.disabled,
        "version": u.version,
        "created_at": u.created_at,
        "roles": roles_json(roles),
    });
    // One account's page also says which addresses its failed logins locked out.
    if let Some(locks) = locks {
        v["login_locks"] = locks
            .iter()
            .map(|l| json!({ "client": l.client, "locked_until": l.locked_until }))
            .collect();
    }
    v
}

pub async fn me(ApiUser(s): ApiUser) -> ApiResult {
    Ok(Json(json!({
        "id": s.user.id,
        "login": s.user.login,
        "display_name": s.user.display_name,
        "home_area": s.user.home_area.as_str(),
        "roles": s.actor.assignments.iter().map(|a| json!({
            "role": a.role, "area_code": a.area.as_str(), "organization_id": a.organization_id
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<i64>,
}

pub async fn search_areas(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult {
    let rows = state
        .app
        .search_areas(
            &s.actor,
            q.q.as_deref().unwrap_or(""),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(json!({ "items": rows.iter().map(area_json).collect::<Vec<_>>() })).into_response())
}

pub async fn area(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(code): Path<String>,
) -> ApiResult {
    let code = parse_code(&code)?;
    let v = state.app.view_area(&s.actor, &code, &s.ctx).await?;
    Ok(Json(json!({
        "area": area_json(&v.area),
        "ancestors": v.ancestors.iter().map(area_json).collect::<Vec<_>>(),
        "inside_territory": v.inside_territory,
        "children": children_json(&v.children),
    }))
    .into_response())
}

pub async fn area_children(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(code): Path<String>,
) -> ApiResult {
    let code = parse_code(&code)?;
    let v = state.app.view_area(&s.actor, &code, &s.ctx).await?;
    Ok(Json(json!({
        "items": children_json(&v.children),
    }))
    .into_response())
}

pub async fn users(State(state): State<AppState>, ApiUser(s): ApiUser) -> ApiResult {
    let list = state.app.list_users(&s.actor, &s.ctx).await?;
    Ok(Json(json!({
        "items": list.iter().map(|(u, r)| user_json(u, r, None)).collect::<Vec<_>>()
    }))
    .into_response())
}

pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<UserForm>,
) -> ApiResult {
    let id = state.app.create_user(Some(&s.actor), &form, &s.ctx).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

pub async fn user(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let d = state.app.user_detail(&s.actor, &id, &s.ctx).await?;
    Ok(Json(user_json(&d.user, &d.roles, Some(&d.locks))).into_response())
}

pub async fn assign_role(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<RoleForm>,
) -> ApiResult {
    let aid = state.app.assign_role(&s.actor, &id, &form, &s.ctx).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": aid }))).into_response())
}

pub async fn remove_role(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, assignment_id)): Path<(String, String)>,
) -> ApiResult {
    state
        .app
        .remove_role(&s.actor, &id, &assignment_id, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn tokens(State(state): State<AppState>, ApiUser(s): ApiUser) -> ApiResult {
    let list = state.app.tokens(&s.actor).await?;
    Ok(Json(json!({ "items": list })).into_response())
}

#[derive(Deserialize)]
pub struct TokenBody {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(b): ApiJson<TokenBody>,
) -> ApiResult {
    let t = state.app.create_token(&s.actor, &b.name, &s.ctx).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    state.app.revoke_token(&s.actor, &id, &s.ctx).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult {
    state
        .app
        .change_password(
            &s.actor,
            &b.current_password,
            &b.new_password,
            &b.confirm_password,
            s.session_token.as_deref(),
            &s.ctx,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn audit(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    let events = state
        .app
        .list_audit(&s.actor, &q.filter(), AUDIT_PAGE, &s.ctx)
        .await?;
    let next = crate::pages::next_cursor(&events);
    Ok(Json(json!({ "items": events, "next_before": next })).into_response())
}

/// Unknown API paths answer problem+json, not the HTML 404 page.
pub async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", "接口不存在", json!({}))
}
