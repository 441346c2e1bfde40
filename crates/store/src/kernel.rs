//! What every context of the store shares: the filters that keep a query inside a territory
//! (a scope of areas), as index ranges on area codes and tenants.

use domain::identity::Scope;

/// [`scope_filter`] on a tenant table whose keys lead with `tenant_id`: each root of a city or
/// below also names its tenant (the first four digits), so the query walks the tenant's index
/// range instead of every tenant's rows.
pub fn tenant_scope_filter(
    tenant_col: &str,
    col: &str,
    scope: &Scope,
    binds: &mut Vec<String>,
) -> String {
    if scope.is_nation() {
        return "1=1".to_string();
    }
    let alts: Vec<String> = scope
        .roots()
        .iter()
        .map(|r| {
            // A community has nothing below it: its range is one code, and an equality lets an
            // index on (tenant, area, …) deliver rows in its order (the needs board).
            let area = if r.level() == domain::AreaLevel::Community {
                binds.push(r.as_str().to_string());
                format!("{col} = ${}", binds.len())
            } else {
                prefix_filter(col, r.as_str(), binds)
            };
            match r.tenant() {
                Some(t) => {
                    binds.push(t.to_string());
                    format!("({tenant_col} = ${} AND {area})", binds.len())
                }
                None => area,
            }
        })
        .collect();
    if alts.is_empty() {
        "1=0".to_string()
    } else {
        format!("({})", alts.join(" OR "))
    }
}

/// Builds `(col LIKE $n OR …)` for a scope, pushing the patterns into `binds`.
pub fn scope_filter(col: &str, scope: &Scope, binds: &mut Vec<String>) -> String {
    if scope.is_nation() {
        return "1=1".to_string();
    }
    let alts: Vec<String> = scope
        .roots()
        .iter()
        .map(|r| prefix_filter(col, r.as_str(), binds))
        .collect();
    if alts.is_empty() {
        "1=0".to_string()
    } else {
        format!("({})", alts.join(" OR "))
    }
}

/// `col` starts with the digits `prefix`, as a range (`col >= prefix AND col < next`), which both
/// databases serve from an index — SQLite does not use an index for a case-insensitive `LIKE`.
/// `next` is the prefix with its last digit raised (with carry); digit strings order the same in
/// every collation.
pub fn prefix_filter(col: &str, prefix: &str, binds: &mut Vec<String>) -> String {
    binds.push(prefix.to_string());
    let lo = binds.len();
    match next_prefix(prefix) {
        Some(hi) => {
            binds.push(hi);
            format!("({col} >= ${lo} AND {col} < ${})", binds.len())
        }
        None => format!("{col} >= ${lo}"),
    }
}

fn next_prefix(prefix: &str) -> Option<String> {
    let mut digits: Vec<u8> = prefix.bytes().collect();
    while let Some(last) = digits.pop() {
        if last < b'9' {
            digits.push(last + 1);
            return String::from_utf8(digits).ok();
        }
    }
    None
}

/// One column of a list's order: the column, its direction, and whether it holds integers (its
/// cursor value, bound as text like every bind, is then cast).
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub col: &'static str,
    pub desc: bool,
    pub int: bool,
}

impl Key {
    /// Ascending on `col`.
    pub const fn asc(col: &'static str) -> Key {
        Key {
            col,
            desc: false,
            int: false,
        }
    }

    /// Descending on `col`.
    pub const fn desc(col: &'static str) -> Key {
        Key {
            col,
            desc: true,
            int: false,
        }
    }

    /// The column holds integers.
    pub const fn int(self) -> Key {
        Key { int: true, ..self }
    }
}

/// The total order of a list (its last key is the id, so no two rows tie): the `ORDER BY` and
/// the keyset condition "after this row" over it, written as OR/AND (no row-value comparison) so
/// that it reads the same on SQLite and PostgreSQL, with text binds.
#[derive(Debug, Clone, Copy)]
pub struct Keyset(pub &'static [Key]);

impl Keyset {
    /// The `ORDER BY` list.
    pub fn order_by(&self) -> String {
        self.0
            .iter()
            .map(|k| {
                if k.desc {
                    format!("{} DESC", k.col)
                } else {
                    k.col.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How many values a cursor of this order carries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the order has no key (never, for a list).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rows after `after` (one value per key, as the cursor carries them), pushing the
    /// values into `binds`; a cursor of the wrong length matches nothing.
    pub fn after(&self, after: &[String], binds: &mut Vec<String>) -> String {
        if after.len() != self.0.len() {
            return "1=0".to_string();
        }
        let mut ph = Vec::with_capacity(after.len());
        for (k, v) in self.0.iter().zip(after) {
            binds.push(v.clone());
            ph.push(if k.int {
                format!("CAST(${} AS BIGINT)", binds.len())
            } else {
                format!("${}", binds.len())
            });
        }
        // From the last key outwards: k_n beyond, or equal and the rest beyond.
        let mut cond = String::new();
        for (i, k) in self.0.iter().enumerate().rev() {
            let op = if k.desc { "<" } else { ">" };
            cond = if cond.is_empty() {
                format!("{} {op} {}", k.col, ph[i])
            } else {
                format!(
                    "({} {op} {p} OR ({} = {p} AND {cond}))",
                    k.col,
                    k.col,
                    p = ph[i]
                )
            };
        }
        format!("({cond})")
    }

    /// `filter` and, if there is a cursor, the rows after it.
    pub fn filter_after(
        &self,
        filter: &str,
        after: Option<&[String]>,
        binds: &mut Vec<String>,
    ) -> String {
        match after {
            Some(a) => format!("{filter} AND {}", self.after(a, binds)),
            None => filter.to_string(),
        }
    }
}

impl crate::Db {
    /// How many rows of `from` (a table with its alias, or a join) `wh` keeps: a list's total
    /// under the same filter as its pages.
    pub async fn count_where(
        &self,
        from: &str,
        wh: &str,
        binds: &[String],
    ) -> Result<i64, crate::StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {from} WHERE {wh}");
        // (`on_pool!` is defined after this module.)
        match self {
            crate::Db::Sqlite(pool) => {
                let mut q = sqlx::query_scalar::<_, i64>(&sql);
                for b in binds {
                    q = q.bind(b.as_str());
                }
                Ok(q.fetch_one(pool).await?)
            }
            crate::Db::Postgres(pool) => {
                let mut q = sqlx::query_scalar::<_, i64>(&sql);
                for b in binds {
                    q = q.bind(b.as_str());
                }
                Ok(q.fetch_one(pool).await?)
            }
        }
    }
}

/// A page of rows read from SQLite as one JSON value: `sql` (selecting `cols`, with `binds`) is
/// wrapped in `json_group_array(json_object(…))`. sqlx's SQLite driver hands every row from its
/// worker thread to the caller as a message; a page travelling as one row took a third off a
/// list's time. The caller sorts what it gets (the aggregate keeps the subquery's order only in
/// practice); `what` names the page in an error.
pub(crate) async fn sqlite_json_page<T: serde::de::DeserializeOwned>(
    pool: &sqlx::SqlitePool,
    cols: &str,
    sql: &str,
    binds: &[String],
    what: &str,
) -> Result<Vec<T>, crate::StoreError> {
    // Outside the subquery only its output names are visible: `p.id` is `id`, `x AS y` is `y`.
    let fields: Vec<String> = cols
        .split(", ")
        .map(|c| {
            let name = c.rsplit([' ', '.']).next().unwrap_or(c).trim();
            format!("'{name}', {name}")
        })
        .collect();
    let json_sql = format!(
        "SELECT COALESCE(json_group_array(json_object({})), '[]') FROM ({sql})",
        fields.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, String>(&json_sql);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let text = q.fetch_one(pool).await?;
    serde_json::from_str(&text).map_err(|e| crate::StoreError::Bulk(format!("{what}: {e}")))
}

/// A JSON column that does not decode (or a value that does not encode) as a store error.
pub(crate) fn json_err(e: serde_json::Error) -> crate::StoreError {
    crate::StoreError::Sqlx(sqlx::Error::Decode(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_becomes_a_range_with_carry() {
        assert_eq!(next_prefix("341021").as_deref(), Some("341022"));
        assert_eq!(next_prefix("3419").as_deref(), Some("342"));
        assert_eq!(next_prefix("99"), None);
        let mut b = Vec::new();
        assert_eq!(prefix_filter("a", "3499", &mut b), "(a >= $1 AND a < $2)");
        assert_eq!(b, ["3499", "35"]);
    }

    #[test]
    fn a_keyset_continues_after_the_last_row_in_every_direction() {
        const K: Keyset = Keyset(&[Key::desc("y").int(), Key::asc("n"), Key::asc("id")]);
        assert_eq!(K.order_by(), "y DESC, n, id");
        let mut b = vec!["x".to_string()];
        let w = K.after(&["2026".into(), "甲".into(), "7".into()], &mut b);
        assert_eq!(
            w,
            "((y < CAST($2 AS BIGINT) OR (y = CAST($2 AS BIGINT) AND (n > $3 OR (n = $3 AND id > $4)))))"
        );
        assert_eq!(b, ["x", "2026", "甲", "7"]);
        assert_eq!(K.after(&["1".into()], &mut b), "1=0");
    }
}
