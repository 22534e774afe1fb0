//! `a=group` (RFC 5888 §5): media sections grouped by their mids; WebRTC
//! uses `BUNDLE` (RFC 8843) to run every section over one transport.
//!
//! ```text
//! a=group:BUNDLE 0 1 2
//! a=group:LS 0 1          (lip sync, libdatachannel)
//! ```

use std::fmt;
use std::str::FromStr;

use crate::attribute::{Attribute, names};
use crate::error::ValueError;
use crate::text::{fields, is_token};

/// The BUNDLE semantics name.
pub const BUNDLE: &str = "BUNDLE";

/// A group of media sections.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Group {
    /// The semantics, e.g. [`BUNDLE`].
    pub semantics: String,
    /// The mids of the grouped sections, in order (for BUNDLE, the first
    /// is the one whose transport everything uses). May be empty.
    pub mids: Vec<String>,
}

impl Group {
    /// Parses the attribute value: `<semantics> *(<mid>)`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut f = fields(s);
        let semantics = f
            .next()
            .filter(|s| is_token(s))
            .ok_or(ValueError::new("group", "no semantics token"))?;
        Ok(Self {
            semantics: semantics.to_owned(),
            mids: f.map(str::to_owned).collect(),
        })
    }

    /// Whether this is a BUNDLE group.
    pub fn is_bundle(&self) -> bool {
        self.semantics == BUNDLE
    }

    /// This group as an `a=group` attribute.
    pub fn to_attribute(&self) -> Attribute {
        Attribute::new(names::GROUP, self.to_string())
    }
}

impl fmt::Display for Group {
    /// The attribute value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for mid in &self.mids {
            write!(f, " {mid}")?;
        }
        Ok(())
    }
}

impl FromStr for Group {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        let g = Group::parse("BUNDLE 0 1 2").unwrap();
        assert!(g.is_bundle());
        assert_eq!(g.mids, ["0", "1", "2"]);
        assert_eq!(g.to_string(), "BUNDLE 0 1 2");
        let empty = Group::parse("BUNDLE").unwrap();
        assert!(empty.mids.is_empty());
        assert!(Group::parse("").is_err());
        assert!(Group::parse("  ").is_err());
    }
}
