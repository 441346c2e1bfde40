//! Importing volunteer service records from a spreadsheet (Excel or CSV): every row or none, each
//! bad row named by line and column; rows already imported are skipped by their fingerprint; the
//! records go in with a bulk insert and the volunteers' totals move in the same transaction.

use crate::audit::{event, Subject};
use crate::error::ImportError;
use crate::registry::{tenant_of, today};
use crate::transfer::Table;
use crate::{App, AppError, Ctx};
use domain::audit::Outcome;
use domain::volunteer::{
    can_record, fixed_holidays, ServiceRecord, ServiceRecordForm, VolunteerActor,
};
use domain::{Actor, AreaCode, DomainError, Role};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use store::time;
use store::volunteer::{ImportedRecord, VolunteerRow};

pub const COLUMNS: [&str; 10] = [
    "志愿者编号",
    "志愿者姓名",
    "活动名称",
    "活动日期",
    "服务地点",
    "服务内容",
    "服务时长（小时）",
    "组织单位",
    "负责人",
    "补录原因",
];

fn column_of(field: &str) -> &'static str {
    match field {
        "activity_name" => "活动名称",
        "activity_date" => "活动日期",
        "place" => "服务地点",
        "content" => "服务内容",
        "hours" => "服务时长（小时）",
        "organizing_unit" => "组织单位",
        "person_in_charge" => "负责人",
        "late_reason" => "补录原因",
        _ => "",
    }
}

/// The fingerprint of a record: the same row imported again has the same one.
pub fn fingerprint(volunteer_id: &str, r: &ServiceRecord) -> String {
    let mut h = Sha256::new();
    for part in [
        volunteer_id,
        &r.activity_date.to_string(),
        &r.activity_name,
        &r.place,
        &r.content,
        &r.minutes.to_string(),
        &r.organizing_unit,
        &r.person_in_charge,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordImportSummary {
    pub rows: usize,
    pub added: usize,
    pub unchanged: usize,
    pub volunteers: usize,
}

impl App {
    pub async fn import_service_records(
        &self,
        actor: &Actor,
        table: &Table,
        file: &str,
        ctx: &Ctx,
    ) -> Result<RecordImportSummary, AppError> {
        let mut errors: Vec<ImportError> = Vec::new();
        let err = |line: u64, column: &str, message: String| ImportError {
            file: file.to_string(),
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            message,
        };
        for required in COLUMNS.iter().take(9) {
            if !table.headers.iter().any(|h| h == required) {
                errors.push(err(
                    1,
                    required,
                    format!("缺少“{required}”列（请使用模板）"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Import(errors));
        }
        // Look up every volunteer the file names, tenant by tenant, in bulk.
        let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (_, row) in &table.rows {
            let id = table.cell(row, "志愿者编号");
            if let Some(t) = tenant_of(id) {
                wanted
                    .entry(t.to_string())
                    .or_default()
                    .push(id.to_string());
            }
        }
        let mut volunteers: HashMap<String, VolunteerRow> = HashMap::new();
        for (tenant, mut ids) in wanted {
            ids.sort();
            ids.dedup();
            for v in self.db.volunteers_by_ids(&tenant, &ids).await? {
                volunteers.insert(v.id.clone(), v);
            }
        }
        let today = today();
        let y = chrono::Datelike::year(&today);
        let holidays = fixed_holidays(y - 1, y);
        let mut role: Option<Role> = None;
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut decided: HashMap<(&str, bool), Result<VolunteerActor, domain::Denied>> =
            HashMap::new();
        // (tenant, volunteer id, record, fingerprint)
        let mut good: Vec<(String, String, ServiceRecord, String)> =
            Vec::with_capacity(table.rows.len());
        for (line, row) in &table.rows {
            let vid = table.cell(row, "志愿者编号");
            let Some(v) = volunteers.get(vid) else {
                errors.push(err(*line, "志愿者编号", format!("志愿者编号“{vid}”不存在")));
                continue;
            };
            let name = table.cell(row, "志愿者姓名");
            if name != v.volunteer.name {
                errors.push(err(
                    *line,
                    "志愿者姓名",
                    format!("姓名“{name}”与编号对应的志愿者不符"),
                ));
                continue;
            }
            // The decision depends only on the area and on whether the volunteer is the actor;
            // deciding it once per area keeps a city-wide file linear.
            let own = v.user_id.as_deref() == Some(actor.user_id.as_str());
            let decision = decided
                .entry((v.volunteer.area.as_str(), own))
                .or_insert_with(|| can_record(actor, &v.volunteer.area, v.user_id.as_deref()))
                .clone();
            match decision {
                Ok(VolunteerActor::Unit(r)) => role = Some(r),
                Ok(VolunteerActor::Themself) => role = Some(Role::Volunteer),
                Err(d) => {
                    errors.push(err(*line, "志愿者编号", d.message));
                    continue;
                }
            }
            let form = ServiceRecordForm {
                activity_name: table.cell(row, "活动名称").to_string(),
                activity_date: table.cell(row, "活动日期").to_string(),
                place: table.cell(row, "服务地点").to_string(),
                content: table.cell(row, "服务内容").to_string(),
                hours: table.cell(row, "服务时长（小时）").to_string(),
                organizing_unit: table.cell(row, "组织单位").to_string(),
                person_in_charge: table.cell(row, "负责人").to_string(),
                late_reason: table.cell(row, "补录原因").to_string(),
            };
            match form.validate(today, &holidays) {
                Ok(rec) => {
                    let key = fingerprint(vid, &rec);
                    if let Some(first) = seen.insert(key.clone(), *line) {
                        errors.push(err(*line, "", format!("与第 {first} 行完全相同")));
                        continue;
                    }
                    good.push((v.tenant_id.clone(), vid.to_string(), rec, key));
                }
                Err(DomainError::Invalid(f)) => {
                    for e in f {
                        errors.push(err(*line, column_of(&e.field), e.message));
                    }
                }
                Err(e) => errors.push(err(*line, "", e.to_string())),
            }
        }
        if !errors.is_empty() {
            let subject = Subject {
                kind: "service_records",
                id: file,
                area: &AreaCode::nation(),
            };
            return Err(self
                .refused(
                    Some(actor),
                    "service_record.import",
                    &subject,
                    AppError::Import(errors),
                    ctx,
                )
                .await);
        }
        let now = time::now();
        let mut by_tenant: BTreeMap<String, Vec<(String, ServiceRecord, String)>> = BTreeMap::new();
        for (t, vid, rec, key) in good {
            by_tenant.entry(t).or_default().push((vid, rec, key));
        }
        let mut added = 0;
        let mut unchanged = 0;
        let mut touched = 0;
        let mut tx = self.db.begin().await?;
        for (tenant, rows) in &by_tenant {
            let pairs: Vec<(String, String)> = rows
                .iter()
                .map(|(v, _, k)| (v.clone(), k.clone()))
                .collect();
            let existing: std::collections::HashSet<String> = tx
                .existing_source_keys(tenant, &pairs)
                .await?
                .into_iter()
                .collect();
            let mut fresh: Vec<&(String, ServiceRecord, String)> = rows
                .iter()
                .filter(|(_, _, k)| !existing.contains(k))
                .collect();
            // In the order of the per-volunteer index, so that its pages fill one after another
            // instead of at random (about a third faster on SQLite for a large file).
            fresh.sort_by(|a, b| (&a.0, a.1.activity_date).cmp(&(&b.0, b.1.activity_date)));
            unchanged += rows.len() - fresh.len();
            let imported: Vec<ImportedRecord> = fresh
                .iter()
                .map(|(v, r, k)| ImportedRecord {
                    id: format!("{tenant}-{}", uuid::Uuid::now_v7().simple()),
                    volunteer_id: v,
                    record: r,
                    source_key: k.clone(),
                })
                .collect();
            tx.insert_records_bulk(
                tenant,
                &imported,
                &actor.login,
                role.map(|r| r.as_str()),
                &now,
            )
            .await?;
            let mut deltas: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
            for (v, r, _) in &fresh {
                let d = deltas.entry(v.as_str()).or_default();
                d.0 += r.minutes;
                d.1 += 1;
            }
            let deltas: Vec<(String, i64, i64)> = deltas
                .into_iter()
                .map(|(v, (m, n))| (v.to_string(), m, n))
                .collect();
            tx.add_to_totals_bulk(tenant, &deltas, &now).await?;
            added += fresh.len();
            touched += deltas.len();
            let area = AreaCode::parse(tenant).unwrap_or_else(|_| AreaCode::nation());
            tx.append_audit(event(
                Some(actor),
                role,
                "service_record.import",
                Outcome::Ok,
                &Subject { kind: "service_records", id: file, area: &area },
                None,
                Some(json!({ "file": file, "added": fresh.len(), "skipped_as_already_imported": rows.len() - fresh.len(), "volunteers": deltas.len() })),
                ctx,
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(RecordImportSummary {
            rows: table.rows.len(),
            added,
            unchanged,
            volunteers: touched,
        })
    }
}
