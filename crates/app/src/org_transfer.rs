//! Importing and exporting the organization ledger (Excel and CSV).

use crate::audit::{event, Subject};
use crate::error::ImportError;
use crate::kernel::today;
use crate::transfer::{write_csv_row, write_xlsx, Table};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::registry::{
    can_create, OrgCategory, Organization, OrganizationForm, RegistrationStatus,
};
use domain::{Actor, AreaCode, DomainError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use store::registry::OrgRow;
use store::time;

/// The columns of the organization template, in order.
pub const COLUMNS: [&str; 11] = [
    "组织名称",
    "统一社会信用代码",
    "登记状态",
    "类别",
    "服务区域代码",
    "枢纽型",
    "品牌",
    "评估等级",
    "评估日期",
    "地址",
    "简介",
];

/// Which column a form field is typed in (to name the column of an error).
fn column_of(field: &str) -> &'static str {
    match field {
        "name" => "组织名称",
        "uscc" => "统一社会信用代码",
        "registration_status" => "登记状态",
        "category" => "类别",
        "area" => "服务区域代码",
        "grade" => "评估等级",
        "grade_date" => "评估日期",
        "address" | "description" => "简介",
        _ => "",
    }
}

fn status_code(v: &str) -> String {
    RegistrationStatus::ALL
        .iter()
        .find(|s| s.zh() == v || s.as_str() == v)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| v.to_string())
}

fn category_code(v: &str) -> String {
    OrgCategory::ALL
        .iter()
        .find(|c| c.zh() == v || c.as_str() == v)
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|| v.to_string())
}

fn yes(v: &str) -> Option<String> {
    matches!(v, "是" | "Y" | "y" | "yes" | "true" | "1").then(|| "on".to_string())
}

/// One row of the file as the form a person would have typed.
fn form_of_row(t: &Table, row: &[String]) -> OrganizationForm {
    OrganizationForm {
        name: t.cell(row, "组织名称").to_string(),
        uscc: t.cell(row, "统一社会信用代码").to_string(),
        registration_status: status_code(t.cell(row, "登记状态")),
        category: category_code(t.cell(row, "类别")),
        area: t.cell(row, "服务区域代码").to_string(),
        is_hub: yes(t.cell(row, "枢纽型")),
        is_brand: yes(t.cell(row, "品牌")),
        grade: t.cell(row, "评估等级").to_string(),
        grade_date: t.cell(row, "评估日期").to_string(),
        address: t.cell(row, "地址").to_string(),
        description: t.cell(row, "简介").to_string(),
    }
}

/// An organization as a row of the template.
pub fn row_of(o: &Organization) -> Vec<String> {
    vec![
        o.name.clone(),
        o.uscc.clone().unwrap_or_default(),
        o.registration_status.zh().to_string(),
        o.category.zh().to_string(),
        o.area.as_str().to_string(),
        if o.is_hub { "是" } else { "否" }.to_string(),
        if o.is_brand { "是" } else { "否" }.to_string(),
        o.grade.map(|g| format!("{g}A")).unwrap_or_default(),
        o.grade_date.map(|d| d.to_string()).unwrap_or_default(),
        o.address.clone(),
        o.description.clone(),
    ]
}

/// The keys an import looks up in one tenant: credit codes, and (name, area) pairs.
type MatchKeys = (Vec<String>, Vec<(String, String)>);

/// What an import did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImportSummary {
    pub rows: usize,
    pub added: usize,
    pub unchanged: usize,
    pub warnings: Vec<String>,
}

/// A template to fill in, with one example row.
pub fn template_xlsx() -> Result<Vec<u8>, AppError> {
    write_xlsx(
        "社会组织",
        &COLUMNS,
        &[vec![
            "柏树街邻里互助会".into(),
            String::new(),
            "备案".into(),
            "邻里互助类".into(),
            "341002002001".into(),
            "否".into(),
            "否".into(),
            String::new(),
            String::new(),
            "柏树街 1 号".into(),
            "示例行：导入前请删除".into(),
        ]],
    )
}

pub fn template_csv() -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    write_csv_row(&mut out, &COLUMNS.map(str::to_string), false);
    out
}

impl App {
    /// Imports organizations: every row is checked (fields, managing authority, area, duplicates
    /// in the file and in the ledger) and either all new rows are written, in one transaction, or
    /// nothing is, with every bad row named. Rows already in the ledger unchanged are skipped, so
    /// importing the same file twice changes nothing; a row that matches an organization but
    /// differs from it is refused (edits go through the page, with its history and locking).
    /// Imports an uploaded file (CSV or .xlsx): first whether the person may import at all
    /// (before a byte is parsed), then the file, read within bounds off the async threads, then
    /// every row.
    pub async fn import_organizations(
        &self,
        actor: &Actor,
        bytes: Vec<u8>,
        file: &str,
        ctx: &Ctx,
    ) -> Result<ImportSummary, AppError> {
        self.or_refused(
            domain::registry::may_import(actor).map_err(AppError::from),
            actor,
            EventKind::OrganizationImport,
            &Subject {
                kind: "organizations",
                id: file,
                area: &AreaCode::nation(),
            },
            ctx,
        )
        .await?;
        let table = self.read_upload(bytes, file).await?;
        self.import_organizations_rows(actor, &table, file, ctx)
            .await
    }

    async fn import_organizations_rows(
        &self,
        actor: &Actor,
        table: &Table,
        file: &str,
        ctx: &Ctx,
    ) -> Result<ImportSummary, AppError> {
        let mut errors: Vec<ImportError> = Vec::new();
        let err = |line: u64, column: &str, message: String| ImportError {
            file: file.to_string(),
            line,
            column: (!column.is_empty()).then(|| column.to_string()),
            message,
        };
        for required in ["组织名称", "登记状态", "类别", "服务区域代码"] {
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
        let today = today();
        let mut parsed: Vec<(u64, Organization)> = Vec::new();
        let mut warnings = Vec::new();
        let mut seen_uscc: HashMap<String, u64> = HashMap::new();
        let mut seen_name: HashMap<(String, String), u64> = HashMap::new();
        for (line, row) in &table.rows {
            match form_of_row(table, row).validate(today) {
                Err(DomainError::Invalid(f)) => {
                    for e in f {
                        errors.push(err(*line, column_of(&e.field), e.message));
                    }
                }
                Err(e) => errors.push(err(*line, "", e.to_string())),
                Ok((org, w)) => {
                    warnings.extend(w.into_iter().map(|m| format!("第 {line} 行：{m}")));
                    if let Err(d) = can_create(actor, &org) {
                        errors.push(err(*line, "登记状态", d.message));
                        continue;
                    }
                    if let Some(u) = &org.uscc {
                        if let Some(first) = seen_uscc.insert(u.clone(), *line) {
                            errors.push(err(
                                *line,
                                "统一社会信用代码",
                                format!("与第 {first} 行的统一社会信用代码重复"),
                            ));
                            continue;
                        }
                    }
                    if let Some(first) =
                        seen_name.insert((org.name.clone(), org.area.as_str().to_string()), *line)
                    {
                        errors.push(err(
                            *line,
                            "组织名称",
                            format!("与第 {first} 行的名称和服务区域重复"),
                        ));
                        continue;
                    }
                    parsed.push((*line, org));
                }
            }
        }
        // Every area must exist: one lookup per distinct code, in batches.
        let areas: Vec<AreaCode> = parsed
            .iter()
            .map(|(_, o)| o.area.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut known: HashSet<AreaCode> = HashSet::new();
        for chunk in areas.chunks(500) {
            known.extend(
                self.db
                    .areas_by_code(chunk)
                    .await?
                    .into_iter()
                    .map(|a| a.code),
            );
        }
        // What the ledger already holds, looked up in bulk per tenant.
        let mut by_uscc: HashMap<(String, String), OrgRow> = HashMap::new();
        let mut by_name: HashMap<(String, String, String), OrgRow> = HashMap::new();
        let mut keys: HashMap<String, MatchKeys> = HashMap::new();
        for (_, org) in &parsed {
            let k = keys
                .entry(org.area.tenant().unwrap_or("0000").to_string())
                .or_default();
            if let Some(u) = &org.uscc {
                k.0.push(u.clone());
            }
            k.1.push((org.name.clone(), org.area.as_str().to_string()));
        }
        for (tenant, (usccs, names)) in &keys {
            for row in self
                .db
                .organizations_matching_bulk(tenant, usccs, names)
                .await?
            {
                if let Some(u) = &row.org.uscc {
                    by_uscc.insert((tenant.clone(), u.clone()), row.clone());
                }
                by_name.insert(
                    (
                        tenant.clone(),
                        row.org.name.clone(),
                        row.org.area.as_str().to_string(),
                    ),
                    row,
                );
            }
        }
        let mut new_rows: Vec<(u64, Organization)> = Vec::new();
        let mut unchanged = 0;
        for (line, org) in parsed {
            if !known.contains(&org.area) {
                errors.push(err(
                    line,
                    "服务区域代码",
                    format!("区划代码 {} 不存在", org.area.full()),
                ));
                continue;
            }
            let tenant = org.area.tenant().unwrap_or("0000");
            let existing = org
                .uscc
                .as_ref()
                .and_then(|u| by_uscc.get(&(tenant.to_string(), u.clone())))
                .or_else(|| {
                    by_name.get(&(
                        tenant.to_string(),
                        org.name.clone(),
                        org.area.as_str().to_string(),
                    ))
                })
                .cloned();
            let beyond = |o: &Organization| {
                domain::authz::can(
                    actor,
                    domain::authz::Action::ViewRegistry,
                    domain::authz::Target::Area(&o.area),
                )
                .is_err()
            };
            match existing {
                // An organization outside the importer's territory is neither named nor compared.
                Some(existing) if beyond(&existing.org) => errors.push(err(
                    line,
                    "组织名称",
                    "本市台账中已有统一社会信用代码或名称相同的组织，不在您的管辖范围内，无法导入".into(),
                )),
                Some(existing) if existing.org == org => unchanged += 1,
                Some(existing) => errors.push(err(
                    line,
                    "组织名称",
                    format!("台账中已有该组织（{}），且内容不同；请在其修改页 /organizations/{}/edit 修改，导入不会覆盖已有记录", existing.org.name, existing.id),
                )),
                None => new_rows.push((line, org)),
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            let subject = Subject {
                kind: "organizations",
                id: file,
                area: &AreaCode::nation(),
            };
            return Err(self
                .refused(
                    Some(actor),
                    EventKind::OrganizationImport,
                    &subject,
                    AppError::Import(errors),
                    ctx,
                )
                .await);
        }
        let now = time::now();
        // Every organization with its first version and its own audit event, written as bulk
        // inserts (one per table) instead of statement by statement.
        let ids: Vec<String> = new_rows
            .iter()
            .map(|(_, org)| {
                let tenant = org.area.tenant().unwrap_or("0000");
                format!("{tenant}-{}", uuid::Uuid::now_v7().simple())
            })
            .collect();
        let roles: Vec<Option<domain::Role>> = new_rows
            .iter()
            .map(|(_, org)| can_create(actor, org).ok())
            .collect();
        let rows: Vec<(&str, &str, &domain::registry::Organization, Option<&str>)> = new_rows
            .iter()
            .zip(&ids)
            .zip(&roles)
            .map(|(((_, org), id), role)| {
                (
                    org.area.tenant().unwrap_or("0000"),
                    id.as_str(),
                    org,
                    role.map(|r| r.as_str()),
                )
            })
            .collect();
        let mut events: std::collections::BTreeMap<String, Vec<domain::audit::AuditRecord>> =
            Default::default();
        for (((_, org), id), role) in new_rows.iter().zip(&ids).zip(&roles) {
            let e = event(
                Some(actor),
                *role,
                EventKind::OrganizationCreate,
                Outcome::Ok,
                &Subject {
                    kind: "organization",
                    id,
                    area: &org.area,
                },
                ctx,
            )
            .after(json!({ "organization": org, "import": file }));
            events.entry(e.tenant_id.clone()).or_default().push(e);
        }
        let mut tx = self.db.begin().await?;
        tx.insert_organizations_bulk(&rows, Some(&actor.login), &now)
            .await?;
        for (tenant, records) in events {
            tx.append_audit_many(&tenant, records).await?;
        }
        tx.commit().await?;
        Ok(ImportSummary {
            rows: table.rows.len(),
            added: new_rows.len(),
            unchanged,
            warnings,
        })
    }

    /// One page of organizations for an export, as template rows.
    pub async fn export_page(
        &self,
        actor: &Actor,
        filter: &store::registry::OrgFilter,
        ctx: &Ctx,
    ) -> Result<Vec<OrgRow>, AppError> {
        Ok(self
            .list_organizations(actor, filter, 200, ctx)
            .await?
            .items)
    }
}
