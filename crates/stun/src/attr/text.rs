//! UTF-8 text values (USERNAME, REALM, SOFTWARE, ALTERNATE-DOMAIN and the
//! reason phrases), kept as a slice of the message.
//!
//! RFC 8489 limits most of these to fewer than 128 characters, "which can be
//! as long as 509 bytes when encoding them and as long as 763 bytes when
//! decoding them". This crate applies one byte limit per type to both
//! directions, the decoding one, so that anything it accepts from the wire
//! it can also send back (a TURN client echoes the server's REALM and
//! NONCE). Counting characters is left to whoever writes the text.
//!
//! No SASLprep or OpaqueString (RFC 8265) processing is done: text is passed
//! through as UTF-8 bytes. ICE credentials are ASCII; TURN users with
//! non-ASCII passwords must give them already prepared.

use std::fmt;

use bytes::Bytes;

use super::AttrType;
use crate::error::AttrError;

/// The byte limit of REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN and reason
/// phrases (RFC 8489: 128 characters, up to 763 bytes when decoding).
pub const MAX_TEXT_LEN: usize = 763;

/// UTF-8 text, checked once when made.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(Bytes);

impl Text {
    /// Checks that `bytes` is UTF-8 of at most `max` bytes.
    pub(crate) fn from_bytes(typ: AttrType, bytes: Bytes, max: usize) -> Result<Self, AttrError> {
        if bytes.len() > max {
            return Err(AttrError::new(typ, "text too long"));
        }
        if std::str::from_utf8(&bytes).is_err() {
            return Err(AttrError::new(typ, "text is not UTF-8"));
        }
        Ok(Self(bytes))
    }

    /// Copies `s`, checking its length.
    pub(crate) fn from_str(typ: AttrType, s: &str, max: usize) -> Result<Self, AttrError> {
        Self::from_bytes(typ, Bytes::copy_from_slice(s.as_bytes()), max)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Checked when made; the fallback is unreachable.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The text's bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: AttrType = AttrType::SOFTWARE;

    #[test]
    fn checks_utf8_and_length() {
        let t = Text::from_str(T, "héllo", 10).unwrap();
        assert_eq!(t.as_str(), "héllo");
        assert_eq!(t.len(), 6);
        assert!(!t.is_empty());
        assert_eq!(format!("{t:?} {t}"), "\"héllo\" héllo");
        assert!(Text::from_str(T, "héllo", 5).is_err());
        assert!(Text::from_bytes(T, Bytes::from_static(&[0xff, 0xfe]), 10).is_err());
        assert!(Text::from_bytes(T, Bytes::new(), 0).unwrap().is_empty());
    }
}
