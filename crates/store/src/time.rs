//! Times are stored as RFC 3339 text in UTC with microseconds (`2026-11-22T03:21:00.123456Z`):
//! the same bytes on both backends (the audit chain hashes them), and sortable as text.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn now() -> String {
    to_db(Utc::now())
}
