//! Pages and API of representatives' meetings and their votes.

use crate::answer::{self, Created};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{status_of, ApiError, PageError};
use crate::kit::{ids, refused, render, with_lists, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::chain::vote::{
    AttendanceForm, BallotForm, OpenVoteForm, PaperForm, VoteList, VoteMeetingDetail,
};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

#[derive(Template)]
#[template(path = "votes.html")]
struct ListPage {
    chrome: Chrome,
    pager: crate::kit::Pager,
    list: VoteList,
    form: OpenVoteForm,
    errors: FormErrors,
}

impl ListPage {
    fn chosen(&self, id: &str) -> bool {
        ids(&self.form.projects).any(|x| x == id)
    }
}

async fn list_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    mut form: OpenVoteForm,
    errors: FormErrors,
    after: &str,
) -> Result<Response, PageError> {
    let list = state
        .app
        .vote_meetings(&s.actor, Some(after), app::page::DEFAULT_LIMIT)
        .await
        .page(s.locale)?;
    if form.community.is_empty() {
        if let [only] = list.can_open_for.as_slice() {
            form.community = only.as_str().to_string();
        }
    }
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_user(s, "/votes"),
            pager: crate::kit::Pager::of(&list.page, "/votes", &[]),
            list,
            form,
            errors,
        },
    ))
}

pub async fn votes(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, PageError> {
    list_page(
        &state,
        &s,
        StatusCode::OK,
        OpenVoteForm::default(),
        FormErrors::default(),
        &p.after,
    )
    .await
}

pub async fn open(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form: OpenVoteForm = with_lists(pairs);
    match state.app.open_vote(&s.actor, &form, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/votes/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => list_page(&state, &s, st, form, errors, "").await,
            None if matches!(e, AppError::Domain(_)) => {
                let errors = FormErrors::single("projects", &e.to_string());
                list_page(&state, &s, status_of(&e), form, errors, "").await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

#[derive(Template)]
#[template(path = "vote.html")]
struct DetailPage {
    chrome: Chrome,
    d: VoteMeetingDetail,
    notice: String,
    /// The paper count typed in a refused form, with the motion it was for.
    paper: (String, PaperForm),
    /// The reader's account (to show a representative their own ballot state).
    me: String,
}

impl DetailPage {
    fn on_roster(&self) -> bool {
        self.d.roster.iter().any(|r| r.user_id == self.me)
    }
    fn typed(&self, project: &str) -> PaperForm {
        if self.paper.0 == project {
            self.paper.1.clone()
        } else {
            PaperForm::default()
        }
    }
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    notice: String,
    paper: (String, PaperForm),
) -> Result<Response, PageError> {
    let d = state
        .app
        .vote_meeting_detail(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &DetailPage {
            chrome: Chrome::for_user(s, &format!("/votes/{id}")),
            d,
            notice,
            paper,
            me: s.actor.user_id.clone(),
        },
    ))
}

pub async fn vote(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    detail_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        String::new(),
        Default::default(),
    )
    .await
}

async fn after(
    state: &AppState,
    s: &Signed,
    id: &str,
    paper: (String, PaperForm),
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/votes/{id}")).into_response()),
        Err(e) => match crate::error::notice_of(&e) {
            Some(notice) => detail_page(state, s, id, status_of(&e), notice, paper).await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn attendance(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form: AttendanceForm = with_lists(pairs);
    let r = state
        .app
        .record_presence(&s.actor, &id, &form, &s.ctx)
        .await;
    after(&state, &s, &id, Default::default(), r).await
}

pub async fn cast(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, project)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BallotForm>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .cast_vote(&s.actor, &id, &project, &form, &s.ctx)
        .await;
    after(&state, &s, &id, Default::default(), r).await
}

pub async fn paper(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, project)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<PaperForm>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .enter_paper_count(&s.actor, &id, &project, &form, &s.ctx)
        .await;
    after(&state, &s, &id, (project, form), r).await
}

pub async fn seal(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((id, project)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .seal_vote(&s.actor, &id, &project, &s.ctx)
        .await
        .map(|_| ());
    after(&state, &s, &id, Default::default(), r).await
}

// ---------- API ----------

pub async fn api_votes(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(p): Query<crate::kit::PageQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .app
        .vote_meetings(&s.actor, Some(&p.after), app::page::limit(p.limit))
        .await?;
    Ok(Json(list).into_response())
}

pub async fn api_open(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(form): ApiJson<OpenVoteForm>,
) -> Result<Response, ApiError> {
    let id = state.app.open_vote(&s.actor, &form, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_vote(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.vote_meeting_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_attendance(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<AttendanceForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .record_presence(&s.actor, &id, &form, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn api_cast(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, project)): Path<(String, String)>,
    ApiJson(form): ApiJson<BallotForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .cast_vote(&s.actor, &id, &project, &form, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn api_paper(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, project)): Path<(String, String)>,
    ApiJson(form): ApiJson<PaperForm>,
) -> Result<Response, ApiError> {
    state
        .app
        .enter_paper_count(&s.actor, &id, &project, &form, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn api_seal(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((id, project)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let tally = state.app.seal_vote(&s.actor, &id, &project, &s.ctx).await?;
    Ok(Json(tally).into_response())
}
