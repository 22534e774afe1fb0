//! Certificate fingerprints as SDP carries them (RFC 8122 §5).
//!
//! ```text
//! a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5A:66:5C:4D:7D:37:F6:5E:AA:14:A6
//!               ^^^^^^^ ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!               hash    the digest of the certificate's DER encoding,
//!               func    uppercase hex pairs separated by colons
//! ```
//!
//! The hash is taken over the whole DER certificate with `aws_lc_rs::digest`.
//! Our own certificates are announced with sha-256 (what every browser
//! sends); remote fingerprints are accepted in sha-1 (old peers), sha-256,
//! sha-384 and sha-512. Parsing accepts either case in the hash name and
//! the hex, as browsers and aiortc do.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::digest;

use crate::error::DtlsError;

/// A hash function that may name a fingerprint (the `hash-func` token of
/// RFC 8122, from the IANA "Hash Function Textual Names" registry).
///
/// ```
/// use sanderling_dtls::HashAlgorithm;
/// let alg: HashAlgorithm = "SHA-256".parse().unwrap();
/// assert_eq!(alg, HashAlgorithm::Sha256);
/// assert_eq!(alg.to_string(), "sha-256");
/// assert_eq!(alg.output_len(), 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// `sha-1`: only for peers too old to send anything else.
    Sha1,
    /// `sha-256`: what browsers send, and what we announce.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
}

impl HashAlgorithm {
    /// Every algorithm, strongest last.
    pub const ALL: [HashAlgorithm; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The textual name used in SDP (`sha-256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        self.digest_algorithm().output_len()
    }

    /// The digest of `data` under this algorithm.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        digest::digest(self.digest_algorithm(), data)
            .as_ref()
            .to_vec()
    }

    fn digest_algorithm(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
            Self::Sha512 => &digest::SHA512,
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlgorithm {
    type Err = DtlsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                DtlsError::InvalidFingerprint(format!("unsupported hash function {s:?}"))
            })
    }
}

/// The fingerprint of a certificate: a hash algorithm and the digest of the
/// certificate's DER encoding.
///
/// `Display` writes the SDP form (`sha-256 AB:CD:...`, uppercase hex),
/// `FromStr` reads it back in any case.
///
/// ```
/// use sanderling_dtls::{Fingerprint, HashAlgorithm};
/// let der = b"not really a certificate";
/// let fp = Fingerprint::of(der, HashAlgorithm::Sha256);
/// let sdp = fp.to_string();
/// assert!(sdp.starts_with("sha-256 "));
/// let parsed: Fingerprint = sdp.to_lowercase().parse().unwrap();
/// assert_eq!(parsed, fp);
/// assert!(parsed.matches(der));
/// assert!(!parsed.matches(b"another certificate"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    algorithm: HashAlgorithm,
    value: Vec<u8>,
}

impl Fingerprint {
    /// A fingerprint from its parts; the value must be as long as the
    /// algorithm's digest.
    pub fn new(algorithm: HashAlgorithm, value: impl Into<Vec<u8>>) -> Result<Self, DtlsError> {
        let value = value.into();
        if value.len() != algorithm.output_len() {
            return Err(DtlsError::InvalidFingerprint(format!(
                "{algorithm} digest has {} bytes, not {}",
                algorithm.output_len(),
                value.len()
            )));
        }
        Ok(Self { algorithm, value })
    }

    /// The fingerprint of a DER-encoded certificate.
    pub fn of(certificate_der: &[u8], algorithm: HashAlgorithm) -> Self {
        Self {
            algorithm,
            value: algorithm.digest(certificate_der),
        }
    }

    /// Whether `certificate_der` has this fingerprint.
    pub fn matches(&self, certificate_der: &[u8]) -> bool {
        digest::digest(self.algorithm.digest_algorithm(), certificate_der).as_ref()
            == self.value.as_slice()
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest bytes.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The digest alone in SDP form (`AB:CD:...`), as the W3C
    /// `RTCDtlsFingerprint.value` carries it.
    pub fn hex(&self) -> String {
        let mut s = String::with_capacity(self.value.len() * 3);
        for (i, b) in self.value.iter().enumerate() {
            if i > 0 {
                s.push(':');
            }
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        s
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.algorithm, self.hex())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl FromStr for Fingerprint {
    type Err = DtlsError;

    /// Parses `hash-func SP fingerprint` (RFC 8122 §5), tolerating
    /// surrounding whitespace, several blanks between the parts, and
    /// lowercase hex.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_ascii_whitespace();
        let (Some(alg), Some(hex), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(DtlsError::InvalidFingerprint(format!(
                "expected \"<hash-func> <hex>\", got {s:?}"
            )));
        };
        let algorithm: HashAlgorithm = alg.parse()?;
        let mut value = Vec::with_capacity(algorithm.output_len());
        for pair in hex.split(':') {
            let b = pair.as_bytes();
            let byte = match b {
                [hi, lo] => hex_val(*hi).zip(hex_val(*lo)).map(|(h, l)| (h << 4) | l),
                _ => None,
            };
            let Some(byte) = byte else {
                return Err(DtlsError::InvalidFingerprint(format!(
                    "{pair:?} is not a pair of hex digits"
                )));
            };
            value.push(byte);
        }
        Self::new(algorithm, value)
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_sdp_form() {
        let fp = Fingerprint::new(HashAlgorithm::Sha1, vec![0xab; 20]).unwrap();
        assert_eq!(
            fp.to_string(),
            "sha-1 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB"
        );
        assert_eq!(fp.hex().len(), 20 * 3 - 1);
    }

    #[test]
    fn parses_browser_and_aiortc_forms() {
        // Chromium: uppercase; aiortc: lowercase hex, "sha-256".
        let chrome = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5A:66:5C:4D:7D:37:F6:5E:AA:14:A6";
        let aiortc = chrome.to_lowercase();
        let upper_alg = chrome.replace("sha-256", "SHA-256");
        let a: Fingerprint = chrome.parse().unwrap();
        let b: Fingerprint = aiortc.parse().unwrap();
        let c: Fingerprint = format!("  {}  ", upper_alg.replace(' ', "\t "))
            .parse()
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.algorithm(), HashAlgorithm::Sha256);
        assert_eq!(a.value()[0], 0x4a);
        assert_eq!(a.to_string(), chrome);
    }

    #[test]
    fn every_algorithm_round_trips_and_matches() {
        let der = b"\x30\x82 certificate bytes";
        for alg in HashAlgorithm::ALL {
            let fp = Fingerprint::of(der, alg);
            assert_eq!(fp.value().len(), alg.output_len());
            let back: Fingerprint = fp.to_string().parse().unwrap();
            assert_eq!(back, fp);
            assert!(back.matches(der));
            assert!(!back.matches(b"other"));
        }
    }

    #[test]
    fn known_sha256_vector() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let fp = Fingerprint::of(b"abc", HashAlgorithm::Sha256);
        assert_eq!(
            fp.hex(),
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "sha-256",
            "md5 AB:CD",
            "sha-256 AB:CD",       // too short
            "sha-256 ABCD",        // no colons
            "sha-256 AB:CD extra", // trailing token
            "sha-256 A:BC",        // odd digits
            "sha-256 GG:00",       // not hex
            "sha-256 :AB",         // empty pair
            "sha-1 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:", // trailing colon
            "sha-1 ÄB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB", // non-ASCII
        ] {
            assert!(bad.parse::<Fingerprint>().is_err(), "{bad:?} parsed");
        }
        assert!(Fingerprint::new(HashAlgorithm::Sha512, vec![0; 32]).is_err());
    }
}
