//! `c=` (RFC 8866 §5.7) and `b=` (§5.8) lines.
//!
//! ```text
//! c=<nettype> <addrtype> <connection-address>     c=IN IP4 0.0.0.0
//! b=<bwtype>:<bandwidth>                          b=AS:30
//! ```

use std::fmt;
use std::net::IpAddr;

use crate::error::ValueError;
use crate::text::{fields, is_token, parse_u64};

/// Connection data (`c=`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Connection {
    /// Network type, `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The address as written (may carry `/ttl/count` for multicast).
    pub address: String,
}

impl Connection {
    /// `IN IP4 0.0.0.0`, what JSEP writes before candidates are known.
    pub fn unspecified_ipv4() -> Self {
        Self {
            net_type: "IN".into(),
            addr_type: "IP4".into(),
            address: "0.0.0.0".into(),
        }
    }

    /// Parses the text after `c=`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut f = fields(s);
        let (Some(net_type), Some(addr_type), Some(address), None) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(ValueError::new(
                "c= line",
                "not `<nettype> <addrtype> <address>`",
            ));
        };
        if !is_token(net_type) || !is_token(addr_type) {
            return Err(ValueError::new(
                "c= line",
                "network or address type not a token",
            ));
        }
        Ok(Self {
            net_type: net_type.to_owned(),
            addr_type: addr_type.to_owned(),
            address: address.to_owned(),
        })
    }

    /// The address as an IP address, if it is a plain one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.address.parse().ok()
    }
}

impl fmt::Display for Connection {
    /// The text after `c=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}

/// Bandwidth (`b=`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Bandwidth {
    /// The bandwidth type, e.g. `AS`, `CT`, `TIAS`.
    pub bw_type: String,
    /// The value (kbit/s for `AS` and `CT`, bit/s for `TIAS`).
    pub bandwidth: u64,
}

impl Bandwidth {
    /// Parses the text after `b=`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let Some((bw_type, bandwidth)) = s.split_once(':') else {
            return Err(ValueError::new("b= line", "not `<type>:<bandwidth>`"));
        };
        if !is_token(bw_type) {
            return Err(ValueError::new("b= line", "bandwidth type not a token"));
        }
        Ok(Self {
            bw_type: bw_type.to_owned(),
            bandwidth: parse_u64(bandwidth, "b= bandwidth")?,
        })
    }
}

impl fmt::Display for Bandwidth {
    /// The text after `b=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bw_type, self.bandwidth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection() {
        let c = Connection::parse("IN IP4 198.18.0.1").unwrap();
        assert_eq!(c.ip(), Some("198.18.0.1".parse().unwrap()));
        assert_eq!(c.to_string(), "IN IP4 198.18.0.1");
        assert_eq!(
            Connection::parse("IN IP4 224.2.1.1/127/3").unwrap().ip(),
            None
        );
        for bad in ["", "IN IP4", "IN IP4 a b", "I:N IP4 1.2.3.4"] {
            assert!(Connection::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bandwidth() {
        let b = Bandwidth::parse("AS:30").unwrap();
        assert_eq!((b.bw_type.as_str(), b.bandwidth), ("AS", 30));
        assert_eq!(b.to_string(), "AS:30");
        for bad in ["", "AS", "AS:", ":30", "AS:x", "AS:99999999999999999999999"] {
            assert!(Bandwidth::parse(bad).is_err(), "{bad:?}");
        }
    }
}
