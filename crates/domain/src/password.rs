//! Password rules and login throttling.

use crate::error::DomainError;
use chrono::{DateTime, Duration, Utc};

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a new password: long enough, not the login, letters and digits.
pub fn check_new_password(login: &str, password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    let reason = if n < MIN_PASSWORD_CHARS {
        Some(format!("密码至少 {MIN_PASSWORD_CHARS} 位"))
    } else if n > 128 {
        Some("密码不能超过 128 位".to_string())
    } else if password.eq_ignore_ascii_case(login) {
        Some("密码不能与登录名相同".to_string())
    } else if !password.chars().any(|c| c.is_alphabetic())
        || !password.chars().any(|c| c.is_ascii_digit())
    {
        Some("密码须同时包含字母和数字".to_string())
    } else {
        None
    };
    match reason {
        Some(m) => Err(DomainError::field("new_password", "weak_password", m)),
        None => Ok(()),
    }
}

/// Repeated failed logins lock the account for a while (and each lock is audited) — for the client
/// address they came from only, so that nobody can lock another person out by typing their login
/// name wrongly five times: the owner, from their own address, still gets in.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub max_failures: i64,
    pub lock_for: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

/// What a failed attempt does to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureOutcome {
    pub failed_logins: i64,
    /// Set when this failure locks the account.
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginThrottle {
    /// Whether a lock set by earlier failures is still in force at `now`.
    pub fn is_locked(&self, locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        locked_until.is_some_and(|t| t > now)
    }

    /// Counts a failure; the `max_failures`-th locks the account and restarts the count.
    pub fn after_failure(&self, failed_logins: i64, now: DateTime<Utc>) -> FailureOutcome {
        let n = failed_logins + 1;
        if n >= self.max_failures {
            FailureOutcome {
                failed_logins: 0,
                locked_until: Some(now + self.lock_for),
            }
        } else {
            FailureOutcome {
                failed_logins: n,
                locked_until: None,
            }
        }
    }
}

/// How many failed logins one client address may make, over all accounts and unknown names
/// alike, before it must wait; and how many logins it may have under way at once. A password
/// guesser is slowed to a trickle before it costs the server a hash, and a flood from one address
/// is answered 429 without hashing at all.
#[derive(Debug, Clone, Copy)]
pub struct ClientThrottle {
    /// Failures allowed in a burst.
    pub burst: u32,
    /// One more failure is allowed after each such interval.
    pub refill_every: Duration,
    /// Logins under way at once from one address.
    pub max_in_flight: u32,
}

impl Default for ClientThrottle {
    fn default() -> Self {
        Self {
            burst: 20,
            refill_every: Duration::seconds(15),
            max_in_flight: 2,
        }
    }
}

/// One address's failures: a bucket that empties by one per failure and fills back with time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureBucket {
    /// Failures still allowed as of `at`.
    pub left: u32,
    pub at: DateTime<Utc>,
}

impl ClientThrottle {
    /// A bucket that has never seen a failure.
    pub fn fresh(&self, now: DateTime<Utc>) -> FailureBucket {
        FailureBucket {
            left: self.burst,
            at: now,
        }
    }

    /// The bucket as of `now`, refilled for the time that passed.
    pub fn refilled(&self, b: FailureBucket, now: DateTime<Utc>) -> FailureBucket {
        let step = self.refill_every.num_milliseconds().max(1);
        let elapsed = (now - b.at).num_milliseconds().max(0);
        let gained = u32::try_from(elapsed / step).unwrap_or(u32::MAX);
        if gained == 0 {
            return b;
        }
        let left = b.left.saturating_add(gained).min(self.burst);
        let at = if left == self.burst {
            now
        } else {
            b.at + Duration::milliseconds(i64::from(gained) * step)
        };
        FailureBucket { left, at }
    }

    /// `Ok` when the address may try now; otherwise how long until it may.
    pub fn check(&self, b: FailureBucket, now: DateTime<Utc>) -> Result<FailureBucket, Duration> {
        let b = self.refilled(b, now);
        if b.left > 0 {
            Ok(b)
        } else {
            Err((b.at + self.refill_every - now).max(Duration::seconds(1)))
        }
    }

    /// The bucket after one more failure.
    pub fn after_failure(&self, b: FailureBucket, now: DateTime<Utc>) -> FailureBucket {
        let b = self.refilled(b, now);
        FailureBucket {
            left: b.left.saturating_sub(1),
            at: b.at,
        }
    }

    /// Whether a bucket has recovered completely (and may be forgotten).
    pub fn is_full(&self, b: FailureBucket, now: DateTime<Utc>) -> bool {
        self.refilled(b, now).left >= self.burst
    }
}

/// A login name as the audit log may keep it when no account has it: people type identity and
/// phone numbers into the login field, and a mistyped password or a name of someone else too, so
/// only the first character and the length are kept.
pub fn masked_login(login: &str) -> String {
    let n = login.chars().count();
    match login.chars().next() {
        None => String::new(),
        Some(first) if first.is_ascii_digit() => format!("{}（{n} 位）", "*".repeat(n.min(3))),
        Some(first) => format!(
            "{first}{}（{n} 位）",
            "*".repeat(n.saturating_sub(1).min(3))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_letterless_passwords_are_refused() {
        assert!(check_new_password("li", "abc123").is_err());
        assert!(check_new_password("li", "12345678").is_err());
        assert!(check_new_password("li", "abcdefgh").is_err());
        assert!(check_new_password("abcd1234", "ABCD1234").is_err());
        assert!(check_new_password("li", "社区服务2026年").is_ok());
        assert!(check_new_password("li", "Sanshe2026").is_ok());
    }

    #[test]
    fn a_client_may_fail_a_burst_then_one_per_interval() {
        let t = ClientThrottle {
            burst: 3,
            refill_every: Duration::seconds(10),
            max_in_flight: 2,
        };
        let now = Utc::now();
        let mut b = t.fresh(now);
        for _ in 0..3 {
            b = t.check(b, now).unwrap();
            b = t.after_failure(b, now);
        }
        let wait = t.check(b, now).unwrap_err();
        assert_eq!(wait, Duration::seconds(10));
        assert!(t.check(b, now + Duration::seconds(9)).is_err());
        let later = t.check(b, now + Duration::seconds(10)).unwrap();
        assert_eq!(later.left, 1);
        assert!(t.is_full(b, now + Duration::seconds(30)));
        assert!(!t.is_full(b, now + Duration::seconds(29)));
    }

    #[test]
    fn refilling_keeps_the_remainder_of_an_interval() {
        let t = ClientThrottle {
            burst: 5,
            refill_every: Duration::seconds(10),
            max_in_flight: 2,
        };
        let now = Utc::now();
        let empty = FailureBucket { left: 0, at: now };
        // 25 s later: two whole intervals gained; the next comes 5 s later, not 10.
        let b = t.refilled(empty, now + Duration::seconds(25));
        assert_eq!(b.left, 2);
        assert_eq!(b.at, now + Duration::seconds(20));
    }

    #[test]
    fn numbers_typed_as_a_login_are_not_kept() {
        assert_eq!(masked_login("340102199001011234"), "***（18 位）");
        assert_eq!(masked_login("13912345678"), "***（11 位）");
        assert_eq!(masked_login("wangwu"), "w***（6 位）");
        assert_eq!(masked_login("王"), "王（1 位）");
        assert_eq!(masked_login(""), "");
    }

    #[test]
    fn the_fifth_failure_locks_the_account() {
        let t = LoginThrottle::default();
        let now = Utc::now();
        let mut n = 0;
        for _ in 0..4 {
            let o = t.after_failure(n, now);
            assert_eq!(o.locked_until, None);
            n = o.failed_logins;
        }
        let o = t.after_failure(n, now);
        assert_eq!(o.locked_until, Some(now + Duration::minutes(15)));
        assert!(t.is_locked(o.locked_until, now));
        assert!(!t.is_locked(o.locked_until, now + Duration::minutes(16)));
    }
}
