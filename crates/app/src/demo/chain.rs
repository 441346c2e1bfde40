//! Demonstration projects of 柏树街社区 in every stage built so far, made through the same use
//! cases people use (so the demonstration is what the product does): a draft, a submitted
//! application, one consulted at a meeting whose signed minutes are frozen, one being voted on,
//! one passed and one rejected by a sealed vote, the township's fund, and ten more carried on to
//! every later stage (bought, declined, contracted, delivering, self-evaluated, under review,
//! accepted, accepted with conditions, not accepted, closed after the final payment). All belong to the demonstration organization,
//! whose manager (`orgmanager`) leads them.

use crate::chain::application::NewApplication;
use crate::chain::vote::{AttendanceForm, BallotForm, OpenVoteForm};
use crate::demo::DEMO_ORG_ID;
use crate::identity::UserForm;
use crate::{App, AppError, Ctx};
use domain::chain::application::ApplicationForm;
use domain::chain::catalogue::CatalogueItem;
use domain::chain::consultation::{AttendeeForm, CommentForm, ConsultationForm, FreezeForm};
use domain::chain::stage::Stage;
use domain::{Actor, AreaCode, Role, RoleAssignment};

const COMMUNITY: &str = "341002002001";

/// Resident representatives of the demonstration community besides `representative`.
pub const MORE_REPRESENTATIVES: [(&str, &str); 4] = [
    ("daibiao2", "居民代表 钱大姐"),
    ("daibiao3", "居民代表 孙老师"),
    ("daibiao4", "居民代表 李师傅"),
    ("daibiao5", "居民代表 周阿姨"),
];

struct Demo {
    title: &'static str,
    item: &'static str,
    goals: &'static str,
    budget: &'static str,
}

const PROJECTS: [Demo; 6] = [
    Demo {
        title: "柏树街四点半课堂",
        item: "四点半课堂",
        goals: "为双职工家庭儿童提供课后托管|每周开放天数|5 天\n作业辅导满意度|家长问卷|≥ 90%",
        budget: "辅导志愿者补贴|12000\n学习用品|3000",
    },
    Demo {
        title: "柏树街老年助餐点",
        item: "老年助餐服务",
        goals: "为独居高龄老人提供午餐|每周供餐天数|6 天\n覆盖独居老人|服务人数|≥ 40 人",
        budget: "食材补贴|36000\n场地改造|8000.50\n志愿者保险|1200",
    },
    Demo {
        title: "邻里守望互助网络",
        item: "邻里互助服务",
        goals: "结对帮扶特殊老人|结对户数|≥ 30 户",
        budget: "培训|4000\n探访物资|6000",
    },
    Demo {
        title: "老旧小区居家安全改造",
        item: "居家安全改造",
        goals: "为高龄老人家庭加装扶手和防滑设施|改造户数|≥ 25 户",
        budget: "材料|30000\n施工|15000",
    },
    Demo {
        title: "社区微更新议事会",
        item: "社区议事协商",
        goals: "居民参与公共空间改造议事|议事会次数|≥ 6 次",
        budget: "场地与物料|5000\n专家咨询|3000",
    },
    Demo {
        title: "楼道文化墙美化",
        item: "楼道文化墙美化",
        goals: "美化楼道公共空间|完成楼栋数|12 栋",
        budget: "涂料与材料|20000\n设计|8000",
    },
];

/// A demonstration actor with one assignment (the seeding acts as the people would).
pub(crate) fn actor(
    user_id: &str,
    role: Role,
    area: &str,
    org: Option<&str>,
) -> Result<Actor, AppError> {
    Ok(Actor {
        user_id: user_id.into(),
        login: user_id.into(),
        display_name: user_id.into(),
        assignments: vec![RoleAssignment {
            role,
            area: AreaCode::parse(area)?,
            organization_id: org.map(str::to_string),
        }],
    })
}

/// The request context the demonstration's seeding acts in.
pub(crate) fn demo_ctx() -> Ctx {
    Ctx {
        request_id: Some("demo-seed".into()),
        client_addr: None,
    }
}

impl App {
    /// A demonstration account's id by its login.
    pub(crate) async fn demo_user(&self, login: &'static str) -> Result<String, AppError> {
        self.db
            .user_by_login(login)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| AppError::not_found(login))
    }

    /// Loads the demonstration projects; assumes the ledger (organizations, social workers,
    /// needs) and the demonstration accounts are there.
    pub(crate) async fn seed_demo_chain(&self) -> Result<(), AppError> {
        let ctx = demo_ctx();
        let user = |login: &'static str| self.demo_user(login);
        let manager = actor(
            &user("orgmanager").await?,
            Role::OrganizationManager,
            COMMUNITY,
            Some(DEMO_ORG_ID),
        )?;
        let officer = actor(
            &user("community").await?,
            Role::CommunityOfficer,
            COMMUNITY,
            None,
        )?;
        for (login, name) in MORE_REPRESENTATIVES {
            let form = UserForm {
                login: login.into(),
                display_name: name.into(),
                password: crate::demo::DEMO_PASSWORD.into(),
                role: "representative".into(),
                area: COMMUNITY.into(),
                organization_id: None,
            };
            self.create_user(None, &form, &ctx).await?;
        }
        // Items approved by the township and the organization's approved eligibility on each.
        let community = AreaCode::parse(COMMUNITY)?;
        let now = store::time::now();
        let mut eligibilities = Vec::new();
        let mut tx = self.db.begin().await?;
        for d in &PROJECTS {
            let ci = CatalogueItem {
                community: community.clone(),
                name: d.item.to_string(),
                description: String::new(),
                social_work: false,
                period: crate::kernel::current_period(),
            };
            let item = super::approved_item(&mut tx, &ci, &now).await?;
            let e = super::approved_eligibility(&mut tx, &item, DEMO_ORG_ID, &now).await?;
            eligibilities.push(e);
        }
        tx.commit().await?;
        let worker = self
            .db
            .social_workers(
                &domain::identity::Scope::new([AreaCode::parse("3410")?]),
                &crate::kernel::today().to_string(),
                None,
                None,
                1,
            )
            .await?
            .pop()
            .map(|w| w.id)
            .ok_or_else(|| AppError::not_found("演示社工"))?;
        let open_needs = self
            .db
            .needs(
                &domain::identity::Scope::new([community.clone()]),
                &store::chain::need::NeedFilter {
                    status: Some(domain::chain::need::NeedStatus::Open),
                    ..Default::default()
                },
                6,
            )
            .await?;
        let mut projects = Vec::new();
        for (k, (d, e)) in PROJECTS.iter().zip(&eligibilities).enumerate() {
            let new = NewApplication {
                eligibility_id: e.clone(),
                form: ApplicationForm {
                    title: d.title.into(),
                    background: format!(
                        "社区入户走访和居民议事会收集的需求：{}。本项目回应这些需求，由专业社工带领志愿者实施。",
                        d.item
                    ),
                    goals: d.goals.into(),
                    phases: "筹备|2027-01-01|2027-02-28|招募志愿者、制定方案\n实施|2027-03-01|2027-11-30|按计划开展服务\n总结|2027-12-01|2027-12-31|自评与结项".into(),
                    budget: d.budget.into(),
                    lead: manager.user_id.clone(),
                    social_workers: worker.clone(),
                    volunteers: String::new(),
                    needs: open_needs.get(k).map(|n| n.id.clone()).unwrap_or_default(),
                },
            };
            projects.push(self.create_project(&manager, &new, &ctx).await?);
        }
        // Everything but the first is submitted.
        for p in &projects[1..] {
            self.submit_application(&manager, p, &ctx).await?;
        }
        // A consultation on the last four, with attendance, comments and signed minutes.
        let meeting = self
            .convene_consultation(
                &officer,
                &ConsultationForm {
                    community: COMMUNITY.into(),
                    title: "2027 年度服务项目恳谈会".into(),
                    held_on: "2026-11-20".into(),
                    place: "柏树街社区议事厅".into(),
                    projects: projects[2..].join(","),
                },
                &ctx,
            )
            .await?;
        for (role, name) in [
            ("supervisory_council", "议监会 王建国"),
            ("representative", "居民代表 冯师傅"),
            ("representative", "居民代表 钱大姐"),
            ("organization", "柏树街社区邻里守望互助会"),
            ("resident", "居民 郑阿姨"),
        ] {
            let f = AttendeeForm {
                role: role.into(),
                name: name.into(),
            };
            self.record_attendee(&officer, &meeting, &f, &ctx).await?;
        }
        let comment = CommentForm {
            project_id: projects[3].clone(),
            speaker: "王建国".into(),
            role: "supervisory_council".into(),
            comment: "改造户数应优先高龄独居老人。".into(),
            requested_change: "在目标中写明高龄独居老人优先。".into(),
        };
        self.record_comment(&officer, &meeting, &comment, &ctx)
            .await?;
        let minutes = FreezeForm {
            recorder: "刘敏".into(),
            chair: "张伟".into(),
            summary: "与会人员对四个项目的需求、合理性和可行性发表意见，同意提交居民代表会议表决。"
                .into(),
        };
        self.freeze_consultation(&officer, &meeting, &minutes, &ctx)
            .await?;
        // The representatives' meeting on the last three: two results sealed, one still open.
        let vote = self
            .open_vote(
                &officer,
                &OpenVoteForm {
                    community: COMMUNITY.into(),
                    title: "柏树街社区第十二次居民代表会议".into(),
                    held_on: "2026-11-28".into(),
                    projects: projects[3..].join(","),
                },
                &ctx,
            )
            .await?;
        let mut reps = Vec::new();
        for (login, _) in MORE_REPRESENTATIVES {
            reps.push(actor(
                &user(login).await?,
                Role::Representative,
                COMMUNITY,
                None,
            )?);
        }
        let mut present: Vec<String> = reps.iter().map(|r| r.user_id.clone()).collect();
        present.push(user("representative").await?);
        let attendance = AttendanceForm {
            present: present.join(","),
        };
        self.record_presence(&officer, &vote, &attendance, &ctx)
            .await?;
        for (p, choices) in [
            (&projects[4], ["yes", "yes", "yes", "abstain"]),
            (&projects[5], ["no", "no", "yes", "abstain"]),
        ] {
            for (r, c) in reps.iter().zip(choices) {
                let b = BallotForm { choice: c.into() };
                self.cast_vote(r, &vote, p, &b, &ctx).await?;
            }
            self.seal_vote(&officer, &vote, p, &ctx).await?;
        }
        // The township's fund for the year, from which it buys passed applications.
        let township = actor(
            &user("township").await?,
            Role::TownshipOfficer,
            "341002002",
            None,
        )?;
        let fund = domain::chain::purchase::FundForm {
            area: "341002002".into(),
            name: "2027 年昱中街道社区服务专项资金".into(),
            source: "special".into(),
            year: "2027".into(),
            budget: "500000".into(),
        };
        let fund = self.create_fund(&township, &fund, &ctx).await?;
        // One representative has already voted on the open motion; `representative` has not.
        let b = BallotForm {
            choice: "yes".into(),
        };
        self.cast_vote(&reps[0], &vote, &projects[3], &b, &ctx)
            .await?;
        self.seed_later_stages(&Later {
            manager: &manager,
            officer: &officer,
            township: &township,
            reps: &reps,
            fund: &fund,
            worker: &worker,
            ctx: &ctx,
        })
        .await
    }

    /// Ten more projects voted through together, then carried to each of the later stages.
    async fn seed_later_stages(&self, w: &Later<'_>) -> Result<(), AppError> {
        let community = AreaCode::parse(COMMUNITY)?;
        let now = store::time::now();
        let mut eligibilities = Vec::new();
        let mut tx = self.db.begin().await?;
        for (name, _) in LATER {
            let ci = CatalogueItem {
                community: community.clone(),
                name: name.to_string(),
                description: String::new(),
                social_work: false,
                period: crate::kernel::current_period(),
            };
            let item = super::approved_item(&mut tx, &ci, &now).await?;
            let e = super::approved_eligibility(&mut tx, &item, DEMO_ORG_ID, &now).await?;
            eligibilities.push(e);
        }
        tx.commit().await?;
        let mut projects = Vec::new();
        for ((name, _), e) in LATER.iter().zip(&eligibilities) {
            let new = NewApplication {
                eligibility_id: e.clone(),
                form: ApplicationForm {
                    title: format!("柏树街{name}项目"),
                    background: format!("居民需求调查显示{name}需求突出，本项目由专业社工带领志愿者实施，回应居民关切。"),
                    goals: "服务重点人群|服务人次|≥ 200 人次\n居民满意度|回访问卷|≥ 90%".into(),
                    phases: "实施|2026-01-01|2026-12-31|按计划开展服务".into(),
                    budget: "服务补贴|20000\n活动物资|5000".into(),
                    lead: w.manager.user_id.clone(),
                    social_workers: w.worker.to_string(),
                    volunteers: String::new(),
                    needs: String::new(),
                },
            };
            let p = self.create_project(w.manager, &new, w.ctx).await?;
            self.submit_application(w.manager, &p, w.ctx).await?;
            projects.push(p);
        }
        let meeting = self
            .convene_consultation(
                w.officer,
                &ConsultationForm {
                    community: COMMUNITY.into(),
                    title: "2026 年度服务项目恳谈会".into(),
                    held_on: "2025-12-05".into(),
                    place: "柏树街社区议事厅".into(),
                    projects: projects.join(","),
                },
                w.ctx,
            )
            .await?;
        for (role, name) in [
            ("supervisory_council", "议监会 王建国"),
            ("representative", "居民代表 钱大姐"),
        ] {
            let f = AttendeeForm {
                role: role.into(),
                name: name.into(),
            };
            self.record_attendee(w.officer, &meeting, &f, w.ctx).await?;
        }
        let minutes = FreezeForm {
            recorder: "刘敏".into(),
            chair: "张伟".into(),
            summary: "与会人员同意十个项目提交居民代表会议表决。".into(),
        };
        self.freeze_consultation(w.officer, &meeting, &minutes, w.ctx)
            .await?;
        let vote = self
            .open_vote(
                w.officer,
                &OpenVoteForm {
                    community: COMMUNITY.into(),
                    title: "柏树街社区第十一次居民代表会议".into(),
                    held_on: "2025-12-20".into(),
                    projects: projects.join(","),
                },
                w.ctx,
            )
            .await?;
        let present: Vec<String> = w.reps.iter().map(|r| r.user_id.clone()).collect();
        let attendance = AttendanceForm {
            present: present.join(","),
        };
        self.record_presence(w.officer, &vote, &attendance, w.ctx)
            .await?;
        for p in &projects {
            for r in w.reps {
                let b = BallotForm {
                    choice: "yes".into(),
                };
                self.cast_vote(r, &vote, p, &b, w.ctx).await?;
            }
            self.seal_vote(w.officer, &vote, p, w.ctx).await?;
        }
        for (p, (_, target)) in projects.iter().zip(LATER) {
            self.carry_to(w, p, target).await?;
        }
        Ok(())
    }

    /// Carries a passed demonstration project on to `target` through the use cases.
    async fn carry_to(&self, w: &Later<'_>, p: &str, target: Stage) -> Result<(), AppError> {
        use domain::chain::evaluation::{ScoreForm, SelfEvaluationForm, VerdictForm};
        use domain::chain::review_group::{GroupForm, MeetingForm, MemberForm};
        let declined = target == Stage::Declined;
        let purchase = domain::chain::purchase::PurchaseForm {
            decision: if declined { "decline" } else { "buy" }.into(),
            reason: if declined {
                "本年度资金已安排完毕，列入下一年度计划"
            } else {
                "居民代表会议表决通过，需求迫切"
            }
            .into(),
            fund_id: w.fund.to_string(),
            amount: "25000".into(),
        };
        self.decide_purchase(w.township, p, &purchase, w.ctx)
            .await?;
        if declined || target == Stage::Purchased {
            return Ok(());
        }
        let contract = domain::chain::contract::ContractForm {
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            deliverables: "全年服务不少于 200 人次，建立服务台账".into(),
            acceptance_criteria: "服务人次和满意度达到申请书目标".into(),
            signed_on: "2025-12-28".into(),
            purchaser_signatory: "昱中街道 陈干事".into(),
            provider_signatory: "赵晴".into(),
            tranches: "签约|7500\n中期评估|7500\n验收|10000".into(),
        };
        self.sign_contract(w.township, p, &contract, w.ctx).await?;
        self.pay_tranche(w.township, p, 1, w.ctx).await?;
        if target == Stage::Contracted {
            return Ok(());
        }
        let activity = domain::chain::delivery::ActivityForm {
            held_on: crate::kernel::today().to_string(),
            place: "柏树街社区活动室".into(),
            content: "入户走访、集中活动和个案服务".into(),
            served: "36".into(),
            groups: "special_elderly".into(),
            social_workers: w.worker.to_string(),
            ..Default::default()
        };
        self.record_activity(w.manager, p, &activity, w.ctx).await?;
        // The mid-term tranche follows the committee's mid-term review with the supervisor.
        let midterm = domain::chain::milestone::MidtermForm {
            findings: "入户走访 12 户，服务台账完整，老人满意；个别送餐时间不稳定，已当场提出。"
                .into(),
            rating: "good".into(),
            conditions: "固定每日送餐时间".into(),
            supervisor: "许老师".into(),
        };
        self.record_midterm_review(w.officer, p, &midterm, w.ctx)
            .await?;
        self.pay_tranche(w.township, p, 2, w.ctx).await?;
        if target == Stage::Delivering {
            return Ok(());
        }
        let report = SelfEvaluationForm {
            report: "全年服务 236 人次，超过目标；满意度回访 93%；经费按预算使用，无超支。".into(),
            case_study: String::new(),
        };
        self.submit_self_evaluation(w.manager, p, &report, w.ctx)
            .await?;
        if target == Stage::SelfEvaluated {
            return Ok(());
        }
        let group = GroupForm {
            members: PANEL
                .iter()
                .map(|(login, name, category)| MemberForm {
                    name: (*name).into(),
                    category: (*category).into(),
                    login: (*login).into(),
                    organization: String::new(),
                    chair: *login == "evaluator",
                })
                .chain([MemberForm {
                    name: "孙桂兰".into(),
                    category: "residents".into(),
                    ..MemberForm::default()
                }])
                .collect(),
        };
        self.convene_review_group(w.officer, p, &group, w.ctx)
            .await?;
        let scored = if target == Stage::UnderReview {
            2
        } else {
            PANEL.len()
        };
        let points = if target == Stage::NotAccepted {
            ["9", "10", "9", "8", "10"]
        } else {
            ["18", "22", "17", "13", "19"]
        };
        for (login, _, _) in &PANEL[..scored] {
            let u = self
                .db
                .user_by_login(login)
                .await?
                .ok_or_else(|| AppError::not_found(*login))?;
            let member = actor(&u.id, Role::Evaluator, "3410", None)?;
            let score = ScoreForm {
                need: points[0].into(),
                goals: points[1].into(),
                quality: points[2].into(),
                money: points[3].into(),
                satisfaction: points[4].into(),
                comment: String::new(),
            };
            self.score_project(&member, p, &score, w.ctx).await?;
        }
        if target == Stage::UnderReview {
            return Ok(());
        }
        // The group's chair records the method and the meeting, then signs the report.
        let chair = actor(
            &self.demo_user("evaluator").await?,
            Role::Evaluator,
            "3410",
            None,
        )?;
        let meeting = MeetingForm {
            method: "查阅服务台账和自评报告，入户走访服务对象，召开评议会听取汇报".into(),
            held_on: crate::kernel::today().to_string(),
            place: "柏树街社区议事厅".into(),
            present: "1,2,3,4,5,6".into(),
        };
        self.record_review_meeting(&chair, p, &meeting, w.ctx)
            .await?;
        let verdict = VerdictForm {
            verdict: match target {
                Stage::NotAccepted => "not_accepted",
                Stage::AcceptedWithConditions => "accepted_with_conditions",
                _ => "accepted",
            }
            .into(),
            conditions: if target == Stage::AcceptedWithConditions {
                "三个月内补齐服务台账和回访记录".into()
            } else {
                String::new()
            },
            report: "评议小组查阅台账、走访服务对象，认为项目执行情况如评分所示。".into(),
        };
        self.sign_review_report(&chair, p, &verdict, w.ctx).await?;
        if target == Stage::Closed {
            self.pay_tranche(w.township, p, 3, w.ctx).await?;
        }
        Ok(())
    }
}

/// What carrying the later demonstration projects needs.
struct Later<'a> {
    manager: &'a Actor,
    officer: &'a Actor,
    township: &'a Actor,
    reps: &'a [Actor],
    fund: &'a str,
    worker: &'a str,
    ctx: &'a Ctx,
}

/// The later demonstration projects: (service, the stage it is carried to).
const LATER: [(&str, Stage); 10] = [
    ("困境儿童关爱", Stage::Purchased),
    ("特扶家庭心理关爱", Stage::Declined),
    ("社区矫正对象帮扶", Stage::Contracted),
    ("残疾人康复互助", Stage::Delivering),
    ("流动人口融入服务", Stage::SelfEvaluated),
    ("留守老人关爱", Stage::UnderReview),
    ("社会救助对象增能", Stage::Accepted),
    ("社区健康讲堂", Stage::AcceptedWithConditions),
    ("青少年暑期托管", Stage::NotAccepted),
    ("邻里节", Stage::Closed),
];

/// The review group of the demonstration (none affiliated with the organization or served by
/// it): (login, name, category); the expert chairs, and a resident without an account joins.
const PANEL: [(&str, &str, &str); 5] = [
    ("evaluator", "评估专家 何教授", "expert"),
    ("supervisor", "督导 许老师", "expert"),
    ("city", "黄山市民政局 王科长", "department"),
    ("tunxi", "屯溪区民政局 李主任", "department"),
    ("representative", "居民代表 冯师傅", "representatives"),
];
