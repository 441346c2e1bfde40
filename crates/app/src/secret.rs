//! Random tokens, their hashes, and password hashing (Argon2id, off the async threads, in bounded
//! memory).

use crate::{AppError, Settings};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A password for someone else to type once (an administrator's reset): 12 characters, letters
/// and digits, none that are read one for another (0/O, 1/l/I).
pub fn temporary_password() -> String {
    use rand::seq::SliceRandom;
    const LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    let mut chars = Vec::with_capacity(12);
    for _ in 0..8 {
        chars.extend(LETTERS.choose(&mut rng));
    }
    for _ in 0..4 {
        chars.extend(DIGITS.choose(&mut rng));
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

/// Tokens are stored only as their SHA-256: a leaked table gives no usable credential.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The largest memory cost a stored hash may ask of us (KiB); a hash asking more is treated as
/// not matching rather than allowed to take the server's memory.
const MAX_MEMORY_KIB: u32 = 256 * 1024;

/// Password hashing with bounded cost. Argon2id needs its memory cost (19 MiB) for each hash:
/// 200 logins at once took 22 GB until the kernel killed the server. Here at most one hash per
/// core runs at a time, each in a memory buffer kept for reuse (nothing is allocated per hash,
/// so nothing piles up in the allocator either); at most `max_waiting` more wait, each at most
/// `wait`, and the rest are answered at once as busy (503).
#[derive(Debug)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
    buffers: Mutex<Vec<Vec<Block>>>,
    /// A hash of a random password with our parameters (made at start): an unknown login is
    /// verified against it, so it costs what a real one costs.
    dummy: String,
    /// Argon2 computations done (hashes and verifications), to check that every login costs one.
    computations: AtomicU64,
}

/// What one hash may keep while it runs: its turn and its memory, given back on drop.
struct Turn<'a> {
    hasher: &'a Hasher,
    _permit: tokio::sync::OwnedSemaphorePermit,
    buffer: Option<Vec<Block>>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(b) = self.buffer.take() {
            if let Ok(mut pool) = self.hasher.buffers.lock() {
                pool.push(b);
            }
        }
    }
}

impl Hasher {
    /// Settings out of Argon2's range fall back to its defaults (19 MiB, 2 passes).
    pub fn new(settings: &Settings) -> Hasher {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            1,
            None,
        )
        .unwrap_or(Params::DEFAULT);
        let cores = settings.hashing_threads.max(1);
        let dummy = dummy_hash(&params);
        Hasher {
            params,
            permits: Arc::new(Semaphore::new(cores)),
            waiting: AtomicUsize::new(0),
            max_waiting: cores * 16,
            wait: Duration::from_millis(1500),
            buffers: Mutex::new(Vec::new()),
            dummy,
            computations: AtomicU64::new(0),
        }
    }

    /// Argon2 computations done since start.
    pub fn computations(&self) -> u64 {
        self.computations.load(Ordering::Relaxed)
    }

    /// Waits for a turn (bounded), or answers busy.
    async fn turn(&self) -> Result<Turn<'_>, AppError> {
        let before = self.waiting.fetch_add(1, Ordering::AcqRel);
        let permit = if before >= self.max_waiting {
            None
        } else {
            tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
                .await
                .ok()
                .and_then(Result::ok)
        };
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let permit = permit.ok_or(AppError::Busy { retry_after: 2 })?;
        let buffer = self.buffers.lock().ok().and_then(|mut p| p.pop());
        Ok(Turn {
            hasher: self,
            _permit: permit,
            buffer,
        })
    }

    /// Runs Argon2 as `recipe` says, in the turn's buffer (grown once if a stored hash asks for
    /// more memory than ours).
    async fn compute(
        &self,
        turn: &mut Turn<'_>,
        recipe: Recipe,
        password: &str,
    ) -> Result<Vec<u8>, AppError> {
        self.computations.fetch_add(1, Ordering::Relaxed);
        let mut buffer = turn.buffer.take().unwrap_or_default();
        let password = password.as_bytes().to_vec();
        let blocks = recipe.params.block_count();
        let (buffer, out) = tokio::task::spawn_blocking(move || {
            if buffer.len() < blocks {
                buffer = vec![Block::default(); blocks];
            }
            let mut out = vec![0u8; recipe.out_len];
            let r = Argon2::new(recipe.algorithm, recipe.version, recipe.params)
                .hash_password_into_with_memory(&password, &recipe.salt, &mut out, &mut buffer[..]);
            (buffer, r.map(|_| out))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        turn.buffer = Some(buffer);
        out.map_err(|e| AppError::Internal(e.to_string()))
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=1$salt$hash`) of a new password.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let mut turn = self.turn().await?;
        let salt = SaltString::generate(&mut OsRng);
        let mut raw = [0u8; 64];
        let raw = salt
            .decode_b64(&mut raw)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .to_vec();
        let recipe = Recipe {
            algorithm: Algorithm::Argon2id,
            version: Version::V0x13,
            params: self.params.clone(),
            salt: raw,
            out_len: 32,
        };
        let out = self.compute(&mut turn, recipe, password).await?;
        let output = argon2::password_hash::Output::new(&out)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost(),
            salt.as_str(),
            output
        ))
    }

    /// Whether `password` matches the stored PHC string (whose own parameters are used).
    pub async fn verify(&self, phc: &str, password: &str) -> Result<bool, AppError> {
        let mut turn = self.turn().await?;
        let Some((recipe, expected)) = parse_phc(phc) else {
            return Ok(false);
        };
        let out = self.compute(&mut turn, recipe, password).await?;
        Ok(constant_eq(&out, &expected))
    }

    /// Verifies against a hash nobody can match, at the cost of a real verification: an unknown
    /// login takes as long as a wrong password (no account enumeration by timing).
    pub async fn verify_dummy(&self, password: &str) -> Result<(), AppError> {
        self.verify(&self.dummy, password).await.map(|_| ())
    }
}

/// The PHC string of a random password under `params` (computed here, once, at start).
fn dummy_hash(params: &Params) -> String {
    use argon2::PasswordHasher;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(random_token().as_bytes(), &SaltString::generate(&mut OsRng))
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// What one Argon2 computation needs besides the password.
struct Recipe {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    out_len: usize,
}

/// A stored PHC string as the recipe to recompute it and the output it must give.
fn parse_phc(phc: &str) -> Option<(Recipe, Vec<u8>)> {
    let h = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(h.algorithm).ok()?;
    let version = Version::try_from(h.version.unwrap_or(0x13)).ok()?;
    let params = Params::try_from(&h).ok()?;
    if params.m_cost() > MAX_MEMORY_KIB || params.p_cost() != 1 {
        return None;
    }
    let mut buf = [0u8; 64];
    let salt = h.salt?.decode_b64(&mut buf).ok()?.to_vec();
    let expected = h.hash?.as_bytes().to_vec();
    let recipe = Recipe {
        algorithm,
        version,
        params,
        salt,
        out_len: expected.len(),
    };
    Some((recipe, expected))
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    fn settings() -> Settings {
        Settings {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            hashing_threads: 2,
            ..Settings::default()
        }
    }

    #[tokio::test]
    async fn our_hashes_are_standard_argon2id_both_ways() {
        let h = Hasher::new(&settings());
        let phc = h.hash("Sanshe2026").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{phc}");
        // The argon2 crate's own verifier accepts ours…
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default()
            .verify_password(b"Sanshe2026", &parsed)
            .is_ok());
        // …and we accept its.
        use argon2::PasswordHasher;
        let theirs = Argon2::default()
            .hash_password(b"Other2026", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(h.verify(&theirs, "Other2026").await.unwrap());
        assert!(!h.verify(&theirs, "other2026").await.unwrap());
        assert!(h.verify(&phc, "Sanshe2026").await.unwrap());
        assert!(!h.verify(&phc, "Sanshe2027").await.unwrap());
        assert!(!h.verify("not a hash", "Sanshe2026").await.unwrap());
    }

    #[tokio::test]
    async fn a_crowd_of_hashes_waits_in_a_bounded_queue_and_the_rest_are_told_busy() {
        let h = Arc::new(Hasher::new(&settings()));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200 {
            let h = h.clone();
            tasks.spawn(async move { h.hash(&format!("pw{i}")).await });
        }
        let (mut ok, mut busy) = (0, 0);
        while let Some(r) = tasks.join_next().await {
            match r.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Busy { .. }) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok + busy, 200);
        assert!(busy > 0, "200 at once cannot all wait");
        assert!(ok >= 2);
        // Memory: one buffer per core, however many asked.
        assert!(h.buffers.lock().unwrap().len() <= 2);
    }
}
