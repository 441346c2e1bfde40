//! The public site.

use crate::harness::*;

#[tokio::test]
async fn the_public_site_shows_the_demonstration_without_any_personal_data() {
    let t = spawn_app().await;
    t.app.seed_demo_ledger().await.unwrap();
    // Everyone personal the demonstration knows: accounts, volunteers, social workers.
    let mut names: Vec<String> = Vec::new();
    for (u, _) in
        t.db.users_in_scope(&Scope::nation(), None, None, 1000)
            .await
            .unwrap()
    {
        names.push(u.display_name.clone());
        if let Some((_, given)) = u.display_name.split_once(' ') {
            names.push(given.to_string());
        }
    }
    for v in
        t.db.volunteers(&Scope::nation(), None, None, 10_000)
            .await
            .unwrap()
    {
        names.push(v.volunteer.name.clone());
    }
    let today = today_text();
    for w in
        t.db.social_workers(&Scope::nation(), &today, None, None, 10_000)
            .await
            .unwrap()
    {
        names.push(w.name.clone());
    }
    names.retain(|n| n.chars().count() >= 2);
    names.sort();
    names.dedup();
    assert!(names.len() > 10, "{names:?}");
    assert!(
        names.iter().any(|n| n == "郑阿姨"),
        "the demonstration resident is among them"
    );
    assert_eq!(
        personal_numbers("身份证 11010519491231002X 电话 13912345678 区划 341002002001 金额 36000"),
        ["11010519491231002X", "13912345678"],
        "the scan finds what it looks for"
    );
    assert!(
        personal_numbers("/public/calls/3410-01a2c16913582552f7e8").is_empty(),
        "digits inside an id are not a phone number"
    );
    // Crawl every public page of Huangshan without logging in.
    let c = client();
    let mut queue = vec!["/public".to_string(), "/public/areas/3410".to_string()];
    let mut seen = std::collections::HashSet::new();
    let (mut pages, mut projects, mut calls) = (0, 0, Vec::new());
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let r = c.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let page = r.text().await.unwrap();
        pages += 1;
        projects += usize::from(path.starts_with("/public/projects/"));
        if let Some(id) = path.strip_prefix("/public/calls/") {
            calls.push(id.to_string());
        }
        let numbers = personal_numbers(&page);
        assert!(numbers.is_empty(), "{path} shows {numbers:?}");
        for n in &names {
            assert!(!page.contains(n.as_str()), "{path} shows the name {n}");
        }
        for link in page
            .split("href=\"")
            .skip(1)
            .filter_map(|x| x.split('"').next())
        {
            // Huangshan's pages and the projects; the rest of the country has no demonstration.
            if link.starts_with("/public/areas/3410")
                || link.starts_with("/public/projects/")
                || link.starts_with("/public/calls/")
            {
                queue.push(link.to_string());
            }
        }
    }
    assert!(pages > 800, "crawled {pages} pages");
    assert!(
        projects >= 16,
        "every demonstration project has a public page ({projects})"
    );
    // The city's whole package, streamed: every call once and every project not awarded by a
    // call once, with the bids extension listed.
    let r = c
        .get(format!("{}/api/v1/public/ocds/3410", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pkg: Value = r.json().await.unwrap();
    let releases = pkg["releases"].as_array().unwrap();
    let call_releases = releases.iter().filter(|r| r.get("bids").is_some()).count();
    assert_eq!(call_releases, 4);
    let projects_in_db =
        t.db.projects(&Scope::nation(), None, None, None, 1000)
            .await
            .unwrap();
    // Drafts are not exported (issue 16); the demonstration has one.
    let own = projects_in_db
        .iter()
        .filter(|p| p.call_id.is_none() && p.stage != domain::chain::stage::Stage::Draft)
        .count();
    assert!(projects_in_db
        .iter()
        .any(|p| p.stage == domain::chain::stage::Stage::Draft));
    assert_eq!(releases.len(), own + 4, "{} releases", releases.len());
    let mut ocids: Vec<&str> = releases
        .iter()
        .map(|r| r["ocid"].as_str().unwrap())
        .collect();
    ocids.sort();
    ocids.dedup();
    assert_eq!(ocids.len(), releases.len(), "one release per process");
    assert_eq!(pkg["extensions"][0], app::ocds::BIDS_EXTENSION);
    let r = c
        .get(format!("{}/api/v1/public/ocds/abc", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The four demonstration calls, each in its own stage, and their public results.
    calls.sort();
    assert_eq!(calls.len(), 4, "{calls:?}");
    let mut stages = Vec::new();
    for id in &calls {
        let v: Value = c
            .get(format!("{}/api/v1/public/calls/{id}", t.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stages.push(v["call"]["stage"].as_str().unwrap().to_string());
        assert!(
            v["applications"].as_array().unwrap().is_empty(),
            "applications stay private"
        );
        assert!(
            v["panel"].as_array().unwrap().is_empty(),
            "members' names stay private"
        );
        if v["call"]["stage"] == "awarded" {
            assert_eq!(v["ranking"].as_array().unwrap().len(), 3, "{v}");
            assert_eq!(v["awards"].as_array().unwrap().len(), 2, "{v}");
            let pkg: Value = c
                .get(format!("{}/api/v1/public/ocds/calls/{id}", t.base))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let r = &pkg["releases"][0];
            assert_eq!(r["bids"]["details"].as_array().unwrap().len(), 3, "{r}");
            assert_eq!(
                r["bids"]["details"][0]["documents"][0]["documentType"],
                "evaluationReports"
            );
            assert_eq!(
                r["awards"][0]["relatedBid"],
                v["ranking"][0]["application_id"]
            );
            assert_eq!(
                r["contracts"].as_array().unwrap().len(),
                1,
                "the first award is contracted"
            );
            assert_eq!(r["tender"]["status"], "complete");
        }
    }
    stages.sort();
    assert_eq!(stages, ["awarded", "open", "reviewing", "sealed"]);
    // The community page shows what the public should see.
    let (_, page) = (
        (),
        c.get(format!("{}/public/areas/341002002001", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("表决通过")
            && page.contains("验收通过")
            && page.contains("柏树街社区邻里守望互助会"),
        "{page}"
    );
    let api: Value = c
        .get(format!("{}/api/v1/public/areas/341002002001", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(api["projects"].as_array().unwrap().len() >= 16);
    // Open contracting data of the same projects (validated by libcoveocds in CI).
    let closed = api["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["stage"] == "closed")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let one: Value = c
        .get(format!("{}/api/v1/public/ocds/projects/{closed}", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = &one["releases"][0];
    assert_eq!(r["ocid"], format!("ocds-sanshe-{closed}"));
    assert_eq!(
        r["tag"],
        json!(["planning", "tender", "award", "contract", "implementation"]),
        "the fund it draws on is its budget (issue 16)"
    );
    assert_eq!(
        r["awards"][0]["value"],
        json!({"amount": 25000.0, "currency": "CNY"})
    );
    let k = &r["contracts"][0];
    let milestones = k["milestones"].as_array().unwrap();
    assert_eq!(milestones.len(), 4, "three tranches and the review");
    assert!(milestones[..3]
        .iter()
        .all(|m| m["type"] == "payment" && m["status"] == "met"));
    assert_eq!(
        (&milestones[3]["type"], &milestones[3]["status"]),
        (&json!("assessment"), &json!("met")),
        "the closed project's review accepted it"
    );
    assert!(milestones[3]["description"]
        .as_str()
        .unwrap()
        .starts_with("评议结论：验收通过"));
    assert_eq!(
        k["implementation"]["transactions"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let roles: Vec<&Value> = r["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["roles"])
        .collect();
    assert_eq!(
        roles,
        [
            &json!(["buyer", "procuringEntity", "payer"]),
            &json!(["tenderer", "supplier", "payee"])
        ]
    );
    let package = c
        .get(format!("{}/api/v1/public/ocds/341002002001", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let parsed: Value = serde_json::from_str(&package).unwrap();
    assert_eq!(parsed["version"], "1.1");
    assert!(parsed["releases"].as_array().unwrap().len() >= 16);
    assert!(personal_numbers(&package).is_empty());
    for n in &names {
        assert!(
            !package.contains(n.as_str()),
            "the OCDS package shows the name {n}"
        );
    }
}

/// A public list that shows only its first rows says so (issue 15: nothing cut off silently).
#[tokio::test]
async fn a_public_list_that_is_cut_says_so() {
    let t = spawn_app().await;
    let c = client();
    let page = |c: &reqwest::Client| {
        let url = format!("{}/public/areas/341002002002", t.base);
        let c = c.clone();
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(!page(&c).await.contains("public-cut"));
    let resident = officer(Role::Resident, "341002002002");
    for i in 0..51 {
        let form = domain::chain::need::NeedForm {
            community: "341002002002".into(),
            priority_group: "special_elderly".into(),
            channel: "online".into(),
            title: format!("公开页截断测试需求{i}"),
            description: "公开页只显示前 50 条时须说明。".into(),
        };
        t.app
            .raise_need(&resident, &form, &Ctx::default())
            .await
            .unwrap();
    }
    let body = page(&c).await;
    assert!(body.contains("征集中的居民需求仅显示前 50 条"), "{body}");
    let v: Value = serde_json::from_str(
        &c.get(format!("{}/api/v1/public/areas/341002002002", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(v["needs"].as_array().unwrap().len(), 50);
    assert_eq!(v["cut"][0], "征集中的居民需求仅显示前 50 条");
}
