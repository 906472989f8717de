//! State encryption at rest: AES-256-GCM over each stored document and each journal record,
//! with a key derived by PBKDF2-HMAC-SHA256 from a passphrase (`skyform { encryption {
//! key_provider "pbkdf2" { passphrase = ... } } }` or `SKYFORM_STATE_KEY`).
//!
//! Every encrypted blob is a small JSON envelope that carries what is needed to derive the key
//! again (salt, iteration count) and which key made it (a short fingerprint), so a `fallback`
//! passphrase can still read what the previous key wrote; every write uses the primary key, so
//! a rotation re-encrypts everything on the next write. [`Codec`] is the one type both
//! backends (and plan files) go through: without keys it passes plain text through, but still
//! recognises an envelope and refuses it with a clear message instead of misreading it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{Result, StateError};

/// Marker of an encrypted blob.
const MARKER: &str = "skyform-encrypted";
/// PBKDF2 iterations for new blobs (OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600,000).
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// Fewest iterations accepted from configuration.
pub const MIN_ITERATIONS: u32 = 100_000;
/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE_LEN: usize = 16;

/// The encrypted form of one document or record.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Envelope {
    encrypted: String,
    format: u32,
    /// Key derivation: `pbkdf2-sha256`.
    kdf: String,
    iterations: u32,
    salt: String,
    /// First 8 bytes of SHA-256 of the derived key, hex: which key made this.
    key_id: String,
    nonce: String,
    ciphertext: String,
}

/// A configured passphrase (never printed; `Debug` hides it).
#[derive(Clone)]
pub struct Passphrase(String);

impl Passphrase {
    pub fn new(text: impl Into<String>) -> Result<Passphrase> {
        let text = text.into();
        if text.chars().count() < MIN_PASSPHRASE_LEN {
            return Err(StateError::Encryption {
                message: format!(
                    "the state passphrase is too short: use at least {MIN_PASSPHRASE_LEN} characters"
                ),
            });
        }
        Ok(Passphrase(text))
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<hidden>)")
    }
}

/// The keys of an encrypted state: the primary one (used for writing) and fallbacks (read only).
#[derive(Debug, Clone)]
pub struct EncryptionSettings {
    pub primary: Passphrase,
    pub fallbacks: Vec<Passphrase>,
    pub iterations: u32,
}

/// Encrypts and decrypts stored bytes; plain pass-through when no key is configured.
#[derive(Clone, Default)]
pub struct Codec {
    keys: Option<Arc<Keys>>,
}

/// (passphrase index, salt, iterations).
type DerivationKey = (usize, Vec<u8>, u32);

struct Keys {
    settings: EncryptionSettings,
    /// The salt this process writes with (one derivation per process for writing).
    write_salt: [u8; 16],
    /// Derived keys by (passphrase index, salt, iterations).
    derived: Mutex<HashMap<DerivationKey, [u8; 32]>>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.keys.is_some() {
            "Codec(encrypted)"
        } else {
            "Codec(plain)"
        })
    }
}

impl Codec {
    /// No encryption: blobs are stored as they are.
    pub fn plain() -> Codec {
        Codec { keys: None }
    }

    pub fn encrypted(settings: EncryptionSettings) -> Codec {
        let mut write_salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut write_salt);
        Codec {
            keys: Some(Arc::new(Keys {
                settings,
                write_salt,
                derived: Mutex::new(HashMap::new()),
            })),
        }
    }

    pub fn is_encrypted(&self) -> bool {
        self.keys.is_some()
    }

    /// The stored form of `plain` (an envelope when a key is configured).
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>> {
        let Some(keys) = &self.keys else {
            return Ok(plain.to_vec());
        };
        let iterations = keys.settings.iterations;
        let key = keys.key(0, &keys.write_salt, iterations);
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|e| StateError::Encryption {
            message: format!("cannot set up AES-256-GCM: {e}"),
        })?;
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| StateError::Encryption {
                message: "AES-256-GCM encryption failed".to_string(),
            })?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let envelope = Envelope {
            encrypted: MARKER.to_string(),
            format: 1,
            kdf: "pbkdf2-sha256".to_string(),
            iterations,
            salt: b64.encode(keys.write_salt),
            key_id: key_id(&key),
            nonce: b64.encode(nonce),
            ciphertext: b64.encode(ciphertext),
        };
        serde_json::to_vec(&envelope).map_err(|e| StateError::Encryption {
            message: e.to_string(),
        })
    }

    /// The plain bytes of a stored blob read from `location`. A blob that is not an envelope is
    /// returned as it is (an unencrypted state is read, and encrypted on its next write); an
    /// envelope without a matching key is refused. A plain blob is borrowed, not copied (a
    /// state file of 100,000 instances is about 110 MB).
    pub fn open<'a>(&self, stored: &'a [u8], location: &str) -> Result<Cow<'a, [u8]>> {
        let Some(envelope) = parse_envelope(stored) else {
            return Ok(Cow::Borrowed(stored));
        };
        let Some(keys) = &self.keys else {
            return Err(StateError::EncryptedWithoutKey {
                location: location.to_string(),
            });
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        let bad = |what: &str| StateError::Invalid {
            location: location.to_string(),
            message: format!("its encrypted envelope has a bad {what}"),
        };
        if envelope.kdf != "pbkdf2-sha256" || envelope.format != 1 {
            return Err(bad("format or key derivation"));
        }
        let salt = b64.decode(&envelope.salt).map_err(|_| bad("salt"))?;
        let nonce = b64.decode(&envelope.nonce).map_err(|_| bad("nonce"))?;
        let ciphertext = b64
            .decode(&envelope.ciphertext)
            .map_err(|_| bad("ciphertext"))?;
        if nonce.len() != 12 || envelope.iterations == 0 || envelope.iterations > 10_000_000 {
            return Err(bad("nonce or iteration count"));
        }
        let candidates = 1 + keys.settings.fallbacks.len();
        for index in 0..candidates {
            let key = keys.key(index, &salt, envelope.iterations);
            if key_id(&key) != envelope.key_id {
                continue;
            }
            let cipher = Aes256Gcm::new_from_slice(&key).map_err(|e| StateError::Encryption {
                message: format!("cannot set up AES-256-GCM: {e}"),
            })?;
            return cipher
                .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
                .map(Cow::Owned)
                .map_err(|_| StateError::Decrypt {
                    location: location.to_string(),
                    message: "authentication failed: the data was altered or damaged".to_string(),
                });
        }
        Err(StateError::Decrypt {
            location: location.to_string(),
            message: format!(
                "none of the {candidates} configured key(s) is the one it was encrypted with"
            ),
        })
    }
}

impl Keys {
    fn key(&self, index: usize, salt: &[u8], iterations: u32) -> [u8; 32] {
        let mut cache = self.derived.lock().unwrap_or_else(|e| e.into_inner());
        *cache
            .entry((index, salt.to_vec(), iterations))
            .or_insert_with(|| {
                let passphrase = if index == 0 {
                    &self.settings.primary
                } else {
                    &self.settings.fallbacks[index - 1]
                };
                let mut key = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.0.as_bytes(), salt, iterations, &mut key);
                key
            })
    }
}

fn key_id(key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(key)[..8])
}

fn parse_envelope(stored: &[u8]) -> Option<Envelope> {
    // Cheap test first: documents are large, envelopes start with their marker field.
    let head = &stored[..stored.len().min(64)];
    if !head.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()) {
        return None;
    }
    serde_json::from_slice::<Envelope>(stored)
        .ok()
        .filter(|e| e.encrypted == MARKER)
}

/// True if `stored` is an encrypted envelope.
pub fn is_encrypted(stored: &[u8]) -> bool {
    parse_envelope(stored).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(primary: &str, fallbacks: &[&str]) -> EncryptionSettings {
        EncryptionSettings {
            primary: Passphrase::new(primary).unwrap(),
            fallbacks: fallbacks
                .iter()
                .map(|p| Passphrase::new(*p).unwrap())
                .collect(),
            iterations: 1000,
        }
    }

    #[test]
    fn round_trip_hides_the_text_and_fallback_keys_read_old_blobs() {
        let old = Codec::encrypted(settings("correct horse battery", &[]));
        let sealed = old.seal(b"{\"secret\":\"hunter2\"}").unwrap();
        assert!(is_encrypted(&sealed));
        assert!(!String::from_utf8_lossy(&sealed).contains("hunter2"));
        assert_eq!(
            &*old.open(&sealed, "x").unwrap(),
            b"{\"secret\":\"hunter2\"}"
        );

        let wrong = Codec::encrypted(settings("a different passphrase", &[]));
        let err = wrong.open(&sealed, "x").unwrap_err();
        assert!(matches!(err, StateError::Decrypt { .. }), "{err}");

        let rotated = Codec::encrypted(settings(
            "a different passphrase",
            &["correct horse battery"],
        ));
        assert_eq!(
            &*rotated.open(&sealed, "x").unwrap(),
            b"{\"secret\":\"hunter2\"}"
        );
        let resealed = rotated.seal(b"new").unwrap();
        assert!(
            old.open(&resealed, "x").is_err(),
            "new writes use the new key"
        );

        let err = Codec::plain().open(&sealed, "x").unwrap_err();
        assert!(
            matches!(err, StateError::EncryptedWithoutKey { .. }),
            "{err}"
        );
        assert_eq!(&*Codec::plain().open(b"{}", "x").unwrap(), b"{}");
        assert!(
            matches!(Codec::plain().open(b"{}", "x").unwrap(), Cow::Borrowed(_)),
            "a plain blob is not copied"
        );
    }

    #[test]
    fn tampering_is_detected() {
        let codec = Codec::encrypted(settings("correct horse battery", &[]));
        let sealed = codec.seal(b"hello").unwrap();
        let mut env: Envelope = serde_json::from_slice(&sealed).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut ct = b64.decode(&env.ciphertext).unwrap();
        ct[0] ^= 1;
        env.ciphertext = b64.encode(ct);
        let err = codec
            .open(&serde_json::to_vec(&env).unwrap(), "x")
            .unwrap_err();
        assert!(err.to_string().contains("authentication failed"), "{err}");
    }

    #[test]
    fn short_passphrases_are_refused_without_echo() {
        let err = Passphrase::new("short-secret").unwrap_err().to_string();
        assert!(!err.contains("short-secret"), "{err}");
        assert!(err.contains("at least 16"), "{err}");
    }
}
