//! What every context of the app shares: the clock people in China read, and ids that carry
//! their tenant.

/// Today in Asia/Shanghai (UTC+8 all year), the calendar people mean.
pub fn today() -> chrono::NaiveDate {
    china_now().date()
}

/// Now, as the wall clock in China reads it (dates and deadlines are China time).
pub fn china_now() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc()
}

/// The current period (year, China time) of the catalogues, the default of every period filter.
pub fn current_period() -> i32 {
    domain::chain::catalogue::period_of(china_now())
}

/// A new id of a record of `tenant`: the tenant, a dash and a time-ordered UUID (`3410-0195…`),
/// so that a lookup by id goes straight to the tenant's rows (and to one shard under Citus).
pub(crate) fn new_id(tenant: &str) -> String {
    format!("{tenant}-{}", uuid::Uuid::now_v7().simple())
}

/// The tenant an id carries (its first four digits before the dash), or `None` for an id that
/// carries none.
pub fn tenant_of(id: &str) -> Option<&str> {
    id.get(..4)
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()) && id.as_bytes().get(4) == Some(&b'-'))
}
