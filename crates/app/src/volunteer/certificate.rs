//! Certificates of a volunteer's verified hours, fixed when issued (the content and its SHA-256
//! stored), and their public verification, which shows what was issued.

use super::role_of;
use crate::audit::{done, Subject};
use crate::kernel::tenant_of;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::volunteer::{can_record, hours_text, mask_name, CertificateContent};
use domain::{Actor, DomainError};
use rand::Rng;
use serde_json::json;
use store::time;
use store::volunteer::{CertificateRow, NewCertificate};

use super::{CertificateView, VerifiedCertificate};

impl App {
    /// A volunteer's certificate as the volunteer's page shows it: only a certificate issued to
    /// this volunteer (any other code is "not found" here, whatever the public page says of it),
    /// as it was issued.
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
        let code = code.trim().to_uppercase();
        let c = match tenant_of(&code) {
            Some(t) if t == d.row.tenant_id => self.db.certificate(t, &code).await?,
            _ => None,
        }
        .filter(|c| c.volunteer_id == volunteer_id)
        .ok_or_else(|| AppError::not_found("证明"))?;
        let (certificate, contents) = as_issued(c, &d.row.volunteer.name);
        Ok(CertificateView {
            name: d.row.volunteer.name,
            certificate,
            contents,
        })
    }

    /// Issues a certificate of the volunteer's verified hours with a verification code
    /// (`3410-XXXX-XXXX`); what it states is stored with its SHA-256 and never recomputed.
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
        // Read with the write lock held (SQLite) so a confirmation cannot slip in between.
        let h = self.db.verified_hours(&v.tenant_id, volunteer_id).await?;
        if h.records == 0 {
            tx.rollback().await?;
            let e = AppError::Domain(DomainError::conflict(
                "no_records",
                "尚无经组织单位核实的有效服务记录，不能出具证明（本人录入的记录须由组织单位核实）",
            ));
            return Err(self
                .refused(Some(actor), EventKind::CertificateIssue, &subject, e, ctx)
                .await);
        }
        let content = CertificateContent {
            code: code.clone(),
            masked_name: mask_name(&v.volunteer.name),
            hours: hours_text(h.minutes),
            minutes: h.minutes,
            record_count: h.records,
            units: h.units,
            activities: h.activities,
            issued_at: now.clone(),
        };
        let text = serde_json::to_string(&content)
            .map_err(|e| AppError::Internal(format!("certificate content: {e}")))?;
        let hash = CertificateContent::hash_of(&text);
        tx.insert_certificate(&NewCertificate {
            tenant: &v.tenant_id,
            code: &code,
            volunteer_id,
            total_minutes: h.minutes,
            record_count: h.records,
            units: &content.units.join("、"),
            issued_by: &actor.login,
            now: &now,
            content: &text,
            content_hash: &hash,
        })
        .await?;
        tx.append_audit(
            done(
                actor,
                role_of(who),
                EventKind::CertificateIssue,
                &subject,
                ctx,
            )
            .after(json!({ "code": code, "content": content, "content_hash": hash })),
        )
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Anyone may check a certificate by its code; what it stated when issued is shown, the
    /// name masked, with the content's hash.
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
        let name = match c.content {
            // The stored content carries the masked name; the register is not read again.
            Some(_) => String::new(),
            None => self
                .db
                .volunteer(&tenant, &c.volunteer_id)
                .await?
                .map(|v| v.volunteer.name)
                .ok_or_else(|| AppError::not_found("证明编号"))?,
        };
        Ok(as_issued(c, &name).0)
    }
}

/// What a certificate stated when issued, and what its records were about: from its stored
/// content; a certificate issued before contents were stored shows its stored columns, the
/// holder's `name` masked.
fn as_issued(c: CertificateRow, name: &str) -> (VerifiedCertificate, Vec<String>) {
    let stored = c
        .content
        .as_deref()
        .and_then(|t| serde_json::from_str::<CertificateContent>(t).ok());
    match stored {
        Some(s) => (
            VerifiedCertificate {
                code: c.code,
                masked_name: s.masked_name,
                hours: s.hours,
                record_count: s.record_count,
                units: s.units.join("、"),
                issued_at: s.issued_at,
                content: c.content,
                content_hash: c.content_hash,
            },
            s.activities,
        ),
        None => (
            VerifiedCertificate {
                code: c.code,
                masked_name: mask_name(name),
                hours: hours_text(c.total_minutes),
                record_count: c.record_count,
                units: c.units,
                issued_at: c.issued_at,
                content: None,
                content_hash: None,
            },
            Vec::new(),
        ),
    }
}
