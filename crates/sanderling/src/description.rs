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

/// Our own description `sdp` with the candidates gathered since it was
/// made (`candidate:` values, in order) and, once gathering is `complete`,
/// `a=end-of-candidates`: what W3C `localDescription` returns. The lines
/// go where [`sanderling_sdp::MediaDescription::add_candidate`] would put
/// them (after the last candidate, else before `a=end-of-candidates`, else
/// before `a=ice-ufrag`), but into the text: the description is one this
/// crate wrote, and parsing and writing it again cost more than the rest
/// of the call.
pub(crate) fn with_candidates(sdp: &str, candidates: &[String], complete: bool) -> String {
    const EOC: &str = "a=end-of-candidates\r\n";
    let Some((start, end)) = data_section(sdp) else {
        return sdp.to_owned();
    };
    let section = &sdp[start..end];
    let mut add = String::new();
    for text in candidates {
        // The form the description's builder writes.
        let Ok(c) = sanderling_sdp::Candidate::parse(text) else {
            continue;
        };
        let line = format!("a={c}\r\n");
        if !section.contains(&line) && !add.contains(&line) {
            add.push_str(&line);
        }
    }
    let has_eoc = section.contains(EOC);
    if add.is_empty() && (has_eoc || !complete) {
        return sdp.to_owned();
    }
    let (mut last_candidate_end, mut eoc_at, mut ufrag_at) = (None, None, None);
    let mut at = start;
    for line in section.split_inclusive('\n') {
        if line.starts_with("a=candidate:") {
            last_candidate_end = Some(at + line.len());
        } else if line == EOC {
            eoc_at = eoc_at.or(Some(at));
        } else if line.starts_with("a=ice-ufrag:") {
            ufrag_at = ufrag_at.or(Some(at));
        }
        at += line.len();
    }
    let at = last_candidate_end.or(eoc_at).or(ufrag_at).unwrap_or(end);
    let mut out = String::with_capacity(sdp.len() + add.len() + EOC.len());
    out.push_str(&sdp[..at]);
    out.push_str(&add);
    if complete && !has_eoc {
        out.push_str(EOC);
    }
    out.push_str(&sdp[at..]);
    out
}

/// The byte range of the data channels' media section: the first
/// `m=application` section over DTLS/SCTP with a port.
fn data_section(sdp: &str) -> Option<(usize, usize)> {
    let mut start = None;
    let mut at = 0;
    for line in sdp.split_inclusive('\n') {
        if line.starts_with("m=") {
            if let Some(s) = start {
                return Some((s, at));
            }
            if line.starts_with("m=application ")
                && !line.starts_with("m=application 0 ")
                && line.contains("DTLS/SCTP")
            {
                start = Some(at);
            }
        }
        at += line.len();
    }
    start.map(|s| (s, sdp.len()))
}

/// W3C `RTCIceCandidate`: one trickled candidate, as the
/// `RTCIceCandidateInit` fields; [`fields`](Self::fields) parses the
/// string for the read-only attributes (`foundation`, `address`, `port`,
/// `type`, ...).
///
/// ```
/// use sanderling::{IceCandidate, IceCandidateType, IceProtocol};
/// let c = IceCandidate::new("candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host");
/// assert_eq!(c.sdp_m_line_index, Some(0));
/// let f = c.fields().unwrap();
/// assert_eq!((f.typ, f.transport, f.port), (IceCandidateType::Host, IceProtocol::Udp, 50000));
/// assert_eq!(f.address.to_string(), "192.0.2.1");
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

    /// The candidate string parsed: W3C `RTCIceCandidate`'s read-only
    /// attributes (`foundation`, `component`, `priority`, `address`,
    /// `protocol` as `transport`, `port`, `type` as `typ`, `tcpType`,
    /// `relatedAddress`, `relatedPort`, `usernameFragment` as `ufrag`).
    /// `None` when the string is not a candidate (the empty string of
    /// end-of-candidates, or one that does not parse), where W3C's
    /// attributes are null.
    pub fn fields(&self) -> Option<IceCandidateFields> {
        IceCandidateFields::parse(&self.candidate).ok()
    }
}

/// A parsed candidate ([`IceCandidate::fields`]).
pub use sanderling_sdp::Candidate as IceCandidateFields;
/// A candidate's address: an IP address, or an mDNS `.local` name.
pub use sanderling_sdp::CandidateAddress as IceCandidateAddress;
/// W3C `RTCIceCandidateType`: host, srflx, prflx, relay.
pub use sanderling_sdp::CandidateType as IceCandidateType;
/// W3C `RTCIceTcpCandidateType`: active, passive, so.
pub use sanderling_sdp::TcpType as IceTcpCandidateType;
/// W3C `RTCIceProtocol`: udp, tcp.
pub use sanderling_sdp::Transport as IceProtocol;

#[cfg(test)]
mod tests {
    use super::*;
    use sanderling_sdp::{Candidate, DataDescriptionBuilder, Fingerprint, Setup};

    const C1: &str = "candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host";
    const C2: &str =
        "candidate:2 1 udp 1694498815 198.51.100.7 40000 typ srflx raddr 192.0.2.1 rport 50000";
    const C3: &str = "candidate:3 1 udp 2130706175 2001:db8::1 50002 typ host";

    /// The read-only attributes come from the string; what is not a
    /// candidate has none.
    #[test]
    fn fields_parse_the_candidate_string() {
        let f = IceCandidate::new(C2).fields().unwrap();
        assert_eq!(f.foundation, "2");
        assert_eq!((f.component, f.priority, f.port), (1, 1694498815, 40000));
        assert_eq!(f.typ, IceCandidateType::ServerReflexive);
        assert_eq!(f.transport, IceProtocol::Udp);
        assert_eq!(f.address.to_string(), "198.51.100.7");
        assert_eq!(
            (f.related_address.map(|a| a.to_string()), f.related_port),
            (Some("192.0.2.1".to_string()), Some(50000))
        );
        let tcp = IceCandidate::new(
            "candidate:4 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active ufrag abcd",
        )
        .fields()
        .unwrap();
        assert_eq!(
            (tcp.transport, tcp.tcp_type, tcp.ufrag.as_deref()),
            (
                IceProtocol::Tcp,
                Some(IceTcpCandidateType::Active),
                Some("abcd")
            )
        );
        assert_eq!(IceCandidate::new("").fields(), None);
        assert_eq!(IceCandidate::new("candidate:1 1 udp").fields(), None);
    }

    fn builder(setup: Setup, candidates: &[&str], end: bool) -> DataDescriptionBuilder {
        let mut b = DataDescriptionBuilder::new(
            7,
            "ufrg",
            "passwordpasswordpassword",
            Fingerprint::from_bytes("sha-256", &[0xab; 32]),
            setup,
        )
        .end_of_candidates(end);
        for c in candidates {
            b = b.candidate(Candidate::parse(c).unwrap());
        }
        b
    }

    /// What `localDescription` returned before (parse, add, write), but
    /// with a candidate gathered twice added once.
    fn reparsed(sdp: &str, candidates: &[String], complete: bool) -> String {
        let mut d = sanderling_sdp::SessionDescription::parse(sdp).unwrap();
        let i = d.data_section().unwrap().index();
        let media = &mut d.media[i];
        let mut have: Vec<String> = media.candidates().map(|c| c.to_string()).collect();
        for text in candidates {
            let c = Candidate::parse(text).unwrap();
            if !have.contains(&c.to_string()) {
                media.add_candidate(&c);
                have.push(c.to_string());
            }
        }
        if complete {
            media.set_end_of_candidates(true);
        }
        d.to_string()
    }

    #[test]
    fn candidates_go_where_the_parsed_description_puts_them() {
        let av_offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\
            a=group:BUNDLE a d\r\n\
            m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\n\
            a=ice-ufrag:abcd\r\na=ice-pwd:abcdabcdabcdabcdabcdabcd\r\n\
            a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\r\n\
            a=setup:actpass\r\na=rtpmap:111 opus/48000/2\r\n\
            m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:d\r\n\
            a=ice-ufrag:abcd\r\na=ice-pwd:abcdabcdabcdabcdabcdabcd\r\n\
            a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\r\n\
            a=setup:actpass\r\na=sctp-port:5000\r\n";
        let av_offer = sanderling_sdp::SessionDescription::parse(av_offer).unwrap();
        let descriptions = [
            builder(Setup::Actpass, &[], false).build().to_string(),
            builder(Setup::Actpass, &[C1], false).build().to_string(),
            builder(Setup::Actpass, &[C1, C2], true).build().to_string(),
            builder(Setup::Active, &[], false)
                .answer_to(&av_offer)
                .build()
                .to_string(),
            builder(Setup::Active, &[C2], false)
                .answer_to(&av_offer)
                .build()
                .to_string(),
        ];
        let gathered: [&[&str]; 4] = [&[], &[C1], &[C1, C2, C3], &[C3, C3]];
        let mut checked = 0;
        for sdp in &descriptions {
            for g in gathered {
                let g: Vec<String> = g.iter().map(|c| (*c).to_owned()).collect();
                for complete in [false, true] {
                    let expected = reparsed(sdp, &g, complete);
                    assert_eq!(
                        with_candidates(sdp, &g, complete),
                        expected,
                        "{sdp}\n{g:?} complete {complete}"
                    );
                    checked += usize::from(expected != *sdp);
                }
            }
        }
        // Most combinations changed the description.
        assert!(checked > 20, "{checked}");
    }

    #[test]
    fn a_description_without_a_data_section_is_left_alone() {
        let sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
        assert_eq!(with_candidates(sdp, &[C1.to_owned()], true), sdp);
    }
}
