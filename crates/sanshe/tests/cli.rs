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
