//! A media section: the `m=` line and the lines after it (RFC 8866 §5.14).
//!
//! ```text
//! m=<media> <port>[/<count>] <proto> <fmt> ...
//! i=<title>                       at most once
//! c=<connection>                  any number
//! b=<bandwidth>                   any number
//! k=<key>                         at most once (obsolete)
//! a=<attribute>                   any number, order kept
//!
//! m=application 9 UDP/DTLS/SCTP webrtc-datachannel
//! m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
//! ```
//!
//! The accessors here read this section's own attributes only; the
//! [`MediaView`](crate::MediaView) of a section also falls back to the
//! session level, as RFC 8839 and RFC 8122 say.

use std::fmt;

use crate::attribute::{self, Attribute, names};
use crate::candidate::Candidate;
use crate::connection::{Bandwidth, Connection};
use crate::error::ValueError;
use crate::fingerprint::Fingerprint;
use crate::sctp::{SctpProtocol, Sctpmap, WEBRTC_DATACHANNEL};
use crate::setup::Setup;
use crate::text::{fields, ice_options, is_token, parse_u16, parse_u64};

/// One media section.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct MediaDescription {
    /// `audio`, `video`, `application`, ...
    pub media: String,
    /// The transport port; 9 (discard) when ICE decides, 0 to reject the
    /// section (or for a `a=bundle-only` section).
    pub port: u16,
    /// The `/<count>` after the port, if any.
    pub port_count: Option<u16>,
    /// The transport protocol, e.g. `UDP/DTLS/SCTP`.
    pub proto: String,
    /// The formats: payload types, `webrtc-datachannel`, or (legacy) the
    /// SCTP port. Real peers always give at least one; an empty list is
    /// accepted.
    pub formats: Vec<String>,
    /// `i=`.
    pub information: Option<String>,
    /// `c=` lines.
    pub connections: Vec<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=`.
    pub key: Option<String>,
    /// `a=` lines, in order.
    pub attributes: Vec<Attribute>,
}

impl MediaDescription {
    /// A section with the given m-line and nothing else.
    pub fn new(
        media: impl Into<String>,
        port: u16,
        proto: impl Into<String>,
        formats: Vec<String>,
    ) -> Self {
        Self {
            media: media.into(),
            port,
            port_count: None,
            proto: proto.into(),
            formats,
            information: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::new(),
        }
    }

    /// The answer's section rejecting `offered` (RFC 3264 §6, JSEP §5.3.1):
    /// same media and proto, port 0, the first offered format (browsers
    /// refuse an m-line without one), `c=IN IP4 0.0.0.0`, and the offered
    /// `a=mid` so the answer's sections still match the offer's.
    pub fn rejected_answer(offered: &MediaDescription) -> Self {
        let mut rejected = Self::new(
            offered.media.clone(),
            0,
            offered.proto.clone(),
            offered.formats.iter().take(1).cloned().collect(),
        );
        rejected.connections.push(Connection::unspecified_ipv4());
        if let Some(mid) = offered.mid() {
            rejected.attributes.push(Attribute::new(names::MID, mid));
        }
        rejected
    }

    /// Parses the text after `m=`; the section starts with no other lines.
    pub fn parse_m_line(s: &str) -> Result<Self, ValueError> {
        const WHAT: &str = "m= line";
        let mut f = fields(s);
        let (Some(media), Some(port), Some(proto)) = (f.next(), f.next(), f.next()) else {
            return Err(ValueError::new(
                WHAT,
                "not `<media> <port> <proto> <format> ...`",
            ));
        };
        if !is_token(media) {
            return Err(ValueError::new("m= media type", "not a token"));
        }
        let (port, port_count) = match port.split_once('/') {
            Some((port, count)) => (port, Some(parse_u16(count, "m= port count")?)),
            None => (port, None),
        };
        let port = parse_u16(port, "m= port")?;
        if !proto.split('/').all(is_token) {
            return Err(ValueError::new("m= proto", "not tokens separated by `/`"));
        }
        let formats = f
            .map(|fmt| {
                is_token(fmt)
                    .then(|| fmt.to_owned())
                    .ok_or(ValueError::new("m= format", "not a token"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            port_count,
            ..Self::new(media, port, proto, formats)
        })
    }

    /// Writes the m-line's value (after `m=`).
    fn fmt_m_line(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.media, self.port)?;
        if let Some(count) = self.port_count {
            write!(f, "/{count}")?;
        }
        write!(f, " {}", self.proto)?;
        for format in &self.formats {
            write!(f, " {format}")?;
        }
        Ok(())
    }

    // ----- raw attribute access

    /// The first attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        attribute::find(&self.attributes, name)
    }

    /// Whether an attribute called `name` is present (with or without value).
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The trimmed value of the first attribute called `name` with a value.
    pub fn attribute_value(&self, name: &str) -> Option<&str> {
        attribute::value(&self.attributes, name)
    }

    /// The trimmed values of every attribute called `name`, in order.
    pub fn attribute_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        attribute::values(&self.attributes, name)
    }

    /// Replaces every attribute called `attribute.name` by `attribute`, at
    /// the first one's place, or appends it.
    pub fn set_attribute(&mut self, attribute: Attribute) {
        attribute::set(&mut self.attributes, attribute);
    }

    /// Removes every attribute called `name`.
    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.retain(|a| a.name != name);
    }

    // ----- typed, this section only

    /// `a=mid`.
    pub fn mid(&self) -> Option<&str> {
        self.attribute_value(names::MID)
    }

    /// `a=ice-ufrag` of this section.
    pub fn ice_ufrag(&self) -> Option<&str> {
        self.attribute_value(names::ICE_UFRAG)
    }

    /// `a=ice-pwd` of this section.
    pub fn ice_pwd(&self) -> Option<&str> {
        self.attribute_value(names::ICE_PWD)
    }

    /// The options of this section's `a=ice-options` lines.
    pub fn ice_options(&self) -> Vec<&str> {
        self.attribute_values(names::ICE_OPTIONS)
            .flat_map(ice_options)
            .collect()
    }

    /// This section's `a=fingerprint` lines.
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        self.attribute_values(names::FINGERPRINT)
            .filter_map(|v| Fingerprint::parse(v).ok())
            .collect()
    }

    /// This section's `a=setup`.
    pub fn setup(&self) -> Option<Setup> {
        self.attribute_value(names::SETUP)?.parse().ok()
    }

    /// This section's `a=candidate` lines, in order.
    pub fn candidates(&self) -> impl Iterator<Item = Candidate> + '_ {
        self.attribute_values(names::CANDIDATE)
            .filter_map(|v| Candidate::parse_value(v).ok())
    }

    /// Whether this section says `a=end-of-candidates`.
    pub fn end_of_candidates(&self) -> bool {
        self.has_attribute(names::END_OF_CANDIDATES)
    }

    /// Whether this section says `a=bundle-only` (RFC 8843 §6: port 0, but
    /// not rejected).
    pub fn is_bundle_only(&self) -> bool {
        self.has_attribute(names::BUNDLE_ONLY)
    }

    /// Whether the section is rejected or disabled: port 0 without
    /// `a=bundle-only`.
    pub fn is_rejected(&self) -> bool {
        self.port == 0 && !self.is_bundle_only()
    }

    /// How this section carries SCTP over DTLS, if it does: `application`
    /// with a DTLS/SCTP proto (and the `webrtc-datachannel` format for the
    /// modern form).
    pub fn sctp_protocol(&self) -> Option<SctpProtocol> {
        if !self.media.eq_ignore_ascii_case("application") {
            return None;
        }
        match SctpProtocol::from_proto(&self.proto)? {
            SctpProtocol::Modern if !self.formats.iter().any(|f| f == WEBRTC_DATACHANNEL) => None,
            protocol => Some(protocol),
        }
    }

    /// `a=sctp-port`, if present (see [`DataSection::sctp_port`](crate::DataSection::sctp_port)
    /// for the port with the defaults applied).
    pub fn sctp_port_attribute(&self) -> Option<u16> {
        parse_u16(self.attribute_value(names::SCTP_PORT)?, "sctp-port").ok()
    }

    /// The legacy `a=sctpmap`, if present.
    pub fn sctpmap(&self) -> Option<Sctpmap> {
        Sctpmap::parse(self.attribute_value(names::SCTPMAP)?).ok()
    }

    /// `a=max-message-size`, if present (see
    /// [`DataSection::max_message_size`](crate::DataSection::max_message_size)
    /// for the default).
    pub fn max_message_size_attribute(&self) -> Option<u64> {
        parse_u64(
            self.attribute_value(names::MAX_MESSAGE_SIZE)?,
            "max-message-size",
        )
        .ok()
    }

    // ----- editing for JSEP

    /// Where a candidate line goes: after the last one, else before
    /// `a=end-of-candidates`, else before `a=ice-ufrag` (Chromium's place
    /// for the first candidate), else at the end.
    fn candidate_position(&self) -> usize {
        let attrs = &self.attributes;
        let after_last = attrs
            .iter()
            .rposition(|a| a.name == names::CANDIDATE)
            .map(|i| i + 1);
        let before = |name: &str| attrs.iter().position(|a| a.name == name);
        after_last
            .or_else(|| before(names::END_OF_CANDIDATES))
            .or_else(|| before(names::ICE_UFRAG))
            .unwrap_or(attrs.len())
    }

    /// Adds an `a=candidate` line: after the last one, else before
    /// `a=end-of-candidates`, else before `a=ice-ufrag`, else at the end.
    pub fn add_candidate(&mut self, candidate: &Candidate) {
        let at = self.candidate_position();
        self.attributes.insert(at, candidate.to_attribute());
    }

    /// Adds `a=end-of-candidates` (once, after the candidates) or removes it.
    pub fn set_end_of_candidates(&mut self, end: bool) {
        if !end {
            self.remove_attribute(names::END_OF_CANDIDATES);
        } else if !self.end_of_candidates() {
            let at = self.candidate_position();
            self.attributes
                .insert(at, Attribute::property(names::END_OF_CANDIDATES));
        }
    }
}

impl fmt::Display for MediaDescription {
    /// The section's lines, each ending in CRLF.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("m=")?;
        self.fmt_m_line(f)?;
        f.write_str("\r\n")?;
        if let Some(i) = &self.information {
            write!(f, "i={i}\r\n")?;
        }
        for c in &self.connections {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={b}\r\n")?;
        }
        if let Some(k) = &self.key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m_lines() {
        let m = MediaDescription::parse_m_line("application 9 UDP/DTLS/SCTP webrtc-datachannel")
            .unwrap();
        assert_eq!(m.media, "application");
        assert_eq!(m.port, 9);
        assert_eq!(m.proto, "UDP/DTLS/SCTP");
        assert_eq!(m.formats, ["webrtc-datachannel"]);
        assert_eq!(m.sctp_protocol(), Some(SctpProtocol::Modern));

        let m = MediaDescription::parse_m_line("audio 49170/2 RTP/AVP 0 8").unwrap();
        assert_eq!((m.port, m.port_count), (49170, Some(2)));
        assert_eq!(m.sctp_protocol(), None);
        assert_eq!(m.to_string(), "m=audio 49170/2 RTP/AVP 0 8\r\n");

        let m = MediaDescription::parse_m_line("application 0 UDP/DTLS/SCTP").unwrap();
        assert!(m.formats.is_empty());
        assert!(m.is_rejected());
        assert_eq!(m.sctp_protocol(), None);

        let legacy = MediaDescription::parse_m_line("application 9 DTLS/SCTP 5000").unwrap();
        assert_eq!(legacy.sctp_protocol(), Some(SctpProtocol::Legacy));

        for bad in [
            "",
            "audio",
            "audio 9",
            "audio x RTP/AVP 0",
            "audio 65536 RTP/AVP 0",
            "audio 9/ RTP/AVP 0",
            "audio 9 RTP//AVP 0",
            "au:dio 9 RTP/AVP 0",
            "audio 9 RTP/AVP 0 a:b",
        ] {
            assert!(MediaDescription::parse_m_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn candidates_go_before_end_of_candidates() {
        let mut m = MediaDescription::new("application", 9, "UDP/DTLS/SCTP", vec![]);
        m.attributes.push(Attribute::new("mid", "0"));
        m.set_end_of_candidates(true);
        m.set_end_of_candidates(true);
        let c = Candidate::parse("1 1 udp 1 198.18.0.1 5000 typ host").unwrap();
        m.add_candidate(&c);
        m.add_candidate(&c);
        let names: Vec<&str> = m.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["mid", "candidate", "candidate", "end-of-candidates"]
        );
        assert_eq!(m.candidates().count(), 2);
        m.set_end_of_candidates(false);
        assert!(!m.end_of_candidates());
    }
}
