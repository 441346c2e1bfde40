//! A record's history as a page shows it: each saved version against the one before it.

use super::local_time;
use store::versions::VersionRow;

/// (version, when, who, what changed), newest first; the oldest kept version reads 建档.
pub fn history(versions: &[VersionRow]) -> Vec<(i64, String, String, String)> {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let what = match versions.get(i + 1) {
                Some(prev) => app::registry::json_diff(&prev.snapshot, &v.snapshot).join("；"),
                None => "建档".to_string(),
            };
            (
                v.version,
                local_time(&v.changed_at),
                v.changed_by.clone().unwrap_or_default(),
                what,
            )
        })
        .collect()
}
