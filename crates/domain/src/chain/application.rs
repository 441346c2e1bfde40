//! The application (项目申请书, YQ step 2; MECHANISM §4 step 2): background and survey findings,
//! measurable goals, phases with dates, budget lines in fen with computed totals, the team, and
//! the needs it answers. Every revision is a new immutable version; any two versions compare
//! field by field.
//!
//! The lists are typed one entry per line, fields separated by `|` (works in a plain text area
//! and in a spreadsheet cell); a bad line is named by its number.

use crate::chain::catalogue::EligibilityStatus;
use crate::chain::money::Money;

/// Lines a budget may have.
pub const MAX_BUDGET_LINES: usize = 100;
use crate::chain::stage::Stage;
use crate::{DomainError, FieldError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An application as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    pub title: String,
    /// Background, significance and survey findings.
    pub background: String,
    /// `目标|指标|目标值` per line.
    pub goals: String,
    /// `阶段|开始日期|结束日期|内容` per line.
    pub phases: String,
    /// `科目|金额（元）` per line.
    pub budget: String,
    /// The project lead's account id (a social worker or the organization's manager).
    pub lead: String,
    /// Social workers of the registry, by id, separated by commas or spaces.
    pub social_workers: String,
    /// Volunteers of the registry, by id.
    pub volunteers: String,
    /// Needs it answers, by id.
    pub needs: String,
}

/// A measurable goal of the application: the goal, its indicator and the target value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Goal {
    pub goal: String,
    pub indicator: String,
    pub target: String,
}

/// A phase of the work plan, with its dates and what is done in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Phase {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub content: String,
}

/// A budget line: what the money is for and how much, in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BudgetLine {
    pub item: String,
    pub fen: Money,
}

/// The content of one version of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationContent {
    pub title: String,
    pub background: String,
    pub goals: Vec<Goal>,
    pub phases: Vec<Phase>,
    pub budget: Vec<BudgetLine>,
    pub lead: String,
    pub social_workers: Vec<String>,
    pub volunteers: Vec<String>,
    pub needs: Vec<String>,
}

impl ApplicationContent {
    /// The budget's total in fen (checked when the content was validated: at most
    /// `MAX_AMOUNT_FEN`; a stored content is never more, so the fallback to the bound never
    /// shows).
    pub fn total(&self) -> Money {
        Money::sum(self.budget.iter().map(|b| b.fen)).unwrap_or(Money::MAX)
    }
}

fn ids(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The non-empty lines of a list field, numbered from 1, each split at `|`.
fn lines(s: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    s.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split(['|', '｜']).map(str::trim).collect()))
}

fn date(s: &str) -> Option<NaiveDate> {
    crate::text::parse_date(s)
}

impl ApplicationForm {
    /// Checks every field and list line and returns every problem at once, lines by number.
    pub fn validate(&self) -> Result<ApplicationContent, DomainError> {
        let mut errors = Vec::new();
        let mut err = |field: &str, code: &'static str, message: String| {
            errors.push(FieldError::new(field, code, message));
        };
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 80 {
            err("title", "required", "请填写项目名称（不超过 80 字）".into());
        }
        let background = self.background.trim();
        if background.chars().count() < 20 {
            err(
                "background",
                "required",
                "请写明项目背景、意义和需求调研情况（至少 20 字）".into(),
            );
        }
        let mut goals = Vec::new();
        for (n, f) in lines(&self.goals) {
            match f.as_slice() {
                [g, i, t] if !g.is_empty() && !i.is_empty() && !t.is_empty() => goals.push(Goal {
                    goal: g.to_string(),
                    indicator: i.to_string(),
                    target: t.to_string(),
                }),
                _ => err(
                    "goals",
                    "invalid_goal",
                    format!("第 {n} 行：目标应写作“目标|指标|目标值”，三项都要填（目标须可衡量）"),
                ),
            }
        }
        if goals.is_empty() && self.goals.trim().is_empty() {
            err("goals", "required", "请至少写一个可衡量的目标".into());
        }
        let mut phases: Vec<Phase> = Vec::new();
        for (n, f) in lines(&self.phases) {
            match f.as_slice() {
                [name, from, to, content] if !name.is_empty() => match (date(from), date(to)) {
                    (Some(from), Some(to)) if from <= to => phases.push(Phase {
                        name: name.to_string(),
                        from,
                        to,
                        content: content.to_string(),
                    }),
                    (Some(_), Some(_)) => err(
                        "phases",
                        "phase_order",
                        format!("第 {n} 行：结束日期早于开始日期"),
                    ),
                    _ => err(
                        "phases",
                        "invalid_date",
                        format!("第 {n} 行：日期应写作 YYYY-MM-DD"),
                    ),
                },
                _ => err(
                    "phases",
                    "invalid_phase",
                    format!("第 {n} 行：阶段应写作“阶段|开始日期|结束日期|内容”"),
                ),
            }
        }
        if phases.is_empty() && self.phases.trim().is_empty() {
            err("phases", "required", "请写明实施阶段和时间安排".into());
        }
        let mut budget = Vec::new();
        for (n, f) in lines(&self.budget) {
            match f.as_slice() {
                [item, amount] if !item.is_empty() => match Money::parse(amount) {
                    Some(fen) if fen > Money::ZERO => budget.push(BudgetLine {
                        item: item.to_string(),
                        fen,
                    }),
                    _ => err(
                        "budget",
                        "invalid_amount",
                        format!(
                            "第 {n} 行：{}（如 1200.50）",
                            crate::chain::money::AMOUNT_RULE
                        ),
                    ),
                },
                _ => err(
                    "budget",
                    "invalid_budget",
                    format!("第 {n} 行：预算应写作“科目|金额（元）”"),
                ),
            }
        }
        if budget.is_empty() && self.budget.trim().is_empty() {
            err("budget", "required", "请列出预算明细".into());
        } else if budget.len() > MAX_BUDGET_LINES {
            err(
                "budget",
                "too_many_lines",
                format!("预算明细不能超过 {MAX_BUDGET_LINES} 行"),
            );
        } else if Money::sum(budget.iter().map(|b| b.fen)).is_none() {
            err(
                "budget",
                "budget_too_large",
                "预算合计超过 1,000,000,000 元的上限".into(),
            );
        }
        let lead = self.lead.trim();
        if lead.is_empty() {
            err("lead", "required", "请指定项目负责人".into());
        }
        let social_workers = ids(&self.social_workers);
        if social_workers.is_empty() {
            err(
                "social_workers",
                "required",
                "项目团队至少要有一名社工（社工台账编号）".into(),
            );
        }
        if errors.is_empty() {
            Ok(ApplicationContent {
                title: title.to_string(),
                background: background.to_string(),
                goals,
                phases,
                budget,
                lead: lead.to_string(),
                social_workers,
                volunteers: ids(&self.volunteers),
                needs: ids(&self.needs),
            })
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

impl From<&ApplicationContent> for ApplicationForm {
    /// The form that would produce this content (to revise a version).
    fn from(c: &ApplicationContent) -> Self {
        let join = |v: &[String]| v.join(", ");
        ApplicationForm {
            title: c.title.clone(),
            background: c.background.clone(),
            goals: c
                .goals
                .iter()
                .map(|g| format!("{}|{}|{}", g.goal, g.indicator, g.target))
                .collect::<Vec<_>>()
                .join("\n"),
            phases: c
                .phases
                .iter()
                .map(|p| format!("{}|{}|{}|{}", p.name, p.from, p.to, p.content))
                .collect::<Vec<_>>()
                .join("\n"),
            budget: c
                .budget
                .iter()
                .map(|b| format!("{}|{}", b.item, b.fen.yuan().replace(',', "")))
                .collect::<Vec<_>>()
                .join("\n"),
            lead: c.lead.clone(),
            social_workers: join(&c.social_workers),
            volunteers: join(&c.volunteers),
            needs: join(&c.needs),
        }
    }
}

/// One field that differs between two versions, with both sides as people read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Change {
    pub field: &'static str,
    pub label: &'static str,
    pub before: String,
    pub after: String,
}

/// The fields that differ between two versions, in the form's order (for the side-by-side view).
pub fn compare(a: &ApplicationContent, b: &ApplicationContent) -> Vec<Change> {
    let fa = ApplicationForm::from(a);
    let fb = ApplicationForm::from(b);
    let total = |c: &ApplicationContent| format!("{} 元", c.total().yuan());
    [
        ("title", "项目名称", fa.title, fb.title),
        ("background", "背景与调研", fa.background, fb.background),
        ("goals", "目标与指标", fa.goals, fb.goals),
        ("phases", "实施阶段", fa.phases, fb.phases),
        ("budget", "预算明细", fa.budget, fb.budget),
        ("total", "预算合计", total(a), total(b)),
        ("lead", "项目负责人", fa.lead, fb.lead),
        (
            "social_workers",
            "社工",
            fa.social_workers,
            fb.social_workers,
        ),
        ("volunteers", "志愿者", fa.volunteers, fb.volunteers),
        ("needs", "回应的需求", fa.needs, fb.needs),
    ]
    .into_iter()
    .filter(|(_, _, x, y)| x != y)
    .map(|(field, label, before, after)| Change {
        field,
        label,
        before,
        after,
    })
    .collect()
}

/// Only an organization whose eligibility on the item was approved writes an application on it
/// (YQ step 1 before step 2).
pub fn may_write(eligibility: EligibilityStatus) -> Result<(), DomainError> {
    if eligibility == EligibilityStatus::Approved {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "not_eligible",
            format!(
                "该组织在此事项上的承接资格{}，获街道批准后才能撰写申请书",
                eligibility.zh()
            ),
        ))
    }
}

/// A new version is accepted while the stage allows revision and nobody else added one since the
/// author loaded the version they revised (`expected`): a late edit never overwrites another.
pub fn may_revise(stage: Stage, current: i64, expected: i64) -> Result<i64, DomainError> {
    if !stage.revisable() {
        return Err(DomainError::conflict(
            "application_frozen",
            format!("项目已进入“{}”阶段，申请书已定稿，不能再修改", stage.zh()),
        ));
    }
    if current != expected {
        return Err(DomainError::conflict(
            "stale_version",
            format!(
                "申请书已有更新的第 {current} 版（你修改的是第 {expected} 版），请在最新版本上修改"
            ),
        ));
    }
    Ok(current + 1)
}

/// What stands between an organization and an ordinary application on a catalogue item of a
/// period (issue 16, finding 5), checked in this order: a selection opened on the item (`Some
/// ((title, under_way))`) — the item goes only through it, to its winner, even after the award;
/// another organization's project that holds the item (`holder`: its name) — one undertaker per
/// item per period; two or more approved eligibilities — the organizations compete, so the
/// community or township must open a selection (竞争承接) first.
pub fn ordinary_application_open(
    selection: Option<(&str, bool)>,
    holder: Option<&str>,
    approved_eligibilities: i64,
) -> Result<(), DomainError> {
    match (selection, holder) {
        (Some((title, true)), _) => Err(DomainError::conflict(
            "selection_under_way",
            format!("该事项正在竞争承接（{title}），请参加竞争承接"),
        )),
        (Some((title, false)), _) => Err(DomainError::conflict(
            "selection_awarded",
            format!("该事项本年度已通过竞争承接（{title}）评定承接组织，不能另行申请"),
        )),
        (None, Some(org)) => Err(DomainError::conflict(
            "item_taken",
            format!("该事项本年度已由{org}申请承接，不能另行申请"),
        )),
        (None, None) if approved_eligibilities >= 2 => Err(DomainError::conflict(
            "competition_required",
            "本年度有两家及以上组织具备该事项的承接资格，须先由社区或街道发起竞争承接，不能直接撰写申请书",
        )),
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_application_waits_for_no_competition() {
        let code = |r: Result<(), DomainError>| match r {
            Err(DomainError::Conflict { code, .. }) => code,
            _ => "ok",
        };
        assert_eq!(code(ordinary_application_open(None, None, 1)), "ok");
        assert_eq!(
            code(ordinary_application_open(None, None, 2)),
            "competition_required"
        );
        assert_eq!(
            code(ordinary_application_open(None, Some("甲"), 1)),
            "item_taken"
        );
        assert_eq!(
            code(ordinary_application_open(Some(("遴选", true)), None, 2)),
            "selection_under_way"
        );
        assert_eq!(
            code(ordinary_application_open(
                Some(("遴选", false)),
                Some("甲"),
                2
            )),
            "selection_awarded"
        );
    }
    use crate::chain::money::yuan;
    use proptest::prelude::*;

    fn form() -> ApplicationForm {
        ApplicationForm {
            title: "柏树街社区老年助餐项目".into(),
            background: "走访 120 户，独居高龄老人 46 人，其中 31 人午餐无人照料，居民代表会议提出建设助餐点。".into(),
            goals: "为独居老人提供午餐|每周送餐天数|5 天\n提升老人满意度|满意度调查|≥ 90%".into(),
            phases: "筹备|2026-12-01|2026-12-31|招募志愿者、改造餐点\n实施|2027-01-01|2027-10-31|每日助餐".into(),
            budget: "食材补贴|36,000\n场地改造|8000.50\n志愿者保险|1200".into(),
            lead: "3410-lead".into(),
            social_workers: "3410-sw2, 3410-sw1 3410-sw1".into(),
            volunteers: "".into(),
            needs: "3410-need".into(),
        }
    }

    #[test]
    fn a_complete_application_totals_its_budget_in_fen() {
        let c = form().validate().unwrap();
        assert_eq!(c.goals.len(), 2);
        assert_eq!(c.phases.len(), 2);
        assert_eq!(c.total().fen(), 3_600_000 + 800_050 + 120_000);
        assert_eq!(
            c.social_workers,
            ["3410-sw1", "3410-sw2"],
            "sorted, repeats once"
        );
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let mut f = form();
        f.goals = "只写目标\n目标|指标|值".into();
        f.phases = "筹备|2026-12-31|2026-12-01|倒序\n\n实施|明年|2027-10-31|x".into();
        f.budget = "食材|-5\n场地|abc\n保险".into();
        f.social_workers = " ".into();
        let DomainError::Invalid(e) = f.validate().unwrap_err() else {
            panic!()
        };
        let msgs: Vec<String> = e
            .iter()
            .map(|x| format!("{}:{}", x.field, x.message))
            .collect();
        let has = |field: &str, text: &str| {
            msgs.iter()
                .any(|m| m.starts_with(field) && m.contains(text))
        };
        assert!(has("goals", "第 1 行"), "{msgs:?}");
        assert!(has("phases", "第 1 行：结束日期早于开始日期"), "{msgs:?}");
        assert!(has("phases", "第 3 行：日期"), "{msgs:?}");
        assert!(has("budget", "第 1 行"), "{msgs:?}");
        assert!(has("budget", "第 2 行"), "{msgs:?}");
        assert!(has("budget", "第 3 行"), "{msgs:?}");
        assert!(has("social_workers", "社工"), "{msgs:?}");
    }

    #[test]
    fn comparing_versions_names_what_changed() {
        let a = form().validate().unwrap();
        let mut f = form();
        f.budget = "食材补贴|30000\n场地改造|8000.50\n志愿者保险|1200".into();
        f.title = "柏树街社区老年助餐点".into();
        let b = f.validate().unwrap();
        let changes = compare(&a, &b);
        let fields: Vec<_> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["title", "budget", "total"]);
        assert_eq!(changes[2].before, "45,200.50 元");
        assert_eq!(changes[2].after, "39,200.50 元");
        assert!(compare(&a, &a).is_empty());
    }

    #[test]
    fn a_budget_is_never_stored_as_a_wrapped_around_total() {
        let fields = |f: &ApplicationForm| match f.validate() {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|x| x.code).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let mut f = form();
        // Lines that once added up, wrapped, to 1.00 yuan.
        f.budget = "人员|92233720368547758.07\n物资|92233720368547758.07\n其他|0.02".into();
        assert!(fields(&f).contains(&"invalid_amount"));
        // Within the bound line by line, but not in total.
        f.budget = "人员|600000000\n物资|600000000".into();
        assert!(fields(&f).contains(&"budget_too_large"));
        f.budget = (0..101)
            .map(|i| format!("科目{i}|1"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(fields(&f).contains(&"too_many_lines"));
    }

    #[test]
    fn only_an_approved_eligibility_writes_and_only_the_latest_version_is_revised() {
        assert!(may_write(EligibilityStatus::Approved).is_ok());
        for e in [EligibilityStatus::Pending, EligibilityStatus::Rejected] {
            let DomainError::Conflict { code, message } = may_write(e).unwrap_err() else {
                panic!()
            };
            assert_eq!(code, "not_eligible");
            assert!(message.contains(e.zh()), "{message}");
        }
        for stage in Stage::ALL.iter().copied() {
            let r = may_revise(stage, 3, 3);
            assert_eq!(r.is_ok(), stage.revisable(), "{stage:?}");
            if stage.revisable() {
                assert_eq!(r.unwrap(), 4);
                let DomainError::Conflict { code, .. } = may_revise(stage, 3, 2).unwrap_err()
                else {
                    panic!()
                };
                assert_eq!(code, "stale_version");
            } else {
                let DomainError::Conflict { code, message } = r.unwrap_err() else {
                    panic!()
                };
                assert_eq!(code, "application_frozen");
                assert!(message.contains(stage.zh()));
            }
        }
    }

    proptest! {
        /// A version re-typed from its own form is the same version (revising starts from it).
        #[test]
        fn content_round_trips_through_its_form(
            amounts in proptest::collection::vec(1i64..100_000_000, 1..6),
            days in 0i64..300,
        ) {
            let mut f = form();
            f.budget = amounts.iter().enumerate().map(|(i, a)| format!("科目{i}|{}", yuan(*a))).collect::<Vec<_>>().join("\n");
            let start = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            f.phases = format!("实施|{start}|{}|内容", start + chrono::Duration::days(days));
            let c = f.validate().unwrap();
            prop_assert_eq!(c.total().fen(), amounts.iter().sum::<i64>());
            let again = ApplicationForm::from(&c).validate().unwrap();
            prop_assert_eq!(&again, &c);
            prop_assert!(compare(&c, &again).is_empty());
        }
    }
}
