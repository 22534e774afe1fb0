//! The SCTP-over-DTLS parts of an `m=application` section (RFC 8841), in
//! the modern form and the legacy one older peers still send.
//!
//! ```text
//! modern (RFC 8841)                          legacy (draft-ietf-mmusic-sctp-sdp-05)
//! m=application 9 UDP/DTLS/SCTP              m=application 9 DTLS/SCTP 5000
//!   webrtc-datachannel                       a=sctpmap:5000 webrtc-datachannel 65535
//! a=sctp-port:5000
//! a=max-message-size:262144
//! ```
//!
//! Defaults (RFC 8841): no `a=sctp-port` means port 5000 (§5.2); no
//! `a=max-message-size` means 64 KiB (§6.2), and 0 means no limit. The
//! legacy form carries the port as the m-line format; legacy peers that
//! send `a=max-message-size` (Firefox, aiortc) are read the same way.

use std::fmt;

use crate::error::ValueError;
use crate::text::{fields, is_token, parse_u16, parse_u32};

/// SCTP port when a description does not say (RFC 8841 §5.2).
pub const DEFAULT_SCTP_PORT: u16 = 5000;

/// Maximum message size when `a=max-message-size` is absent (RFC 8841 §6.2).
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 * 1024;

/// The format of a modern data-channel m-line.
pub const WEBRTC_DATACHANNEL: &str = "webrtc-datachannel";

/// How an `m=application` section describes SCTP over DTLS.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SctpProtocol {
    /// `UDP/DTLS/SCTP` or `TCP/DTLS/SCTP`, format `webrtc-datachannel`,
    /// `a=sctp-port` (RFC 8841).
    Modern,
    /// `DTLS/SCTP`, the SCTP port as the format, `a=sctpmap` (the draft
    /// form; Chromium, Firefox, aiortc and libdatachannel still answer it).
    Legacy,
}

impl SctpProtocol {
    /// Recognises the m-line proto (ASCII case-insensitive); `None` if the
    /// section is not SCTP over DTLS.
    pub fn from_proto(proto: &str) -> Option<Self> {
        if proto.eq_ignore_ascii_case("UDP/DTLS/SCTP")
            || proto.eq_ignore_ascii_case("TCP/DTLS/SCTP")
        {
            Some(Self::Modern)
        } else if proto.eq_ignore_ascii_case("DTLS/SCTP") {
            Some(Self::Legacy)
        } else {
            None
        }
    }
}

/// The legacy `a=sctpmap:<port> <protocol> [<streams>]`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Sctpmap {
    /// The SCTP port (also the m-line format).
    pub port: u16,
    /// The protocol over SCTP, `webrtc-datachannel`.
    pub protocol: String,
    /// The number of streams, if given (Chromium 65535, Firefox 2048).
    pub streams: Option<u32>,
}

impl Sctpmap {
    /// Parses the attribute value.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut f = fields(s);
        let port = parse_u16(
            f.next().ok_or(ValueError::new("sctpmap port", "missing"))?,
            "sctpmap port",
        )?;
        let protocol = f
            .next()
            .filter(|p| is_token(p))
            .ok_or(ValueError::new("sctpmap protocol", "missing"))?;
        let streams = f
            .next()
            .map(|n| parse_u32(n, "sctpmap streams"))
            .transpose()?;
        if f.next().is_some() {
            return Err(ValueError::new("sctpmap", "too many fields"));
        }
        Ok(Self {
            port,
            protocol: protocol.to_owned(),
            streams,
        })
    }
}

impl fmt::Display for Sctpmap {
    /// The attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.port, self.protocol)?;
        if let Some(streams) = self.streams {
            write!(f, " {streams}")?;
        }
        Ok(())
    }
}

/// The largest message the peer accepts, as the description says.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MaxMessageSize {
    /// At most this many bytes.
    Bytes(u64),
    /// `a=max-message-size:0`: any size.
    Unlimited,
}

impl MaxMessageSize {
    /// What an absent attribute means: 64 KiB (RFC 8841 §6.2).
    pub const DEFAULT: Self = Self::Bytes(DEFAULT_MAX_MESSAGE_SIZE);

    /// Reads an attribute value (`None`: no attribute, the default).
    pub fn from_attribute(value: Option<u64>) -> Self {
        match value {
            None => Self::DEFAULT,
            Some(0) => Self::Unlimited,
            Some(n) => Self::Bytes(n),
        }
    }

    /// The limit in bytes, `None` if unlimited.
    pub fn limit(self) -> Option<u64> {
        match self {
            Self::Bytes(n) => Some(n),
            Self::Unlimited => None,
        }
    }

    /// Whether a message of `len` bytes may be sent.
    pub fn allows(self, len: u64) -> bool {
        self.limit().is_none_or(|max| len <= max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols() {
        assert_eq!(
            SctpProtocol::from_proto("UDP/DTLS/SCTP"),
            Some(SctpProtocol::Modern)
        );
        assert_eq!(
            SctpProtocol::from_proto("tcp/dtls/sctp"),
            Some(SctpProtocol::Modern)
        );
        assert_eq!(
            SctpProtocol::from_proto("DTLS/SCTP"),
            Some(SctpProtocol::Legacy)
        );
        assert_eq!(SctpProtocol::from_proto("UDP/TLS/RTP/SAVPF"), None);
    }

    #[test]
    fn sctpmap() {
        let m = Sctpmap::parse("5000 webrtc-datachannel 65535").unwrap();
        assert_eq!(
            (m.port, m.protocol.as_str(), m.streams),
            (5000, "webrtc-datachannel", Some(65535))
        );
        assert_eq!(m.to_string(), "5000 webrtc-datachannel 65535");
        assert_eq!(
            Sctpmap::parse("5000 webrtc-datachannel").unwrap().streams,
            None
        );
        for bad in ["", "5000", "x webrtc-datachannel", "5000 a 1 2", "70000 a"] {
            assert!(Sctpmap::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn max_message_size() {
        assert_eq!(
            MaxMessageSize::from_attribute(None),
            MaxMessageSize::Bytes(65536)
        );
        assert_eq!(
            MaxMessageSize::from_attribute(Some(0)),
            MaxMessageSize::Unlimited
        );
        assert_eq!(
            MaxMessageSize::from_attribute(Some(262144)).limit(),
            Some(262144)
        );
        assert!(MaxMessageSize::DEFAULT.allows(65536));
        assert!(!MaxMessageSize::DEFAULT.allows(65537));
        assert!(MaxMessageSize::Unlimited.allows(u64::MAX));
    }
}
