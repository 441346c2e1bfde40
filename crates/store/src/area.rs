//! Areas: national reference data (no tenant), read through a scope.

use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::identity::Scope;
use domain::{AreaCode, AreaLevel, CommitteeKind, TownshipKind};
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AreaRow {
    pub code: AreaCode,
    pub parent_code: AreaCode,
    pub level: AreaLevel,
    pub name: String,
    pub township_kind: Option<TownshipKind>,
    pub committee_kind: Option<CommitteeKind>,
    pub retired: bool,
}

/// An area as the importer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaInput {
    pub code: AreaCode,
    pub level: AreaLevel,
    pub name: String,
}

impl AreaInput {
    pub fn parent(&self) -> AreaCode {
        self.code.parent().unwrap_or_else(AreaCode::nation)
    }
}

const COLS: &str = "code, parent_code, level, name, township_kind, committee_kind, retired_at";

macro_rules! area_from_row {
    ($r:expr) => {{
        let r = $r;
        let level: String = r.try_get("level")?;
        let tk: Option<String> = r.try_get("township_kind")?;
        let ck: Option<String> = r.try_get("committee_kind")?;
        let retired: Option<String> = r.try_get("retired_at")?;
        AreaRow {
            code: AreaCode::from_stored(&r.try_get::<String, _>("code")?),
            parent_code: AreaCode::from_stored(&r.try_get::<String, _>("parent_code")?),
            level: AreaLevel::parse(&level).unwrap_or(AreaLevel::Community),
            name: r.try_get("name")?,
            township_kind: tk.as_deref().and_then(TownshipKind::parse),
            committee_kind: ck.as_deref().and_then(CommitteeKind::parse),
            retired: retired.is_some(),
        }
    }};
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

impl Db {
    /// One area, without regard to scope (callers ask the policy first).
    pub async fn area(&self, code: &AreaCode) -> Result<Option<AreaRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM areas WHERE code = $1");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(code.as_str()).fetch_optional(c).await? {
                Some(r) => Ok(Some(area_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Several areas by code (for breadcrumbs), in code order.
    pub async fn areas_by_code(&self, codes: &[AreaCode]) -> Result<Vec<AreaRow>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let ph: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLS} FROM areas WHERE code IN ({}) ORDER BY code",
            ph.join(",")
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for code in codes {
                q = q.bind(code.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(area_from_row!(r));
            }
            Ok(out)
        })
    }

    /// The children of `parent` that `scope` may see: all of them inside the territory, only the
    /// ones on the way down to it above. Each child comes with its own number of children.
    pub async fn area_children(
        &self,
        parent: &AreaCode,
        scope: &Scope,
    ) -> Result<Vec<(AreaRow, i64)>, StoreError> {
        let path: Vec<AreaCode> = if scope.contains(parent) {
            Vec::new()
        } else if scope.is_on_path(parent) {
            scope.path_children(parent)
        } else {
            return Ok(Vec::new());
        };
        let cols = "a.code, a.parent_code, a.level, a.name, a.township_kind, a.committee_kind, a.retired_at, \
                    (SELECT COUNT(*) FROM areas g WHERE g.parent_code = a.code) AS child_count";
        let sql = if path.is_empty() {
            format!("SELECT {cols} FROM areas a WHERE a.parent_code = $1 ORDER BY a.code")
        } else {
            let ph: Vec<String> = (2..path.len() + 2).map(|i| format!("${i}")).collect();
            format!(
                "SELECT {cols} FROM areas a WHERE a.parent_code = $1 AND a.code IN ({}) ORDER BY a.code",
                ph.join(",")
            )
        };
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql).bind(parent.as_str());
            for p in &path {
                q = q.bind(p.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let n: i64 = r.try_get("child_count")?;
                out.push((area_from_row!(r), n));
            }
            Ok(out)
        })
    }

    /// Searches areas by name fragment or code prefix, inside the scope only, best matches first
    /// (exact code, then code prefix, then shorter names), keyset-free but bounded by `limit`.
    pub async fn search_areas(
        &self,
        query: &str,
        scope: &Scope,
        limit: i64,
    ) -> Result<Vec<AreaRow>, StoreError> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds: Vec<String> = Vec::new();
        let next = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        let is_code = q.bytes().all(|b| b.is_ascii_digit());
        let matcher = if is_code {
            // A 12-digit code may be typed padded: try every level it could mean.
            let mut alts = vec![format!(
                "code LIKE {} ESCAPE '\\'",
                next(format!("{}%", like_escape(q)), &mut binds)
            )];
            for c in AreaCode::candidates_from_padded(q) {
                alts.push(format!(
                    "code = {}",
                    next(c.as_str().to_string(), &mut binds)
                ));
            }
            format!("({})", alts.join(" OR "))
        } else {
            format!(
                "name LIKE {} ESCAPE '\\'",
                next(format!("%{}%", like_escape(q)), &mut binds)
            )
        };
        let territory = if scope.is_nation() {
            "1=1".to_string()
        } else {
            let alts: Vec<String> = scope
                .roots()
                .iter()
                .map(|r| format!("code LIKE {}", next(format!("{}%", r.as_str()), &mut binds)))
                .collect();
            format!("({})", alts.join(" OR "))
        };
        let sql = format!(
            "SELECT {COLS} FROM areas WHERE {matcher} AND {territory} \
             ORDER BY LENGTH(code), code LIMIT {limit}"
        );
        on_pool!(self, c => {
            let mut qy = sqlx::query(&sql);
            for b in &binds {
                qy = qy.bind(b.as_str());
            }
            let rows = qy.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(area_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Live areas of one level inside `root`, by code.
    pub async fn areas_below_at_level(
        &self,
        root: &AreaCode,
        level: AreaLevel,
    ) -> Result<Vec<AreaRow>, StoreError> {
        let sql = format!("SELECT {COLS} FROM areas WHERE code LIKE $1 AND level = $2 AND retired_at IS NULL ORDER BY code");
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(format!("{}%", root.as_str())).bind(level.as_str()).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(area_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Number of live areas of each level inside `root` (excluding the root itself).
    pub async fn count_areas_below(
        &self,
        root: &AreaCode,
    ) -> Result<Vec<(AreaLevel, i64)>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT level, COUNT(*) AS n FROM areas WHERE code LIKE $1 AND code <> $2 AND retired_at IS NULL GROUP BY level",
            )
            .bind(format!("{}%", root.as_str()))
            .bind(root.as_str())
            .fetch_all(c)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let l: String = r.try_get("level")?;
                if let Some(level) = AreaLevel::parse(&l) {
                    out.push((level, r.try_get("n")?));
                }
            }
            out.sort();
            Ok(out)
        })
    }

    pub async fn count_areas_by_level(&self) -> Result<Vec<(AreaLevel, i64)>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT level, COUNT(*) AS n FROM areas WHERE retired_at IS NULL GROUP BY level",
            )
            .fetch_all(c)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let l: String = r.try_get("level")?;
                if let Some(level) = AreaLevel::parse(&l) {
                    out.push((level, r.try_get("n")?));
                }
            }
            out.sort();
            Ok(out)
        })
    }
}

/// Counts of what an import changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AreaImportCounts {
    pub added: u64,
    pub renamed: u64,
    pub unchanged: u64,
    pub retired: u64,
    pub restored: u64,
}

/// Rows per multi-row INSERT. Measured on the national data (docs/PERFORMANCE.md): sqlx's
/// SQLite driver slows down more than linearly with the parameters of one statement (400 rows:
/// 20 s, 20 rows: 7 s), while PostgreSQL gains from fewer round trips (20 rows: 12 s, 200: 8 s).
fn bulk_rows(backend: crate::Backend) -> usize {
    match backend {
        crate::Backend::Sqlite => 20,
        crate::Backend::Postgres => 200,
    }
}

impl Tx {
    /// Loads the incoming codes into a temporary staging table, in batches.
    pub async fn stage_areas(&mut self, rows: &[AreaInput]) -> Result<(), StoreError> {
        for chunk in rows.chunks(bulk_rows(self.backend())) {
            let mut sql =
                String::from("INSERT INTO area_staging (code, parent_code, level, name) VALUES ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                let b = i * 4;
                sql.push_str(&format!("(${},${},${},${})", b + 1, b + 2, b + 3, b + 4));
            }
            on_tx!(self, c => {
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(r.code.as_str())
                        .bind(r.parent().as_str().to_string())
                        .bind(r.level.as_str())
                        .bind(r.name.as_str());
                }
                q.execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    pub async fn create_area_staging(&mut self) -> Result<(), StoreError> {
        let sql = match self.backend() {
            crate::Backend::Sqlite => "CREATE TEMP TABLE IF NOT EXISTS area_staging (code TEXT PRIMARY KEY, parent_code TEXT NOT NULL, level TEXT NOT NULL, name TEXT NOT NULL)",
            crate::Backend::Postgres => "CREATE TEMP TABLE IF NOT EXISTS area_staging (code TEXT PRIMARY KEY, parent_code TEXT NOT NULL, level TEXT NOT NULL, name TEXT NOT NULL) ON COMMIT DROP",
        };
        on_tx!(self, c => {
            sqlx::query(sql).execute(&mut *c).await?;
            sqlx::query("DELETE FROM area_staging").execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Applies the staged areas: new codes added, changed names updated, codes absent from the
    /// data marked retired (never deleted), retired codes that came back restored.
    pub async fn merge_staged_areas(&mut self, now: &str) -> Result<AreaImportCounts, StoreError> {
        on_tx!(self, c => {
            let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
            let added = count("SELECT COUNT(*) FROM area_staging s WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.code = s.code)")
                .fetch_one(&mut *c).await?;
            let renamed = count("SELECT COUNT(*) FROM area_staging s JOIN areas a ON a.code = s.code WHERE a.name <> s.name")
                .fetch_one(&mut *c).await?;
            let restored = count("SELECT COUNT(*) FROM area_staging s JOIN areas a ON a.code = s.code WHERE a.retired_at IS NOT NULL")
                .fetch_one(&mut *c).await?;
            let retired = count("SELECT COUNT(*) FROM areas a WHERE a.retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM area_staging s WHERE s.code = a.code)")
                .fetch_one(&mut *c).await?;
            let total = count("SELECT COUNT(*) FROM area_staging").fetch_one(&mut *c).await?;
            sqlx::query(
                "UPDATE areas SET name = (SELECT s.name FROM area_staging s WHERE s.code = areas.code), \
                 retired_at = NULL, updated_at = $1 \
                 WHERE EXISTS (SELECT 1 FROM area_staging s WHERE s.code = areas.code \
                 AND (s.name <> areas.name OR areas.retired_at IS NOT NULL))",
            )
            .bind(now)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE areas SET retired_at = $1, updated_at = $1 WHERE retired_at IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM area_staging s WHERE s.code = areas.code)",
            )
            .bind(now)
            .execute(&mut *c)
            .await?;
            // Kinds are derived from the code in Rust at staging time for new rows below.
            sqlx::query(
                "INSERT INTO areas (code, parent_code, level, name, township_kind, committee_kind, retired_at, updated_at) \
                 SELECT s.code, s.parent_code, s.level, s.name, NULL, NULL, NULL, $1 FROM area_staging s \
                 WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.code = s.code)",
            )
            .bind(now)
            .execute(&mut *c)
            .await?;
            Ok(AreaImportCounts {
                added: added as u64,
                renamed: renamed as u64,
                retired: retired as u64,
                restored: restored as u64,
                unchanged: (total - added - renamed) as u64,
            })
        })
    }

    /// Fills the derived kinds for rows that lack them (new rows of a merge), from the code
    /// ranges of DATA.md, computed in the domain and written per kind in one statement each.
    pub async fn derive_area_kinds(&mut self) -> Result<(), StoreError> {
        // The ranges are contiguous on the last three digits; expressing them as SQL on the
        // code's suffix keeps this one statement per kind instead of one per row.
        let township: [(&str, &str, &str); 5] = [
            ("street", "001", "099"),
            ("town", "100", "199"),
            ("township", "200", "399"),
            ("quasi", "400", "999"),
            ("placeholder", "000", "000"),
        ];
        let committee: [(&str, &str, &str); 4] = [
            ("residents", "001", "199"),
            ("villagers", "200", "399"),
            ("quasi", "400", "999"),
            ("placeholder", "000", "000"),
        ];
        debug_assert_eq!(
            TownshipKind::from_code(&AreaCode::from_stored("341021100")),
            Some(TownshipKind::Town)
        );
        on_tx!(self, c => {
            for (kind, lo, hi) in township {
                sqlx::query(
                    "UPDATE areas SET township_kind = $1 WHERE level = 'township' AND township_kind IS NULL \
                     AND SUBSTR(code, 7, 3) BETWEEN $2 AND $3",
                )
                .bind(kind).bind(lo).bind(hi)
                .execute(&mut *c).await?;
            }
            for (kind, lo, hi) in committee {
                sqlx::query(
                    "UPDATE areas SET committee_kind = $1 WHERE level = 'community' AND committee_kind IS NULL \
                     AND SUBSTR(code, 10, 3) BETWEEN $2 AND $3",
                )
                .bind(kind).bind(lo).bind(hi)
                .execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Inserts areas into an empty table directly (the first import), with kinds derived in
    /// the domain. Much faster than staging and merging.
    pub async fn insert_areas(&mut self, rows: &[AreaInput], now: &str) -> Result<(), StoreError> {
        for chunk in rows.chunks(bulk_rows(self.backend())) {
            let mut sql = String::from(
                "INSERT INTO areas (code, parent_code, level, name, township_kind, committee_kind, updated_at) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                let b = i * 6;
                sql.push_str(&format!(
                    "(${},${},${},${},${},${},${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    chunk.len() * 6 + 1
                ));
            }
            on_tx!(self, c => {
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(r.code.as_str())
                        .bind(r.parent().as_str().to_string())
                        .bind(r.level.as_str())
                        .bind(r.name.as_str())
                        .bind(TownshipKind::from_code(&r.code).map(|k| k.as_str()))
                        .bind(CommitteeKind::from_code(&r.code).map(|k| k.as_str()));
                }
                q.bind(now).execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Drops the secondary indexes of `areas` so a first bulk load does not maintain them row by
    /// row; [`Tx::create_area_indexes`] builds them once at the end (same definitions as the
    /// migration).
    pub async fn drop_area_indexes(&mut self) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("DROP INDEX IF EXISTS areas_parent").execute(&mut *c).await?;
            sqlx::query("DROP INDEX IF EXISTS areas_name").execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn create_area_indexes(&mut self) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("CREATE INDEX IF NOT EXISTS areas_parent ON areas (parent_code, code)").execute(&mut *c).await?;
            sqlx::query("CREATE INDEX IF NOT EXISTS areas_name ON areas (name)").execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn area_count(&mut self) -> Result<i64, StoreError> {
        on_tx!(self, c => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM areas").fetch_one(&mut *c).await?)
        })
    }
}
