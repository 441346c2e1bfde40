//! The chain's pages and API, one module per context with the same names as `app::chain`:
//! needs, the catalogue and eligibility, applications (projects and their versions),
//! consultations, votes, funds and the purchase decision, contracts, delivery, evaluation and
//! payment, and calls. The macros below make a project's actions (a page form and its API twin).

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
            let typed = crate::chain::application::Typed {
                $typed: $f,
                ..Default::default()
            };
            crate::chain::application::after_typed(&state, &s, &$id, typed, r).await
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

pub mod application;
pub mod call;
pub mod catalogue;
pub mod consultation;
pub mod contract;
pub mod delivery;
pub mod erratum;
pub mod evaluation;
pub mod need;
pub mod purchase;
pub mod termination;
pub mod vote;
