//! Demonstration calls in Huangshan, each in a different stage, made through the same use cases
//! people use: the city's venture-philanthropy call (awarded, its first project contracted), 柏树街
//! community's micro call (open for applications), 昱中街道's tender for the community's
//! elderly-care station (the panel scoring), and a selection on a contested catalogue item (the
//! scores sealed, waiting for the award). Two more organizations of 屯溪区 compete with the
//! demonstration organization, through their managers `orgmanager2` and `orgmanager3`; the panels
//! are the evaluator and two more experts, `pingshen1` and `pingshen2`.

use crate::chain::evaluation::PanelForm;
use crate::demo::chain::{actor, demo_ctx};
use crate::demo::{DEMO_ORG_ID, DEMO_PASSWORD};
use crate::identity::UserForm;
use crate::kernel::today;
use crate::{App, AppError};
use chrono::{Duration, NaiveDateTime};
use domain::chain::call::{AwardForm, CallApplicationForm, CallForm, ScoreSheetForm};
use domain::chain::catalogue::CatalogueItem;
use domain::identity::Scope;
use domain::{AreaCode, Role};

const COMMUNITY: &str = "341002002001";
const TOWNSHIP: &str = "341002002";
const RUBRIC: &str = "需求契合度 30\n方案可行性 30\n团队能力 20\n预算合理性 20";

/// A call's terms with the demonstration's defaults.
fn terms(kind: &str, area: &str, fund: &str, theme: &str, days: (i64, i64)) -> CallForm {
    let d = |n: i64| (today() + Duration::days(n)).to_string();
    CallForm {
        kind: kind.into(),
        area: area.into(),
        fund_id: fund.into(),
        theme: theme.into(),
        groups: "special_elderly, children_in_difficulty".into(),
        requirements: "在黄山市登记或备案的社会组织；项目服务本市社区居民，配备持证社会工作者。"
            .into(),
        opens_on: d(days.0),
        closes_on: d(days.1),
        rubric: RUBRIC.into(),
        min_panel: "3".into(),
        ..CallForm::default()
    }
}

impl App {
    pub(crate) async fn seed_demo_calls(&self) -> Result<(), AppError> {
        let ctx = demo_ctx();
        let id_of = |login: &'static str| self.demo_user(login);
        // Two rival organizations of 屯溪区 with manager accounts, and two more experts.
        let rivals: Vec<(String, String)> = self
            .db
            .organizations(
                &Scope::new([AreaCode::parse("341002")?]),
                &store::registry::OrgFilter::default(),
                20,
            )
            .await?
            .into_iter()
            .filter(|o| o.id != DEMO_ORG_ID)
            .take(2)
            .map(|o| (o.id, o.org.area.as_str().to_string()))
            .collect();
        let [(org2, area2), (org3, area3)] = rivals.as_slice() else {
            return Err(AppError::not_found("屯溪区的社会组织"));
        };
        for (login, name, org, area) in [
            ("orgmanager2", "社会组织负责人 钱进", org2, area2),
            ("orgmanager3", "社会组织负责人 林芳", org3, area3),
        ] {
            let form = UserForm {
                login: login.into(),
                display_name: name.into(),
                password: DEMO_PASSWORD.into(),
                role: "organization_manager".into(),
                area: area.clone(),
                organization_id: Some(org.clone()),
            };
            self.create_user(None, &form, &ctx).await?;
        }
        for (login, name) in [
            ("pingshen1", "评审专家 钱教授"),
            ("pingshen2", "评审专家 孙律师"),
        ] {
            let form = UserForm {
                login: login.into(),
                display_name: name.into(),
                password: DEMO_PASSWORD.into(),
                role: "evaluator".into(),
                area: "3410".into(),
                organization_id: None,
            };
            self.create_user(None, &form, &ctx).await?;
        }
        let manager = actor(
            &id_of("orgmanager").await?,
            Role::OrganizationManager,
            COMMUNITY,
            Some(DEMO_ORG_ID),
        )?;
        let m2 = actor(
            &id_of("orgmanager2").await?,
            Role::OrganizationManager,
            area2,
            Some(org2),
        )?;
        let m3 = actor(
            &id_of("orgmanager3").await?,
            Role::OrganizationManager,
            area3,
            Some(org3),
        )?;
        let city = actor(&id_of("city").await?, Role::CityBureau, "3410", None)?;
        let township = actor(
            &id_of("township").await?,
            Role::TownshipOfficer,
            TOWNSHIP,
            None,
        )?;
        let officer = actor(
            &id_of("community").await?,
            Role::CommunityOfficer,
            COMMUNITY,
            None,
        )?;
        let mut panel = Vec::new();
        for login in ["evaluator", "pingshen1", "pingshen2"] {
            panel.push(actor(&id_of(login).await?, Role::Evaluator, "3410", None)?);
        }
        let panel_form = PanelForm {
            members: "evaluator, pingshen1, pingshen2".into(),
        };
        let city_fund = self
            .create_fund(
                &city,
                &domain::chain::purchase::FundForm {
                    area: "3410".into(),
                    name: "2027 年黄山市福彩公益金公益创投资金".into(),
                    source: "welfare_lottery".into(),
                    year: "2027".into(),
                    budget: "1000000".into(),
                },
                &ctx,
            )
            .await?;
        let township_fund = self
            .db
            .funds(&Scope::new([AreaCode::parse(TOWNSHIP)?]), None, 10)
            .await?
            .into_iter()
            .next()
            .map(|f| f.id)
            .ok_or_else(|| AppError::not_found("昱中街道的资金"))?;
        let application = |title: &str, amount: &str, community: &str| {
            CallApplicationForm {
            title: title.into(),
            proposal: format!("{title}：入户评估服务对象，由持证社工带领志愿者按月开展服务，建立服务台账并接受居民监督。"),
            staffing: "项目主管 1 名（中级社工师），一线社工 2 名，志愿者 10 名".into(),
            amount: amount.into(),
            community: community.into(),
        }
        };
        let closed_at = |k: &CallForm| -> NaiveDateTime {
            chrono::NaiveDate::parse_from_str(&k.closes_on, "%Y-%m-%d")
                .unwrap_or_default()
                .and_hms_opt(10, 0, 0)
                .unwrap_or_default()
        };
        let after_deadline = crate::kernel::china_now();
        // Sheets: each member's points (of 30, 30, 20, 20) per application, in applying order.
        let score = |call: String, sheets: Vec<Vec<[u32; 4]>>, members: usize| {
            let panel = &panel;
            let ctx = &ctx;
            async move {
                let apps = self.db.call_applications("3410", &call).await?;
                for (member, points) in panel.iter().zip(&sheets).take(members) {
                    let mut form = ScoreSheetForm::default();
                    for (a, p) in apps.iter().zip(points) {
                        form.scores.insert(a.id.clone(), p.to_vec());
                    }
                    self.score_call(member, &call, &form, ctx).await?;
                }
                Ok::<_, AppError>(apps)
            }
        };

        // 1. The city's venture call: awarded twice and closed; the first project contracted.
        let k = terms(
            "venture",
            "3410",
            &city_fund,
            "2027 年黄山市“一老一小”公益创投",
            (-60, -20),
        );
        let k = CallForm {
            pool: "100000".into(),
            ceiling: "50000".into(),
            ..k
        };
        let venture = self.open_call(&city, &k, &ctx).await?;
        for (who, a) in [
            (
                &manager,
                application("柏树街长者助餐与探访", "48000", COMMUNITY),
            ),
            (&m2, application("困境儿童成长陪伴计划", "45000", area2)),
            (&m3, application("社区老人防诈骗宣传", "30000", area3)),
        ] {
            let org = who.assignments[0]
                .organization_id
                .clone()
                .unwrap_or_default();
            self.apply_to_call_at(who, &venture, &org, &a, closed_at(&k), &ctx)
                .await?;
        }
        self.form_call_panel_at(&city, &venture, &panel_form, after_deadline, &ctx)
            .await?;
        let apps = score(
            venture.clone(),
            vec![
                vec![[27, 26, 18, 17], [25, 27, 17, 18], [20, 18, 15, 14]],
                vec![[28, 25, 17, 18], [26, 26, 18, 16], [21, 19, 14, 15]],
                vec![[26, 27, 18, 16], [27, 24, 16, 17], [19, 20, 15, 13]],
            ],
            3,
        )
        .await?;
        let first = self
            .award_call(
                &city,
                &venture,
                &AwardForm {
                    application_id: apps[0].id.clone(),
                    amount: String::new(),
                    reasons: "平均分第一，方案回应独居高龄老人的助餐需求，预算合理".into(),
                },
                &ctx,
            )
            .await?;
        self.award_call(
            &city,
            &venture,
            &AwardForm {
                application_id: apps[1].id.clone(),
                amount: "40000".into(),
                reasons: "平均分第二；核减宣传物料费用 5000 元后资助".into(),
            },
            &ctx,
        )
        .await?;
        self.close_call(&city, &venture, &ctx).await?;
        let contract = domain::chain::contract::ContractForm {
            starts_on: today().to_string(),
            ends_on: (today() + Duration::days(365)).to_string(),
            deliverables: "全年助餐不少于 3000 人次，探访独居高龄老人每月一次".into(),
            acceptance_criteria: "服务人次和满意度达到申请书目标".into(),
            signed_on: today().to_string(),
            purchaser_signatory: "黄山市民政局 王科长".into(),
            provider_signatory: "赵晴".into(),
            tranches: "签约|19200\n中期评估|14400\n验收|14400".into(),
        };
        self.sign_contract(&city, &first, &contract, &ctx).await?;

        // 2. 柏树街's micro call, open for applications (one so far, from a rival).
        let k = terms(
            "micro",
            COMMUNITY,
            &township_fund,
            "柏树街社区微公益创投：邻里互助",
            (-10, 30),
        );
        let k = CallForm {
            groups: "all_residents".into(),
            pool: "20000".into(),
            ceiling: "5000".into(),
            requirements: "服务柏树街社区居民的社会组织或社区社会组织；单个项目不超过 5000 元。"
                .into(),
            ..k
        };
        let micro = self.open_call(&officer, &k, &ctx).await?;
        self.apply_to_call(
            &m2,
            &micro,
            org2,
            &application("楼道邻里议事角", "4500", COMMUNITY),
            &ctx,
        )
        .await?;

        // 3. 昱中街道's tender for the community's elderly-care station: one sheet of three in.
        let k = terms(
            "facility",
            TOWNSHIP,
            &township_fund,
            "柏树街社区养老服务站运营外包",
            (-45, -15),
        );
        let k = CallForm {
            facility: "柏树街社区养老服务站".into(),
            period_months: "24".into(),
            groups: "special_elderly".into(),
            requirements:
                "承接方负责服务站日常运营：日间照料、助餐、文娱活动；每日开放不少于 8 小时。".into(),
            pool: "120000".into(),
            ceiling: "120000".into(),
            rubric: "运营方案 40\n人员配备 30\n报价 30".into(),
            ..k
        };
        let tender = self.open_call(&township, &k, &ctx).await?;
        for (who, a) in [
            (
                &m2,
                application("养老服务站运营方案（钱进）", "115000", COMMUNITY),
            ),
            (
                &m3,
                application("养老服务站运营方案（林芳）", "108000", COMMUNITY),
            ),
        ] {
            let org = who.assignments[0]
                .organization_id
                .clone()
                .unwrap_or_default();
            self.apply_to_call_at(who, &tender, &org, &a, closed_at(&k), &ctx)
                .await?;
        }
        self.form_call_panel_at(&township, &tender, &panel_form, after_deadline, &ctx)
            .await?;
        let apps = self.db.call_applications("3410", &tender).await?;
        let mut sheet = ScoreSheetForm::default();
        sheet.scores.insert(apps[0].id.clone(), vec![34, 26, 24]);
        sheet.scores.insert(apps[1].id.clone(), vec![32, 25, 28]);
        self.score_call(&panel[0], &tender, &sheet, &ctx).await?;

        // 4. A catalogue item two approved organizations want: a selection, scores sealed.
        let now = store::time::now();
        let mut tx = self.db.begin().await?;
        let item = super::approved_item(
            &mut tx,
            &CatalogueItem {
                community: AreaCode::parse(COMMUNITY)?,
                name: "残疾人康复陪伴".into(),
                description: "为居家残疾人提供康复训练陪伴和家属喘息服务".into(),
                social_work: false,
                period: crate::kernel::current_period(),
            },
            &now,
        )
        .await?;
        for org in [DEMO_ORG_ID, org2.as_str()] {
            super::approved_eligibility(&mut tx, &item, org, &now).await?;
        }
        tx.commit().await?;
        let k = terms(
            "selection",
            TOWNSHIP,
            &township_fund,
            "残疾人康复陪伴项目竞争承接",
            (-30, -5),
        );
        let k = CallForm {
            item_id: item,
            groups: "disabilities".into(),
            pool: "60000".into(),
            ceiling: "60000".into(),
            ..k
        };
        let selection = self.open_call(&township, &k, &ctx).await?;
        for (who, a) in [
            (&manager, application("康复陪伴进万家", "58000", COMMUNITY)),
            (&m2, application("助残康复伙伴计划", "56000", COMMUNITY)),
        ] {
            let org = who.assignments[0]
                .organization_id
                .clone()
                .unwrap_or_default();
            self.apply_to_call_at(who, &selection, &org, &a, closed_at(&k), &ctx)
                .await?;
        }
        self.form_call_panel_at(&township, &selection, &panel_form, after_deadline, &ctx)
            .await?;
        score(
            selection,
            vec![
                vec![[25, 24, 17, 16], [26, 25, 16, 17]],
                vec![[26, 25, 16, 17], [24, 26, 17, 16]],
                vec![[24, 25, 17, 18], [25, 24, 18, 17]],
            ],
            3,
        )
        .await?;
        Ok(())
    }
}
