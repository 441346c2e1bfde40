//! The JSON API under `/api/v1`: the same use cases as the pages, answered as JSON, errors as
//! `application/problem+json`.

use crate::answer::{self, AuditPage, Created, Items};
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
use domain::{AreaCode, AreaLevel, CommitteeKind, Role, TownshipKind};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
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

/// An area as the API shows it: `code` is the significant digits (empty for the nation),
/// `full_code` the 12-digit form people read.
#[derive(Serialize, JsonSchema)]
pub struct AreaJson {
    pub code: String,
    pub full_code: String,
    pub parent_code: String,
    pub name: String,
    pub level: AreaLevel,
    pub township_kind: Option<TownshipKind>,
    pub committee_kind: Option<CommitteeKind>,
    pub retired: bool,
}

impl From<&AreaRow> for AreaJson {
    fn from(a: &AreaRow) -> Self {
        AreaJson {
            code: a.code.as_str().to_string(),
            full_code: a.code.full(),
            parent_code: a.parent_code.as_str().to_string(),
            name: a.name.clone(),
            level: a.level,
            township_kind: a.township_kind,
            committee_kind: a.committee_kind,
            retired: a.retired,
        }
    }
}

/// A child area with how many children it has in turn.
#[derive(Serialize, JsonSchema)]
pub struct ChildJson {
    #[serde(flatten)]
    pub area: AreaJson,
    pub child_count: i64,
}

fn children_json(children: &[app::area::ChildArea]) -> Vec<ChildJson> {
    children
        .iter()
        .map(|c| ChildJson {
            area: AreaJson::from(&c.area),
            child_count: c.child_count,
        })
        .collect()
}

/// An area with the path above it and the children the reader may see.
#[derive(Serialize, JsonSchema)]
pub struct AreaPage {
    pub area: AreaJson,
    pub ancestors: Vec<AreaJson>,
    pub inside_territory: bool,
    pub children: Vec<ChildJson>,
}

/// A role assignment of an account.
#[derive(Serialize, JsonSchema)]
pub struct RoleJson {
    pub id: String,
    pub role: Role,
    pub area_code: String,
    pub organization_id: Option<String>,
}

/// An address that failed logins locked out of an account, and until when.
#[derive(Serialize, JsonSchema)]
pub struct LoginLockJson {
    pub client: String,
    pub locked_until: Option<String>,
}

/// An account with its roles; one account's page (not the list) also has `login_locks`.
#[derive(Serialize, JsonSchema)]
pub struct UserJson {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub home_area: String,
    pub disabled: bool,
    pub version: i64,
    pub created_at: String,
    pub roles: Vec<RoleJson>,
    // Absent rather than null when there are none to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<LoginLockJson>")]
    pub login_locks: Option<Vec<LoginLockJson>>,
}

fn user_json(
    u: &store::identity::UserRow,
    roles: &[store::identity::AssignmentRow],
    locks: Option<&[store::identity::LoginLockRow]>,
) -> UserJson {
    UserJson {
        id: u.id.clone(),
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        home_area: u.home_area.as_str().to_string(),
        disabled: u.disabled,
        version: u.version,
        created_at: u.created_at.clone(),
        roles: roles
            .iter()
            .map(|a| RoleJson {
                id: a.id.clone(),
                role: a.role,
                area_code: a.area_code.as_str().to_string(),
                organization_id: a.organization_id.clone(),
            })
            .collect(),
        // One account's page also says which addresses its failed logins locked out.
        login_locks: locks.map(|locks| {
            locks
                .iter()
                .map(|l| LoginLockJson {
                    client: l.client.clone(),
                    locked_until: l.locked_until.clone(),
                })
                .collect()
        }),
    }
}

/// The signed-in account and the roles it acts in.
#[derive(Serialize, JsonSchema)]
pub struct Me {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub home_area: String,
    pub roles: Vec<MyRole>,
}

/// One role the signed-in account acts in.
#[derive(Serialize, JsonSchema)]
pub struct MyRole {
    pub role: Role,
    pub area_code: String,
    pub organization_id: Option<String>,
}

pub async fn me(ApiUser(s): ApiUser) -> ApiResult {
    answer::send(
        StatusCode::OK,
        &Me {
            id: s.user.id.clone(),
            login: s.user.login.clone(),
            display_name: s.user.display_name.clone(),
            home_area: s.user.home_area.as_str().to_string(),
            roles: s
                .actor
                .assignments
                .iter()
                .map(|a| MyRole {
                    role: a.role,
                    area_code: a.area.as_str().to_string(),
                    organization_id: a.organization_id.clone(),
                })
                .collect(),
        },
    )
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
    let items = rows.iter().map(AreaJson::from).collect();
    answer::send(StatusCode::OK, &Items::<AreaJson> { items })
}

pub async fn area(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(code): Path<String>,
) -> ApiResult {
    let code = parse_code(&code)?;
    let v = state.app.view_area(&s.actor, &code, &s.ctx).await?;
    answer::send(
        StatusCode::OK,
        &AreaPage {
            area: AreaJson::from(&v.area),
            ancestors: v.ancestors.iter().map(AreaJson::from).collect(),
            inside_territory: v.inside_territory,
            children: children_json(&v.children),
        },
    )
}

pub async fn area_children(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(code): Path<String>,
) -> ApiResult {
    let code = parse_code(&code)?;
    let v = state.app.view_area(&s.actor, &code, &s.ctx).await?;
    let items = children_json(&v.children);
    answer::send(StatusCode::OK, &Items { items })
}

pub async fn users(State(state): State<AppState>, ApiUser(s): ApiUser) -> ApiResult {
    let list = state.app.list_users(&s.actor, &s.ctx).await?;
    let items = list.iter().map(|(u, r)| user_json(u, r, None)).collect();
    answer::send(StatusCode::OK, &Items::<UserJson> { items })
}

pub async fn create_user(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<UserForm>,
) -> ApiResult {
    let id = state.app.create_user(Some(&s.actor), &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn user(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let d = state.app.user_detail(&s.actor, &id, &s.ctx).await?;
    answer::send(
        StatusCode::OK,
        &user_json(&d.user, &d.roles, Some(&d.locks)),
    )
}

pub async fn assign_role(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<RoleForm>,
) -> ApiResult {
    let aid = state.app.assign_role(&s.actor, &id, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id: aid })
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
    answer::send(StatusCode::OK, &Items { items: list })
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
    answer::send(
        StatusCode::OK,
        &AuditPage {
            items: events,
            next_before: next,
        },
    )
}

/// Unknown API paths answer problem+json, not the HTML 404 page.
pub async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", "接口不存在", json!({}))
}
