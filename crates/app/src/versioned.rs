//! The versioned record (issue 15), one piece for every register that can be corrected: an edit
//! names the version its editor read; if someone saved in between nothing is written and the
//! refusal says who changed what (the organization's message, [`stale`]); otherwise the record
//! moves to the next version and both the state before the first edit and each saved state are
//! kept as snapshots for the history. Snapshots carry identity numbers only masked.

use crate::audit::{done, Subject};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::{Actor, Role};
use serde_json::{json, Value};
use store::versions::{Claim, NewVersion, Register, VersionRow};
use store::{time, Tx};

/// One edit of a versioned record.
pub(crate) struct Edit<'a> {
    pub register: Register,
    pub tenant: &'a str,
    pub id: &'a str,
    /// The version the editor read.
    pub expected: i64,
    /// The record as the editor's version left it (masked), and as the edit makes it.
    pub before: Value,
    pub after: Value,
    pub kind: EventKind,
    /// The record's name in the refusal ("社工", "岗位"…).
    pub noun: &'static str,
}

/// A saved edit: the record's new version.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Edited {
    pub id: String,
    pub version: i64,
}

/// The refusal of a save made on `expected` when the record is now at `current_version` with
/// `current` (its snapshot): who saved last and what they changed, field by field.
pub(crate) fn stale(
    versions: &[VersionRow],
    expected: i64,
    current_version: i64,
    current: &Value,
    key: &str,
) -> AppError {
    let by = versions
        .first()
        .and_then(|v| v.changed_by.clone())
        .unwrap_or_default();
    let diff = versions
        .iter()
        .find(|v| v.version == expected)
        .map(|v| crate::registry::json_diff(&v.snapshot, current))
        .unwrap_or_default();
    let message = format!(
        "保存失败：您编辑期间，{by} 已把该记录改到第 {current_version} 版（您编辑的是第 {expected} 版）。对方的修改：{}。您填写的内容仍在表单中，请核对后再保存。",
        if diff.is_empty() { "无字段变化".to_string() } else { diff.join("；") }
    );
    let mut body = serde_json::Map::new();
    body.insert("version".into(), json!(current_version));
    body.insert(key.into(), current.clone());
    AppError::StaleVersion {
        message,
        current: Value::Object(body).to_string(),
    }
}

impl App {
    /// Opens the edit's transaction with the record moved to the next version, or refuses (and
    /// audits) a stale or missing one with nothing written.
    pub(crate) async fn begin_edit(
        &self,
        e: &Edit<'_>,
        actor: &Actor,
        subject: &Subject<'_>,
        ctx: &Ctx,
    ) -> Result<Tx, AppError> {
        let mut tx = self.db.begin().await?;
        match tx
            .claim_version(e.register, e.tenant, e.id, e.expected)
            .await?
        {
            Claim::Claimed => Ok(tx),
            Claim::Missing => {
                tx.rollback().await?;
                Err(AppError::not_found(e.noun))
            }
            Claim::Stale(now_at) => {
                tx.rollback().await?;
                let versions = self
                    .db
                    .register_versions(e.tenant, e.register, e.id)
                    .await?;
                let current = versions
                    .first()
                    .filter(|v| v.version == now_at)
                    .map(|v| v.snapshot.clone())
                    .unwrap_or_else(|| e.before.clone());
                let err = stale(&versions, e.expected, now_at, &current, e.register.kind());
                Err(self.refused(Some(actor), e.kind, subject, err, ctx).await)
            }
        }
    }

    /// Keeps the snapshots, audits the edit and commits; returns the new version.
    pub(crate) async fn finish_edit(
        &self,
        mut tx: Tx,
        e: &Edit<'_>,
        actor: &Actor,
        role: Role,
        subject: &Subject<'_>,
        ctx: &Ctx,
    ) -> Result<Edited, AppError> {
        let now = time::now();
        if !tx
            .has_register_version(e.register, e.tenant, e.id, e.expected)
            .await?
        {
            // The record as it was before its first edit (created or imported before versions
            // were kept), so the history and a later conflict can show what changed.
            tx.insert_register_version(&NewVersion {
                tenant: e.tenant,
                register: e.register,
                id: e.id,
                version: e.expected,
                snapshot: &e.before,
                changed_by: None,
                changed_role: None,
                now: &now,
            })
            .await?;
        }
        let version = e.expected + 1;
        tx.insert_register_version(&NewVersion {
            tenant: e.tenant,
            register: e.register,
            id: e.id,
            version,
            snapshot: &e.after,
            changed_by: Some(&actor.login),
            changed_role: Some(role.as_str()),
            now: &now,
        })
        .await?;
        tx.append_audit(
            done(actor, Some(role), e.kind, subject, ctx)
                .before(e.before.clone())
                .after(e.after.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(Edited {
            id: e.id.to_string(),
            version,
        })
    }

    /// The saved versions of a record, newest first.
    pub(crate) async fn versions_of(
        &self,
        register: Register,
        tenant: &str,
        id: &str,
    ) -> Result<Vec<VersionRow>, AppError> {
        Ok(self.db.register_versions(tenant, register, id).await?)
    }
}

/// The Chinese label of a field of a register's snapshot (the organization's own are named in
/// `registry::json_diff`); an unknown field shows its code.
pub(crate) fn field_label(field: &str) -> &str {
    match field {
        "gender" => "性别",
        "id_number" => "身份证号码",
        "certificate_level" => "证书等级",
        "certificate_number" => "证书编号",
        "certificate_date" => "取证日期",
        "employer_org_id" => "聘用单位",
        "employment_ended_on" => "聘用终止日期",
        "kind" => "平台类型",
        "title" => "岗位名称",
        "started_on" => "到岗日期",
        "ended_on" => "离岗日期",
        "position" => "职务",
        "organization_id" => "所在组织",
        "social_worker_id" => "社工台账",
        "backbone" => "骨干人才",
        "skills" => "服务技能",
        other => other,
    }
}
