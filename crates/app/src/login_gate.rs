//! Per-client throttling of logins, in this server's memory: how many logins each address has
//! under way, and its bucket of failures (`domain::password::ClientThrottle`). A flood from one
//! address is refused before any password is hashed; a guesser is slowed to one try per interval.
//! Behind a reverse proxy the address is the client's (see the web layer's trusted proxies).
//! Several servers each keep their own buckets: the per-account lock, in the database, is the
//! shared line of defence.

use crate::AppError;
use chrono::{DateTime, Utc};
use domain::password::{ClientThrottle, FailureBucket, LoginThrottle};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Addresses remembered at most; past this, recovered ones are forgotten first.
const MAX_CLIENTS: usize = 100_000;

#[derive(Debug, Default)]
struct Client {
    in_flight: u32,
    failures: Option<FailureBucket>,
    /// Whether the empty bucket was already audited (once per time it empties).
    announced: bool,
}

#[derive(Debug, Default)]
pub struct LoginGate {
    clients: Mutex<HashMap<String, Client>>,
    /// Login names no account has, tried from an address: counted and locked exactly as an
    /// account's lock is, so that "locked until …" says nothing about whether a login exists.
    phantoms: Mutex<HashMap<(String, String), PhantomLock>>,
}

/// The failures and lock of a login name that no account has, from one address.
#[derive(Debug, Default, Clone, Copy)]
struct PhantomLock {
    failures: i64,
    locked_until: Option<DateTime<Utc>>,
}

/// A login under way; dropping it ends it.
pub struct Attempt {
    gate: Arc<LoginGate>,
    client: String,
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let mut clients = self.gate.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get_mut(&self.client) {
            c.in_flight = c.in_flight.saturating_sub(1);
        }
    }
}

/// Why an address must wait, and whether this is the first refusal since its bucket emptied (to
/// audit once, not on every refused try).
pub struct Refused {
    pub error: AppError,
    pub first: bool,
}

impl LoginGate {
    /// Begins a login from `client`, or refuses it (429) when the address has too many under way
    /// or has used up its failures.
    pub fn enter(
        self: &Arc<Self>,
        client: &str,
        t: &ClientThrottle,
        now: DateTime<Utc>,
    ) -> Result<Attempt, Refused> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(client) {
            clients
                .retain(|_, c| c.in_flight > 0 || c.failures.is_some_and(|b| !t.is_full(b, now)));
        }
        let c = clients.entry(client.to_string()).or_default();
        if let Some(b) = c.failures {
            if let Err(wait) = t.check(b, now) {
                let first = !c.announced;
                c.announced = true;
                return Err(Refused {
                    error: AppError::Throttled {
                        retry_after: u64::try_from(wait.num_seconds()).unwrap_or(1).max(1),
                    },
                    first,
                });
            }
            c.announced = false;
        }
        if c.in_flight >= t.max_in_flight {
            return Err(Refused {
                error: AppError::Throttled { retry_after: 1 },
                first: false,
            });
        }
        c.in_flight += 1;
        Ok(Attempt {
            gate: self.clone(),
            client: client.to_string(),
        })
    }

    /// Until when a login name that no account has is "locked" for `client` (see `phantoms`).
    pub fn phantom_locked_until(
        &self,
        client: &str,
        login: &str,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let phantoms = self.phantoms.lock().unwrap_or_else(|e| e.into_inner());
        phantoms
            .get(&(client.to_string(), login.to_string()))
            .and_then(|p| p.locked_until)
            .filter(|u| *u > now)
    }

    /// Counts a failure of a login name that no account has, as `t` counts an account's; returns
    /// the lock's end when this failure locks it.
    pub fn phantom_failed(
        &self,
        client: &str,
        login: &str,
        t: &LoginThrottle,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut phantoms = self.phantoms.lock().unwrap_or_else(|e| e.into_inner());
        if phantoms.len() >= MAX_CLIENTS {
            phantoms.retain(|_, p| p.locked_until.is_some_and(|u| u > now));
            if phantoms.len() >= MAX_CLIENTS {
                phantoms.clear();
            }
        }
        let p = phantoms
            .entry((client.to_string(), login.to_string()))
            .or_default();
        let o = t.after_failure(p.failures, now);
        *p = PhantomLock {
            failures: o.failed_logins,
            locked_until: o.locked_until,
        };
        o.locked_until
    }

    /// Counts a failed login of `client`.
    pub fn failed(&self, client: &str, t: &ClientThrottle, now: DateTime<Utc>) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        let c = clients.entry(client.to_string()).or_default();
        let b = c.failures.unwrap_or_else(|| t.fresh(now));
        c.failures = Some(t.after_failure(b, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn an_address_is_refused_past_its_failures_and_its_logins_under_way() {
        let gate = Arc::new(LoginGate::default());
        let t = ClientThrottle {
            burst: 2,
            refill_every: Duration::seconds(10),
            max_in_flight: 2,
        };
        let now = Utc::now();
        let a = gate.enter("1.1.1.1", &t, now).ok().unwrap();
        let b = gate.enter("1.1.1.1", &t, now).ok().unwrap();
        assert!(
            gate.enter("1.1.1.1", &t, now).is_err(),
            "two under way at most"
        );
        assert!(
            gate.enter("2.2.2.2", &t, now).is_ok(),
            "another address is not affected"
        );
        drop((a, b));
        gate.failed("1.1.1.1", &t, now);
        gate.failed("1.1.1.1", &t, now);
        let r = gate.enter("1.1.1.1", &t, now).err().unwrap();
        assert!(r.first);
        assert!(matches!(r.error, AppError::Throttled { retry_after: 10 }));
        assert!(!gate.enter("1.1.1.1", &t, now).err().unwrap().first);
        assert!(gate
            .enter("1.1.1.1", &t, now + Duration::seconds(10))
            .is_ok());
    }
}
