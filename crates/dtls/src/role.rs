//! Which side starts the handshake, and how SDP's `a=setup` decides it
//! (RFC 8842 §5, JSEP RFC 8829 §5.3.1).
//!
//! The offerer always says `actpass`; the answerer picks `active` (browsers
//! do) or `passive`. The `active` side is the DTLS client.

use std::fmt;
use std::str::FromStr;

use crate::error::DtlsError;

/// The side of the DTLS handshake this transport plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// Sends the ClientHello (`a=setup:active`).
    Client,
    /// Waits for the ClientHello (`a=setup:passive`).
    Server,
}

impl DtlsRole {
    /// Our role from the `a=setup` value in our own (final) description:
    /// `active` is the client, `passive` the server. `actpass` and
    /// `holdconn` decide nothing.
    ///
    /// ```
    /// use sanderling_dtls::{DtlsRole, Setup};
    /// assert_eq!(DtlsRole::from_local_setup(Setup::Active), Some(DtlsRole::Client));
    /// assert_eq!(DtlsRole::from_local_setup(Setup::ActPass), None);
    /// ```
    pub fn from_local_setup(local: Setup) -> Option<Self> {
        match local {
            Setup::Active => Some(Self::Client),
            Setup::Passive => Some(Self::Server),
            Setup::ActPass | Setup::HoldConn => None,
        }
    }

    /// Our role from the `a=setup` value the peer put in its answer (we
    /// offered `actpass`): a peer that is `active` makes us the server.
    ///
    /// ```
    /// use sanderling_dtls::{DtlsRole, Setup};
    /// assert_eq!(DtlsRole::from_remote_setup(Setup::Active), Some(DtlsRole::Server));
    /// assert_eq!(DtlsRole::from_remote_setup(Setup::Passive), Some(DtlsRole::Client));
    /// ```
    pub fn from_remote_setup(remote: Setup) -> Option<Self> {
        Self::from_local_setup(remote).map(Self::opposite)
    }

    /// The other side.
    pub fn opposite(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }
}

/// The values of SDP's `a=setup` attribute (RFC 4145 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setup {
    /// Will start the handshake (DTLS client).
    Active,
    /// Will wait for the handshake (DTLS server).
    Passive,
    /// Either; what every offer says.
    ActPass,
    /// Not now.
    HoldConn,
}

impl Setup {
    /// What an answerer says to an offered `a=setup` value: `active` to
    /// `actpass` (JSEP: "the answerer SHOULD use the active role"), the
    /// opposite of `active` or `passive`, and nothing to `holdconn`.
    ///
    /// ```
    /// use sanderling_dtls::Setup;
    /// assert_eq!(Setup::answer_to(Setup::ActPass), Some(Setup::Active));
    /// assert_eq!(Setup::answer_to(Setup::Active), Some(Setup::Passive));
    /// ```
    pub fn answer_to(offer: Setup) -> Option<Setup> {
        match offer {
            Setup::ActPass | Setup::Passive => Some(Setup::Active),
            Setup::Active => Some(Setup::Passive),
            Setup::HoldConn => None,
        }
    }

    /// The attribute value as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Setup {
    type Err = DtlsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Setup::Active,
            Setup::Passive,
            Setup::ActPass,
            Setup::HoldConn,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| DtlsError::InvalidSetup(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_answer_gives_opposite_roles() {
        for offer in [Setup::ActPass, Setup::Active, Setup::Passive] {
            let answer = Setup::answer_to(offer).unwrap();
            let answerer = DtlsRole::from_local_setup(answer).unwrap();
            let offerer = DtlsRole::from_remote_setup(answer).unwrap();
            assert_eq!(offerer, answerer.opposite(), "offer {offer}");
            if let Some(r) = DtlsRole::from_local_setup(offer) {
                assert_eq!(r, offerer);
            }
        }
        assert_eq!(Setup::answer_to(Setup::HoldConn), None);
        assert_eq!(DtlsRole::from_remote_setup(Setup::ActPass), None);
    }

    #[test]
    fn parses_and_prints() {
        for v in [
            Setup::Active,
            Setup::Passive,
            Setup::ActPass,
            Setup::HoldConn,
        ] {
            assert_eq!(v.to_string().parse::<Setup>().unwrap(), v);
            assert_eq!(v.to_string().to_uppercase().parse::<Setup>().unwrap(), v);
        }
        assert!("both".parse::<Setup>().is_err());
    }
}
