//! The seven-step chain's use cases, one module per context with the same names as
//! `domain::chain` and `store::chain`: needs, the catalogue and eligibility, applications (the
//! project, its versions and stage), consultations, the representatives' votes, funds and the
//! purchase decision, contracts, delivery, evaluation and payments, and calls.

use crate::audit::Subject;
use crate::{App, AppError};
use domain::chain::stage::Stage;
use domain::DomainError;
use store::chain::application::ProjectRow;

pub mod application;
pub mod call;
pub mod catalogue;
pub mod consultation;
pub mod contract;
pub mod delivery;
pub mod erratum;
pub mod evaluation;
pub mod milestone;
pub mod need;
mod project_list;
pub mod purchase;
pub mod review_group;
pub mod termination;
pub mod vote;

/// What a project's audit events are about.
pub(crate) fn project_subject(p: &ProjectRow) -> Subject<'_> {
    Subject {
        kind: "project",
        id: &p.id,
        area: &p.community,
    }
}

/// A field error, as the chain's use cases raise them.
pub(crate) fn field(f: &str, code: &'static str, m: impl Into<String>) -> AppError {
    DomainError::field(f, code, m).into()
}

impl App {
    /// Moves the project and records the audit event, refusing if the stage moved meanwhile.
    pub(crate) async fn advance(
        &self,
        tx: &mut store::Tx,
        p: &ProjectRow,
        to: Stage,
        now: &str,
    ) -> Result<(), AppError> {
        if to != p.stage && !tx.move_stage(&p.tenant_id, &p.id, p.stage, to, now).await? {
            return Err(
                DomainError::conflict("stage_moved", "项目状态刚刚已变化，请刷新后查看").into(),
            );
        }
        Ok(())
    }
}
