//! The audit chain: every event's hash covers the previous event's hash, per tenant, so that a
//! changed, removed or reordered event breaks the chain at the first place it was touched.

use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod kind;
pub use kind::EventKind;

/// Hash that precedes the first event of every tenant.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the action happened, was refused by policy, or failed on a rule or input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    /// The stable snake_case code of the outcome, as stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// The fields of an event that the chain protects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AuditRecord {
    pub tenant_id: String,
    pub seq: i64,
    pub id: String,
    /// RFC 3339 in UTC, as stored.
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_login: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub outcome: String,
    pub target_kind: String,
    pub target_id: String,
    pub area_code: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

impl AuditRecord {
    /// The record with the state before the change (JSON, as text).
    pub fn before(mut self, state: impl std::fmt::Display) -> Self {
        self.before = Some(state.to_string());
        self
    }

    /// The record with the state after the change, or the refusal's detail (JSON, as text).
    pub fn after(mut self, state: impl std::fmt::Display) -> Self {
        self.after = Some(state.to_string());
        self
    }

    /// The hash of this record linked to `prev_hash`. Fields are length-prefixed so that no two
    /// different records can produce the same input.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        put(prev_hash);
        put(&self.tenant_id);
        put(&self.seq.to_string());
        put(&self.id);
        put(&self.at);
        for o in [
            &self.actor_id,
            &self.actor_login,
            &self.actor_role,
            &self.before,
            &self.after,
            &self.request_id,
            &self.client_addr,
        ] {
            match o {
                Some(s) => {
                    put("1");
                    put(s)
                }
                None => put("0"),
            }
        }
        put(&self.action);
        put(&self.outcome);
        put(&self.target_kind);
        put(&self.target_id);
        put(&self.area_code);
        hex::encode(h.finalize())
    }
}

/// The first place where a chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub tenant_id: String,
    pub seq: i64,
    pub reason: &'static str,
}

/// Walks one tenant's events in sequence order and checks every link.
#[derive(Debug)]
pub struct ChainVerifier {
    tenant_id: String,
    expected_seq: i64,
    prev_hash: String,
}

impl ChainVerifier {
    /// A verifier for one tenant's chain, expecting sequence 1 after the genesis hash.
    pub fn new(tenant_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_string(),
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }

    /// Checks the next event as stored (its record, stored previous hash and stored hash).
    pub fn next(
        &mut self,
        record: &AuditRecord,
        stored_prev: &str,
        stored_hash: &str,
    ) -> Result<(), BrokenLink> {
        let broken = |reason| BrokenLink {
            tenant_id: self.tenant_id.clone(),
            seq: record.seq,
            reason,
        };
        if record.seq != self.expected_seq {
            return Err(broken("sequence gap (an event was removed or inserted)"));
        }
        if stored_prev != self.prev_hash {
            return Err(broken("previous hash does not match the event before"));
        }
        if record.chain_hash(stored_prev) != stored_hash {
            return Err(broken(
                "content does not match its hash (the event was changed)",
            ));
        }
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_string();
        Ok(())
    }

    /// How many events have been checked and found linked so far.
    pub fn count(&self) -> i64 {
        self.expected_seq - 1
    }

    /// After the last event: the tenant's head (the sequence and hash the writer recorded last)
    /// must name that event exactly. A head ahead of the events means events at the end were
    /// removed; a head whose hash differs means the tail was cut and the head moved back, or
    /// the head was rewritten; a chain without a head was stripped of it.
    pub fn check_head(&self, head: Option<(i64, &str)>) -> Result<(), BrokenLink> {
        let broken = |seq, reason| BrokenLink {
            tenant_id: self.tenant_id.clone(),
            seq,
            reason,
        };
        match head {
            None if self.count() > 0 => Err(broken(
                self.count(),
                "the chain has events but no head (the head was removed)",
            )),
            None => Ok(()),
            Some((seq, _)) if seq != self.count() => Err(broken(
                self.count() + 1,
                "events at the end of the chain are missing",
            )),
            Some((_, hash)) if hash != self.prev_hash => Err(broken(
                self.count(),
                "the head's hash is not the last event's (the tail was cut or the head rewritten)",
            )),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, action: &str) -> AuditRecord {
        AuditRecord {
            tenant_id: "3410".into(),
            seq,
            id: format!("e{seq}"),
            at: "2026-11-22T00:00:00Z".into(),
            actor_id: Some("u1".into()),
            actor_login: Some("admin".into()),
            actor_role: None,
            action: action.into(),
            outcome: "ok".into(),
            target_kind: "user".into(),
            target_id: "u2".into(),
            area_code: "3410".into(),
            before: None,
            after: Some("{}".into()),
            request_id: None,
            client_addr: None,
        }
    }

    #[test]
    fn the_head_must_name_the_last_event_by_sequence_and_hash() {
        let events = chain(3);
        let mut v = ChainVerifier::new("3410");
        for (r, p, h) in &events {
            v.next(r, p, h).unwrap();
        }
        let last = events[2].2.as_str();
        assert!(v.check_head(Some((3, last))).is_ok());
        // The newest event deleted and the head moved back to 2 but keeping its hash.
        let mut cut = ChainVerifier::new("3410");
        for (r, p, h) in &events[..2] {
            cut.next(r, p, h).unwrap();
        }
        let e = cut.check_head(Some((2, last))).unwrap_err();
        assert!(e.reason.contains("head's hash"), "{e:?}");
        // Moved back with the right hash of event 2: the chain is consistent (only an outside
        // copy of the head could tell), but a head left at 3 says events are missing.
        assert!(cut.check_head(Some((2, events[1].2.as_str()))).is_ok());
        assert!(cut
            .check_head(Some((3, last)))
            .unwrap_err()
            .reason
            .contains("missing"));
        assert!(cut.check_head(None).unwrap_err().reason.contains("no head"));
        assert!(ChainVerifier::new("3410").check_head(None).is_ok());
    }

    fn chain(n: i64) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let r = rec(i, "user.create");
                let h = r.chain_hash(&prev);
                let out = (r, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn verify(events: &[(AuditRecord, String, String)]) -> Result<i64, BrokenLink> {
        let mut v = ChainVerifier::new("3410");
        for (r, p, h) in events {
            v.next(r, p, h)?;
        }
        Ok(v.count())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn a_changed_event_breaks_the_chain_at_that_event() {
        let mut c = chain(5);
        c[2].0.action = "user.delete".into();
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_event_breaks_the_chain() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn a_rehashed_event_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[1].0.action = "x".into();
        c[1].2 = c[1].0.chain_hash(&c[1].1);
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn none_and_empty_fields_hash_differently() {
        let a = rec(1, "x");
        let mut b = a.clone();
        b.before = Some(String::new());
        assert_ne!(a.chain_hash(GENESIS), b.chain_hash(GENESIS));
    }
}
