//! The audit log: the page that filters it and the API that pages through it by cursor.

use crate::answer;
use crate::auth::{ApiUser, PageUser};
use crate::error::{ApiError, PageError};
use crate::i18n::Tr;
use crate::kit::{local_time, render, Chrome, FormErrors};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::audit::EventKind;
use domain::{AreaCode, Role};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
            let date = domain::text::parse_date(d)?;
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
    /// The Chinese name of the event's kind (empty for a kind this version does not know).
    action_zh: &'static str,
    outcome: String,
    target: String,
    area: String,
    change: String,
    request: String,
}

// Not `AuditPage`: that is the API's answer, whose schema is named after it.
#[derive(Template)]
#[template(path = "audit.html")]
struct AuditTemplate {
    chrome: Chrome,
    f: AuditQuery,
    /// The kinds to filter by: (code, Chinese name, chosen), by code.
    kinds: Vec<(&'static str, &'static str, bool)>,
    events: Vec<AuditLine>,
    pager: crate::kit::Pager,
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

pub async fn audit(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let tr = Tr { locale: s.locale };
    let (events, total, errors) = match state
        .app
        .list_audit(&s.actor, &q.filter(), AUDIT_PAGE, &s.ctx)
        .await
    {
        Ok((ev, total)) => (ev, total, FormErrors::default()),
        Err(e) => match FormErrors::from_error(&e) {
            Some(errors) => (Vec::new(), 0, errors),
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
                action_zh: EventKind::parse(&r.action).map(|k| k.zh()).unwrap_or(""),
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
    let page = AuditTemplate {
        chrome: Chrome::for_user(&s, "/audit"),
        kinds: {
            let mut k: Vec<_> = EventKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.zh(), q.action == k.as_str()))
                .collect();
            k.sort_by_key(|(code, _, _)| *code);
            k
        },
        f: q,
        events,
        pager: crate::kit::Pager { total, next: more },
        errors,
    };
    Ok(render(status, &page))
}

// ---------- API ----------

/// A page of audit events; `next_before` is the cursor of the next page, if there is one.
#[derive(Serialize, JsonSchema)]
pub struct AuditPage {
    pub items: Vec<store::audit::AuditEventRow>,
    /// How many events the filter keeps in all (every page).
    pub total: i64,
    pub next_before: Option<String>,
}

pub async fn api_audit(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let (events, total) = state
        .app
        .list_audit(&s.actor, &q.filter(), AUDIT_PAGE, &s.ctx)
        .await?;
    let next = next_cursor(&events);
    answer::send(
        StatusCode::OK,
        &AuditPage {
            items: events,
            total,
            next_before: next,
        },
    )
}
