//! A browser-compatible data-only offer or answer.
//!
//! The layout is Chromium's own for a data channel (checked line by line
//! against the captured `chromium-offer.sdp` in the tests), less the
//! RTP-only `a=extmap-allow-mixed`:
//!
//! ```text
//! v=0
//! o=- <session id> <session version> IN IP4 127.0.0.1
//! s=-
//! t=0 0
//! a=group:BUNDLE 0
//! a=msid-semantic: WMS
//! m=application 9 UDP/DTLS/SCTP webrtc-datachannel
//! c=IN IP4 0.0.0.0
//! a=candidate:...                      (those known when building)
//! a=end-of-candidates                  (if gathering is over)
//! a=ice-ufrag:<ufrag>
//! a=ice-pwd:<pwd>
//! a=ice-options:trickle
//! a=fingerprint:sha-256 <hex>
//! a=setup:actpass                      (answers: active or passive)
//! a=mid:0
//! a=sctp-port:5000
//! a=max-message-size:262144
//! a=sctp-init:<base64>                 (if set: SNAP)
//! ```
//!
//! The m-line port stays 9 and `c=` stays `0.0.0.0` even with candidates:
//! the candidates carry the addresses, and Chromium does the same with
//! its mDNS host candidates. The legacy form (to answer an old peer's
//! legacy offer) is `m=application 9 DTLS/SCTP 5000` with
//! `a=sctpmap:5000 webrtc-datachannel 65535` in place of `a=sctp-port`, as
//! Chromium answers it.

use crate::attribute::{Attribute, names};
use crate::candidate::Candidate;
use crate::connection::Connection;
use crate::fingerprint::Fingerprint;
use crate::group::{BUNDLE, Group};
use crate::media::MediaDescription;
use crate::sctp::{DEFAULT_SCTP_PORT, SctpProtocol, Sctpmap, WEBRTC_DATACHANNEL};
use crate::session::{Origin, SessionDescription};
use crate::setup::Setup;

/// The maximum message size a built description announces by default
/// (Chromium's and aiortc's 256 KiB).
pub const DEFAULT_LOCAL_MAX_MESSAGE_SIZE: u64 = 256 * 1024;

/// Builds a data-only description; see the module docs for the output.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DataDescriptionBuilder {
    session_id: u64,
    session_version: u64,
    ice_ufrag: String,
    ice_pwd: String,
    fingerprints: Vec<Fingerprint>,
    setup: Setup,
    mid: String,
    protocol: SctpProtocol,
    sctp_port: u16,
    max_message_size: Option<u64>,
    sctp_init: Option<String>,
    trickle: bool,
    ice_lite: bool,
    candidates: Vec<Candidate>,
    end_of_candidates: bool,
    /// For an answer to an offer with other sections: those sections,
    /// rejected, in order, and the m-line index of the data section.
    rejected: Vec<MediaDescription>,
    data_index: usize,
}

impl DataDescriptionBuilder {
    /// The required parts. `session_id` should be random with the top bit
    /// clear (JSEP §5.2.1); the caller draws it from its seeded generator.
    /// The session version starts at 2 as Chromium's does; mid `0`, SCTP
    /// port 5000, max message size 256 KiB, trickle announced.
    pub fn new(
        session_id: u64,
        ice_ufrag: impl Into<String>,
        ice_pwd: impl Into<String>,
        fingerprint: Fingerprint,
        setup: Setup,
    ) -> Self {
        Self {
            session_id,
            session_version: 2,
            ice_ufrag: ice_ufrag.into(),
            ice_pwd: ice_pwd.into(),
            fingerprints: vec![fingerprint],
            setup,
            mid: "0".into(),
            protocol: SctpProtocol::Modern,
            sctp_port: DEFAULT_SCTP_PORT,
            max_message_size: Some(DEFAULT_LOCAL_MAX_MESSAGE_SIZE),
            sctp_init: None,
            trickle: true,
            ice_lite: false,
            candidates: Vec::new(),
            end_of_candidates: false,
            rejected: Vec::new(),
            data_index: 0,
        }
    }

    /// Lays the answer out as `offer` is (JSEP §5.3.1): one section per
    /// offered section in the same order, the offer's data section answered
    /// with its mid and form (modern or legacy), every other section
    /// rejected (see [`MediaDescription::rejected_answer`]) and left out of
    /// the BUNDLE group. Without a data section in the offer, nothing
    /// changes. Set the candidates, setup and the rest as for an offer.
    pub fn answer_to(mut self, offer: &SessionDescription) -> Self {
        let Some(data) = offer.data_section() else {
            return self;
        };
        if let Some(mid) = data.mid() {
            self.mid = mid.to_owned();
        }
        self.protocol = data.protocol();
        self.data_index = data.index();
        self.rejected = offer
            .media
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != data.index())
            .map(|(_, m)| MediaDescription::rejected_answer(m))
            .collect();
        self
    }

    /// The `o=` session version (JSEP bumps it for every new description).
    pub fn session_version(mut self, version: u64) -> Self {
        self.session_version = version;
        self
    }

    /// Adds another fingerprint (e.g. sha-384 beside sha-256).
    pub fn fingerprint(mut self, fingerprint: Fingerprint) -> Self {
        self.fingerprints.push(fingerprint);
        self
    }

    /// The section's mid (an answer copies the offer's).
    pub fn mid(mut self, mid: impl Into<String>) -> Self {
        self.mid = mid.into();
        self
    }

    /// Modern (default) or legacy form (an answer uses the offer's).
    pub fn protocol(mut self, protocol: SctpProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The local SCTP port (default 5000).
    pub fn sctp_port(mut self, port: u16) -> Self {
        self.sctp_port = port;
        self
    }

    /// `a=max-message-size` (default 262144); `Some(0)` announces no
    /// limit, `None` leaves the attribute out (the peer then assumes 64 KiB).
    pub fn max_message_size(mut self, size: Option<u64>) -> Self {
        self.max_message_size = size;
        self
    }

    /// `a=sctp-init` with this base64 SCTP INIT chunk (SNAP,
    /// draft-hancke-tsvwg-snap); `None` (the default) leaves it out.
    pub fn sctp_init(mut self, base64: Option<String>) -> Self {
        self.sctp_init = base64;
        self
    }

    /// Whether to announce `a=ice-options:trickle` (default yes).
    pub fn trickle(mut self, trickle: bool) -> Self {
        self.trickle = trickle;
        self
    }

    /// Whether to announce `a=ice-lite` (default no).
    pub fn ice_lite(mut self, lite: bool) -> Self {
        self.ice_lite = lite;
        self
    }

    /// Adds a candidate known when building.
    pub fn candidate(mut self, candidate: Candidate) -> Self {
        self.candidates.push(candidate);
        self
    }

    /// Whether to write `a=end-of-candidates` (gathering is over).
    pub fn end_of_candidates(mut self, end: bool) -> Self {
        self.end_of_candidates = end;
        self
    }

    /// The description.
    pub fn build(&self) -> SessionDescription {
        let mut session = SessionDescription::new(Origin {
            username: "-".into(),
            session_id: self.session_id,
            session_version: self.session_version,
            net_type: "IN".into(),
            addr_type: "IP4".into(),
            address: "127.0.0.1".into(),
        });
        session.attributes.push(
            Group {
                semantics: BUNDLE.into(),
                mids: vec![self.mid.clone()],
            }
            .to_attribute(),
        );
        session
            .attributes
            .push(Attribute::new(names::MSID_SEMANTIC, " WMS"));
        if self.ice_lite {
            session
                .attributes
                .push(Attribute::property(names::ICE_LITE));
        }

        let mut media = match self.protocol {
            SctpProtocol::Modern => MediaDescription::new(
                "application",
                9,
                "UDP/DTLS/SCTP",
                vec![WEBRTC_DATACHANNEL.into()],
            ),
            SctpProtocol::Legacy => MediaDescription::new(
                "application",
                9,
                "DTLS/SCTP",
                vec![self.sctp_port.to_string()],
            ),
        };
        media.connections.push(Connection::unspecified_ipv4());
        let attrs = &mut media.attributes;
        attrs.extend(self.candidates.iter().map(Candidate::to_attribute));
        if self.end_of_candidates {
            attrs.push(Attribute::property(names::END_OF_CANDIDATES));
        }
        attrs.push(Attribute::new(names::ICE_UFRAG, &self.ice_ufrag));
        attrs.push(Attribute::new(names::ICE_PWD, &self.ice_pwd));
        if self.trickle {
            attrs.push(Attribute::new(names::ICE_OPTIONS, "trickle"));
        }
        attrs.extend(self.fingerprints.iter().map(Fingerprint::to_attribute));
        attrs.push(self.setup.to_attribute());
        attrs.push(Attribute::new(names::MID, &self.mid));
        match self.protocol {
            SctpProtocol::Modern => {
                attrs.push(Attribute::new(names::SCTP_PORT, self.sctp_port.to_string()));
            }
            SctpProtocol::Legacy => attrs.push(Attribute::new(
                names::SCTPMAP,
                Sctpmap {
                    port: self.sctp_port,
                    protocol: WEBRTC_DATACHANNEL.into(),
                    streams: Some(65535),
                }
                .to_string(),
            )),
        }
        if let Some(size) = self.max_message_size {
            attrs.push(Attribute::new(names::MAX_MESSAGE_SIZE, size.to_string()));
        }
        if let Some(init) = &self.sctp_init {
            attrs.push(Attribute::new(names::SCTP_INIT, init));
        }
        session.media = self.rejected.clone();
        session
            .media
            .insert(self.data_index.min(session.media.len()), media);
        session
    }
}
