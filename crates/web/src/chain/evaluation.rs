//! Pages and API of evaluation and payment: the self-evaluation, the review panel, scores,
//! the verdict and the tranches paid.

use crate::answer::{self, Paid};
use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use app::chain::evaluation::PanelForm;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::evaluation::{ScoreForm, SelfEvaluationForm, VerdictForm};

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

pub async fn pay(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, seq)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = state.app.pay_tranche(&s.actor, &id, seq, &s.ctx).await;
    crate::chain::application::after(&state, &s, &id, r).await
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
