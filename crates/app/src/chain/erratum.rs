//! Corrections of frozen records (更正, issue 16 finding 6): the author of signed consultation
//! minutes, the chair who sealed a vote, either party to a contract (the other confirms), the
//! review group's chair for its report and the organization for its self-evaluation append a
//! correction that points at the record; the record itself never changes.

use crate::audit::{done, Subject};
use crate::chain::project_subject;
use crate::kernel::{new_id, tenant_of};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::catalogue::can_apply;
use domain::chain::erratum::{
    can_correct, may_agree, may_correct, Erratum, ErratumForm, ErratumKind, Party,
};
use domain::{Actor, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::chain::application::ProjectRow;
use store::chain::erratum::{ErratumRow, NewErratum};
use store::time;

/// The corrections part of a project's page and answer.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ProjectErrata {
    /// Every correction of the project's vote minutes, contract, report and self-evaluation,
    /// oldest first; a contract's waits (`in_effect` false) until the other party agrees.
    pub items: Vec<ErratumRow>,
    /// The records the reader may correct now: (kind code, Chinese name).
    pub can_correct: Vec<(String, String)>,
    /// The vote meetings whose sealed result on this project the reader may correct.
    pub vote_meetings: Vec<String>,
    /// The contract corrections waiting for the reader's agreement (the reader is the other
    /// party).
    pub can_agree: Vec<String>,
}

/// What a correction was appended: its id (the receipt).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErratumReceipt {
    pub id: String,
    pub kind: ErratumKind,
    pub in_effect: bool,
}

/// The reader's party to a project's contract, if any, with the role that makes it so.
async fn party_of(app: &App, actor: &Actor, p: &ProjectRow) -> Option<(Party, Role)> {
    if let Ok(role) = app.purchaser_role(actor, p).await {
        return Some((Party::Purchaser, role));
    }
    can_apply(actor, &p.organization_id)
        .ok()
        .map(|role| (Party::Provider, role))
}

impl App {
    /// Appends a correction of a signed record. `on` is the consultation meeting for minutes of a
    /// consultation and the project for every other kind (`form.record` then names the vote
    /// meeting for vote minutes).
    pub async fn append_erratum(
        &self,
        actor: &Actor,
        on: &str,
        form: &ErratumForm,
        ctx: &Ctx,
    ) -> Result<ErratumReceipt, AppError> {
        let tenant = tenant_of(on).ok_or_else(|| AppError::not_found("记录"))?;
        // The record the correction points at, its project and where it belongs; out of the
        // reader's reach it is refused before its form is looked at.
        let kind = ErratumKind::parse(form.kind.trim());
        let (record_id, project, area) = match kind {
            Some(ErratumKind::ConsultationMinutes) => {
                let m = self
                    .readable_consultation(actor, on, EventKind::ErratumAppend, ctx)
                    .await?;
                (on.to_string(), None, m.community)
            }
            kind => {
                let p = self
                    .readable_project(actor, on, EventKind::ErratumAppend, ctx)
                    .await?;
                let record = if kind == Some(ErratumKind::VoteMinutes) {
                    let meeting = form.record.trim();
                    if meeting.is_empty() {
                        return Err(
                            DomainError::field("record", "required", "请选择表决会议").into()
                        );
                    }
                    meeting.to_string()
                } else {
                    on.to_string()
                };
                let area = p.community.clone();
                (record, Some(p), area)
            }
        };
        let e = form.validate()?;
        let subject = Subject {
            kind: if project.is_some() {
                "project"
            } else {
                "consultation"
            },
            id: on,
            area: &area,
        };
        let signed = self
            .db
            .signed_record(
                tenant,
                e.kind,
                &record_id,
                project.as_ref().map(|p| p.id.as_str()),
            )
            .await?;
        let checked = self
            .may_append(
                actor,
                &e,
                project.as_ref(),
                signed.and_then(|s| s.signed_by),
            )
            .await;
        let (role, party) = self
            .or_refused(checked, actor, EventKind::ErratumAppend, &subject, ctx)
            .await?;
        let id = new_id(tenant);
        let now = time::now();
        let role_code = role.map_or("author", Role::as_str);
        let mut tx = self.db.begin().await?;
        tx.insert_erratum(&NewErratum {
            tenant,
            id: &id,
            kind: e.kind,
            record_id: &record_id,
            project_id: project.as_ref().map(|p| p.id.as_str()),
            area: area.as_str(),
            part: &e.part,
            corrected: &e.corrected,
            reason: &e.reason,
            by: &actor.user_id,
            role: role_code,
            party,
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(actor, role, EventKind::ErratumAppend, &subject, ctx).after(json!({
                "erratum": id,
                "kind": e.kind,
                "record": record_id,
                "part": e.part,
                "corrected": e.corrected,
                "reason": e.reason,
                "party": party,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(ErratumReceipt {
            id,
            kind: e.kind,
            in_effect: e.kind != ErratumKind::Contract,
        })
    }

    /// Who may append `e`: the record must be signed (`signed_by` is its signer), then its author,
    /// or for a contract either party. The role (none for an author, who acts as the signer) and
    /// the party.
    async fn may_append(
        &self,
        actor: &Actor,
        e: &Erratum,
        project: Option<&ProjectRow>,
        signed_by: Option<String>,
    ) -> Result<(Option<Role>, Option<Party>), AppError> {
        may_correct(signed_by.is_some())?;
        match (e.kind, project) {
            (ErratumKind::Contract, Some(p)) => match party_of(self, actor, p).await {
                Some((party, role)) => Ok((Some(role), Some(party))),
                None => Err(domain::Denied {
                    code: "not_party",
                    message: "无权更正：只有协议双方（购买方、承接方）可以提出更正".into(),
                }
                .into()),
            },
            (ErratumKind::SelfEvaluation, Some(p)) => {
                Ok((Some(can_apply(actor, &p.organization_id)?), None))
            }
            _ => {
                can_correct(&actor.user_id, signed_by.as_deref())?;
                Ok((None, None))
            }
        }
    }

    /// The other party to a contract agrees to its correction, which takes effect.
    pub async fn agree_erratum(
        &self,
        actor: &Actor,
        project: &str,
        erratum: &str,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        let p = self
            .readable_project(actor, project, EventKind::ErratumAgree, ctx)
            .await?;
        let e = self
            .db
            .erratum(&p.tenant_id, erratum)
            .await?
            .filter(|e| e.kind == ErratumKind::Contract && e.project_id.as_deref() == Some(project))
            .ok_or_else(|| AppError::not_found("更正"))?;
        let subject = project_subject(&p);
        let party = party_of(self, actor, &p).await;
        let checked = match e.party {
            Some(proposer) => may_agree(proposer, party.map(|(p, _)| p), e.agreed_at.is_some())
                .map_err(AppError::from),
            None => Err(AppError::not_found("更正")),
        };
        self.or_refused(checked, actor, EventKind::ErratumAgree, &subject, ctx)
            .await?;
        let role = party.map(|(_, r)| r);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        if !tx
            .agree_erratum(
                &p.tenant_id,
                erratum,
                &actor.user_id,
                role.map_or("", Role::as_str),
                &now,
            )
            .await?
        {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::ErratumAgree,
                    &subject,
                    DomainError::conflict("erratum_agreed", "该更正刚刚已被确认"),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, role, EventKind::ErratumAgree, &subject, ctx)
                .after(json!({ "erratum": erratum, "part": e.part, "corrected": e.corrected })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The corrections of a project's records and what the reader may do with them.
    pub(crate) async fn project_errata(
        &self,
        actor: &Actor,
        p: &ProjectRow,
        votes: &[(String, store::chain::vote::MotionRow)],
    ) -> Result<ProjectErrata, AppError> {
        let t = &p.tenant_id;
        let items = self.db.errata_of_project(t, &p.id).await?;
        let party = party_of(self, actor, p).await.map(|(party, _)| party);
        let mut can = Vec::new();
        let mut vote_meetings = Vec::new();
        for (meeting, _) in votes.iter().filter(|(_, m)| m.sealed_at.is_some()) {
            let s = self
                .db
                .signed_record(t, ErratumKind::VoteMinutes, meeting, Some(&p.id))
                .await?;
            if s.and_then(|s| s.signed_by).as_deref() == Some(actor.user_id.as_str()) {
                vote_meetings.push(meeting.clone());
            }
        }
        if !vote_meetings.is_empty() {
            can.push(ErratumKind::VoteMinutes);
        }
        for kind in [
            ErratumKind::Contract,
            ErratumKind::ReviewReport,
            ErratumKind::SelfEvaluation,
        ] {
            let Some(s) = self.db.signed_record(t, kind, &p.id, None).await? else {
                continue;
            };
            let allowed = match kind {
                ErratumKind::Contract => party.is_some(),
                ErratumKind::SelfEvaluation => can_apply(actor, &p.organization_id).is_ok(),
                _ => can_correct(&actor.user_id, s.signed_by.as_deref()).is_ok(),
            };
            if allowed && may_correct(s.signed_by.is_some()).is_ok() {
                can.push(kind);
            }
        }
        let can_agree = items
            .iter()
            .filter(|e| {
                e.agreed_at.is_none()
                    && e.party
                        .is_some_and(|proposer| may_agree(proposer, party, false).is_ok())
            })
            .map(|e| e.id.clone())
            .collect();
        Ok(ProjectErrata {
            items,
            can_correct: can
                .into_iter()
                .map(|k| (k.as_str().to_string(), k.zh().to_string()))
                .collect(),
            vote_meetings,
            can_agree,
        })
    }

    /// The corrections of a consultation's minutes, and whether the reader may append one (they
    /// signed the minutes).
    pub(crate) async fn consultation_errata(
        &self,
        actor: &Actor,
        tenant: &str,
        id: &str,
    ) -> Result<(Vec<ErratumRow>, bool), AppError> {
        let items = self
            .db
            .errata_of(tenant, ErratumKind::ConsultationMinutes, id)
            .await?;
        let signer = self
            .db
            .signed_record(tenant, ErratumKind::ConsultationMinutes, id, None)
            .await?
            .and_then(|s| s.signed_by);
        let can = signer.is_some() && can_correct(&actor.user_id, signer.as_deref()).is_ok();
        Ok((items, can))
    }
}

impl App {
    /// A contract's agreed corrections as OCDS `amendments` (rationale: why; description: what
    /// now reads how), set on `contract` only when there is one: a pending correction is not
    /// part of the contract yet.
    pub(crate) async fn ocds_amendments(
        &self,
        p: &ProjectRow,
        contract: &mut serde_json::Value,
    ) -> Result<(), AppError> {
        let amendments: Vec<serde_json::Value> = self
            .db
            .errata_of(&p.tenant_id, ErratumKind::Contract, &p.id)
            .await?
            .into_iter()
            .filter_map(|e| {
                let agreed = e.agreed_at?;
                Some(json!({
                    "id": e.id,
                    "date": agreed,
                    "rationale": e.reason,
                    "description": format!("更正“{}”为：{}", e.part, e.corrected),
                }))
            })
            .collect();
        if !amendments.is_empty() {
            contract["amendments"] = json!(amendments);
        }
        Ok(())
    }
}
