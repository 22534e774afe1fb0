//! Views of one media section that resolve what it inherits from the
//! session level, and the data-channel view JSEP reads.
//!
//! Where an attribute may stand at either level, the media level wins and
//! the session level is the fallback: ICE credentials and options (RFC
//! 8839 §5.4, §5.6), fingerprints (RFC 8122 §5), setup (RFC 4145 §4, as
//! aiortc and older peers write it), end-of-candidates (RFC 8840 §8.2).
//! Firefox and libdatachannel put fingerprints and ice-options at session
//! level; Chromium and aiortc put everything in the section.

use std::ops::Deref;

use crate::attribute::names;
use crate::candidate::Candidate;
use crate::fingerprint::Fingerprint;
use crate::group::Group;
use crate::media::MediaDescription;
use crate::sctp::{DEFAULT_SCTP_PORT, MaxMessageSize, SctpProtocol, Sctpmap};
use crate::session::SessionDescription;
use crate::setup::Setup;
use crate::text::parse_u16;

/// One media section with the session level to fall back on.
#[derive(Clone, Copy, Debug)]
pub struct MediaView<'a> {
    session: &'a SessionDescription,
    media: &'a MediaDescription,
    index: usize,
}

impl<'a> MediaView<'a> {
    /// The view of `session.media[index]`; `index` must be in range.
    pub(crate) fn new(session: &'a SessionDescription, index: usize) -> Self {
        Self {
            session,
            media: &session.media[index],
            index,
        }
    }

    /// The m-line index (JSEP's `sdpMLineIndex`).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The section itself.
    pub fn media(&self) -> &'a MediaDescription {
        self.media
    }

    /// The whole description.
    pub fn session(&self) -> &'a SessionDescription {
        self.session
    }

    /// `a=mid` (JSEP's `sdpMid`).
    pub fn mid(&self) -> Option<&'a str> {
        self.media.mid()
    }

    /// `a=ice-ufrag`, from the section or else the session.
    pub fn ice_ufrag(&self) -> Option<&'a str> {
        self.media.ice_ufrag().or_else(|| self.session.ice_ufrag())
    }

    /// `a=ice-pwd`, from the section or else the session.
    pub fn ice_pwd(&self) -> Option<&'a str> {
        self.media.ice_pwd().or_else(|| self.session.ice_pwd())
    }

    /// The section's ICE options if it has `a=ice-options`, else the
    /// session's.
    pub fn ice_options(&self) -> Vec<&'a str> {
        if self.media.has_attribute(names::ICE_OPTIONS) {
            self.media.ice_options()
        } else {
            self.session.ice_options()
        }
    }

    /// Whether the peer trickles (`a=ice-options` includes `trickle`, RFC
    /// 8840 §8.1). aiortc never says so, though it accepts trickled
    /// candidates.
    pub fn trickle(&self) -> bool {
        self.ice_options().contains(&"trickle")
    }

    /// Whether the peer is an ICE lite agent (session-level `a=ice-lite`).
    pub fn ice_lite(&self) -> bool {
        self.session.ice_lite()
    }

    /// The section's fingerprints if it has any, else the session's.
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        let own = self.media.fingerprints();
        if own.is_empty() {
            self.session.fingerprints()
        } else {
            own
        }
    }

    /// `a=setup`, from the section or else the session.
    pub fn setup(&self) -> Option<Setup> {
        self.media.setup().or_else(|| self.session.setup())
    }

    /// The section's candidates, in order.
    pub fn candidates(&self) -> impl Iterator<Item = Candidate> + 'a {
        self.media.candidates()
    }

    /// Whether gathering is over for this section: `a=end-of-candidates` in
    /// the section or at session level.
    pub fn end_of_candidates(&self) -> bool {
        self.media.end_of_candidates() || self.session.end_of_candidates()
    }

    /// The BUNDLE group that lists this section's mid, if any.
    pub fn bundle_group(&self) -> Option<Group> {
        let mid = self.mid()?;
        self.session
            .groups()
            .find(|g| g.is_bundle() && g.mids.iter().any(|m| m == mid))
    }

    /// The data-channel view, if this is an SCTP-over-DTLS application
    /// section.
    pub fn data(&self) -> Option<DataSection<'a>> {
        let protocol = self.media.sctp_protocol()?;
        Some(DataSection {
            view: *self,
            protocol,
        })
    }
}

/// An `m=application` section carrying SCTP over DTLS: what the peer core
/// needs to start ICE, DTLS and SCTP. Dereferences to its [`MediaView`]
/// for the ICE and DTLS parameters.
#[derive(Clone, Copy, Debug)]
pub struct DataSection<'a> {
    view: MediaView<'a>,
    protocol: SctpProtocol,
}

impl<'a> DataSection<'a> {
    /// The section as a general view.
    pub fn view(&self) -> MediaView<'a> {
        self.view
    }

    /// The modern or the legacy form; an answer uses the offer's.
    pub fn protocol(&self) -> SctpProtocol {
        self.protocol
    }

    /// The peer's SCTP port. Modern form: `a=sctp-port`, or 5000 if absent
    /// (RFC 8841 §5.2). Legacy form: the m-line format, else the
    /// `a=sctpmap` port, else 5000.
    pub fn sctp_port(&self) -> u16 {
        let media = self.view.media;
        match self.protocol {
            SctpProtocol::Modern => media.sctp_port_attribute(),
            SctpProtocol::Legacy => media
                .formats
                .first()
                .and_then(|f| parse_u16(f, "m= format").ok())
                .or_else(|| media.sctpmap().map(|m| m.port)),
        }
        .unwrap_or(DEFAULT_SCTP_PORT)
    }

    /// The legacy `a=sctpmap`, if present.
    pub fn sctpmap(&self) -> Option<Sctpmap> {
        self.view.media.sctpmap()
    }

    /// The largest message the peer accepts: `a=max-message-size`, 0 meaning
    /// unlimited; absent means 64 KiB (RFC 8841 §6.2), in either form.
    pub fn max_message_size(&self) -> MaxMessageSize {
        MaxMessageSize::from_attribute(self.view.media.max_message_size_attribute())
    }

    /// The peer's SCTP INIT chunk, base64 as `a=sctp-init` carries it
    /// (SNAP, draft-hancke-tsvwg-snap), not decoded or checked: the draft
    /// has an invalid one ignored, which is the caller's to do.
    pub fn sctp_init(&self) -> Option<&str> {
        self.view.media.attribute_value(names::SCTP_INIT)
    }
}

impl<'a> Deref for DataSection<'a> {
    type Target = MediaView<'a>;

    fn deref(&self) -> &Self::Target {
        &self.view
    }
}
