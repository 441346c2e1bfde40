//! Consultation meetings and their signed minutes.

use crate::harness::*;

#[tokio::test]
async fn a_consultation_records_attendance_and_comments_and_its_signed_minutes_cannot_change() {
    let t = spawn_app().await;
    let project = submitted_project(&t).await;
    let community = t.login("community").await;
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/consultations", None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["submitted"][0]["id"],
        json!(project)
    );
    // A refused form keeps what was typed and names the field.
    let (st, page) = community
        .post(
            "/consultations",
            &[
                ("community", "341002002001"),
                ("title", "2027 年度项目恳谈会"),
                ("held_on", "十二月十日"),
                ("place", "柏树街社区议事厅"),
                ("projects", project.as_str()),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("YYYY-MM-DD") && page.contains("2027 年度项目恳谈会"),
        "{page}"
    );
    // Residents do not convene.
    let resident = t.login("resident").await;
    let body = json!({"community": "341002002001", "title": "恳谈会", "held_on": "2026-12-10", "place": "议事厅", "projects": project});
    let (st, _, _) = resident
        .api(
            reqwest::Method::POST,
            "/api/v1/consultations",
            Some(body.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Nor does the township, which will buy what the meeting recommends.
    let township = t.login("township").await;
    post_refused(
        &township,
        "/api/v1/consultations",
        body.clone(),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    let (st, _, b) = community
        .api(reqwest::Method::POST, "/api/v1/consultations", Some(body))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let meeting = serde_json::from_str::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let api = |path: &str| format!("/api/v1/consultations/{meeting}/{path}");
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("attendees"),
            Some(json!({"role": "representative", "name": "赵秀英"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let signed = json!({"recorder": "李娜", "chair": "张伟", "summary": "与会人员同意助餐项目，建议压缩食材补贴。"});
    post_refused(
        &community,
        &api("freeze"),
        signed.clone(),
        StatusCode::CONFLICT,
        "no_supervisory_council",
    )
    .await;
    let (st, _) = community
        .post(
            &format!("/consultations/{meeting}/attendees"),
            &[("role", "supervisory_council"), ("name", "王建国")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // A comment on something not on the agenda is refused; on the application it is recorded.
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &api("comments"),
            Some(json!({"project_id": "3410-other", "speaker": "王建国", "role": "supervisory_council", "comment": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (st, _) = community
        .post(
            &format!("/consultations/{meeting}/comments"),
            &[
                ("project_id", project.as_str()),
                ("speaker", "王建国"),
                ("role", "supervisory_council"),
                ("comment", "食材补贴偏高"),
                ("requested_change", "压缩到 3 万元"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // Unsigned minutes do not freeze; signed ones do, and the application becomes consulted.
    let (st, page) = community
        .post(
            &format!("/consultations/{meeting}/freeze"),
            &[("recorder", "李娜"), ("chair", ""), ("summary", "同意")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("主持人签名") && page.contains("李娜"),
        "{page}"
    );
    let (st, _, b) = community
        .api(reqwest::Method::POST, &api("freeze"), Some(signed.clone()))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let manager = t.login("orgmanager").await;
    let (_, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["project"]["stage"], "consulted");
    assert_eq!(d["comments"][0][0]["requested_change"], "压缩到 3 万元");
    let (_, page) = manager.get(&format!("/projects/{project}")).await;
    assert!(
        page.contains("压缩到 3 万元") && page.contains("已恳谈"),
        "{page}"
    );
    // Frozen: nothing changes by any route, and the database itself refuses.
    for (path, body) in [
        ("attendees", json!({"role": "resident", "name": "迟到的人"})),
        (
            "comments",
            json!({"project_id": project, "speaker": "x", "role": "resident", "comment": "补充"}),
        ),
        ("freeze", signed),
    ] {
        let (st, _, b) = community
            .api(reqwest::Method::POST, &api(path), Some(body))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{path}: {b}");
        assert!(b.contains("minutes_frozen"), "{path}: {b}");
    }
    let (_, page) = community.get(&format!("/consultations/{meeting}")).await;
    assert!(
        page.contains("会议纪要已签字封存") && !page.contains("id=\"add-comment\""),
        "{page}"
    );
    for sql in [
        format!("UPDATE consultations SET summary = 'x' WHERE id = '{meeting}'"),
        format!("DELETE FROM consultation_entries WHERE consultation_id = '{meeting}'"),
        format!("INSERT INTO consultation_entries (tenant_id, id, consultation_id, kind, role, name, recorded_by, recorded_at) VALUES ('3410', '3410-late', '{meeting}', 'attendee', 'resident', 'x', 'x', 'x')"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database let frozen minutes change: {sql}");
    }
    // The organization revises after the consultation (a new version).
    let (_, _, b) = manager
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    let mut rev = serde_json::to_value(application_form(
        d["project"]["lead_user_id"].as_str().unwrap(),
        d["current"]["content"]["social_workers"][0]
            .as_str()
            .unwrap(),
        "",
    ))
    .unwrap();
    rev["budget"] = json!("食材补贴|30000\n场地改造|8000.50");
    rev["based_on"] = json!("1");
    let (st, _, b) = manager
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/projects/{project}/versions"),
            Some(rev),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}
