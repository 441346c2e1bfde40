//! Volunteers, service records and certificates (tenant tables).

mod people;

pub use people::VerifiedHours;

use crate::kernel::{scope_filter, Key, Keyset};
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use domain::identity::Scope;
use domain::volunteer::{RecordStatus, ServiceRecord, UnitKind, UnitRef, Volunteer};
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

/// A volunteer as an import sees them.
#[derive(Debug, Clone)]
pub struct VolunteerKey {
    pub tenant_id: String,
    pub id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub area: AreaCode,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VolunteerRow {
    pub tenant_id: String,
    pub id: String,
    pub user_id: Option<String>,
    #[serde(flatten)]
    pub volunteer: Volunteer,
    pub consent_version: String,
    pub consent_at: String,
    pub total_minutes: i64,
    pub record_count: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecordRow {
    pub id: String,
    pub volunteer_id: String,
    #[serde(flatten)]
    pub record: ServiceRecord,
    pub status: RecordStatus,
    pub corrects_id: Option<String>,
    pub correction_note: String,
    pub entered_by: Option<String>,
    pub entered_role: Option<String>,
    pub entered_at: String,
    pub decided_by: Option<String>,
    /// The recording unit picked from the registry; `None` for older rows, whose
    /// `organizing_unit` text is only a display name.
    pub unit: Option<UnitRef>,
    /// Entered or confirmed by its recording unit (what a volunteer enters alone is not, until
    /// the unit confirms it); only verified hours go on a certificate.
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateRow {
    pub code: String,
    pub volunteer_id: String,
    pub total_minutes: i64,
    pub record_count: i64,
    pub units: String,
    pub issued_at: String,
    /// What the certificate stated when issued (JSON of `CertificateContent`); `None` for
    /// certificates issued before contents were stored.
    pub content: Option<String>,
    /// The SHA-256 of `content`.
    pub content_hash: Option<String>,
}

const VCOLS: &str = "tenant_id, id, user_id, name, gender, area_code, skills, consent_version, consent_at, total_minutes, record_count, version";
const RCOLS: &str = "id, volunteer_id, activity_name, activity_date, place, content, minutes, organizing_unit, person_in_charge, \
    late, late_reason, status, corrects_id, correction_note, entered_by, entered_role, entered_at, decided_by, unit_kind, unit_id, verified";

macro_rules! volunteer_from_row {
    ($r:expr) => {{
        let r = $r;
        VolunteerRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            volunteer: Volunteer {
                name: r.try_get("name")?,
                gender: r.try_get("gender")?,
                area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
                skills: r.try_get("skills")?,
            },
            consent_version: r.try_get("consent_version")?,
            consent_at: r.try_get("consent_at")?,
            total_minutes: r.try_get("total_minutes")?,
            record_count: r.try_get("record_count")?,
            version: r.try_get("version")?,
        }
    }};
}

macro_rules! record_from_row {
    ($r:expr) => {{
        let r = $r;
        let date: String = r.try_get("activity_date")?;
        let status: String = r.try_get("status")?;
        RecordRow {
            id: r.try_get("id")?,
            volunteer_id: r.try_get("volunteer_id")?,
            record: ServiceRecord {
                activity_name: r.try_get("activity_name")?,
                activity_date: chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .unwrap_or_default(),
                place: r.try_get("place")?,
                content: r.try_get("content")?,
                minutes: r.try_get("minutes")?,
                organizing_unit: r.try_get("organizing_unit")?,
                person_in_charge: r.try_get("person_in_charge")?,
                late: r.try_get("late")?,
                late_reason: r.try_get("late_reason")?,
            },
            status: RecordStatus::parse(&status).unwrap_or(RecordStatus::Valid),
            corrects_id: r.try_get("corrects_id")?,
            correction_note: r.try_get("correction_note")?,
            entered_by: r.try_get("entered_by")?,
            entered_role: r.try_get("entered_role")?,
            entered_at: r.try_get("entered_at")?,
            decided_by: r.try_get("decided_by")?,
            unit: {
                let kind: Option<String> = r.try_get("unit_kind")?;
                let id: Option<String> = r.try_get("unit_id")?;
                match (kind.as_deref().and_then(UnitKind::parse), id) {
                    (Some(kind), Some(id)) => Some(UnitRef { kind, id }),
                    _ => None,
                }
            },
            verified: r.try_get("verified")?,
        }
    }};
}

/// The order of the volunteer register: name, id.
pub const VOLUNTEER_ORDER: Keyset = Keyset(&[Key::asc("name"), Key::asc("id")]);

/// Volunteers in the scope, optionally by name (contains).
fn volunteers_where(scope: &Scope, q: Option<&str>, binds: &mut Vec<String>) -> String {
    let mut wh = vec![scope_filter("area_code", scope, binds)];
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        binds.push(format!("%{}%", crate::area::like_escape(q.trim())));
        wh.push(format!("name LIKE ${} ESCAPE '\\'", binds.len()));
    }
    wh.join(" AND ")
}

impl Db {
    pub async fn volunteer(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<VolunteerRow>, StoreError> {
        let sql = format!("SELECT {VCOLS} FROM volunteers WHERE tenant_id = $1 AND id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(volunteer_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// The volunteer profiles of a signed-in person.
    pub async fn volunteers_of_user(&self, user_id: &str) -> Result<Vec<VolunteerRow>, StoreError> {
        let sql = format!("SELECT {VCOLS} FROM volunteers WHERE user_id = $1 ORDER BY created_at");
        on_pool!(self, c => {
            let rows = sqlx::query(&sql).bind(user_id).fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(volunteer_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Volunteers inside the scope (optionally by name), by name and id, after a cursor of
    /// that order.
    pub async fn volunteers(
        &self,
        scope: &Scope,
        q: Option<&str>,
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<VolunteerRow>, StoreError> {
        let mut binds = Vec::new();
        let wh = volunteers_where(scope, q, &mut binds);
        let wh = VOLUNTEER_ORDER.filter_after(&wh, after, &mut binds);
        let sql = format!(
            "SELECT {VCOLS} FROM volunteers WHERE {wh} ORDER BY {} LIMIT {limit}",
            VOLUNTEER_ORDER.order_by()
        );
        on_pool!(self, c => {
            let mut qy = sqlx::query(&sql);
            for b in &binds {
                qy = qy.bind(b.as_str());
            }
            let rows = qy.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(volunteer_from_row!(r));
            }
            Ok(out)
        })
    }

    /// How many volunteers the scope holds (optionally by name, as the list filters).
    pub async fn count_volunteers(
        &self,
        scope: &Scope,
        q: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = volunteers_where(scope, q, &mut binds);
        self.count_where("volunteers", &wh, &binds).await
    }

    /// A volunteer of the tenant with this name registered in this community (how an imported
    /// row is matched to the roster).
    pub async fn volunteer_matching(
        &self,
        tenant: &str,
        name: &str,
        area: &AreaCode,
    ) -> Result<Option<VolunteerRow>, StoreError> {
        let sql = format!("SELECT {VCOLS} FROM volunteers WHERE tenant_id = $1 AND area_code = $2 AND name = $3 ORDER BY id LIMIT 1");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(area.as_str()).bind(name).fetch_optional(c).await? {
                Some(r) => Ok(Some(volunteer_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Volunteers of one tenant by id, in one query per 2,000 ids. (`CROSS JOIN` keeps SQLite's
    /// planner from scanning the whole tenant once per id: the JSON list must be the outer loop.)
    /// What an import needs of each volunteer it names (id, name, account, area), 2,000 per
    /// query; unknown ids are simply absent.
    pub async fn volunteer_keys(
        &self,
        tenant: &str,
        ids: &[String],
    ) -> Result<Vec<VolunteerKey>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(2000) {
            let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let sql = match self.backend() {
                crate::Backend::Sqlite => "SELECT v.id, v.user_id, v.name, v.area_code FROM json_each($2) j CROSS JOIN volunteers v ON v.tenant_id = $1 AND v.id = j.value",
                crate::Backend::Postgres => "SELECT v.id, v.user_id, v.name, v.area_code FROM json_array_elements_text($2::json) j(x) JOIN volunteers v ON v.tenant_id = $1 AND v.id = j.x",
            };
            let rows: Vec<(String, Option<String>, String, String)> = on_pool!(self, c => {
                sqlx::query_as(sql).bind(tenant).bind(&json).fetch_all(c).await?
            });
            out.extend(
                rows.into_iter()
                    .map(|(id, user_id, name, area)| VolunteerKey {
                        tenant_id: tenant.to_string(),
                        id,
                        user_id,
                        name,
                        area: AreaCode::from_stored(&area),
                    }),
            );
        }
        Ok(out)
    }

    /// The records of these volunteers of one tenant, by volunteer then date (an export's
    /// page): one index range per volunteer, 500 volunteers per query.
    pub async fn records_of_volunteers(
        &self,
        tenant: &str,
        ids: &[String],
    ) -> Result<Vec<RecordRow>, StoreError> {
        let mut out = Vec::new();
        let cols: String = RCOLS
            .split(", ")
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        for chunk in ids.chunks(500) {
            let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let sql = match self.backend() {
                crate::Backend::Sqlite => format!("SELECT {cols} FROM json_each($2) j CROSS JOIN service_records r ON r.tenant_id = $1 AND r.volunteer_id = j.value ORDER BY j.key, r.activity_date, r.id"),
                crate::Backend::Postgres => format!("SELECT {cols} FROM json_array_elements_text($2::json) WITH ORDINALITY j(x, n) JOIN service_records r ON r.tenant_id = $1 AND r.volunteer_id = j.x ORDER BY j.n, r.activity_date, r.id"),
            };
            on_pool!(self, c => {
                for r in &sqlx::query(&sql).bind(tenant).bind(&json).fetch_all(c).await? {
                    out.push(record_from_row!(r));
                }
            });
        }
        Ok(out)
    }

    /// A volunteer's records, newest activity first, at most `limit`.
    /// A volunteer's records, newest first, `limit` at most; `before` (activity date, id) gives
    /// the page after an earlier one.
    pub async fn service_records(
        &self,
        tenant: &str,
        volunteer_id: &str,
        limit: i64,
        before: Option<(&str, &str)>,
    ) -> Result<Vec<RecordRow>, StoreError> {
        let keyset = if before.is_some() {
            "AND (activity_date < $3 OR (activity_date = $3 AND id < $4))"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {RCOLS} FROM service_records WHERE tenant_id = $1 AND volunteer_id = $2 {keyset} ORDER BY activity_date DESC, id DESC LIMIT {limit}"
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql).bind(tenant).bind(volunteer_id);
            if let Some((date, id)) = before {
                q = q.bind(date).bind(id);
            }
            let rows = q.fetch_all(c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(record_from_row!(r));
            }
            Ok(out)
        })
    }

    pub async fn certificate(
        &self,
        tenant: &str,
        code: &str,
    ) -> Result<Option<CertificateRow>, StoreError> {
        on_pool!(self, c => {
            match sqlx::query("SELECT code, volunteer_id, total_minutes, record_count, units, issued_at, content, content_hash FROM volunteer_certificates WHERE tenant_id = $1 AND code = $2")
                .bind(tenant).bind(code).fetch_optional(c).await?
            {
                Some(r) => Ok(Some(CertificateRow {
                    code: r.try_get("code")?,
                    volunteer_id: r.try_get("volunteer_id")?,
                    total_minutes: r.try_get("total_minutes")?,
                    record_count: r.try_get("record_count")?,
                    units: r.try_get("units")?,
                    issued_at: r.try_get("issued_at")?,
                    content: r.try_get("content")?,
                    content_hash: r.try_get("content_hash")?,
                })),
                None => Ok(None),
            }
        })
    }

    /// The volunteer a record belongs to.
    pub async fn volunteer_of_record(
        &self,
        tenant: &str,
        record_id: &str,
    ) -> Result<Option<String>, StoreError> {
        on_pool!(self, c => {
            Ok(sqlx::query_scalar("SELECT volunteer_id FROM service_records WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(record_id).fetch_optional(c).await?)
        })
    }
}

/// One imported record, ready to insert.
pub struct ImportedRecord<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub volunteer_id: &'a str,
    pub record: &'a ServiceRecord,
    pub source_key: &'a str,
    /// The role in which the importer may record for this volunteer.
    pub entered_role: Option<&'a str>,
}

const INSERT_IMPORTED: &str = "INSERT INTO service_records (tenant_id, id, volunteer_id, activity_name, activity_date, place, content, minutes, organizing_unit, \
     person_in_charge, late, late_reason, status, corrects_id, correction_note, entered_by, entered_role, entered_at, source_key) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'valid', NULL, '', ?13, ?14, ?15, ?16) \
     ON CONFLICT (tenant_id, volunteer_id, source_key) WHERE source_key IS NOT NULL DO NOTHING";

/// Writes imported records synchronously on a SQLite transaction (see `Tx::with_record_writer`).
pub struct RecordWriter<'p> {
    prepared: &'p mut crate::bulk::Prepared,
    entered_by: &'p str,
    now: &'p str,
}

impl RecordWriter<'_> {
    /// Inserts the records and tells, row by row, which went in (see `insert_records_bulk`).
    pub fn insert(&mut self, rows: &[ImportedRecord<'_>]) -> Result<Vec<bool>, StoreError> {
        let dates: Vec<String> = rows
            .iter()
            .map(|r| r.record.activity_date.format("%Y-%m-%d").to_string())
            .collect();
        let (entered_by, now) = (self.entered_by, self.now);
        self.prepared.run(rows.len(), |i| {
            let r = &rows[i];
            [
                r.tenant.into(),
                r.id.into(),
                r.volunteer_id.into(),
                r.record.activity_name.as_str().into(),
                dates[i].as_str().into(),
                r.record.place.as_str().into(),
                r.record.content.as_str().into(),
                r.record.minutes.into(),
                r.record.organizing_unit.as_str().into(),
                r.record.person_in_charge.as_str().into(),
                r.record.late.into(),
                r.record.late_reason.as_str().into(),
                entered_by.into(),
                r.entered_role.into(),
                now.into(),
                r.source_key.into(),
            ]
        })
    }
}

/// A volunteer's service record, or a requested correction of one (`Tx::insert_record`).
#[derive(Debug, Clone, Copy)]
pub struct NewRecord<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    pub volunteer_id: &'a str,
    pub record: &'a ServiceRecord,
    pub status: RecordStatus,
    /// The record a correction request would replace; `None` for a new record.
    pub corrects_id: Option<&'a str>,
    /// Why the correction is asked for; empty for a new record.
    pub correction_note: &'a str,
    /// The login or user id of who entered it.
    pub entered_by: &'a str,
    /// Their role, as stored (`Role::as_str`), if any.
    pub entered_role: Option<&'a str>,
    /// The recording unit picked from the registry.
    pub unit: Option<&'a UnitRef>,
    /// Entered by that unit itself (else it waits for the unit's confirmation).
    pub verified: bool,
    pub now: &'a str,
}

/// A certificate of a volunteer's totals (`Tx::insert_certificate`).
#[derive(Debug, Clone, Copy)]
pub struct NewCertificate<'a> {
    pub tenant: &'a str,
    /// The verification code printed on the certificate.
    pub code: &'a str,
    pub volunteer_id: &'a str,
    /// The volunteer's total minutes when issued.
    pub total_minutes: i64,
    /// The volunteer's valid records when issued.
    pub record_count: i64,
    /// The organizing units of the records, joined for the certificate.
    pub units: &'a str,
    pub issued_by: &'a str,
    pub now: &'a str,
    /// What the certificate states, as JSON, and its SHA-256.
    pub content: &'a str,
    pub content_hash: &'a str,
}

impl Tx {
    /// On SQLite, runs `f` with a writer that inserts imported records synchronously on this
    /// transaction's connection, so that the caller can check the next rows on other threads
    /// while SQLite writes these; on PostgreSQL (whose driver is asynchronous) `f` gets `None`
    /// and the caller uses `insert_records_bulk`.
    pub async fn with_record_writer<T>(
        &mut self,
        entered_by: &str,
        now: &str,
        f: impl FnOnce(Option<&mut RecordWriter<'_>>) -> T,
    ) -> Result<T, StoreError> {
        match self {
            Tx::Sqlite(t) => {
                crate::bulk::with_prepared(&mut *t, INSERT_IMPORTED, |prepared| {
                    f(Some(&mut RecordWriter {
                        prepared,
                        entered_by,
                        now,
                    }))
                })
                .await
            }
            Tx::Postgres(_) => Ok(f(None)),
        }
    }

    /// Inserts many records at once and tells, row by row, which went in: a row whose
    /// fingerprint (`source_key`) the volunteer already has is skipped (`ON CONFLICT … DO NOTHING`
    /// on the unique source index), which is how a re-imported file changes nothing without a
    /// separate probe. On SQLite one prepared statement is stepped per row through the C API
    /// (see `bulk`); on PostgreSQL the rows travel as one JSON parameter per 2,000 that the
    /// server unpacks (`json_array_elements`), which sidesteps the per-parameter cost of very
    /// wide statements.
    pub async fn insert_records_bulk(
        &mut self,
        rows: &[ImportedRecord<'_>],
        entered_by: &str,
        now: &str,
    ) -> Result<Vec<bool>, StoreError> {
        if let Tx::Sqlite(_) = self {
            return self
                .with_record_writer(entered_by, now, |w| match w {
                    Some(w) => w.insert(rows),
                    None => Ok(Vec::new()),
                })
                .await?;
        }
        let mut inserted = std::collections::HashSet::new();
        for chunk in rows.chunks(2000) {
            let arr: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| {
                    serde_json::json!([
                        r.tenant,
                        r.id,
                        r.volunteer_id,
                        r.record.activity_name,
                        r.record.activity_date.format("%Y-%m-%d").to_string(),
                        r.record.place,
                        r.record.content,
                        r.record.minutes,
                        r.record.organizing_unit,
                        r.record.person_in_charge,
                        r.record.late,
                        r.record.late_reason,
                        r.entered_role,
                        r.source_key
                    ])
                })
                .collect();
            let json = serde_json::Value::Array(arr).to_string();
            let sql = "INSERT INTO service_records (tenant_id, id, volunteer_id, activity_name, activity_date, place, content, minutes, organizing_unit, \
                 person_in_charge, late, late_reason, status, corrects_id, correction_note, entered_by, entered_role, entered_at, source_key) \
                 SELECT v->>0, v->>1, v->>2, v->>3, v->>4, v->>5, v->>6, (v->>7)::bigint, v->>8, v->>9, \
                 (v->>10)::boolean, v->>11, 'valid', NULL, '', $1, v->>12, $2, v->>13 FROM json_array_elements($3::json) AS v \
                 ON CONFLICT (tenant_id, volunteer_id, source_key) WHERE source_key IS NOT NULL DO NOTHING RETURNING tenant_id, id";
            let ids: Vec<(String, String)> = on_tx!(self, c => {
                sqlx::query_as(sql).bind(entered_by).bind(now).bind(&json).fetch_all(&mut *c).await?
            });
            inserted.extend(ids);
        }
        Ok(rows
            .iter()
            .map(|r| inserted.contains(&(r.tenant.to_string(), r.id.to_string())))
            .collect())
    }

    /// Adds many volunteers' totals at once: `(volunteer id, minutes, records)`.
    pub async fn add_to_totals_bulk(
        &mut self,
        tenant: &str,
        deltas: &[(String, i64, i64)],
        now: &str,
    ) -> Result<(), StoreError> {
        if let Tx::Sqlite(t) = self {
            let sql = "UPDATE volunteers SET total_minutes = total_minutes + ?3, record_count = record_count + ?4, \
                updated_at = ?2 WHERE tenant_id = ?1 AND id = ?5";
            crate::bulk::insert_many(&mut *t, sql, deltas.len(), |i| {
                let (id, m, n) = &deltas[i];
                [
                    tenant.into(),
                    now.into(),
                    (*m).into(),
                    (*n).into(),
                    id.as_str().into(),
                ]
            })
            .await?;
            return Ok(());
        }
        for chunk in deltas.chunks(2000) {
            let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let sql = "UPDATE volunteers v SET total_minutes = v.total_minutes + (j->>1)::bigint, record_count = v.record_count + (j->>2)::bigint, \
                    updated_at = $2 FROM json_array_elements($3::json) j WHERE v.tenant_id = $1 AND v.id = j->>0";
            on_tx!(self, c => {
                sqlx::query(sql).bind(tenant).bind(now).bind(&json).execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    pub async fn insert_volunteer(
        &mut self,
        tenant: &str,
        id: &str,
        user_id: Option<&str>,
        v: &Volunteer,
        consent_version: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO volunteers (tenant_id, id, user_id, name, gender, area_code, skills, consent_version, consent_at, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$9)",
            )
            .bind(tenant).bind(id).bind(user_id).bind(&v.name).bind(&v.gender).bind(v.area.as_str()).bind(&v.skills).bind(consent_version).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn record_for_update(
        &mut self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<RecordRow>, StoreError> {
        let mut sql =
            format!("SELECT {RCOLS} FROM service_records WHERE tenant_id = $1 AND id = $2");
        if self.backend() == crate::Backend::Postgres {
            sql.push_str(" FOR UPDATE");
        }
        on_tx!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(&mut *c).await? {
                Some(r) => Ok(Some(record_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    pub async fn insert_record(&mut self, new: &NewRecord<'_>) -> Result<(), StoreError> {
        let NewRecord {
            tenant,
            id,
            volunteer_id,
            record: r,
            status,
            corrects_id,
            correction_note,
            entered_by,
            entered_role,
            unit,
            verified,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO service_records (tenant_id, id, volunteer_id, activity_name, activity_date, place, content, minutes, organizing_unit, \
                 person_in_charge, late, late_reason, status, corrects_id, correction_note, entered_by, entered_role, entered_at, \
                 unit_kind, unit_id, verified, verified_by, verified_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)",
            )
            .bind(tenant).bind(id).bind(volunteer_id).bind(&r.activity_name).bind(r.activity_date.format("%Y-%m-%d").to_string())
            .bind(&r.place).bind(&r.content).bind(r.minutes).bind(&r.organizing_unit).bind(&r.person_in_charge)
            .bind(r.late).bind(&r.late_reason).bind(status.as_str()).bind(corrects_id).bind(correction_note)
            .bind(entered_by).bind(entered_role).bind(now)
            .bind(unit.map(|u| u.kind.as_str())).bind(unit.map(|u| u.id.as_str())).bind(verified)
            .bind(verified.then_some(entered_by)).bind(verified.then_some(now))
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Moves a record from one status to another only if it is still in `from`; tells whether
    /// it moved (one row affected). Two deciders of the same record cannot both move it: the
    /// second finds it no longer in `from` (PostgreSQL re-checks the row after the first
    /// commits; SQLite runs one writer at a time).
    pub async fn move_record_status(
        &mut self,
        tenant: &str,
        id: &str,
        from: RecordStatus,
        to: RecordStatus,
        decided_by: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => {
            sqlx::query("UPDATE service_records SET status = $1, decided_by = $2, decided_at = $3 WHERE tenant_id = $4 AND id = $5 AND status = $6")
                .bind(to.as_str()).bind(decided_by).bind(now).bind(tenant).bind(id).bind(from.as_str())
                .execute(&mut *c).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Adds to a volunteer's maintained totals (negative to subtract).
    pub async fn add_to_totals(
        &mut self,
        tenant: &str,
        volunteer_id: &str,
        minutes: i64,
        records: i64,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "UPDATE volunteers SET total_minutes = total_minutes + $1, record_count = record_count + $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
            )
            .bind(minutes).bind(records).bind(now).bind(tenant).bind(volunteer_id)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_certificate(&mut self, new: &NewCertificate<'_>) -> Result<(), StoreError> {
        let NewCertificate {
            tenant,
            code,
            volunteer_id,
            total_minutes,
            record_count,
            units,
            issued_by,
            now,
            content,
            content_hash,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO volunteer_certificates (tenant_id, code, volunteer_id, total_minutes, record_count, units, issued_at, issued_by, content, content_hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
            )
            .bind(tenant).bind(code).bind(volunteer_id).bind(total_minutes).bind(record_count).bind(units).bind(now).bind(issued_by)
            .bind(content).bind(content_hash)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The sum of a volunteer's valid records, computed (to check the maintained total).
    pub async fn recount(
        &mut self,
        tenant: &str,
        volunteer_id: &str,
    ) -> Result<(i64, i64), StoreError> {
        on_tx!(self, c => {
            let r = sqlx::query("SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS m, COUNT(*) AS n FROM service_records WHERE tenant_id = $1 AND volunteer_id = $2 AND status = 'valid'")
                .bind(tenant).bind(volunteer_id).fetch_one(&mut *c).await?;
            let m: i64 = r.try_get("m")?;
            let n: i64 = r.try_get("n")?;
            Ok((m, n))
        })
    }
}
