//! Password rules and login throttling.

use crate::error::DomainError;
use chrono::{DateTime, Duration, Utc};

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

/// Repeated failed logins lock the account for a while (and each lock is audited).
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
