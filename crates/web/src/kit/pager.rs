//! The foot of a register page: how many rows the list holds (共 N 条) and the link to the
//! next page, carrying the page's own filter and the cursor (`after=`).

use crate::error::urlencode;
use app::page::Page;

/// The total and next-page link of a page (`next` empty on the last page).
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub total: i64,
    pub next: String,
}

impl Pager {
    /// The pager of `page` served at `path` with the filter `params` (empty values left out).
    pub fn of<T>(page: &Page<T>, path: &str, params: &[(&str, &str)]) -> Pager {
        let next = match &page.next_after {
            Some(after) => {
                let mut q: Vec<String> = params
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| format!("{k}={}", urlencode(v)))
                    .collect();
                q.push(format!("after={}", urlencode(after)));
                format!("{path}?{}", q.join("&"))
            }
            None => String::new(),
        };
        Pager {
            total: page.total,
            next,
        }
    }
}

/// The `after` and `limit` of a list request (`limit` only on the API).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub after: String,
    pub limit: Option<i64>,
}
