//! `a=setup` (RFC 4145 §4, RFC 8842 §5): which side opens the DTLS
//! connection.
//!
//! An offer says `actpass`; the answer picks `active` (DTLS client) or
//! `passive` (DTLS server). `holdconn` means no connection for now.

use std::fmt;
use std::str::FromStr;

use crate::attribute::{Attribute, names};
use crate::error::ValueError;

/// The `a=setup` role.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Setup {
    /// `actpass`: either; the answerer chooses (what offers say).
    Actpass,
    /// `active`: this side connects: DTLS client.
    Active,
    /// `passive`: this side accepts: DTLS server.
    Passive,
    /// `holdconn`: no connection yet.
    Holdconn,
}

impl Setup {
    /// The value as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actpass => "actpass",
            Self::Active => "active",
            Self::Passive => "passive",
            Self::Holdconn => "holdconn",
        }
    }

    /// This role as an `a=setup` attribute.
    pub fn to_attribute(self) -> Attribute {
        Attribute::new(names::SETUP, self.as_str())
    }
}

impl FromStr for Setup {
    type Err = ValueError;

    /// Parses a role (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Actpass, Self::Active, Self::Passive, Self::Holdconn]
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(s))
            .ok_or(ValueError::new(
                "setup",
                "not actpass, active, passive or holdconn",
            ))
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for role in [
            Setup::Actpass,
            Setup::Active,
            Setup::Passive,
            Setup::Holdconn,
        ] {
            assert_eq!(role.as_str().parse::<Setup>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!("ACTIVE".parse::<Setup>(), Ok(Setup::Active));
        assert!("".parse::<Setup>().is_err());
        assert!("act".parse::<Setup>().is_err());
    }
}
