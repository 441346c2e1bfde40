//! Corrections of social work: a social worker, a platform and a post edited on the version
//! read, a post and an employment ended on a date; pages and API.

use super::{form_page, not_keeper, saved_or_form, EditBody, Field, Spec};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::i18n::Tr;
use crate::kit::{ApiJson, PageResult};
use crate::AppState;
use app::social_edit::EndForm;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::social::{CertificateLevel, PlatformForm, PlatformKind, PostForm, SocialWorkerForm};
use store::social::{PlatformRow, PostRow, SocialWorkerRow};

fn tr(s: &Signed) -> Tr {
    Tr { locale: s.locale }
}

// ---------- social worker ----------

fn worker_spec(s: &Signed, id: &str, name: &str) -> Spec {
    let mut spec = Spec::new(
        tr(s),
        &format!("{} · {}", tr(s).t("reg.edit"), name),
        (format!("/social-workers/{id}"), name),
        format!("/social-workers/{id}"),
    );
    spec.note =
        "身份证号码留空则保持原号码；填写新号码会重新加密保存，页面和历史只显示脱敏号码。".into();
    spec
}

fn worker_fields(s: &Signed, f: &SocialWorkerForm, masked: &str) -> Vec<Field> {
    let t = tr(s);
    vec![
        Field::text("name", t.t("vol.name"), &f.name),
        // The identity number is never sent back to the browser.
        Field::text("id_number", t.t("sw.id_number"), "")
            .hint(format!("现为 {masked}；留空则不变")),
        Field::select(
            "certificate_level",
            t.t("sw.level"),
            &f.certificate_level,
            CertificateLevel::ALL.iter().map(|l| (l.as_str(), l.zh())),
        ),
        Field::text(
            "certificate_number",
            t.t("sw.cert_number"),
            &f.certificate_number,
        ),
        Field::date("certificate_date", t.t("sw.cert_date"), &f.certificate_date),
        Field::text("employer_org_id", t.t("sw.employer"), &f.employer_org_id),
        Field::text("area", t.t("sw.area"), &f.area),
    ]
}

fn worker_form(r: &SocialWorkerRow) -> SocialWorkerForm {
    SocialWorkerForm {
        name: r.name.clone(),
        id_number: String::new(),
        certificate_level: r.certificate_level.as_str().into(),
        certificate_number: r.certificate_number.clone().unwrap_or_default(),
        certificate_date: r.certificate_date.clone().unwrap_or_default(),
        employer_org_id: r.employer_org_id.clone().unwrap_or_default(),
        area: r.area.as_str().into(),
    }
}

pub async fn edit_worker(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .social_worker_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    if !d.editable {
        return Err(not_keeper(
            &s,
            "无权修改：社工台账由民政局或乡镇（街道）维护",
        ));
    }
    let spec = worker_spec(&s, &id, &d.row.name);
    let fields = worker_fields(&s, &worker_form(&d.row), &d.row.id_masked);
    Ok(form_page(&s, spec, d.row.version, fields, None))
}

pub async fn update_worker(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(b): CsrfForm<EditBody<SocialWorkerForm>>,
) -> Result<Response, PageError> {
    let r = state
        .app
        .update_social_worker(&s.actor, &id, b.version, &b.form, &s.ctx)
        .await;
    let d = match &r {
        Err(_) => state
            .app
            .social_worker_detail(&s.actor, &id, &s.ctx)
            .await
            .ok(),
        Ok(_) => None,
    };
    let masked = d
        .as_ref()
        .map(|d| d.row.id_masked.clone())
        .unwrap_or_default();
    let name = d.map(|d| d.row.name).unwrap_or_default();
    let spec = worker_spec(&s, &id, &name);
    let fields = worker_fields(&s, &b.form, &masked);
    saved_or_form(
        &s,
        r,
        &format!("/social-workers/{id}"),
        spec,
        b.version,
        fields,
    )
}

fn end_spec(
    s: &Signed,
    title_key: &str,
    confirm_key: &str,
    back: (String, &str),
    action: String,
) -> Spec {
    let t = tr(s);
    let mut spec = Spec::new(t, t.t(title_key), back, action);
    spec.submit = t.t(title_key).to_string();
    spec.confirm = t.t(confirm_key).to_string();
    spec
}

pub async fn end_employment(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let r = state.app.end_employment(&s.actor, &id, &f, &s.ctx).await;
    let spec = end_spec(
        &s,
        "reg.end_employment",
        "reg.end_employment_confirm",
        (format!("/social-workers/{id}"), tr(&s).t("sw.worker")),
        format!("/social-workers/{id}/employment-end"),
    );
    let fields = vec![Field::date(
        "ended_on",
        tr(&s).t("reg.last_day"),
        &f.ended_on,
    )];
    saved_or_form(
        &s,
        r,
        &format!("/social-workers/{id}"),
        spec,
        f.version,
        fields,
    )
}

pub async fn api_end_employment(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<EndForm>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.end_employment(&s.actor, &id, &f, &s.ctx).await?).into_response())
}

api_correction!(
    api_update_worker,
    api_worker_versions,
    SocialWorkerForm,
    update_social_worker,
    social_worker_versions
);

// ---------- platform ----------

fn platform_spec(s: &Signed, id: &str, name: &str) -> Spec {
    Spec::new(
        tr(s),
        &format!("{} · {}", tr(s).t("reg.edit"), name),
        (format!("/platforms/{id}"), name),
        format!("/platforms/{id}"),
    )
}

fn platform_fields(s: &Signed, f: &PlatformForm) -> Vec<Field> {
    let t = tr(s);
    vec![
        Field::select(
            "kind",
            t.t("sw.kind"),
            &f.kind,
            PlatformKind::ALL.iter().map(|k| (k.as_str(), k.zh())),
        ),
        Field::text("name", t.t("sw.platform_name"), &f.name),
        Field::text("area", t.t("area.code"), &f.area),
    ]
}

fn platform_form(r: &PlatformRow) -> PlatformForm {
    PlatformForm {
        kind: r.platform.kind.as_str().into(),
        name: r.platform.name.clone(),
        area: r.platform.area.as_str().into(),
    }
}

pub async fn edit_platform(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .platform_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    if !d.editable {
        return Err(not_keeper(
            &s,
            "无权修改：社工平台由民政局或乡镇（街道）维护",
        ));
    }
    let spec = platform_spec(&s, &id, &d.row.platform.name);
    let fields = platform_fields(&s, &platform_form(&d.row));
    Ok(form_page(&s, spec, d.row.version, fields, None))
}

// ---------- post ----------

fn post_spec(s: &Signed, p: &PostRow) -> Spec {
    Spec::new(
        tr(s),
        &format!(
            "{} · {} · {}",
            tr(s).t("reg.edit"),
            p.platform_name,
            p.social_worker_name
        ),
        (format!("/platforms/{}", p.platform_id), &p.platform_name),
        format!("/posts/{}", p.id),
    )
}

fn post_fields(s: &Signed, f: &PostForm) -> Vec<Field> {
    let t = tr(s);
    vec![
        Field::text("title", t.t("sw.post_title"), &f.title),
        Field::date("started_on", t.t("sw.started_on"), &f.started_on),
        Field::date("ended_on", t.t("sw.ended_on"), &f.ended_on),
    ]
}

async fn post_row(state: &AppState, s: &Signed, id: &str) -> Result<PostRow, PageError> {
    let (post, _) = state
        .app
        .post_for(&s.actor, id, domain::audit::EventKind::PostView, &s.ctx)
        .await
        .page(s.locale)?;
    Ok(post)
}

pub async fn edit_post(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (post, platform) = state
        .app
        .post_for(&s.actor, &id, domain::audit::EventKind::PostView, &s.ctx)
        .await
        .page(s.locale)?;
    if domain::social::can_manage(&s.actor, &platform.platform.area).is_err() {
        return Err(not_keeper(&s, "无权修改：岗位由民政局或乡镇（街道）维护"));
    }
    let form = PostForm {
        title: post.title.clone(),
        started_on: post.started_on.clone(),
        ended_on: post.ended_on.clone().unwrap_or_default(),
        ..Default::default()
    };
    Ok(form_page(
        &s,
        post_spec(&s, &post),
        post.version,
        post_fields(&s, &form),
        None,
    ))
}

pub async fn update_post(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(b): CsrfForm<EditBody<PostForm>>,
) -> Result<Response, PageError> {
    let post = post_row(&state, &s, &id).await?;
    let r = state
        .app
        .update_post(&s.actor, &id, b.version, &b.form, &s.ctx)
        .await;
    let back = format!("/platforms/{}", post.platform_id);
    saved_or_form(
        &s,
        r,
        &back,
        post_spec(&s, &post),
        b.version,
        post_fields(&s, &b.form),
    )
}

pub async fn end_post(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let post = post_row(&state, &s, &id).await?;
    let r = state.app.end_post(&s.actor, &id, &f, &s.ctx).await;
    let back = format!("/platforms/{}", post.platform_id);
    let spec = end_spec(
        &s,
        "reg.end_post",
        "reg.end_post_confirm",
        (back.clone(), &post.platform_name),
        format!("/posts/{id}/end"),
    );
    let fields = vec![Field::date(
        "ended_on",
        tr(&s).t("reg.last_day"),
        &f.ended_on,
    )];
    saved_or_form(&s, r, &back, spec, f.version, fields)
}

pub async fn api_end_post(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path(id): Path<String>,
    ApiJson(f): ApiJson<EndForm>,
) -> Result<Response, ApiError> {
    Ok(Json(state.app.end_post(&s.actor, &id, &f, &s.ctx).await?).into_response())
}

page_correction!(
    update_platform,
    PlatformForm,
    update_platform,
    platform_spec,
    platform_fields,
    "/platforms/"
);
api_correction!(
    api_update_platform,
    api_platform_versions,
    PlatformForm,
    update_platform,
    platform_versions
);
api_correction!(
    api_update_post,
    api_post_versions,
    PostForm,
    update_post,
    post_versions
);
