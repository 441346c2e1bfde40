//! The binary as an operator runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

async fn db_url() -> String {
    store::testing::fresh_db().await.unwrap().1
}

fn sanshe(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sanshe"))
        .args(args)
        .env("SANSHE_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env("SANSHE_PII_KEY", "ab".repeat(32))
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_bad_import_file_is_named_with_its_line_and_nothing_is_applied() {
    let url = db_url().await;
    let dir = std::env::temp_dir().join(format!("sanshe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fx = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/fixtures/huangshan");
    for f in [
        "provinces.csv",
        "cities.csv",
        "areas.csv",
        "streets.csv",
        "villages.csv",
    ] {
        std::fs::copy(format!("{fx}/{f}"), dir.join(f)).unwrap();
    }
    let v = std::fs::read_to_string(dir.join("villages.csv")).unwrap();
    std::fs::write(
        dir.join("villages.csv"),
        v.replacen("341002001001,", "3410020010011,", 1),
    )
    .unwrap();
    let out = sanshe(&url, &["areas", "import", "--from", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("villages.csv:2"), "{err}");
    assert!(err.contains("未写入任何数据"), "{err}");
    // Fixed, it imports; and the audit chain verifies.
    std::fs::write(dir.join("villages.csv"), v).unwrap();
    let out = sanshe(&url, &["areas", "import", "--from", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 882 rows"));
    let out = sanshe(&url, &["audit", "verify"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("OK"),
        "{out:?}"
    );
}

#[tokio::test]
async fn user_create_reports_field_errors_and_creates_a_valid_account() {
    let url = db_url().await;
    sanshe(&url, &["demo"]);
    let out = sanshe(
        &url,
        &[
            "user",
            "create",
            "--login",
            "ops",
            "--name",
            "运维",
            "--role",
            "system_administrator",
            "--area",
            "3410",
            "--password",
            "short",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("密码至少 8 位"));
    let out = sanshe(
        &url,
        &[
            "user",
            "create",
            "--login",
            "ops",
            "--name",
            "运维",
            "--role",
            "system_administrator",
            "--area",
            "3410",
            "--password",
            "Operator2026",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A production start never creates a known password (issue 15): `serve` on an empty database
/// without `--demo` makes no account and says how to create the first administrator; the
/// operator's generated password is shown once and must be changed at the first sign-in.
#[tokio::test]
async fn a_first_start_creates_no_known_password_and_the_first_administrator_is_made_by_the_operator(
) {
    use std::io::{BufRead, BufReader};
    let url = db_url().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sanshe"))
        .arg("serve")
        .env("SANSHE_DATABASE_URL", &url)
        .env("SANSHE_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .env("SANSHE_PII_KEY", "ab".repeat(32))
        .env_remove("SANSHE_DEMO")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.starts_with("sanshe listening") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(said.contains("还没有任何账号"), "{said}");
    assert!(said.contains("--generate-password"), "{said}");
    assert!(
        !said.contains("Sanshe2026"),
        "the demo password was printed: {said}"
    );
    let db = store::Db::connect(&url, 2).await.unwrap();
    assert_eq!(
        db.user_count().await.unwrap(),
        0,
        "serve created an account"
    );
    assert!(db.user_by_login("admin").await.unwrap().is_none());

    let out = sanshe(
        &url,
        &[
            "user",
            "create",
            "--login",
            "root",
            "--name",
            "管理员",
            "--role",
            "system_administrator",
            "--area",
            "000000000000",
            "--generate-password",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("首次登录须修改"), "{text}");
    let root = db.user_by_login("root").await.unwrap().unwrap();
    assert!(root.must_change_password);
    // An operator who typed the password keeps it.
    let out = sanshe(
        &url,
        &[
            "user",
            "create",
            "--login",
            "ops",
            "--name",
            "运维",
            "--role",
            "system_administrator",
            "--area",
            "000000000000",
            "--password",
            "Operator2026",
        ],
    );
    assert!(out.status.success());
    assert!(
        !db.user_by_login("ops")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
}

/// The open-contracting export as a consumer runs it (issue 16, finding 9): a call whose terms
/// name a registered volunteer and carry a mobile and an identity number is exported with them
/// masked, and `--since` exports only the releases dated after it.
#[tokio::test]
async fn export_ocds_masks_typed_personal_data_and_since_exports_only_what_changed() {
    let (db, url) = store::testing::fresh_db().await.unwrap();
    assert!(sanshe(&url, &["demo"]).status.success());
    let scope = domain::identity::Scope::new([domain::AreaCode::parse("3410").unwrap()]);
    let v = db
        .volunteers(&scope, None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.volunteer.name.chars().count() >= 2 && v.volunteer.area.as_str().len() == 12)
        .expect("the demonstration has volunteers in communities");
    let (name, community) = (v.volunteer.name.clone(), v.volunteer.area.clone());
    let town = community.parent().unwrap();
    let now = store::time::now();
    let mut tx = db.begin().await.unwrap();
    tx.insert_fund(
        "3410",
        "3410-fund-cli",
        &domain::chain::purchase::Fund {
            area: town.clone(),
            name: "微创投资金".into(),
            source: domain::chain::money::FundSource::Community,
            year: 2027,
            budget_fen: domain::chain::money::Money::from_fen(10_000_000).unwrap(),
        },
        "test",
        &now,
    )
    .await
    .unwrap();
    let form = domain::chain::call::CallForm {
        kind: "micro".into(),
        area: community.as_str().into(),
        fund_id: "3410-fund-cli".into(),
        theme: "邻里互助微创投".into(),
        requirements: format!("联系{name}，电话13812345678，身份证11010519491231002X"),
        pool: "20000".into(),
        ceiling: "5000".into(),
        opens_on: "2026-01-01".into(),
        closes_on: "2099-12-31".into(),
        rubric: "方案 60\n团队 40".into(),
        min_panel: "3".into(),
        ..Default::default()
    };
    tx.insert_call(
        "3410",
        "3410-call-cli",
        &form.validate().unwrap(),
        "test",
        &now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let out = sanshe(&url, &["export", "ocds", "--area", "3410"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for s in [name.as_str(), "13812345678", "11010519491231002X"] {
        assert!(!text.contains(s), "the export shows {s}");
    }
    assert!(text.contains("138****5678") && text.contains("110***********002X"));
    let pkg: serde_json::Value = serde_json::from_str(&text).unwrap();
    let releases = pkg["releases"].as_array().unwrap();
    let call = releases
        .iter()
        .find(|r| r["ocid"] == "ocds-sanshe-3410-call-cli")
        .unwrap();
    assert_eq!(call["buyer"]["id"], format!("CN-AREA-{}", town.full()));
    let latest = releases
        .iter()
        .filter_map(|r| r["date"].as_str())
        .max()
        .unwrap()
        .to_string();
    // Exported twice, the same ids (an idempotent export).
    let again = sanshe(&url, &["export", "ocds", "--area", "3410"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let ids = |p: &serde_json::Value| -> Vec<String> {
        p["releases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&pkg), ids(&again));
    // After the latest date nothing; after the first day of 2000 everything.
    let out = sanshe(
        &url,
        &["export", "ocds", "--area", "3410", "--since", &latest],
    );
    let none: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(none["releases"].as_array().unwrap().len(), 0);
    let out = sanshe(
        &url,
        &["export", "ocds", "--area", "3410", "--since", "2000-01-01"],
    );
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&all), ids(&pkg));
    let out = sanshe(&url, &["export", "ocds", "--since", "soon"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
}
