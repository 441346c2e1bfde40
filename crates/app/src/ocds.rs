//! Open contracting data (OCDS 1.1, MECHANISM §6, DATA.md): every service-purchase project as a
//! release — the township as buyer, the organization as tenderer, supplier and payee, the catalogue
//! item as the tender, the purchase decision as the award, the contract with its tranches as
//! payment milestones and its paid tranches as transactions. Nothing personal goes in.

use crate::{App, AppError};
use domain::chain::stage::Stage;
use serde_json::{json, Value};
use store::project::ProjectRow;

/// The `ocid` prefix registered for the publisher (configuration; DATA.md).
pub const OCID_PREFIX: &str = "ocds-sanshe";

fn money(fen: i64) -> Value {
    // OCDS amounts are numbers in the currency's unit; fen / 100 is exact in two decimals.
    json!({ "amount": fen as f64 / 100.0, "currency": "CNY" })
}

impl App {
    /// One project's release.
    pub async fn ocds_release(&self, p: &ProjectRow) -> Result<Value, AppError> {
        let t = &p.tenant_id;
        let at = |s: Stage| p.stage.reached(s);
        let township = p.community.parent();
        let buyer_name = match &township {
            Some(code) => self
                .db
                .area(code)
                .await?
                .map(|a| a.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let buyer_id = format!(
            "CN-AREA-{}",
            township.as_ref().map(|c| c.full()).unwrap_or_default()
        );
        let org = self.db.organization(t, &p.organization_id).await?;
        let supplier_id = format!("CN-SANSHE-{}", p.organization_id);
        let mut supplier = json!({
            "id": supplier_id,
            "name": p.organization_name,
            "roles": ["tenderer"],
        });
        if let Some(u) = org.as_ref().and_then(|o| o.org.uscc.clone()) {
            supplier["identifier"] =
                json!({ "scheme": "CN-USCC", "id": u, "legalName": p.organization_name });
        }
        let mut tags = vec!["tender"];
        let mut release = json!({
            "ocid": format!("{OCID_PREFIX}-{}", p.id),
            "id": format!("{}-{}", p.id, p.updated_at.replace([':', '.'], "")),
            "date": p.updated_at,
            "initiationType": "tender",
            "language": "zh",
            "buyer": { "id": buyer_id, "name": buyer_name },
            "tender": {
                "id": p.item_id.as_deref().unwrap_or(&p.id),
                "title": p.item_name,
                "description": p.title,
                "status": match p.stage {
                    Stage::Draft | Stage::Submitted | Stage::Consulted | Stage::Voting | Stage::Passed => "active",
                    Stage::Rejected | Stage::Declined => "unsuccessful",
                    _ => "complete",
                },
                "procurementMethod": "limited",
                "procurementMethodDetails": "政府购买服务：居民代表会议表决后由街道（乡镇）决定购买",
                "mainProcurementCategory": "services",
                "value": money(p.budget_fen),
                "tenderers": [{ "id": supplier_id, "name": p.organization_name }],
            },
        });
        let mut supplier_roles = vec!["tenderer"];
        if at(Stage::Purchased) {
            if let Some(d) = self.db.purchase_decision(t, &p.id).await? {
                if d.buy {
                    tags.push("award");
                    supplier_roles.extend(["supplier", "payee"]);
                    release["awards"] = json!([{
                        "id": format!("{}-award", p.id),
                        "title": p.title,
                        "status": "active",
                        "date": d.decided_at,
                        "value": money(d.amount_fen.unwrap_or(0)),
                        "suppliers": [{ "id": supplier_id, "name": p.organization_name }],
                    }]);
                }
            }
        }
        if at(Stage::Contracted) {
            if let Some(k) = self.db.contract(t, &p.id).await? {
                tags.push("contract");
                let milestones: Vec<Value> = k
                    .tranches
                    .iter()
                    .map(|tr| {
                        json!({
                            "id": format!("tranche-{}", tr.seq),
                            "title": format!("第 {} 笔付款（{}）", tr.seq, tr.milestone.zh()),
                            "type": "payment",
                            "status": if tr.paid_at.is_some() { "met" } else { "scheduled" },
                            // Core 1.1 milestones carry no value: the amount is in the words.
                            "description": format!("{} 元", domain::chain::money::yuan(tr.amount_fen)),
                        })
                    })
                    .collect();
                let transactions: Vec<Value> = k
                    .tranches
                    .iter()
                    .filter_map(|tr| {
                        tr.paid_at.as_ref().map(|paid| {
                            json!({
                                "id": format!("payment-{}", tr.seq),
                                "date": paid,
                                "value": money(tr.amount_fen),
                                "payer": { "id": buyer_id, "name": buyer_name },
                                "payee": { "id": supplier_id, "name": p.organization_name },
                            })
                        })
                    })
                    .collect();
                if !transactions.is_empty() {
                    tags.push("implementation");
                }
                release["contracts"] = json!([{
                    "id": format!("{}-contract", p.id),
                    "awardID": format!("{}-award", p.id),
                    "title": p.title,
                    "status": if p.stage == Stage::Closed { "terminated" } else { "active" },
                    "value": money(k.amount_fen),
                    "period": { "startDate": format!("{}T00:00:00+08:00", k.starts_on), "endDate": format!("{}T23:59:59+08:00", k.ends_on) },
                    "dateSigned": format!("{}T00:00:00+08:00", k.signed_on),
                    "milestones": milestones,
                    "implementation": { "transactions": transactions },
                }]);
            }
        }
        supplier["roles"] = json!(supplier_roles);
        release["parties"] = json!([
            { "id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity", "payer"] },
            supplier,
        ]);
        release["tag"] = json!(tags);
        Ok(release)
    }

    /// A release package of the projects inside an area (or the nation), newest first.
    pub async fn ocds_package(&self, area: &str, limit: i64) -> Result<Value, AppError> {
        let code =
            domain::AreaCode::parse(area.trim()).map_err(|_| AppError::not_found("行政区划"))?;
        let scope = domain::identity::Scope::new([code]);
        let mut releases = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = self
                .db
                .projects(&scope, None, None, before.as_deref(), 500)
                .await?;
            let Some(last) = page.last() else { break };
            before = Some(last.id.clone());
            for p in &page {
                releases.push(self.ocds_release(p).await?);
            }
            if releases.len() as i64 >= limit || page.len() < 500 {
                break;
            }
        }
        releases.truncate(limit.max(0) as usize);
        Ok(json!({
            "uri": format!("https://sanshe.invalid/api/v1/public/ocds/{}", area.trim()),
            "version": "1.1",
            "publishedDate": store::time::now(),
            "publisher": { "name": "三社联动平台" },
            "releases": releases,
        }))
    }

    /// One project's package (public: it holds nothing personal).
    pub async fn ocds_project(&self, id: &str) -> Result<Value, AppError> {
        let tenant = crate::registry::tenant_of(id).ok_or_else(|| AppError::not_found("项目"))?;
        let p = self
            .db
            .project(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("项目"))?;
        Ok(json!({
            "uri": format!("https://sanshe.invalid/api/v1/public/ocds/projects/{id}"),
            "version": "1.1",
            "publishedDate": store::time::now(),
            "publisher": { "name": "三社联动平台" },
            "releases": [self.ocds_release(&p).await?],
        }))
    }
}
