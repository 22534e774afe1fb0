//! `a=` lines (RFC 8866 §5.13): a name and an optional value, kept verbatim
//! and in order, so attributes this crate does not know round-trip.
//!
//! ```text
//! a=<attribute-name>              a property ("flag"), e.g. a=rtcp-mux
//! a=<attribute-name>:<value>      e.g. a=sctp-port:5000
//! ```
//!
//! The value is everything after the first `:`, leading spaces included
//! (Chromium writes `a=msid-semantic: WMS`). The attributes WebRTC data
//! channels rely on are checked while parsing (see [`Attribute::validate`]), so a
//! malformed one is reported with its line; their typed forms are read by
//! the accessors on [`SessionDescription`](crate::SessionDescription),
//! [`MediaDescription`](crate::MediaDescription) and the views.

use std::fmt;

use crate::candidate::Candidate;
use crate::error::ValueError;
use crate::fingerprint::Fingerprint;
use crate::group::Group;
use crate::sctp::Sctpmap;
use crate::setup::Setup;
use crate::text::{ice_options, is_token, one_word, parse_u16, parse_u64};

/// Attribute names this crate reads.
pub mod names {
    /// `a=candidate:<candidate>` (RFC 8839 §5.1).
    pub const CANDIDATE: &str = "candidate";
    /// `a=end-of-candidates` (RFC 8840 §8.2).
    pub const END_OF_CANDIDATES: &str = "end-of-candidates";
    /// `a=ice-ufrag:<ufrag>` (RFC 8839 §5.4).
    pub const ICE_UFRAG: &str = "ice-ufrag";
    /// `a=ice-pwd:<password>` (RFC 8839 §5.4).
    pub const ICE_PWD: &str = "ice-pwd";
    /// `a=ice-options:<option> ...` (RFC 8839 §5.6).
    pub const ICE_OPTIONS: &str = "ice-options";
    /// `a=ice-lite` (RFC 8839 §5.3).
    pub const ICE_LITE: &str = "ice-lite";
    /// `a=fingerprint:<hash-func> <hex>` (RFC 8122 §5).
    pub const FINGERPRINT: &str = "fingerprint";
    /// `a=setup:<role>` (RFC 4145 §4, RFC 8842).
    pub const SETUP: &str = "setup";
    /// `a=mid:<id>` (RFC 5888 §4, RFC 8843).
    pub const MID: &str = "mid";
    /// `a=group:<semantics> <mid> ...` (RFC 5888 §5).
    pub const GROUP: &str = "group";
    /// `a=bundle-only` (RFC 8843 §6).
    pub const BUNDLE_ONLY: &str = "bundle-only";
    /// `a=sctp-port:<port>` (RFC 8841 §5).
    pub const SCTP_PORT: &str = "sctp-port";
    /// `a=max-message-size:<bytes>` (RFC 8841 §6).
    pub const MAX_MESSAGE_SIZE: &str = "max-message-size";
    /// `a=sctp-init:<base64 SCTP INIT chunk>` (SNAP,
    /// draft-hancke-tsvwg-snap).
    pub const SCTP_INIT: &str = "sctp-init";
    /// `a=sctpmap:<port> <protocol> [<streams>]` (the legacy draft form,
    /// draft-ietf-mmusic-sctp-sdp-05).
    pub const SCTPMAP: &str = "sctpmap";
    /// `a=msid-semantic:<semantics> [<ids>]` (pre-RFC 8830 form browsers emit).
    pub const MSID_SEMANTIC: &str = "msid-semantic";
}

/// One `a=` line: a name and, unless the attribute is a property, a value.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Attribute {
    /// The attribute name (an RFC 8866 token), e.g. `"sctp-port"`.
    pub name: String,
    /// Everything after the first `:`, verbatim; `None` for a property such
    /// as `a=rtcp-mux`, `Some("")` for `a=name:`.
    pub value: Option<String>,
}

impl Attribute {
    /// An attribute with a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// A property attribute (no value), e.g. `a=end-of-candidates`.
    pub fn property(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: None,
        }
    }

    /// Parses the text after `a=`.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let (name, value) = match text.split_once(':') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        if !is_token(name) {
            return Err(ValueError::new(
                "attribute name",
                "not a token (letters, digits and -.!#$%&'*+^_`{|}~)",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        })
    }

    /// The value with surrounding spaces removed, if there is one.
    pub fn trimmed_value(&self) -> Option<&str> {
        self.value.as_deref().map(|v| v.trim_matches([' ', '\t']))
    }
}

impl fmt::Display for Attribute {
    /// The text after `a=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}:{}", self.name, value),
            None => f.write_str(&self.name),
        }
    }
}

impl Attribute {
    /// Checks the value of an attribute this crate reads (candidate,
    /// fingerprint, setup, group, sctpmap, sctp-port, max-message-size, mid,
    /// ice-ufrag, ice-pwd, ice-options); others pass unchecked. The parser
    /// calls it on every `a=` line, so the typed accessors never meet a
    /// malformed value in a parsed description.
    pub fn validate(&self) -> Result<(), ValueError> {
        validate(self)
    }
}

fn validate(attribute: &Attribute) -> Result<(), ValueError> {
    let value = attribute.trimmed_value();
    let needs = |what: &'static str| value.ok_or(ValueError::new(what, "missing value"));
    match attribute.name.as_str() {
        names::CANDIDATE => Candidate::parse_value(needs("candidate")?).map(drop),
        names::FINGERPRINT => Fingerprint::parse(needs("fingerprint")?).map(drop),
        names::SETUP => needs("setup")?.parse::<Setup>().map(drop),
        names::GROUP => Group::parse(needs("group")?).map(drop),
        names::SCTPMAP => Sctpmap::parse(needs("sctpmap")?).map(drop),
        names::SCTP_PORT => parse_u16(needs("sctp-port")?, "sctp-port").map(drop),
        names::MAX_MESSAGE_SIZE => {
            parse_u64(needs("max-message-size")?, "max-message-size").map(drop)
        }
        names::MID => one_word(needs("mid")?, "mid"),
        names::ICE_UFRAG => one_word(needs("ice-ufrag")?, "ice-ufrag"),
        names::ICE_PWD => one_word(needs("ice-pwd")?, "ice-pwd"),
        names::ICE_OPTIONS => match ice_options(needs("ice-options")?).next() {
            Some(_) => Ok(()),
            None => Err(ValueError::new("ice-options", "no option")),
        },
        _ => Ok(()),
    }
}

/// The attribute lookups session and media level share.
pub(crate) fn find<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attributes.iter().find(|a| a.name == name)
}

/// Trimmed values of every attribute called `name` that has one.
pub(crate) fn values<'a>(
    attributes: &'a [Attribute],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    attributes
        .iter()
        .filter(move |a| a.name == name)
        .filter_map(Attribute::trimmed_value)
}

/// The first trimmed value of `name`.
pub(crate) fn value<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .filter(|a| a.name == name)
        .find_map(Attribute::trimmed_value)
}

/// Replaces every attribute called `name` by one with `value`, at the place
/// of the first (or at the end).
pub(crate) fn set(attributes: &mut Vec<Attribute>, attribute: Attribute) {
    match attributes.iter().position(|a| a.name == attribute.name) {
        Some(first) => {
            attributes[first] = attribute;
            let name = attributes[first].name.clone();
            let mut index = 0;
            attributes.retain(|a| {
                index += 1;
                index - 1 <= first || a.name != name
            });
        }
        None => attributes.push(attribute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_the_value_verbatim() {
        let a = Attribute::parse("msid-semantic: WMS").unwrap();
        assert_eq!(a.name, "msid-semantic");
        assert_eq!(a.value.as_deref(), Some(" WMS"));
        assert_eq!(a.trimmed_value(), Some("WMS"));
        assert_eq!(a.to_string(), "msid-semantic: WMS");

        let a = Attribute::parse("fmtp:111 minptime=10;useinbandfec=1").unwrap();
        assert_eq!(a.value.as_deref(), Some("111 minptime=10;useinbandfec=1"));

        let a = Attribute::parse("extmap:2 http://x/y:z").unwrap();
        assert_eq!(a.value.as_deref(), Some("2 http://x/y:z"));

        assert_eq!(Attribute::parse("rtcp-mux").unwrap().value, None);
        assert_eq!(Attribute::parse("x:").unwrap().value.as_deref(), Some(""));
        assert_eq!(Attribute::parse("x:").unwrap().to_string(), "x:");
        for bad in ["", ":5000", "a b", "a b:c"] {
            assert!(Attribute::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn validate_checks_known_attributes_only() {
        let ok = |text: &str| validate(&Attribute::parse(text).unwrap());
        assert!(ok("sctp-port:5000").is_ok());
        assert!(ok("sctp-port:65536").is_err());
        assert!(ok("sctp-port").is_err());
        assert!(ok("max-message-size:262144").is_ok());
        assert!(ok("max-message-size:-1").is_err());
        assert!(ok("setup:actpass").is_ok());
        assert!(ok("setup:sideways").is_err());
        assert!(ok("mid:0").is_ok());
        assert!(ok("mid:").is_err());
        assert!(ok("ice-ufrag:a b").is_err());
        assert!(ok("ice-options:trickle").is_ok());
        assert!(ok("ice-options: ").is_err());
        assert!(ok("x-unknown:anything at all").is_ok());
        assert!(ok("end-of-candidates").is_ok());
    }

    #[test]
    fn set_replaces_all_of_a_name_at_the_first_place() {
        let mut attrs = vec![
            Attribute::new("a", "1"),
            Attribute::new("b", "1"),
            Attribute::new("a", "2"),
            Attribute::new("c", "1"),
        ];
        set(&mut attrs, Attribute::new("a", "3"));
        let text: Vec<String> = attrs.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["a:3", "b:1", "c:1"]);
        set(&mut attrs, Attribute::property("d"));
        assert_eq!(attrs.last(), Some(&Attribute::property("d")));
    }
}
