//! Calls (issue 5): a township or bureau's competitive selection on a catalogue item, a
//! venture-philanthropy call, a community micro call, a facility tender. One path for all four:
//! the organizer publishes the terms (the pool drawn from a fund), organizations apply until the
//! deadline, a panel formed under the evaluation's recusal rules scores every application once,
//! the sheets are sealed when the last member submits, the ranking is computed, and awards go
//! down the ranking within the pool. Each award becomes a project bought from the call's fund,
//! which continues through contract, delivery and evaluation like any other.

use crate::audit::{done, Subject};
use crate::kernel::new_id;
use crate::kernel::{china_now, tenant_of};
use crate::{App, AppError, Ctx};
use chrono::NaiveDateTime;
use domain::audit::EventKind;
use domain::authz::Action;
use domain::chain::call::{
    can_organize, can_score, competing_cities, deadline, may_apply, may_score, pool_from,
    reads_call, CallForm, CallStage, CallStep,
};
use domain::chain::catalogue::{applies_for, ItemStatus};
use domain::chain::money::Money;
use domain::chain::selection::{rank, Entry, TIE_RULE};
use domain::identity::Scope;
use domain::{Actor, AreaCode, DomainError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;
use store::chain::call::{AwardRow, CallApplicationRow, CallRow};
use store::chain::purchase::{FundDraw, FundRow};
use store::time;

mod review;

/// Calls the reader can see, and what they may open.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallList {
    /// A page of the calls, latest closing first (`items`, `total`, `next_after`).
    #[serde(flatten)]
    pub page: crate::page::Page<CallRow>,
    /// Areas the reader may organize calls for.
    pub can_open_for: Vec<AreaCode>,
    /// Funds a call of the reader's may draw its pool from.
    pub funds: Vec<FundRow>,
    /// The fund picker holds only the first this many funds of the areas (more exist).
    pub funds_cut: Option<i64>,
}

/// One place of a sealed call's ranking.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RankedApplication {
    pub place: usize,
    pub application_id: String,
    pub organization_name: String,
    pub title: String,
    pub amount_fen: Money,
    /// Average total, in hundredths of a point.
    pub average_centi: u64,
    pub explanation: String,
    /// What it was awarded, if anything.
    pub awarded_fen: Option<Money>,
    pub project_id: Option<String>,
}

/// One member's points for the reader's own application.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OwnScore {
    pub member: String,
    pub points: Vec<u32>,
    pub total: u32,
}

/// What the reader may do on the call.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct CallPowers {
    pub organize: bool,
    /// Organizations the reader may apply for (managers), while applications are open.
    pub apply_as: Vec<(String, String)>,
    /// The reader sits on the panel and has a sheet to submit.
    pub score: bool,
    /// The reader's organizations' applications.
    pub applied: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallView {
    pub call: CallRow,
    /// The moment applications close (China time).
    pub deadline: String,
    pub accepting: bool,
    pub remaining_fen: Money,
    /// Applications the reader may read: all for the organizer and the panel, their own for an
    /// applicant, none otherwise.
    pub applications: Vec<CallApplicationRow>,
    pub panel_size: usize,
    /// Members' names, for the organizer and the panel.
    pub panel: Vec<String>,
    pub sheets_in: usize,
    /// Once the sheets are sealed: the ranking, explained, with the awards.
    pub ranking: Vec<RankedApplication>,
    pub tie_rule: &'static str,
    pub awards: Vec<AwardRow>,
    /// An applicant's own scores, member by member, once sealed.
    pub own_scores: Vec<OwnScore>,
    pub powers: CallPowers,
}

fn field(f: &str, code: &'static str, m: impl Into<String>) -> AppError {
    DomainError::field(f, code, m).into()
}

fn conflict(code: &'static str, m: impl Into<String>) -> AppError {
    DomainError::Conflict {
        code,
        message: m.into(),
    }
    .into()
}

fn subject(k: &CallRow) -> Subject<'_> {
    Subject {
        kind: "call",
        id: &k.id,
        area: &k.area,
    }
}

/// When applications to the call close (China time).
pub(crate) fn closes_at(k: &CallRow) -> NaiveDateTime {
    deadline(chrono::NaiveDate::parse_from_str(&k.closes_on, "%Y-%m-%d").unwrap_or_default())
}

fn submitted(at: &str) -> NaiveDateTime {
    time::from_db(at)
        .map(|t| (t + chrono::Duration::hours(8)).naive_utc())
        .unwrap_or_default()
}

/// The day applications open.
fn opens_on(k: &CallRow) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(&k.opens_on, "%Y-%m-%d").unwrap_or_default()
}

/// The stage a step leads the call to, as the store's compare-and-set wants it.
fn step(k: CallStage, s: CallStep) -> (CallStage, CallStage) {
    (k, k.after(s).unwrap_or(k))
}

/// The ranking of a sealed call from its sheets (application ids, best first) and the rows.
pub(crate) fn ranking(
    k: &CallRow,
    apps: &[CallApplicationRow],
    sheets: &[store::chain::call::SheetRow],
) -> Vec<domain::chain::selection::Ranked> {
    let entries: Vec<Entry> = apps
        .iter()
        .map(|a| Entry {
            applicant: a.id.clone(),
            submitted_at: submitted(&a.submitted_at),
            scores: sheets
                .iter()
                .map(|s| {
                    s.scores
                        .get(&a.id)
                        .cloned()
                        .unwrap_or_else(|| vec![0; k.rubric.len()])
                })
                .collect(),
        })
        .collect();
    rank(&entries)
}

impl App {
    /// Loads a call the reader may see: by the chain's view of its area, or by
    /// [`reads_call`].
    async fn readable_call(
        &self,
        actor: &Actor,
        id: &str,
        action: EventKind,
        ctx: &Ctx,
    ) -> Result<CallRow, AppError> {
        let tenant = tenant_of(id).ok_or_else(|| AppError::not_found("征集"))?;
        let k = self
            .db
            .call(tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("征集"))?;
        if !reads_call(actor, &k.area) {
            self.in_view(actor, &subject(&k), action, ctx).await?;
        }
        Ok(k)
    }

    pub async fn calls(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CallList, AppError> {
        let after = crate::page::decode(after, store::chain::call::CALL_ORDER.len())?;
        let mut roots: Vec<AreaCode> = domain::authz::reach(actor, Action::ViewChain)
            .roots()
            .to_vec();
        roots.extend(competing_cities(actor));
        let scope = Scope::new(roots);
        let mut covering: Vec<AreaCode> = Vec::new();
        for a in &actor.assignments {
            for up in a.area.ancestors() {
                if !covering.contains(&up) {
                    covering.push(up);
                }
            }
            if !covering.contains(&a.area) {
                covering.push(a.area.clone());
            }
        }
        let rows = self
            .db
            .calls(&scope, &covering, after.as_deref(), limit + 1)
            .await?;
        let total = self.db.count_calls(&scope, &covering).await?;
        let can_open_for: Vec<AreaCode> = actor
            .assignments
            .iter()
            .filter(|a| can_organize(actor, &a.area).is_ok())
            .map(|a| a.area.clone())
            .collect();
        const FUND_PICKER: i64 = 500;
        let mut funds = Vec::new();
        let mut funds_cut = None;
        if !can_open_for.is_empty() {
            // Funds of the organizer's areas and of the areas above (a community's micro call
            // draws on its township's fund).
            let mut roots: Vec<AreaCode> = can_open_for.clone();
            for a in &can_open_for {
                roots.extend(
                    a.ancestors()
                        .into_iter()
                        .filter(|x| x.level() >= domain::AreaLevel::City),
                );
            }
            let mut fetched = self
                .db
                .funds(&Scope::new(roots), None, FUND_PICKER + 1)
                .await?;
            if fetched.len() as i64 > FUND_PICKER {
                fetched.truncate(FUND_PICKER as usize);
                funds_cut = Some(FUND_PICKER);
            }
            for f in fetched {
                if can_open_for
                    .iter()
                    .any(|a| f.area.contains(a) || a.contains(&f.area))
                {
                    funds.push(f);
                }
            }
        }
        Ok(CallList {
            page: crate::page::Page::cut(rows, limit, total, |k| {
                vec![k.closes_on.clone(), k.id.clone()]
            }),
            can_open_for,
            funds,
            funds_cut,
        })
    }

    /// Publishes a call and draws its pool from the fund (refused if the fund cannot cover it).
    pub async fn open_call(
        &self,
        actor: &Actor,
        form: &CallForm,
        ctx: &Ctx,
    ) -> Result<String, AppError> {
        let area = AreaCode::parse(form.area.trim()).unwrap_or_else(|_| AreaCode::nation());
        let subj = Subject {
            kind: "call",
            id: "",
            area: &area,
        };
        let checked = async {
            let k = form.validate()?;
            let role = can_organize(actor, &k.area)?;
            let fund = match tenant_of(&k.fund_id) {
                Some(t) => self.db.fund(t, &k.fund_id).await?,
                None => None,
            }
            .ok_or_else(|| field("fund_id", "unknown_fund", "没有这项资金"))?;
            pool_from(&fund.name, &fund.area, fund.balance_fen, &k)?;
            if let Some(item_id) = &k.item_id {
                let item = match tenant_of(item_id) {
                    Some(t) => self.db.catalogue_item(t, item_id).await?,
                    None => None,
                };
                match item {
                    Some(i)
                        if i.status == ItemStatus::Approved && k.area.contains(&i.community) => {}
                    _ => {
                        return Err(field(
                            "item_id",
                            "unknown_item",
                            "须是本辖区内已审核的服务目录事项",
                        ))
                    }
                }
                // One selection per item (and so per period), and none on an item an
                // organization's application already holds: the item has its undertaker.
                if let Some(t) = tenant_of(item_id) {
                    if let Some((title, _)) = self.db.selection_on_item(t, item_id).await? {
                        return Err(field(
                            "item_id",
                            "selection_exists",
                            format!("该事项本年度已发起竞争承接（{title}）"),
                        ));
                    }
                    if let Some((_, _, org)) = self.db.item_holder(t, item_id).await? {
                        return Err(field(
                            "item_id",
                            "item_taken",
                            format!("该事项本年度已由{org}申请承接，不能再发起竞争承接"),
                        ));
                    }
                }
            }
            Ok::<_, AppError>((k, role, fund))
        }
        .await;
        let (k, role, fund) = self
            .or_refused(checked, actor, EventKind::CallOpen, &subj, ctx)
            .await?;
        let tenant = k.area.tenant().unwrap_or("0000").to_string();
        let id = new_id(&tenant);
        let now = time::now();
        let mut tx = self.db.begin().await?;
        tx.insert_call(&tenant, &id, &k, &actor.user_id, &now)
            .await?;
        let movement = new_id(&tenant);
        let drawn = tx
            .draw_fund(&FundDraw {
                tenant: &fund.tenant_id,
                fund: &fund.id,
                movement_id: &movement,
                project: None,
                amount_fen: k.pool_fen,
                by: &actor.user_id,
                at: &now,
            })
            .await?;
        let subj = Subject {
            kind: "call",
            id: &id,
            area: &k.area,
        };
        if drawn.is_none() {
            return Err(self
                .conflict(
                    tx,
                    actor,
                    EventKind::CallOpen,
                    &subj,
                    DomainError::conflict(
                        "insufficient_funds",
                        format!("资金“{}”余额已不足以设立资金池", fund.name),
                    ),
                    ctx,
                )
                .await);
        }
        tx.append_audit(
            done(actor, Some(role), EventKind::CallOpen, &subj, ctx)
                .after(json!({ "call": k, "fund_balance_after": drawn })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn call_view(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<CallView, AppError> {
        let k = self
            .readable_call(actor, id, EventKind::CallView, ctx)
            .await?;
        self.view_of(k, Some(actor)).await
    }

    /// The call as a reader sees it; `None` is the public, who see terms, ranking and awards.
    pub(crate) async fn view_of(
        &self,
        k: CallRow,
        actor: Option<&Actor>,
    ) -> Result<CallView, AppError> {
        let t = k.tenant_id.clone();
        let all = self.db.call_applications(&t, &k.id).await?;
        let panel = self.db.call_panel(&t, &k.id).await?;
        let sheets = self.db.call_sheets(&t, &k.id).await?;
        let sealed = k.stage.is_sealed();
        let awards = self.db.call_awards(&t, &k.id).await?;
        let organize = actor.is_some_and(|a| can_organize(a, &k.area).is_ok());
        let member = actor.is_some_and(|a| panel.iter().any(|(u, _)| *u == a.user_id));
        let mine: Vec<String> = actor.map(applies_for).unwrap_or_default();
        let applied: Vec<String> = all
            .iter()
            .filter(|a| mine.contains(&a.organization_id))
            .map(|a| a.id.clone())
            .collect();
        let accepting = may_apply(k.stage, opens_on(&k), closes_at(&k), china_now()).is_ok();
        let mut apply_as = Vec::new();
        if accepting {
            for org in &mine {
                if all.iter().any(|x| x.organization_id == *org) {
                    continue;
                }
                if let Some(o) = match tenant_of(org) {
                    Some(ot) => self.db.organization(ot, org).await?,
                    None => None,
                } {
                    apply_as.push((org.clone(), o.org.name));
                }
            }
        }
        let score = actor.is_some_and(|a| {
            can_score(member).is_ok()
                && may_score(k.stage, sheets.iter().any(|s| s.user_id == a.user_id)).is_ok()
        });
        let mut ranking_rows = Vec::new();
        let mut own_scores = Vec::new();
        if sealed {
            for r in ranking(&k, &all, &sheets) {
                let Some(a) = all.iter().find(|a| a.id == r.applicant) else {
                    continue;
                };
                let won = awards.iter().find(|w| w.application_id == a.id);
                ranking_rows.push(RankedApplication {
                    place: r.place,
                    application_id: a.id.clone(),
                    organization_name: a.organization_name.clone(),
                    title: a.title.clone(),
                    amount_fen: a.amount_fen,
                    average_centi: r.average_centi,
                    explanation: r.explanation,
                    awarded_fen: won.map(|w| w.amount_fen),
                    project_id: won.map(|w| w.project_id.clone()),
                });
            }
            if let Some(own) = applied.first() {
                for s in &sheets {
                    let points = s.scores.get(own).cloned().unwrap_or_default();
                    own_scores.push(OwnScore {
                        member: s.name.clone(),
                        total: points.iter().sum(),
                        points,
                    });
                }
            }
        }
        let insider = organize || member;
        let applications = all
            .into_iter()
            .filter(|a| insider || applied.contains(&a.id))
            .collect();
        Ok(CallView {
            deadline: format!("{} 23:59", k.closes_on),
            accepting,
            remaining_fen: k.remaining(),
            applications,
            panel_size: panel.len(),
            panel: if insider {
                panel.into_iter().map(|(_, n)| n).collect()
            } else {
                Vec::new()
            },
            sheets_in: sheets.len(),
            ranking: ranking_rows,
            tie_rule: TIE_RULE,
            awards,
            own_scores,
            powers: CallPowers {
                organize,
                apply_as,
                score,
                applied,
            },
            call: k,
        })
    }
}
