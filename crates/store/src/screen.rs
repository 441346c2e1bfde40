//! The names a public text is screened for (issue 16, finding 9): everyone registered in an
//! area — volunteers, social workers, talents and the platform's own accounts. Names are kept in
//! clear text (only identity numbers are encrypted, `app::pii`), so all of them can be masked.

use crate::kernel::prefix_filter;
use crate::{on_pool, Db, StoreError};
use domain::AreaCode;
use sqlx::Row;

impl Db {
    /// The distinct names of the people registered in `area` and below, in the city `tenant`.
    /// One query over the area indexes of the four registers.
    pub async fn registered_names(
        &self,
        tenant: &str,
        area: &AreaCode,
    ) -> Result<Vec<String>, StoreError> {
        let mut binds = vec![tenant.to_string()];
        let within = prefix_filter("area_code", area.as_str(), &mut binds);
        let home = within.replace("area_code", "home_area");
        let sql = format!(
            "SELECT name FROM volunteers WHERE tenant_id = $1 AND {within} \
             UNION SELECT name FROM social_workers WHERE tenant_id = $1 AND {within} \
             UNION SELECT name FROM talents WHERE tenant_id = $1 AND {within} \
             UNION SELECT display_name AS name FROM users WHERE {home}"
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(r.try_get::<String, _>("name")?)).collect()
        })
    }

    /// Those of `candidates` that are the name of someone registered in `area` and below: for a
    /// large area (a county, a city) whose full list of names is too long to read for one page.
    pub async fn registered_names_among(
        &self,
        tenant: &str,
        area: &AreaCode,
        candidates: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds = vec![tenant.to_string()];
        let within = prefix_filter("area_code", area.as_str(), &mut binds);
        let home = within.replace("area_code", "home_area");
        let first = binds.len() + 1;
        let marks: Vec<String> = (0..candidates.len())
            .map(|i| format!("${}", first + i))
            .collect();
        let marks = marks.join(", ");
        binds.extend(candidates.iter().cloned());
        let sql = format!(
            "SELECT name FROM volunteers WHERE tenant_id = $1 AND {within} AND name IN ({marks}) \
             UNION SELECT name FROM social_workers WHERE tenant_id = $1 AND {within} AND name IN ({marks}) \
             UNION SELECT name FROM talents WHERE tenant_id = $1 AND {within} AND name IN ({marks}) \
             UNION SELECT display_name AS name FROM users WHERE {home} AND display_name IN ({marks})"
        );
        on_pool!(self, c => {
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.as_str());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(r.try_get::<String, _>("name")?)).collect()
        })
    }
}
