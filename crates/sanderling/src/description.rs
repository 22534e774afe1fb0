//! [`SessionDescription`] and [`IceCandidate`]: what the application
//! carries between the peers (its signalling).

use std::fmt;
use std::str::FromStr;

use sanderling_rtc::jsep;

use crate::error::Error;

/// W3C `RTCSdpType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SdpType {
    /// `"offer"`.
    Offer,
    /// `"pranswer"`: a provisional answer.
    Pranswer,
    /// `"answer"`.
    Answer,
    /// `"rollback"`: undo the pending offer.
    Rollback,
}

impl SdpType {
    /// The W3C name, as in signalling JSON (`{"type": "offer", ...}`).
    pub fn as_str(self) -> &'static str {
        self.to_core().as_str()
    }

    fn to_core(self) -> jsep::SdpType {
        match self {
            Self::Offer => jsep::SdpType::Offer,
            Self::Pranswer => jsep::SdpType::Pranswer,
            Self::Answer => jsep::SdpType::Answer,
            Self::Rollback => jsep::SdpType::Rollback,
        }
    }

    fn from_core(t: jsep::SdpType) -> Self {
        match t {
            jsep::SdpType::Offer => Self::Offer,
            jsep::SdpType::Pranswer => Self::Pranswer,
            jsep::SdpType::Answer => Self::Answer,
            jsep::SdpType::Rollback => Self::Rollback,
        }
    }
}

impl fmt::Display for SdpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SdpType {
    type Err = Error;
    /// `"offer"`, `"pranswer"`, `"answer"` or `"rollback"`; anything else is
    /// a `TypeError`.
    fn from_str(s: &str) -> Result<Self, Error> {
        s.parse::<jsep::SdpType>()
            .map(Self::from_core)
            .map_err(Error::from)
    }
}

/// W3C `RTCSessionDescription`: an offer or answer to hand to the peer.
///
/// ```
/// use sanderling::{SdpType, SessionDescription};
/// let d = SessionDescription::new(SdpType::Offer, "v=0\r\n...");
/// assert_eq!(d.sdp_type.as_str(), "offer");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// Offer, answer, ...
    pub sdp_type: SdpType,
    /// The SDP text.
    pub sdp: String,
}

impl SessionDescription {
    /// A description of `sdp_type` with the SDP text `sdp`.
    pub fn new(sdp_type: SdpType, sdp: impl Into<String>) -> Self {
        Self {
            sdp_type,
            sdp: sdp.into(),
        }
    }

    pub(crate) fn to_core(&self) -> jsep::SessionDescription {
        jsep::SessionDescription {
            sdp_type: self.sdp_type.to_core(),
            sdp: self.sdp.clone(),
        }
    }

    pub(crate) fn from_core(d: &jsep::SessionDescription) -> Self {
        Self {
            sdp_type: SdpType::from_core(d.sdp_type),
            sdp: d.sdp.clone(),
        }
    }
}

/// W3C `RTCIceCandidate` (the `RTCIceCandidateInit` fields): one trickled
/// candidate.
///
/// ```
/// use sanderling::IceCandidate;
/// let c = IceCandidate::new("candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host");
/// assert_eq!(c.sdp_m_line_index, Some(0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceCandidate {
    /// The `candidate:` attribute value (with its `candidate:` prefix).
    pub candidate: String,
    /// The media section's `a=mid` (data connections have one section).
    pub sdp_mid: Option<String>,
    /// The media section's index.
    pub sdp_m_line_index: Option<u16>,
}

impl IceCandidate {
    /// A candidate of the first (and only) media section.
    pub fn new(candidate: impl Into<String>) -> Self {
        Self {
            candidate: candidate.into(),
            sdp_mid: None,
            sdp_m_line_index: Some(0),
        }
    }
}
