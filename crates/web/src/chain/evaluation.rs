//! Pages and API of evaluation and payment: the self-evaluation, the review group (convened by
//! the committee; its meeting and signed report by its chair), scores and the tranches paid.

use crate::answer::{self, Paid};
use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::chain::application::{after_typed, Typed};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::evaluation::{ScoreForm, SelfEvaluationForm, VerdictForm};
use domain::chain::milestone::{ConditionsMetForm, MidtermForm};
use domain::chain::review_group::{GroupForm, MeetingForm, MemberForm};

page_action!(
    self_evaluation,
    SelfEvaluationForm,
    self_evaluation,
    |a, actor, id, f, ctx| a.submit_self_evaluation(actor, &id, &f, ctx)
);
page_action!(score, ScoreForm, score, |a, actor, id, f, ctx| a
    .score_project(actor, &id, &f, ctx));
page_action!(verdict, VerdictForm, verdict, |a, actor, id, f, ctx| a
    .sign_review_report(actor, &id, &f, ctx));
page_action!(midterm, MidtermForm, midterm, |a, actor, id, f, ctx| a
    .record_midterm_review(actor, &id, &f, ctx));

api_action!(
    api_self_evaluation,
    SelfEvaluationForm,
    |a, actor, id, f, ctx| a.submit_self_evaluation(actor, &id, &f, ctx)
);
api_action!(api_panel, GroupForm, |a, actor, id, f, ctx| a
    .convene_review_group(actor, &id, &f, ctx));
api_action!(api_meeting, MeetingForm, |a, actor, id, f, ctx| a
    .record_review_meeting(actor, &id, &f, ctx));
api_action!(api_score, ScoreForm, |a, actor, id, f, ctx| a
    .score_project(actor, &id, &f, ctx));
api_action!(api_verdict, VerdictForm, |a, actor, id, f, ctx| a
    .sign_review_report(actor, &id, &f, ctx));
api_action!(api_midterm, MidtermForm, |a, actor, id, f, ctx| a
    .record_midterm_review(actor, &id, &f, ctx));
api_action!(
    api_conditions_met,
    ConditionsMetForm,
    |a, actor, id, f, ctx| a.record_conditions_met(actor, &id, &f, ctx)
);

/// The chair records the conditions met; one `evidence` field per condition, in order.
pub async fn conditions_met(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = ConditionsMetForm {
        evidence: fields
            .iter()
            .filter(|(k, _)| k == "evidence")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let r = state
        .app
        .record_conditions_met(&s.actor, &id, &form, &s.ctx)
        .await;
    let typed = Typed {
        conditions: form,
        ..Default::default()
    };
    after_typed(&state, &s, &id, typed, r).await
}

/// The page's member rows (`m.<row>.name`, `.category`, `.login`, `.organization`, and one
/// `chair` radio naming its row) as the use case's form, rows in order.
pub(crate) fn group_of(fields: &[(String, String)]) -> GroupForm {
    let mut rows: Vec<MemberForm> = Vec::new();
    let chair = fields
        .iter()
        .find(|(k, _)| k == "chair")
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    for (k, v) in fields {
        let Some((row, part)) = k
            .strip_prefix("m.")
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(i, part)| i.parse::<usize>().ok().map(|i| (i, part)))
        else {
            continue;
        };
        // A page has a dozen rows; a larger number is not one of ours.
        if row >= 30 {
            continue;
        }
        if rows.len() <= row {
            rows.resize(row + 1, MemberForm::default());
        }
        let m = &mut rows[row];
        match part {
            "name" => m.name = v.clone(),
            "category" => m.category = v.clone(),
            "login" => m.login = v.clone(),
            "organization" => m.organization = v.clone(),
            _ => {}
        }
    }
    if let Some(c) = chair {
        if c < rows.len() {
            rows[c].chair = true;
        }
    }
    GroupForm { members: rows }
}

/// The committee convenes the review group from the page's rows.
pub async fn panel(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let group = group_of(&fields);
    let r = state
        .app
        .convene_review_group(&s.actor, &id, &group, &s.ctx)
        .await;
    let typed = Typed {
        group,
        ..Default::default()
    };
    after_typed(&state, &s, &id, typed, r).await
}

/// The chair records the method and the review meeting; `present` comes once per box ticked.
pub async fn meeting(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = MeetingForm {
        method: get("method"),
        held_on: get("held_on"),
        place: get("place"),
        present: fields
            .iter()
            .filter(|(k, _)| k == "present")
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(","),
    };
    let r = state
        .app
        .record_review_meeting(&s.actor, &id, &form, &s.ctx)
        .await;
    let typed = Typed {
        meeting: form,
        ..Default::default()
    };
    after_typed(&state, &s, &id, typed, r).await
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_rows_become_members_in_order_with_the_chair_ticked() {
        let f = |k: &str, v: &str| (k.to_string(), v.to_string());
        let g = group_of(&[
            f("csrf_token", "x"),
            f("m.1.name", "专家"),
            f("m.1.category", "expert"),
            f("m.0.name", "代表"),
            f("m.0.login", "representative"),
            f("m.1.login", "evaluator"),
            f("m.99.name", "ignored"),
            f("chair", "1"),
        ]);
        assert_eq!(g.members.len(), 2);
        assert_eq!(g.members[0].name, "代表");
        assert_eq!(g.members[0].login, "representative");
        assert!(!g.members[0].chair);
        assert_eq!(
            (g.members[1].category.as_str(), g.members[1].chair),
            ("expert", true)
        );
    }
}
