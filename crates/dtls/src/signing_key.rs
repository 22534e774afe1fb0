//! The private keys of our certificates, parsed once.
//!
//! dimpl takes a certificate's key as PKCS#8 bytes and parses it again for
//! every handshake; aws-lc checks the key on parsing (it derives the public
//! point), which costs tens of microseconds on the handshake's critical
//! path, once per side. A [`Certificate`](crate::Certificate) parses its
//! key when it is made and registers it here, keyed by a digest of its
//! PKCS#8 encoding; the key provider we give dimpl answers from this
//! registry and parses only keys it has not seen. A PKCS#8 encoding names
//! exactly one key, so the answer is the same key either way.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, EcdsaSigningAlgorithm};
use dimpl::crypto::{
    Buf, CryptoProvider, HashAlgorithm, KeyProvider, SignatureAlgorithm, SigningKey,
};
use dimpl::{CryptoError, CryptoOperation};

/// A parsed key and the algorithm it signs with.
#[derive(Debug, Clone)]
pub(crate) struct ParsedKey {
    key: Arc<EcdsaKeyPair>,
    algorithm: &'static EcdsaSigningAlgorithm,
}

impl ParsedKey {
    pub(crate) fn new(key: EcdsaKeyPair, algorithm: &'static EcdsaSigningAlgorithm) -> Self {
        Self {
            key: Arc::new(key),
            algorithm,
        }
    }

    pub(crate) fn key(&self) -> &EcdsaKeyPair {
        &self.key
    }

    fn hash(&self) -> HashAlgorithm {
        if std::ptr::eq(self.algorithm, &ECDSA_P384_SHA384_ASN1_SIGNING) {
            HashAlgorithm::SHA384
        } else {
            HashAlgorithm::SHA256
        }
    }
}

/// A registered key: the digest of its PKCS#8 bytes, and the key while a
/// certificate holds it.
type Entry = ([u8; 32], Weak<EcdsaKeyPair>, &'static EcdsaSigningAlgorithm);

/// Keys of live certificates. Bounded by the number of live certificates:
/// dead entries go whenever one is added.
static KEYS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

fn key_digest(pkcs8: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, pkcs8).as_ref());
    out
}

/// Makes `key`, whose PKCS#8 encoding is `pkcs8`, available to handshakes
/// for as long as something holds it.
pub(crate) fn register(pkcs8: &[u8], key: &ParsedKey) {
    let d = key_digest(pkcs8);
    let mut keys = KEYS.lock().unwrap_or_else(PoisonError::into_inner);
    keys.retain(|(_, weak, _)| weak.strong_count() > 0);
    // Two certificates may hold the same key (one imported twice): each
    // gets an entry, so the key stays found while either lives.
    keys.push((d, Arc::downgrade(&key.key), key.algorithm));
}

/// Registered keys handed out (tests check that handshakes get them).
#[cfg(test)]
pub(crate) static FOUND: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn lookup(pkcs8: &[u8]) -> Option<ParsedKey> {
    let d = key_digest(pkcs8);
    let keys = KEYS.lock().unwrap_or_else(PoisonError::into_inner);
    let found = keys
        .iter()
        .filter(|(k, _, _)| *k == d)
        .find_map(|(_, weak, algorithm)| {
            Some(ParsedKey {
                key: weak.upgrade()?,
                algorithm,
            })
        });
    #[cfg(test)]
    if found.is_some() {
        FOUND.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    found
}

impl SigningKey for ParsedKey {
    fn sign(
        &mut self,
        data: &[u8],
        hash_alg: HashAlgorithm,
        out: &mut Buf,
    ) -> Result<(), CryptoError> {
        let key_hash = self.hash();
        if hash_alg != key_hash {
            return Err(CryptoError::SigningKeyHashMismatch {
                key_hash,
                requested: hash_alg,
            });
        }
        let signature = self
            .key
            .sign(&SystemRandom::new(), data)
            .map_err(|_| CryptoError::OperationFailed(CryptoOperation::Sign))?;
        out.clear();
        out.extend_from_slice(signature.as_ref());
        Ok(())
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }

    fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash()
    }

    fn supported_hash_algorithms(&self) -> &[HashAlgorithm] {
        match self.hash() {
            HashAlgorithm::SHA384 => &[HashAlgorithm::SHA384],
            _ => &[HashAlgorithm::SHA256],
        }
    }
}

/// dimpl's key provider: registered keys without parsing, others parsed
/// by dimpl's own aws-lc provider.
#[derive(Debug)]
struct RegisteredKeys;

static REGISTERED_KEYS: RegisteredKeys = RegisteredKeys;

impl KeyProvider for RegisteredKeys {
    fn load_private_key(&self, key_der: &[u8]) -> Result<Box<dyn SigningKey>, CryptoError> {
        if let Some(key) = lookup(key_der) {
            return Ok(Box::new(key));
        }
        (dimpl::crypto::aws_lc_rs::default_provider().key_provider).load_private_key(key_der)
    }
}

/// dimpl's aws-lc provider with our key provider.
pub(crate) fn crypto_provider() -> CryptoProvider {
    CryptoProvider {
        key_provider: &REGISTERED_KEYS,
        ..dimpl::crypto::aws_lc_rs::default_provider()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, KeyPair, UnparsedPublicKey,
    };

    fn p256() -> (Vec<u8>, ParsedKey) {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pkcs8 = doc.as_ref().to_vec();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8).unwrap();
        (pkcs8, ParsedKey::new(key, &ECDSA_P256_SHA256_ASN1_SIGNING))
    }

    #[test]
    fn a_registered_key_is_found_while_held_and_signs_verifiably() {
        let (pkcs8, key) = p256();
        register(&pkcs8, &key);
        let found = lookup(&pkcs8).expect("registered");
        assert!(
            Arc::ptr_eq(&found.key, &key.key),
            "the same key, not a parse"
        );
        let mut loaded = REGISTERED_KEYS.load_private_key(&pkcs8).unwrap();
        let mut sig = Buf::new();
        loaded
            .sign(b"transcript", HashAlgorithm::SHA256, &mut sig)
            .unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key.key().public_key().as_ref())
            .verify(b"transcript", &sig)
            .expect("a valid signature by the registered key");
        assert!(matches!(
            loaded.sign(b"x", HashAlgorithm::SHA384, &mut sig),
            Err(CryptoError::SigningKeyHashMismatch { .. })
        ));
        drop((found, key, loaded));
        assert!(lookup(&pkcs8).is_none(), "gone with its last holder");
    }

    #[test]
    fn a_key_held_twice_is_found_while_either_holder_lives() {
        let (pkcs8, first) = p256();
        let again = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8).unwrap();
        let second = ParsedKey::new(again, &ECDSA_P256_SHA256_ASN1_SIGNING);
        register(&pkcs8, &first);
        register(&pkcs8, &second);
        drop(first);
        let found = lookup(&pkcs8).expect("the second holder's key");
        assert!(Arc::ptr_eq(&found.key, &second.key));
    }

    #[test]
    fn an_unregistered_key_is_parsed_and_garbage_refused() {
        let other =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
                .unwrap();
        assert!(lookup(other.as_ref()).is_none());
        assert!(REGISTERED_KEYS.load_private_key(other.as_ref()).is_ok());
        assert!(REGISTERED_KEYS.load_private_key(b"not a key").is_err());
    }
}
