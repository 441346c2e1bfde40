//! Importing volunteer service records from a spreadsheet (Excel or CSV): every row or none, each
//! bad row named by line and column; rows already imported are skipped by their fingerprint; the
//! records go in with a bulk insert and the volunteers' totals move in the same transaction.

use crate::audit::{done, Subject};
use crate::error::ImportError;
use crate::kernel::{tenant_of, today};
use crate::transfer::Table;
use crate::{App, AppError, Ctx};
use chrono::NaiveDate;
use domain::audit::EventKind;
use domain::volunteer::{can_record, fixed_holidays, RecordFields, ServiceRecord, VolunteerActor};
use domain::{Actor, AreaCode, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use store::time;
use store::volunteer::{ImportedRecord, RecordWriter, VolunteerKey};

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

/// The example row of the service-record template (the volunteer number is the one on the
/// volunteer's page).
pub const EXAMPLE: [&str; 10] = [
    "3410-0192a4c8e6f07a2b",
    "汪晓梅",
    "敬老院陪伴",
    "2026/11/5",
    "屯溪区敬老院",
    "陪老人聊天、读报",
    "2.5",
    "柏树街社区居委会",
    "刘敏",
    "",
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

/// The fingerprint of a record: the same row imported again has the same one (stored as 32
/// hexadecimal digits).
pub fn fingerprint(volunteer_id: &str, r: &ServiceRecord) -> [u8; 16] {
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
    let mut key = [0u8; 16];
    key.copy_from_slice(&h.finalize()[..16]);
    key
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecordImportSummary {
    pub rows: usize,
    pub added: usize,
    pub unchanged: usize,
    pub volunteers: usize,
}

/// A row that passed every check.
struct GoodRow<'a> {
    line: u64,
    volunteer: &'a VolunteerKey,
    record: ServiceRecord,
    key: [u8; 16],
    role: Role,
}

/// Where each column of the file is (the header row may order them freely).
struct Columns([Option<usize>; 10]);

impl Columns {
    fn of(table: &Table) -> Self {
        Columns(COLUMNS.map(|c| table.headers.iter().position(|h| h == c)))
    }

    fn cell<'r>(&self, row: &'r [String], column: usize) -> &'r str {
        self.0[column]
            .and_then(|i| row.get(i))
            .map_or("", |s| s.trim())
    }
}

/// What the row checks share.
struct Checker<'a> {
    actor: &'a Actor,
    file: &'a str,
    columns: Columns,
    volunteers: &'a HashMap<String, VolunteerKey>,
    today: NaiveDate,
    holidays: Vec<NaiveDate>,
}

impl<'a> Checker<'a> {
    fn error(&self, line: u64, column: &str, message: String) -> ImportError {
        ImportError {
            file: self.file.to_string(),
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            message,
        }
    }

    /// Checks rows that do not depend on each other; the permission decision depends only on
    /// the area and on whether the volunteer is the actor, so it is made once per area.
    fn check(&self, rows: &[(u64, Vec<String>)]) -> Vec<Result<GoodRow<'a>, Vec<ImportError>>> {
        let mut decided: HashMap<(&str, bool), Result<VolunteerActor, domain::Denied>> =
            HashMap::new();
        rows.iter()
            .map(|(line, row)| {
                let line = *line;
                let vid = self.columns.cell(row, 0);
                let Some(v) = self.volunteers.get(vid) else {
                    return Err(vec![self.error(
                        line,
                        COLUMNS[0],
                        format!("志愿者编号“{vid}”不存在"),
                    )]);
                };
                let name = self.columns.cell(row, 1);
                if name != v.name {
                    return Err(vec![self.error(
                        line,
                        COLUMNS[1],
                        format!("姓名“{name}”与编号对应的志愿者不符"),
                    )]);
                }
                let own = v.user_id.as_deref() == Some(self.actor.user_id.as_str());
                let role = match decided
                    .entry((v.area.as_str(), own))
                    .or_insert_with(|| can_record(self.actor, &v.area, v.user_id.as_deref()))
                {
                    Ok(VolunteerActor::Unit(r)) => *r,
                    Ok(VolunteerActor::Themself) => Role::Volunteer,
                    Err(d) => return Err(vec![self.error(line, COLUMNS[0], d.message.clone())]),
                };
                let form = RecordFields {
                    activity_name: self.columns.cell(row, 2),
                    activity_date: self.columns.cell(row, 3),
                    place: self.columns.cell(row, 4),
                    content: self.columns.cell(row, 5),
                    hours: self.columns.cell(row, 6),
                    organizing_unit: self.columns.cell(row, 7),
                    person_in_charge: self.columns.cell(row, 8),
                    late_reason: self.columns.cell(row, 9),
                };
                match form.validate(self.today, &self.holidays) {
                    Ok(record) => Ok(GoodRow {
                        line,
                        volunteer: v,
                        key: fingerprint(&v.id, &record),
                        record,
                        role,
                    }),
                    Err(DomainError::Invalid(f)) => Err(f
                        .into_iter()
                        .map(|e| self.error(line, column_of(&e.field), e.message))
                        .collect()),
                    Err(e) => Err(vec![self.error(line, "", e.to_string())]),
                }
            })
            .collect()
    }

    /// `check` over every row, the rows split between the machine's cores (the checks are
    /// independent and pure; a large file spends about a fifth of its import here).
    fn check_all(&self, rows: &[(u64, Vec<String>)]) -> Vec<Result<GoodRow<'a>, Vec<ImportError>>> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if threads < 2 || rows.len() < 4_000 {
            return self.check(rows);
        }
        let per = rows.len().div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = rows
                .chunks(per)
                .map(|part| s.spawn(move || self.check(part)))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }
}

impl App {
    /// Imports an uploaded file (CSV or .xlsx): first whether the person may import at all
    /// (before a byte is parsed), then the file, read within bounds off the async threads, then
    /// every row.
    pub async fn import_service_records(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        file: &str,
        ctx: &Ctx,
    ) -> Result<RecordImportSummary, AppError> {
        self.or_refused(
            domain::volunteer::may_import_records(actor).map_err(AppError::from),
            actor,
            EventKind::ServiceRecordImport,
            &Subject {
                kind: "service_records",
                id: file,
                area: &AreaCode::nation(),
            },
            ctx,
        )
        .await?;
        let table = self.read_upload(bytes, file).await?;
        self.import_service_records_rows(actor, &table, file, ctx)
            .await
    }

    async fn import_service_records_rows(
        &self,
        actor: &Actor,
        table: &Table,
        file: &str,
        ctx: &Ctx,
    ) -> Result<RecordImportSummary, AppError> {
        let mut errors: Vec<ImportError> = Vec::new();
        for required in COLUMNS.iter().take(9) {
            if !table.headers.iter().any(|h| h == required) {
                errors.push(ImportError {
                    file: file.to_string(),
                    line: 1,
                    column: Some(required.to_string()),
                    message: format!("缺少“{required}”列（请使用模板）"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Import(errors));
        }
        let columns = Columns::of(table);
        // Look up every volunteer the file names, tenant by tenant, in bulk.
        let named: HashSet<&str> = table
            .rows
            .iter()
            .map(|(_, row)| columns.cell(row, 0))
            .collect();
        let mut wanted: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for id in named {
            if let Some(t) = tenant_of(id) {
                wanted.entry(t).or_default().push(id.to_string());
            }
        }
        let mut volunteers: HashMap<String, VolunteerKey> = HashMap::new();
        for (tenant, mut ids) in wanted {
            ids.sort_unstable();
            for v in self.db.volunteer_keys(tenant, &ids).await? {
                volunteers.insert(v.id.clone(), v);
            }
        }
        let today = today();
        let y = chrono::Datelike::year(&today);
        let checker = Checker {
            actor,
            file,
            columns,
            volunteers: &volunteers,
            today,
            holidays: fixed_holidays(y - 1, y),
        };
        let now = time::now();
        // Record ids share one time-ordered stem and count up from it: ordered like the rows
        // (so the primary index fills at its end) and without a random draw per row.
        let stem = uuid::Uuid::now_v7().simple().to_string();
        let mut sorter = Sorter::new(stem.get(..24).unwrap_or(&stem));
        let mut tenants: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut tx = self.db.begin().await?;
        // On SQLite one thread checks the next rows while this one writes the rows before them;
        // on PostgreSQL every row is checked first and the rows go in together.
        let streamed = tx
            .with_record_writer(&actor.login, &now, |writer| {
                writer.map(|w| checker.check_and_write(&table.rows, &mut sorter, &mut tenants, w))
            })
            .await?;
        match streamed {
            Some(written) => written?,
            None => {
                let batch = sorter.next(checker.check_all(&table.rows), &checker);
                if !batch.rows.is_empty() {
                    let went_in = tx
                        .insert_records_bulk(&batch.records(), &actor.login, &now)
                        .await?;
                    count(&mut tenants, &batch.rows, &went_in);
                }
            }
        }
        // A row that matches a record the volunteer already has (same date, activity and unit)
        // but differs from it is a change, which an import does not make: refused by its line.
        let mut changed = HashSet::new();
        for tenant in tenants.keys() {
            changed.extend(tx.reimport_changes(tenant, &actor.login, &now).await?);
        }
        if !changed.is_empty() {
            for (line, row) in &table.rows {
                let key = (
                    checker.columns.cell(row, 0).to_string(),
                    domain::text::parse_date(checker.columns.cell(row, 3))
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    checker.columns.cell(row, 2).trim().to_string(),
                    checker.columns.cell(row, 7).trim().to_string(),
                );
                if changed.contains(&key) {
                    sorter.errors.push(checker.error(
                        *line,
                        COLUMNS[6],
                        "已有同一志愿者、同一日期、同一活动和组织单位的记录，但时长或内容不同：导入不修改已有记录，请通过更正申请修改".into(),
                    ));
                }
            }
        }
        if !sorter.errors.is_empty() {
            drop(tx);
            let subject = Subject {
                kind: "service_records",
                id: file,
                area: &AreaCode::nation(),
            };
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::ServiceRecordImport,
                    &subject,
                    AppError::Import(sorter.errors),
                    ctx,
                )
                .await);
        }
        let mut added = 0;
        let mut touched = 0;
        for (tenant, tally) in &tenants {
            let deltas: Vec<(String, i64, i64)> = tally
                .deltas
                .iter()
                .map(|(v, (m, n))| (v.to_string(), *m, *n))
                .collect();
            tx.add_to_totals_bulk(tenant, &deltas, &now).await?;
            added += tally.added;
            touched += deltas.len();
            let area = AreaCode::parse(tenant).unwrap_or_else(|_| AreaCode::nation());
            tx.append_audit(done(actor, tally.role, EventKind::ServiceRecordImport, &Subject { kind: "service_records", id: file, area: &area }, ctx).after(json!({ "file": file, "added": tally.added, "skipped_as_already_imported": tally.rows - tally.added, "volunteers": deltas.len() })))
            .await?;
        }
        tx.commit().await?;
        Ok(RecordImportSummary {
            rows: table.rows.len(),
            added,
            unchanged: table.rows.len() - added,
            volunteers: touched,
        })
    }
}

/// What one tenant's part of the file has done.
#[derive(Default)]
struct Tally<'a> {
    rows: usize,
    added: usize,
    /// Minutes and records added per volunteer.
    deltas: BTreeMap<&'a str, (i64, i64)>,
    role: Option<Role>,
}

/// Checked rows ready to write, with their record ids and stored fingerprints.
struct Batch<'a> {
    rows: Vec<GoodRow<'a>>,
    ids: Vec<String>,
    keys: Vec<String>,
}

impl Batch<'_> {
    fn records(&self) -> Vec<ImportedRecord<'_>> {
        self.rows
            .iter()
            .zip(self.ids.iter().zip(&self.keys))
            .map(|(r, (id, key))| ImportedRecord {
                tenant: &r.volunteer.tenant_id,
                id,
                volunteer_id: &r.volunteer.id,
                record: &r.record,
                source_key: key,
                entered_role: Some(r.role.as_str()),
            })
            .collect()
    }
}

/// The file-order side of the import: errors, rows identical to an earlier one, record ids.
struct Sorter {
    errors: Vec<ImportError>,
    /// First line of each fingerprint.
    seen: HashMap<[u8; 16], u64>,
    stem: String,
    seq: u64,
}

impl Sorter {
    fn new(stem: &str) -> Self {
        Sorter {
            errors: Vec::new(),
            seen: HashMap::new(),
            stem: stem.to_string(),
            seq: 0,
        }
    }

    /// Takes the next checked rows (in file order): keeps their errors, names rows identical to
    /// an earlier one, and returns the good ones ready to write, in the order of the
    /// per-volunteer index so that its pages fill one after another instead of at random (about
    /// a third faster on SQLite). Once any error is known nothing will be written, and the
    /// batch is empty.
    fn next<'a>(
        &mut self,
        checked: Vec<Result<GoodRow<'a>, Vec<ImportError>>>,
        checker: &Checker,
    ) -> Batch<'a> {
        let mut rows = Vec::with_capacity(checked.len());
        for c in checked {
            match c {
                Ok(row) => {
                    if let Some(first) = self.seen.insert(row.key, row.line) {
                        self.errors.push(checker.error(
                            row.line,
                            "",
                            format!("与第 {first} 行完全相同"),
                        ));
                    } else {
                        rows.push(row);
                    }
                }
                Err(e) => self.errors.extend(e),
            }
        }
        if !self.errors.is_empty() {
            rows.clear();
        }
        rows.sort_unstable_by(|a, b| {
            (&a.volunteer.id, a.record.activity_date)
                .cmp(&(&b.volunteer.id, b.record.activity_date))
        });
        let ids = rows
            .iter()
            .map(|r| {
                self.seq += 1;
                format!("{}-{}{:08x}", r.volunteer.tenant_id, self.stem, self.seq)
            })
            .collect();
        let keys = rows.iter().map(|r| hex::encode(r.key)).collect();
        Batch { rows, ids, keys }
    }
}

/// Counts what went in, per tenant (a row the volunteer already had did not).
fn count<'a>(tenants: &mut BTreeMap<&'a str, Tally<'a>>, rows: &[GoodRow<'a>], went_in: &[bool]) {
    for (r, &added) in rows.iter().zip(went_in) {
        let t = tenants.entry(r.volunteer.tenant_id.as_str()).or_default();
        t.rows += 1;
        t.role = Some(r.role);
        if added {
            t.added += 1;
            let d = t.deltas.entry(r.volunteer.id.as_str()).or_default();
            d.0 += r.record.minutes;
            d.1 += 1;
        }
    }
}

/// Rows checked and written per step of the SQLite pipeline: small enough for the checking
/// thread to stay ahead, large enough that each step's sorted rows fill index pages in order.
const STEP: usize = 25_000;

impl<'a> Checker<'a> {
    /// The SQLite pipeline: a scoped thread checks the file step by step and readies each step
    /// in file order; this thread writes each step as it comes. After the first error nothing
    /// more is written (the caller rolls back) but every row is still checked, so that every bad
    /// row is reported. Returns the errors.
    fn check_and_write(
        &self,
        rows: &[(u64, Vec<String>)],
        sorter: &mut Sorter,
        tenants: &mut BTreeMap<&'a str, Tally<'a>>,
        writer: &mut RecordWriter<'_>,
    ) -> Result<(), AppError> {
        std::thread::scope(|s| {
            let (send, steps) = std::sync::mpsc::sync_channel(2);
            let sorter = &mut *sorter;
            s.spawn(move || {
                for part in rows.chunks(STEP) {
                    let batch = sorter.next(self.check(part), self);
                    if send.send(batch).is_err() {
                        break;
                    }
                }
            });
            for batch in steps {
                if batch.rows.is_empty() {
                    continue;
                }
                let went_in = writer.insert(&batch.records())?;
                count(tenants, &batch.rows, &went_in);
            }
            Ok(())
        })
    }
}
