//! What a transport tells its owner: events, states, negotiated parameters.

use bytes::Bytes;

use crate::error::DtlsError;

/// The DTLS version a connection negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtlsVersion {
    /// DTLS 1.2 (RFC 6347).
    Dtls12,
    /// DTLS 1.3 (RFC 9147).
    Dtls13,
}

/// An SRTP protection profile negotiated with the `use_srtp` extension
/// (RFC 5764 §4.1.2, RFC 7714 §14.2). dimpl's client offers all three; a
/// server picks the first in this order that the client offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SrtpProfile {
    /// `SRTP_AEAD_AES_256_GCM` (0x0008).
    AeadAes256Gcm,
    /// `SRTP_AEAD_AES_128_GCM` (0x0007).
    AeadAes128Gcm,
    /// `SRTP_AES128_CM_HMAC_SHA1_80` (0x0001).
    Aes128CmHmacSha1_80,
}

impl SrtpProfile {
    /// The IANA name, as OpenSSL and browsers spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
            Self::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Self::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
        }
    }

    /// The profile's code point in `use_srtp`.
    pub fn id(self) -> u16 {
        match self {
            Self::AeadAes256Gcm => 0x0008,
            Self::AeadAes128Gcm => 0x0007,
            Self::Aes128CmHmacSha1_80 => 0x0001,
        }
    }

    /// Bytes of keying material the profile needs: two master keys and two
    /// master salts (RFC 5764 §4.2).
    pub fn keying_material_len(self) -> usize {
        match self {
            Self::AeadAes256Gcm => 2 * 32 + 2 * 12,
            Self::AeadAes128Gcm => 2 * 16 + 2 * 12,
            Self::Aes128CmHmacSha1_80 => 2 * 16 + 2 * 14,
        }
    }

    pub(crate) fn from_dimpl(p: dimpl::SrtpProfile) -> Option<Self> {
        match p {
            dimpl::SrtpProfile::AEAD_AES_256_GCM => Some(Self::AeadAes256Gcm),
            dimpl::SrtpProfile::AEAD_AES_128_GCM => Some(Self::AeadAes128Gcm),
            dimpl::SrtpProfile::AES128_CM_SHA1_80 => Some(Self::Aes128CmHmacSha1_80),
            _ => None,
        }
    }
}

/// Where a transport is (W3C `RTCDtlsTransportState`, without `new`: a
/// transport starts its handshake when it is created).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtlsState {
    /// Handshaking, or waiting for the remote fingerprints to check the
    /// peer's certificate against.
    Connecting,
    /// Handshake complete and the peer's certificate verified.
    Connected,
    /// Closed by us or by the peer's close_notify.
    Closed,
    /// Failed; [`DtlsTransport::failure`](crate::DtlsTransport::failure) says why.
    Failed,
}

/// What happened, drained with [`DtlsTransport::poll_event`](crate::DtlsTransport::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DtlsEvent {
    /// The handshake completed and the peer's certificate matched its
    /// fingerprint: application data may flow.
    Connected {
        /// The negotiated version.
        version: DtlsVersion,
        /// The SRTP profile, if one was negotiated.
        srtp_profile: Option<SrtpProfile>,
    },
    /// One record of application data from the peer.
    ApplicationData(Bytes),
    /// The peer sent close_notify.
    Closed,
    /// The transport failed; nothing more will be sent or delivered.
    Failed(DtlsError),
}
