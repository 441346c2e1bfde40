//! Demonstration data: the real areas of Huangshan and one account per role; projects in every
//! stage (`chain`) and calls in four stages (`calls`), all made through the use cases.

pub mod calls;
pub mod chain;

use crate::area::{huangshan_files, NoProgress};
use crate::identity::UserForm;
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::need::{NeedChannel, PriorityGroup};
use domain::registry::{OrgCategory, Organization, RegistrationStatus};
use domain::social::CertificateLevel;
use domain::talent::TalentCategory;
use domain::{AreaCode, CommitteeKind};

/// The organization of the demonstration organization manager and member.
pub const DEMO_ORG_ID: &str = "3410-demo-baishujie";

/// The password of every demonstration account (printed on start; change it in production).
pub const DEMO_PASSWORD: &str = "Sanshe2026";

/// One demonstration account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: &'static str,
    pub display_name: &'static str,
    pub role: domain::Role,
    /// Area code as typed (short form).
    pub area: &'static str,
    pub organization_id: Option<&'static str>,
}

/// Huangshan: 屯溪区 341002 (a district of streets) and 歙县 341021 (a rural county), with the
/// township 昱中街道 341002002 and its community 341002002001 as the home of the grass-roots roles.
pub fn demo_accounts() -> Vec<DemoAccount> {
    use domain::Role::*;
    let a = |login, display_name, role, area, org| DemoAccount {
        login,
        display_name,
        role,
        area,
        organization_id: org,
    };
    vec![
        a(
            "admin",
            "系统管理员",
            SystemAdministrator,
            "000000000000",
            None,
        ),
        a("city", "黄山市民政局 王科长", CityBureau, "3410", None),
        a("tunxi", "屯溪区民政局 李主任", CountyBureau, "341002", None),
        a("shexian", "歙县民政局 张主任", CountyBureau, "341021", None),
        a(
            "township",
            "昱中街道 陈干事",
            TownshipOfficer,
            "341002002",
            None,
        ),
        a(
            "community",
            "社区工作人员 刘敏",
            CommunityOfficer,
            "341002002001",
            None,
        ),
        a(
            "orgmanager",
            "社会组织负责人 赵晴",
            OrganizationManager,
            "341002002001",
            Some(DEMO_ORG_ID),
        ),
        a(
            "orgmember",
            "社会组织成员 孙磊",
            OrganizationMember,
            "341002002001",
            Some(DEMO_ORG_ID),
        ),
        a("socialworker", "社工 周婷", SocialWorker, "341002002", None),
        a("volunteer", "志愿者 吴昊", Volunteer, "341002002001", None),
        a("resident", "居民 郑阿姨", Resident, "341002002001", None),
        a(
            "representative",
            "居民代表 冯师傅",
            Representative,
            "341002002001",
            None,
        ),
        a("evaluator", "评估专家 何教授", Evaluator, "3410", None),
        a("supervisor", "督导 许老师", Supervisor, "341002", None),
    ]
}

/// Needs of the demonstration: (community, group, channel, title, description, supporters among
/// the demonstration resident and representative).
#[allow(clippy::type_complexity)]
fn demo_needs() -> Vec<(
    &'static str,
    PriorityGroup,
    NeedChannel,
    &'static str,
    &'static str,
    usize,
)> {
    use NeedChannel::*;
    use PriorityGroup::*;
    vec![
        (
            "341002002001",
            SpecialElderly,
            DoorToDoor,
            "独居老人午餐无人照料",
            "走访发现小区独居、高龄老人多，午餐多以剩饭凑合，希望有社区助餐点或送餐服务。",
            2,
        ),
        (
            "341002002001",
            ChildrenInDifficulty,
            Council,
            "放学后儿童无人看护",
            "双职工和留守家庭的孩子放学后在小区游荡，希望开设四点半课堂。",
            1,
        ),
        (
            "341002002001",
            AllResidents,
            SuggestionBox,
            "楼道照明损坏",
            "老旧小区多个楼道感应灯损坏，夜间出行不便。",
            0,
        ),
        (
            "341002002001",
            Disabilities,
            Online,
            "残疾人康复训练",
            "希望社区提供上门康复指导和辅具借用。",
            0,
        ),
        (
            "341002002002",
            SpecialElderly,
            Survey,
            "老年人防诈骗宣传",
            "问卷显示多数老人不了解常见诈骗手法。",
            0,
        ),
        (
            "341002001001",
            Migrants,
            OpenSpace,
            "外来务工人员子女融入",
            "开放空间讨论中提出，随迁子女缺少课外活动和交友机会。",
            0,
        ),
    ]
}

impl App {
    /// Fills an empty database with the demonstration data; does nothing when accounts exist.
    /// Returns whether it seeded.
    pub async fn seed_demo(&self) -> Result<bool, AppError> {
        if self.db.user_count().await? > 0 {
            return Ok(false);
        }
        let ctx = Ctx {
            request_id: Some("demo-seed".into()),
            client_addr: None,
        };
        self.import_areas(&huangshan_files, &NoProgress, "huangshan-fixture", &ctx)
            .await?;
        for acc in demo_accounts() {
            self.create_user(
                None,
                &UserForm {
                    login: acc.login.into(),
                    display_name: acc.display_name.into(),
                    password: DEMO_PASSWORD.into(),
                    role: acc.role.as_str().into(),
                    area: acc.area.into(),
                    organization_id: acc.organization_id.map(str::to_string),
                },
                &ctx,
            )
            .await?;
        }
        Ok(true)
    }
}

/// Deterministic demonstration ledger: organizations in every community of Huangshan. Urban
/// communities get 6–14 community organizations and villages 1–5, so that some fall short of the
/// Liaoning targets (≥ 10 urban, ≥ 3 rural) and the gaps show.
pub fn demo_organizations(
    communities: &[(AreaCode, String, Option<CommitteeKind>)],
) -> Vec<(String, Organization)> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(3410);
    const KINDS: [(&str, OrgCategory); 12] = [
        ("邻里互助会", OrgCategory::MutualAid),
        ("夕阳红舞蹈队", OrgCategory::CultureSports),
        ("志愿服务队", OrgCategory::VolunteerService),
        ("老年协会", OrgCategory::ElderlyCare),
        ("居民议事会", OrgCategory::CommunityGovernance),
        ("便民服务社", OrgCategory::LifeServices),
        ("慈善爱心社", OrgCategory::Charity),
        ("书画社", OrgCategory::CultureSports),
        ("调解工作室", OrgCategory::CommunityGovernance),
        ("助老服务站", OrgCategory::ElderlyCare),
        ("太极拳协会", OrgCategory::CultureSports),
        ("社会工作服务社", OrgCategory::SocialWorkAgency),
    ];
    let mut out = Vec::new();
    for (code, name, kind) in communities {
        let short = name
            .trim_end_matches("居委会")
            .trim_end_matches("村委会")
            .trim_end_matches("委员会")
            .to_string();
        let n = match kind {
            Some(CommitteeKind::Residents) => rng.gen_range(6..=14),
            _ => rng.gen_range(1..=5),
        };
        for i in 0..n {
            let (word, category) = KINDS[(i + rng.gen_range(0..KINDS.len())) % KINDS.len()];
            let roll = rng.gen_range(0..100);
            let status = if roll < 15 {
                RegistrationStatus::Registered
            } else if roll < 60 {
                RegistrationStatus::Filed
            } else {
                RegistrationStatus::CommunityManaged
            };
            let uscc = (status == RegistrationStatus::Registered).then(|| {
                let form = if category == OrgCategory::SocialWorkAgency {
                    "52"
                } else {
                    "51"
                };
                let org8: String = (0..8)
                    .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                    .collect();
                let org9 = format!("{org8}{}", org_code_check(&org8));
                let first17 = format!("{form}{}{org9}", &code.as_str()[..6]);
                let c = domain::ident::uscc_check_char(&first17).unwrap_or('0');
                format!("{first17}{c}")
            });
            let graded = status == RegistrationStatus::Registered && rng.gen_bool(0.5);
            out.push((
                format!("{}-{}", &code.as_str()[..4], uuid::Uuid::now_v7().simple()),
                Organization {
                    name: format!(
                        "{short}{word}{}",
                        if i >= KINDS.len() {
                            format!("{}", i)
                        } else {
                            String::new()
                        }
                    ),
                    legal_form: uscc
                        .as_deref()
                        .and_then(|u| domain::ident::Uscc::from_stored(u).legal_form()),
                    uscc,
                    registration_status: status,
                    category,
                    area: code.clone(),
                    is_hub: i == 0 && rng.gen_bool(0.2),
                    is_brand: graded && rng.gen_bool(0.3),
                    grade: graded.then(|| rng.gen_range(2..=5)),
                    grade_date: graded
                        .then(|| chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default()),
                    address: String::new(),
                    description: String::new(),
                },
            ));
        }
    }
    // The demonstration manager's organization, with a fixed id.
    if let Some((code, name, _)) = communities
        .iter()
        .find(|(c, _, _)| c.as_str() == "341002002001")
    {
        out.push((
            DEMO_ORG_ID.to_string(),
            Organization {
                name: format!("{}邻里守望互助会", name.trim_end_matches("居委会")),
                uscc: None,
                legal_form: None,
                registration_status: RegistrationStatus::Filed,
                category: OrgCategory::MutualAid,
                area: code.clone(),
                is_hub: true,
                is_brand: false,
                grade: None,
                grade_date: None,
                address: "柏树街".into(),
                description: "演示账号“社会组织负责人”所在的组织".into(),
            },
        ));
    }
    out
}

/// GB 11714 check character of an 8-character organization code body.
fn org_code_check(body8: &str) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let total: u32 = body8
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    match 11 - total % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

impl App {
    /// Adds the demonstration ledger to a database seeded with [`App::seed_demo`], in one
    /// transaction with one audit event. Does nothing when organizations exist.
    pub async fn seed_demo_ledger(&self) -> Result<usize, AppError> {
        let scope = domain::identity::Scope::nation();
        if !self
            .db
            .organizations(&scope, &Default::default(), 1)
            .await?
            .is_empty()
        {
            return Ok(0);
        }
        let city = AreaCode::parse("3410")?;
        let communities: Vec<(AreaCode, String, Option<CommitteeKind>)> = self
            .db
            .areas_below_at_level(&city, domain::AreaLevel::Community)
            .await?
            .into_iter()
            .map(|a| (a.code, a.name, a.committee_kind))
            .collect();
        let orgs = demo_organizations(&communities);
        let now = store::time::now();
        let mut tx = self.db.begin().await?;
        for (id, org) in &orgs {
            let tenant = &id[..4];
            tx.insert_organization(tenant, id, org, &now).await?;
            tx.insert_org_version(&store::registry::NewOrgVersion {
                tenant,
                id,
                version: 1,
                org,
                changed_by: Some("demo"),
                changed_role: None,
                now: &now,
            })
            .await?;
        }
        // Volunteers: the demonstration volunteer's own profile with records, and a few more.
        let volunteer_user = self.db.user_by_login("volunteer").await?.map(|u| u.id);
        let base = crate::kernel::today();
        let mut volunteers = 0;
        for (i, (name, area)) in [
            ("吴昊", "341002002001"),
            ("黄丽", "341002002001"),
            ("程建国", "341002002002"),
            ("汪晓梅", "341021100201"),
        ]
        .iter()
        .enumerate()
        {
            let area = AreaCode::parse(area)?;
            let tenant = area.tenant().unwrap_or("0000").to_string();
            let id = format!("{tenant}-{}", uuid::Uuid::now_v7().simple());
            let v = domain::volunteer::Volunteer {
                name: name.to_string(),
                gender: String::new(),
                area: area.clone(),
                skills: "陪伴、读报、便民维修".into(),
            };
            let user = if i == 0 {
                volunteer_user.as_deref()
            } else {
                None
            };
            tx.insert_volunteer(
                &tenant,
                &id,
                user,
                &v,
                domain::volunteer::CONSENT_VERSION,
                &now,
            )
            .await?;
            let mut total = 0;
            for (k, (activity, content, minutes)) in [
                ("敬老院陪伴", "陪老人聊天、读报", 150),
                ("社区义诊协助", "引导居民排队、测量血压", 180),
                ("垃圾分类宣传", "入户发放宣传册", 120),
            ]
            .iter()
            .enumerate()
            {
                let rec = domain::volunteer::ServiceRecord {
                    activity_name: activity.to_string(),
                    activity_date: base - chrono::Duration::days(7 * (k as i64 + 1) + i as i64),
                    place: "柏树街社区活动室".into(),
                    content: content.to_string(),
                    minutes: *minutes,
                    organizing_unit: "柏树街社区居委会".into(),
                    person_in_charge: "刘敏".into(),
                    late: false,
                    late_reason: String::new(),
                };
                let rid = format!("{tenant}-{}", uuid::Uuid::now_v7().simple());
                tx.insert_record(&store::volunteer::NewRecord {
                    tenant: &tenant,
                    id: &rid,
                    volunteer_id: &id,
                    record: &rec,
                    status: domain::volunteer::RecordStatus::Valid,
                    corrects_id: None,
                    correction_note: "",
                    entered_by: "demo",
                    entered_role: None,
                    unit: Some(&domain::volunteer::UnitRef {
                        kind: domain::volunteer::UnitKind::Committee,
                        id: "341002002001".into(),
                    }),
                    verified: true,
                    now: &now,
                })
                .await?;
                total += minutes;
            }
            tx.add_to_totals(&tenant, &id, total, 3, &now).await?;
            volunteers += 1;
        }
        // Platforms of 屯溪区: a centre per township, a station per community, and social workers in
        // posts; some fall short of the staffing standard so the gaps show.
        let tunxi = AreaCode::parse("341002")?;
        let townships = self
            .db
            .areas_below_at_level(&tunxi, domain::AreaLevel::Township)
            .await?;
        let stations = self
            .db
            .areas_below_at_level(&tunxi, domain::AreaLevel::Community)
            .await?;
        let mut rng = {
            use rand::SeedableRng;
            rand::rngs::StdRng::seed_from_u64(341002)
        };
        let surnames = [
            "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱",
            "高", "林", "何", "郭", "程", "汪",
        ];
        let given = [
            "婷", "磊", "静", "军", "敏", "洁", "强", "芳", "伟", "丽", "杰", "霞", "涛", "燕",
            "斌", "慧",
        ];
        let mut workers = 0;
        let mut seq = 0u32;
        let mut plan = Vec::new();
        for a in &townships {
            plan.push((
                a,
                domain::social::PlatformKind::Centre,
                rand::Rng::gen_range(&mut rng, 1..=3),
            ));
        }
        for a in &stations {
            plan.push((
                a,
                domain::social::PlatformKind::Station,
                rand::Rng::gen_range(&mut rng, 0..=1),
            ));
        }
        for (area, kind, posts) in plan {
            let tenant = "3410";
            let pid = format!("{tenant}-{}", uuid::Uuid::now_v7().simple());
            let name = format!(
                "{}{}",
                area.name
                    .trim_end_matches("居委会")
                    .trim_end_matches("村委会"),
                kind.zh()
            );
            tx.insert_platform(
                tenant,
                &pid,
                &domain::social::Platform {
                    kind,
                    name,
                    area: area.code.clone(),
                },
                &now,
            )
            .await?;
            for _ in 0..posts {
                seq += 1;
                let birth = chrono::NaiveDate::from_ymd_opt(
                    1975 + (seq % 24) as i32,
                    1 + seq % 12,
                    1 + seq % 28,
                )
                .unwrap_or_default();
                let first17 = format!("341002{}{:03}", birth.format("%Y%m%d"), seq % 1000);
                let id_number = format!(
                    "{first17}{}",
                    domain::ident::id_check_char(&first17).unwrap_or('0')
                );
                let level = [
                    CertificateLevel::Assistant,
                    CertificateLevel::Intermediate,
                    CertificateLevel::Aide,
                ][seq as usize % 3];
                let wid = format!("{tenant}-{}", uuid::Uuid::now_v7().simple());
                let number = level
                    .is_certified()
                    .then(|| format!("SW{}{:05}", 2018 + seq % 7, seq));
                let pii = &self.settings.pii;
                let masked = format!("{}********{}", &id_number[..6], &id_number[14..]);
                let worker_name = format!(
                    "{}{}",
                    surnames[seq as usize % surnames.len()],
                    given[(seq as usize * 7) % given.len()]
                );
                tx.insert_social_worker(
                    tenant,
                    &wid,
                    &store::social::NewSocialWorker {
                        name: &worker_name,
                        gender: if (seq % 1000) % 2 == 1 {
                            "male"
                        } else {
                            "female"
                        },
                        id_cipher: &pii.encrypt(&id_number),
                        id_lookup: &pii.lookup_hash(&id_number),
                        id_masked: &masked,
                        certificate_level: level,
                        certificate_number: number.as_deref(),
                        certificate_date: number
                            .as_ref()
                            .map(|_| format!("{}-06-30", 2018 + seq % 7)),
                        employer_org_id: None,
                        area: &area.code,
                    },
                    &now,
                )
                .await?;
                let pid_post = format!("{tenant}-{}", uuid::Uuid::now_v7().simple());
                tx.insert_post(&store::social::NewPost {
                    tenant,
                    id: &pid_post,
                    platform: &pid,
                    worker: &wid,
                    title: "专业社工岗",
                    started_on: &format!("{}-03-01", 2020 + seq % 5),
                    ended_on: None,
                    now: &now,
                })
                .await?;
                workers += 1;
            }
        }
        // "1+4" talent: in every community of 屯溪区 the four local kinds, backbones in the pool;
        // about one in five pool members has no training yet, so the coverage gap shows.
        let positions = [
            (TalentCategory::PartyWork, "社区党委委员"),
            (TalentCategory::VolunteerService, "志愿服务队队长"),
            (TalentCategory::SelfGovernance, "楼栋长"),
            (TalentCategory::OrganizationBackbone, "社区社会组织负责人"),
        ];
        let mut talents = 0;
        for (i, area) in stations.iter().enumerate() {
            for (k, (category, position)) in positions.iter().enumerate() {
                let n = i * positions.len() + k;
                let tid = format!("3410-{}", uuid::Uuid::now_v7().simple());
                let backbone = n % 3 != 2;
                let t = domain::talent::Talent {
                    name: format!(
                        "{}{}{}",
                        surnames[(n * 3 + 1) % surnames.len()],
                        given[(n * 5 + 2) % given.len()],
                        given[(n + 7) % given.len()]
                    ),
                    gender: if n.is_multiple_of(2) {
                        "female"
                    } else {
                        "male"
                    }
                    .into(),
                    category: *category,
                    area: area.code.clone(),
                    position: (*position).into(),
                    organization_id: None,
                    social_worker_id: None,
                    backbone,
                };
                tx.insert_talent("3410", &tid, &t, "2025-03-01", &now)
                    .await?;
                if n % 5 != 4 {
                    let training = domain::talent::Training {
                        name: [
                            "社区社会组织骨干能力提升培训",
                            "志愿服务骨干培训",
                            "基层党务工作培训",
                        ][n % 3]
                            .into(),
                        organizer: "屯溪区民政局".into(),
                        held_on: chrono::NaiveDate::from_ymd_opt(
                            2025 + (n % 2) as i32,
                            1 + (n % 9) as u32,
                            10,
                        )
                        .unwrap_or_default(),
                        minutes: 60 * (2 + (n % 6) as i64),
                    };
                    let id = format!("3410-{}", uuid::Uuid::now_v7().simple());
                    tx.insert_training(
                        "3410",
                        &id,
                        store::social::TrainingOwner::Talent(&tid),
                        &training,
                        &now,
                    )
                    .await?;
                    tx.add_talent_training_totals("3410", &tid, training.minutes, &now)
                        .await?;
                }
                talents += 1;
            }
        }
        // Needs on the boards of the demonstration community and its neighbours, supported by
        // the demonstration resident and representative, so the ranking shows.
        let mut supporters = Vec::new();
        for login in ["resident", "representative"] {
            if let Some(u) = self.db.user_by_login(login).await? {
                supporters.push(u.id);
            }
        }
        let mut needs = 0;
        for (k, (community, group, channel, title, description, support)) in
            demo_needs().iter().enumerate()
        {
            let need = domain::chain::need::Need {
                community: AreaCode::parse(community)?,
                priority_group: *group,
                channel: *channel,
                title: title.to_string(),
                description: description.to_string(),
            };
            let id = format!("3410-{}", uuid::Uuid::now_v7().simple());
            tx.insert_need("3410", &id, &need, "demo", Some("community_officer"), &now)
                .await?;
            for (i, user) in supporters.iter().enumerate() {
                if i < *support && k < 4 {
                    tx.add_support("3410", &id, user, &now).await?;
                }
            }
            needs += 1;
        }
        // The demonstration community's catalogue: two items approved by the township (the
        // demonstration organization has applied for one), one waiting for review.
        for (k, (name, social_work, approved)) in [
            ("居家养老上门服务", true, true),
            ("四点半课堂", true, true),
            ("楼道文化墙维护", false, false),
        ]
        .iter()
        .enumerate()
        {
            let item = domain::chain::catalogue::CatalogueItem {
                community: AreaCode::parse("341002002001")?,
                name: name.to_string(),
                description: String::new(),
                social_work: *social_work,
                period: crate::kernel::current_period(),
            };
            let id = format!("3410-{}", uuid::Uuid::now_v7().simple());
            tx.insert_catalogue_item("3410", &id, &item, "demo", &now)
                .await?;
            if *approved {
                tx.decide_item(&store::chain::catalogue::ItemDecision {
                    tenant: "3410",
                    id: &id,
                    from: domain::chain::catalogue::ItemStatus::Proposed,
                    to: domain::chain::catalogue::ItemStatus::Approved,
                    reason: "",
                    by: "demo",
                    now: &now,
                })
                .await?;
            }
            if k == 0 {
                let eid = format!("3410-{}", uuid::Uuid::now_v7().simple());
                tx.insert_eligibility(&store::chain::catalogue::NewEligibility {
                    tenant: "3410",
                    id: &eid,
                    item_id: &id,
                    organization_id: DEMO_ORG_ID,
                    social_workers: 0,
                    applied_by: "demo",
                    now: &now,
                })
                .await?;
            }
        }
        tx.append_audit(crate::audit::event(None, None, EventKind::DemoSeedLedger, domain::audit::Outcome::Ok, &crate::audit::Subject {
                kind: "organizations",
                id: "demo",
                area: &city,
            }, &Ctx {
                request_id: Some("demo-seed".into()),
                client_addr: None,
            }).after(serde_json::json!({ "organizations": orgs.len(), "volunteers": volunteers, "social_workers": workers, "talents": talents, "needs": needs })))
        .await?;
        tx.commit().await?;
        self.seed_demo_chain().await?;
        self.seed_demo_calls().await?;
        Ok(orgs.len())
    }
}

/// A catalogue item of the demonstration's city, approved by its township: the item's id.
pub(crate) async fn approved_item(
    tx: &mut store::Tx,
    item: &domain::chain::catalogue::CatalogueItem,
    now: &str,
) -> Result<String, AppError> {
    let id = format!("3410-{}", uuid::Uuid::now_v7().simple());
    tx.insert_catalogue_item("3410", &id, item, "demo", now)
        .await?;
    tx.decide_item(&store::chain::catalogue::ItemDecision {
        tenant: "3410",
        id: &id,
        from: domain::chain::catalogue::ItemStatus::Proposed,
        to: domain::chain::catalogue::ItemStatus::Approved,
        reason: "",
        by: "demo",
        now,
    })
    .await?;
    Ok(id)
}

/// An organization's approved eligibility on an item: the eligibility's id.
pub(crate) async fn approved_eligibility(
    tx: &mut store::Tx,
    item: &str,
    organization: &str,
    now: &str,
) -> Result<String, AppError> {
    let id = format!("3410-{}", uuid::Uuid::now_v7().simple());
    tx.insert_eligibility(&store::chain::catalogue::NewEligibility {
        tenant: "3410",
        id: &id,
        item_id: item,
        organization_id: organization,
        social_workers: 0,
        applied_by: "demo",
        now,
    })
    .await?;
    tx.decide_eligibility(
        "3410",
        &id,
        domain::chain::catalogue::EligibilityStatus::Approved,
        "",
        "demo",
        now,
    )
    .await?;
    Ok(id)
}
