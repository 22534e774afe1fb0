//! `a=fingerprint` (RFC 8122 §5): the hash of the certificate DTLS will
//! present.
//!
//! ```text
//! a=fingerprint:<hash-func> <XX:XX:...:XX>
//! a=fingerprint:sha-256 26:66:09:66:6B:D8:28:4D:...:51:6F:C4:74
//! ```
//!
//! Kept as two strings here; `sanderling-dtls` has its own fingerprint type
//! and the peer core converts ([`Fingerprint::bytes`] helps). aiortc lists
//! sha-256, sha-384 and sha-512; the browsers list sha-256 only.

use std::fmt;
use std::str::FromStr;

use crate::attribute::{Attribute, names};
use crate::error::ValueError;
use crate::text::{fields, is_token};

/// A certificate fingerprint: hash function and hex value.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Fingerprint {
    /// The hash function's name as written, e.g. `"sha-256"`. RFC 8122
    /// names are case-insensitive; compare with
    /// [`eq_ignore_ascii_case`](str::eq_ignore_ascii_case).
    pub algorithm: String,
    /// Colon-separated hex bytes as written, e.g. `"26:66:...:74"`
    /// (upper case by RFC 8122; lower case is accepted).
    pub value: String,
}

impl Fingerprint {
    /// A fingerprint from an algorithm name and the hash bytes; the value is
    /// written as RFC 8122 says (upper-case hex, colon-separated).
    pub fn from_bytes(algorithm: impl Into<String>, hash: &[u8]) -> Self {
        let mut value = String::with_capacity(hash.len() * 3);
        for (i, b) in hash.iter().enumerate() {
            if i > 0 {
                value.push(':');
            }
            value.push(char::from(HEX[usize::from(b >> 4)]));
            value.push(char::from(HEX[usize::from(b & 0xF)]));
        }
        Self {
            algorithm: algorithm.into(),
            value,
        }
    }

    /// Parses the attribute value: `<hash-func> <hex>`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut f = fields(s);
        let (Some(algorithm), Some(value), None) = (f.next(), f.next(), f.next()) else {
            return Err(ValueError::new(
                "fingerprint",
                "not `<hash-function> <hex bytes>`",
            ));
        };
        if !is_token(algorithm) {
            return Err(ValueError::new("fingerprint hash function", "not a token"));
        }
        let well_formed = value
            .split(':')
            .all(|byte| byte.len() == 2 && byte.bytes().all(|b| b.is_ascii_hexdigit()));
        if !well_formed {
            return Err(ValueError::new(
                "fingerprint value",
                "not colon-separated pairs of hex digits",
            ));
        }
        Ok(Self {
            algorithm: algorithm.to_owned(),
            value: value.to_owned(),
        })
    }

    /// The hash bytes, or `None` if the value is not well formed (only
    /// possible for a hand-built fingerprint: [`Fingerprint::parse`] checks).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        self.value
            .split(':')
            .map(|byte| match byte.as_bytes() {
                [hi, lo] => Some(hex_digit(*hi)? << 4 | hex_digit(*lo)?),
                _ => None,
            })
            .collect()
    }

    /// This fingerprint as an `a=fingerprint` attribute.
    pub fn to_attribute(&self) -> Attribute {
        Attribute::new(names::FINGERPRINT, self.to_string())
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn hex_digit(c: u8) -> Option<u8> {
    char::from(c).to_digit(16).map(|d| d as u8)
}

impl fmt::Display for Fingerprint {
    /// The attribute value, `<algorithm> <value>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.algorithm, self.value)
    }
}

impl FromStr for Fingerprint {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_bytes_and_back() {
        let f = Fingerprint::parse("sha-256 26:66:09:6b:D8").unwrap();
        assert_eq!(f.algorithm, "sha-256");
        assert_eq!(f.bytes(), Some(vec![0x26, 0x66, 0x09, 0x6B, 0xD8]));
        assert_eq!(f.to_string(), "sha-256 26:66:09:6b:D8");
        let g = Fingerprint::from_bytes("sha-256", &[0x26, 0x66, 0x09, 0x6B, 0xD8]);
        assert_eq!(g.value, "26:66:09:6B:D8");
    }

    #[test]
    fn malformed() {
        for bad in [
            "",
            "sha-256",
            "sha-256 AB:CD extra",
            "sha-256 ABC:D",
            "sha-256 AB::CD",
            "sha-256 AB:",
            "sha-256 GG",
            "sha/256 AB",
        ] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad:?}");
        }
    }
}
