//! What a data channel carries: text or binary, mapped to PPIDs.

use bytes::Bytes;
use sanderling_sctp::types::Ppid;

use crate::ppid;

/// One data-channel message (W3C `send(string)` / `send(ArrayBuffer)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A string.
    Text(String),
    /// Bytes.
    Binary(Bytes),
}

impl Message {
    /// Size in bytes on the wire (the UTF-8 length for text).
    pub fn len(&self) -> usize {
        match self {
            Self::Text(s) => s.len(),
            Self::Binary(b) => b.len(),
        }
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The PPID and payload to send. SCTP cannot carry an empty message, so
    /// empty ones go as a single zero byte with their own PPID (RFC 8831 §6.6).
    pub(crate) fn into_wire(self) -> (Ppid, Bytes) {
        match self {
            Self::Text(s) if s.is_empty() => (ppid::STRING_EMPTY, Bytes::from_static(&[0])),
            Self::Text(s) => (ppid::STRING, Bytes::from(s.into_bytes())),
            Self::Binary(b) if b.is_empty() => (ppid::BINARY_EMPTY, Bytes::from_static(&[0])),
            Self::Binary(b) => (ppid::BINARY, b),
        }
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for Message {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<Bytes> for Message {
    fn from(b: Bytes) -> Self {
        Self::Binary(b)
    }
}

impl From<Vec<u8>> for Message {
    fn from(b: Vec<u8>) -> Self {
        Self::Binary(Bytes::from(b))
    }
}
