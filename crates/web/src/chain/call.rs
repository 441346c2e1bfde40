//! Pages and API of calls: competitive selections, venture-philanthropy and micro calls, and
//! facility tenders.

use crate::answer::{self, Awarded, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{status_of, ApiError, PageError};
use crate::kit::{refused, render, when, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::chain::call::{CallList, CallView};
use app::chain::evaluation::PanelForm;
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::call::{
    AwardForm, CallApplicationForm, CallForm, CallKind, RubricForm, ScoreSheetForm,
};
use domain::chain::money::Money;
use domain::{DomainError, FieldError};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage {
    chrome: Chrome,
    pager: crate::kit::Pager,
    list: CallList,
    kinds: Vec<(&'static str, &'static str)>,
    form: CallForm,
    errors: FormErrors,
}

impl CallsPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
}

/// An application as typed on the page, with the organization it is for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub organization_id: String,
    #[serde(flatten)]
    pub application: CallApplicationForm,
}

/// What was typed in the call page's forms, kept when one is refused.
#[derive(Default)]
struct Typed {
    apply: ApplyForm,
    rubric: RubricForm,
    panel: PanelForm,
    /// The score sheet's inputs by name (`s.<application>.<criterion>`).
    sheet: HashMap<String, String>,
    comment: String,
    award: AwardForm,
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    chrome: Chrome,
    v: CallView,
    notice: String,
    errors: FormErrors,
    typed: Typed,
}

impl CallPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
    fn when(&self, at: &str) -> String {
        when(at)
    }
    fn points(&self, centi: &u64) -> String {
        format!("{}.{:02}", centi / 100, centi % 100)
    }
    fn sheet_value(&self, app: &str, i: &usize) -> String {
        self.typed
            .sheet
            .get(&format!("s.{app}.{i}"))
            .cloned()
            .unwrap_or_default()
    }
    fn rubric_text(&self) -> String {
        if self.typed.rubric.rubric.is_empty() {
            self.v
                .call
                .rubric
                .iter()
                .map(|c| format!("{} {}", c.name, c.max))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            self.typed.rubric.rubric.clone()
        }
    }
}

async fn calls_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    mut form: CallForm,
    errors: FormErrors,
    after: &str,
) -> Result<Response, PageError> {
    let list = state
        .app
        .calls(&s.actor, Some(after), app::page::DEFAULT_LIMIT)
        .await
        .page(s.locale)?;
    if form.area.is_empty() {
        if let [only] = list.can_open_for.as_slice() {
            form.area = only.as_str().to_string();
        }
    }
    if form.rubric.is_empty() {
        form.rubric = "需求契合度 30\n方案可行性 30\n团队能力 20\n预算合理性 20".into();
    }
    if form.min_panel.is_empty() {
        form.min_panel = "5".into();
    }
    Ok(render(
        status,
        &CallsPage {
            chrome: Chrome::for_user(s, "/calls"),
            pager: crate::kit::Pager::of(&list.page, "/calls", &[]),
            list,
            kinds: CallKind::options(),
            form,
            errors,
        },
    ))
}

pub async fn calls(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, PageError> {
    calls_page(
        &state,
        &s,
        StatusCode::OK,
        CallForm::default(),
        FormErrors::default(),
        &p.after,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(form): CsrfForm<CallForm>,
) -> Result<Response, PageError> {
    match state.app.open_call(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/calls/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => calls_page(&state, &s, st, form, errors, "").await,
            None => match crate::error::notice_of(&e) {
                Some(n) => {
                    calls_page(
                        &state,
                        &s,
                        status_of(&e),
                        form,
                        FormErrors::single("kind", &n),
                        "",
                    )
                    .await
                }
                None => Err(PageError::new(e, s.locale)),
            },
        },
    }
}

async fn call_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    notice: String,
    errors: FormErrors,
    typed: Typed,
) -> Result<Response, PageError> {
    let v = state
        .app
        .call_view(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &CallPage {
            chrome: Chrome::for_user(s, &format!("/calls/{id}")),
            v,
            notice,
            errors,
            typed,
        },
    ))
}

pub async fn call(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    call_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        String::new(),
        FormErrors::default(),
        Typed::default(),
    )
    .await
}

/// After an action on a call: back to its page, or the page again saying why not, with what
/// was typed.
async fn after(
    state: &AppState,
    s: &Signed,
    id: &str,
    typed: Typed,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/calls/{id}")).into_response()),
        Err(e) => match crate::error::notice_of(&e) {
            Some(notice) => {
                let errors = FormErrors::from_error(&e).unwrap_or_default();
                call_page(state, s, id, status_of(&e), notice, errors, typed).await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

/// A page action on a call: back to the call, or its page again with the reason and what was
/// typed in that form.
macro_rules! page_action {
    ($name:ident, $form:ty, $typed:ident, |$app:ident, $actor:ident, $id:ident, $f:ident, $ctx:ident| $call:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            PageUser(s): PageUser,
            Path($id): Path<String>,
            CsrfForm($f): CsrfForm<$form>,
        ) -> Result<Response, PageError> {
            let $app = &state.app;
            let ($actor, $ctx) = (&s.actor, &s.ctx);
            let r = $call.await.map(|_| ());
            let typed = Typed {
                $typed: $f,
                ..Default::default()
            };
            after(&state, &s, &$id, typed, r).await
        }
    };
}

page_action!(apply, ApplyForm, apply, |a, actor, id, f, ctx| a
    .apply_to_call(actor, &id, &f.organization_id, &f.application, ctx));
page_action!(rubric, RubricForm, rubric, |a, actor, id, f, ctx| a
    .revise_rubric(actor, &id, &f, ctx));
page_action!(panel, PanelForm, panel, |a, actor, id, f, ctx| a
    .form_call_panel(actor, &id, &f, ctx));
page_action!(award, AwardForm, award, |a, actor, id, f, ctx| a
    .award_call(actor, &id, &f, ctx));

/// The page's score sheet (`s.<application>.<criterion>` inputs) as the use case's form; an
/// input that is not a whole number is named on its application's row.
fn sheet_of(fields: &[(String, String)]) -> Result<ScoreSheetForm, AppError> {
    let mut sheet = ScoreSheetForm::default();
    let mut cells: Vec<(String, usize, String)> = Vec::new();
    for (k, v) in fields {
        if k == "comment" {
            sheet.comment = v.clone();
        } else if let Some(rest) = k.strip_prefix("s.") {
            if let Some((app, i)) = rest.rsplit_once('.') {
                if let Ok(i) = i.parse::<usize>() {
                    cells.push((app.to_string(), i, v.trim().to_string()));
                }
            }
        }
    }
    cells.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut errors = Vec::new();
    for (app, _, v) in cells {
        match v.parse::<u32>() {
            Ok(p) => sheet.scores.entry(app).or_default().push(p),
            Err(_) => {
                let f = format!("scores.{app}");
                if !errors.iter().any(|e: &FieldError| e.field == f) {
                    errors.push(FieldError::new(
                        f,
                        "invalid_score",
                        "每项评分应为 0 至满分的整数",
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(sheet)
    } else {
        Err(DomainError::Invalid(errors).into())
    }
}

pub async fn score(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = match sheet_of(&fields) {
        Ok(sheet) => state.app.score_call(&s.actor, &id, &sheet, &s.ctx).await,
        Err(e) => Err(e),
    };
    let typed = Typed {
        comment: fields
            .iter()
            .find(|(k, _)| k == "comment")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        sheet: fields
            .into_iter()
            .filter(|(k, _)| k.starts_with("s."))
            .collect(),
        ..Default::default()
    };
    after(&state, &s, &id, typed, r).await
}

pub async fn close(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = state.app.close_call(&s.actor, &id, &s.ctx).await;
    after(&state, &s, &id, Typed::default(), r).await
}

pub async fn api_calls(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .app
        .calls(&s.actor, Some(&p.after), app::page::limit(p.limit))
        .await?;
    Ok(Json(list).into_response())
}

pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<CallForm>,
) -> Result<Response, ApiError> {
    let id = state.app.open_call(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_call(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.call_view(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_apply(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ApplyForm>,
) -> Result<Response, ApiError> {
    let aid = state
        .app
        .apply_to_call(
            &s.actor,
            &id,
            &form.organization_id,
            &form.application,
            &s.ctx,
        )
        .await?;
    answer::send(StatusCode::CREATED, &Created { id: aid })
}

/// The call afterwards, for the API's other actions.
async fn view_after(state: &AppState, s: &Signed, id: &str) -> Result<Response, ApiError> {
    Ok(Json(state.app.call_view(&s.actor, id, &s.ctx).await?).into_response())
}

pub async fn api_rubric(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<RubricForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .revise_rubric(&s.actor, &id, &form, &s.ctx)
        .await?;
    view_after(&state, &s, &id).await
}

pub async fn api_panel(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<PanelForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .form_call_panel(&s.actor, &id, &form, &s.ctx)
        .await?;
    view_after(&state, &s, &id).await
}

pub async fn api_score(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<ScoreSheetForm>,
) -> Result<Response, ApiError> {
    state.app.score_call(&s.actor, &id, &form, &s.ctx).await?;
    view_after(&state, &s, &id).await
}

pub async fn api_award(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<AwardForm>,
) -> Result<Response, ApiError> {
    let project = state.app.award_call(&s.actor, &id, &form, &s.ctx).await?;
    answer::send(
        StatusCode::CREATED,
        &Awarded {
            project_id: project,
        },
    )
}

pub async fn api_close(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state.app.close_call(&s.actor, &id, &s.ctx).await?;
    view_after(&state, &s, &id).await
}
