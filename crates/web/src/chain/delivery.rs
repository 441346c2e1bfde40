//! Pages and API of delivery: activities and the oversight notes.

use crate::auth::{ApiUser, CsrfForm, PageUser};
use crate::error::{ApiError, PageError};
use crate::kit::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::chain::delivery::ActivityForm;
use domain::chain::oversight::NoteForm;

page_action!(activity, ActivityForm, activity, |a, actor, id, f, ctx| a
    .record_activity(actor, &id, &f, ctx));
page_action!(note, NoteForm, note, |a, actor, id, f, ctx| a
    .record_note(actor, &id, &f, ctx));

api_action!(api_activity, ActivityForm, |a, actor, id, f, ctx| a
    .record_activity(actor, &id, &f, ctx));
api_action!(api_note, NoteForm, |a, actor, id, f, ctx| a
    .record_note(actor, &id, &f, ctx));
