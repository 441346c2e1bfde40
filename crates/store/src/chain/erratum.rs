//! Corrections of frozen records (`errata`, migration 0029): written once, never changed; a
//! contract's correction takes effect with the other party's agreement, a record of its own.

use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::chain::erratum::{ErratumKind, Party};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

/// A correction with its agreement (for a contract) and the names of who proposed and agreed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErratumRow {
    pub id: String,
    pub kind: ErratumKind,
    /// The consultation or vote meeting for minutes, the project otherwise.
    pub record_id: String,
    pub project_id: Option<String>,
    /// What is corrected (the field, clause or line).
    pub part: String,
    /// The corrected text.
    pub corrected: String,
    pub reason: String,
    pub proposed_by: String,
    pub proposed_by_name: String,
    /// For a contract, the party that proposed it.
    pub party: Option<Party>,
    pub proposed_at: String,
    pub agreed_by: Option<String>,
    pub agreed_by_name: Option<String>,
    pub agreed_at: Option<String>,
    /// In effect: agreed by the other party for a contract, at once for every other record.
    pub in_effect: bool,
}

/// Who signed a record a correction would point at, and where it belongs.
#[derive(Debug, Clone)]
pub struct SignedRecord {
    pub area: String,
    /// The account that signed (froze, sealed, signed, submitted) it; `None` while a draft.
    pub signed_by: Option<String>,
}

/// A correction to record (`Tx::insert_erratum`).
#[derive(Debug, Clone, Copy)]
pub struct NewErratum<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub kind: ErratumKind,
    pub record_id: &'a str,
    pub project_id: Option<&'a str>,
    pub area: &'a str,
    pub part: &'a str,
    pub corrected: &'a str,
    pub reason: &'a str,
    pub by: &'a str,
    pub role: &'a str,
    pub party: Option<Party>,
    pub now: &'a str,
}

const SELECT: &str = "SELECT e.id, e.record_kind, e.record_id, e.project_id, e.part, e.corrected, e.reason, \
    e.proposed_by, COALESCE(pu.display_name, e.proposed_by) AS proposed_by_name, e.party, e.proposed_at, \
    a.agreed_by, au.display_name AS agreed_by_name, a.agreed_at \
    FROM errata e \
    LEFT JOIN erratum_agreements a ON a.tenant_id = e.tenant_id AND a.erratum_id = e.id \
    LEFT JOIN users pu ON pu.id = e.proposed_by \
    LEFT JOIN users au ON au.id = a.agreed_by";

/// Reads an `ErratumRow` from a row of `SELECT` (a macro: the two backends' rows differ in type).
macro_rules! erratum_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("record_kind")?;
        let kind = ErratumKind::parse(&kind).ok_or_else(|| {
            StoreError::Sqlx(sqlx::Error::Protocol(format!(
                "unknown erratum kind {kind}"
            )))
        })?;
        let party: Option<String> = r.try_get("party")?;
        let agreed_at: Option<String> = r.try_get("agreed_at")?;
        Ok::<_, StoreError>(ErratumRow {
            id: r.try_get("id")?,
            kind,
            record_id: r.try_get("record_id")?,
            project_id: r.try_get("project_id")?,
            part: r.try_get("part")?,
            corrected: r.try_get("corrected")?,
            reason: r.try_get("reason")?,
            proposed_by: r.try_get("proposed_by")?,
            proposed_by_name: r.try_get("proposed_by_name")?,
            party: party.as_deref().and_then(Party::parse),
            proposed_at: r.try_get("proposed_at")?,
            agreed_by: r.try_get("agreed_by")?,
            agreed_by_name: r.try_get("agreed_by_name")?,
            in_effect: kind != ErratumKind::Contract || agreed_at.is_some(),
            agreed_at,
        })
    }};
}

impl Db {
    /// Who signed the record a correction of `kind` would point at (`record_id`: the meeting for
    /// minutes, the project otherwise; `project` the vote motion's project); `None` when there is
    /// no such record. Contracts and self-evaluations are signed once written.
    pub async fn signed_record(
        &self,
        tenant: &str,
        kind: ErratumKind,
        record_id: &str,
        project: Option<&str>,
    ) -> Result<Option<SignedRecord>, StoreError> {
        let sql = match kind {
            ErratumKind::ConsultationMinutes => {
                "SELECT area_code AS area, frozen_by AS signed_by FROM consultations WHERE tenant_id = $1 AND id = $2 AND $3 = $3"
            }
            ErratumKind::VoteMinutes => {
                "SELECT m.area_code AS area, v.sealed_by AS signed_by FROM vote_motions v \
                 JOIN vote_meetings m ON m.tenant_id = v.tenant_id AND m.id = v.meeting_id \
                 WHERE v.tenant_id = $1 AND v.meeting_id = $2 AND v.project_id = $3"
            }
            ErratumKind::Contract => {
                "SELECT p.area_code AS area, k.recorded_by AS signed_by FROM contracts k \
                 JOIN projects p ON p.tenant_id = k.tenant_id AND p.id = k.project_id \
                 WHERE k.tenant_id = $1 AND k.project_id = $2 AND $3 = $3"
            }
            ErratumKind::ReviewReport => {
                "SELECT p.area_code AS area, g.signed_by FROM review_reports r \
                 JOIN projects p ON p.tenant_id = r.tenant_id AND p.id = r.project_id \
                 LEFT JOIN review_groups g ON g.tenant_id = r.tenant_id AND g.project_id = r.project_id \
                 WHERE r.tenant_id = $1 AND r.project_id = $2 AND $3 = $3"
            }
            ErratumKind::SelfEvaluation => {
                "SELECT p.area_code AS area, s.submitted_by AS signed_by FROM self_evaluations s \
                 JOIN projects p ON p.tenant_id = s.tenant_id AND p.id = s.project_id \
                 WHERE s.tenant_id = $1 AND s.project_id = $2 AND $3 = $3"
            }
        };
        let project = project.unwrap_or(record_id);
        on_pool!(self, c => {
            let Some(r) = sqlx::query(sql).bind(tenant).bind(record_id).bind(project).fetch_optional(c).await? else {
                return Ok(None);
            };
            Ok(Some(SignedRecord { area: r.try_get("area")?, signed_by: r.try_get("signed_by")? }))
        })
    }

    /// The corrections of one record, oldest first.
    pub async fn errata_of(
        &self,
        tenant: &str,
        kind: ErratumKind,
        record_id: &str,
    ) -> Result<Vec<ErratumRow>, StoreError> {
        let sql = format!("{SELECT} WHERE e.tenant_id = $1 AND e.record_kind = $2 AND e.record_id = $3 ORDER BY e.proposed_at, e.id");
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(tenant).bind(kind.as_str()).bind(record_id).fetch_all(c).await?;
            rows.iter().map(|r| erratum_row!(r)).collect()
        })
    }

    /// The corrections of every record of a project (its vote minutes, contract, report and
    /// self-evaluation), oldest first.
    pub async fn errata_of_project(
        &self,
        tenant: &str,
        project: &str,
    ) -> Result<Vec<ErratumRow>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE e.tenant_id = $1 AND e.project_id = $2 ORDER BY e.proposed_at, e.id"
        );
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(tenant).bind(project).fetch_all(c).await?;
            rows.iter().map(|r| erratum_row!(r)).collect()
        })
    }

    pub async fn erratum(&self, tenant: &str, id: &str) -> Result<Option<ErratumRow>, StoreError> {
        let sql = format!("{SELECT} WHERE e.tenant_id = $1 AND e.id = $2");
        on_pool!(self, c => {
            let r = sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await?;
            r.as_ref().map(|r| erratum_row!(r)).transpose()
        })
    }
}

impl Tx {
    pub async fn insert_erratum(&mut self, e: &NewErratum<'_>) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO errata (tenant_id, id, record_kind, record_id, project_id, area_code, part, corrected, reason, \
                 proposed_by, proposed_role, party, proposed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
            )
            .bind(e.tenant).bind(e.id).bind(e.kind.as_str()).bind(e.record_id).bind(e.project_id).bind(e.area)
            .bind(e.part).bind(e.corrected).bind(e.reason).bind(e.by).bind(e.role).bind(e.party.map(Party::as_str))
            .bind(e.now)
            .execute(&mut *c).await?;
            Ok(())
        })
    }

    /// Records the other party's agreement; `false` when it was already agreed.
    pub async fn agree_erratum(
        &mut self,
        tenant: &str,
        id: &str,
        by: &str,
        role: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "INSERT INTO erratum_agreements (tenant_id, erratum_id, agreed_by, agreed_role, agreed_at) \
                 VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant).bind(id).bind(by).bind(role).bind(now)
            .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }
}
