//! Delivery, evaluation and payment.

use crate::harness::*;

#[tokio::test]
async fn delivery_evaluation_by_a_clean_group_and_the_final_tranche_only_after_acceptance() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let (volunteer, _, _) = volunteer_with_certificate(&t, "341002002001", "志愿者吴昊").await;
    let before =
        t.db.volunteer("3410", &volunteer)
            .await
            .unwrap()
            .unwrap()
            .total_minutes;
    let manager = t.login("orgmanager").await;
    let township = t.login("township").await;
    let community = t.login("community").await;
    let api = |path: &str| format!("/api/v1/projects/{project}/{path}");
    // An activity: a bad volunteer line is named; then its hours become a service record.
    let mut activity = json!({
        "held_on": today_text(), "place": "柏树街社区", "content": "上门助洁 6 户", "served": "6",
        "groups": "special_elderly", "volunteers": format!("{volunteer}|1.33\n{volunteer}"), "recipients": "resident"
    });
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("activities"),
            Some(activity.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("第 2 行"), "{b}");
    activity["volunteers"] = json!(format!("{volunteer}|1.33"));
    let (st, _, b) = manager
        .api(reqwest::Method::POST, &api("activities"), Some(activity))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["project"]["stage"],
        "delivering"
    );
    let after =
        t.db.volunteer("3410", &volunteer)
            .await
            .unwrap()
            .unwrap()
            .total_minutes;
    // 1.33 h is 79 minutes: the record carries the activity's minutes exactly.
    assert_eq!(
        after - before,
        domain::volunteer::parse_hours("1.33").unwrap(),
        "the activity's time is in the volunteer registry, to the minute"
    );
    // Payments: in order, each when its milestone is reached; the final one waits.
    let pay = |seq: i64| api(&format!("tranches/{seq}/payment"));
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(2), None).await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("earlier_tranche_unpaid"),
        "{b}"
    );
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(1), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = manager.api(reqwest::Method::POST, &pay(2), None).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the organization does not pay itself: {b}"
    );
    // The mid-term tranche waits for the committee's mid-term review (issue 16).
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(2), None).await;
    assert!(st == StatusCode::CONFLICT && b.contains("中期评估"), "{b}");
    let midterm = json!({"findings": "入户走访 12 户，服务记录完整，老人满意度高，送餐准时。", "rating": "good", "supervisor": "许老师"});
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("midterm-review"), Some(midterm))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(2), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("milestone_not_reached"),
        "{b}"
    );
    // Delivery notes: each kind by its keeper; progress names the application's goals.
    let note = |kind: &str, who: &str, phase: &str, body: &str| json!({"kind": kind, "held_on": today_text(), "who": who, "phase": phase, "body": body});
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "coordination",
                "社区书记、调解员",
                "",
                "协调活动场地和上门时间安排。",
            )),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the committee convenes coordination meetings: {b}"
    );
    // The township buys this project: it does not convene the meetings that oversee it.
    post_refused(
        &township,
        &api("notes"),
        note(
            "coordination",
            "街道干部",
            "",
            "协调活动场地和上门时间安排。",
        ),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "coordination",
                "社区书记、调解员、社区民警",
                "",
                "协调活动场地和上门时间安排，明确安全责任。",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let supervisor = t.login("supervisor").await;
    post_refused(
        &supervisor,
        &api("notes"),
        note(
            "supervision",
            "督导 许老师",
            "",
            "建议建立个案记录，按月回访服务对象。",
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "phase",
    )
    .await;
    let (st, _, b) = supervisor
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "supervision",
                "督导 许老师",
                "during",
                "建议建立个案记录，按月回访服务对象。",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    post_refused(
        &manager,
        &api("notes"),
        note("progress", "", "", "不存在的目标|一半"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_goal",
    )
    .await;
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("notes"),
            Some(note(
                "progress",
                "",
                "",
                "为独居老人提供午餐|已每周送餐 5 天",
            )),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["acceptance"]["notes"].as_array().unwrap().len(), 3);
    // Self-evaluation.
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("self-evaluation"),
            Some(json!({"report": "完成了"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b.contains("case_study"),
        "a social-work item needs a case study: {b}"
    );
    let report = "全年上门服务 23 户，超过目标；满意度回访 94%；经费按预算使用，无超支。";
    let case = "独居的王奶奶行动不便，社工评估后链接志愿者每周上门助洁，并联系社区医生随访。";
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &api("self-evaluation"),
            Some(json!({"report": report, "case_study": case})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    // The group: the purchaser (the township) may not convene it; an account of the organization,
    // a resident it served and a group without an expert are refused; the page keeps what was typed.
    let clean = group(&[
        ("何教授", "expert", "evaluator", "", true),
        ("许老师", "expert", "supervisor", "", false),
        ("冯师傅", "representatives", "representative", "", false),
        ("王科长", "department", "city", "", false),
        ("李主任", "department", "tunxi", "", false),
    ]);
    let b = post_refused(
        &township,
        &api("panel"),
        clean.clone(),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    assert!(b.contains("购买方"), "{b}");
    let (st, page) = community
        .post(
            &format!("/projects/{project}/panel"),
            &[
                ("m.0.name", "社团成员"),
                ("m.0.category", "residents"),
                ("m.0.login", "orgmember"),
                ("m.1.name", "郑阿姨"),
                ("m.1.category", "residents"),
                ("m.1.login", "resident"),
                ("m.2.name", "冯师傅"),
                ("m.2.category", "representatives"),
                ("m.2.login", "representative"),
                ("chair", "2"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("须回避")
            && page.contains("服务对象")
            && page.contains("至少 5 人")
            && page.contains("权威机构专家或第三方"),
        "{page}"
    );
    assert!(
        page.contains("value=\"orgmember\"") && page.contains("value=\"郑阿姨\""),
        "the typed members are kept: {page}"
    );
    // Someone who cannot read the project (歙县's bureau) cannot sit on its group.
    let mut outside = clean.clone();
    outside["members"][4]["login"] = json!("shexian");
    post_refused(
        &community,
        &api("panel"),
        outside,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_territory",
    )
    .await;
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("panel"), Some(clean))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d = json_of(&b);
    assert_eq!(d["project"]["stage"], "under_review");
    assert_eq!(d["acceptance"]["group"]["members"][0]["category"], "expert");
    // Scores: members only, once each.
    let score =
        json!({"need": "18", "goals": "22", "quality": "17", "money": "13", "satisfaction": "19"});
    let (st, _, _) = community
        .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let verdict = json!({"verdict": "accepted", "report": "项目完成申请书目标，居民满意度较高，经费使用规范。"});
    let (_, _, b) = t
        .login("evaluator")
        .await
        .api(reqwest::Method::GET, "/api/v1/work", None)
        .await;
    assert!(
        b.contains("score_project") && b.contains("write_verdict"),
        "the chair's work list: {b}"
    );
    let chair = t.login("evaluator").await;
    // The report follows the meeting.
    post_refused(
        &chair,
        &api("verdict"),
        verdict.clone(),
        StatusCode::CONFLICT,
        "meeting_before_report",
    )
    .await;
    let meeting = json!({"method": "查阅台账、入户走访、召开评议会", "held_on": today_text(), "place": "社区议事厅", "present": "1,2,3,4,5"});
    post_refused(
        &community,
        &api("meeting"),
        meeting.clone(),
        StatusCode::FORBIDDEN,
        "not_chair",
    )
    .await;
    let (st, _, b) = chair
        .api(reqwest::Method::POST, &api("meeting"), Some(meeting))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let members = ["evaluator", "supervisor", "representative", "city", "tunxi"];
    for (i, m) in members.iter().enumerate() {
        if i == 4 {
            post_refused(
                &chair,
                &api("verdict"),
                verdict.clone(),
                StatusCode::CONFLICT,
                "scores_missing",
            )
            .await;
        }
        let s = t.login(m).await;
        let (st, _, b) = s
            .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
            .await;
        assert_eq!(st, StatusCode::OK, "{m}: {b}");
        let (st, _, _) = s
            .api(reqwest::Method::POST, &api("scores"), Some(score.clone()))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{m} scores once");
    }
    // The committee convenes but does not write the report; the chair signs it.
    post_refused(
        &community,
        &api("verdict"),
        verdict.clone(),
        StatusCode::FORBIDDEN,
        "not_chair",
    )
    .await;
    let (st, _, b) = chair
        .api(reqwest::Method::POST, &api("verdict"), Some(verdict))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            d["project"]["stage"].as_str(),
            d["acceptance"]["report"]["average"].as_i64()
        ),
        (Some("accepted"), Some(89))
    );
    // The final tranche now pays and closes the project.
    let (st, _, b) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["stage"],
        "closed"
    );
    let (st, _, _) = township.api(reqwest::Method::POST, &pay(3), None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, page) = township.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("已结项") && page.contains("评议结论：验收通过"),
        "{page}"
    );
    for sql in [
        format!("UPDATE review_scores SET total = 100 WHERE project_id = '{project}'"),
        format!("DELETE FROM review_group_members WHERE project_id = '{project}'"),
        format!("UPDATE review_group_members SET present = FALSE WHERE project_id = '{project}'"),
        format!("UPDATE review_groups SET method = '改' WHERE project_id = '{project}'"),
        format!(
            "UPDATE review_reports SET verdict = 'not_accepted' WHERE project_id = '{project}'"
        ),
        format!("UPDATE tranches SET paid_at = NULL WHERE project_id = '{project}'"),
        format!("DELETE FROM activities WHERE project_id = '{project}'"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database allowed: {sql}");
    }
}

/// A review group as the API takes it: (name, category, login, organization, chair) per member.
pub(crate) fn group(rows: &[(&str, &str, &str, &str, bool)]) -> Value {
    json!({ "members": rows.iter().map(|(name, category, login, organization, chair)| json!({
        "name": name, "category": category, "login": login, "organization": organization, "chair": chair
    })).collect::<Vec<_>>() })
}
