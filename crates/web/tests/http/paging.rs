//! Long lists come a page at a time, in a stable order, with nothing lost or repeated between
//! pages: the needs board (keyset in the board's ranking) and a volunteer's records.

use crate::harness::*;

fn resident_of(area: &str) -> domain::Actor {
    officer(Role::Resident, area)
}

#[tokio::test]
async fn the_needs_board_pages_in_rank_order_without_loss_or_repeat() {
    let t = spawn_app().await;
    let community = "341002002001";
    let ctx = Ctx::default();
    // 70 more needs, some supported by a neighbour, some concerning all residents.
    for i in 0..70 {
        let form = domain::chain::need::NeedForm {
            community: community.into(),
            priority_group: if i % 7 == 0 {
                "all_residents"
            } else {
                "special_elderly"
            }
            .into(),
            channel: "online".into(),
            title: format!("分页需求{i}"),
            description: "分页测试：居民提出的服务需求。".into(),
        };
        let id = t
            .app
            .raise_need(&resident_of(community), &form, &ctx)
            .await
            .unwrap();
        if i % 5 == 0 {
            let mut neighbour = resident_of(community);
            neighbour.user_id = format!("neighbour{i}");
            t.app.support_need(&neighbour, &id, &ctx).await.unwrap();
        }
    }
    let s = t.login("community").await;
    let mut seen: Vec<Value> = Vec::new();
    let mut path = format!("/api/v1/needs?community={community}");
    let mut pages = 0;
    let mut totals = Vec::new();
    loop {
        let (st, _, body) = s.api(reqwest::Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 50);
        totals.push(v["total"].as_i64().unwrap());
        seen.extend(items.iter().cloned());
        pages += 1;
        match v["next_after"].as_str() {
            Some(after) => {
                assert_eq!(items.len(), 50, "a page that goes on is full");
                path = format!(
                    "/api/v1/needs?community={community}&after={}",
                    web::error::urlencode(after)
                );
            }
            None => break,
        }
    }
    assert!(pages >= 2);
    assert!(
        totals.iter().all(|t| *t == seen.len() as i64),
        "every page states the board's total: {totals:?} for {}",
        seen.len()
    );
    let ids: Vec<&str> = seen.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let unique: std::collections::HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no need twice");
    let total =
        t.db.count_needs(
            &domain::identity::Scope::new([AreaCode::parse(community).unwrap()]),
            &Default::default(),
        )
        .await
        .unwrap();
    let open = seen.len() as i64;
    assert!(open >= 70 && open <= total, "{open} of {total}");
    // The pages, put together, are the board in the domain's order.
    let mut facts: Vec<domain::chain::need::NeedFacts> = seen
        .iter()
        .map(|n| domain::chain::need::NeedFacts {
            id: n["id"].as_str().unwrap().into(),
            community: AreaCode::parse(community).unwrap(),
            status: domain::chain::need::NeedStatus::Open,
            priority_group: domain::chain::need::PriorityGroup::parse(
                n["priority_group"].as_str().unwrap(),
            )
            .unwrap(),
            supporters: n["supporters"].as_u64().unwrap(),
            created_at: n["created_at"].as_str().unwrap().into(),
        })
        .collect();
    let order: Vec<String> = facts.iter().map(|f| f.id.clone()).collect();
    domain::chain::need::rank(&mut facts);
    let ranked: Vec<String> = facts.iter().map(|f| f.id.clone()).collect();
    assert_eq!(order, ranked);
    // The page shows a link to the next page, which keeps the filters.
    let (st, html) = s.get(&format!("/needs?community={community}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"needs-more\""), "no next-page link");
    assert!(html.contains("community=341002002001&amp;after="));
}

#[tokio::test]
async fn a_volunteer_s_records_page_from_the_newest() {
    let t = spawn_app().await;
    let unit = officer(Role::CommunityOfficer, "341002002001");
    let ctx = Ctx::default();
    let v = t
        .app
        .register_volunteer(
            &unit,
            &domain::volunteer::VolunteerForm {
                name: "分页志愿者".into(),
                gender: String::new(),
                area: "341002002001".into(),
                skills: String::new(),
                consent: Some("on".into()),
                ..Default::default()
            },
            &ctx,
        )
        .await
        .unwrap();
    for i in 0..57 {
        let day = (app::kernel::today() - chrono::Duration::days(i % 9))
            .format("%Y-%m-%d")
            .to_string();
        let mut form = service_form(&day, "1");
        form.activity_name = format!("服务{i}");
        t.app.record_service(&unit, &v, &form, &ctx).await.unwrap();
    }
    let s = t.login("community").await;
    let mut all = Vec::new();
    let mut path = format!("/api/v1/volunteers/{v}");
    loop {
        let (st, _, body) = s.api(reqwest::Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let d: Value = serde_json::from_str(&body).unwrap();
        let recs = d["records"].as_array().unwrap().clone();
        all.extend(recs);
        match d["next_before"].as_str() {
            Some(b) => path = format!("/api/v1/volunteers/{v}?before={}", web::error::urlencode(b)),
            None => break,
        }
    }
    assert_eq!(all.len(), 57);
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|r| {
            (
                r["activity_date"].as_str().unwrap().into(),
                r["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "newest first across pages");
    let (_, html) = s.get(&format!("/volunteers/{v}")).await;
    assert!(html.contains("id=\"records-more\""));
}
