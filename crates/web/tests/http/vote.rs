//! The representatives' vote and paper counts.

use crate::harness::*;

#[tokio::test]
async fn representatives_vote_once_with_recusal_and_quorum_and_the_sealed_result_moves_the_application(
) {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3", "rep4"]).await;
    // A member of the applying organization who is also a representative.
    let member = t.actor("orgmember").await.user_id;
    t.app
        .assign_role(
            &officer(Role::SystemAdministrator, "3410"),
            &member,
            &app::identity::RoleForm {
                role: "representative".into(),
                area: "341002002001".into(),
                organization_id: None,
            },
            &Ctx::default(),
        )
        .await
        .unwrap();
    let community = t.login("community").await;
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/votes", None)
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["consulted"][0]["id"],
        json!(project)
    );
    let (st, _) = community
        .post(
            "/votes",
            &[
                ("community", "341002002001"),
                ("title", "2027 年度居民代表会议"),
                ("held_on", "2026-12-20"),
                ("projects", project.as_str()),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, _, b) = community
        .api(reqwest::Method::GET, "/api/v1/votes", None)
        .await;
    let list: Value = serde_json::from_str(&b).unwrap();
    let vote = list["items"][0]["id"].as_str().unwrap().to_string();
    assert!(
        list["consulted"].as_array().unwrap().is_empty(),
        "the application is now being voted on"
    );
    // The roster is the snapshot at opening: a representative added later is not on it.
    more_representatives(&t, &["late"]).await;
    let (_, _, b) = community
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    let d: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(d["meeting"]["roster_size"], 5, "{b}");
    assert_eq!(
        d["motions"][0]["recused"],
        json!([]),
        "recusal is decided at the ballot, not at opening: {b}"
    );
    let uid = |login: &'static str| {
        let t = &t;
        async move { t.actor(login).await.user_id }
    };
    let (rep, rep2, rep3) = (
        uid("representative").await,
        uid("rep2").await,
        uid("rep3").await,
    );
    let ballot = format!("/api/v1/votes/{vote}/motions/{project}/ballots");
    let representative = t.login("representative").await;
    let (st, _, b) = cast(&ballot, &representative, "yes").await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("not_present"), "{b}");
    // Two present of five: no quorum, sealing is refused and changes nothing.
    let attendance = |present: Vec<&str>| json!({ "present": present.join(",") });
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(attendance(vec![&rep, &rep2])),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let seal = format!("/api/v1/votes/{vote}/motions/{project}/seal");
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("no_quorum") && b.contains("法定人数"), "{b}");
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(attendance(vec![&rep, &rep2, &member])),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // The recused member cannot vote; an absent representative cannot either.
    let orgmember = t.login("orgmember").await;
    let (st, _, b) = cast(&ballot, &orgmember, "yes").await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(b.contains("recused") && b.contains("属申请方组织"), "{b}");
    let (_, _, b) = community
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    assert_eq!(
        json_of(&b)["motions"][0]["recused"][0][1],
        "applicant_organization",
        "the recusal is recorded with its reason: {b}"
    );
    let r3 = t.login("rep3").await;
    let (st, _, b) = cast(&ballot, &r3, "no").await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("not_present"),
        "{b}"
    );
    // The page's buttons work; a second ballot is refused.
    let (_, page) = representative.get(&format!("/votes/{vote}")).await;
    assert!(page.contains("class=\"vote-yes\""), "{page}");
    let (st, _) = representative
        .post(
            &format!("/votes/{vote}/motions/{project}/ballots"),
            &[("choice", "yes")],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, _, b) = cast(&ballot, &representative, "no").await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("already_voted"),
        "{b}"
    );
    // Eight simultaneous ballots by one representative count once.
    let r2 = t.login("rep2").await;
    let (_, _, b) = r2.api(reqwest::Method::GET, "/api/v1/work", None).await;
    assert!(
        b.contains("cast_vote"),
        "the vote waits on rep2's work list: {b}"
    );
    let results = futures_util::future::join_all((0..8).map(|_| cast(&ballot, &r2, "yes"))).await;
    let accepted = results
        .iter()
        .filter(|(st, _, _)| *st == StatusCode::NO_CONTENT)
        .count();
    assert_eq!(
        accepted,
        1,
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(results
        .iter()
        .all(|(st, _, _)| *st == StatusCode::NO_CONTENT || *st == StatusCode::CONFLICT));
    // Two entitled of a roster of five is no quorum for this motion: a late arrival joins it.
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert!(st == StatusCode::CONFLICT && b.contains("no_quorum"), "{b}");
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(attendance(vec![&rep, &rep2, &member, &rep3])),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    let (st, _, b) = cast(&ballot, &r3, "no").await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // A paper count cannot replace electronic ballots; a representative cannot seal.
    post_refused(
        &community,
        &format!("/api/v1/votes/{vote}/motions/{project}/paper"),
        json!({"yes": "2", "no": "0", "abstain": "0", "counter": "李娜"}),
        StatusCode::CONFLICT,
        "electronic_ballots",
    )
    .await;
    let (st, _, _) = representative.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let tally: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            tally["present"].as_u64(),
            tally["recused"].as_u64(),
            tally["entitled"].as_u64(),
            tally["yes"].as_u64(),
            tally["passed"].as_bool()
        ),
        (Some(4), Some(1), Some(3), Some(2), Some(true)),
        "{b}"
    );
    let (_, _, b) = community
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/projects/{project}"),
            None,
        )
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["project"]["stage"],
        "passed"
    );
    let (_, page) = community.get(&format!("/votes/{vote}")).await;
    assert!(
        page.contains("表决通过") && page.contains("同意 2"),
        "{page}"
    );
    // Sealed: no ballot, no second seal, no change in the database.
    let r4 = t.login("rep4").await;
    let (st, _, b) = cast(&ballot, &r4, "no").await;
    assert!(st == StatusCode::CONFLICT, "{b}");
    let (st, _, b) = community.api(reqwest::Method::POST, &seal, None).await;
    assert!(st == StatusCode::CONFLICT && b.contains("sealed"), "{b}");
    for sql in [
        format!("INSERT INTO vote_ballots (tenant_id, meeting_id, project_id, user_id, choice, cast_at) VALUES ('3410', '{vote}', '{project}', '{rep3}', 'no', 'x')"),
        format!("UPDATE vote_motions SET tally = NULL WHERE meeting_id = '{vote}'"),
        format!("UPDATE vote_meetings SET rules = '{{}}' WHERE id = '{vote}'"),
        format!("DELETE FROM vote_ballots WHERE meeting_id = '{vote}'"),
        format!("DELETE FROM vote_recusals WHERE meeting_id = '{vote}'"),
    ] {
        let ok = store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.is_ok());
        assert!(!ok, "the database let a sealed vote change: {sql}");
    }
}

#[tokio::test]
async fn a_paper_count_signed_by_its_counter_decides_a_motion() {
    let t = spawn_app().await;
    let project = consulted_project(&t).await;
    more_representatives(&t, &["rep2", "rep3"]).await;
    let community = t.login("community").await;
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            "/api/v1/votes",
            Some(json!({"community": "341002002001", "title": "居民代表会议", "held_on": "2026-12-20", "projects": project})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let vote = serde_json::from_str::<Value>(&b).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, b) = community
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    let roster: Vec<String> = serde_json::from_str::<Value>(&b).unwrap()["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roster.len(), 3);
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/attendance"),
            Some(json!({"present": roster.join(",")})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let paper = format!("/votes/{vote}/motions/{project}/paper");
    // More ballots than representatives entitled, or no counter's signature: refused, typed kept.
    let (st, page) = community
        .post(
            &paper,
            &[
                ("yes", "3"),
                ("no", "1"),
                ("abstain", "0"),
                ("counter", "李娜"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("超过出席且有表决权的代表人数 3") && page.contains("value=\"李娜\""),
        "{page}"
    );
    post_refused(
        &community,
        &format!("/api/v1{paper}"),
        json!({"yes": "2", "no": "1", "abstain": "0", "counter": " "}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "counter",
    )
    .await;
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1{paper}"),
            Some(json!({"yes": "2", "no": "1", "abstain": "0", "counter": "李娜"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
    // The count stays unread until sealing: only the counter's name shows.
    let (_, _, b) = community
        .api(reqwest::Method::GET, &format!("/api/v1/votes/{vote}"), None)
        .await;
    let d = json_of(&b);
    assert_eq!(d["motions"][0]["paper_counter"], "李娜", "{b}");
    assert!(
        d["motions"][0]["result"].is_null() && !b.contains("\"yes\"") && !b.contains("\"no\""),
        "an unsealed count left the server: {b}"
    );
    // Once counted on paper, nobody votes electronically and the count is not entered twice.
    let representative = t.login("representative").await;
    let (st, _, b) = cast(
        &format!("/api/v1/votes/{vote}/motions/{project}/ballots"),
        &representative,
        "no",
    )
    .await;
    assert!(
        st == StatusCode::CONFLICT && b.contains("paper_counted"),
        "{b}"
    );
    let (st, _, _) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1{paper}"),
            Some(json!({"yes": "1", "no": "2", "abstain": "0", "counter": "李娜"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _, b) = community
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/votes/{vote}/motions/{project}/seal"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let tally: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (
            tally["yes"].as_u64(),
            tally["no"].as_u64(),
            tally["passed"].as_bool()
        ),
        (Some(2), Some(1), Some(true))
    );
    let (_, page) = community.get(&format!("/votes/{vote}")).await;
    assert!(page.contains("纸质计票，计票人 李娜"), "{page}");
}
