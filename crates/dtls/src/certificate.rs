//! Our DTLS identity: a self-signed ECDSA P-256 certificate and its key.
//!
//! WebRTC authenticates a peer by the fingerprint of its certificate, which
//! travels in SDP (RFC 8122): nothing about the certificate but its key and
//! its digest matters, so it is self-signed, its subject is random (Firefox
//! uses a random hex common name; libwebrtc a random string) and it lives for
//! a few weeks. A [`Certificate`] is cheap to clone and is meant to be shared
//! by every transport of a peer connection, and across connections, as
//! browsers do.
//!
//! Generation is the one place in this crate outside the sans-IO rule, in
//! the same way as the handshake randomness inside dimpl (see
//! `ARCHITECTURE.md`): the key pair, the serial number and the subject come
//! from aws-lc's generator, and [`Certificate::generate`] reads the wall
//! clock for the validity period. [`Certificate::generate_with`] takes the
//! time as an argument for callers that want it fixed.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
};
use dimpl::DtlsCertificate;

use crate::error::DtlsError;
use crate::fingerprint::{Fingerprint, HashAlgorithm};
use crate::signing_key::{self, ParsedKey};

/// How [`Certificate::generate_with`] fills in a certificate.
///
/// The defaults are libwebrtc's (`rtc_base/ssl_identity.h`): valid from one
/// day before generation ("to compensate for slightly incorrect system
/// clocks", `kCertificateWindowInSeconds`) until 30 days after it
/// (`kDefaultCertificateLifetimeInSeconds`); Firefox uses the same window.
///
/// ```
/// use std::time::Duration;
/// use sanderling_dtls::CertificateOptions;
/// let year = CertificateOptions { lifetime: Duration::from_secs(365 * 86_400), ..Default::default() };
/// assert_eq!(year.backdate, Duration::from_secs(86_400));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateOptions {
    /// How long after generation the certificate stays valid (`notAfter`).
    pub lifetime: Duration,
    /// How long before generation it becomes valid (`notBefore`).
    pub backdate: Duration,
    /// The subject's common name; `None` draws 16 random bytes and writes
    /// them in hex, so certificates cannot be linked by their subject.
    pub common_name: Option<String>,
}

impl Default for CertificateOptions {
    fn default() -> Self {
        Self {
            lifetime: Duration::from_secs(30 * 86_400),
            backdate: Duration::from_secs(86_400),
            common_name: None,
        }
    }
}

/// A certificate and its private key, shared cheaply (`Arc`) by every
/// transport that uses it.
///
/// ```
/// use sanderling_dtls::{Certificate, HashAlgorithm};
/// let cert = Certificate::generate().unwrap();
/// let fp = cert.fingerprint(HashAlgorithm::Sha256);
/// assert!(fp.to_string().starts_with("sha-256 "));
/// assert!(fp.matches(cert.der()));
/// let again = Certificate::from_pem(&cert.to_pem()).unwrap();
/// assert_eq!(again.fingerprint(HashAlgorithm::Sha256), fp);
/// ```
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    dimpl: DtlsCertificate,
    /// The private key, parsed once. Held here only: handshakes find it
    /// by its encoding in `signing_key`'s registry, which keeps a weak
    /// reference, instead of parsing it again.
    _key: ParsedKey,
    sha256: Fingerprint,
    expires: Option<SystemTime>,
}

impl Certificate {
    /// A new ECDSA P-256 self-signed certificate with the default
    /// [`CertificateOptions`], valid from the current wall-clock time.
    pub fn generate() -> Result<Self, DtlsError> {
        Self::generate_with(SystemTime::now(), &CertificateOptions::default())
    }

    /// A new ECDSA P-256 self-signed certificate generated as if at `now`.
    pub fn generate_with(now: SystemTime, options: &CertificateOptions) -> Result<Self, DtlsError> {
        let fail = |what: &str| DtlsError::Certificate(format!("generation failed: {what}"));
        let not_before = now
            .checked_sub(options.backdate)
            .ok_or_else(|| fail("notBefore out of range"))?;
        let not_after = now
            .checked_add(options.lifetime)
            .ok_or_else(|| fail("notAfter out of range"))?;
        let rng = SystemRandom::new();
        let common_name = match &options.common_name {
            Some(cn) => cn.clone(),
            None => {
                let mut raw = [0u8; 16];
                rng.fill(&mut raw).map_err(|_| fail("random subject"))?;
                raw.iter().map(|b| format!("{b:02x}")).collect()
            }
        };
        // Firefox refuses two certificates with the same issuer and serial,
        // so the serial is random too: 16 bytes, the top bit clear so the
        // DER INTEGER stays positive and 16 bytes long.
        let mut serial = [0u8; 16];
        rng.fill(&mut serial).map_err(|_| fail("random serial"))?;
        serial[0] = (serial[0] & 0x7f) | 0x01;

        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| fail(&e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| fail(&e.to_string()))?;
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.is_ca = rcgen::IsCa::NoCa;
        params.not_before = time::OffsetDateTime::from(not_before);
        params.not_after = time::OffsetDateTime::from(not_after);
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        let cert = params.self_signed(&key).map_err(|e| fail(&e.to_string()))?;
        let pkcs8 = key.serialize_der();
        let parsed = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8)
            .map_err(|_| fail("the generated key does not parse"))?;
        Ok(Self::build(
            cert.der().to_vec(),
            pkcs8,
            ParsedKey::new(parsed, &ECDSA_P256_SHA256_ASN1_SIGNING),
            Some(not_after),
        ))
    }

    /// A certificate from its DER encoding and its private key in PKCS#8
    /// DER (ECDSA P-256 or P-384, the curves dimpl signs with). The key
    /// must belong to the certificate.
    pub fn from_der(certificate: &[u8], private_key_pkcs8: &[u8]) -> Result<Self, DtlsError> {
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, private_key_pkcs8)
            .map(|k| ParsedKey::new(k, &ECDSA_P256_SHA256_ASN1_SIGNING))
            .or_else(|_| {
                EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_ASN1_SIGNING, private_key_pkcs8)
                    .map(|k| ParsedKey::new(k, &ECDSA_P384_SHA384_ASN1_SIGNING))
            })
            .map_err(|_| {
                DtlsError::Certificate(
                    "private key is not a PKCS#8 ECDSA P-256 or P-384 key".into(),
                )
            })?;
        // The certificate's SubjectPublicKeyInfo holds the same uncompressed
        // point as the key; finding it is enough to catch a mismatched pair
        // without an X.509 parser.
        let public = key.key().public_key().as_ref();
        if certificate.len() < public.len()
            || !certificate.windows(public.len()).any(|w| w == public)
        {
            return Err(DtlsError::Certificate(
                "private key does not belong to the certificate".into(),
            ));
        }
        Ok(Self::build(
            certificate.to_vec(),
            private_key_pkcs8.to_vec(),
            key,
            None,
        ))
    }

    /// A certificate from PEM text holding a `CERTIFICATE` block and a
    /// PKCS#8 `PRIVATE KEY` block, in either order (what [`Self::to_pem`]
    /// writes).
    pub fn from_pem(text: &str) -> Result<Self, DtlsError> {
        let blocks =
            pem::parse_many(text).map_err(|e| DtlsError::Certificate(format!("bad PEM: {e}")))?;
        let find = |tag: &str| {
            blocks
                .iter()
                .find(|b| b.tag() == tag)
                .map(|b| b.contents())
                .ok_or_else(|| DtlsError::Certificate(format!("no {tag} block in PEM")))
        };
        Self::from_der(find("CERTIFICATE")?, find("PRIVATE KEY")?)
    }

    /// The certificate and its private key as PEM text (the key
    /// unencrypted: keep it private).
    pub fn to_pem(&self) -> String {
        pem::encode_many(&[
            pem::Pem::new("CERTIFICATE", self.der()),
            pem::Pem::new("PRIVATE KEY", self.inner.dimpl.private_key.as_slice()),
        ])
    }

    fn build(
        certificate: Vec<u8>,
        private_key: Vec<u8>,
        key: ParsedKey,
        expires: Option<SystemTime>,
    ) -> Self {
        let sha256 = Fingerprint::of(&certificate, HashAlgorithm::Sha256);
        signing_key::register(&private_key, &key);
        Self {
            inner: Arc::new(Inner {
                dimpl: DtlsCertificate {
                    certificate,
                    private_key,
                },
                _key: key,
                sha256,
                expires,
            }),
        }
    }

    /// The certificate's DER encoding (what the fingerprint is taken over).
    pub fn der(&self) -> &[u8] {
        &self.inner.dimpl.certificate
    }

    /// The fingerprint under `algorithm`; sha-256 is computed once.
    pub fn fingerprint(&self, algorithm: HashAlgorithm) -> Fingerprint {
        match algorithm {
            HashAlgorithm::Sha256 => self.inner.sha256.clone(),
            other => Fingerprint::of(self.der(), other),
        }
    }

    /// When the certificate stops being valid (W3C `RTCCertificate.expires`);
    /// known for generated certificates, `None` for imported ones.
    pub fn expires(&self) -> Option<SystemTime> {
        self.inner.expires
    }

    pub(crate) fn dimpl(&self) -> DtlsCertificate {
        self.inner.dimpl.clone()
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private key.
        f.debug_struct("Certificate")
            .field("fingerprint", &self.inner.sha256)
            .field("expires", &self.inner.expires)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificates_differ_and_carry_the_window() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let a = Certificate::generate_with(now, &CertificateOptions::default()).unwrap();
        let b = Certificate::generate_with(now, &CertificateOptions::default()).unwrap();
        assert_ne!(a.der(), b.der());
        assert_eq!(a.expires(), Some(now + Duration::from_secs(30 * 86_400)));
        // The validity dates are in the DER as UTCTime "YYMMDDhhmmssZ":
        // 1_800_000_000 is 2027-01-15 08:00:00 UTC.
        let der = a.der();
        let has = |s: &str| der.windows(s.len()).any(|w| w == s.as_bytes());
        assert!(has("270114080000Z"), "notBefore one day back");
        assert!(has("270214080000Z"), "notAfter thirty days on");
    }

    #[test]
    fn subject_is_random_unless_given() {
        let now = SystemTime::now();
        let named = CertificateOptions {
            common_name: Some("sanderling-test".into()),
            ..Default::default()
        };
        let c = Certificate::generate_with(now, &named).unwrap();
        assert!(c.der().windows(15).any(|w| w == b"sanderling-test"));
        let r = Certificate::generate().unwrap();
        assert!(!r.der().windows(15).any(|w| w == b"sanderling-test"));
    }

    #[test]
    fn der_and_pem_round_trip() {
        let c = Certificate::generate().unwrap();
        let d = Certificate::from_der(c.der(), &c.inner.dimpl.private_key).unwrap();
        assert_eq!(
            d.fingerprint(HashAlgorithm::Sha384),
            c.fingerprint(HashAlgorithm::Sha384)
        );
        let pem = c.to_pem();
        assert!(pem.contains("-----BEGIN CERTIFICATE-----"));
        assert!(pem.contains("-----BEGIN PRIVATE KEY-----"));
        let e = Certificate::from_pem(&pem).unwrap();
        assert_eq!(e.der(), c.der());
        assert_eq!(e.expires(), None);
    }

    #[test]
    fn rejects_mismatched_or_bad_keys() {
        let a = Certificate::generate().unwrap();
        let b = Certificate::generate().unwrap();
        assert!(Certificate::from_der(a.der(), &b.inner.dimpl.private_key).is_err());
        assert!(Certificate::from_der(a.der(), b"garbage").is_err());
        assert!(Certificate::from_pem("nothing here").is_err());
        let only_cert = pem::encode(&pem::Pem::new("CERTIFICATE", a.der()));
        assert!(Certificate::from_pem(&only_cert).is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let c = Certificate::generate().unwrap();
        let s = format!("{c:?}");
        assert!(s.contains("sha-256"));
        assert!(!s.contains("private"));
    }
}
