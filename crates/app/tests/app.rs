//! Use-case tests on SQLite or (with SANSHE_TEST_DATABASE_URL) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::area::{dir_files, NoProgress, FILES};
use app::identity::UserForm;
use app::{App, AppError, Ctx, Settings};
use domain::{AreaCode, CommitteeKind, TownshipKind};
use std::path::{Path, PathBuf};
use store::audit::ChainReport;

/// The use cases under test, and the database below them (to look at what they wrote).
struct TestApp {
    app: App,
    db: store::Db,
}

impl std::ops::Deref for TestApp {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

async fn app() -> TestApp {
    let (db, _) = store::testing::fresh_db().await.unwrap();
    let app = App::new(
        db.clone(),
        Settings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..Settings::default()
        },
    );
    TestApp { app, db }
}

/// A copy of the Huangshan fixture in a temporary directory, to edit.
fn fixture_copy() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sanshe-fixture-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for (f, _, _) in FILES {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/huangshan")
            .join(f);
        std::fs::copy(src, dir.join(f)).unwrap();
    }
    dir
}

fn edit(dir: &Path, file: &str, f: impl Fn(&mut Vec<String>)) {
    let p = dir.join(file);
    let mut lines: Vec<String> = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    f(&mut lines);
    std::fs::write(p, lines.join("\n") + "\n").unwrap();
}

async fn import(app: &App, dir: &Path) -> Result<app::area::ImportReport, AppError> {
    app.import_areas(&dir_files(dir), &NoProgress, "test", &Ctx::default())
        .await
}

#[tokio::test]
async fn a_bad_import_names_every_bad_file_and_line_and_applies_nothing() {
    let app = app().await;
    let dir = fixture_copy();
    edit(&dir, "villages.csv", |l| {
        l[2] = l[2].replacen("341002001002", "34100200100X", 1); // malformed code, line 3
        l[5] = l[5].replacen(",341002002,", ",341002009,", 1); // parent that does not match, line 6
    });
    edit(&dir, "streets.csv", |l| {
        l[3] = l[3].replace("\"", "").replacen(",", ",,", 1)
    }); // wrong column count, line 4
    match import(&app, &dir).await {
        Err(AppError::Import(rows)) => {
            let at: Vec<(String, u64)> = rows.iter().map(|r| (r.file.clone(), r.line)).collect();
            assert!(at.contains(&("villages.csv".into(), 3)), "{rows:#?}");
            assert!(at.contains(&("villages.csv".into(), 6)), "{rows:#?}");
            assert!(at.contains(&("streets.csv".into(), 4)), "{rows:#?}");
            assert!(rows.iter().all(|r| !r.message.is_empty()));
        }
        other => panic!("expected an import error, got {other:?}"),
    }
    assert!(
        app.db
            .area(&AreaCode::parse("3410").unwrap())
            .await
            .unwrap()
            .is_none(),
        "nothing applied"
    );
}

#[tokio::test]
async fn a_missing_file_or_an_empty_one_is_named() {
    let app = app().await;
    let dir = fixture_copy();
    std::fs::remove_file(dir.join("cities.csv")).unwrap();
    edit(&dir, "villages.csv", |l| l.truncate(1));
    match import(&app, &dir).await {
        Err(AppError::Import(rows)) => {
            assert!(
                rows.iter()
                    .any(|r| r.file == "cities.csv" && r.message.contains("无法打开")),
                "{rows:#?}"
            );
            assert!(
                rows.iter()
                    .any(|r| r.file == "villages.csv" && r.message.contains("没有数据")),
                "{rows:#?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn reimporting_renames_adds_retires_and_restores_but_never_deletes() {
    let app = app().await;
    let dir = fixture_copy();
    let first = import(&app, &dir).await.unwrap();
    assert!(first.first_import);
    assert_eq!(first.rows, 1 + 1 + 7 + 109 + 764);
    let again = import(&app, &dir).await.unwrap();
    assert!(!again.first_import);
    assert_eq!(
        (
            again.counts.added,
            again.counts.renamed,
            again.counts.retired
        ),
        (0, 0, 0)
    );

    let gone = "341002002003";
    edit(&dir, "villages.csv", |l| {
        l.retain(|x| !x.starts_with(gone));
        for x in l.iter_mut() {
            if x.starts_with("341002002001,") {
                *x = x.replace("柏树街社区居委会", "柏树街社区（新名）");
            }
        }
        l.push("341002002250,\"新设村委会\",341002002,34,3410,341002".into());
    });
    let r = import(&app, &dir).await.unwrap();
    assert_eq!(
        (r.counts.added, r.counts.renamed, r.counts.retired),
        (1, 1, 1),
        "{r:?}"
    );
    let db = &app.db;
    let a = db
        .area(&AreaCode::parse(gone).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(a.retired, "a disappeared code is retired, not deleted");
    let renamed = db
        .area(&AreaCode::parse("341002002001").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.name, "柏树街社区（新名）");
    let new = db
        .area(&AreaCode::parse("341002002250").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        new.committee_kind,
        Some(CommitteeKind::Villagers),
        "kinds are derived for new rows"
    );

    // The code comes back: restored.
    let dir2 = fixture_copy();
    let r = import(&app, &dir2).await.unwrap();
    assert_eq!(r.counts.restored, 1);
    assert!(
        !db.area(&AreaCode::parse(gone).unwrap())
            .await
            .unwrap()
            .unwrap()
            .retired
    );
    let town = db
        .area(&AreaCode::parse("341021100").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(town.township_kind, Some(TownshipKind::Town));
}

#[tokio::test]
async fn concurrent_changes_keep_every_audit_chain_unbroken() {
    let app = app().await;
    assert!(app.seed_demo().await.unwrap());
    let mut handles = Vec::new();
    for i in 0..24 {
        let app = app.clone();
        handles.push(tokio::spawn(async move {
            let form = UserForm {
                login: format!("worker{i}"),
                display_name: format!("社工{i}"),
                password: "Worker2026".into(),
                role: "social_worker".into(),
                area: if i % 2 == 0 {
                    "341002".into()
                } else {
                    "341021".into()
                },
                organization_id: None,
            };
            app.create_user(None, &form, &Ctx::default()).await.unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    match app.verify_audit().await.unwrap() {
        ChainReport::Ok { events, .. } => assert!(events >= 24 + 14),
        b => panic!("{b:?}"),
    }
}

#[tokio::test]
async fn a_refused_action_is_audited_even_though_nothing_changes() {
    let app = app().await;
    app.seed_demo().await.unwrap();
    let before = app.db.audit_count().await.unwrap();
    let u = app.db.user_by_login("community").await.unwrap().unwrap();
    let roles = app.db.assignments_of(&u.id).await.unwrap();
    let actor = domain::Actor {
        user_id: u.id.clone(),
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        assignments: roles.iter().map(|r| r.to_domain()).collect(),
    };
    let form = UserForm {
        login: "x1".into(),
        display_name: "x".into(),
        password: "Abcdefg123".into(),
        role: "volunteer".into(),
        area: "341002002001".into(),
        organization_id: None,
    };
    let err = app
        .create_user(Some(&actor), &form, &Ctx::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "missing_role");
    assert!(app.db.user_by_login("x1").await.unwrap().is_none());
    assert_eq!(app.db.audit_count().await.unwrap(), before + 1);
    let ev = app
        .db
        .audit_events(&domain::identity::Scope::nation(), &Default::default(), 1)
        .await
        .unwrap();
    assert_eq!(
        (ev[0].record.action.as_str(), ev[0].record.outcome.as_str()),
        ("account.create", "denied")
    );
}

#[tokio::test]
async fn the_demonstration_ledger_covers_every_community_and_shows_gaps() {
    let app = app().await;
    app.seed_demo().await.unwrap();
    let n = app.seed_demo_ledger().await.unwrap();
    assert!(n > 764, "{n}");
    assert_eq!(
        app.seed_demo_ledger().await.unwrap(),
        0,
        "seeding twice adds nothing"
    );
    // The demonstration projects, at least one in every stage, made through the use cases.
    let projects = app
        .db
        .projects(&domain::identity::Scope::nation(), None, None, None, 100)
        .await
        .unwrap();
    let mut stages: Vec<&str> = projects.iter().map(|p| p.stage.as_str()).collect();
    stages.sort();
    // The demonstration does not yet carry a project through rectification or termination
    // (issue 16, finding 3, added after it): those four stages are walked by fund_return.rs.
    use domain::chain::stage::Stage;
    let later = [
        Stage::Rectifying,
        Stage::Rectified,
        Stage::ReAccepted,
        Stage::Terminated,
    ];
    let mut every: Vec<&str> = Stage::ALL
        .iter()
        .filter(|s| !later.contains(s))
        .map(|s| s.as_str())
        .collect();
    every.sort();
    stages.dedup();
    assert_eq!(stages, every, "a demonstration project in every stage");
    assert!(matches!(
        app.verify_audit().await.unwrap(),
        store::audit::ChainReport::Ok { .. }
    ));
    let all = app
        .db
        .organizations(&domain::identity::Scope::nation(), &Default::default(), 200)
        .await
        .unwrap();
    assert!(!all.is_empty());
    let mut per_community: std::collections::HashMap<String, usize> = Default::default();
    let mut after = None;
    loop {
        let f = store::registry::OrgFilter {
            after: after.clone(),
            ..Default::default()
        };
        let page = app
            .db
            .organizations(&domain::identity::Scope::nation(), &f, 200)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.org.name.clone(), last.id.clone()));
        for o in &page {
            *per_community
                .entry(o.org.area.as_str().to_string())
                .or_default() += 1;
            if let Some(u) = &o.org.uscc {
                let c = domain::ident::Uscc::parse(u, "uscc").unwrap();
                assert!(c.warnings.is_empty(), "{u}");
            }
        }
    }
    assert_eq!(per_community.values().sum::<usize>(), n);
    assert_eq!(
        per_community.len(),
        764,
        "every community has organizations"
    );
    let urban_short = per_community
        .iter()
        .filter(|(c, n)| c[9..].parse::<u32>().unwrap() < 200 && **n < 10)
        .count();
    assert!(urban_short > 0, "some urban communities fall short of 10");
    let platforms = app
        .db
        .platforms(&domain::identity::Scope::nation(), "2026-11-22", None, 1000)
        .await
        .unwrap();
    assert_eq!(
        platforms
            .iter()
            .filter(|p| p.platform.kind == domain::social::PlatformKind::Centre)
            .count(),
        9
    );
    let short = platforms
        .iter()
        .filter(|p| {
            app::social::STANDARD
                .required(p.platform.kind)
                .is_some_and(|r| p.current_posts < r)
        })
        .count();
    assert!(
        short > 0 && short < platforms.len(),
        "some platforms meet the standard and some do not ({short})"
    );
    let pool = app
        .db
        .talent_summary(&domain::identity::Scope::new([
            AreaCode::parse("341002").unwrap()
        ]))
        .await
        .unwrap();
    assert!(
        pool.pool.members > 0 && pool.pool.trained > 0 && !pool.pool.complete(),
        "the demonstration pool is trained in part: {pool:?}"
    );
    assert!(pool.by_category.iter().skip(1).all(|(_, n)| *n > 0));
    for w in app
        .db
        .social_workers(
            &domain::identity::Scope::nation(),
            "2026-11-22",
            None,
            None,
            1000,
        )
        .await
        .unwrap()
    {
        let plain = app.settings.pii.decrypt(&w.id_cipher).unwrap();
        assert!(domain::ident::IdNumber::parse(
            &plain,
            "id",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        )
        .is_ok());
        assert_eq!(
            w.id_masked,
            format!("{}********{}", &plain[..6], &plain[14..])
        );
    }
    assert!(matches!(
        app.verify_audit().await.unwrap(),
        ChainReport::Ok { .. }
    ));
}

fn officer(role: domain::Role, area: &str) -> domain::Actor {
    domain::Actor {
        user_id: format!("test-{area}"),
        login: format!("test-{area}"),
        display_name: "测试".into(),
        assignments: vec![domain::RoleAssignment {
            role,
            area: AreaCode::parse(area).unwrap(),
            organization_id: None,
        }],
    }
}

#[tokio::test]
async fn the_backbone_pools_coverage_moves_with_trainings_and_stays_in_its_territory() {
    use domain::talent::{TalentForm, TrainingForm};
    let app = app().await;
    app.seed_demo().await.unwrap();
    let community = officer(domain::Role::CommunityOfficer, "341002002001");
    let township = officer(domain::Role::TownshipOfficer, "341002002");
    let form = |name: &str, category: &str, backbone: &str| TalentForm {
        name: name.into(),
        category: category.into(),
        area: "341002002001".into(),
        backbone: backbone.into(),
        ..Default::default()
    };
    let a = app
        .create_talent(
            &community,
            &form("汪丽", "party_work", "on"),
            &Ctx::default(),
        )
        .await
        .unwrap();
    let b = app
        .create_talent(
            &community,
            &form("程浩", "organization_backbone", "on"),
            &Ctx::default(),
        )
        .await
        .unwrap();
    app.create_talent(
        &community,
        &form("胡兰", "self_governance", ""),
        &Ctx::default(),
    )
    .await
    .unwrap();
    let list = app
        .list_talents(&township, &Default::default(), None, 50)
        .await
        .unwrap();
    assert_eq!(list.page.items.len(), 3);
    assert_eq!(
        (list.summary.pool.members, list.summary.pool.trained),
        (2, 0)
    );
    let count = |c: domain::talent::TalentCategory| {
        list.summary
            .by_category
            .iter()
            .find(|(k, _)| *k == c)
            .unwrap()
            .1
    };
    assert_eq!(count(domain::talent::TalentCategory::PartyWork), 1);
    assert_eq!(count(domain::talent::TalentCategory::VolunteerService), 0);

    let training = TrainingForm {
        name: "社区社会组织骨干培训".into(),
        organizer: "屯溪区民政局".into(),
        held_on: "2026-10-12".into(),
        hours: "3".into(),
    };
    app.add_talent_training(&township, &a, &training, &Ctx::default())
        .await
        .unwrap();
    app.add_talent_training(&township, &a, &training, &Ctx::default())
        .await
        .unwrap();
    let list = app
        .list_talents(&township, &Default::default(), None, 50)
        .await
        .unwrap();
    assert_eq!(
        (list.summary.pool.members, list.summary.pool.trained),
        (2, 1)
    );
    let untrained = app
        .list_talents(
            &township,
            &store::talent::TalentFilter {
                untrained: true,
                ..Default::default()
            },
            None,
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        untrained
            .page
            .items
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        [b.as_str()]
    );
    let d = app
        .talent_detail(&community, &a, &Ctx::default())
        .await
        .unwrap();
    assert_eq!(
        (
            d.row.training_count,
            d.row.training_minutes,
            d.trainings.len()
        ),
        (2, 360, 2)
    );

    // Leaving the pool takes the untrained member out of the coverage count.
    app.set_backbone(&community, &b, false, &Ctx::default())
        .await
        .unwrap();
    let list = app
        .list_talents(&township, &Default::default(), None, 50)
        .await
        .unwrap();
    assert!(list.summary.pool.complete());

    // A neighbouring community's officer sees none of it and changes nothing.
    let neighbour = officer(domain::Role::CommunityOfficer, "341002002002");
    assert!(app
        .list_talents(&neighbour, &Default::default(), None, 50)
        .await
        .unwrap()
        .page
        .items
        .is_empty());
    assert!(matches!(
        app.talent_detail(&neighbour, &a, &Ctx::default()).await,
        Err(AppError::Denied(_))
    ));
    assert!(app
        .add_talent_training(&neighbour, &a, &training, &Ctx::default())
        .await
        .is_err());
    assert!(matches!(
        app.create_talent(&neighbour, &form("越界", "party_work", ""), &Ctx::default())
            .await,
        Err(AppError::Denied(_))
    ));
    let d = app
        .talent_detail(&community, &a, &Ctx::default())
        .await
        .unwrap();
    assert_eq!(d.row.training_count, 2);

    // A link to a social worker of another city, or to none, is refused by field.
    let e = app
        .create_talent(
            &community,
            &TalentForm {
                social_worker_id: "3401-nobody".into(),
                ..form("钱敏", "social_work", "")
            },
            &Ctx::default(),
        )
        .await
        .unwrap_err();
    assert!(format!("{e:?}").contains("social_worker_id"), "{e:?}");
}

/// Eight supports of one need by the same resident sent at once count once, and eight
/// different residents at once count eight: the primary key decides, not a read-then-write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_supports_by_one_resident_count_once() {
    let app = app().await;
    app.seed_demo().await.unwrap();
    let officer = domain::Actor {
        user_id: "test-officer".into(),
        login: "test-officer".into(),
        display_name: "测试".into(),
        assignments: vec![domain::RoleAssignment {
            role: domain::Role::CommunityOfficer,
            area: AreaCode::parse("341002002001").unwrap(),
            organization_id: None,
        }],
    };
    let need = app
        .raise_need(
            &officer,
            &domain::chain::need::NeedForm {
                community: "341002002001".into(),
                priority_group: "special_elderly".into(),
                channel: "council".into(),
                title: "老年食堂".into(),
                description: "议事会上多位居民提出希望办老年食堂。".into(),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let resident = |id: String| domain::Actor {
        user_id: id.clone(),
        login: id.clone(),
        display_name: id,
        assignments: vec![domain::RoleAssignment {
            role: domain::Role::Resident,
            area: AreaCode::parse("341002002001").unwrap(),
            organization_id: None,
        }],
    };
    let same = resident("resident-a".into());
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let (app, who, need) = (app.clone(), same.clone(), need.clone());
            tokio::spawn(async move { app.support_need(&who, &need, &Ctx::default()).await })
        })
        .collect();
    let mut ok = 0;
    for t in tries {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code(), "already_supported", "{e:?}"),
        }
    }
    assert_eq!(ok, 1, "one of the eight counts");
    let many: Vec<_> = (0..8)
        .map(|i| {
            let (app, who, need) = (app.clone(), resident(format!("resident-{i}")), need.clone());
            tokio::spawn(async move { app.support_need(&who, &need, &Ctx::default()).await })
        })
        .collect();
    for t in many {
        t.await.unwrap().unwrap();
    }
    let tenant = &need[..4];
    assert_eq!(
        app.db
            .need(tenant, &need)
            .await
            .unwrap()
            .unwrap()
            .supporters,
        9
    );
}

/// The board's order comes from SQL; it must be the order `domain::chain::need::rank` defines
/// (supporters, then priority groups before all residents, then the older need, then the id).
#[tokio::test]
async fn the_needs_board_is_ranked_as_the_domain_rule_says() {
    use domain::chain::need::{rank, NeedFacts, NeedForm};
    let app = app().await;
    app.seed_demo().await.unwrap();
    let officer = domain::Actor {
        user_id: "test-officer".into(),
        login: "test-officer".into(),
        display_name: "测试".into(),
        assignments: vec![domain::RoleAssignment {
            role: domain::Role::CommunityOfficer,
            area: AreaCode::parse("341002002001").unwrap(),
            organization_id: None,
        }],
    };
    // (group, supporters): ties on supporters with and without a priority group.
    let plan = [
        ("all_residents", 2),
        ("special_elderly", 2),
        ("all_residents", 0),
        ("disabilities", 0),
        ("all_residents", 3),
        ("left_behind", 2),
    ];
    for (k, (group, supporters)) in plan.iter().enumerate() {
        let id = app
            .raise_need(
                &officer,
                &NeedForm {
                    community: "341002002001".into(),
                    priority_group: group.to_string(),
                    channel: "survey".into(),
                    title: format!("需求{k}"),
                    description: "问卷中居民提出的需求。".into(),
                },
                &Ctx::default(),
            )
            .await
            .unwrap();
        for n in 0..*supporters {
            let resident = domain::Actor {
                user_id: format!("r{n}"),
                login: format!("r{n}"),
                display_name: "居民".into(),
                assignments: vec![domain::RoleAssignment {
                    role: domain::Role::Resident,
                    area: AreaCode::parse("341002002001").unwrap(),
                    organization_id: None,
                }],
            };
            app.support_need(&resident, &id, &Ctx::default())
                .await
                .unwrap();
        }
    }
    let board = app.need_board(&officer, &Default::default()).await.unwrap();
    let stored: Vec<String> = board.items.iter().map(|n| n.row.id.clone()).collect();
    let mut facts: Vec<NeedFacts> = board
        .items
        .iter()
        .map(|n| NeedFacts {
            id: n.row.id.clone(),
            community: n.row.community.clone(),
            status: n.row.status,
            priority_group: n.row.priority_group,
            supporters: n.row.supporters as u64,
            created_at: n.row.created_at.clone(),
        })
        .collect();
    facts.reverse();
    rank(&mut facts);
    let ranked: Vec<String> = facts.into_iter().map(|f| f.id).collect();
    assert_eq!(stored.len(), plan.len());
    assert_eq!(stored, ranked);
    // And the ties really were decided by the group: the 3-supporter need first, then the two
    // priority-group needs with 2 before the all-residents one with 2.
    let supporters: Vec<i64> = board.items.iter().map(|n| n.row.supporters).collect();
    assert_eq!(supporters, [3, 2, 2, 2, 0, 0]);
    assert_eq!(
        board.items[3].row.priority_group,
        domain::chain::need::PriorityGroup::AllResidents
    );
}
