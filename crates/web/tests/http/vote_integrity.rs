//! Issue 14: the representatives' vote cannot be bent. Each test replays a finding made through
//! the API on the code before the fix (and fails there), on whichever backend the tests run.

use crate::harness::*;

/// Opens a meeting on `project` through the API: (meeting id, user id by login).
async fn open_meeting(
    t: &TestApp,
    community: &Session,
    project: &str,
    logins: &[&'static str],
) -> (String, Vec<String>) {
    let vote = post_created(
        community,
        "/api/v1/votes",
        json!({"community": "341002002001", "title": "居民代表会议", "held_on": "2026-12-20", "projects": project}),
    )
    .await;
    let mut ids = Vec::new();
    for login in logins {
        ids.push(t.actor(login).await.user_id);
    }
    (vote, ids)
}

async fn attend(community: &Session, vote: &str, present: &[&String]) -> (StatusCode, String) {
    let list: Vec<&str> = present.iter().map(|s| s.as_str()).collect();
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(json!({ "present": list.join(",") })),
        )
        .await;
    (st, b)
}

async fn detail(s: &Session, vote: &str) -> (Value, String) {
    let (_, _, b) = s
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    (json_of(&b), b)
}

async fn stage(s: &Session, project: &str) -> Value {
    let (_, _, b) = s
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    json_of(&b)["project"]["stage"].clone()
}

/// An account of the applying organization (the demonstration one) that is also a resident
/// representative of 柏树街.
async fn member_representative(t: &TestApp, login: &'static str) {
    let form = UserForm {
        login: login.into(),
        display_name: format!("组织成员 {login}"),
        password: PASSWORD.into(),
        role: "organization_member".into(),
        area: "341002002001".into(),
        organization_id: Some(app::demo::DEMO_ORG_ID.into()),
    };
    let id = t
        .app
        .create_user(None, &form, &Ctx::default())
        .await
        .unwrap();
    representative_role(t, &id, None).await;
}

async fn representative_role(t: &TestApp, user: &str, org: Option<&str>) {
    let (role, area) = match org {
        Some(_) => ("organization_member", "341002002001"),
        None => ("representative", "341002002001"),
    };
    t.app
        .assign_role(
            &officer(Role::SystemAdministrator, "3410"),
            user,
            &app::identity::RoleForm {
                role: role.into(),
                area: area.into(),
                organization_id: org.map(str::to_string),
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn finding_1_marking_no_voters_absent_or_changing_attendance_after_sealing_bends_nothing() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3", "rep4", "rep5"]).await;
    let community = t.login("community").await;
    let logins = ["representative", "rep2", "rep3", "rep4", "rep5"];
    let (vote, ids) = open_meeting(&t, &community, &project, &logins).await;
    let all: Vec<&String> = ids.iter().collect();
    let (st, b) = attend(&community, &vote, &all).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    for (login, choice) in logins.iter().zip(["yes", "yes", "no", "no", "no"]) {
        let s = t.login(login).await;
        let (st, _, b) = cast(&ballot, &s, choice).await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{login}: {b}");
    }
    // The chair marks two "no" voters absent: the meeting records their departure, but the
    // motion's attendance was taken at its first ballot and their ballots still count.
    let (st, b) = attend(&community, &vote, &all[..3]).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let (d, b) = detail(&community, &vote).await;
    assert_eq!(d["present"], 3, "{b}");
    assert_eq!(d["motions"][0]["started"], true, "{b}");
    let seal = format!("/api/v1/votes/{vote}/motions/{project}/seal");
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let tally = json_of(&b);
    assert_eq!(
        (
            &tally["present"],
            &tally["yes"],
            &tally["no"],
            &tally["passed"]
        ),
        (&json!(5), &json!(2), &json!(3), &json!(false)),
        "the 2–3 defeat stands: {b}"
    );
    assert_eq!(stage(&community, &project).await, "rejected");
    // Every motion is sealed: attendance is refused, says why, and changes nothing.
    let (before, _) = detail(&community, &vote).await;
    let b = post_refused(
        &community,
        &format!("/api/v1/votes/{vote}/attendance"),
        json!({ "present": ids[0] }),
        StatusCode::CONFLICT,
        "meeting_sealed",
    )
    .await;
    assert!(b.contains("均已封存"), "{b}");
    let (after, b) = detail(&community, &vote).await;
    assert_eq!(before, after, "{b}");
    assert_eq!(after["present"], 3);
    assert_eq!(after["closed"], true);
    assert_eq!(after["motions"][0]["result"]["tally"]["present"], 5, "{b}");
    let (_, page) = community.get(&format!("/votes/{vote}")).await;
    assert!(
        !page.contains("attendance-form") && page.contains("出席记录已锁定"),
        "{page}"
    );
    // Each change of attendance is in the audit log with who was present before and after, and
    // which started motions keep the departed; the refused one is there as refused.
    let events =
        t.db.audit_events(&domain::identity::Scope::nation(), &Default::default(), 500)
            .await
            .unwrap();
    let changes: Vec<_> = events
        .iter()
        .filter(|e| e.record.action == "vote.attendance")
        .map(|e| &e.record)
        .collect();
    let ok: Vec<(Value, Value)> = changes
        .iter()
        .filter(|r| r.outcome == "ok")
        .map(|r| {
            let side = |v: &Option<String>| json_of(v.as_deref().unwrap_or("null"));
            (side(&r.before), side(&r.after))
        })
        .collect();
    assert_eq!(ok.len(), 2, "{changes:?}");
    let (before, after) = ok
        .iter()
        .find(|(_, a)| a["departures"].as_array().is_some_and(|d| d.len() == 2))
        .expect("the departure of two is recorded");
    assert_eq!(before["present"].as_array().map(Vec::len), Some(5));
    assert_eq!(after["present"].as_array().map(Vec::len), Some(3));
    assert_eq!(after["motions_keeping_departed"], json!([project]));
    assert!(changes.iter().any(|r| r.outcome == "failed"), "{changes:?}");
}

#[tokio::test]
async fn finding_2_no_count_of_an_open_motion_leaves_the_server() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3"]).await;
    let community = t.login("community").await;
    let logins = ["representative", "rep2", "rep3"];
    let (vote, ids) = open_meeting(&t, &community, &project, &logins).await;
    let (st, b) = attend(&community, &vote, &ids.iter().collect::<Vec<_>>()).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    for (login, choice) in [("representative", "yes"), ("rep2", "no")] {
        let s = t.login(login).await;
        assert_eq!(cast(&ballot, &s, choice).await.0, StatusCode::NO_CONTENT);
    }
    // Neither the chair, nor a voter, nor the project's page or the public reads a count.
    let rep3 = t.login("rep3").await;
    for s in [&community, &rep3] {
        let (d, b) = detail(s, &vote).await;
        let m = &d["motions"][0];
        assert!(
            m["result"].is_null() && m["tally"].is_null() && m.get("ballots_cast").is_none(),
            "{b}"
        );
        for key in [
            "\"yes\"",
            "\"no\"",
            "\"abstain\"",
            "not_voting",
            "ballots_cast",
        ] {
            assert!(!b.contains(key), "{key} of an open motion: {b}");
        }
        let (_, page) = s.get(&format!("/votes/{vote}")).await;
        assert!(
            !page.contains("已投票 ") && !page.contains("同意 1") && page.contains("表决进行中"),
            "{page}"
        );
        let (_, _, b) = s
            .api(
                reqwest::Method::GET,
                &format!("/api/v1/projects/{project}"),
                None,
            )
            .await;
        assert!(!b.contains("\"yes\"") && !b.contains("\"no\""), "{b}");
    }
    let (d, _) = detail(&rep3, &vote).await;
    assert_eq!(
        d["motions"][0]["my_ballot"],
        json!({"Ok": null}),
        "the reader's own status stays"
    );
    // Sealed: the result is announced with its counts, entitled voters and recusals.
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (d, b) = detail(&rep3, &vote).await;
    let r = &d["motions"][0]["result"];
    assert_eq!(
        (&r["tally"]["yes"], &r["tally"]["no"]),
        (&json!(1), &json!(1)),
        "{b}"
    );
    assert_eq!(
        r["entitled_voters"].as_array().map(Vec::len),
        Some(3),
        "{b}"
    );
    assert!(b.contains("居民代表 rep3"), "{b}");
    let (_, page) = rep3.get(&format!("/votes/{vote}")).await;
    assert!(
        page.contains("同意 1，不同意 1") && page.contains("有表决权的代表："),
        "{page}"
    );
}

#[tokio::test]
async fn finding_3_a_motion_without_a_quorum_of_entitled_voters_cannot_pass() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2"]).await;
    for login in ["m1", "m2", "m3"] {
        member_representative(&t, login).await;
    }
    let community = t.login("community").await;
    let logins = ["representative", "m1", "m2", "m3"];
    let (vote, ids) = open_meeting(&t, &community, &project, &logins).await;
    // Four of five present: the meeting has its quorum, but three present are recused.
    let (st, b) = attend(&community, &vote, &ids.iter().collect::<Vec<_>>()).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let (d, _) = detail(&community, &vote).await;
    assert_eq!(d["quorum_met"], true);
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    let rep = t.login("representative").await;
    assert_eq!(cast(&ballot, &rep, "yes").await.0, StatusCode::NO_CONTENT);
    let m1 = t.login("m1").await;
    let (st, _, b) = cast(&ballot, &m1, "yes").await;
    assert!(st == StatusCode::CONFLICT && b.contains("recused"), "{b}");
    let b = post_refused(
        &community,
        &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
        json!({}),
        StatusCode::CONFLICT,
        "no_quorum",
    )
    .await;
    assert!(
        b.contains("有表决权的代表 1 人") && b.contains("名册 5 人") && b.contains("过半数"),
        "{b}"
    );
    assert_eq!(
        stage(&community, &project).await,
        "voting",
        "it stays in voting"
    );
    let (d, b) = detail(&community, &vote).await;
    assert!(d["motions"][0]["sealed_at"].is_null(), "{b}");
}

#[tokio::test]
async fn finding_4_a_representative_who_joins_the_applicant_after_opening_is_recused_at_the_ballot()
{
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3", "rep4", "rep5"]).await;
    let community = t.login("community").await;
    let logins = ["representative", "rep2", "rep3", "rep4", "rep5"];
    let (vote, ids) = open_meeting(&t, &community, &project, &logins).await;
    let (st, b) = attend(&community, &vote, &ids.iter().collect::<Vec<_>>()).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // After opening, rep2 joins the applying organization.
    representative_role(&t, &ids[1], Some(app::demo::DEMO_ORG_ID)).await;
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    let rep2 = t.login("rep2").await;
    let b = post_refused(
        &rep2,
        &ballot,
        json!({"choice": "yes"}),
        StatusCode::CONFLICT,
        "recused",
    )
    .await;
    assert!(b.contains("属申请方组织"), "{b}");
    let (d, b) = detail(&community, &vote).await;
    assert_eq!(
        d["motions"][0]["recused"],
        json!([["居民代表 rep2", "applicant_organization"]]),
        "{b}"
    );
    // The organization starts employing a social worker of rep4's name: recused at the ballot too.
    store::on_pool!(&t.db, c => {
        sqlx::query("INSERT INTO social_workers (tenant_id, id, name, gender, id_cipher, id_lookup, id_masked, certificate_level, employer_org_id, area_code, created_at, updated_at) \
                     VALUES ('3410', '3410-sw-rep4', '居民代表 rep4', '', 'c', 'l', 'm', 'aide', $1, '341002002001', 'x', 'x')")
            .bind(app::demo::DEMO_ORG_ID)
            .execute(c).await.unwrap();
    });
    let rep4 = t.login("rep4").await;
    let b = post_refused(
        &rep4,
        &ballot,
        json!({"choice": "no"}),
        StatusCode::CONFLICT,
        "recused",
    )
    .await;
    assert!(b.contains("属申请方聘用的社工"), "{b}");
    for login in ["representative", "rep3"] {
        let s = t.login(login).await;
        assert_eq!(cast(&ballot, &s, "yes").await.0, StatusCode::NO_CONTENT);
    }
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let tally = json_of(&b);
    assert_eq!(
        (&tally["recused"], &tally["entitled"], &tally["yes"]),
        (&json!(2), &json!(3), &json!(2))
    );
    let (d, b) = detail(&community, &vote).await;
    assert_eq!(
        d["motions"][0]["result"]["recusals"],
        json!([
            ["居民代表 rep2", "applicant_organization"],
            ["居民代表 rep4", "employed_social_worker"]
        ]),
        "{b}"
    );
}

#[tokio::test]
async fn the_database_itself_refuses_what_would_bend_the_vote() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3", "rep4"]).await;
    let community = t.login("community").await;
    let logins = ["representative", "rep2", "rep3", "rep4"];
    let (vote, ids) = open_meeting(&t, &community, &project, &logins).await;
    let (st, b) = attend(&community, &vote, &ids[..3].iter().collect::<Vec<_>>()).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    let rep = t.login("representative").await;
    assert_eq!(cast(&ballot, &rep, "yes").await.0, StatusCode::NO_CONTENT);
    let exec = |sql: String| {
        let db = t.db.clone();
        async move {
            store::on_pool!(&db, c => sqlx::query(&sql).execute(c).await.map(|_| ()).map_err(|e| e.to_string()))
        }
    };
    let (r0, r3) = (&ids[0], &ids[3]);
    let m = format!("tenant_id = '3410' AND meeting_id = '{vote}'");
    for sql in [
        // Changing a motion's attendance after its first ballot.
        format!("DELETE FROM vote_motion_attendance WHERE {m}"),
        format!("UPDATE vote_motion_attendance SET since = 'x' WHERE {m}"),
        // Removing or rewriting attendance.
        format!("DELETE FROM vote_attendance WHERE {m}"),
        format!("UPDATE vote_attendance SET present = FALSE WHERE {m}"),
        format!("UPDATE vote_roster SET display_name = 'x' WHERE {m}"),
        // A ballot from someone not present for the motion.
        format!("INSERT INTO vote_ballots (tenant_id, meeting_id, project_id, user_id, choice, cast_at) VALUES ('3410', '{vote}', '{project}', '{r3}', 'no', 'x')"),
        // Putting an absent person into the motion's attendance.
        format!("INSERT INTO vote_motion_attendance (tenant_id, meeting_id, project_id, user_id, since) VALUES ('3410', '{vote}', '{project}', '{r3}', 'x')"),
        // Recusing someone whose ballot is cast (the ballot would stop counting).
        format!("INSERT INTO vote_recusals (tenant_id, meeting_id, project_id, user_id, reason, recorded_at) VALUES ('3410', '{vote}', '{project}', '{r0}', 'project_lead', 'x')"),
    ] {
        let r = exec(sql.clone()).await;
        assert!(r.is_err(), "the database let the vote bend: {sql}");
    }
    // An arrival appended to the log is allowed; it is still not a place in the started motion
    // until the app appends it, so a ballot written behind the app's back is refused.
    exec(format!("INSERT INTO vote_attendance (tenant_id, meeting_id, seq, user_id, present, recorded_by, recorded_at) VALUES ('3410', '{vote}', 1000, '{r3}', TRUE, 'sql', 'x')")).await.unwrap();
    let r = exec(format!("INSERT INTO vote_ballots (tenant_id, meeting_id, project_id, user_id, choice, cast_at) VALUES ('3410', '{vote}', '{project}', '{r3}', 'no', 'x')")).await;
    assert!(
        r.is_err(),
        "a ballot from someone not present for the motion"
    );
    // After sealing, nothing about the meeting's attendance changes.
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    for sql in [
        format!("INSERT INTO vote_attendance (tenant_id, meeting_id, seq, user_id, present, recorded_by, recorded_at) VALUES ('3410', '{vote}', 1001, '{r3}', FALSE, 'sql', 'x')"),
        format!("INSERT INTO vote_motion_attendance (tenant_id, meeting_id, project_id, user_id, since) VALUES ('3410', '{vote}', '{project}', '{r3}', 'x')"),
        format!("INSERT INTO vote_recusals (tenant_id, meeting_id, project_id, user_id, reason, recorded_at) VALUES ('3410', '{vote}', '{project}', '{r3}', 'project_lead', 'x')"),
    ] {
        let r = exec(sql.clone()).await;
        assert!(r.is_err(), "the database let a sealed meeting change: {sql}");
    }
    let r = exec(format!("INSERT INTO vote_attendance (tenant_id, meeting_id, seq, user_id, present, recorded_by, recorded_at) VALUES ('3410', '{vote}', 1002, '{r3}', FALSE, 'sql', 'x')")).await;
    assert!(r.unwrap_err().contains("meeting_sealed"));
}

/// Finding 5, for the vote: the township that will buy the applications neither opens the
/// representatives' meeting, nor records its attendance, nor seals a motion; the community
/// committee does. Each refusal names why, changes nothing and is audited.
#[tokio::test]
async fn finding_5_the_purchaser_does_not_chair_the_representatives_meeting() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    let township = t.login("township").await;
    post_refused(
        &township,
        "/api/v1/votes",
        json!({"community": "341002002001", "title": "居民代表会议", "held_on": "2026-12-20", "projects": project}),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    assert_eq!(stage(&township, &project).await, "consulted");
    let community = t.login("community").await;
    let (vote, ids) = open_meeting(&t, &community, &project, &["representative"]).await;
    post_refused(
        &township,
        &format!("/api/v1/votes/{vote}/attendance"),
        json!({ "present": ids.join(",") }),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    let (d, b) = detail(&community, &vote).await;
    assert_eq!(d["present"], 0, "{b}");
    let (st, b) = attend(&community, &vote, &ids.iter().collect::<Vec<_>>()).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    post_refused(
        &township,
        &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
        json!({}),
        StatusCode::FORBIDDEN,
        "purchaser_conflict",
    )
    .await;
    assert_eq!(stage(&community, &project).await, "voting");
    let (d, _) = detail(&township, &vote).await;
    assert_eq!(d["can_chair"], false);
    let events =
        t.db.audit_events(&domain::identity::Scope::nation(), &Default::default(), 500)
            .await
            .unwrap();
    let refused = events
        .iter()
        .filter(|e| e.record.action.starts_with("vote.") && e.record.outcome == "denied")
        .count();
    assert_eq!(refused, 3, "each refusal is audited");
}
