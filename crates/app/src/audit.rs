//! Building audit events and recording refusals.

use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::{AuditRecord, Outcome};
use domain::authz::{can, Action, Target};
use domain::{Actor, AreaCode, DomainError};
use store::audit::{ChainReport, NATIONAL_TENANT};
use store::Tx;

/// What an event is about.
pub struct Subject<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub area: &'a AreaCode,
}

/// Builds an event; `seq` is assigned when it is appended. What changed is added with
/// `AuditRecord::before` and `AuditRecord::after`.
pub fn event(
    actor: Option<&Actor>,
    role: Option<domain::Role>,
    action: EventKind,
    outcome: Outcome,
    subject: &Subject<'_>,
    ctx: &Ctx,
) -> AuditRecord {
    AuditRecord {
        tenant_id: subject.area.tenant().unwrap_or(NATIONAL_TENANT).to_string(),
        seq: 0,
        id: uuid::Uuid::now_v7().to_string(),
        at: store::time::now(),
        actor_id: actor.map(|a| a.user_id.clone()),
        actor_login: actor.map(|a| a.login.clone()),
        actor_role: role
            .or_else(|| actor.and_then(|a| a.primary_role()))
            .map(|r| r.as_str().to_string()),
        action: action.as_str().to_string(),
        outcome: outcome.as_str().to_string(),
        target_kind: subject.kind.to_string(),
        target_id: subject.id.to_string(),
        area_code: subject.area.as_str().to_string(),
        before: None,
        after: None,
        request_id: ctx.request_id.clone(),
        client_addr: ctx.client_addr.clone(),
    }
}

/// The event of an action `actor` did (outcome ok), in `role` if the rule named one.
pub fn done(
    actor: &Actor,
    role: Option<domain::Role>,
    kind: EventKind,
    subject: &Subject<'_>,
    ctx: &Ctx,
) -> AuditRecord {
    event(Some(actor), role, kind, Outcome::Ok, subject, ctx)
}

impl App {
    /// Appends one event inside the use case's transaction.
    pub async fn audit_in(tx: &mut Tx, record: AuditRecord) -> Result<(), AppError> {
        tx.append_audit(record).await?;
        Ok(())
    }

    /// Records a refused action (denied by policy or failed on a rule) in its own transaction,
    /// then hands the refusal back so the caller can `return Err(app.refused(...).await)`.
    /// `result` as it is, or its error audited as refused (see `refused`).
    pub async fn or_refused<T>(
        &self,
        result: Result<T, AppError>,
        actor: &Actor,
        action: EventKind,
        subject: &Subject<'_>,
        ctx: &Ctx,
    ) -> Result<T, AppError> {
        match result {
            Ok(v) => Ok(v),
            Err(e) => Err(self.refused(Some(actor), action, subject, e, ctx).await),
        }
    }

    /// Refuses, and audits, reading a record of the subject's area outside the reader's
    /// territory of the chain.
    pub(crate) async fn in_view(
        &self,
        actor: &Actor,
        subject: &Subject<'_>,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        self.may_read(actor, Action::ViewChain, subject, kind, ctx)
            .await
    }

    /// Refuses, and audits as `kind`, what `action` does not reach in the subject's area.
    pub(crate) async fn may_read(
        &self,
        actor: &Actor,
        action: Action,
        subject: &Subject<'_>,
        kind: EventKind,
        ctx: &Ctx,
    ) -> Result<(), AppError> {
        match can(actor, action, Target::Area(subject.area)) {
            Ok(_) => Ok(()),
            Err(d) => Err(self
                .refused(Some(actor), kind, subject, d.into(), ctx)
                .await),
        }
    }

    /// A conflict found inside a use case's transaction (someone moved first): the transaction
    /// is dropped (rolled back) and the refusal audited.
    pub(crate) async fn conflict(
        &self,
        tx: store::Tx,
        actor: &Actor,
        action: EventKind,
        subject: &Subject<'_>,
        why: DomainError,
        ctx: &Ctx,
    ) -> AppError {
        drop(tx);
        self.refused(Some(actor), action, subject, why.into(), ctx)
            .await
    }

    pub async fn refused(
        &self,
        actor: Option<&Actor>,
        action: EventKind,
        subject: &Subject<'_>,
        err: AppError,
        ctx: &Ctx,
    ) -> AppError {
        let outcome = match &err {
            AppError::Denied(_) => Outcome::Denied,
            _ => Outcome::Failed,
        };
        let detail = serde_json::json!({ "code": err.code(), "reason": err.to_string() });
        let rec = event(actor, None, action, outcome, subject, ctx).after(detail);
        let res: Result<(), AppError> = async {
            let mut tx = self.db.begin().await?;
            tx.append_audit(rec).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        if let Err(e) = res {
            tracing::error!(error = %e, "could not audit a refused action");
        }
        err
    }

    /// Records a request whose handler failed inside the server (it panicked): the method and
    /// path, the client's address and request id; never the panic's text, which may hold what
    /// the person typed. An auditor sees every such failure beside the refusals.
    pub async fn request_failed(&self, method: &str, path: &str, ctx: &Ctx) {
        let subject = Subject {
            kind: "request",
            id: &path.chars().take(200).collect::<String>(),
            area: &AreaCode::nation(),
        };
        let err = AppError::Internal(format!("{method} 处理出错"));
        self.refused(None, EventKind::RequestFailed, &subject, err, ctx)
            .await;
    }

    /// Records a request refused at the door, before any use case saw it (text a database cannot
    /// hold, say): who is unknown at that point, so the event carries the client's address and
    /// request id, the method and path, and the reason.
    pub async fn refuse_request(&self, method: &str, path: &str, reason: &str, ctx: &Ctx) {
        let subject = Subject {
            kind: "request",
            id: &path.chars().take(200).collect::<String>(),
            area: &AreaCode::nation(),
        };
        let err = AppError::Domain(domain::DomainError::field(
            "request",
            "invalid_text",
            format!("{method} {reason}"),
        ));
        self.refused(None, EventKind::RequestRefused, &subject, err, ctx)
            .await;
    }

    pub async fn verify_audit(&self) -> Result<ChainReport, AppError> {
        Ok(self.db.verify_audit().await?)
    }
}

impl App {
    /// A page of the audit events inside the actor's audit territory, optionally narrowed to an
    /// area, and how many the filter keeps in all.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        filter: &store::audit::AuditFilter,
        limit: i64,
        ctx: &Ctx,
    ) -> Result<(Vec<store::audit::AuditEventRow>, i64), AppError> {
        let scope = domain::authz::reach(actor, Action::ViewAudit);
        let target = match filter.area_prefix.as_deref().filter(|s| !s.is_empty()) {
            Some(a) => Some(AreaCode::parse(a).map_err(|mut e| {
                if let DomainError::Invalid(f) = &mut e {
                    for x in f.iter_mut() {
                        x.field = "area".into();
                    }
                }
                AppError::Domain(e)
            })?),
            None => None,
        };
        let check_area = target.clone().unwrap_or_else(|| {
            scope
                .roots()
                .first()
                .cloned()
                .unwrap_or_else(AreaCode::nation)
        });
        self.may_read(
            actor,
            Action::ViewAudit,
            &Subject {
                kind: "audit",
                id: check_area.as_str(),
                area: &check_area,
            },
            EventKind::AuditView,
            ctx,
        )
        .await?;
        let events = self
            .db
            .audit_events(&scope, filter, limit.clamp(1, 500))
            .await?;
        let total = self.db.count_audit_events(&scope, filter).await?;
        Ok((events, total))
    }
}
