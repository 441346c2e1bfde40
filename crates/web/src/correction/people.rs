//! Corrections of the people registers: a talent and a volunteer edited on the version read, and
//! an organization's incubation period ended on a date; pages and API.

use super::{form_page, not_keeper, Field, Spec};
use crate::auth::{ApiUser, CsrfForm, PageUser, Signed};
use crate::error::{ApiError, PageError};
use crate::i18n::Tr;
use crate::kit::{ApiJson, PageResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::talent::{TalentCategory, TalentForm};
use domain::volunteer::VolunteerForm;
use schemars::JsonSchema;
use serde::Deserialize;
use store::talent::TalentRow;
use store::volunteer::VolunteerRow;

fn tr(s: &Signed) -> Tr {
    Tr { locale: s.locale }
}

const GENDERS: [(&str, &str); 3] = [("", "—"), ("male", "男"), ("female", "女")];

// ---------- talent ----------

fn talent_spec(s: &Signed, id: &str, name: &str) -> Spec {
    Spec::new(
        tr(s),
        &format!("{} · {}", tr(s).t("reg.edit"), name),
        (format!("/talents/{id}"), name),
        format!("/talents/{id}"),
    )
}

fn talent_fields(s: &Signed, f: &TalentForm) -> Vec<Field> {
    let t = tr(s);
    vec![
        Field::text("name", t.t("vol.name"), &f.name),
        Field::select("gender", t.t("talent.gender"), &f.gender, GENDERS),
        Field::select(
            "category",
            t.t("talent.category"),
            &f.category,
            TalentCategory::ALL.iter().map(|c| (c.as_str(), c.zh())),
        ),
        Field::text("area", t.t("talent.area"), &f.area),
        Field::text("position", t.t("talent.position"), &f.position),
        Field::text(
            "organization_id",
            t.t("talent.organization"),
            &f.organization_id,
        ),
        Field::text(
            "social_worker_id",
            t.t("talent.social_worker"),
            &f.social_worker_id,
        ),
        Field::check(
            "backbone",
            t.t("talent.backbone"),
            domain::talent::flag(&f.backbone),
        ),
    ]
}

fn talent_form(r: &TalentRow) -> TalentForm {
    TalentForm {
        name: r.name.clone(),
        gender: r.gender.clone(),
        category: r.category.as_str().into(),
        area: r.area.as_str().into(),
        position: r.position.clone(),
        organization_id: r.organization_id.clone().unwrap_or_default(),
        social_worker_id: r.social_worker_id.clone().unwrap_or_default(),
        backbone: if r.backbone {
            "on".into()
        } else {
            String::new()
        },
    }
}

pub async fn edit_talent(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .talent_detail(&s.actor, &id, &s.ctx)
        .await
        .page(s.locale)?;
    if !d.editable {
        return Err(not_keeper(
            &s,
            "无权修改：人才台账由民政局、乡镇（街道）或社区居委会维护",
        ));
    }
    let spec = talent_spec(&s, &id, &d.row.name);
    Ok(form_page(
        &s,
        spec,
        d.row.version,
        talent_fields(&s, &talent_form(&d.row)),
        None,
    ))
}

page_correction!(
    update_talent,
    TalentForm,
    update_talent,
    talent_spec,
    talent_fields,
    "/talents/"
);
api_correction!(
    api_update_talent,
    api_talent_versions,
    TalentForm,
    update_talent,
    talent_versions
);

// ---------- volunteer ----------

fn volunteer_spec(s: &Signed, id: &str, name: &str) -> Spec {
    Spec::new(
        tr(s),
        &format!("{} · {}", tr(s).t("reg.edit"), name),
        (format!("/volunteers/{id}"), name),
        format!("/volunteers/{id}"),
    )
}

fn volunteer_fields(s: &Signed, f: &VolunteerForm) -> Vec<Field> {
    let t = tr(s);
    vec![
        Field::text("name", t.t("vol.name"), &f.name),
        Field::select("gender", t.t("vol.gender"), &f.gender, GENDERS),
        Field::text("area", t.t("vol.area_code"), &f.area),
        Field::text("skills", t.t("vol.skills"), &f.skills),
    ]
}

fn volunteer_form(r: &VolunteerRow) -> VolunteerForm {
    VolunteerForm {
        name: r.volunteer.name.clone(),
        gender: r.volunteer.gender.clone(),
        area: r.volunteer.area.as_str().into(),
        skills: r.volunteer.skills.clone(),
        consent: None,
        // The identity number and birth date are not corrected here (only their hash is kept).
        ..Default::default()
    }
}

pub async fn edit_volunteer(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .volunteer_detail(&s.actor, &id, None, &s.ctx)
        .await
        .page(s.locale)?;
    if !d.is_self && !d.is_unit {
        return Err(not_keeper(
            &s,
            "无权修改：志愿者信息由本人或所在社区、街道、社会组织修改",
        ));
    }
    let spec = volunteer_spec(&s, &id, &d.row.volunteer.name);
    let fields = volunteer_fields(&s, &volunteer_form(&d.row));
    Ok(form_page(&s, spec, d.row.version, fields, None))
}

page_correction!(
    update_volunteer,
    VolunteerForm,
    update_volunteer,
    volunteer_spec,
    volunteer_fields,
    "/volunteers/"
);
api_correction!(
    api_update_volunteer,
    api_volunteer_versions,
    VolunteerForm,
    update_volunteer,
    volunteer_versions
);

// ---------- incubation ----------

/// The end of an incubation period: its last day.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct IncubationEnd {
    #[serde(default)]
    pub ended_on: String,
}

pub async fn end_incubation(
    State(state): State<AppState>,
    PageUser(s): PageUser,
    Path((org_id, incubation_id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<IncubationEnd>,
) -> Result<Response, PageError> {
    let back = format!("/organizations/{org_id}");
    match state
        .app
        .end_incubation(&s.actor, &org_id, &incubation_id, &f.ended_on, &s.ctx)
        .await
    {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(e) if crate::kit::FormErrors::from_error(&e).is_some() => {
            let t = tr(&s);
            let mut spec = Spec::new(
                t,
                t.t("reg.end_incubation"),
                (back, t.t("org.incubations")),
                format!("/organizations/{org_id}/incubations/{incubation_id}/end"),
            );
            spec.submit = t.t("reg.end_incubation").into();
            spec.confirm = t.t("reg.end_incubation_confirm").into();
            let fields = vec![Field::date("ended_on", t.t("reg.last_day"), &f.ended_on)];
            Ok(form_page(&s, spec, 0, fields, Some(&e)))
        }
        Err(e) => Err(PageError::new(e, s.locale)),
    }
}

pub async fn api_end_incubation(
    State(state): State<AppState>,
    ApiUser(s): ApiUser,
    Path((org_id, incubation_id)): Path<(String, String)>,
    ApiJson(f): ApiJson<IncubationEnd>,
) -> Result<Response, ApiError> {
    state
        .app
        .end_incubation(&s.actor, &org_id, &incubation_id, &f.ended_on, &s.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
