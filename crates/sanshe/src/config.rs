//! Configuration: defaults, then a TOML file (`--config` or `SANSHE_CONFIG`), then `SANSHE_*`
//! environment variables, each overriding the one before.

use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite:PATH` (embedded) or `postgres://…`.
    pub database_url: String,
    /// Address to listen on.
    pub bind: String,
    /// Fill an empty database with the Huangshan demonstration data and print its accounts (off
    /// unless asked: the demonstration's password is published, so a production start never
    /// creates it).
    pub demo: bool,
    /// `pretty` or `json`.
    pub log_format: String,
    pub secure_cookies: bool,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// A connection that sends no complete request head for this long (slow or idle) is closed.
    pub header_timeout_secs: u64,
    /// Database connections in the pool; 0 for the default of the backend: on SQLite twice the
    /// cores (at least 4) for reading, besides the writer's own connection; on PostgreSQL four
    /// times the cores (at least 8). Measured under mixed load on two cores, more connections
    /// only made the readers take the CPU from the one writer (see docs/PERFORMANCE.md).
    pub max_connections: u32,
    /// Open HTTP connections in all (0: what the descriptor limit allows) and per client.
    pub max_http_connections: usize,
    pub max_http_connections_per_client: usize,
    /// Requests being handled in all and per client (more are answered 503 at once).
    pub max_in_flight: usize,
    pub max_in_flight_per_client: usize,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<String>,
    pub argon2_memory_kib: u32,
    pub session_hours: i64,
    /// File holding the master key for personal information (created on first start).
    pub pii_key_file: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite:data/sanshe.db".into(),
            bind: "127.0.0.1:8080".into(),
            demo: false,
            log_format: "pretty".into(),
            secure_cookies: false,
            // Spreadsheet imports of a whole county fit comfortably.
            body_limit_bytes: 32 * 1024 * 1024,
            request_timeout_secs: 30,
            header_timeout_secs: 20,
            max_connections: 0,
            max_http_connections: 0,
            max_http_connections_per_client: 256,
            max_in_flight: 1024,
            max_in_flight_per_client: 128,
            trusted_proxies: Vec::new(),
            argon2_memory_kib: 19_456,
            session_hours: 12,
            pii_key_file: "data/pii.key".into(),
        }
    }
}

impl Config {
    pub fn load(file: Option<&str>) -> anyhow::Result<Config> {
        let file = file
            .map(str::to_string)
            .or_else(|| std::env::var("SANSHE_CONFIG").ok());
        let mut c = match &file {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| anyhow::anyhow!("cannot read config file {f}: {e}"))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {f}: {e}"))?
            }
            None => Config::default(),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(v) = env("SANSHE_DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = env("SANSHE_BIND") {
            c.bind = v;
        }
        if let Some(v) = env("SANSHE_DEMO") {
            c.demo = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("SANSHE_LOG_FORMAT") {
            c.log_format = v;
        }
        if let Some(v) = env("SANSHE_SECURE_COOKIES") {
            c.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("SANSHE_PII_KEY_FILE") {
            c.pii_key_file = v;
        }
        if let Some(v) = env("SANSHE_MAX_CONNECTIONS") {
            c.max_connections = v.parse()?;
        }
        if let Some(v) = env("SANSHE_TRUSTED_PROXIES") {
            c.trusted_proxies = v.split(',').map(|s| s.trim().to_string()).collect();
        }
        if let Some(v) = env("SANSHE_MAX_HTTP_CONNECTIONS") {
            c.max_http_connections = v.parse()?;
        }
        if let Some(v) = env("SANSHE_MAX_HTTP_CONNECTIONS_PER_CLIENT") {
            c.max_http_connections_per_client = v.parse()?;
        }
        Ok(c)
    }

    /// The database pool's size (see `max_connections`).
    pub fn pool_size(&self) -> u32 {
        if self.max_connections > 0 {
            return self.max_connections;
        }
        let cores = std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(2);
        if self.database_url.starts_with("sqlite:") {
            (2 * cores).max(4)
        } else {
            (4 * cores).max(8)
        }
    }

    pub fn web(&self) -> anyhow::Result<web::WebConfig> {
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| anyhow::anyhow!("trusted_proxies: {s} is not an IP address"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(web::WebConfig {
            bind: self.bind.clone(),
            secure_cookies: self.secure_cookies,
            body_limit: self.body_limit_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            max_connections: self.max_http_connections,
            max_connections_per_client: self.max_http_connections_per_client,
            max_in_flight: self.max_in_flight,
            max_in_flight_per_client: self.max_in_flight_per_client,
            trusted_proxies,
        })
    }

    /// The use cases' settings, with the personal-information key: `SANSHE_PII_KEY` (64 hex
    /// characters) if set, else the key file, created on first start.
    pub fn settings(&self) -> anyhow::Result<app::Settings> {
        let pii = match std::env::var("SANSHE_PII_KEY")
            .ok()
            .filter(|v| !v.is_empty())
        {
            Some(hex) => app::pii::PiiKeys::from_hex(&hex),
            None => app::pii::PiiKeys::load_or_create(std::path::Path::new(&self.pii_key_file)),
        }
        .map_err(|e| anyhow::anyhow!(e))?;
        let mut settings = app::Settings {
            argon2_memory_kib: self.argon2_memory_kib,
            session_hours: self.session_hours,
            pii,
            ..app::Settings::default()
        };
        // Where OCDS packages say the bids extension is (offline validation serves a copy).
        if let Ok(url) = std::env::var("SANSHE_OCDS_BIDS_EXTENSION") {
            if !url.is_empty() {
                settings.ocds_bids_extension = url;
            }
        }
        Ok(settings)
    }
}
