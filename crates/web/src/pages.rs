//! HTML pages. Each handler parses, calls one use case, renders; a refused form is shown again
//! with what the person typed and the reason beside each field.

use crate::answer::{self, Items};
use crate::auth::{
    set_cookie, CsrfForm, Lang, PageUser, ReqCtx, Signed, LANG_COOKIE, LARGE_COOKIE,
    LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::PageError;
use crate::i18n::{Locale, Tr};
use crate::AppState;
use app::identity::{RoleForm, UserForm};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::authz::{reach, Action};
use domain::{AreaCode, DomainError, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// What every page's frame needs.
pub struct Chrome {
    pub tr: Tr,
    pub user: Option<String>,
    pub csrf: String,
    pub large: bool,
    pub path: String,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_registry: bool,
    pub flash: String,
}

impl Chrome {
    pub fn for_user(s: &Signed, path: &str) -> Self {
        Chrome {
            tr: Tr { locale: s.locale },
            user: Some(s.actor.display_name.clone()),
            csrf: s.csrf.clone().unwrap_or_default(),
            large: s.large_text,
            path: crate::error::urlencode(path),
            can_users: !reach(&s.actor, Action::ManageAccounts).roots().is_empty(),
            can_audit: !reach(&s.actor, Action::ViewAudit).roots().is_empty(),
            can_registry: crate::registry::sees_registry(s),
            flash: String::new(),
        }
    }
    fn with_flash(mut self, f: &str) -> Self {
        self.flash = f.to_string();
        self
    }
}

/// Field errors of a refused form, by field name.
#[derive(Default)]
pub struct FormErrors(HashMap<String, String>);

impl FormErrors {
    pub fn from_error(e: &AppError) -> Option<Self> {
        let mut m = HashMap::new();
        match e {
            AppError::Domain(DomainError::Invalid(f)) => {
                for x in f {
                    m.entry(x.field.clone())
                        .and_modify(|v: &mut String| {
                            v.push('；');
                            v.push_str(&x.message)
                        })
                        .or_insert_with(|| x.message.clone());
                }
            }
            AppError::Duplicate { field, message } => {
                m.insert(field.to_string(), message.clone());
            }
            _ => return None,
        }
        Some(FormErrors(m))
    }
    /// One message on one field.
    pub fn single(field: &str, message: &str) -> Self {
        FormErrors(HashMap::from([(field.to_string(), message.to_string())]))
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn has(&self, f: &str) -> bool {
        self.0.contains_key(f)
    }
    pub fn get(&self, f: &str) -> &str {
        self.0.get(f).map(String::as_str).unwrap_or("")
    }
}

fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(h) => Html(h).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "模板渲染失败").into_response()
        }
    }
}

fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut r = render(t);
    *r.status_mut() = status;
    r
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

// ---------- login / logout ----------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    login: String,
    next: String,
    /// Why the last try did not sign in ("" on a fresh page).
    notice: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login page; after a refused try, `refusal` says why (and the login typed is kept).
fn login_page(locale: Locale, login: String, next: String, refusal: Option<&AppError>) -> Response {
    let csrf = app::secret::random_token();
    let page = LoginPage {
        chrome: Chrome {
            tr: Tr { locale },
            user: None,
            csrf: csrf.clone(),
            large: false,
            path: "/login".into(),
            can_users: false,
            can_audit: false,
            can_registry: false,
            flash: String::new(),
        },
        login,
        next,
        notice: match refusal {
            Some(AppError::LoginFailed) => Tr { locale }.t("login.failed").to_string(),
            Some(e) => e.message(),
            None => String::new(),
        },
    };
    let status = refusal.map_or(StatusCode::OK, crate::error::status_of);
    let mut r = render_status(status, &page);
    if let Some(secs) = refusal.and_then(AppError::retry_after) {
        if let Ok(v) = secs.to_string().parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_form(Lang(locale): Lang, Query(q): Query<NextQuery>) -> Response {
    login_page(locale, String::new(), safe_next(q.next.as_deref()), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ReqCtx(ctx): ReqCtx,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    match state.app.login(&form.login, &form.password, &ctx).await {
        Ok(s) => {
            let mut r = Redirect::to(&next).into_response();
            let max_age = state.app.settings.session_hours * 3600;
            if let Ok(v) = set_cookie(SESSION_COOKIE, &s.token, Some(max_age)).parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, "", Some(0)).parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(e @ (AppError::LoginFailed | AppError::Throttled { .. } | AppError::Busy { .. })) => {
            login_page(locale, form.login, next, Some(&e))
        }
        Err(e) => PageError::new(e, locale).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(t) = &s.session_token {
        state
            .app
            .logout(&s.actor, t, &s.ctx)
            .await
            .map_err(|e| PageError::new(e, s.locale))?;
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

// ---------- language and large text ----------

pub async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let locale = Locale::parse(&lang).unwrap_or(Locale::Zh);
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(LANG_COOKIE, locale.as_str(), Some(31_536_000)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
pub struct LargeQuery {
    on: Option<String>,
    next: Option<String>,
}

pub async fn set_large(Query(q): Query<LargeQuery>) -> Response {
    let on = q.on.as_deref() == Some("1");
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(LARGE_COOKIE, if on { "1" } else { "0" }, Some(31_536_000)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

// ---------- home ----------

pub struct RoleLine {
    role: &'static str,
    area_name: String,
    area_full: String,
    organization: Option<String>,
    link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    display_name: String,
    roles: Vec<RoleLine>,
    chart_src: String,
    chart_title: String,
    /// (level, number of areas) below the first territory.
    summary: Vec<(&'static str, i64)>,
    /// What waits for the reader.
    work: Vec<app::worklist::Work>,
}

pub async fn home(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let codes: Vec<AreaCode> = s.actor.assignments.iter().map(|a| a.area.clone()).collect();
    let areas = state
        .app
        .areas_named(&codes)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    let name_of = |c: &AreaCode| {
        if c.as_str().is_empty() {
            "全国".to_string()
        } else {
            areas
                .iter()
                .find(|a| &a.code == c)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| c.full())
        }
    };
    let roles = s
        .actor
        .assignments
        .iter()
        .map(|a| RoleLine {
            role: tr.role(&a.role),
            area_name: name_of(&a.area),
            area_full: a.area.full(),
            organization: a.organization_id.clone(),
            link: format!("/areas/{}", a.area.as_str())
                .trim_end_matches('/')
                .to_string(),
        })
        .collect();
    let first = s.actor.assignments.first().map(|a| a.area.clone());
    let (chart_src, chart_title, summary) = match first {
        Some(a) if a.level() < domain::AreaLevel::Community => {
            let counts = state
                .app
                .areas_below(&a)
                .await
                .map_err(|e| PageError::new(e, s.locale))?;
            let code = if a.as_str().is_empty() {
                "nation"
            } else {
                a.as_str()
            };
            (
                format!("/api/v1/areas/{code}/children"),
                name_of(&a),
                counts.into_iter().map(|(l, n)| (l.zh(), n)).collect(),
            )
        }
        _ => (String::new(), String::new(), Vec::new()),
    };
    let work = state
        .app
        .work_list(&s.actor)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    let page = HomePage {
        work,
        chrome: Chrome::for_user(&s, "/"),
        display_name: s.actor.display_name.clone(),
        roles,
        chart_src,
        chart_title,
        summary,
    };
    Ok(render(&page))
}

// ---------- areas ----------

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    chrome: Chrome,
    view: app::area::AreaView,
    full_code: String,
    chart_src: String,
    has_grandchildren: bool,
}

async fn area_page(state: &AppState, s: &Signed, code: &AreaCode) -> Result<Response, PageError> {
    let view = state
        .app
        .view_area(&s.actor, code, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    let path = if code.as_str().is_empty() {
        "/areas".to_string()
    } else {
        format!("/areas/{}", code.as_str())
    };
    let chart_code = if code.as_str().is_empty() {
        "nation"
    } else {
        code.as_str()
    };
    let has_grandchildren = view.children.iter().any(|c| c.child_count > 0);
    let page = AreaPage {
        chrome: Chrome::for_user(s, &path),
        full_code: code.full(),
        chart_src: format!("/api/v1/areas/{chart_code}/children"),
        has_grandchildren,
        view,
    };
    Ok(render(&page))
}

pub async fn areas_root(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    area_page(&state, &s, &AreaCode::nation()).await
}

pub async fn area(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let code = AreaCode::parse(&code).map_err(|e| PageError::new(e, s.locale))?;
    area_page(&state, &s, &code).await
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    results: Vec<store::area::AreaRow>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let q = q.q.unwrap_or_default();
    let results = state
        .app
        .search_areas(&s.actor, &q, 50)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    let page = SearchPage {
        chrome: Chrome::for_user(&s, "/areas/search"),
        q,
        results,
    };
    Ok(render(&page))
}

// ---------- my account ----------

pub struct TokenLine {
    id: String,
    name: String,
    hint: String,
    created_at: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    login: String,
    errors: FormErrors,
    tokens: Vec<TokenLine>,
    new_token: String,
    token_name: String,
}

/// What the account page shows beside the stored data: a refused form or a result.
struct AccountOutcome {
    status: StatusCode,
    errors: FormErrors,
    flash: &'static str,
    new_token: String,
    token_name: String,
}

impl AccountOutcome {
    fn plain() -> Self {
        AccountOutcome {
            status: StatusCode::OK,
            errors: FormErrors::default(),
            flash: "",
            new_token: String::new(),
            token_name: String::new(),
        }
    }
    /// A refused form: its field errors, or `None` when the error is not about the form.
    fn refused(e: &AppError) -> Option<Self> {
        FormErrors::from_error(e).map(|errors| AccountOutcome {
            status: crate::error::status_of(e),
            errors,
            ..AccountOutcome::plain()
        })
    }
}

async fn account_page(
    state: &AppState,
    s: &Signed,
    o: AccountOutcome,
) -> Result<Response, PageError> {
    let tokens = state
        .app
        .tokens(&s.actor)
        .await
        .map_err(|e| PageError::new(e, s.locale))?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            hint: t.hint,
            created_at: local_time(&t.created_at),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let page = AccountPage {
        chrome: Chrome::for_user(s, "/account").with_flash(o.flash),
        login: s.actor.login.clone(),
        errors: o.errors,
        tokens,
        new_token: o.new_token,
        token_name: o.token_name,
    };
    Ok(render_status(o.status, &page))
}

pub async fn account(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    account_page(&state, &s, AccountOutcome::plain()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let res = state
        .app
        .change_password(
            &s.actor,
            &f.current_password,
            &f.new_password,
            &f.confirm_password,
            s.session_token.as_deref(),
            &s.ctx,
        )
        .await;
    let outcome = match res {
        Ok(()) => AccountOutcome {
            flash: Tr { locale: s.locale }.t("account.password_changed"),
            ..AccountOutcome::plain()
        },
        Err(e) => AccountOutcome::refused(&e).ok_or_else(|| PageError::new(e, s.locale))?,
    };
    account_page(&state, &s, outcome).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let outcome = match state.app.create_token(&s.actor, &f.name, &s.ctx).await {
        Ok(t) => AccountOutcome {
            new_token: t.token,
            ..AccountOutcome::plain()
        },
        Err(e) => AccountOutcome {
            token_name: f.name,
            ..AccountOutcome::refused(&e).ok_or_else(|| PageError::new(e, s.locale))?
        },
    };
    account_page(&state, &s, outcome).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state
        .app
        .revoke_token(&s.actor, &id, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    Ok(Redirect::to("/account").into_response())
}

// ---------- accounts administration ----------

pub struct UserLine {
    id: String,
    login: String,
    display_name: String,
    roles: String,
}

pub struct Field {
    name: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserLine>,
    fields: Vec<Field>,
    role_options: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

fn role_options(tr: Tr) -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), tr.role(r))).collect()
}

fn role_label(tr: Tr, a: &store::identity::AssignmentRow) -> String {
    let mut s = format!("{} @ {}", tr.role(&a.role), a.area_code.full());
    if let Some(o) = &a.organization_id {
        s.push_str(&format!(" ({o})"));
    }
    s
}

async fn users_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    form: UserForm,
    errors: FormErrors,
    flash: &str,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let users = state
        .app
        .list_users(&s.actor, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?
        .into_iter()
        .map(|(u, roles)| UserLine {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            roles: roles
                .iter()
                .map(|a| role_label(tr, a))
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    let fields = vec![
        Field {
            name: "login",
            label: "users.login",
            value: form.login,
        },
        Field {
            name: "display_name",
            label: "users.display_name",
            value: form.display_name,
        },
        // A refused form never echoes the password back into the page.
        Field {
            name: "password",
            label: "users.password",
            value: String::new(),
        },
        Field {
            name: "role",
            label: "users.role",
            value: form.role,
        },
        Field {
            name: "area",
            label: "users.area",
            value: form.area,
        },
        Field {
            name: "organization_id",
            label: "users.organization",
            value: form.organization_id.unwrap_or_default(),
        },
    ];
    let page = UsersPage {
        chrome: Chrome::for_user(s, "/admin/users").with_flash(flash),
        users,
        fields,
        role_options: role_options(tr),
        errors,
    };
    Ok(render_status(status, &page))
}

pub async fn users(
    State(state): State<AppState>,
    PageUser(s): PageUser,
) -> Result<Response, PageError> {
    users_page(
        &state,
        &s,
        StatusCode::OK,
        UserForm::default(),
        FormErrors::default(),
        "",
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, PageError> {
    match state.app.create_user(Some(&s.actor), &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                users_page(&state, &s, crate::error::status_of(&e), form, errors, "").await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub struct RoleRow {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    chrome: Chrome,
    user: store::identity::UserRow,
    /// Addresses locked out of this account for now (failed logins from them).
    locks: Vec<(String, String)>,
    roles: Vec<RoleRow>,
    role_options: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    form_role: String,
    form_area: String,
    form_org: String,
}

async fn user_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    form: RoleForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let app::identity::UserDetail { user, roles, locks } = state
        .app
        .user_detail(&s.actor, id, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    let page = UserPage {
        chrome: Chrome::for_user(s, &format!("/admin/users/{id}")),
        locks: locks
            .into_iter()
            .map(|l| {
                let until = l
                    .locked_until
                    .as_deref()
                    .map(local_time)
                    .unwrap_or_default();
                (l.client, until)
            })
            .collect(),
        roles: roles
            .iter()
            .map(|a| RoleRow {
                id: a.id.clone(),
                label: role_label(tr, a),
            })
            .collect(),
        user,
        role_options: role_options(tr),
        errors,
        form_role: form.role,
        form_area: form.area,
        form_org: form.organization_id.unwrap_or_default(),
    };
    Ok(render_status(status, &page))
}

pub async fn user(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    user_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        RoleForm::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn assign_role(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    match state.app.assign_role(&s.actor, &id, &form, &s.ctx).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => {
                user_page(&state, &s, &id, crate::error::status_of(&e), form, errors).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn remove_role(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, assignment_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    state
        .app
        .remove_role(&s.actor, &id, &assignment_id, &s.ctx)
        .await
        .map_err(|e| PageError::new(e, s.locale))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

// ---------- audit ----------

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: String,
}

impl AuditQuery {
    /// Turns the query into a store filter; dates are Asia/Shanghai days.
    pub fn filter(&self) -> store::audit::AuditFilter {
        let day = |d: &str, add: i64| -> Option<String> {
            let date = chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()?;
            let local = date.and_hms_opt(0, 0, 0)? + chrono::Duration::days(add)
                - chrono::Duration::hours(8);
            Some(store::time::to_db(local.and_utc()))
        };
        let before = {
            let mut it = self.before.splitn(3, '|');
            match (it.next(), it.next(), it.next().and_then(|s| s.parse().ok())) {
                (Some(a), Some(t), Some(s)) if !a.is_empty() => {
                    Some((a.to_string(), t.to_string(), s))
                }
                _ => None,
            }
        };
        store::audit::AuditFilter {
            action: Some(self.action.clone()),
            outcome: Some(self.outcome.clone()),
            actor_login: Some(self.actor.clone()),
            area_prefix: Some(self.area.trim().to_string()),
            from: day(&self.from, 0),
            to: day(&self.to, 1),
            before,
        }
    }
}

pub struct AuditLine {
    at: String,
    actor: String,
    role: String,
    action: String,
    outcome: String,
    target: String,
    area: String,
    change: String,
    request: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    f: AuditQuery,
    events: Vec<AuditLine>,
    more: String,
    errors: FormErrors,
}

pub const AUDIT_PAGE: i64 = 100;

/// The keyset cursor of the page after `events`, when the page is full.
pub fn next_cursor(events: &[store::audit::AuditEventRow]) -> Option<String> {
    match events.last() {
        Some(e) if events.len() as i64 == AUDIT_PAGE => Some(format!(
            "{}|{}|{}",
            e.record.at, e.record.tenant_id, e.record.seq
        )),
        _ => None,
    }
}

/// Shows a stored UTC time in Asia/Shanghai.
pub fn local_time(at: &str) -> String {
    store::time::from_db(at)
        .map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| at.to_string())
}

pub async fn audit(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let (events, errors) = match state
        .app
        .list_audit(&s.actor, &q.filter(), AUDIT_PAGE, &s.ctx)
        .await
    {
        Ok(ev) => (ev, FormErrors::default()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => (Vec::new(), errors),
            None => return Err(PageError::new(e, s.locale)),
        },
    };
    let more = match next_cursor(&events) {
        Some(cursor) => {
            format!(
                "/audit?action={}&outcome={}&actor={}&area={}&from={}&to={}&before={}",
                crate::error::urlencode(&q.action),
                crate::error::urlencode(&q.outcome),
                crate::error::urlencode(&q.actor),
                crate::error::urlencode(&q.area),
                crate::error::urlencode(&q.from),
                crate::error::urlencode(&q.to),
                crate::error::urlencode(&cursor)
            )
        }
        None => String::new(),
    };
    let events = events
        .into_iter()
        .map(|e| {
            let r = e.record;
            let change = match (&r.before, &r.after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => a.clone(),
                (Some(b), None) => format!("{b} → ∅"),
                (None, None) => String::new(),
            };
            AuditLine {
                at: local_time(&r.at),
                actor: r.actor_login.unwrap_or_else(|| "system".into()),
                role: r
                    .actor_role
                    .as_deref()
                    .and_then(Role::parse)
                    .map(|x| tr.role(&x).to_string())
                    .unwrap_or_default(),
                action: r.action,
                outcome: r.outcome,
                target: format!("{} {}", r.target_kind, r.target_id),
                area: if r.area_code.is_empty() {
                    "全国".into()
                } else {
                    AreaCode::from_stored(&r.area_code).full()
                },
                change,
                request: format!(
                    "{} {}",
                    r.request_id.unwrap_or_default(),
                    r.client_addr.unwrap_or_default()
                ),
            }
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AuditPage {
        chrome: Chrome::for_user(&s, "/audit"),
        f: q,
        events,
        more,
        errors,
    };
    Ok(render_status(status, &page))
}

/// The Chinese 404 page for any unknown path.
pub async fn not_found(Lang(locale): Lang) -> Response {
    crate::error::render_error_page(StatusCode::NOT_FOUND, "not_found", "页面不存在", locale)
}

/// What waits for the reader (the home page's work list).
pub async fn api_work(
    State(state): State<AppState>,
    crate::auth::ApiUser(s): crate::auth::ApiUser,
) -> Result<Response, crate::error::ApiError> {
    let items = state.app.work_list(&s.actor).await?;
    answer::send(StatusCode::OK, &Items { items })
}
