//! Personal information at rest: identity numbers are encrypted (AES-256-GCM) and found through
//! a keyed hash (HMAC-SHA-256), both keys derived from one master key that lives outside the
//! database (a file or an environment variable). The database alone reveals no number.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The two keys derived from the master key. Debug never prints them.
#[derive(Clone)]
pub struct PiiKeys {
    enc: [u8; 32],
    lookup: [u8; 32],
}

impl std::fmt::Debug for PiiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiKeys(..)")
    }
}

fn derive(master: &[u8], label: &str) -> [u8; 32] {
    let mut m = <HmacSha256 as Mac>::new_from_slice(master).unwrap_or_else(|_| unreachable_key());
    m.update(label.as_bytes());
    m.finalize().into_bytes().into()
}

// HMAC accepts keys of any length, so this never runs; it keeps `unwrap` out of library code.
fn unreachable_key() -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable_key())
}

impl PiiKeys {
    /// From a 32-byte master key given as 64 hex characters.
    pub fn from_hex(hex_key: &str) -> Result<PiiKeys, String> {
        let bytes = hex::decode(hex_key.trim()).map_err(|e| format!("PII key is not hex: {e}"))?;
        if bytes.len() != 32 {
            return Err(format!(
                "PII key must be 32 bytes (64 hex characters), got {}",
                bytes.len()
            ));
        }
        Ok(PiiKeys {
            enc: derive(&bytes, "sanshe/pii/enc/v1"),
            lookup: derive(&bytes, "sanshe/pii/lookup/v1"),
        })
    }

    /// A new random master key, as hex (for a first start).
    pub fn generate_hex() -> String {
        let mut k = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut k);
        hex::encode(k)
    }

    /// Reads the master key from `path`, creating it (mode 0600) when missing.
    pub fn load_or_create(path: &std::path::Path) -> Result<PiiKeys, String> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(path, PiiKeys::generate_hex())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        PiiKeys::from_hex(&text)
    }

    /// `hex(nonce || ciphertext)`.
    pub fn encrypt(&self, plain: &str) -> String {
        let cipher = Aes256Gcm::new((&self.enc).into());
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        match cipher.encrypt(Nonce::from_slice(&nonce), plain.as_bytes()) {
            Ok(ct) => {
                let mut out = nonce.to_vec();
                out.extend(ct);
                hex::encode(out)
            }
            Err(_) => String::new(),
        }
    }

    pub fn decrypt(&self, stored: &str) -> Option<String> {
        let bytes = hex::decode(stored).ok()?;
        if bytes.len() < 13 {
            return None;
        }
        let cipher = Aes256Gcm::new((&self.enc).into());
        let plain = cipher
            .decrypt(Nonce::from_slice(&bytes[..12]), &bytes[12..])
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// The keyed hash by which a number is found without decrypting every row.
    pub fn lookup_hash(&self, plain: &str) -> String {
        let mut m =
            <HmacSha256 as Mac>::new_from_slice(&self.lookup).unwrap_or_else(|_| unreachable_key());
        m.update(plain.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_round_trips_and_the_ciphertext_differs_each_time() {
        let k = PiiKeys::from_hex(&"11".repeat(32)).unwrap();
        let a = k.encrypt("11010519491231002X");
        let b = k.encrypt("11010519491231002X");
        assert_ne!(a, b);
        assert!(!a.contains("19491231"));
        assert_eq!(k.decrypt(&a).as_deref(), Some("11010519491231002X"));
        assert_eq!(
            k.lookup_hash("11010519491231002X"),
            k.lookup_hash("11010519491231002X")
        );
        let other = PiiKeys::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(other.decrypt(&a), None, "another key cannot read it");
        assert_ne!(
            other.lookup_hash("11010519491231002X"),
            k.lookup_hash("11010519491231002X")
        );
        assert!(PiiKeys::from_hex("abcd").is_err());
        assert_eq!(format!("{k:?}"), "PiiKeys(..)");
    }
}
