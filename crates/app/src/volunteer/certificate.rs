//! Certificates of a volunteer's verified hours, and their public verification.

use super::role_of;
use crate::audit::{done, Subject};
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::volunteer::{can_record, mask_name, RecordStatus};
use domain::{Actor, DomainError};
use rand::Rng;
use serde_json::json;
use store::time;
use store::volunteer::NewCertificate;

use super::{CertificateView, VerifiedCertificate};

impl App {
    /// A volunteer's certificate as the volunteer's page shows it: only a certificate issued to
    /// this volunteer (any other code is "not found" here, whatever the public page says of it),
    /// with what the valid records were about (at most ten distinct lines).
    pub async fn volunteer_certificate(
        &self,
        actor: &Actor,
        volunteer_id: &str,
        code: &str,
        ctx: &Ctx,
    ) -> Result<CertificateView, AppError> {
        let d = self
            .volunteer_detail(actor, volunteer_id, None, ctx)
            .await?;
        // Only a certificate issued to this volunteer, read once (any other code is "not
        // found" here, whatever the public page says of it).
        let code = code.trim().to_uppercase();
        let c = match tenant_of(&code) {
            Some(t) if t == d.row.tenant_id => self.db.certificate(t, &code).await?,
            _ => None,
        }
        .filter(|c| c.volunteer_id == volunteer_id)
        .ok_or_else(|| AppError::not_found("证明"))?;
        let certificate = verified(c, &d.row.volunteer.name);
        let mut contents: Vec<String> = Vec::new();
        for r in d.records.iter().filter(|r| r.status == RecordStatus::Valid) {
            let line = format!("{}：{}", r.record.activity_name, r.record.content);
            if !contents.contains(&line) && contents.len() < 10 {
                contents.push(line);
            }
        }
        Ok(CertificateView {
            name: d.row.volunteer.name,
            certificate,
            contents,
        })
    }

    /// Issues a certificate of the current totals with a verification code (`3410-XXXX-XXXX`).
    pub async fn issue_certificate(
        &self,
        actor: &Actor,
        volunteer_id: &str,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let v = self.load_volunteer(volunteer_id).await?;
        let subject = Subject {
            kind: "volunteer",
            id: volunteer_id,
            area: &v.volunteer.area,
        };
        let who = self
            .or_refused(
                can_record(actor, &v.volunteer.area, v.user_id.as_deref()).map_err(AppError::from),
                actor,
                EventKind::CertificateIssue,
                &subject,
                ctx,
            )
            .await?;
        if v.record_count == 0 {
            let e = AppError::Domain(DomainError::conflict(
                "no_records",
                "尚无有效的服务记录，不能出具证明",
            ));
            return Err(self
                .refused(Some(actor), EventKind::CertificateIssue, &subject, e, ctx)
                .await);
        }
        let units = self
            .db
            .recording_units(&v.tenant_id, volunteer_id)
            .await?
            .join("、");
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let code = {
            let mut rng = rand::thread_rng();
            let mut part = || {
                (0..4)
                    .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                    .collect::<String>()
            };
            format!("{}-{}-{}", v.tenant_id, part(), part())
        };
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_certificate(&NewCertificate {
            tenant: &v.tenant_id,
            code: &code,
            volunteer_id,
            total_minutes: v.total_minutes,
            record_count: v.record_count,
            units: &units,
            issued_by: &actor.login,
            now: &now,
        })
        .await?;
        tx.append_audit(done(actor, role_of(who), EventKind::CertificateIssue, &subject, ctx).after(json!({ "code": code, "total_minutes": v.total_minutes, "record_count": v.record_count })))
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Anyone may check a certificate by its code; only what the certificate states is shown.
    pub async fn verify_certificate(&self, code: &str) -> Result<VerifiedCertificate, AppError> {
        let code = code.trim().to_uppercase();
        let tenant = tenant_of(&code)
            .ok_or_else(|| AppError::not_found("证明编号"))?
            .to_string();
        let c = self
            .db
            .certificate(&tenant, &code)
            .await?
            .ok_or_else(|| AppError::not_found("证明编号"))?;
        let v = self
            .db
            .volunteer(&tenant, &c.volunteer_id)
            .await?
            .ok_or_else(|| AppError::not_found("证明编号"))?;
        Ok(verified(c, &v.volunteer.name))
    }
}

/// What a certificate says, the holder's name masked.
fn verified(c: store::volunteer::CertificateRow, name: &str) -> VerifiedCertificate {
    VerifiedCertificate {
        code: c.code,
        masked_name: mask_name(name),
        hours: domain::volunteer::hours_text(c.total_minutes),
        record_count: c.record_count,
        units: c.units,
        issued_at: c.issued_at,
    }
}
