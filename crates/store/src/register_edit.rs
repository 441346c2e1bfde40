//! Corrections of the registers (issue 15): the field updates of an edit, made after
//! `Tx::claim_version` moved the record's version, and the dated ends of posts, employments and
//! incubation periods.

use crate::social::NewSocialWorker;
use crate::{on_tx, StoreError, Tx};
use domain::social::Platform;
use domain::talent::Talent;
use domain::volunteer::Volunteer;

impl Tx {
    /// Writes a social worker's corrected fields (the identity number re-encrypted by the caller).
    pub async fn update_social_worker(
        &mut self,
        tenant: &str,
        id: &str,
        w: &NewSocialWorker<'_>,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "UPDATE social_workers SET name = $3, gender = $4, id_cipher = $5, id_lookup = $6, id_masked = $7, certificate_level = $8, \
                 certificate_number = $9, certificate_date = $10, employer_org_id = $11, area_code = $12, updated_at = $13 \
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant).bind(id).bind(w.name).bind(w.gender).bind(w.id_cipher).bind(w.id_lookup).bind(w.id_masked)
            .bind(w.certificate_level.as_str()).bind(w.certificate_number).bind(&w.certificate_date).bind(w.employer_org_id)
            .bind(w.area.as_str()).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Ends (or, with `None`, resumes) a social worker's employment.
    pub async fn set_employment_end(
        &mut self,
        tenant: &str,
        id: &str,
        ended_on: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE social_workers SET employment_ended_on = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(id).bind(ended_on).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn update_platform(
        &mut self,
        tenant: &str,
        id: &str,
        p: &Platform,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE platforms SET kind = $3, name = $4, area_code = $5 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(id).bind(p.kind.as_str()).bind(&p.name).bind(p.area.as_str())
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Writes a post's title and period (`YYYY-MM-DD`; `ended_on` `None` while held).
    pub async fn update_post(
        &mut self,
        tenant: &str,
        id: &str,
        title: &str,
        started_on: &str,
        ended_on: Option<&str>,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE posts SET title = $3, started_on = $4, ended_on = $5 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(id).bind(title).bind(started_on).bind(ended_on)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Writes a talent's corrected fields; entering the pool keeps the first date.
    pub async fn update_talent(
        &mut self,
        tenant: &str,
        id: &str,
        t: &Talent,
        today: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query(
                "UPDATE talents SET name = $3, gender = $4, category = $5, area_code = $6, position = $7, organization_id = $8, \
                 social_worker_id = $9, backbone = $10, backbone_since = CASE WHEN $10 THEN COALESCE(backbone_since, $11) ELSE NULL END, \
                 updated_at = $12 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant).bind(id).bind(&t.name).bind(&t.gender).bind(t.category.as_str()).bind(t.area.as_str())
            .bind(&t.position).bind(&t.organization_id).bind(&t.social_worker_id).bind(t.backbone).bind(today).bind(now)
            .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn update_volunteer(
        &mut self,
        tenant: &str,
        id: &str,
        v: &Volunteer,
        now: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("UPDATE volunteers SET name = $3, gender = $4, area_code = $5, skills = $6, updated_at = $7 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant).bind(id).bind(&v.name).bind(&v.gender).bind(v.area.as_str()).bind(&v.skills).bind(now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Ends an incubation period still open; false when it had already ended (or is not the
    /// organization's).
    pub async fn end_incubation(
        &mut self,
        tenant: &str,
        org_id: &str,
        id: &str,
        ended_on: &str,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => {
            let n = sqlx::query(
                "UPDATE organization_incubations SET ended_on = $4 WHERE tenant_id = $1 AND organization_id = $2 AND id = $3 AND ended_on IS NULL",
            )
            .bind(tenant).bind(org_id).bind(id).bind(ended_on)
            .execute(&mut *c).await?.rows_affected();
            Ok(n == 1)
        })
    }
}
