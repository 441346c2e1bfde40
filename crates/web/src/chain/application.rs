//! Pages and API of projects and their applications' versions.

use crate::answer::{self, Created, SavedVersion};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{status_of, ApiError, PageError};
use crate::kit::{ids, refused, render, when, with_lists, ApiJson, Chrome, FormErrors, PageResult};
use crate::AppState;
use app::chain::application::{
    ApplicationSetup, Comparison, NewApplication, ProjectDetail, ProjectList, Revision,
};
use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::chain::application::ApplicationForm;
use domain::chain::money::Money;
use domain::chain::stage::Stage;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProjectQuery {
    pub stage: String,
    /// The period (year); empty for the current one, `all` for every period.
    pub period: String,
    /// The cursor of the page (the `next_after` of the page before).
    pub after: String,
    /// The cursor's earlier name, still read: the id to continue before.
    pub before: String,
    pub limit: Option<i64>,
}

impl ProjectQuery {
    fn stage(&self) -> Option<Stage> {
        Stage::parse(self.stage.trim())
    }
    fn after(&self) -> Option<&str> {
        [self.after.trim(), self.before.trim()]
            .into_iter()
            .find(|b| !b.is_empty())
    }
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    chrome: Chrome,
    list: ProjectList,
    pager: crate::kit::Pager,
    filter: ProjectQuery,
    stages: Vec<(&'static str, &'static str)>,
}

impl ProjectsPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
}

pub async fn projects(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, PageError> {
    let list = state
        .app
        .projects(
            &s.actor,
            q.stage(),
            &q.period,
            q.after(),
            app::page::DEFAULT_LIMIT,
        )
        .await
        .page(s.locale)?;
    Ok(render(
        StatusCode::OK,
        &ProjectsPage {
            chrome: Chrome::for_user(&s, "/projects"),
            pager: crate::kit::Pager::of(
                &list.page,
                "/projects",
                &[("stage", &q.stage), ("period", &q.period)],
            ),
            list,
            filter: q,
            stages: Stage::options(),
        },
    ))
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct FormPage {
    chrome: Chrome,
    setup: ApplicationSetup,
    /// Where the form posts (a new project or a new version).
    action: String,
    /// The version revised (empty for a new application).
    based_on: String,
    note: String,
    form: ApplicationForm,
    errors: FormErrors,
}

impl FormPage {
    fn chosen(&self, list: &str, id: &str) -> bool {
        ids(list).any(|x| x == id)
    }

    /// Social workers typed by id who are not among the organization's own (kept as typed).
    fn other_workers(&self) -> String {
        ids(&self.form.social_workers)
            .filter(|id| !self.setup.social_workers.iter().any(|w| w.id == *id))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub eligibility: String,
}

/// The application form: a new one on an eligibility (`Ok`), or a revision of a project
/// (`Err`), with what the person typed (`typed.form`) and, for a revision, the version it is
/// written on and its note.
async fn form_page(
    state: &AppState,
    s: &Signed,
    status: StatusCode,
    eligibility_or_project: Result<&str, &str>,
    typed: Revision,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let Revision {
        based_on,
        note,
        mut form,
    } = typed;
    let (setup, action) = match eligibility_or_project {
        Ok(eligibility) => (
            state
                .app
                .application_setup(&s.actor, eligibility, &s.ctx)
                .await,
            "/projects".to_string(),
        ),
        Err(project) => (
            state.app.revision_setup(&s.actor, project, &s.ctx).await,
            format!("/projects/{project}/versions"),
        ),
    };
    let setup = setup.page(s.locale)?;
    if form.lead.is_empty() {
        form.lead = s.actor.user_id.clone();
    }
    Ok(render(
        status,
        &FormPage {
            chrome: Chrome::for_user(s, "/projects"),
            setup,
            action,
            based_on,
            note,
            form,
            errors,
        },
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    form_page(
        &state,
        &s,
        StatusCode::OK,
        Ok(q.eligibility.trim()),
        Revision::default(),
        FormErrors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let new: NewApplication = with_lists(pairs);
    match state.app.create_project(&s.actor, &new, &s.ctx).await {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => match refused(&e) {
            Some((st, errors)) => {
                form_page(
                    &state,
                    &s,
                    st,
                    Ok(&new.eligibility_id),
                    Revision {
                        form: new.form,
                        ..Revision::default()
                    },
                    errors,
                )
                .await
            }
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn revise_form(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .project_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    form_page(
        &state,
        &s,
        StatusCode::OK,
        Err(&id),
        Revision {
            based_on: d.project.version.to_string(),
            note: String::new(),
            form: ApplicationForm::from(&d.current.content),
        },
        FormErrors::default(),
    )
    .await
}

pub async fn revise(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let rev: Revision = with_lists(pairs);
    match state
        .app
        .revise_application(&s.actor, &id, &rev, &s.ctx)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => {
            let errors = match refused(&e) {
                Some((_, errors)) => errors,
                // A conflict (stale version, frozen) is shown above the kept text.
                None if matches!(e, AppError::Domain(_)) => {
                    FormErrors::single("based_on", &e.to_string())
                }
                None => return Err(PageError::new(e, s.locale)),
            };
            form_page(&state, &s, status_of(&e), Err(&id), rev, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    chrome: Chrome,
    d: ProjectDetail,
    notice: String,
    /// What was typed in a refused decision or contract form, shown again.
    typed: Typed,
}

/// The forms of the project page, as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Typed {
    pub purchase: domain::chain::purchase::PurchaseForm,
    pub contract: domain::chain::contract::ContractForm,
    pub activity: domain::chain::delivery::ActivityForm,
    pub self_evaluation: domain::chain::evaluation::SelfEvaluationForm,
    pub group: domain::chain::review_group::GroupForm,
    pub meeting: domain::chain::review_group::MeetingForm,
    pub score: domain::chain::evaluation::ScoreForm,
    pub verdict: domain::chain::evaluation::VerdictForm,
    pub note: domain::chain::oversight::NoteForm,
    pub midterm: domain::chain::milestone::MidtermForm,
    pub conditions: domain::chain::milestone::ConditionsMetForm,
    pub termination: domain::chain::termination::TerminationForm,
    pub response: domain::chain::termination::StatementForm,
    pub rectification: domain::chain::termination::RectificationForm,
    pub rectified: domain::chain::termination::StatementForm,
    pub re_review: domain::chain::termination::ReReviewForm,
    pub erratum: domain::chain::erratum::ErratumForm,
}

impl ProjectPage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
    /// The member rows of the group form: what was typed, then blank rows up to eight.
    fn group_rows(&self) -> Vec<(usize, domain::chain::review_group::MemberForm)> {
        let mut rows = self.typed.group.members.clone();
        let blank = rows.len().max(7) + 1;
        rows.resize(blank, Default::default());
        rows.into_iter().enumerate().collect()
    }
    /// Whether member `seq` was ticked present in the typed meeting form.
    fn ticked(&self, seq: &i64) -> bool {
        self.typed
            .meeting
            .present
            .split(',')
            .any(|s| s.trim() == seq.to_string())
    }
    /// The Chinese name of an account's member in the group, or the id.
    fn member_name(&self, user: &str) -> String {
        self.d
            .acceptance
            .group
            .as_ref()
            .and_then(|g| {
                g.members
                    .iter()
                    .find(|m| m.user_id.as_deref() == Some(user))
            })
            .map(|m| m.name.clone())
            .unwrap_or_else(|| user.to_string())
    }
    fn when(&self, at: &str) -> String {
        when(at)
    }
    /// Whether the reader is the other party asked to agree to contract correction `id`.
    fn may_agree(&self, id: &str) -> bool {
        self.d.errata.can_agree.iter().any(|a| a == id)
    }
    /// What was typed for condition `i` in a refused "conditions met" form.
    fn evidence(&self, i: &usize) -> String {
        self.typed
            .conditions
            .evidence
            .get(*i)
            .cloned()
            .unwrap_or_default()
    }
    /// The mid-term ratings as form choices.
    fn ratings(&self) -> Vec<(&'static str, &'static str)> {
        domain::chain::milestone::MidtermRating::ALL
            .iter()
            .map(|r| (r.as_str(), r.zh()))
            .collect()
    }
}

async fn project_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    status: StatusCode,
    notice: String,
    typed: Typed,
) -> Result<Response, PageError> {
    let d = state
        .app
        .project_detail(&s.actor, id, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(render(
        status,
        &ProjectPage {
            chrome: Chrome::for_user(s, &format!("/projects/{id}")),
            d,
            notice,
            typed,
        },
    ))
}

pub async fn project(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    project_page(
        &state,
        &s,
        &id,
        StatusCode::OK,
        String::new(),
        Typed::default(),
    )
    .await
}

/// After an action on a project: back to its page, or the page again saying why not.
pub(crate) async fn after(
    state: &AppState,
    s: &Signed,
    id: &str,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    after_typed(state, s, id, Typed::default(), result).await
}

/// As [`after`], keeping what was typed in the page's forms.
pub(crate) async fn after_typed(
    state: &AppState,
    s: &Signed,
    id: &str,
    typed: Typed,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => match crate::error::notice_of(&e) {
            Some(notice) => project_page(state, s, id, status_of(&e), notice, typed).await,
            None => Err(PageError::new(e, s.locale)),
        },
    }
}

pub async fn submit(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let r = state.app.submit_application(&s.actor, &id, &s.ctx).await;
    after(&state, &s, &id, r).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    pub a: String,
    pub b: String,
}

impl CompareQuery {
    /// The two versions asked for; by default the first and the latest.
    fn pair(&self, latest: i64) -> (i64, i64) {
        let n = |s: &str, d: i64| s.trim().parse().unwrap_or(d);
        (n(&self.a, 1), n(&self.b, latest))
    }
}

#[derive(Template)]
#[template(path = "project_compare.html")]
struct ComparePage {
    chrome: Chrome,
    c: Comparison,
    versions: Vec<i64>,
}

impl ComparePage {
    fn yuan(&self, amount: &Money) -> String {
        amount.yuan()
    }
    fn same(&self, a: &i64, b: &i64) -> bool {
        a == b
    }
    fn when(&self, at: &str) -> String {
        when(at)
    }
}

pub async fn compare(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .project_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    let (a, b) = q.pair(d.project.version);
    match state
        .app
        .compare_versions(&s.actor, &id, a, b, &s.ctx)
        .await
    {
        Ok(c) => Ok(render(
            StatusCode::OK,
            &ComparePage {
                chrome: Chrome::for_user(&s, &format!("/projects/{id}")),
                c,
                versions: d.versions.iter().map(|v| v.version).collect(),
            },
        )),
        Err(e) => after(&state, &s, &id, Err(e)).await,
    }
}

// ---------- API ----------

pub async fn api_projects(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .app
        .projects(
            &s.actor,
            q.stage(),
            &q.period,
            q.after(),
            app::page::limit(q.limit),
        )
        .await?;
    Ok(Json(list).into_response())
}

pub async fn api_create(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    ApiJson(new): ApiJson<NewApplication>,
) -> Result<Response, ApiError> {
    let id = state.app.create_project(&s.actor, &new, &s.ctx).await?;
    answer::send(StatusCode::CREATED, &Created { id })
}

pub async fn api_project(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.project_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_revise(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(rev): ApiJson<Revision>,
) -> Result<Response, ApiError> {
    let v = state
        .app
        .revise_application(&s.actor, &id, &rev, &s.ctx)
        .await?;
    answer::send(StatusCode::CREATED, &SavedVersion { version: v })
}

pub async fn api_submit(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state.app.submit_application(&s.actor, &id, &s.ctx).await?;
    Ok(Json(state.app.project_detail(&s.actor, &id, &s.ctx).await?).into_response())
}

pub async fn api_compare(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, ApiError> {
    let latest = state
        .app
        .project_detail(&s.actor, &id, &s.ctx)
        .await?
        .project
        .version;
    let (a, b) = q.pair(latest);
    Ok(Json(
        state
            .app
            .compare_versions(&s.actor, &id, a, b, &s.ctx)
            .await?,
    )
    .into_response())
}
