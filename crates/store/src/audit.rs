//! The audit log: events appended to a per-tenant hash chain. On SQLite they are chained when the
//! use case's transaction commits; on PostgreSQL they are committed to a queue with the use
//! case's change and sealed into the chain by `Db::seal_audit` (see migration 0017).

use crate::bulk::{Param, Value};
use crate::kernel::scope_filter;
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::audit::{AuditRecord, ChainVerifier, GENESIS};
use domain::identity::Scope;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

/// Tenant of events about areas above any city (and of national actions).
pub const NATIONAL_TENANT: &str = "0000";

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AuditEventRow {
    #[serde(flatten)]
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters of the audit page and API.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub actor_login: Option<String>,
    pub area_prefix: Option<String>,
    /// Inclusive lower bound on `at` (RFC 3339 or a date).
    pub from: Option<String>,
    /// Exclusive upper bound on `at`.
    pub to: Option<String>,
    /// Keyset cursor: only events before this `at|tenant|seq`.
    pub before: Option<(String, String, i64)>,
}

const COLS: &str = "tenant_id, seq, id, at, actor_id, actor_login, actor_role, action, outcome, target_kind, \
                    target_id, area_code, before_summary, after_summary, request_id, client_addr, prev_hash, hash";

/// The record of a row of `audit_events` or `audit_queue` (which has no number: pass `0`).
macro_rules! record_from_row {
    ($r:expr, $seq:expr) => {{
        let r = $r;
        AuditRecord {
            tenant_id: r.try_get("tenant_id")?,
            seq: $seq,
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor_id: r.try_get("actor_id")?,
            actor_login: r.try_get("actor_login")?,
            actor_role: r.try_get("actor_role")?,
            action: r.try_get("action")?,
            outcome: r.try_get("outcome")?,
            target_kind: r.try_get("target_kind")?,
            target_id: r.try_get("target_id")?,
            area_code: r.try_get("area_code")?,
            before: r.try_get("before_summary")?,
            after: r.try_get("after_summary")?,
            request_id: r.try_get("request_id")?,
            client_addr: r.try_get("client_addr")?,
        }
    }};
}

macro_rules! event_from_row {
    ($r:expr) => {{
        let r = $r;
        AuditEventRow {
            record: record_from_row!(r, r.try_get("seq")?),
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        }
    }};
}

/// The columns of a queued event: the record without its number and links.
const QUEUE_COLUMNS: [&str; 15] = [
    "tenant_id",
    "id",
    "at",
    "actor_id",
    "actor_login",
    "actor_role",
    "action",
    "outcome",
    "target_kind",
    "target_id",
    "area_code",
    "before_summary",
    "after_summary",
    "request_id",
    "client_addr",
];

/// The columns of `audit_events`, in the order of `event_rows`: the queued fields with the number
/// after the tenant and the links at the end.
fn event_columns() -> Vec<&'static str> {
    let mut c = QUEUE_COLUMNS.to_vec();
    c.insert(1, "seq");
    c.extend(["prev_hash", "hash"]);
    c
}

/// Most events sealed in one transaction.
const SEAL_BATCH: i64 = 5000;

fn insert_events_sql() -> String {
    let columns = event_columns();
    let ph: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO audit_events ({}) VALUES ({})",
        columns.join(", "),
        ph.join(", ")
    )
}

/// Numbers and chains `records` after the head (`seq`, `prev`): each one's (previous hash,
/// hash), the last number and the last hash.
fn chain(
    records: &mut [AuditRecord],
    mut seq: i64,
    mut prev: String,
) -> (Vec<(String, String)>, i64, String) {
    let mut links: Vec<(String, String)> = Vec::with_capacity(records.len());
    for r in records.iter_mut() {
        seq += 1;
        r.seq = seq;
        let hash = r.chain_hash(&prev);
        links.push((prev, hash.clone()));
        prev = hash;
    }
    (links, seq, prev)
}

/// A record's fields in the order of `QUEUE_COLUMNS`.
fn queue_row(r: &AuditRecord) -> Vec<Param<'_>> {
    vec![
        r.tenant_id.as_str().into(),
        r.id.as_str().into(),
        r.at.as_str().into(),
        r.actor_id.as_deref().into(),
        r.actor_login.as_deref().into(),
        r.actor_role.as_deref().into(),
        r.action.as_str().into(),
        r.outcome.as_str().into(),
        r.target_kind.as_str().into(),
        r.target_id.as_str().into(),
        r.area_code.as_str().into(),
        r.before.as_deref().into(),
        r.after.as_deref().into(),
        r.request_id.as_deref().into(),
        r.client_addr.as_deref().into(),
    ]
}

/// The rows of the events' insert, in the order of `event_columns`.
fn event_rows<'a>(
    records: &'a [AuditRecord],
    links: &'a [(String, String)],
) -> Vec<Vec<Param<'a>>> {
    records
        .iter()
        .zip(links)
        .map(|(r, (p, h))| {
            let mut row = queue_row(r);
            row.insert(1, r.seq.into());
            row.push(p.as_str().into());
            row.push(h.as_str().into());
            row
        })
        .collect()
}

/// Result of verifying every chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    Ok { tenants: usize, events: i64 },
    Broken(domain::audit::BrokenLink),
}

impl Tx {
    /// Gives an event to the transaction's audit trail. It is chained to its tenant's head and
    /// written when the transaction commits, with the use case's change or not at all: the head
    /// row is locked (PostgreSQL) or written (SQLite) only for the moment of the commit, so
    /// writers of one city do not queue on it for the whole of their use cases.
    pub async fn append_audit(&mut self, record: AuditRecord) -> Result<(), StoreError> {
        self.pending_audit().push(record);
        Ok(())
    }

    /// Appends many events of one tenant at once (an import's events), now: the head is read
    /// once, the hashes are chained in memory, the events go in as one bulk insert and the head
    /// moves once. The chain is the same as appending them one by one.
    pub async fn append_audit_many(
        &mut self,
        tenant: &str,
        mut records: Vec<AuditRecord>,
    ) -> Result<(), StoreError> {
        for r in &mut records {
            r.tenant_id = tenant.to_string();
        }
        self.pending_audit().extend(records);
        self.flush_audit().await
    }

    /// Writes the waiting events, each tenant's in order after its head.
    pub(crate) async fn flush_audit(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(self.pending_audit());
        let mut tenants: Vec<String> = Vec::new();
        for r in &pending {
            if !tenants.contains(&r.tenant_id) {
                tenants.push(r.tenant_id.clone());
            }
        }
        let mut pending = pending;
        for tenant in tenants {
            let (mine, rest): (Vec<AuditRecord>, Vec<AuditRecord>) =
                pending.into_iter().partition(|r| r.tenant_id == tenant);
            pending = rest;
            self.write_chain(&tenant, mine).await?;
        }
        Ok(())
    }

    /// Appends `records` (all of `tenant`) to the tenant's chain.
    async fn write_chain(
        &mut self,
        tenant: &str,
        mut records: Vec<AuditRecord>,
    ) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        if let Tx::Sqlite(t) = self {
            // One hand-off to SQLite's thread for the whole append (see `bulk::Locked`).
            return crate::bulk::with_locked(&mut *t, |db| {
                db.exec(
                    "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?1, 0, ?2) ON CONFLICT (tenant_id) DO NOTHING",
                    &[tenant.into(), GENESIS.into()],
                )?;
                let head = db
                    .row("SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1", &[tenant.into()])?
                    .unwrap_or_default();
                let (Some(Value::Int(seq)), Some(Value::Text(prev))) = (head.first(), head.get(1)) else {
                    return Err(StoreError::Bulk("the audit head is unreadable".into()));
                };
                let (links, seq, last) = chain(&mut records, *seq, prev.clone());
                let rows = event_rows(&records, &links);
                let mut insert = db.prepare(&insert_events_sql())?;
                insert.run(rows.len(), |i| rows[i].as_slice())?;
                db.exec(
                    "UPDATE audit_heads SET seq = ?1, hash = ?2 WHERE tenant_id = ?3",
                    &[seq.into(), last.as_str().into(), tenant.into()],
                )?;
                Ok(())
            })
            .await;
        }
        // PostgreSQL: into the queue, without touching the head (`Db::seal_audit` chains them).
        let rows: Vec<Vec<Param<'_>>> = records.iter().map(queue_row).collect();
        self.bulk_insert("audit_queue", &QUEUE_COLUMNS, &rows).await
    }

    /// Seals up to `SEAL_BATCH` of the tenant's queued events into its chain, in the order they
    /// were given (time, then id); returns how many (PostgreSQL; nothing is queued on SQLite).
    async fn seal_queued(&mut self, tenant: &str) -> Result<usize, StoreError> {
        let Tx::Postgres(t) = self else {
            return Ok(0);
        };
        // The head first, created if new and locked (an upsert that updates takes the row lock):
        // one sealer at a time per tenant, and a second one sees what the first took as gone.
        let head = sqlx::query(
            "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash",
        )
        .bind(tenant)
        .bind(GENESIS)
        .fetch_one(&mut **t)
        .await?;
        let (seq, prev): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        let sql = format!(
            "DELETE FROM audit_queue WHERE tenant_id = $1 AND id IN \
             (SELECT id FROM audit_queue WHERE tenant_id = $1 ORDER BY at, id LIMIT {SEAL_BATCH}) \
             RETURNING {}",
            QUEUE_COLUMNS.join(", ")
        );
        let rows = sqlx::query(&sql).bind(tenant).fetch_all(&mut **t).await?;
        let mut records = Vec::with_capacity(rows.len());
        for r in &rows {
            records.push(record_from_row!(r, 0));
        }
        records.sort_by(|a, b| (&a.at, &a.id).cmp(&(&b.at, &b.id)));
        let n = records.len();
        if n > 0 {
            self.write_links(tenant, records, seq, prev).await?;
        }
        Ok(n)
    }

    /// Numbers and chains `records` after the locked head (`seq`, `prev`), writes them and moves
    /// the head (PostgreSQL).
    async fn write_links(
        &mut self,
        tenant: &str,
        mut records: Vec<AuditRecord>,
        seq: i64,
        prev: String,
    ) -> Result<(), StoreError> {
        let (links, seq, last) = chain(&mut records, seq, prev);
        let rows = event_rows(&records, &links);
        let columns = event_columns();
        let n = columns.len();
        if rows.len() * n > 30_000 {
            // Thousands of events (an import's, a batch of the queue): in chunks, then the head.
            self.bulk_insert("audit_events", &columns, &rows).await?;
            on_tx!(self, c => {
                sqlx::query("UPDATE audit_heads SET seq = $1, hash = $2 WHERE tenant_id = $3")
                    .bind(seq)
                    .bind(&last)
                    .bind(tenant)
                    .execute(&mut *c)
                    .await?;
            });
            return Ok(());
        }
        // The events and the head's move in one statement (one round trip).
        let values: Vec<String> = (0..rows.len())
            .map(|r| {
                let ph: Vec<String> = (1..=n).map(|c| format!("${}", r * n + c)).collect();
                format!("({})", ph.join(","))
            })
            .collect();
        let k = rows.len() * n;
        let sql = format!(
            "WITH added AS (INSERT INTO audit_events ({}) VALUES {} RETURNING 1) \
             UPDATE audit_heads SET seq = ${}, hash = ${} WHERE tenant_id = ${}",
            columns.join(", "),
            values.join(","),
            k + 1,
            k + 2,
            k + 3
        );
        let mut q = sqlx::query(&sql);
        for row in &rows {
            for p in row {
                q = match *p {
                    Param::Text(s) => q.bind(s),
                    Param::Int(v) => q.bind(v),
                    Param::Bool(v) => q.bind(v),
                    Param::Null => q.bind(None::<&str>),
                    Param::NullInt => q.bind(None::<i64>),
                };
            }
        }
        let q = q.bind(seq).bind(&last).bind(tenant);
        if let Tx::Postgres(t) = self {
            q.execute(&mut **t).await?;
        }
        Ok(())
    }
}

/// Events inside the scope the filter keeps (all but its cursor), as `AND`ed terms.
fn audit_where(scope: &Scope, f: &AuditFilter, binds: &mut Vec<String>) -> Vec<String> {
    let mut wh = vec![scope_filter("area_code", scope, binds)];
    let mut eq = |col: &str, v: &Option<String>, op: &str, binds: &mut Vec<String>| {
        if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
            binds.push(v.trim().to_string());
            wh.push(format!("{col} {op} ${}", binds.len()));
        }
    };
    eq("action", &f.action, "=", binds);
    eq("outcome", &f.outcome, "=", binds);
    eq("actor_login", &f.actor_login, "=", binds);
    eq("at", &f.from, ">=", binds);
    eq("at", &f.to, "<", binds);
    if let Some(p) = f.area_prefix.as_ref().filter(|p| !p.is_empty()) {
        binds.push(format!("{p}%"));
        wh.push(format!("area_code LIKE ${}", binds.len()));
    }
    wh
}

impl Db {
    /// Seals every queued event into its tenant's chain (PostgreSQL; nothing waits on SQLite),
    /// one transaction per tenant and batch; returns how many. Every reader of the log calls it
    /// first, so it sees each event committed before it asked; the server also runs it every
    /// 200 ms, so events wait unchained only for moments.
    pub async fn seal_audit(&self) -> Result<usize, StoreError> {
        let Db::Postgres(p) = self else {
            return Ok(0);
        };
        let tenants: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM audit_queue ORDER BY 1")
                .fetch_all(p)
                .await?;
        let mut sealed = 0;
        for t in &tenants {
            loop {
                let mut tx = self.begin().await?;
                let n = tx.seal_queued(t).await?;
                tx.commit().await?;
                sealed += n;
                if n < SEAL_BATCH as usize {
                    break;
                }
            }
        }
        Ok(sealed)
    }

    /// How many events inside the scope match the filter (its cursor aside).
    pub async fn count_audit_events(
        &self,
        scope: &Scope,
        f: &AuditFilter,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = audit_where(scope, f, &mut binds);
        self.count_where("audit_events", &wh.join(" AND "), &binds)
            .await
    }

    /// Events inside the scope matching the filter, newest first.
    pub async fn audit_events(
        &self,
        scope: &Scope,
        f: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEventRow>, StoreError> {
        self.seal_audit().await?;
        let mut binds: Vec<String> = Vec::new();
        let mut wh = audit_where(scope, f, &mut binds);
        let mut seq_bind = None;
        if let Some((at, tenant, seq)) = &f.before {
            binds.push(at.clone());
            let a = binds.len();
            binds.push(tenant.clone());
            let t = binds.len();
            wh.push(format!(
                "(at < ${a} OR (at = ${a} AND (tenant_id < ${t} OR (tenant_id = ${t} AND seq < ${}))))",
                t + 1
            ));
            seq_bind = Some(*seq);
        }
        let sql = format!(
            "SELECT {COLS} FROM audit_events WHERE {} ORDER BY at DESC, tenant_id DESC, seq DESC LIMIT {limit}",
            wh.join(" AND ")
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            if let Some(s) = seq_bind {
                q = q.bind(s);
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(event_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Walks every tenant's chain from the first event and reports the first broken link.
    pub async fn verify_audit(&self) -> Result<ChainReport, StoreError> {
        self.seal_audit().await?;
        let tenants: Vec<String> = on_pool!(self, c => {
            sqlx::query_scalar(
                "SELECT tenant_id FROM audit_heads UNION SELECT DISTINCT tenant_id FROM audit_events ORDER BY 1",
            )
            .fetch_all(c)
            .await?
        });
        let mut total = 0;
        for t in &tenants {
            let mut v = ChainVerifier::new(t);
            let mut after = 0i64;
            loop {
                let sql = format!(
                    "SELECT {COLS} FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000"
                );
                let batch: Vec<AuditEventRow> = on_pool!(self, c => {
                    let rows = sqlx::query(&sql).bind(t).bind(after).fetch_all(c).await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in &rows {
                        out.push(event_from_row!(r));
                    }
                    out
                });
                if batch.is_empty() {
                    break;
                }
                for e in &batch {
                    if let Err(b) = v.next(&e.record, &e.prev_hash, &e.hash) {
                        return Ok(ChainReport::Broken(b));
                    }
                    after = e.record.seq;
                }
            }
            // The head must point at the last event: a truncated tail is tampering too.
            let head: Option<(i64, String)> = on_pool!(self, c => {
                match sqlx::query("SELECT seq, hash FROM audit_heads WHERE tenant_id = $1")
                    .bind(t)
                    .fetch_optional(c)
                    .await?
                {
                    Some(r) => Some((r.try_get("seq")?, r.try_get("hash")?)),
                    None => None,
                }
            });
            if let Err(b) = v.check_head(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
                return Ok(ChainReport::Broken(b));
            }
            total += v.count();
        }
        Ok(ChainReport::Ok {
            tenants: tenants.len(),
            events: total,
        })
    }

    pub async fn audit_count(&self) -> Result<i64, StoreError> {
        self.seal_audit().await?;
        on_pool!(self, c => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(c).await?))
    }
}
