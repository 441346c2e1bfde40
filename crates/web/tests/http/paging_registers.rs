//! Nothing cut off silently (issue 15): every register's and the chain's list APIs page by keyset to the end with a
//! total, and its page shows 共 N 条 and a 下一页 link. 1,200 rows of each list are copied from
//! a row the reader already sees (so they fall in the same territory) in one statement each.

use crate::harness::*;
use std::collections::HashSet;

const SEEDED: usize = 1200;

/// Every id of a list API, walked page by page with `after`; each page but the last is full,
/// and every page states the same total.
async fn walk_api(s: &Session, path: &str, limit: usize) -> (Vec<String>, i64) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit={limit}");
    let mut ids = Vec::new();
    let mut total = None;
    loop {
        let (st, _, body) = s.api(reqwest::Method::GET, &url, None).await;
        assert_eq!(st, StatusCode::OK, "{url}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let items = v["items"].as_array().unwrap();
        let t = v["total"].as_i64().unwrap();
        assert_eq!(
            *total.get_or_insert(t),
            t,
            "{path}: the total moved between pages"
        );
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match v["next_after"].as_str() {
            Some(after) => {
                assert_eq!(items.len(), limit, "{path}: a page that goes on is full");
                url = format!(
                    "{path}{sep}limit={limit}&after={}",
                    web::error::urlencode(after)
                );
            }
            None => break,
        }
    }
    (ids, total.unwrap_or(0))
}

/// Copies the row `id` of `table` 1,200 times with fresh ids (and the columns in `fresh`
/// made unique by the row number `n.i`).
async fn copy_rows(t: &TestApp, table: &str, id: &str, fresh: &[(&str, &str)]) {
    let cols: Vec<String> = store::on_pool!(&t.db, c => {
        let sql = match &t.db {
            Db::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{table}')"),
            Db::Postgres(_) => format!(
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema()"
            ),
        };
        sqlx::query_scalar::<_, String>(&sql).fetch_all(c).await.unwrap()
    });
    let select: Vec<String> = cols
        .iter()
        .map(|c| match (c.as_str(), fresh.iter().find(|(f, _)| f == c)) {
            (_, Some((_, expr))) => expr.to_string(),
            ("id", None) => "x.id || '-pg' || (100000 + n.i)".to_string(),
            (c, None) => format!("x.{c}"),
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({cols}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {SEEDED}) \
         SELECT {select} FROM n, {table} x WHERE x.id = '{id}'",
        cols = cols.join(", "),
        select = select.join(", ")
    );
    let n =
        store::on_pool!(&t.db, c => sqlx::query(&sql).execute(c).await.unwrap().rows_affected());
    assert_eq!(n, SEEDED as u64, "{table}");
}

/// Seeds 1,200 rows into the list behind `path` (copies of the first row the reader sees) and
/// walks the API to the end: the total is what the reader saw before plus 1,200, every id once.
async fn seed_and_walk(t: &TestApp, s: &Session, path: &str, table: &str, fresh: &[(&str, &str)]) {
    let (before, before_total) = walk_api(s, path, 200).await;
    assert_eq!(
        before_total,
        before.len() as i64,
        "{path}: the total before"
    );
    let template = before
        .first()
        .unwrap_or_else(|| panic!("{path}: no row to copy"));
    copy_rows(t, table, template, fresh).await;
    let (ids, total) = walk_api(s, path, 200).await;
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{path}: a row came twice");
    assert_eq!(ids.len(), before.len() + SEEDED, "{path}: rows lost");
    assert_eq!(total, ids.len() as i64, "{path}: the total");
    assert!(
        before.iter().all(|b| unique.contains(b)),
        "{path}: an old row lost"
    );
}

/// Walks a register's HTML pages by their 下一页 links: every page shows the total, and the
/// rows (links to `row_prefix…`) add up to it without repeats.
async fn walk_html(s: &Session, path: &str, row_prefix: &str, expected: i64) {
    let mut url = path.to_string();
    let mut seen = HashSet::new();
    let mut pages = 0;
    loop {
        let (st, html) = s.get(&url).await;
        assert_eq!(st, StatusCode::OK, "{url}");
        assert!(
            html.contains(&format!("共 <span class=\"total\">{expected}</span> 条")),
            "{url}: the total shown"
        );
        let mut rest = html.as_str();
        let needle = format!("href=\"{row_prefix}");
        while let Some(i) = rest.find(&needle) {
            rest = &rest[i + needle.len()..];
            let id: String = rest.chars().take_while(|c| *c != '"').collect();
            // Record ids are long (a UUID, after the tenant); other links (import, new) are not rows.
            if id.len() >= 16 && !id.contains(['/', '?']) {
                assert!(seen.insert(id.clone()), "{url}: {id} twice");
            }
        }
        pages += 1;
        match html.split_once("id=\"next-page\" rel=\"next\"") {
            Some(_) => {
                let start = html.find("class=\"next-page\"").unwrap();
                let head = &html[..start];
                let href = head.rsplit_once("href=\"").unwrap().1;
                let href = href.split('"').next().unwrap();
                url = href.replace("&amp;", "&");
            }
            None => break,
        }
        assert!(pages < 100, "{path}: no end");
    }
    assert_eq!(seen.len() as i64, expected, "{path}: the rows of all pages");
}

#[tokio::test]
async fn every_register_pages_to_the_end_with_its_total() {
    let t = spawn_app().await;
    t.app.seed_demo_ledger().await.unwrap();
    let city = t.login("city").await;
    let admin = t.login("admin").await;
    let g = |c: &str| format!("'{c}' || (100000 + n.i)");
    // Registers of the city.
    seed_and_walk(
        &t,
        &city,
        "/api/v1/platforms",
        "platforms",
        &[("name", &g("分页平台")), ("kind", "'academy'")],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/social-workers",
        "social_workers",
        &[
            ("name", &g("分页社工")),
            ("id_lookup", &g("pg-lookup-")),
            ("certificate_number", "NULL"),
        ],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/talents",
        "talents",
        &[("name", &g("分页人才"))],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/volunteers",
        "volunteers",
        &[("name", &g("分页志愿者")), ("user_id", "NULL")],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/organizations",
        "organizations",
        &[
            ("name", &g("分页社会组织")),
            ("uscc", "NULL"),
            ("registration_status", "'filed'"),
            ("legal_form", "NULL"),
        ],
    )
    .await;
    // The chain's lists.
    seed_and_walk(
        &t,
        &city,
        "/api/v1/catalogue",
        "catalogue_items",
        &[("name", &g("分页服务项目"))],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/funds",
        "funds",
        // A fund starts with its budget (the database refuses any other balance).
        &[
            ("name", &g("分页资金")),
            ("balance_fen", "x.budget_fen"),
            ("last_movement_id", "NULL"),
        ],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/consultations",
        "consultations",
        &[("title", &g("分页恳谈会"))],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/votes",
        "vote_meetings",
        &[("title", &g("分页代表会议"))],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/calls",
        "calls",
        &[("title", &g("分页征集"))],
    )
    .await;
    seed_and_walk(
        &t,
        &city,
        "/api/v1/projects",
        "projects",
        &[("title", &g("分页项目")), ("eligibility_id", "NULL")],
    )
    .await;
    // Accounts, with the search.
    seed_and_walk(
        &t,
        &admin,
        "/api/v1/users",
        "users",
        &[("login", &g("pg")), ("display_name", &g("分页用户"))],
    )
    .await;
    let (found, n) = walk_api(
        &admin,
        "/api/v1/users?q=%E5%88%86%E9%A1%B5%E7%94%A8%E6%88%B7",
        200,
    )
    .await;
    assert_eq!(
        (found.len(), n),
        (SEEDED, SEEDED as i64),
        "the search keeps its filter across pages"
    );

    // The pages: the total shown, and the 下一页 link followed to the end.
    for (path, api, prefix) in [
        ("/platforms", "/api/v1/platforms", "/platforms/"),
        (
            "/social-workers",
            "/api/v1/social-workers",
            "/social-workers/",
        ),
        ("/funds", "/api/v1/funds", ""),
    ] {
        let (_, total) = walk_api(&city, api, 200).await;
        if prefix.is_empty() {
            let (st, html) = city.get(path).await;
            assert_eq!(st, StatusCode::OK);
            assert!(
                html.contains(&format!("共 <span class=\"total\">{total}</span> 条")),
                "{path}"
            );
            assert!(html.contains("id=\"next-page\""), "{path}: a next page");
        } else {
            walk_html(&city, path, prefix, total).await;
        }
    }
    let (_, total) = walk_api(&admin, "/api/v1/users?q=%E5%88%86%E9%A1%B5", 200).await;
    walk_html(
        &admin,
        "/admin/users?q=%E5%88%86%E9%A1%B5",
        "/admin/users/",
        total,
    )
    .await;

    // The audit log states its total too (it grows while one reads it: at least the page).
    let (st, _, body) = admin.api(reqwest::Method::GET, "/api/v1/audit", None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["total"].as_i64().unwrap() >= v["items"].as_array().unwrap().len() as i64);
    let (_, html) = admin.get("/audit").await;
    assert!(
        html.contains("共 <span class=\"total\">"),
        "the audit page's total"
    );

    // A cursor that is no cursor is a field error, not an empty page.
    let (st, _, body) = city
        .api(reqwest::Method::GET, "/api/v1/funds?after=x", None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("after"), "{body}");
}
