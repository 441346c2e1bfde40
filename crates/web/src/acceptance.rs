//! Pages and API of delivery, evaluation and payment.

use crate::answer::{self, Paid};
use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use app::acceptance::PanelForm;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::delivery::ActivityForm;
use domain::chain::evaluation::{ScoreForm, SelfEvaluationForm, VerdictForm};
use domain::chain::oversight::NoteForm;

/// A page action on a project: back to the project, or its page with the reason.
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
            let typed = crate::project::Typed {
                $typed: $f,
                ..Default::default()
            };
            crate::project::after_typed(&state, &s, &$id, typed, r).await
        }
    };
}

/// The same action over the API: the project afterwards.
macro_rules! api_action {
    ($name:ident, $form:ty, |$app:ident, $actor:ident, $id:ident, $f:ident, $ctx:ident| $call:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            ApiUser(s): ApiUser,
            Path($id): Path<String>,
            ApiJson($f): ApiJson<$form>,
        ) -> Result<Response, ApiError> {
            let $app = &state.app;
            let ($actor, $ctx) = (&s.actor, &s.ctx);
            $call.await?;
            Ok(Json(state.app.project_detail(&s.actor, &$id, &s.ctx).await?).into_response())
        }
    };
}

page_action!(activity, ActivityForm, activity, |a, actor, id, f, ctx| a
    .record_activity(actor, &id, &f, ctx));
page_action!(
    self_evaluation,
    SelfEvaluationForm,
    self_evaluation,
    |a, actor, id, f, ctx| a.submit_self_evaluation(actor, &id, &f, ctx)
);
page_action!(panel, PanelForm, panel, |a, actor, id, f, ctx| a
    .form_panel(actor, &id, &f, ctx));
page_action!(score, ScoreForm, score, |a, actor, id, f, ctx| a
    .score_project(actor, &id, &f, ctx));
page_action!(verdict, VerdictForm, verdict, |a, actor, id, f, ctx| a
    .decide_verdict(actor, &id, &f, ctx));

page_action!(note, NoteForm, note, |a, actor, id, f, ctx| a
    .record_note(actor, &id, &f, ctx));
api_action!(api_activity, ActivityForm, |a, actor, id, f, ctx| a
    .record_activity(actor, &id, &f, ctx));
api_action!(
    api_self_evaluation,
    SelfEvaluationForm,
    |a, actor, id, f, ctx| a.submit_self_evaluation(actor, &id, &f, ctx)
);
api_action!(api_panel, PanelForm, |a, actor, id, f, ctx| a
    .form_panel(actor, &id, &f, ctx));
api_action!(api_score, ScoreForm, |a, actor, id, f, ctx| a
    .score_project(actor, &id, &f, ctx));
api_action!(api_verdict, VerdictForm, |a, actor, id, f, ctx| a
    .decide_verdict(actor, &id, &f, ctx));

api_action!(api_note, NoteForm, |a, actor, id, f, ctx| a
    .record_note(actor, &id, &f, ctx));

pub async fn pay(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, seq)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = state.app.pay_tranche(&s.actor, &id, seq, &s.ctx).await;
    crate::project::after(&state, &s, &id, r).await
}

pub async fn api_pay(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, seq)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    state.app.pay_tranche(&s.actor, &id, seq, &s.ctx).await?;
    let d = state.app.project_detail(&s.actor, &id, &s.ctx).await?;
    answer::send(
        StatusCode::OK,
        &Paid {
            stage: d.project.stage,
            contract: d.contract,
        },
    )
}
