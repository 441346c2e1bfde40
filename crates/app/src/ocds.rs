//! Open contracting data (OCDS 1.1, MECHANISM §6, DATA.md): every service-purchase project as a
//! release — the township as buyer, the organization as tenderer, supplier and payee, the catalogue
//! item as the tender, the purchase decision as the award, the contract with its tranches as
//! payment milestones and its paid tranches as transactions. Nothing personal goes in.
//!
//! Issue 16 (finding 9): a release's `date` is the latest time any part of it changed (the
//! project's own change, the decision, a bid, the sealing of the scores, an award, a payment,
//! the review, the call's last change of stage), and its `id` is the local id and a hash of the
//! rest of the release: an unchanged record keeps its id from export to export, a changed one
//! gets a new id and a later date, so a consumer de-duplicating by id sees every update and
//! `since` exports only what changed after a moment. Drafts are not exported. Every free text
//! (`title`, `description`, `awardCriteriaDetails`) is screened (`crate::disclosure`). The fund a
//! purchase draws on is `planning.budget`: its id, name, and its source, level and year in the
//! description (`budget.source` is deprecated in 1.1 and must be a URI).

use crate::disclosure::Screens;
use crate::{App, AppError};
use domain::chain::call::{CallKind, CallStage};
use domain::chain::money::Money;
use domain::chain::stage::Stage;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::chain::application::ProjectRow;
use store::chain::call::CallRow;

/// The `ocid` prefix registered for the publisher (configuration; DATA.md).
pub const OCID_PREFIX: &str = "ocds-sanshe";

/// Where the bids extension (applications and their scores) is published; a package lists it in
/// `extensions`. Validators fetch it; the product never does (`Settings::ocds_bids_extension`
/// points it at a local copy for offline validation).
pub const BIDS_EXTENSION: &str =
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

/// Sends one release of a streamed package (a comma before all but the first); `false` when the
/// reader has gone.
async fn emit(
    tx: &tokio::sync::mpsc::Sender<Vec<u8>>,
    written: &mut usize,
    release: &Value,
) -> Result<bool, AppError> {
    let mut chunk = Vec::with_capacity(2048);
    if *written > 0 {
        chunk.extend_from_slice(b",\n");
    }
    serde_json::to_writer(&mut chunk, release).map_err(|e| AppError::Internal(e.to_string()))?;
    *written += 1;
    Ok(tx.send(chunk).await.is_ok())
}

/// The keys whose values are database times of a change (the release date is their latest).
const CHANGE_DATES: [&str; 4] = ["date", "dateModified", "datePublished", "dateMet"];
/// The keys whose values are free text, screened before they leave.
const FREE_TEXT: [&str; 3] = ["title", "description", "awardCriteriaDetails"];

/// The latest change time in `v` (recursively), after `latest`.
fn latest_change(v: &Value, latest: &mut chrono::DateTime<chrono::Utc>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if let (true, Some(t)) = (
                    CHANGE_DATES.contains(&k.as_str()),
                    x.as_str().and_then(store::time::from_db),
                ) {
                    *latest = (*latest).max(t);
                }
                latest_change(x, latest);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| latest_change(x, latest)),
        _ => {}
    }
}

/// The free texts in `v`, for screening.
fn free_texts<'v>(v: &'v mut Value, out: &mut Vec<&'v mut String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if FREE_TEXT.contains(&k.as_str()) {
                    if let Value::String(t) = x {
                        out.push(t);
                        continue;
                    }
                }
                free_texts(x, out);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| free_texts(x, out)),
        _ => {}
    }
}

/// Screens the release's free texts, then gives it its date (the latest change in it, or
/// `changed` — the record's own last change — if later) and its id (`local` and the first 16 hex
/// digits of the SHA-256 of the release without its id). Deterministic: the same content gives
/// the same id and date.
async fn finish(
    screens: &mut Screens<'_>,
    area: &domain::AreaCode,
    local: &str,
    changed: &str,
    mut release: Value,
) -> Result<Value, AppError> {
    let mut texts = Vec::new();
    free_texts(&mut release, &mut texts);
    screens.screen(area, &mut texts).await?;
    let mut latest = store::time::from_db(changed).unwrap_or_default();
    latest_change(&release, &mut latest);
    release["date"] = json!(store::time::to_db(latest));
    if let Some(m) = release.as_object_mut() {
        m.remove("id");
    }
    let bytes = serde_json::to_vec(&release).map_err(|e| AppError::Internal(e.to_string()))?;
    let hash = hex::encode(Sha256::digest(&bytes));
    release["id"] = json!(format!("{local}-{}", &hash[..16]));
    Ok(release)
}

/// A `since` as a consumer writes it: an RFC 3339 time (`2026-12-01T08:00:00Z`, a release's
/// own `date`), or a day or a time without zone, read in China time (`2026-12-01`,
/// `2026-12-01T16:00:00`).
pub fn parse_since(s: &str) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let s = s.trim();
    if let Some(t) = store::time::from_db(s) {
        return Ok(t);
    }
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        });
    naive
        // China time is UTC+8 all year.
        .map(|n| (n - chrono::Duration::hours(8)).and_utc())
        .ok_or_else(|| {
            domain::DomainError::field(
                "since",
                "invalid_since",
                "时间应为 2026-12-01、2026-12-01T16:00:00（北京时间）或带时区的 RFC 3339 时间",
            )
            .into()
        })
}

/// The release's date, for `since`.
fn date_of(release: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    release["date"].as_str().and_then(store::time::from_db)
}

fn money(m: Money) -> Value {
    // OCDS amounts are numbers in the currency's unit; fen / 100 is exact in two decimals.
    json!({ "amount": m.fen() as f64 / 100.0, "currency": "CNY" })
}

impl App {
    /// One project's release.
    pub async fn ocds_release(
        &self,
        p: &ProjectRow,
        screens: &mut Screens<'_>,
    ) -> Result<Value, AppError> {
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
                if let Some(fund) = &d.fund_id {
                    if let Some(b) = self
                        .ocds_budget(t, fund, d.amount_fen.unwrap_or(Money::ZERO))
                        .await?
                    {
                        release["planning"] = json!({ "budget": b });
                        tags.insert(0, "planning");
                    }
                }
                if d.buy {
                    tags.push("award");
                    supplier_roles.extend(["supplier", "payee"]);
                    release["awards"] = json!([{
                        "id": format!("{}-award", p.id),
                        "title": p.title,
                        "status": "active",
                        "date": d.decided_at,
                        "value": money(d.amount_fen.unwrap_or(Money::ZERO)),
                        "suppliers": [{ "id": supplier_id, "name": p.organization_name }],
                    }]);
                }
            }
        }
        if at(Stage::Contracted) {
            let award_id = format!("{}-award", p.id);
            let buyer = json!({ "id": buyer_id, "name": buyer_name });
            if let Some((contract, paid)) = self.ocds_contract(p, &award_id, &buyer).await? {
                tags.push("contract");
                if paid {
                    tags.push("implementation");
                }
                release["contracts"] = json!([contract]);
            }
        }
        supplier["roles"] = json!(supplier_roles);
        release["parties"] = json!([
            { "id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity", "payer"] },
            supplier,
        ]);
        release["tag"] = json!(tags);
        finish(screens, &p.community, &p.id, &p.updated_at, release).await
    }

    /// A fund as the budget of a purchase: its id and name, and its source, level and year in
    /// words (DATA.md's mapping).
    async fn ocds_budget(
        &self,
        tenant: &str,
        fund: &str,
        amount: Money,
    ) -> Result<Option<Value>, AppError> {
        let Some(f) = self.db.fund(tenant, fund).await? else {
            return Ok(None);
        };
        let owner = self
            .db
            .area(&f.area)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        Ok(Some(json!({
            "id": f.id,
            "project": f.name,
            "description": format!(
                "资金来源：{}；资金层级：{}级（{}）；{} 年度",
                f.source.zh(),
                f.area.level().zh(),
                owner,
                f.year
            ),
            "amount": money(amount),
        })))
    }

    /// A project's signed contract as an OCDS contract: its tranches as payment milestones and
    /// the paid ones as transactions; with whether anything was paid.
    async fn ocds_contract(
        &self,
        p: &ProjectRow,
        award_id: &str,
        buyer: &Value,
    ) -> Result<Option<(Value, bool)>, AppError> {
        let Some(k) = self.db.contract(&p.tenant_id, &p.id).await? else {
            return Ok(None);
        };
        let supplier_id = format!("CN-SANSHE-{}", p.organization_id);
        let mut milestones: Vec<Value> = k
            .tranches
            .iter()
            .map(|tr| {
                json!({
                    "id": format!("tranche-{}", tr.seq),
                    "title": format!("第 {} 笔付款（{}）", tr.seq, tr.milestone.zh()),
                    "type": "payment",
                    "status": if tr.paid_at.is_some() { "met" } else { "scheduled" },
                    // Core 1.1 milestones carry no value: the amount is in the words.
                    "description": format!("{} 元", tr.amount_fen.yuan()),
                })
            })
            .collect();
        // The review panel's acceptance as an assessment milestone.
        if p.stage.reached(Stage::UnderReview) {
            let review = match self.db.review_report(&p.tenant_id, &p.id).await? {
                Some(r) => {
                    use domain::chain::stage::Verdict;
                    let status = match r.verdict {
                        Verdict::Accepted => "met",
                        Verdict::AcceptedWithConditions => "partiallyMet",
                        Verdict::NotAccepted => "notMet",
                    };
                    let mut m = json!({
                        "id": "review", "title": "评议验收", "type": "assessment", "status": status,
                        "dateModified": r.decided_at,
                        "description": format!("评议结论：{}，平均 {} 分", r.verdict.zh(), r.average),
                    });
                    if status != "notMet" {
                        m["dateMet"] = json!(r.decided_at);
                    }
                    m
                }
                None => {
                    json!({ "id": "review", "title": "评议验收", "type": "assessment", "status": "scheduled" })
                }
            };
            milestones.push(review);
        }
        let transactions: Vec<Value> = k
            .tranches
            .iter()
            .filter_map(|tr| {
                tr.paid_at.as_ref().map(|paid| {
                    json!({
                        "id": format!("payment-{}", tr.seq),
                        "date": paid,
                        "value": money(tr.amount_fen),
                        "payer": buyer,
                        "payee": { "id": supplier_id, "name": p.organization_name },
                    })
                })
            })
            .collect();
        let paid = !transactions.is_empty();
        let mut contract = json!({
                "id": format!("{}-contract", p.id),
                "awardID": award_id,
                "title": p.title,
                "status": if matches!(p.stage, Stage::Closed | Stage::Terminated) { "terminated" } else { "active" },
                "value": money(k.amount_fen),
                "period": { "startDate": format!("{}T00:00:00+08:00", k.starts_on), "endDate": format!("{}T23:59:59+08:00", k.ends_on) },
                "dateSigned": format!("{}T00:00:00+08:00", k.signed_on),
                "milestones": milestones,
                "implementation": { "transactions": transactions },
        });
        self.ocds_amendments(p, &mut contract).await?;
        Ok(Some((contract, paid)))
    }

    /// A call's release: the call as the tender, its applications as bids (with each one's
    /// place and average once the scores are sealed), its awards, and the contracts of the
    /// projects it awarded.
    pub async fn ocds_call_release(
        &self,
        k: &CallRow,
        screens: &mut Screens<'_>,
    ) -> Result<Value, AppError> {
        let t = &k.tenant_id;
        let area_name = |code: domain::AreaCode| async move {
            Ok::<_, AppError>(
                self.db
                    .area(&code)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default(),
            )
        };
        // A micro call is run by the community committee, but the township (its parent) holds
        // the fund and pays: the township is buyer and payer, the community procures.
        let buyer_area = match (k.kind, k.area.parent()) {
            (CallKind::Micro, Some(town)) => town,
            _ => k.area.clone(),
        };
        let buyer_name = area_name(buyer_area.clone()).await?;
        let buyer_id = format!("CN-AREA-{}", buyer_area.full());
        let buyer = json!({ "id": buyer_id, "name": buyer_name });
        let apps = self.db.call_applications(t, &k.id).await?;
        let awards = self.db.call_awards(t, &k.id).await?;
        let sealed = matches!(k.stage, CallStage::Sealed | CallStage::Awarded);
        let sheets = if sealed {
            self.db.call_sheets(t, &k.id).await?
        } else {
            Vec::new()
        };
        let ranking = if sealed {
            crate::chain::call::ranking(k, &apps, &sheets)
        } else {
            Vec::new()
        };
        let party = |org: &str| format!("CN-SANSHE-{org}");
        let budget = self.ocds_budget(t, &k.fund_id, k.pool_fen).await?;
        let mut tags = if budget.is_some() {
            vec!["planning", "tender"]
        } else {
            vec!["tender"]
        };
        let mut parties = if buyer_area == k.area {
            vec![
                json!({ "id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity", "payer"] }),
            ]
        } else {
            vec![
                json!({ "id": buyer_id, "name": buyer_name, "roles": ["buyer", "payer"] }),
                json!({ "id": format!("CN-AREA-{}", k.area.full()), "name": area_name(k.area.clone()).await?, "roles": ["procuringEntity"] }),
            ]
        };
        // The scores were sealed by the last sheet.
        let sealed_at = if sealed {
            sheets.iter().map(|s| s.at.clone()).max()
        } else {
            None
        };
        let mut bids = Vec::new();
        for a in &apps {
            let won = awards.iter().any(|w| w.application_id == a.id);
            let roles: Vec<&str> = if won {
                vec!["tenderer", "supplier", "payee"]
            } else {
                vec!["tenderer"]
            };
            if !parties.iter().any(|p| p["id"] == party(&a.organization_id)) {
                parties.push(json!({ "id": party(&a.organization_id), "name": a.organization_name, "roles": roles }));
            }
            let mut bid = json!({
                "id": a.id,
                "date": a.submitted_at,
                "status": if sealed { "valid" } else { "pending" },
                "tenderers": [{ "id": party(&a.organization_id), "name": a.organization_name }],
                "value": money(a.amount_fen),
            });
            if let Some(r) = ranking.iter().find(|r| r.applicant == a.id) {
                bid["documents"] = json!([{
                    "id": format!("{}-scores", a.id),
                    "documentType": "evaluationReports",
                    "title": "评审得分",
                    "description": format!("第 {} 名：{}", r.place, r.explanation),
                    "language": "zh",
                }]);
                if let Some(at) = &sealed_at {
                    bid["documents"][0]["datePublished"] = json!(at);
                }
            }
            bids.push(bid);
        }
        let mut award_list = Vec::new();
        let mut contracts = Vec::new();
        let mut paid = false;
        for w in &awards {
            let Some(a) = apps.iter().find(|a| a.id == w.application_id) else {
                continue;
            };
            let award_id = format!("{}-award-{}", k.id, w.place);
            award_list.push(json!({
                "id": award_id,
                "title": a.title,
                "description": w.reasons,
                "status": "active",
                "date": w.awarded_at,
                "value": money(w.amount_fen),
                "suppliers": [{ "id": party(&a.organization_id), "name": a.organization_name }],
                "relatedBid": a.id,
            }));
            if let Some(p) = self.db.project(t, &w.project_id).await? {
                if let Some((c, any_paid)) = self.ocds_contract(&p, &award_id, &buyer).await? {
                    contracts.push(c);
                    paid |= any_paid;
                }
            }
        }
        if !award_list.is_empty() {
            tags.push("award");
        }
        if !contracts.is_empty() {
            tags.push("contract");
        }
        if paid {
            tags.push("implementation");
        }
        let rubric: Vec<String> = k
            .rubric
            .iter()
            .map(|c| format!("{} {} 分", c.name, c.max))
            .collect();
        let mut release = json!({
            "ocid": format!("{OCID_PREFIX}-{}", k.id),
            "tag": tags,
            "initiationType": "tender",
            "language": "zh",
            "buyer": buyer,
            "parties": parties,
            "tender": {
                "id": k.id,
                "title": k.title,
                "description": k.requirements,
                "status": match k.stage {
                    CallStage::Open | CallStage::Reviewing | CallStage::Sealed => "active",
                    CallStage::Awarded if awards.is_empty() => "unsuccessful",
                    CallStage::Awarded => "complete",
                },
                "procurementMethod": if k.kind == CallKind::Selection { "selective" } else { "open" },
                "procurementMethodDetails": match k.kind {
                    CallKind::Selection => "竞争承接：获该服务事项承接资格的社会组织竞争，评审小组评分后择优确定",
                    CallKind::Venture => "公益创投：公开征集，评审小组评分后按排名在资金池内资助",
                    CallKind::Micro => "微公益创投：社区公开征集小额项目，评审后按排名资助",
                    CallKind::Facility => "设施项目外包：公开征集运营方，评审小组评分后择优确定",
                },
                "mainProcurementCategory": "services",
                "value": money(k.pool_fen),
                "tenderPeriod": { "startDate": format!("{}T00:00:00+08:00", k.opens_on), "endDate": format!("{}T23:59:59+08:00", k.closes_on) },
                "awardCriteria": "ratedCriteria",
                "awardCriteriaDetails": format!("评分标准：{}。排名规则：按平均总分；{}", rubric.join("；"), domain::chain::selection::TIE_RULE),
                "numberOfTenderers": apps.len(),
                "tenderers": apps.iter().map(|a| json!({ "id": party(&a.organization_id), "name": a.organization_name })).collect::<Vec<_>>(),
            },
            "bids": {
                "statistics": [{ "id": "bids", "measure": "bids", "value": apps.len() }],
                "details": bids,
            },
        });
        if !award_list.is_empty() {
            release["awards"] = json!(award_list);
        }
        if !contracts.is_empty() {
            release["contracts"] = json!(contracts);
        }
        if let Some(b) = budget {
            release["planning"] = json!({ "budget": b });
        }
        finish(screens, &k.area, &k.id, &k.stage_at, release).await
    }

    /// Sends the release package of an area (or the nation) down `tx` one release at a time —
    /// the calls, then the projects not awarded by a call in primary-key order, by pages of 500 —
    /// so that memory does not grow with the number of processes, and a slow reader slows the
    /// export instead of filling memory (the channel is bounded). Stops quietly when the reader
    /// goes away. Returns how many releases were sent.
    ///
    /// With `since`, only the releases dated after it (what changed since a consumer's last
    /// export); drafts never.
    pub async fn ocds_stream(
        &self,
        area: &str,
        limit: i64,
        since: Option<chrono::DateTime<chrono::Utc>>,
        bids_extension: &str,
        tx: tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> Result<usize, AppError> {
        let code =
            domain::AreaCode::parse(area.trim()).map_err(|_| AppError::not_found("行政区划"))?;
        let scope = domain::identity::Scope::new([code]);
        let head = json!({
            "uri": format!("https://sanshe.invalid/api/v1/public/ocds/{}", area.trim()),
            "version": "1.1",
            "extensions": [bids_extension],
            "publishedDate": store::time::now(),
            "publisher": { "name": "三社联动平台" },
        });
        let mut head = serde_json::to_vec(&head).map_err(|e| AppError::Internal(e.to_string()))?;
        // The head object without its closing brace, then the releases array.
        head.pop();
        head.extend_from_slice(b",\"releases\":[");
        if tx.send(head).await.is_err() {
            return Ok(0);
        }
        let limit = limit.max(0) as usize;
        let mut written = 0usize;
        let mut screens = self.screens();
        let fresh = |r: &Value| since.is_none_or(|s| date_of(r).is_some_and(|d| d > s));
        for k in self.db.calls(&scope, &[], None, limit as i64).await? {
            let r = self.ocds_call_release(&k, &mut screens).await?;
            if fresh(&r) && !emit(&tx, &mut written, &r).await? {
                return Ok(written);
            }
        }
        let mut after: Option<(String, String)> = None;
        'pages: while written < limit {
            let page = self
                .db
                .projects_in_key_order(
                    &scope,
                    after.as_ref().map(|(t, id)| (t.as_str(), id.as_str())),
                    500,
                )
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.tenant_id.clone(), last.id.clone()));
            for p in page
                .iter()
                .filter(|p| p.call_id.is_none() && p.stage != Stage::Draft)
            {
                if written >= limit {
                    break 'pages;
                }
                let r = self.ocds_release(p, &mut screens).await?;
                if fresh(&r) && !emit(&tx, &mut written, &r).await? {
                    return Ok(written);
                }
            }
            if page.len() < 500 {
                break;
            }
        }
        let _ = tx.send(b"]}\n".to_vec()).await;
        Ok(written)
    }

    /// The release package of an area, in memory (tests and small areas).
    pub async fn ocds_package(
        &self,
        area: &str,
        limit: i64,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Value, AppError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let ext = self.settings.ocds_bids_extension.clone();
        let (sent, buf) =
            tokio::join!(self.ocds_stream(area, limit, since, &ext, tx), async move {
                let mut buf = Vec::new();
                while let Some(chunk) = rx.recv().await {
                    buf.extend_from_slice(&chunk);
                }
                buf
            });
        sent?;
        serde_json::from_slice(&buf).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// One process's package: a project's, or for a project a call awarded, the call's.
    pub async fn ocds_project(&self, id: &str) -> Result<Value, AppError> {
        let tenant = crate::kernel::tenant_of(id).ok_or_else(|| AppError::not_found("项目"))?;
        let p = self
            .db
            .project(tenant, id)
            .await?
            .filter(|p| p.stage != Stage::Draft)
            .ok_or_else(|| AppError::not_found("项目"))?;
        if let Some(call) = &p.call_id {
            return self.ocds_call(call).await;
        }
        Ok(self.package_of(
            format!("https://sanshe.invalid/api/v1/public/ocds/projects/{id}"),
            self.ocds_release(&p, &mut self.screens()).await?,
        ))
    }

    /// One call's package.
    pub async fn ocds_call(&self, id: &str) -> Result<Value, AppError> {
        let tenant = crate::kernel::tenant_of(id).ok_or_else(|| AppError::not_found("征集"))?;
        let k = self
            .db
            .call(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("征集"))?;
        Ok(self.package_of(
            format!("https://sanshe.invalid/api/v1/public/ocds/calls/{id}"),
            self.ocds_call_release(&k, &mut self.screens()).await?,
        ))
    }

    fn package_of(&self, uri: String, release: Value) -> Value {
        json!({
            "uri": uri,
            "version": "1.1",
            "extensions": [self.settings.ocds_bids_extension],
            "publishedDate": store::time::now(),
            "publisher": { "name": "三社联动平台" },
            "releases": [release],
        })
    }
}
