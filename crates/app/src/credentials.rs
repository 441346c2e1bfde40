//! A short-lived cache of resolved credentials (session cookies and API tokens).
//
//! Why: resolving a session is one query, and on SQLite every query is a hand-off to the
//! driver's worker thread; on a busy list page it was half of the database work of a request.
//! A resolved credential is reused for at most `TTL`. Any change this server makes to accounts,
//! roles, sessions or tokens empties the cache at once; a change made through another server (or
//! the command line) reaches this one within `TTL`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use store::identity::Authenticated;

/// How long a resolved credential is reused.
pub const TTL: Duration = Duration::from_secs(2);
/// Above this many entries the stale ones are dropped (and all, if none is stale).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Default)]
pub struct CredentialCache {
    entries: Mutex<HashMap<String, (Instant, Authenticated)>>,
}

impl CredentialCache {
    pub fn get(&self, key: &str) -> Option<Authenticated> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, a)| a.clone())
    }

    pub fn put(&self, key: String, a: Authenticated) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < TTL);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), a));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone() -> Authenticated {
        Authenticated {
            user: store::identity::UserRow {
                id: "u".into(),
                login: "u".into(),
                display_name: "u".into(),
                password_hash: String::new(),
                home_area: domain::AreaCode::nation(),
                locale: "zh".into(),
                disabled: false,
                must_change_password: false,
                version: 1,
                created_at: String::new(),
            },
            assignments: Vec::new(),
            csrf_token: None,
        }
    }

    #[test]
    fn entries_expire_and_clear() {
        let c = CredentialCache::default();
        c.put("s:a".into(), someone());
        assert!(c.get("s:a").is_some());
        assert!(c.get("s:b").is_none());
        c.clear();
        assert!(c.get("s:a").is_none());
        c.entries
            .lock()
            .unwrap()
            .insert("s:old".into(), (Instant::now() - TTL, someone()));
        assert!(c.get("s:old").is_none(), "older than the TTL");
    }
}
