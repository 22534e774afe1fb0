//! The session description (RFC 8866 §5): the session-level lines and the
//! media sections.
//!
//! ```text
//! v=0                                        version, first line
//! o=<user> <sess-id> <sess-version> <nettype> <addrtype> <address>
//! s=<session name>                           third line; browsers write `-`
//! i=  u=  e=*  p=*  c=  b=*                  optional
//! t=<start> <stop>  (r=*)                    one or more; WebRTC writes `t=0 0`
//! z=  k=                                     optional
//! a=*                                        session-level attributes
//! m=...                                      media sections
//! ```
//!
//! [`Display`](fmt::Display) writes the lines in this order with CRLF line
//! endings; the parser accepts the lines after `s=` in any order within
//! their level, so a description in another order parses to the same model
//! and is re-written in the canonical order.

use std::fmt;
use std::str::FromStr;

use crate::attribute::{self, Attribute, names};
use crate::connection::{Bandwidth, Connection};
use crate::error::{SdpError, ValueError};
use crate::fingerprint::Fingerprint;
use crate::group::Group;
use crate::media::MediaDescription;
use crate::setup::Setup;
use crate::text::{fields, ice_options, is_token, parse_u64};
use crate::view::{DataSection, MediaView};

/// The `o=` line.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Origin {
    /// The user name; `-` in WebRTC.
    pub username: String,
    /// The session id: random, fixed for the session's life.
    pub session_id: u64,
    /// The session version: JSEP increments it with every new description.
    pub session_version: u64,
    /// Network type, `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The originating address (meaningless in WebRTC; `127.0.0.1` or `0.0.0.0`).
    pub address: String,
}

impl Origin {
    /// Parses the text after `o=`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let f: Vec<&str> = fields(s).take(7).collect();
        let [
            username,
            session_id,
            session_version,
            net_type,
            addr_type,
            address,
        ] = f[..]
        else {
            return Err(ValueError::new(
                "o= line",
                "not `<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`",
            ));
        };
        if !is_token(net_type) || !is_token(addr_type) {
            return Err(ValueError::new(
                "o= line",
                "network or address type not a token",
            ));
        }
        Ok(Self {
            username: username.to_owned(),
            session_id: parse_u64(session_id, "o= session id")?,
            session_version: parse_u64(session_version, "o= session version")?,
            net_type: net_type.to_owned(),
            addr_type: addr_type.to_owned(),
            address: address.to_owned(),
        })
    }
}

impl fmt::Display for Origin {
    /// The text after `o=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.net_type,
            self.addr_type,
            self.address
        )
    }
}

/// A `t=` line and the `r=` lines after it.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Timing {
    /// Start time (NTP seconds); 0 in WebRTC.
    pub start: u64,
    /// Stop time (NTP seconds); 0 (unbounded) in WebRTC.
    pub stop: u64,
    /// The `r=` lines, verbatim.
    pub repeats: Vec<String>,
}

impl Timing {
    /// Parses the text after `t=`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut f = fields(s);
        let (Some(start), Some(stop), None) = (f.next(), f.next(), f.next()) else {
            return Err(ValueError::new("t= line", "not `<start> <stop>`"));
        };
        Ok(Self {
            start: parse_u64(start, "t= start time")?,
            stop: parse_u64(stop, "t= stop time")?,
            repeats: Vec::new(),
        })
    }
}

/// A whole session description.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SessionDescription {
    /// `v=`: always 0 (the only version there is).
    pub version: u32,
    /// `o=`.
    pub origin: Origin,
    /// `s=`, verbatim (browsers write `-`; may be empty).
    pub session_name: String,
    /// `i=`.
    pub information: Option<String>,
    /// `u=`.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// `c=` at session level.
    pub connection: Option<Connection>,
    /// `b=` lines at session level.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines (at least one), each with its `r=` lines.
    pub times: Vec<Timing>,
    /// `z=`, verbatim.
    pub time_zones: Option<String>,
    /// `k=`, verbatim (obsolete).
    pub key: Option<String>,
    /// Session-level `a=` lines, in order.
    pub attributes: Vec<Attribute>,
    /// The media sections, in order (the m-line index is the position).
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// A description with only the required lines: `v=0`, the origin,
    /// `s=-` and `t=0 0`.
    pub fn new(origin: Origin) -> Self {
        Self {
            version: 0,
            origin,
            session_name: "-".into(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: vec![Timing::default()],
            time_zones: None,
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// Parses a description. Lines end in CRLF or LF; blank lines are
    /// skipped. See [`crate::parse`].
    pub fn parse(input: &str) -> Result<Self, SdpError> {
        crate::parser::parse(input)
    }

    /// Parses a description given as bytes, reporting the line that is not
    /// UTF-8 if one is not.
    pub fn parse_bytes(input: &[u8]) -> Result<Self, SdpError> {
        crate::parser::parse_bytes(input)
    }

    // ----- raw attribute access (session level)

    /// The first session-level attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        attribute::find(&self.attributes, name)
    }

    /// Whether a session-level attribute called `name` is present.
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The trimmed value of the first session-level attribute called `name`
    /// with a value.
    pub fn attribute_value(&self, name: &str) -> Option<&str> {
        attribute::value(&self.attributes, name)
    }

    /// The trimmed values of every session-level attribute called `name`.
    pub fn attribute_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        attribute::values(&self.attributes, name)
    }

    /// Replaces every session-level attribute called `attribute.name` by
    /// `attribute`, at the first one's place, or appends it.
    pub fn set_attribute(&mut self, attribute: Attribute) {
        attribute::set(&mut self.attributes, attribute);
    }

    /// Removes every session-level attribute called `name`.
    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.retain(|a| a.name != name);
    }

    // ----- typed, session level only

    /// Session-level `a=ice-ufrag`.
    pub fn ice_ufrag(&self) -> Option<&str> {
        self.attribute_value(names::ICE_UFRAG)
    }

    /// Session-level `a=ice-pwd`.
    pub fn ice_pwd(&self) -> Option<&str> {
        self.attribute_value(names::ICE_PWD)
    }

    /// The options of the session-level `a=ice-options` lines.
    pub fn ice_options(&self) -> Vec<&str> {
        self.attribute_values(names::ICE_OPTIONS)
            .flat_map(ice_options)
            .collect()
    }

    /// Whether the session says `a=ice-lite` (RFC 8839 §5.3: session level
    /// only).
    pub fn ice_lite(&self) -> bool {
        self.has_attribute(names::ICE_LITE)
    }

    /// Session-level `a=fingerprint` lines (Firefox and libdatachannel put
    /// theirs here).
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        self.attribute_values(names::FINGERPRINT)
            .filter_map(|v| Fingerprint::parse(v).ok())
            .collect()
    }

    /// Session-level `a=setup`.
    pub fn setup(&self) -> Option<Setup> {
        self.attribute_value(names::SETUP)?.parse().ok()
    }

    /// Session-level `a=end-of-candidates` (RFC 8840 allows it here, meaning
    /// every section).
    pub fn end_of_candidates(&self) -> bool {
        self.has_attribute(names::END_OF_CANDIDATES)
    }

    /// The `a=group` lines.
    pub fn groups(&self) -> impl Iterator<Item = Group> + '_ {
        self.attribute_values(names::GROUP)
            .filter_map(|v| Group::parse(v).ok())
    }

    /// The first BUNDLE group (JSEP makes at most one).
    pub fn bundle_group(&self) -> Option<Group> {
        self.groups().find(Group::is_bundle)
    }

    // ----- media sections, resolved against the session level

    /// Every media section, as views that fall back to the session level.
    pub fn media_views(&self) -> impl Iterator<Item = MediaView<'_>> {
        (0..self.media.len()).map(|index| MediaView::new(self, index))
    }

    /// The media section at m-line `index`.
    pub fn media_view(&self, index: usize) -> Option<MediaView<'_>> {
        (index < self.media.len()).then(|| MediaView::new(self, index))
    }

    /// The media section whose `a=mid` is `mid`.
    pub fn media_by_mid(&self, mid: &str) -> Option<MediaView<'_>> {
        self.media_views().find(|m| m.mid() == Some(mid))
    }

    /// Every SCTP-over-DTLS application section.
    pub fn data_sections(&self) -> impl Iterator<Item = DataSection<'_>> {
        self.media_views().filter_map(|m| m.data())
    }

    /// The data-channel section: the first SCTP-over-DTLS application
    /// section that is not rejected, else the first one (rejected), else
    /// `None`. Audio, video and other sections are skipped.
    pub fn data_section(&self) -> Option<DataSection<'_>> {
        self.data_sections()
            .find(|d| !d.media().is_rejected())
            .or_else(|| self.data_sections().next())
    }
}

impl fmt::Display for SessionDescription {
    /// The description in canonical line order, each line ending in CRLF.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v={}\r\n", self.version)?;
        write!(f, "o={}\r\n", self.origin)?;
        write!(f, "s={}\r\n", self.session_name)?;
        if let Some(i) = &self.information {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(u) = &self.uri {
            write!(f, "u={u}\r\n")?;
        }
        for e in &self.emails {
            write!(f, "e={e}\r\n")?;
        }
        for p in &self.phones {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={b}\r\n")?;
        }
        for t in &self.times {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            for r in &t.repeats {
                write!(f, "r={r}\r\n")?;
            }
        }
        if let Some(z) = &self.time_zones {
            write!(f, "z={z}\r\n")?;
        }
        if let Some(k) = &self.key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        for m in &self.media {
            m.fmt(f)?;
        }
        Ok(())
    }
}

impl FromStr for SessionDescription {
    type Err = SdpError;

    /// Same as [`SessionDescription::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin() {
        let o = Origin::parse("mozilla...THIS_IS_SDPARTA-99.0 633370999989416693 0 IN IP4 0.0.0.0")
            .unwrap();
        assert_eq!(o.username, "mozilla...THIS_IS_SDPARTA-99.0");
        assert_eq!(o.session_id, 633370999989416693);
        assert_eq!(o.session_version, 0);
        assert_eq!(
            o.to_string(),
            "mozilla...THIS_IS_SDPARTA-99.0 633370999989416693 0 IN IP4 0.0.0.0"
        );
        for bad in [
            "",
            "- 1 2 IN IP4",
            "- 1 2 IN IP4 0.0.0.0 extra",
            "- x 2 IN IP4 0.0.0.0",
            "- 1 18446744073709551616 IN IP4 0.0.0.0",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timing() {
        assert_eq!(Timing::parse("0 0"), Ok(Timing::default()));
        assert!(Timing::parse("0").is_err());
        assert!(Timing::parse("0 0 0").is_err());
        assert!(Timing::parse("now 0").is_err());
    }
}
