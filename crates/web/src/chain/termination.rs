//! Pages and API of termination, rectification and the money that returns (issue 16): the
//! purchaser ends a project or sets a rectification period, the organization answers or records
//! its rectification, the review group's chair signs the one re-review.

use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::termination::{ReReviewForm, RectificationForm, StatementForm, TerminationForm};

page_action!(
    terminate,
    TerminationForm,
    termination,
    |a, actor, id, f, ctx| a.terminate_project(actor, &id, &f, ctx)
);
page_action!(respond, StatementForm, response, |a, actor, id, f, ctx| a
    .respond_to_termination(actor, &id, &f, ctx));
page_action!(
    rectification_period,
    RectificationForm,
    rectification,
    |a, actor, id, f, ctx| a.open_rectification(actor, &id, &f, ctx)
);
page_action!(
    rectification,
    StatementForm,
    rectified,
    |a, actor, id, f, ctx| a.record_rectification(actor, &id, &f, ctx)
);
page_action!(
    re_review,
    ReReviewForm,
    re_review,
    |a, actor, id, f, ctx| a.sign_re_review(actor, &id, &f, ctx)
);

api_action!(api_terminate, TerminationForm, |a, actor, id, f, ctx| a
    .terminate_project(actor, &id, &f, ctx));
api_action!(api_respond, StatementForm, |a, actor, id, f, ctx| a
    .respond_to_termination(actor, &id, &f, ctx));
api_action!(
    api_rectification_period,
    RectificationForm,
    |a, actor, id, f, ctx| a.open_rectification(actor, &id, &f, ctx)
);
api_action!(api_rectification, StatementForm, |a, actor, id, f, ctx| a
    .record_rectification(actor, &id, &f, ctx));
api_action!(api_re_review, ReReviewForm, |a, actor, id, f, ctx| a
    .sign_re_review(actor, &id, &f, ctx));
