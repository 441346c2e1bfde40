//! A page of a list: its rows, how many the whole list holds under the same filter, and the
//! cursor of the next page. Every register and list API answers with one, so that no list stops
//! at a fixed number without saying so.

use crate::AppError;
use domain::DomainError;

/// Rows on a page unless the caller asks for another size.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 200;

/// A page of a list (`next_after` continues it; `None` on the last page).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many rows the whole list holds under the same filter and territory.
    pub total: i64,
    /// The cursor of the next page (pass it as `after`), if there is one.
    pub next_after: Option<String>,
}

impl<T> Page<T> {
    /// A page from rows fetched with `limit + 1`: the extra row, if it came, only says that more
    /// follow; the cursor is the key of the last row kept.
    pub fn cut(mut rows: Vec<T>, limit: i64, total: i64, key: impl Fn(&T) -> Vec<String>) -> Self {
        let limit = limit.max(0) as usize;
        let next_after = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| encode(&key(r)))
        } else {
            None
        };
        Page {
            items: rows,
            total,
            next_after,
        }
    }

    /// The same page with each row turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            next_after: self.next_after,
        }
    }
}

/// The first `n` of rows fetched with `n + 1` (a picker's bound) and, when more exist, `n`: the
/// picker then says it shows only the first `n`.
pub fn first<T>(mut rows: Vec<T>, n: i64) -> (Vec<T>, Option<i64>) {
    let n = n.max(0);
    if rows.len() as i64 > n {
        rows.truncate(n as usize);
        (rows, Some(n))
    } else {
        (rows, None)
    }
}

/// A requested page size clamped to 1..=200 (50 if none).
pub fn limit(asked: Option<i64>) -> i64 {
    asked.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// A cursor as text: the key's values joined by `|` (a `|` or `\` inside a value escaped with
/// `\`), so that an organization's cursor stays `name|id`.
pub fn encode(values: &[String]) -> String {
    values
        .iter()
        .map(|v| v.replace('\\', "\\\\").replace('|', "\\|"))
        .collect::<Vec<_>>()
        .join("|")
}

/// The values of a cursor of `n` keys; an empty cursor is the first page. A cursor of the wrong
/// shape is a field error on `after`, never an empty page.
pub fn decode(after: Option<&str>, n: usize) -> Result<Option<Vec<String>>, AppError> {
    let Some(text) = after.filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(n);
    let mut cur = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.push(chars.next().ok_or_else(bad_cursor)?),
            '|' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    if out.len() != n {
        return Err(bad_cursor());
    }
    Ok(Some(out))
}

fn bad_cursor() -> AppError {
    AppError::Domain(DomainError::field(
        "after",
        "invalid",
        "翻页位置无效，请从第一页重新开始",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_bars_and_backslashes() {
        let v = vec!["甲|乙\\丙".to_string(), "3410-1".to_string()];
        let c = encode(&v);
        assert_eq!(decode(Some(&c), 2).unwrap(), Some(v));
        assert_eq!(encode(&["a".into(), "b".into()]), "a|b");
        assert!(decode(Some("a|b"), 3).is_err());
        assert_eq!(decode(Some(""), 2).unwrap(), None);
    }

    #[test]
    fn the_extra_row_makes_the_cursor_of_the_last_row_kept() {
        let p = Page::cut(vec![1, 2, 3], 2, 9, |r| vec![r.to_string()]);
        assert_eq!(
            (p.items, p.total, p.next_after),
            (vec![1, 2], 9, Some("2".into()))
        );
        let p = Page::cut(vec![1, 2], 2, 2, |r| vec![r.to_string()]);
        assert_eq!(p.next_after, None);
        assert_eq!(limit(Some(1000)), 200);
        assert_eq!(limit(None), 50);
        assert_eq!(limit(Some(0)), 1);
        assert_eq!(first(vec![1, 2, 3], 2), (vec![1, 2], Some(2)));
        assert_eq!(first(vec![1, 2], 2), (vec![1, 2], None));
    }
}
