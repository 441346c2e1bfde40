//! Errors a rule can raise, each with a stable code (for programs) and a Chinese message (for people).

use serde::Serialize;

/// One field that failed validation, named as the form or API field is named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    /// Stable machine code, e.g. `invalid_area_code`.
    pub code: &'static str,
    /// What a person should read, in Chinese.
    pub message: String,
}

impl FieldError {
    /// A field error with its field name, stable code and Chinese message.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// A rule was broken. The web layer maps each variant to a status and a problem type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input does not have the right shape (HTTP 422).
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    /// The state of things does not allow the change (HTTP 409), with a Chinese reason.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
}

impl DomainError {
    /// An invalid-input error about a single field.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, code, message)])
    }

    /// A conflict with the state of things, with its stable code and Chinese reason.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            message: message.into(),
        }
    }
}

/// Both checks' results, or every field error of the two together (so a form names all its
/// wrong fields at once); any other error as it is.
pub fn both<A, B>(
    a: Result<A, DomainError>,
    b: Result<B, DomainError>,
) -> Result<(A, B), DomainError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(DomainError::Invalid(mut x)), Err(DomainError::Invalid(y))) => {
            x.extend(y);
            Err(DomainError::Invalid(x))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Why a command may not be done now: the person may not do it at all, or the state of things
/// does not allow it. Rules that check both (`may_*` functions that also name who may act)
/// return this; each part keeps its own status on the web.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The person has no right to do it.
    #[error(transparent)]
    Denied(#[from] crate::Denied),
    /// The state of things does not allow it.
    #[error(transparent)]
    Domain(#[from] DomainError),
}
