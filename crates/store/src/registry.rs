//! Registries: organizations (tenant tables), read through a scope.

use crate::bulk::Param;
use crate::kernel::{scope_filter, sqlite_json_page};
use crate::{on_pool, on_tx, Db, StoreError, Tx};
use chrono::NaiveDate;
use domain::ident::LegalForm;
use domain::identity::Scope;
use domain::registry::{OrgCategory, Organization, RegistrationStatus};
use domain::AreaCode;
use schemars::JsonSchema;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct OrgRow {
    pub tenant_id: String,
    pub id: String,
    #[serde(flatten)]
    pub org: Organization,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrgVersionRow {
    pub version: i64,
    pub snapshot: serde_json::Value,
    pub changed_by: Option<String>,
    pub changed_role: Option<String>,
    pub changed_at: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncubationRow {
    pub id: String,
    pub incubator: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DisclosureRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub occurred_on: String,
    pub created_at: String,
}

/// Filters of the organization list; every one optional.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub area: Option<AreaCode>,
    pub category: Option<OrgCategory>,
    pub status: Option<RegistrationStatus>,
    pub grade: Option<i64>,
    pub hub: Option<bool>,
    pub brand: Option<bool>,
    pub incubated: Option<bool>,
    /// Name fragment or exact USCC.
    pub q: Option<String>,
    /// Keyset cursor: the (name, id) of the last row of the previous page.
    pub after: Option<(String, String)>,
}

const COLS: &str = "o.tenant_id, o.id, o.name, o.uscc, o.legal_form, o.registration_status, o.category, o.area_code, \
    o.is_hub, o.is_brand, o.grade, o.grade_date, o.address, o.description, o.version, o.created_at, o.updated_at";

macro_rules! org_from_row {
    ($r:expr) => {{
        let r = $r;
        let lf: Option<String> = r.try_get("legal_form")?;
        let st: String = r.try_get("registration_status")?;
        let cat: String = r.try_get("category")?;
        let gd: Option<String> = r.try_get("grade_date")?;
        OrgRow {
            tenant_id: r.try_get("tenant_id")?,
            id: r.try_get("id")?,
            org: Organization {
                name: r.try_get("name")?,
                uscc: r.try_get("uscc")?,
                legal_form: lf.as_deref().and_then(LegalForm::parse),
                registration_status: RegistrationStatus::parse(&st)
                    .unwrap_or(RegistrationStatus::CommunityManaged),
                category: OrgCategory::parse(&cat).unwrap_or(OrgCategory::LifeServices),
                area: AreaCode::from_stored(&r.try_get::<String, _>("area_code")?),
                is_hub: r.try_get("is_hub")?,
                is_brand: r.try_get("is_brand")?,
                grade: r.try_get("grade")?,
                grade_date: gd.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                address: r.try_get("address")?,
                description: r.try_get("description")?,
            },
            version: r.try_get("version")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        }
    }};
}

/// An organization row as SQLite's `json_object` writes it (booleans as 0/1).
#[derive(serde::Deserialize)]
struct RawOrg {
    tenant_id: String,
    id: String,
    name: String,
    uscc: Option<String>,
    legal_form: Option<String>,
    registration_status: String,
    category: String,
    area_code: String,
    is_hub: i64,
    is_brand: i64,
    grade: Option<i64>,
    grade_date: Option<String>,
    address: String,
    description: String,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl RawOrg {
    fn into_row(self) -> OrgRow {
        OrgRow {
            tenant_id: self.tenant_id,
            id: self.id,
            org: Organization {
                name: self.name,
                uscc: self.uscc,
                legal_form: self.legal_form.as_deref().and_then(LegalForm::parse),
                registration_status: RegistrationStatus::parse(&self.registration_status)
                    .unwrap_or(RegistrationStatus::CommunityManaged),
                category: OrgCategory::parse(&self.category).unwrap_or(OrgCategory::LifeServices),
                area: AreaCode::from_stored(&self.area_code),
                is_hub: self.is_hub != 0,
                is_brand: self.is_brand != 0,
                grade: self.grade,
                grade_date: self
                    .grade_date
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                address: self.address,
                description: self.description,
            },
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The organizations inside the scope the filter keeps (all but its cursor), as `AND`ed terms.
fn org_where(scope: &Scope, f: &OrgFilter, binds: &mut Vec<String>) -> Vec<String> {
    let mut wh = vec![scope_filter("o.area_code", scope, binds)];
    // The tenant prefix lets the (tenant_id, …) indexes serve a city's or county's list.
    let tenants: Vec<&str> = scope.roots().iter().filter_map(|r| r.tenant()).collect();
    if !tenants.is_empty() && tenants.len() == scope.roots().len() {
        let ph: Vec<String> = tenants
            .iter()
            .map(|t| {
                binds.push(t.to_string());
                format!("${}", binds.len())
            })
            .collect();
        wh.push(format!("o.tenant_id IN ({})", ph.join(",")));
    }
    fn bind(binds: &mut Vec<String>, v: &str) -> String {
        binds.push(v.to_string());
        format!("${}", binds.len())
    }
    if let Some(a) = &f.area {
        // The area's city is the tenant: naming it lets the (tenant_id, area_code, …) index
        // serve even a national reader's list of one county.
        if let Some(t) = a.tenant() {
            wh.push(format!("o.tenant_id = {}", bind(binds, t)));
        }
        wh.push(crate::kernel::prefix_filter(
            "o.area_code",
            a.as_str(),
            binds,
        ));
    }
    if let Some(c) = f.category {
        wh.push(format!("o.category = {}", bind(binds, c.as_str())));
    }
    if let Some(s) = f.status {
        wh.push(format!(
            "o.registration_status = {}",
            bind(binds, s.as_str())
        ));
    }
    if let Some(q) = f.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
        binds.push(format!("%{}%", crate::area::like_escape(q)));
        let a = binds.len();
        binds.push(q.to_uppercase());
        wh.push(format!(
            "(o.name LIKE ${a} ESCAPE '\\' OR o.uscc = ${})",
            a + 1
        ));
    }
    if let Some(g) = f.grade {
        wh.push(format!("o.grade = {g}"));
    }
    for (col, v) in [("o.is_hub", f.hub), ("o.is_brand", f.brand)] {
        if let Some(b) = v {
            wh.push(format!("{col} = {}", if b { "TRUE" } else { "FALSE" }));
        }
    }
    if let Some(i) = f.incubated {
        wh.push(format!(
            "{}EXISTS (SELECT 1 FROM organization_incubations i WHERE i.tenant_id = o.tenant_id AND i.organization_id = o.id)",
            if i { "" } else { "NOT " }
        ));
    }
    wh
}

impl Db {
    pub async fn organization(&self, tenant: &str, id: &str) -> Result<Option<OrgRow>, StoreError> {
        let sql =
            format!("SELECT {COLS} FROM organizations o WHERE o.tenant_id = $1 AND o.id = $2");
        on_pool!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(c).await? {
                Some(r) => Ok(Some(org_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// How many organizations inside the scope the filter keeps (its cursor aside).
    pub async fn count_organizations(
        &self,
        scope: &Scope,
        f: &OrgFilter,
    ) -> Result<i64, StoreError> {
        let mut binds = Vec::new();
        let wh = org_where(scope, f, &mut binds);
        self.count_where("organizations o", &wh.join(" AND "), &binds)
            .await
    }

    /// Organizations inside the scope matching the filter, by name then id, `limit` at a time.
    pub async fn organizations(
        &self,
        scope: &Scope,
        f: &OrgFilter,
        limit: i64,
    ) -> Result<Vec<OrgRow>, StoreError> {
        let mut binds: Vec<String> = Vec::new();
        let mut wh = org_where(scope, f, &mut binds);
        if let Some((name, id)) = &f.after {
            binds.push(name.clone());
            let a = binds.len();
            binds.push(id.clone());
            // With the cursor bound as a parameter SQLite's planner would walk the tenant's name
            // index from the cursor (3x slower than the area index and a sort of one county's
            // rows); a unary `+` keeps this term off the indexes. PostgreSQL has no `+` for text.
            let name_col = match self.backend() {
                crate::Backend::Sqlite => "+o.name",
                crate::Backend::Postgres => "o.name",
            };
            wh.push(format!(
                "({name_col} > ${a} OR ({name_col} = ${a} AND o.id > ${}))",
                a + 1
            ));
        }
        let sql = format!(
            "SELECT {COLS} FROM organizations o WHERE {} ORDER BY o.name, o.id LIMIT {limit}",
            wh.join(" AND ")
        );
        match self {
            Db::Sqlite(pool) => {
                let raw: Vec<RawOrg> =
                    sqlite_json_page(pool, COLS, &sql, &binds, "organization page").await?;
                let mut out: Vec<OrgRow> = raw.into_iter().map(RawOrg::into_row).collect();
                // The aggregate keeps the subquery's order in practice; sorting makes it certain.
                out.sort_by(|a, b| (&a.org.name, &a.id).cmp(&(&b.org.name, &b.id)));
                Ok(out)
            }
            Db::Postgres(pool) => {
                let mut q = sqlx::query(&sql);
                for b in &binds {
                    q = q.bind(b.as_str());
                }
                let rows = q.fetch_all(pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    out.push(org_from_row!(r));
                }
                Ok(out)
            }
        }
    }

    /// Organizations of one tenant that have one of these credit codes or one of these
    /// (name, area) pairs — an import's matches, 1,000 keys per query, each key one index probe
    /// (`CROSS JOIN` keeps SQLite's planner driving the loop from the list).
    pub async fn organizations_matching_bulk(
        &self,
        tenant: &str,
        usccs: &[String],
        names: &[(String, String)],
    ) -> Result<Vec<OrgRow>, StoreError> {
        let mut out = Vec::new();
        let cols: String = COLS.to_string();
        for chunk in usccs.chunks(1000) {
            let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let sql = match self.backend() {
                crate::Backend::Sqlite => format!("SELECT {cols} FROM json_each($2) j CROSS JOIN organizations o ON o.tenant_id = $1 AND o.uscc = j.value"),
                crate::Backend::Postgres => format!("SELECT {cols} FROM json_array_elements_text($2::json) j(x) JOIN organizations o ON o.tenant_id = $1 AND o.uscc = j.x"),
            };
            on_pool!(self, c => {
                for r in &sqlx::query(&sql).bind(tenant).bind(&json).fetch_all(c).await? {
                    out.push(org_from_row!(r));
                }
            });
        }
        for chunk in names.chunks(1000) {
            let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
            let sql = match self.backend() {
                crate::Backend::Sqlite => format!("SELECT {cols} FROM json_each($2) j CROSS JOIN organizations o ON o.tenant_id = $1 AND o.name = j.value->>0 AND o.area_code = j.value->>1"),
                crate::Backend::Postgres => format!("SELECT {cols} FROM json_array_elements($2::json) j JOIN organizations o ON o.tenant_id = $1 AND o.name = j->>0 AND o.area_code = j->>1"),
            };
            on_pool!(self, c => {
                for r in &sqlx::query(&sql).bind(tenant).bind(&json).fetch_all(c).await? {
                    out.push(org_from_row!(r));
                }
            });
        }
        Ok(out)
    }

    pub async fn organization_versions(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Vec<OrgVersionRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT version, snapshot, changed_by, changed_role, changed_at FROM organization_versions \
                 WHERE tenant_id = $1 AND organization_id = $2 ORDER BY version DESC",
            )
            .bind(tenant)
            .bind(id)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let snap: String = r.try_get("snapshot")?;
                out.push(OrgVersionRow {
                    version: r.try_get("version")?,
                    snapshot: serde_json::from_str(&snap).unwrap_or(serde_json::Value::Null),
                    changed_by: r.try_get("changed_by")?,
                    changed_role: r.try_get("changed_role")?,
                    changed_at: r.try_get("changed_at")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn incubations(
        &self,
        tenant: &str,
        org: &str,
    ) -> Result<Vec<IncubationRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, incubator, started_on, ended_on, outcome FROM organization_incubations \
                 WHERE tenant_id = $1 AND organization_id = $2 ORDER BY started_on, id",
            )
            .bind(tenant)
            .bind(org)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(IncubationRow {
                    id: r.try_get("id")?,
                    incubator: r.try_get("incubator")?,
                    started_on: r.try_get("started_on")?,
                    ended_on: r.try_get("ended_on")?,
                    outcome: r.try_get("outcome")?,
                });
            }
            Ok(out)
        })
    }

    /// The latest disclosures (kind, title, date) of several organizations of one tenant, at most
    /// `per_org` each, in one query (the public directory): (organization id, row).
    pub async fn latest_disclosures(
        &self,
        tenant: &str,
        orgs: &[String],
        per_org: usize,
    ) -> Result<Vec<(String, DisclosureRow)>, StoreError> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..orgs.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT organization_id, id, kind, title, occurred_on, created_at FROM organization_disclosures \
             WHERE tenant_id = $1 AND organization_id IN ({}) ORDER BY occurred_on DESC, id DESC LIMIT {}",
            marks.join(", "),
            orgs.len() * per_org.max(1) * 4
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql).bind(tenant);
            for o in orgs {
                q = q.bind(o.as_str());
            }
            let rows = q.fetch_all(c).await?;
            let mut out: Vec<(String, DisclosureRow)> = Vec::new();
            for r in &rows {
                let org: String = r.try_get("organization_id")?;
                if out.iter().filter(|(o, _)| *o == org).count() >= per_org {
                    continue;
                }
                out.push((
                    org,
                    DisclosureRow {
                        id: r.try_get("id")?,
                        kind: r.try_get("kind")?,
                        title: r.try_get("title")?,
                        body: String::new(),
                        occurred_on: r.try_get("occurred_on")?,
                        created_at: r.try_get("created_at")?,
                    },
                ));
            }
            Ok(out)
        })
    }

    pub async fn disclosures(
        &self,
        tenant: &str,
        org: &str,
    ) -> Result<Vec<DisclosureRow>, StoreError> {
        on_pool!(self, c => {
            let rows = sqlx::query(
                "SELECT id, kind, title, body, occurred_on, created_at FROM organization_disclosures \
                 WHERE tenant_id = $1 AND organization_id = $2 ORDER BY occurred_on DESC, id DESC",
            )
            .bind(tenant)
            .bind(org)
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(DisclosureRow {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    occurred_on: r.try_get("occurred_on")?,
                    created_at: r.try_get("created_at")?,
                });
            }
            Ok(out)
        })
    }
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// A snapshot of an organization as one of its versions (`Tx::insert_org_version`).
#[derive(Debug, Clone, Copy)]
pub struct NewOrgVersion<'a> {
    pub tenant: &'a str,
    /// The organization's id.
    pub id: &'a str,
    pub version: i64,
    pub org: &'a Organization,
    /// The login of who made the change, if any.
    pub changed_by: Option<&'a str>,
    /// Their role, as stored (`Role::as_str`).
    pub changed_role: Option<&'a str>,
    pub now: &'a str,
}

/// An organization's stay in an incubator (`Tx::insert_incubation`).
#[derive(Debug, Clone, Copy)]
pub struct NewIncubation<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    /// The organization's id.
    pub org: &'a str,
    pub incubator: &'a str,
    /// `YYYY-MM-DD`.
    pub started_on: &'a str,
    /// `YYYY-MM-DD`; `None` while still incubated.
    pub ended_on: Option<&'a str>,
    pub outcome: &'a str,
    pub now: &'a str,
}

/// A disclosure about an organization (`Tx::insert_disclosure`).
#[derive(Debug, Clone, Copy)]
pub struct NewDisclosure<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
    /// The organization's id.
    pub org: &'a str,
    /// The disclosure's kind, as stored.
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// `YYYY-MM-DD`.
    pub occurred_on: &'a str,
    /// The login of who recorded it, if any.
    pub created_by: Option<&'a str>,
    pub now: &'a str,
}

impl Tx {
    pub async fn organization_for_update(
        &mut self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<OrgRow>, StoreError> {
        let mut sql =
            format!("SELECT {COLS} FROM organizations o WHERE o.tenant_id = $1 AND o.id = $2");
        if self.backend() == crate::Backend::Postgres {
            sql.push_str(" FOR UPDATE");
        }
        on_tx!(self, c => {
            match sqlx::query(&sql).bind(tenant).bind(id).fetch_optional(&mut *c).await? {
                Some(r) => Ok(Some(org_from_row!(&r))),
                None => Ok(None),
            }
        })
    }

    pub async fn insert_organization(
        &mut self,
        tenant: &str,
        id: &str,
        o: &Organization,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO organizations (tenant_id, id, name, uscc, legal_form, registration_status, category, area_code, \
                 is_hub, is_brand, grade, grade_date, address, description, version, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1,$15,$15)",
            )
            .bind(tenant)
            .bind(id)
            .bind(&o.name)
            .bind(&o.uscc)
            .bind(o.legal_form.map(|l| l.as_str()))
            .bind(o.registration_status.as_str())
            .bind(o.category.as_str())
            .bind(o.area.as_str())
            .bind(o.is_hub)
            .bind(o.is_brand)
            .bind(o.grade)
            .bind(date(o.grade_date))
            .bind(&o.address)
            .bind(&o.description)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Inserts many new organizations, each with its first version, as two bulk inserts (an
    /// import): `(tenant, id, organization, role of the person recording it)`.
    pub async fn insert_organizations_bulk(
        &mut self,
        rows: &[(&str, &str, &Organization, Option<&str>)],
        changed_by: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        let texts: Vec<(Option<String>, String)> = rows
            .iter()
            .map(|(_, _, o, _)| {
                (
                    date(o.grade_date),
                    serde_json::to_string(o).unwrap_or_default(),
                )
            })
            .collect();
        let orgs: Vec<Vec<Param>> = rows
            .iter()
            .zip(&texts)
            .map(|((tenant, id, o, _), (grade_date, _))| {
                vec![
                    (*tenant).into(),
                    (*id).into(),
                    o.name.as_str().into(),
                    o.uscc.as_deref().into(),
                    o.legal_form.map(|l| l.as_str()).into(),
                    o.registration_status.as_str().into(),
                    o.category.as_str().into(),
                    o.area.as_str().into(),
                    o.is_hub.into(),
                    o.is_brand.into(),
                    o.grade.into(),
                    grade_date.as_deref().into(),
                    o.address.as_str().into(),
                    o.description.as_str().into(),
                    1i64.into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        self.bulk_insert(
            "organizations",
            &[
                "tenant_id",
                "id",
                "name",
                "uscc",
                "legal_form",
                "registration_status",
                "category",
                "area_code",
                "is_hub",
                "is_brand",
                "grade",
                "grade_date",
                "address",
                "description",
                "version",
                "created_at",
                "updated_at",
            ],
            &orgs,
        )
        .await?;
        let versions: Vec<Vec<Param>> = rows
            .iter()
            .zip(&texts)
            .map(|((tenant, id, _, role), (_, snapshot))| {
                vec![
                    (*tenant).into(),
                    (*id).into(),
                    1i64.into(),
                    snapshot.as_str().into(),
                    changed_by.into(),
                    (*role).into(),
                    now.into(),
                ]
            })
            .collect();
        self.bulk_insert(
            "organization_versions",
            &[
                "tenant_id",
                "organization_id",
                "version",
                "snapshot",
                "changed_by",
                "changed_role",
                "changed_at",
            ],
            &versions,
        )
        .await
    }

    /// Writes the new state if the row is still at `expected_version`; returns whether it was.
    pub async fn update_organization(
        &mut self,
        tenant: &str,
        id: &str,
        expected_version: i64,
        o: &Organization,
        now: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE organizations SET name = $1, uscc = $2, legal_form = $3, registration_status = $4, category = $5, \
                 area_code = $6, is_hub = $7, is_brand = $8, grade = $9, grade_date = $10, address = $11, description = $12, \
                 version = version + 1, updated_at = $13 WHERE tenant_id = $14 AND id = $15 AND version = $16",
            )
            .bind(&o.name)
            .bind(&o.uscc)
            .bind(o.legal_form.map(|l| l.as_str()))
            .bind(o.registration_status.as_str())
            .bind(o.category.as_str())
            .bind(o.area.as_str())
            .bind(o.is_hub)
            .bind(o.is_brand)
            .bind(o.grade)
            .bind(date(o.grade_date))
            .bind(&o.address)
            .bind(&o.description)
            .bind(now)
            .bind(tenant)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *c)
            .await?
            .rows_affected();
            Ok(n == 1)
        })
    }

    pub async fn insert_org_version(&mut self, new: &NewOrgVersion<'_>) -> Result<(), StoreError> {
        let NewOrgVersion {
            tenant,
            id,
            version,
            org: o,
            changed_by,
            changed_role,
            now,
        } = *new;
        let snapshot = serde_json::to_string(o).unwrap_or_default();
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO organization_versions (tenant_id, organization_id, version, snapshot, changed_by, changed_role, changed_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7)",
            )
            .bind(tenant)
            .bind(id)
            .bind(version)
            .bind(snapshot)
            .bind(changed_by)
            .bind(changed_role)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn insert_incubation(&mut self, new: &NewIncubation<'_>) -> Result<(), StoreError> {
        let NewIncubation {
            tenant,
            id,
            org,
            incubator,
            started_on,
            ended_on,
            outcome,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO organization_incubations (tenant_id, id, organization_id, incubator, started_on, ended_on, outcome, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            )
            .bind(tenant).bind(id).bind(org).bind(incubator).bind(started_on).bind(ended_on).bind(outcome).bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn insert_disclosure(&mut self, new: &NewDisclosure<'_>) -> Result<(), StoreError> {
        let NewDisclosure {
            tenant,
            id,
            org,
            kind,
            title,
            body,
            occurred_on,
            created_by,
            now,
        } = *new;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO organization_disclosures (tenant_id, id, organization_id, kind, title, body, occurred_on, created_by, created_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            )
            .bind(tenant).bind(id).bind(org).bind(kind).bind(title).bind(body).bind(occurred_on).bind(created_by).bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
