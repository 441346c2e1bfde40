//! A fresh database per test: PostgreSQL when `SANSHE_TEST_DATABASE_URL` is set (a new database
//! is created on that server), otherwise a new SQLite file in the temporary directory.

use crate::{Db, StoreError};

/// The backend the tests run on, for messages.
pub fn backend_name() -> &'static str {
    if std::env::var("SANSHE_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}

/// Creates, migrates and returns an empty database, with its URL (so a second server process
/// can open the same one).
pub async fn fresh_db() -> Result<(Db, String), StoreError> {
    let name = format!("sanshe_t_{}", uuid::Uuid::now_v7().simple());
    let url = match std::env::var("SANSHE_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let admin_db = Db::connect(&admin, 1).await?;
            crate::on_pool!(&admin_db, c => {
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(c).await?;
            });
            admin_db.close().await;
            replace_database(&admin, &name)
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite:{}", path.display())
        }
    };
    let db = Db::connect(&url, 8).await?;
    db.migrate().await?;
    Ok((db, url))
}

/// Swaps the database name of a PostgreSQL URL.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = &base[scheme_end..];
    let base = match host_part.find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_swapped_in_the_url() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://h", "x"),
            "postgres://h/x"
        );
    }
}
