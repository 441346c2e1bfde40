//! Use cases. Each command loads what it needs, asks the domain, and writes the change together
//! with its audit event in ONE transaction. Refusals (denied or failed) are audited too, in a
//! transaction of their own, since the refused change itself is never written.

pub mod area;
pub mod audit;
mod ballot_box;
pub mod chain;
mod credentials;
pub mod demo;
pub mod disclosure;
mod error;
pub mod identity;
pub mod kernel;
pub mod login_gate;
pub mod ocds;
pub mod org_transfer;
pub mod page;
pub mod people_edit;
pub mod people_transfer;
pub mod pii;
pub mod public;
pub mod record_transfer;
pub mod registry;
pub mod secret;
pub mod social;
pub mod social_edit;
pub mod talent;
pub mod transfer;
pub mod versioned;
pub mod volunteer;
pub mod worklist;

pub use error::{AppError, ImportError};

use store::Db;

/// Who is asking, from where: carried into every audit event.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// Tunables of the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Argon2id memory cost in KiB (19,456 is the OWASP minimum; tests lower it for speed).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Hours a login session lasts.
    pub session_hours: i64,
    /// Failed logins that lock an account for the address they came from.
    pub throttle: domain::password::LoginThrottle,
    /// Failed logins and logins under way per client address.
    pub client_throttle: domain::password::ClientThrottle,
    /// Passwords hashed, and uploaded files parsed, at once (one per core by default); more wait
    /// briefly, then are told busy.
    pub hashing_threads: usize,
    /// How much of an uploaded file an import may read.
    pub read_limits: transfer::ReadLimits,
    /// Keys for personal information at rest.
    pub pii: pii::PiiKeys,
    /// The bids extension's address listed in OCDS packages (CI points it at a local copy).
    pub ocds_bids_extension: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            session_hours: 12,
            throttle: domain::password::LoginThrottle::default(),
            client_throttle: domain::password::ClientThrottle::default(),
            hashing_threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            read_limits: transfer::ReadLimits::default(),
            // A fixed key only for tests and tools; `sanshe serve` loads or creates the
            // deployment's key file (see the configuration).
            pii: pii::PiiKeys::from_hex(&"00".repeat(32)).unwrap_or_else(|_| unreachable!()),
            ocds_bids_extension: ocds::BIDS_EXTENSION.to_string(),
        }
    }
}

/// The application: the database and the settings the use cases need.
#[derive(Debug, Clone)]
pub struct App {
    db: Db,
    pub settings: Settings,
    /// Credentials resolved in the last moments (see `credentials`).
    pub(crate) credentials: std::sync::Arc<credentials::CredentialCache>,
    /// Ballots cast together are written together (see `ballot_box`).
    pub(crate) ballots: std::sync::Arc<ballot_box::BallotBox>,
    /// Password hashing in bounded memory and concurrency (see `secret::Hasher`).
    pub(crate) hasher: std::sync::Arc<secret::Hasher>,
    /// Logins per client address (see `login_gate`).
    pub(crate) logins: std::sync::Arc<login_gate::LoginGate>,
    /// Uploaded files parsed at once (one per core; see `transfer::read_upload`).
    pub(crate) parsing: std::sync::Arc<tokio::sync::Semaphore>,
}

impl App {
    /// Argon2 computations done since start (every login costs exactly one, known or not).
    pub fn password_computations(&self) -> u64 {
        self.hasher.computations()
    }

    /// Ready means a write can begin within `within`: a database that answers reads but is
    /// locked for writing is not ready.
    pub async fn ready(&self, within: std::time::Duration) -> Result<(), AppError> {
        Ok(self.db.can_write(within).await?)
    }

    pub fn new(db: Db, settings: Settings) -> Self {
        Self {
            db,
            hasher: std::sync::Arc::new(secret::Hasher::new(&settings)),
            logins: Default::default(),
            parsing: std::sync::Arc::new(tokio::sync::Semaphore::new(
                settings.hashing_threads.max(1),
            )),
            settings,
            credentials: Default::default(),
            ballots: Default::default(),
        }
    }
}
