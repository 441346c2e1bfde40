//! Random tokens, their hashes, and password hashing (Argon2id, off the async threads).

use crate::{AppError, Settings};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Tokens are stored only as their SHA-256: a leaked table gives no usable credential.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn argon(settings: &Settings) -> Result<Argon2<'static>, AppError> {
    let params = Params::new(
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        1,
        None,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash_password(settings: &Settings, password: &str) -> Result<String, AppError> {
    let a = argon(settings)?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        a.hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies against the stored PHC string (whose own parameters are used).
pub async fn verify_password(hash: &str, password: &str) -> Result<bool, AppError> {
    let hash = hash.to_string();
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash of a random password, verified against when the login does not exist so that an
/// unknown login takes as long as a wrong password (no account enumeration by timing).
pub async fn dummy_verify(settings: &Settings, password: &str) {
    if let Ok(h) = hash_password(settings, "not-a-real-password-1").await {
        let _ = verify_password(&h, password).await;
    }
}
