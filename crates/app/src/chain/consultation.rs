//! Consultation meetings (step 3 of the chain): the community committee convenes one on
//! submitted applications, records attendance and comments, and freezes the signed minutes;
//! freezing moves each application on the agenda to "consulted".

use crate::audit::{done, event, Subject};
use crate::kernel::new_id;
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{reach, Action};
use domain::chain::committee::may_convene_consultation;
use domain::chain::consultation::{
    may_freeze, open_for_changes, AttendeeForm, AttendeeRole, CommentForm, ConsultationForm,
    FreezeForm,
};
use domain::chain::stage::{Event, Stage};
use domain::{Actor, AreaCode, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::chain::application::ProjectRow;
use store::chain::consultation::{
    AgendaItem, ConsultationRow, EntryRow, Freeze, NewAttendee, NewComment,
};
use store::time;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConsultationList {
    /// A page of the meetings, newest first (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: crate::page::Page<ConsultationRow>,
    /// Submitted applications of the communities the reader convenes for (the agenda to pick).
    pub submitted: Vec<ProjectRow>,
    /// The agenda picker shows only the first this many of each stage (more wait).
    pub submitted_cut: Option<i64>,
    pub can_convene_for: Vec<AreaCode>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConsultationDetail {
    pub meeting: ConsultationRow,
    pub agenda: Vec<AgendaItem>,
    pub attendees: Vec<EntryRow>,
    pub comments: Vec<EntryRow>,
    /// The reader keeps this community's meetings and the minutes are not frozen.
    pub can_record: bool,
    /// Corrections of the signed minutes, oldest first (the minutes never change).
    pub errata: Vec<store::chain::erratum::ErratumRow>,
    /// The reader signed the minutes and may append a correction.
    pub can_correct: bool,
}

fn subject<'a>(m: &'a ConsultationRow) -> Subject<'a> {
    Subject {
        kind: "consultation",
        id: &m.id,
        area: &m.community,
    }
}

impl App {
    pub async fn consultations(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: i64,
    ) -> Result<ConsultationList, AppError> {
        let scope = reach(actor, Action::ViewChain);
        let after =
            crate::page::decode(after, store::chain::consultation::CONSULTATION_ORDER.len())?;
        if scope.roots().is_empty() {
            return Ok(ConsultationList {
                page: crate::page::Page::cut(Vec::new(), limit, 0, |_| Vec::new()),
                submitted: Vec::new(),
                submitted_cut: None,
                can_convene_for: Vec::new(),
            });
        }
        let can_convene_for: Vec<AreaCode> = actor
            .assignments
            .iter()
            .filter(|a| a.role == Role::CommunityOfficer)
            .map(|a| a.area.clone())
            .collect();
        let convene_scope = domain::identity::Scope::new(can_convene_for.clone());
        const AGENDA: i64 = 200;
        let (submitted, submitted_cut) = if can_convene_for.is_empty() {
            (Vec::new(), None)
        } else {
            let (mut v, a) = crate::page::first(
                self.db
                    .projects(
                        &convene_scope,
                        Some(Stage::Submitted),
                        None,
                        None,
                        AGENDA + 1,
                    )
                    .await?,
                AGENDA,
            );
            // Consulted applications may be discussed again after revision.
            let (again, b) = crate::page::first(
                self.db
                    .projects(
                        &convene_scope,
                        Some(Stage::Consulted),
                        None,
                        None,
                        AGENDA + 1,
                    )
                    .await?,
                AGENDA,
            );
            v.extend(again);
            (v, a.or(b))
        };
        let rows = self
            .db
            .consultations(&scope, after.as_deref(), limit + 1)
            .await?;
        let total = self.db.count_consultations(&scope).await?;
        Ok(ConsultationList {
            page: crate::page::Page::cut(rows, limit, total, |c| vec![c.id.clone()]),
            submitted,
            submitted_cut,
            can_convene_for,
        })
    }

    pub(crate) async fn readable_consultation(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<ConsultationRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("恳谈会"))?;
        let m = self
            .db
            .consultation(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("恳谈会"))?;
        self.in_view(actor, &subject(&m), action, ctx).await?;
        Ok(m)
    }

    pub async fn consultation_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<ConsultationDetail, AppError> {
        let meeting = self
            .readable_consultation(actor, id, EventKind::ConsultationView, ctx)
            .await?;
        let (attendees, comments) = self
            .db
            .consultation_entries(&meeting.tenant_id, id)
            .await?
            .into_iter()
            .partition(|e| e.kind == "attendee");
        let (errata, can_correct) = self
            .consultation_errata(actor, &meeting.tenant_id, id)
            .await?;
        Ok(ConsultationDetail {
            errata,
            can_correct,
            agenda: self.db.agenda(&meeting.tenant_id, id).await?,
            can_record: !meeting.frozen()
                && may_convene_consultation(actor, &meeting.community).is_ok(),
            attendees,
            comments,
            meeting,
        })
    }

    /// The community committee convenes a meeting on submitted applications of the community.
    pub async fn convene_consultation(
        &self,
        actor: &Actor,
        form: &ConsultationForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let typed = AreaCode::parse(form.community.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subj = Subject {
            kind: "consultation",
            id: form.title.trim(),
            area: &typed,
        };
        let checked = match form.validate() {
            Ok(m) => match may_convene_consultation(actor, &m.community) {
                Ok(role) => self.agenda_versions(&m).await.map(|v| (m, role, v)),
                Err(d) => Err(d.into()),
            },
            Err(d) => Err(d.into()),
        };
        let (m, role, versions) = self
            .or_refused(checked, actor, EventKind::ConsultationConvene, &subj, ctx)
            .await?;
        let tenant = m.community.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_consultation(&tenant, &id, &m, &versions, &actor.user_id, &now)
            .await?;
        tx.append_audit(
            event(
                Some(actor),
                Some(role),
                EventKind::ConsultationConvene,
                Outcome::Ok,
                &Subject {
                    kind: "consultation",
                    id: &id,
                    area: &m.community,
                },
                ctx,
            )
            .after(json!({ "title": m.title, "held_on": m.held_on, "agenda": versions })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Each agenda project with its current version: it must be an application of the
    /// meeting's community that can still be consulted on.
    async fn agenda_versions(
        &self,
        m: &domain::chain::consultation::Consultation,
    ) -> Result<Vec<(String, i64)>, AppError> {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for id in &m.projects {
            let p = match tenant_of(id) {
                Some(t) => self.db.project(t, id).await?,
                None => None,
            };
            match p {
                Some(p) if p.community == m.community && p.stage.next(Event::Consult).is_ok() => {
                    out.push((p.id, p.version))
                }
                Some(p) if p.community == m.community => {
                    bad.push(format!("“{}”（{}）", p.title, p.stage.zh()))
                }
                _ => bad.push(format!("“{id}”不是本社区的项目")),
            }
        }
        if bad.is_empty() {
            Ok(out)
        } else {
            Err(DomainError::field(
                "projects",
                "not_consultable",
                format!("这些申请书不能列入恳谈会：{}", bad.join("；")),
            )
            .into())
        }
    }

    /// A meeting the reader may record in: they keep its community, and it is not frozen.
    async fn recordable(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<(ConsultationRow, Role), AppError> {
        let m = self.readable_consultation(actor, id, action, ctx).await?;
        let checked = may_convene_consultation(actor, &m.community)
            .map_err(AppError::from)
            .and_then(|role| {
                open_for_changes(m.frozen())?;
                Ok(role)
            });
        let role = self
            .or_refused(checked, actor, action, &subject(&m), ctx)
            .await?;
        Ok((m, role))
    }

    pub async fn record_attendee(
        &self,
        actor: &Actor,
        id: &str,
        form: &AttendeeForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let (m, role) = self
            .recordable(actor, id, EventKind::ConsultationAttend, ctx)
            .await?;
        let (who, name) = self
            .or_refused(
                form.validate().map_err(AppError::from),
                actor,
                EventKind::ConsultationAttend,
                &subject(&m),
                ctx,
            )
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_attendee(&NewAttendee {
            tenant: &m.tenant_id,
            id: &new_id(&m.tenant_id),
            consultation_id: id,
            role: who,
            name: &name,
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::ConsultationAttend,
                &subject(&m),
                ctx,
            )
            .after(json!({ "role": who, "name": name })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_comment(
        &self,
        actor: &Actor,
        id: &str,
        form: &CommentForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let (m, role) = self
            .recordable(actor, id, EventKind::ConsultationComment, ctx)
            .await?;
        let agenda: Vec<String> = self
            .db
            .agenda(&m.tenant_id, id)
            .await?
            .into_iter()
            .map(|a| a.project_id)
            .collect();
        let comment = self
            .or_refused(
                form.validate(&agenda).map_err(AppError::from),
                actor,
                EventKind::ConsultationComment,
                &subject(&m),
                ctx,
            )
            .await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_comment(&NewComment {
            tenant: &m.tenant_id,
            id: &new_id(&m.tenant_id),
            consultation_id: id,
            comment: &comment,
            by: &actor.user_id,
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                Some(role),
                EventKind::ConsultationComment,
                &subject(&m),
                ctx,
            )
            .after(json!(comment)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs and freezes the minutes; each application on the agenda becomes "consulted".
    pub async fn freeze_consultation(
        &self,
        actor: &Actor,
        id: &str,
        form: &FreezeForm,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let m = self
            .readable_consultation(actor, id, EventKind::ConsultationFreeze, ctx)
            .await?;
        let roles: Vec<AttendeeRole> = self
            .db
            .consultation_entries(&m.tenant_id, id)
            .await?
            .into_iter()
            .filter(|e| e.kind == "attendee")
            .map(|e| e.role)
            .collect();
        let checked = may_convene_consultation(actor, &m.community)
            .map_err(AppError::from)
            .and_then(|role| {
                may_freeze(m.frozen(), &roles, form)?;
                Ok(role)
            });
        let role = self
            .or_refused(
                checked,
                actor,
                EventKind::ConsultationFreeze,
                &subject(&m),
                ctx,
            )
            .await?;
        let agenda = self.db.agenda(&m.tenant_id, id).await?;
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .freeze_consultation(&Freeze {
                tenant: &m.tenant_id,
                id,
                recorder: form.recorder.trim(),
                chair: form.chair.trim(),
                summary: form.summary.trim(),
                by: &actor.user_id,
                now: &now,
            })
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::ConsultationFreeze,
                    &subject(&m),
                    DomainError::conflict("minutes_frozen", "会议纪要刚刚已被封存"),
                    ctx,
                )
                .await);
        }
        let mut moved = Vec::new();
        for a in &agenda {
            // An application already past consultation (voted on meanwhile) keeps its stage.
            if let Ok(to) = a.stage.next(Event::Consult) {
                if to != a.stage
                    && tx
                        .move_stage(&m.tenant_id, &a.project_id, a.stage, to, &now)
                        .await?
                {
                    moved.push(a.project_id.clone());
                }
            }
        }
        tx.append_audit(done(actor, Some(role), EventKind::ConsultationFreeze, &subject(&m), ctx).after(json!({ "recorder": form.recorder.trim(), "chair": form.chair.trim(), "consulted": moved })))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
