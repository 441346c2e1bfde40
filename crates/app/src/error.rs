use domain::{Denied, DomainError, Refusal};
use store::StoreError;

/// Everything a use case can answer instead of success. The web layer renders each as a page or
/// as `application/problem+json` with the stable `code()`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Denied(#[from] Denied),
    /// No credentials, or they are no longer valid.
    #[error("请先登录")]
    Unauthenticated,
    /// The account's password was set or reset by someone else (an administrator, or generated):
    /// nothing but changing it until then.
    #[error("您的密码由管理员设定或重置，请先设置新密码")]
    PasswordChangeRequired,
    /// Wrong login or password (deliberately not saying which), or a locked account.
    #[error("登录名或密码错误，或账号已被暂时锁定")]
    LoginFailed,
    #[error("{0}不存在")]
    NotFound(String),
    /// Someone else changed the record first (optimistic locking).
    #[error("{message}")]
    StaleVersion { message: String, current: String },
    #[error("{message}")]
    Duplicate {
        field: &'static str,
        message: String,
    },
    #[error("导入文件有误")]
    Import(Vec<ImportError>),
    /// Too many failed logins of this account (or of this login name, whether or not an account
    /// has it) from this client: locked until `until` (China time, for people to read).
    #[error("登录失败次数过多，该账号已在本设备暂时锁定，请于 {until}（北京时间）后再试，或请管理员解锁")]
    AccountLocked { until: String, retry_after: u64 },
    /// Too many attempts from this client (logins); try again after `retry_after` seconds.
    #[error("尝试次数过多，请 {retry_after} 秒后再试")]
    Throttled { retry_after: u64 },
    /// The server has no capacity for this now (password hashing queue full).
    #[error("服务繁忙，请稍后再试")]
    Busy { retry_after: u64 },
    #[error("内部错误：{0}")]
    Store(StoreError),
    #[error("内部错误：{0}")]
    Internal(String),
}

/// One bad line of an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportError {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}:{} [{}] {}", self.file, self.line, c, self.message),
            None => write!(f, "{}:{} {}", self.file, self.line, self.message),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Denied(d) => AppError::Denied(d),
            Refusal::Domain(e) => AppError::Domain(e),
        }
    }
}

impl From<StoreError> for AppError {
    /// A frozen record refused by the database (a race the use case's own check lost) is a
    /// conflict the person can read, not an internal error.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Frozen(_) => AppError::Domain(DomainError::conflict(
                "frozen",
                "该记录已签字封存或已定稿，不能再修改",
            )),
            StoreError::InvalidText(_) => AppError::Domain(DomainError::field(
                "text",
                "invalid_text",
                "提交的内容含有不允许的控制字符（NUL），请删除后重试",
            )),
            e => AppError::Store(e),
        }
    }
}

impl AppError {
    /// Stable machine code, also the problem type's last path segment.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(DomainError::Invalid(_)) => "validation_failed",
            AppError::Domain(DomainError::Conflict { code, .. }) => code,
            AppError::Denied(d) => d.code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::LoginFailed => "login_failed",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::NotFound(_) => "not_found",
            AppError::StaleVersion { .. } => "stale_version",
            AppError::Duplicate { .. } => "duplicate",
            AppError::Import(_) => "import_invalid",
            AppError::Throttled { .. } => "too_many_attempts",
            AppError::AccountLocked { .. } => "account_locked",
            AppError::Busy { .. } => "busy",
            AppError::Store(_) | AppError::Internal(_) => "internal",
        }
    }

    /// What a person should read: for invalid input, every field's reason.
    pub fn message(&self) -> String {
        match self {
            AppError::Domain(DomainError::Invalid(f)) if !f.is_empty() => f
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            AppError::Import(rows) => format!("导入文件有 {} 处错误，未写入任何数据", rows.len()),
            other => other.to_string(),
        }
    }

    /// Seconds after which trying again makes sense (for `Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Throttled { retry_after }
            | AppError::Busy { retry_after }
            | AppError::AccountLocked { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// An account (or login name) locked until `until`.
    pub fn locked(
        until: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        // China time (UTC+8 all year), as `kernel::china_now` reads the clock.
        let china = (until + chrono::Duration::hours(8)).naive_utc();
        AppError::AccountLocked {
            until: china.format("%Y-%m-%d %H:%M").to_string(),
            retry_after: u64::try_from((until - now).num_seconds())
                .unwrap_or(1)
                .max(1),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }
}
