//! The address encoding shared by MAPPED-ADDRESS, ALTERNATE-SERVER and the
//! XOR variants (RFC 8489 §14.1, §14.2), and the address family numbers TURN
//! uses on their own (RFC 8656 §18.6, §18.11, §18.12).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |              (X-)Address (32 bits or 128 bits)                |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Family 0x01 is IPv4 (8-byte value), 0x02 IPv6 (20 bytes). The first byte
//! is written as zero and ignored when read. In the XOR form the port is
//! XORed with the top 16 bits of the magic cookie and the address with the
//! cookie (IPv4) or the cookie followed by the transaction id (IPv6), so
//! that NATs rewriting addresses in payloads leave it alone.
//!
//! IPv6 flow labels and scope ids are not carried: an encoded
//! `SocketAddrV6` comes back with both zero.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use bytes::{BufMut, BytesMut};

use super::AttrType;
use crate::error::AttrError;
use crate::header::{MAGIC_COOKIE, TransactionId};
use crate::wire::Reader;

/// An address family number as TURN's attributes carry it.
///
/// Any byte value parses in REQUESTED-ADDRESS-FAMILY and friends (a server
/// answers an unsupported one with 440); the address attributes accept only
/// [`IPV4`](Self::IPV4) and [`IPV6`](Self::IPV6).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AddressFamily(pub u8);

impl AddressFamily {
    /// IPv4 (0x01).
    pub const IPV4: Self = Self(0x01);
    /// IPv6 (0x02).
    pub const IPV6: Self = Self(0x02);

    /// The family of `addr`.
    pub const fn of(addr: &SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(_) => Self::IPV4,
            SocketAddr::V6(_) => Self::IPV6,
        }
    }
}

/// Value length of an address attribute carrying `addr`.
pub(crate) const fn address_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => 8,
        SocketAddr::V6(_) => 20,
    }
}

/// The bytes the address is XORed with: cookie then transaction id.
fn xor_pad(tid: &TransactionId) -> [u8; 16] {
    let mut pad = [0u8; 16];
    pad[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    pad[4..].copy_from_slice(tid.as_bytes());
    pad
}

fn xor<const N: usize>(mut bytes: [u8; N], pad: &[u8; 16]) -> [u8; N] {
    for (b, p) in bytes.iter_mut().zip(pad) {
        *b ^= p;
    }
    bytes
}

/// Decodes an address value; `xor` selects the XOR form.
pub(crate) fn decode_address(
    typ: AttrType,
    value: &[u8],
    xor_with: Option<&TransactionId>,
) -> Result<SocketAddr, AttrError> {
    let mut r = Reader::new(value);
    let (Some(_reserved), Some(family), Some(port)) = (r.u8(), r.u8(), r.u16()) else {
        return Err(AttrError::new(typ, "truncated address"));
    };
    let pad = xor_with.map(xor_pad).unwrap_or_default();
    let port = port ^ u16::from_be_bytes([pad[0], pad[1]]);
    let addr = match (AddressFamily(family), value.len()) {
        (AddressFamily::IPV4, 8) => {
            let ip = xor(r.array::<4>().unwrap_or_default(), &pad);
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port))
        }
        (AddressFamily::IPV6, 20) => {
            let ip = xor(r.array::<16>().unwrap_or_default(), &pad);
            SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port, 0, 0))
        }
        (AddressFamily::IPV4 | AddressFamily::IPV6, _) => {
            return Err(AttrError::new(typ, "address length does not match family"));
        }
        _ => return Err(AttrError::new(typ, "unknown address family")),
    };
    Ok(addr)
}

/// Encodes an address value; `xor` selects the XOR form.
pub(crate) fn encode_address(
    out: &mut BytesMut,
    addr: &SocketAddr,
    xor_with: Option<&TransactionId>,
) {
    let pad = xor_with.map(xor_pad).unwrap_or_default();
    out.put_u8(0);
    out.put_u8(AddressFamily::of(addr).0);
    out.put_u16(addr.port() ^ u16::from_be_bytes([pad[0], pad[1]]));
    match addr.ip() {
        IpAddr::V4(ip) => out.put_slice(&xor(ip.octets(), &pad)),
        IpAddr::V6(ip) => out.put_slice(&xor(ip.octets(), &pad)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::TID;

    const T: AttrType = AttrType::XOR_MAPPED_ADDRESS;

    #[test]
    fn rfc5769_xor_values() {
        // RFC 5769 §2.2 and §2.3: 192.0.2.1:32853 and
        // [2001:db8:1234:5678:11:2233:4455:6677]:32853.
        let v4 = [0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43];
        let addr: SocketAddr = "192.0.2.1:32853".parse().unwrap();
        assert_eq!(decode_address(T, &v4, Some(&TID)), Ok(addr));
        let mut out = BytesMut::new();
        encode_address(&mut out, &addr, Some(&TID));
        assert_eq!(&out[..], &v4);

        let v6 = [
            0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25,
            0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
        ];
        let addr: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
            .parse()
            .unwrap();
        assert_eq!(decode_address(T, &v6, Some(&TID)), Ok(addr));
        let mut out = BytesMut::new();
        encode_address(&mut out, &addr, Some(&TID));
        assert_eq!(&out[..], &v6);
    }

    #[test]
    fn plain_form() {
        let addr: SocketAddr = "10.1.2.3:4567".parse().unwrap();
        let mut out = BytesMut::new();
        encode_address(&mut out, &addr, None);
        assert_eq!(&out[..], &[0, 1, 0x11, 0xd7, 10, 1, 2, 3]);
        // The reserved first byte is ignored.
        out[0] = 0xff;
        assert_eq!(decode_address(T, &out, None), Ok(addr));
    }

    #[test]
    fn malformed() {
        assert!(decode_address(T, &[], None).is_err());
        assert!(decode_address(T, &[0, 1, 0], None).is_err());
        assert!(decode_address(T, &[0, 1, 0, 0], None).is_err());
        assert!(decode_address(T, &[0, 1, 0, 0, 1, 2, 3], None).is_err());
        assert!(decode_address(T, &[0, 1, 0, 0, 1, 2, 3, 4, 5], None).is_err());
        assert!(decode_address(T, &[0, 2, 0, 0, 1, 2, 3, 4], None).is_err());
        assert!(decode_address(T, &[0, 3, 0, 0, 1, 2, 3, 4], None).is_err());
        assert!(decode_address(T, &[1; 10], None).is_err());
    }
}
