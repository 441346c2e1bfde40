//! Venture-philanthropy calls (公益创投) and community micro calls (微公益创投) (MECHANISM §1;
//! issue 5): a fund holder opens a call with a theme, priority groups, a pool of money, a
//! per-project ceiling and dates; awards are made within the pool and the ceiling, and a call
//! never awards more than its pool.

use crate::chain::money::Money;
use crate::chain::need::PriorityGroup;
use crate::{labelled, AreaCode, AreaLevel, DomainError, FieldError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod lifecycle;
pub use lifecycle::*;

labelled! {
    /// The four ways organizations compete for work (MECHANISM §1, §4 step 5).
    pub enum CallKind {
        Selection = ("selection", "竞争承接"),
        Venture = ("venture", "公益创投"),
        Micro = ("micro", "微公益创投"),
        Facility = ("facility", "设施项目外包"),
    }
}

labelled! {
    /// Where a call is: applications come in until the deadline; the panel is formed and
    /// scores; once every member has submitted, the scores are sealed and awards are made;
    /// the call ends when the organizer closes it or its single award is made.
    pub enum CallStage {
        Open = ("open", "征集中"),
        Reviewing = ("reviewing", "评审中"),
        Sealed = ("sealed", "评分已封存，待评定"),
        Awarded = ("awarded", "已评定"),
    }
}

/// The most a community micro call may give one project, in fen (2 万元): "micro" means small
/// grants the community committee can run itself (HS 二(二)2 leaves the figure to the locality;
/// this is the profile default, named in docs/ARCHITECTURE.md).
pub const MICRO_CEILING_FEN: Money = Money::constant(2_000_000);

/// The smallest panel a call may be configured with (the evaluation panel's rules apply).
pub const MIN_PANEL: usize = 3;

/// One line of a published rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Criterion {
    pub name: String,
    pub max: u32,
}

/// A rubric as typed: one criterion per line, its name then its full marks (`需求契合度 30`);
/// the marks add up to 100.
pub fn parse_rubric(text: &str) -> Result<Vec<Criterion>, FieldError> {
    let bad = |m: String| FieldError::new("rubric", "invalid_rubric", m);
    let mut out: Vec<Criterion> = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() {
            continue;
        }
        let Some((name, max)) = line.rsplit_once([' ', '|', '：', ':', '\t']) else {
            return Err(bad(format!("第 {} 行应写作“标准名称 满分”", i + 1)));
        };
        let name = name.trim().trim_end_matches(['|', '：', ':']).trim();
        let Some(max) = max
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=100).contains(m))
        else {
            return Err(bad(format!("第 {} 行的满分应为 1–100 的整数", i + 1)));
        };
        if name.is_empty() || name.chars().count() > 40 {
            return Err(bad(format!("第 {} 行缺少标准名称（不超过 40 字）", i + 1)));
        }
        if out.iter().any(|c| c.name == name) {
            return Err(bad(format!("评分标准“{name}”重复")));
        }
        out.push(Criterion {
            name: name.to_string(),
            max,
        });
    }
    if out.is_empty() || out.len() > 10 {
        return Err(bad("请列出 1–10 项评分标准".into()));
    }
    let total: u32 = out.iter().map(|c| c.max).sum();
    if total != 100 {
        return Err(bad(format!("各项满分合计应为 100，现为 {total}")));
    }
    Ok(out)
}

/// A call as typed by its organizer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CallForm {
    pub kind: String,
    /// The organizing area: a community for micro calls; a township, county or city otherwise
    /// (a facility tender may also be run by the community that keeps the facility).
    pub area: String,
    /// The fund the pool is drawn from when the call opens.
    pub fund_id: String,
    pub theme: String,
    /// Priority-group codes, separated by commas.
    pub groups: String,
    /// For a competitive selection: the catalogue item contested.
    pub item_id: String,
    /// For a facility tender: the facility (服务中心、养老服务站……).
    pub facility: String,
    /// What the work must achieve (service requirements, eligibility of applicants).
    pub requirements: String,
    /// For a facility tender: the operating period in months.
    pub period_months: String,
    /// The pool, in yuan.
    pub pool: String,
    /// The most one project may be awarded, in yuan.
    pub ceiling: String,
    pub opens_on: String,
    pub closes_on: String,
    pub rubric: String,
    /// The panel's configured minimum size.
    pub min_panel: String,
}

/// A checked call: its kind, area, pool and ceiling in fen, dates, rubric and panel size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub kind: CallKind,
    pub area: AreaCode,
    pub fund_id: String,
    pub theme: String,
    pub groups: Vec<PriorityGroup>,
    pub item_id: Option<String>,
    pub facility: String,
    pub requirements: String,
    pub period_months: i64,
    pub pool_fen: Money,
    pub ceiling_fen: Money,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub rubric: Vec<Criterion>,
    pub min_panel: usize,
}

/// The moment applications close: the end of the closing day, China time.
pub fn deadline(closes_on: NaiveDate) -> NaiveDateTime {
    closes_on.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN))
}

impl CallForm {
    /// Checks the call, including the area level its kind requires and a ceiling within the pool.
    pub fn validate(&self) -> Result<Call, DomainError> {
        let mut errors = Vec::new();
        let kind = CallKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "invalid_kind",
                "请选择类型：竞争承接、公益创投、微公益创投或设施项目外包",
            ));
        }
        let area = AreaCode::parse(self.area.trim()).ok();
        let level_ok = |a: &AreaCode| match kind {
            Some(CallKind::Micro) => a.level() == AreaLevel::Community,
            Some(CallKind::Facility) => matches!(
                a.level(),
                AreaLevel::Community | AreaLevel::Township | AreaLevel::County
            ),
            _ => matches!(
                a.level(),
                AreaLevel::Township | AreaLevel::County | AreaLevel::City
            ),
        };
        if !area.as_ref().is_some_and(level_ok) {
            errors.push(FieldError::new(
                "area",
                "invalid_area",
                match kind {
                    Some(CallKind::Micro) => "微公益创投由社区组织，请填写社区的区划代码",
                    Some(CallKind::Facility) => "请填写设施所在社区、街道或县（区）的区划代码",
                    _ => "请填写组织方的街道（乡镇）、县（区）或市的区划代码",
                },
            ));
        }
        if self.fund_id.trim().is_empty() {
            errors.push(FieldError::new(
                "fund_id",
                "required",
                "请选择资金池来源的资金",
            ));
        }
        let theme = self.theme.trim();
        if theme.is_empty() || theme.chars().count() > 80 {
            errors.push(FieldError::new(
                "theme",
                "required",
                "请填写主题（不超过 80 字）",
            ));
        }
        let mut groups = Vec::new();
        for g in self
            .groups
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            match PriorityGroup::parse(g) {
                Some(p) if !groups.contains(&p) => groups.push(p),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "groups",
                    "invalid_group",
                    format!("“{g}”不是重点人群类别"),
                )),
            }
        }
        let item_id = Some(self.item_id.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if kind == Some(CallKind::Selection) && item_id.is_none() {
            errors.push(FieldError::new(
                "item_id",
                "required",
                "竞争承接须指明所竞争的服务目录事项",
            ));
        }
        let facility = self.facility.trim();
        let mut period_months = 0;
        if kind == Some(CallKind::Facility) {
            if facility.is_empty() || facility.chars().count() > 60 {
                errors.push(FieldError::new(
                    "facility",
                    "required",
                    "请填写外包的设施名称（不超过 60 字）",
                ));
            }
            match self.period_months.trim().parse::<i64>() {
                Ok(m) if (1..=60).contains(&m) => period_months = m,
                _ => errors.push(FieldError::new(
                    "period_months",
                    "invalid_period",
                    "运营期限应为 1–60 个月",
                )),
            }
        }
        let requirements = self.requirements.trim();
        if requirements.is_empty() || requirements.chars().count() > 4000 {
            errors.push(FieldError::new(
                "requirements",
                "required",
                "请写明服务要求和申报条件（不超过 4000 字）",
            ));
        }
        let money = |field: &str, v: &str, errors: &mut Vec<FieldError>| match Money::parse(v) {
            Some(f) if f > Money::ZERO => Some(f),
            _ => {
                errors.push(FieldError::new(
                    field,
                    "invalid_amount",
                    crate::chain::money::AMOUNT_RULE,
                ));
                None
            }
        };
        let pool = money("pool", &self.pool, &mut errors);
        let ceiling = money("ceiling", &self.ceiling, &mut errors);
        if let (Some(p), Some(c)) = (pool, ceiling) {
            if c > p {
                errors.push(FieldError::new(
                    "ceiling",
                    "over_pool",
                    format!("单个项目上限不能超过资金池 {} 元", p.yuan()),
                ));
            } else if kind == Some(CallKind::Micro) && c > MICRO_CEILING_FEN {
                errors.push(FieldError::new(
                    "ceiling",
                    "over_micro_ceiling",
                    format!(
                        "微公益创投单个项目上限不超过 {} 元",
                        MICRO_CEILING_FEN.yuan()
                    ),
                ));
            }
        }
        let date = |field: &str, v: &str, errors: &mut Vec<FieldError>| {
            let d = crate::text::parse_date(v.trim());
            if d.is_none() {
                errors.push(FieldError::new(
                    field,
                    "invalid_date",
                    "日期应写作 YYYY-MM-DD",
                ));
            }
            d
        };
        let opens = date("opens_on", &self.opens_on, &mut errors);
        let closes = date("closes_on", &self.closes_on, &mut errors);
        if let (Some(o), Some(c)) = (opens, closes) {
            if c < o {
                errors.push(FieldError::new(
                    "closes_on",
                    "period_order",
                    "截止日期早于开始日期",
                ));
            }
        }
        let rubric = parse_rubric(&self.rubric).map_err(|e| errors.push(e)).ok();
        let min_panel = match self.min_panel.trim() {
            "" => Some(crate::chain::panel::DEFAULT_MINIMUM),
            t => t
                .parse::<usize>()
                .ok()
                .filter(|n| (MIN_PANEL..=15).contains(n)),
        };
        if min_panel.is_none() {
            errors.push(FieldError::new(
                "min_panel",
                "invalid_panel_size",
                format!("评审小组人数下限应为 {MIN_PANEL}–15 人"),
            ));
        }
        match (kind, area, pool, ceiling, opens, closes, rubric, min_panel) {
            (
                Some(kind),
                Some(area),
                Some(pool_fen),
                Some(ceiling_fen),
                Some(opens_on),
                Some(closes_on),
                Some(rubric),
                Some(min_panel),
            ) if errors.is_empty() => Ok(Call {
                kind,
                area,
                fund_id: self.fund_id.trim().to_string(),
                theme: theme.to_string(),
                groups,
                item_id,
                facility: facility.to_string(),
                requirements: requirements.to_string(),
                period_months,
                pool_fen,
                ceiling_fen,
                opens_on,
                closes_on,
                rubric,
                min_panel,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// An organization's application (for a tender: its bid) as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CallApplicationForm {
    pub title: String,
    pub proposal: String,
    /// Who will do the work (required for a facility bid: staff and qualifications).
    pub staffing: String,
    /// The amount asked (for a tender: the bid price), in yuan.
    pub amount: String,
    /// The community the project serves (defaults to the call's area when that is a community).
    pub community: String,
}

/// A checked application to a call, its amount in fen and the community it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallApplication {
    pub title: String,
    pub proposal: String,
    pub staffing: String,
    pub amount_fen: Money,
    pub community: AreaCode,
}

impl CallApplicationForm {
    /// Checks the application against the call: the amount within the ceiling, the community
    /// inside the call's area, and a staffing plan for a facility bid.
    pub fn validate(
        &self,
        kind: CallKind,
        call_area: &AreaCode,
        ceiling_fen: Money,
    ) -> Result<CallApplication, DomainError> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 80 {
            errors.push(FieldError::new(
                "title",
                "required",
                "请填写项目名称（不超过 80 字）",
            ));
        }
        let proposal = self.proposal.trim();
        if proposal.chars().count() < 10 || proposal.chars().count() > 8000 {
            errors.push(FieldError::new(
                "proposal",
                "required",
                "请写明项目方案（10–8000 字）",
            ));
        }
        let staffing = self.staffing.trim();
        if kind == CallKind::Facility && staffing.is_empty() {
            errors.push(FieldError::new(
                "staffing",
                "required",
                "投标须写明人员配备（岗位、人数、资质）",
            ));
        }
        let amount = Money::parse(&self.amount).filter(|f| *f > Money::ZERO);
        match amount {
            None => errors.push(FieldError::new(
                "amount",
                "invalid_amount",
                crate::chain::money::AMOUNT_RULE,
            )),
            Some(a) if a > ceiling_fen => errors.push(FieldError::new(
                "amount",
                "over_ceiling",
                format!("超过单个项目上限 {} 元", ceiling_fen.yuan()),
            )),
            Some(_) => {}
        }
        let community = match self.community.trim() {
            "" if call_area.level() == AreaLevel::Community => Some(call_area.clone()),
            t => AreaCode::parse(t)
                .ok()
                .filter(|c| c.level() == AreaLevel::Community && call_area.contains(c)),
        };
        if community.is_none() {
            errors.push(FieldError::new(
                "community",
                "invalid_community",
                format!("请填写服务的社区，须在 {} 范围内", call_area.full()),
            ));
        }
        match (amount, community) {
            (Some(amount_fen), Some(community)) if errors.is_empty() => Ok(CallApplication {
                title: title.to_string(),
                proposal: proposal.to_string(),
                staffing: staffing.to_string(),
                amount_fen,
                community,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A member's score sheet: for every application, the points per criterion in rubric order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreSheetForm {
    pub scores: BTreeMap<String, Vec<u32>>,
    pub comment: String,
}

impl ScoreSheetForm {
    /// Every application scored on every criterion, none above its full marks.
    pub fn validate(
        &self,
        rubric: &[Criterion],
        applications: &[String],
    ) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        for a in applications {
            let field = format!("scores.{a}");
            match self.scores.get(a) {
                None => errors.push(FieldError::new(field, "missing_score", "每份申请都须评分")),
                Some(points) if points.len() != rubric.len() => errors.push(FieldError::new(
                    field,
                    "criteria_count",
                    format!("须按 {} 项评分标准逐项评分", rubric.len()),
                )),
                Some(points) => {
                    for (p, c) in points.iter().zip(rubric) {
                        if *p > c.max {
                            errors.push(FieldError::new(
                                field.clone(),
                                "over_max",
                                format!("“{}”满分 {}，评分 {p} 超出", c.name, c.max),
                            ));
                        }
                    }
                }
            }
        }
        for a in self.scores.keys() {
            if !applications.contains(a) {
                errors.push(FieldError::new(
                    format!("scores.{a}"),
                    "unknown_application",
                    "没有这份申请",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// An award as typed by the organizer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AwardForm {
    pub application_id: String,
    /// The amount granted, in yuan (at most what was asked; a bid is awarded at its price).
    pub amount: String,
    pub reasons: String,
}

/// Whether `application` may be awarded now: awards follow the ranking (the best applicant not
/// yet awarded), a selection or tender has exactly one award, and the reasons are written.
/// Returns the applicant's place.
pub fn award_in_order(
    kind: CallKind,
    ranking: &[String],
    awarded: &[String],
    application: &str,
    reasons: &str,
) -> Result<usize, DomainError> {
    if reasons.trim().chars().count() < 4 {
        return Err(DomainError::field(
            "reasons",
            "reasons_required",
            "请写明评定理由（至少 4 字）",
        ));
    }
    if matches!(kind, CallKind::Selection | CallKind::Facility) && !awarded.is_empty() {
        return Err(DomainError::conflict(
            "already_awarded",
            format!("{}只确定一家承接方，已经评定", kind.zh()),
        ));
    }
    let Some(place) = ranking.iter().position(|a| a == application) else {
        return Err(DomainError::field(
            "application_id",
            "unknown_application",
            "没有这份申请",
        ));
    };
    if awarded.iter().any(|a| a == application) {
        return Err(DomainError::conflict("already_awarded", "这份申请已获资助"));
    }
    if let Some(best) = ranking.iter().position(|a| !awarded.contains(a)) {
        if best != place {
            return Err(DomainError::conflict(
                "out_of_order",
                format!(
                    "须按排名评定：第 {} 名尚未评定，不能先评定第 {} 名",
                    best + 1,
                    place + 1
                ),
            ));
        }
    }
    Ok(place + 1)
}

/// An award of `amount` on a call with `remaining` of its pool: within the ceiling and the pool;
/// the pool's remainder afterwards.
pub fn award(remaining: Money, ceiling: Money, amount: Money) -> Result<Money, DomainError> {
    if amount <= Money::ZERO {
        return Err(DomainError::field(
            "amount",
            "invalid_amount",
            "金额须大于 0",
        ));
    }
    if amount > ceiling {
        return Err(DomainError::field(
            "amount",
            "over_ceiling",
            format!("超过单个项目上限 {} 元", ceiling.yuan()),
        ));
    }
    remaining.checked_sub(amount).ok_or_else(|| {
        DomainError::conflict(
            "pool_exhausted",
            format!(
                "资金池余额 {} 元，不足以资助 {} 元",
                remaining.yuan(),
                amount.yuan()
            ),
        )
    })
}

/// Whether a fund may hold the call's pool: its area contains the organizer's and its balance
/// covers the whole pool (which is drawn when the call opens).
pub fn pool_from(
    fund_name: &str,
    fund_area: &AreaCode,
    balance_fen: Money,
    call: &Call,
) -> Result<(), DomainError> {
    if !fund_area.contains(&call.area) {
        return Err(DomainError::field(
            "fund_id",
            "fund_elsewhere",
            "资金所属区域须覆盖组织方的区域",
        ));
    }
    if balance_fen < call.pool_fen {
        return Err(DomainError::field(
            "pool",
            "insufficient_funds",
            format!(
                "资金“{fund_name}”余额 {} 元，不足以设立资金池",
                balance_fen.yuan()
            ),
        ));
    }
    Ok(())
}

/// Whether the awards end with this one: a selection or tender names one undertaker; a venture
/// or micro call ends when its pool is spent or every applicant is awarded.
pub fn finished_after_award(
    kind: CallKind,
    awarded_fen: Money,
    pool_fen: Money,
    awards: usize,
    applications: usize,
) -> bool {
    matches!(kind, CallKind::Selection | CallKind::Facility)
        || awarded_fen >= pool_fen
        || awards >= applications
}

/// Who organizes a call: an officer of the community, township, county or city whose area
/// contains the call's (the kind's own level rule is checked on the form).
pub fn can_organize(actor: &crate::Actor, area: &AreaCode) -> Result<crate::Role, crate::Denied> {
    use crate::Role;
    actor
        .assignments
        .iter()
        .find(|a| {
            matches!(
                a.role,
                Role::CommunityOfficer
                    | Role::TownshipOfficer
                    | Role::CountyBureau
                    | Role::CityBureau
            ) && a.area.contains(area)
        })
        .map(|a| a.role)
        .ok_or_else(|| crate::Denied {
            code: "not_call_organizer",
            message: "无权操作：征集由组织方（社区居委会、街道或民政部门）办理".into(),
        })
}

/// The rubric's revision as typed (until the first score).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RubricForm {
    pub rubric: String,
    pub min_panel: String,
}

#[cfg(test)]
mod tests;
