//! Importing and exporting the people ledgers — social workers and volunteers — in Excel and CSV.
//!
//! The same contract as the organization ledger: every row is checked first; either every new
//! row is written, in one transaction, or nothing is and every bad row is named by line and
//! column; rows already in the ledger unchanged are skipped, so a re-import changes nothing; a
//! row that matches a person but differs is refused (edits go through the person's page).
//! Exports carry identity numbers only masked: the full number never leaves the store.

use crate::audit::{event, Subject};
use crate::error::ImportError;
use crate::kernel::new_id;
use crate::kernel::{tenant_of, today};
use crate::transfer::{write_csv_row, write_xlsx, Table};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::social::{can_manage, CertificateLevel, SocialWorkerForm};
use domain::volunteer::{can_register, VolunteerActor, VolunteerForm, CONSENT_VERSION};
use domain::{Actor, AreaCode, DomainError, Role};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use store::social::{NewSocialWorker, SocialWorkerRow};
use store::time;
use store::volunteer::VolunteerRow;

/// The columns of the social-worker template, in order.
pub const WORKER_COLUMNS: [&str; 7] = [
    "姓名",
    "身份证号码",
    "证书等级",
    "证书编号",
    "取证日期",
    "工作单位编号",
    "工作地区划代码",
];

/// The columns of a social-worker export: the template's, with the identity number masked and
/// the posts held today.
pub const WORKER_EXPORT_COLUMNS: [&str; 9] = [
    "编号",
    "姓名",
    "身份证号码（脱敏）",
    "证书等级",
    "证书编号",
    "取证日期",
    "工作单位编号",
    "工作地区划代码",
    "在岗岗位数",
];

/// The columns of the volunteer roster template, in order.
pub const VOLUNTEER_COLUMNS: [&str; 7] = [
    "姓名",
    "性别",
    "社区代码",
    "技能",
    "本人已同意",
    "身份证号码",
    "出生日期",
];

/// The columns of a volunteer export.
pub const VOLUNTEER_EXPORT_COLUMNS: [&str; 7] = [
    "志愿者编号",
    "姓名",
    "性别",
    "社区代码",
    "技能",
    "累计服务时长（小时）",
    "服务记录数",
];

/// The columns of a service-record export: the import template's, with the record's number and
/// status (an export is a report: records entered on the page carry no import fingerprint, so
/// importing an export would record them again).
pub const RECORD_EXPORT_COLUMNS: [&str; 12] = [
    "记录编号",
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
    "状态",
];

/// What an import did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PeopleImportSummary {
    pub rows: usize,
    pub added: usize,
    pub unchanged: usize,
}

fn worker_column(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "id_number" => "身份证号码",
        "certificate_level" => "证书等级",
        "certificate_number" => "证书编号",
        "certificate_date" => "取证日期",
        "employer_org_id" => "工作单位编号",
        "area" => "工作地区划代码",
        _ => "",
    }
}

fn volunteer_column(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "gender" => "性别",
        "area" => "社区代码",
        "skills" => "技能",
        "consent" => "本人已同意",
        "id_number" => "身份证号码",
        "birth_date" => "出生日期",
        _ => "",
    }
}

fn gender_zh(g: &str) -> &'static str {
    match g {
        "male" => "男",
        "female" => "女",
        _ => "",
    }
}

/// A social worker as a row of an export (identity number masked).
pub fn worker_row(w: &SocialWorkerRow) -> Vec<String> {
    vec![
        w.id.clone(),
        w.name.clone(),
        w.id_masked.clone(),
        w.certificate_level.zh().to_string(),
        w.certificate_number.clone().unwrap_or_default(),
        w.certificate_date.clone().unwrap_or_default(),
        w.employer_org_id.clone().unwrap_or_default(),
        w.area.as_str().to_string(),
        w.current_posts.to_string(),
    ]
}

/// A service record as a row of an export.
pub fn record_row(r: &store::volunteer::RecordRow, volunteer_name: &str) -> Vec<String> {
    let x = &r.record;
    vec![
        r.id.clone(),
        r.volunteer_id.clone(),
        volunteer_name.to_string(),
        x.activity_name.clone(),
        x.activity_date.to_string(),
        x.place.clone(),
        x.content.clone(),
        domain::volunteer::hours_text(x.minutes),
        x.organizing_unit.clone(),
        x.person_in_charge.clone(),
        x.late_reason.clone(),
        r.status.zh().to_string(),
    ]
}

/// A volunteer as a row of an export.
pub fn volunteer_row(v: &VolunteerRow) -> Vec<String> {
    vec![
        v.id.clone(),
        v.volunteer.name.clone(),
        gender_zh(&v.volunteer.gender).to_string(),
        v.volunteer.area.as_str().to_string(),
        v.volunteer.skills.clone(),
        domain::volunteer::hours_text(v.total_minutes),
        v.record_count.to_string(),
    ]
}

/// A template to fill in: Excel with one example row, or CSV (UTF-8 with BOM) with the header.
pub fn template(
    columns: &[&str],
    sheet: &str,
    example: &[&str],
    xlsx: bool,
) -> Result<Vec<u8>, AppError> {
    if xlsx {
        return write_xlsx(
            sheet,
            columns,
            &[example.iter().map(|s| s.to_string()).collect()],
        );
    }
    let mut out = "\u{feff}".as_bytes().to_vec();
    let head: Vec<String> = columns.iter().map(|s| s.to_string()).collect();
    write_csv_row(&mut out, &head, false);
    Ok(out)
}

pub const WORKER_EXAMPLE: [&str; 7] = [
    "周婷",
    "11010519491231002X",
    "助理社会工作师",
    "ZS2024001",
    "2024-06-30",
    "",
    "341002002001",
];

pub const VOLUNTEER_EXAMPLE: [&str; 7] = [
    "汪晓梅",
    "女",
    "341002002001",
    "陪伴、读报",
    "是",
    "",
    "1962/3/8",
];

fn level_code(v: &str) -> String {
    CertificateLevel::ALL
        .iter()
        .find(|l| l.zh() == v || l.as_str() == v)
        .map(|l| l.as_str().to_string())
        .unwrap_or_else(|| v.to_string())
}

fn gender_code(v: &str) -> String {
    match v {
        "男" => "male".into(),
        "女" => "female".into(),
        other => other.to_string(),
    }
}

fn missing_columns(table: &Table, required: &[&str], file: &str) -> Vec<ImportError> {
    required
        .iter()
        .filter(|c| !table.headers.iter().any(|h| h == *c))
        .map(|c| ImportError {
            file: file.to_string(),
            line: 1,
            column: Some(c.to_string()),
            message: format!("缺少“{c}”列（请使用模板）"),
        })
        .collect()
}

impl App {
    async fn refuse_import(
        &self,
        actor: &Actor,
        action: EventKind,
        kind: &'static str,
        file: &str,
        mut errors: Vec<ImportError>,
        ctx: &Ctx,
    ) -> AppError {
        errors.sort_by_key(|e| e.line);
        let subject = Subject {
            kind,
            id: file,
            area: &AreaCode::nation(),
        };
        self.refused(Some(actor), action, &subject, AppError::Import(errors), ctx)
            .await
    }

    /// Known areas among `codes`, one query per 500.
    async fn known_areas(&self, codes: HashSet<AreaCode>) -> Result<HashSet<AreaCode>, AppError> {
        let codes: Vec<AreaCode> = codes.into_iter().collect();
        let mut known = HashSet::new();
        for chunk in codes.chunks(500) {
            known.extend(
                self.db
                    .areas_by_code(chunk)
                    .await?
                    .into_iter()
                    .map(|a| a.code),
            );
        }
        Ok(known)
    }

    /// Imports social workers. Identity numbers are checked (GB 11643), encrypted and found by
    /// their keyed hash; they never appear in an error message or the audit log.
    /// Imports an uploaded file (CSV or .xlsx): first whether the person may import at all
    /// (before a byte is parsed), then the file, read within bounds off the async threads, then
    /// every row.
    pub async fn import_social_workers(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        file: &str,
        ctx: &Ctx,
    ) -> Result<PeopleImportSummary, AppError> {
        self.or_refused(
            domain::social::may_import(actor).map_err(AppError::from),
            actor,
            EventKind::SocialWorkerImport,
            &Subject {
                kind: "social_workers",
                id: file,
                area: &AreaCode::nation(),
            },
            ctx,
        )
        .await?;
        let table = self.read_upload(bytes, file).await?;
        self.import_social_workers_rows(actor, &table, file, ctx)
            .await
    }

    async fn import_social_workers_rows(
        &self,
        actor: &Actor,
        table: &Table,
        file: &str,
        ctx: &Ctx,
    ) -> Result<PeopleImportSummary, AppError> {
        let missing = missing_columns(
            table,
            &["姓名", "身份证号码", "证书等级", "工作地区划代码"],
            file,
        );
        if !missing.is_empty() {
            return Err(AppError::Import(missing));
        }
        let err = |line: u64, column: &str, message: String| ImportError {
            file: file.to_string(),
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            message,
        };
        let today = today();
        let pii = &self.settings.pii;
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        let mut seen_id: HashMap<String, u64> = HashMap::new();
        let mut seen_cert: HashMap<String, u64> = HashMap::new();
        for (line, row) in &table.rows {
            let form = SocialWorkerForm {
                name: table.cell(row, "姓名").to_string(),
                id_number: table.cell(row, "身份证号码").to_string(),
                certificate_level: level_code(table.cell(row, "证书等级")),
                certificate_number: table.cell(row, "证书编号").to_string(),
                certificate_date: table.cell(row, "取证日期").to_string(),
                employer_org_id: table.cell(row, "工作单位编号").to_string(),
                area: table.cell(row, "工作地区划代码").to_string(),
            };
            let w = match form.validate(today) {
                Ok(w) => w,
                Err(DomainError::Invalid(f)) => {
                    for e in f {
                        errors.push(err(*line, worker_column(&e.field), e.message));
                    }
                    continue;
                }
                Err(e) => {
                    errors.push(err(*line, "", e.to_string()));
                    continue;
                }
            };
            if let Err(d) = can_manage(actor, &w.area) {
                errors.push(err(*line, "工作地区划代码", d.message));
                continue;
            }
            let lookup = pii.lookup_hash(w.id_number.expose());
            if let Some(first) = seen_id.insert(lookup.clone(), *line) {
                errors.push(err(
                    *line,
                    "身份证号码",
                    format!("与第 {first} 行的身份证号码重复"),
                ));
                continue;
            }
            if !w.certificate_number.is_empty() {
                if let Some(first) = seen_cert.insert(w.certificate_number.clone(), *line) {
                    errors.push(err(
                        *line,
                        "证书编号",
                        format!("与第 {first} 行的证书编号重复"),
                    ));
                    continue;
                }
            }
            parsed.push((*line, w, lookup));
        }
        let known = self
            .known_areas(parsed.iter().map(|(_, w, _)| w.area.clone()).collect())
            .await?;
        let mut fresh = Vec::new();
        let mut unchanged = 0;
        for (line, w, lookup) in parsed {
            if !known.contains(&w.area) {
                errors.push(err(
                    line,
                    "工作地区划代码",
                    format!("区划代码 {} 不存在", w.area.full()),
                ));
                continue;
            }
            let tenant = w.area.tenant().unwrap_or("0000").to_string();
            if let Some(org) = &w.employer_org_id {
                let found = match tenant_of(org) {
                    Some(t) if t == tenant => self.db.organization(&tenant, org).await?,
                    _ => None,
                };
                if found.is_none() {
                    errors.push(err(
                        line,
                        "工作单位编号",
                        "工作单位不在本市社会组织台账中".into(),
                    ));
                    continue;
                }
            }
            let number = Some(w.certificate_number.clone()).filter(|n| !n.is_empty());
            let existing = match self.db.social_worker_by_lookup(&tenant, &lookup).await? {
                Some(id) => {
                    self.db
                        .social_worker(&tenant, &id, &today.to_string())
                        .await?
                }
                None => None,
            };
            match existing {
                // A social worker of another territory is not named, nor compared with the row:
                // a file could otherwise probe who holds which identity number (and whether a
                // guessed name is right) across the whole city.
                Some(existing) if can_manage(actor, &existing.area).is_err() => {
                    errors.push(err(
                        line,
                        "身份证号码",
                        "本市社工台账中已有该身份证号码的记录，不在您的管辖范围内，无法导入；如有疑问请联系市民政局".into(),
                    ));
                }
                Some(existing) => {
                    let same = existing.name == w.name
                        && existing.certificate_level == w.certificate_level
                        && existing.certificate_number == number
                        && existing.area == w.area;
                    if same {
                        unchanged += 1;
                    } else {
                        errors.push(err(line, "身份证号码", format!("台账中已有该身份证号码的社工（{}），且内容不同；请在其修改页 /social-workers/{}/edit 修改，导入不会覆盖已有记录", existing.name, existing.id)));
                    }
                }
                None => fresh.push((line, tenant, w, lookup, number)),
            }
        }
        if !errors.is_empty() {
            return Err(self
                .refuse_import(
                    actor,
                    EventKind::SocialWorkerImport,
                    "social_workers",
                    file,
                    errors,
                    ctx,
                )
                .await);
        }
        let now = time::now();
        let mut tx = self.db.begin().await?;
        for (line, tenant, w, lookup, number) in &fresh {
            let id = new_id(tenant);
            let masked = w.id_number.masked();
            let new = NewSocialWorker {
                name: &w.name,
                gender: if w.id_number.is_male() {
                    "male"
                } else {
                    "female"
                },
                id_cipher: &pii.encrypt(w.id_number.expose()),
                id_lookup: lookup,
                id_masked: &masked,
                certificate_level: w.certificate_level,
                certificate_number: number.as_deref(),
                certificate_date: w.certificate_date.map(|d| d.to_string()),
                employer_org_id: w.employer_org_id.as_deref(),
                area: &w.area,
            };
            match tx.insert_social_worker(tenant, &id, &new, &now).await {
                Err(store::StoreError::Duplicate(_)) => {
                    tx.rollback().await?;
                    let e = err(
                        *line,
                        "证书编号",
                        format!(
                            "证书编号 {} 已被台账中的另一位社工登记",
                            number.as_deref().unwrap_or("")
                        ),
                    );
                    return Err(self
                        .refuse_import(
                            actor,
                            EventKind::SocialWorkerImport,
                            "social_workers",
                            file,
                            vec![e],
                            ctx,
                        )
                        .await);
                }
                other => other?,
            }
            tx.append_audit(event(Some(actor), can_manage(actor, &w.area).ok(), EventKind::SocialWorkerCreate, Outcome::Ok, &Subject { kind: "social_worker", id: &id, area: &w.area }, ctx).after(json!({ "name": w.name, "id_number": masked, "certificate_level": w.certificate_level, "certificate_number": number, "import": file })))
            .await?;
        }
        tx.commit().await?;
        Ok(PeopleImportSummary {
            rows: table.rows.len(),
            added: fresh.len(),
            unchanged,
        })
    }

    /// Imports a volunteer roster kept by a community or township: each row must record that
    /// the volunteer agreed (民政部令第67号 asks for their consent to the record).
    /// Imports an uploaded file (CSV or .xlsx): first whether the person may import at all
    /// (before a byte is parsed), then the file, read within bounds off the async threads, then
    /// every row.
    pub async fn import_volunteers(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        file: &str,
        ctx: &Ctx,
    ) -> Result<PeopleImportSummary, AppError> {
        self.or_refused(
            domain::volunteer::may_import_roster(actor).map_err(AppError::from),
            actor,
            EventKind::VolunteerImport,
            &Subject {
                kind: "volunteers",
                id: file,
                area: &AreaCode::nation(),
            },
            ctx,
        )
        .await?;
        let table = self.read_upload(bytes, file).await?;
        self.import_volunteers_rows(actor, &table, file, ctx).await
    }

    async fn import_volunteers_rows(
        &self,
        actor: &Actor,
        table: &Table,
        file: &str,
        ctx: &Ctx,
    ) -> Result<PeopleImportSummary, AppError> {
        let missing = missing_columns(table, &["姓名", "社区代码", "本人已同意"], file);
        if !missing.is_empty() {
            return Err(AppError::Import(missing));
        }
        let err = |line: u64, column: &str, message: String| ImportError {
            file: file.to_string(),
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            message,
        };
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        let mut seen: HashMap<(String, String), u64> = HashMap::new();
        let mut seen_person: HashMap<(&str, String), u64> = HashMap::new();
        for (line, row) in &table.rows {
            let consent = table.cell(row, "本人已同意");
            let form = VolunteerForm {
                name: table.cell(row, "姓名").to_string(),
                gender: gender_code(table.cell(row, "性别")),
                area: table.cell(row, "社区代码").to_string(),
                skills: table.cell(row, "技能").to_string(),
                consent: matches!(consent, "是" | "Y" | "y" | "yes" | "true" | "1" | "on")
                    .then(|| "on".to_string()),
                id_number: table.cell(row, "身份证号码").to_string(),
                birth_date: table.cell(row, "出生日期").to_string(),
            };
            let (v, identity) = match domain::error::both(form.validate(), form.identity(today())) {
                Ok(v) => v,
                Err(DomainError::Invalid(f)) => {
                    for e in f {
                        errors.push(err(*line, volunteer_column(&e.field), e.message));
                    }
                    continue;
                }
                Err(e) => {
                    errors.push(err(*line, "", e.to_string()));
                    continue;
                }
            };
            match can_register(actor, &v.area) {
                Ok(VolunteerActor::Unit(_)) => {}
                // Registering oneself is the volunteer's own page, not a roster import.
                Ok(VolunteerActor::Themself) | Err(_) => {
                    errors.push(err(
                        *line,
                        "社区代码",
                        "无权导入：志愿者名册由所在社区或乡镇（街道）导入".into(),
                    ));
                    continue;
                }
            }
            if let Some(first) = seen.insert((v.name.clone(), v.area.as_str().to_string()), *line) {
                errors.push(err(
                    *line,
                    "姓名",
                    format!("与第 {first} 行的姓名和社区重复"),
                ));
                continue;
            }
            let (id_hash, birth) = self.identity_keys(&identity);
            let same_person = id_hash
                .clone()
                .map(|h| ("id", h))
                .into_iter()
                .chain(birth.clone().map(|b| ("birth", format!("{}|{b}", v.name))));
            let mut twin = None;
            for key in same_person {
                if let Some(first) = seen_person.insert(key.clone(), *line) {
                    twin = Some((key.0, first));
                }
            }
            if let Some((by, first)) = twin {
                let (column, what) = if by == "id" {
                    ("身份证号码", "身份证号码")
                } else {
                    ("出生日期", "姓名和出生日期")
                };
                errors.push(err(*line, column, format!("与第 {first} 行的{what}重复")));
                continue;
            }
            parsed.push((*line, v, id_hash, birth));
        }
        let known = self
            .known_areas(parsed.iter().map(|(_, v, _, _)| v.area.clone()).collect())
            .await?;
        let mut fresh = Vec::new();
        let mut unchanged = 0;
        for (line, v, id_hash, birth) in parsed {
            if !known.contains(&v.area) {
                errors.push(err(
                    line,
                    "社区代码",
                    format!("区划代码 {} 不存在", v.area.full()),
                ));
                continue;
            }
            let tenant = v.area.tenant().unwrap_or("0000").to_string();
            match self
                .db
                .volunteer_matching(&tenant, &v.name, &v.area)
                .await?
            {
                Some(existing) if existing.volunteer == v => unchanged += 1,
                Some(existing) => errors.push(err(
                    line,
                    "姓名",
                    format!("该社区已有同名志愿者，且内容不同；请在其修改页 /volunteers/{}/edit 修改，导入不会覆盖已有记录", existing.id),
                )),
                None => match self
                    .duplicate_volunteer(&tenant, &v.name, id_hash.as_deref(), birth.as_deref())
                    .await?
                {
                    Some(DomainError::Invalid(f)) => {
                        for e in f {
                            errors.push(err(line, volunteer_column(&e.field), e.message));
                        }
                    }
                    Some(e) => errors.push(err(line, "", e.to_string())),
                    None => fresh.push((tenant, v, id_hash, birth)),
                },
            }
        }
        if !errors.is_empty() {
            return Err(self
                .refuse_import(
                    actor,
                    EventKind::VolunteerImport,
                    "volunteers",
                    file,
                    errors,
                    ctx,
                )
                .await);
        }
        let now = time::now();
        let mut tx = self.db.begin().await?;
        for (tenant, v, id_hash, birth) in &fresh {
            let id = new_id(tenant);
            tx.insert_volunteer(tenant, &id, None, v, CONSENT_VERSION, &now)
                .await?;
            tx.set_volunteer_identity(tenant, &id, id_hash.as_deref(), birth.as_deref())
                .await?;
            let role: Option<Role> = match can_register(actor, &v.area) {
                Ok(VolunteerActor::Unit(r)) => Some(r),
                _ => None,
            };
            tx.append_audit(
                event(
                    Some(actor),
                    role,
                    EventKind::VolunteerRegister,
                    Outcome::Ok,
                    &Subject {
                        kind: "volunteer",
                        id: &id,
                        area: &v.area,
                    },
                    ctx,
                )
                .after(
                    json!({ "volunteer": v, "consent_version": CONSENT_VERSION, "import": file }),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PeopleImportSummary {
            rows: table.rows.len(),
            added: fresh.len(),
            unchanged,
        })
    }

    /// One page of social workers for an export, after the keyset cursor (name, id).
    pub async fn social_worker_export_page(
        &self,
        actor: &Actor,
        after: Option<(String, String)>,
    ) -> Result<Vec<SocialWorkerRow>, AppError> {
        let scope = crate::registry::registry_scope(actor)?;
        let after = after.map(|(n, i)| vec![n, i]);
        Ok(self
            .db
            .social_workers(&scope, &today().to_string(), None, after.as_deref(), 500)
            .await?)
    }

    /// One page of volunteers for an export, after the keyset cursor (name, id).
    pub async fn volunteer_export_page(
        &self,
        actor: &Actor,
        after: Option<(String, String)>,
    ) -> Result<Vec<VolunteerRow>, AppError> {
        let scope = crate::registry::registry_scope(actor)?;
        let after = after.map(|(n, i)| vec![n, i]);
        Ok(self
            .db
            .volunteers(&scope, None, after.as_deref(), 500)
            .await?)
    }

    /// One page of service records for an export: the records of the next 500 volunteers in
    /// the reader's territory (keyset over the volunteers), as export rows.
    pub async fn record_export_page(
        &self,
        actor: &Actor,
        after: Option<(String, String)>,
    ) -> Result<(Vec<Vec<String>>, Option<(String, String)>), AppError> {
        let volunteers = self.volunteer_export_page(actor, after).await?;
        let next = (volunteers.len() >= 500)
            .then(|| {
                volunteers
                    .last()
                    .map(|v| (v.volunteer.name.clone(), v.id.clone()))
            })
            .flatten();
        let mut by_tenant: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for v in &volunteers {
            by_tenant
                .entry(v.tenant_id.as_str())
                .or_default()
                .push(v.id.clone());
        }
        let names: HashMap<&str, &str> = volunteers
            .iter()
            .map(|v| (v.id.as_str(), v.volunteer.name.as_str()))
            .collect();
        let mut rows = Vec::new();
        for (tenant, ids) in by_tenant {
            for r in self.db.records_of_volunteers(tenant, &ids).await? {
                let name = names.get(r.volunteer_id.as_str()).copied().unwrap_or("");
                rows.push(record_row(&r, name));
            }
        }
        Ok((rows, next))
    }
}
