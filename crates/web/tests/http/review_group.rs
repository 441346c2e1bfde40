//! The review group as a record of its own (issue 14, finding 6): the purchaser neither convenes
//! it nor writes its report; the team's volunteers (by account and by name), the social workers
//! the organization employs (by name) and recipients recorded by name are refused; a group
//! without an expert is refused; only the chair signs. Every refusal changes nothing and is
//! audited.

use crate::acceptance::group;
use crate::harness::*;

/// A self-evaluated project of the demonstration organization whose application names a team
/// social worker (社工钱红) and a team volunteer with an account (the `volunteer` account,
/// 志愿者 吴昊), whose organization employs 社工赵晴, and whose activity served 王奶奶 (no
/// account) by name: (project id, the team volunteer's registry id).
async fn self_evaluated_with_team(t: &TestApp) -> String {
    demo_org(t).await;
    let unit = officer(Role::TownshipOfficer, "341002002");
    let ctx = Ctx::default();
    let worker = |name: &str, id_number: &str, employer: &str| domain::social::SocialWorkerForm {
        name: name.into(),
        id_number: id_number.into(),
        certificate_level: "aide".into(),
        area: "341002002".into(),
        employer_org_id: employer.into(),
        ..Default::default()
    };
    let team_worker = t
        .app
        .create_social_worker(&unit, &worker("社工钱红", "341002198001011237", ""), &ctx)
        .await
        .unwrap();
    t.app
        .create_social_worker(
            &unit,
            &worker("社工赵晴", "34100219850505234X", app::demo::DEMO_ORG_ID),
            &ctx,
        )
        .await
        .unwrap();
    // The `volunteer` account's own registry entry.
    let account = t.actor("volunteer").await;
    let v = domain::volunteer::VolunteerForm {
        name: "志愿者 吴昊".into(),
        area: "341002002001".into(),
        consent: Some("on".into()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_volunteer(
        "3410",
        "3410-team-volunteer",
        Some(&account.user_id),
        &v,
        "v1",
        &store::time::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut form = application_form("x", &team_worker, "");
    form.volunteers = "3410-team-volunteer".into();
    let project = contracted_project_with(t, &form).await;
    let manager = t.login("orgmanager").await;
    let township = t.login("township").await;
    let api = |path: &str| format!("/api/v1/projects/{project}/{path}");
    let (st, _, b) = township
        .api(reqwest::Method::POST, &api("tranches/1/payment"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // The people served: 郑阿姨 by account, 王奶奶 by name (she has none).
    let (st, page) = manager
        .post(
            &format!("/projects/{project}/activities"),
            &[
                ("held_on", &today_text()),
                ("place", "柏树街社区"),
                ("content", "上门助洁 2 户"),
                ("served", "2"),
                ("recipients", "resident"),
                ("recipient_names", " 王奶奶 \n"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{page}");
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("self-evaluation"),
            Some(json!({
                "report": "全年上门服务 23 户，超过目标；满意度回访 94%；经费按预算使用，无超支。",
                "case_study": "独居的王奶奶行动不便，社工评估后链接志愿者每周上门助洁，并联系社区医生随访。"
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    project
}

/// The clean group of the tests: an expert chairs; four others.
fn clean() -> Value {
    group(&[
        ("何教授", "expert", "evaluator", "", true),
        (
            "黄山评估中心 方老师",
            "third_party",
            "",
            "黄山社会评估中心",
            false,
        ),
        ("冯师傅", "representatives", "representative", "", false),
        ("孙桂兰", "residents", "", "", false),
        ("王科长", "department", "city", "", false),
    ])
}

/// The stage and the number of review-group rows, and the refusals audited for `action`.
async fn state(t: &TestApp, project: &str, action: &str) -> (String, i64, usize) {
    let stage: String = store::on_pool!(&t.db, c => sqlx::query_scalar("SELECT stage FROM projects WHERE id = $1").bind(project).fetch_one(c).await.unwrap());
    let rows: i64 = store::on_pool!(&t.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM review_group_members WHERE project_id = $1").bind(project).fetch_one(c).await.unwrap());
    let refused =
        t.db.audit_events(&Scope::nation(), &Default::default(), 500)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.record.action == action && e.record.outcome != "ok")
            .count();
    (stage, rows, refused)
}

#[tokio::test]
async fn the_purchaser_the_team_the_employed_and_the_served_are_kept_off_the_review_group() {
    let t = spawn_app().await;
    let project = self_evaluated_with_team(&t).await;
    let api = |path: &str| format!("/api/v1/projects/{project}/{path}");
    let community = t.login("community").await;
    // The finding: the township that pays formed the panel. Now refused, naming why.
    let township = t.login("township").await;
    let b = post_refused(
        &township,
        &api("panel"),
        clean(),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    assert!(b.contains("组建评议小组"), "{b}");
    assert_eq!(
        state(&t, &project, "evaluation.panel").await,
        ("self_evaluated".into(), 0, 1),
        "nothing changed, and the refusal is audited"
    );
    // The county and the city buy too.
    for upper in ["tunxi", "city"] {
        let s = t.login(upper).await;
        post_refused(
            &s,
            &api("panel"),
            clean(),
            StatusCode::FORBIDDEN,
            "purchaser_conflict",
        )
        .await;
    }
    // Each kind of interest, one member at a time, on the otherwise clean group.
    let cases: [(usize, Value, &str, &str); 6] = [
        (
            2,
            json!({"name": "吴昊", "category": "residents", "login": "volunteer"}),
            "team_volunteer",
            "项目团队的志愿者",
        ),
        (
            3,
            json!({"name": "志愿者 吴昊", "category": "residents"}),
            "team_volunteer",
            "项目团队的志愿者",
        ),
        (
            3,
            json!({"name": " 社工赵晴", "category": "residents"}),
            "employed_social_worker",
            "聘用的社工",
        ),
        (
            3,
            json!({"name": "社工钱红", "category": "department"}),
            "team_social_worker",
            "项目团队的社工",
        ),
        (
            3,
            json!({"name": "王奶奶", "category": "residents"}),
            "beneficiary_member",
            "按姓名登记",
        ),
        (
            2,
            json!({"name": "郑阿姨", "category": "residents", "login": "resident"}),
            "beneficiary_member",
            "按账号登记",
        ),
    ];
    for (row, member, code, words) in cases {
        let mut g = clean();
        g["members"][row] = member;
        let b = post_refused(
            &community,
            &api("panel"),
            g,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
        assert!(b.contains(words), "{code}: {b}");
        assert!(b.contains(&format!("members[{row}]")), "{code}: {b}");
    }
    // Without an expert or a third party.
    let mut g = clean();
    g["members"][1] = json!({"name": "居民 钱大姐", "category": "residents"});
    g["members"][0]["category"] = json!("department");
    post_refused(
        &community,
        &api("panel"),
        g,
        StatusCode::UNPROCESSABLE_ENTITY,
        "expert_required",
    )
    .await;
    // The committee may not chair the group it convenes.
    let mut g = clean();
    g["members"][0]["chair"] = json!(false);
    g["members"][4] =
        json!({"name": "刘敏", "category": "representatives", "login": "community", "chair": true});
    post_refused(
        &community,
        &api("panel"),
        g,
        StatusCode::UNPROCESSABLE_ENTITY,
        "committee_chair",
    )
    .await;
    assert_eq!(
        state(&t, &project, "evaluation.panel").await,
        ("self_evaluated".into(), 0, 11),
        "no refusal changed anything; each was audited"
    );
    // The clean group is convened by the committee.
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("panel"), Some(clean()))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d = json_of(&b);
    let members = d["acceptance"]["group"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(members[1]["organization"], "黄山社会评估中心");
    assert_eq!(members[0]["chair"], true);
    // The finding: the township wrote the verdict. Now only the chair signs, after the meeting.
    let chair = t.login("evaluator").await;
    let meeting = json!({"method": "查阅台账、入户走访、召开评议会", "held_on": today_text(), "place": "社区议事厅", "present": "1,3,5"});
    let mut thin = meeting.clone();
    thin["present"] = json!("1,2");
    post_refused(
        &chair,
        &api("meeting"),
        thin,
        StatusCode::UNPROCESSABLE_ENTITY,
        "quorum_not_met",
    )
    .await;
    post_refused(
        &township,
        &api("meeting"),
        meeting.clone(),
        StatusCode::FORBIDDEN,
        "not_chair",
    )
    .await;
    let verdict = json!({"verdict": "accepted", "report": "评议小组查阅台账、入户走访，项目达到申请书目标，同意验收。"});
    post_refused(
        &chair,
        &api("verdict"),
        verdict.clone(),
        StatusCode::CONFLICT,
        "meeting_before_report",
    )
    .await;
    let (st, _, b) = chair
        .api(
            reqwest::Method::POST,
            &api("meeting"),
            Some(meeting.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d = json_of(&b);
    let present: Vec<bool> = d["acceptance"]["group"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["present"] == true)
        .collect();
    assert_eq!(present, [true, false, true, false, true]);
    // The members present with an account score: the chair, the representative, the bureau.
    let score =
        json!({"need": "18", "goals": "22", "quality": "17", "money": "13", "satisfaction": "19"});
    for m in ["evaluator", "representative", "city"] {
        let s = t.login(m).await;
        let (st, _, b) = s
            .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
            .await;
        assert_eq!(st, StatusCode::OK, "{m}: {b}");
    }
    // Neither the purchaser nor the committee signs the report; the pages agree.
    for s in [&township, &community] {
        let b = post_refused(
            s,
            &api("verdict"),
            verdict.clone(),
            StatusCode::FORBIDDEN,
            "not_chair",
        )
        .await;
        assert!(b.contains("组长"), "{b}");
        let (_, page) = s.get(&format!("/projects/{project}")).await;
        assert!(!page.contains("id=\"submit-verdict\""), "{page}");
    }
    assert_eq!(
        state(&t, &project, "evaluation.verdict").await,
        ("under_review".into(), 5, 3),
        "refused signatures changed nothing and were audited"
    );
    let (_, page) = chair.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("id=\"submit-verdict\"") && page.contains("评议方式：查阅台账"),
        "{page}"
    );
    // The chair signs; the verdict releases the last tranche as before.
    let (st, _, b) = chair
        .api(reqwest::Method::POST, &api("verdict"), Some(verdict))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(json_of(&b)["project"]["stage"], "accepted");
    post_refused(
        &chair,
        &api("meeting"),
        meeting,
        StatusCode::CONFLICT,
        "report_signed",
    )
    .await;
    let pay = |seq: i64| api(&format!("tranches/{seq}/payment"));
    for seq in [2, 3] {
        let (st, _, b) = township.api(reqwest::Method::POST, &pay(seq), None).await;
        assert_eq!(st, StatusCode::OK, "{b}");
    }
    let (_, page) = township.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("已结项") && page.contains("评议小组组长签署于"),
        "{page}"
    );
}

/// The page's group form: rows with a category select in Chinese and a chair choice; a refused
/// group is shown again as typed, naming the wrong row.
#[tokio::test]
async fn the_group_form_keeps_its_rows_and_names_the_wrong_one() {
    let t = spawn_app().await;
    let project = self_evaluated_with_team(&t).await;
    let community = t.login("community").await;
    let (_, page) = community.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("name=\"m.0.category\"")
            && page.contains("权威机构专家")
            && page.contains("第三方评估机构")
            && page.contains("name=\"chair\""),
        "{page}"
    );
    let (st, page) = community
        .post(
            &format!("/projects/{project}/panel"),
            &[
                ("m.0.name", "何教授"),
                ("m.0.category", "expert"),
                ("m.0.login", "evaluator"),
                ("m.1.name", "方老师"),
                ("m.1.category", "third_party"),
                ("m.1.organization", ""),
                ("m.2.name", "社工赵晴"),
                ("m.2.category", "residents"),
                ("chair", "0"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("第 2 行：第三方评估机构的成员须写明所在机构"),
        "{page}"
    );
    assert!(
        page.contains("value=\"社工赵晴\"") && page.contains("value=\"third_party\" selected"),
        "kept as typed: {page}"
    );
    assert!(
        page.contains("id=\"g-chair-0\" name=\"chair\" value=\"0\" checked"),
        "the chair stays chosen: {page}"
    );
}
