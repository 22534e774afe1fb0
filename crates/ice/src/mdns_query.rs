//! The wire side of an mDNS lookup (RFC 6762 one-shot query): the query
//! the async layer sends to 224.0.0.251:5353 (or [ff02::fb]:5353), and
//! reading the answer. Sans-IO like the rest: bytes in, bytes out.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where one-shot queries go (IPv4).
pub const MDNS_V4: std::net::SocketAddr =
    std::net::SocketAddr::new(IpAddr::V4(Ipv4Addr::new(224, 0, 0, 251)), 5353);
/// Where one-shot queries go (IPv6).
pub const MDNS_V6: std::net::SocketAddr = std::net::SocketAddr::new(
    IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb)),
    5353,
);

const TYPE_A: u16 = 1;
const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;
/// RFC 6762 §5.4: ask for a unicast response (the QU bit).
const QU: u16 = 0x8000;
/// Most records read from one answer; the rest are ignored.
const MAX_RECORDS: usize = 64;

/// Builds a query for the A and AAAA records of `name` (e.g.
/// `"1f4c….local"`), or `None` if the name cannot be encoded.
///
/// ```
/// use sanderling_ice::mdns_query::{build_query, parse_answer};
/// let q = build_query(7, "abc.local").unwrap();
/// assert!(parse_answer(&q, "abc.local").is_empty(), "a query holds no answer");
/// ```
pub fn build_query(id: u16, name: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(12 + name.len() + 2 + 8);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // flags: standard query
    out.extend_from_slice(&2u16.to_be_bytes()); // QDCOUNT
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // AN, NS, AR
    let encoded = encode_name(name)?;
    for qtype in [TYPE_A, TYPE_AAAA] {
        out.extend_from_slice(&encoded);
        out.extend_from_slice(&qtype.to_be_bytes());
        out.extend_from_slice(&(CLASS_IN | QU).to_be_bytes());
    }
    Some(out)
}

fn encode_name(name: &str) -> Option<Vec<u8>> {
    let name = name.trim_end_matches('.');
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let mut out = Vec::with_capacity(name.len() + 2);
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return None;
        }
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    Some(out)
}

/// Reads a DNS name at `pos` (following compression pointers, bounded);
/// returns it lower-cased and the position after it.
fn read_name(msg: &[u8], mut pos: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut end = None;
    for _ in 0..32 {
        let len = *msg.get(pos)? as usize;
        if len & 0xC0 == 0xC0 {
            let target = ((len & 0x3F) << 8) | usize::from(*msg.get(pos + 1)?);
            end.get_or_insert(pos + 2);
            if target >= pos {
                return None; // only backward pointers: no loops
            }
            pos = target;
            continue;
        }
        if len == 0 {
            return Some((name, end.unwrap_or(pos + 1)));
        }
        let label = msg.get(pos + 1..pos + 1 + len)?;
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label).to_ascii_lowercase());
        if name.len() > 255 {
            return None;
        }
        pos += 1 + len;
    }
    None
}

/// The addresses an mDNS message gives for `name` (A and AAAA records in
/// its answer and additional sections). Malformed messages give nothing.
pub fn parse_answer(msg: &[u8], name: &str) -> Vec<IpAddr> {
    let want = name.trim_end_matches('.').to_ascii_lowercase();
    let mut found = Vec::new();
    let Some(header) = msg.get(..12) else {
        return found;
    };
    let count = |i: usize| usize::from(u16::from_be_bytes([header[i], header[i + 1]]));
    let (qd, an, ns, ar) = (count(4), count(6), count(8), count(10));
    let mut pos = 12;
    for _ in 0..qd.min(MAX_RECORDS) {
        let Some((_, next)) = read_name(msg, pos) else {
            return found;
        };
        pos = next + 4;
    }
    for _ in 0..(an + ns + ar).min(MAX_RECORDS) {
        let Some((rname, next)) = read_name(msg, pos) else {
            break;
        };
        let Some(fixed) = msg.get(next..next + 10) else {
            break;
        };
        let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let rdlen = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        let Some(rdata) = msg.get(next + 10..next + 10 + rdlen) else {
            break;
        };
        if rname == want {
            match (rtype, rdata.len()) {
                (TYPE_A, 4) => found.push(IpAddr::V4(Ipv4Addr::new(
                    rdata[0], rdata[1], rdata[2], rdata[3],
                ))),
                (TYPE_AAAA, 16) => {
                    let mut b = [0u8; 16];
                    b.copy_from_slice(rdata);
                    found.push(IpAddr::V6(Ipv6Addr::from(b)));
                }
                _ => {}
            }
        }
        pos = next + 10 + rdlen;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response as a responder sends it: the name once, then a pointer
    /// to it in the second record.
    fn response(name: &str) -> Vec<u8> {
        let mut m = vec![0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0];
        m.extend_from_slice(&encode_name(name).unwrap());
        m.extend_from_slice(&[0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 192, 168, 1, 20]);
        m.extend_from_slice(&[0xC0, 12]); // pointer to the name at offset 12
        m.extend_from_slice(&[0, 28, 0x80, 1, 0, 0, 0, 120, 0, 16]);
        m.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        m
    }

    #[test]
    fn query_layout() {
        let q = build_query(0x1234, "ab.local").unwrap();
        assert_eq!(&q[..12], &[0x12, 0x34, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            &q[12..22],
            &[2, b'a', b'b', 5, b'l', b'o', b'c', b'a', b'l', 0]
        );
        assert_eq!(&q[22..26], &[0, 1, 0x80, 1]);
        assert!(build_query(1, "").is_none());
        assert!(build_query(1, &"x".repeat(64)).is_none());
    }

    #[test]
    fn reads_a_and_aaaa_with_compression_case_insensitively() {
        let r = response("3C0BB1D9-67AD.local");
        let ips = parse_answer(&r, "3c0bb1d9-67ad.local");
        assert_eq!(
            ips,
            vec![
                "192.168.1.20".parse::<IpAddr>().unwrap(),
                "fe80::1".parse().unwrap()
            ]
        );
        assert!(parse_answer(&r, "other.local").is_empty());
    }

    #[test]
    fn pointer_loops_and_truncation_give_nothing() {
        let mut r = response("a.local");
        r[12] = 0xC0;
        r[13] = 12; // points at itself
        assert!(parse_answer(&r, "a.local").is_empty());
        let r = response("a.local");
        for cut in 0..r.len() {
            let _ = parse_answer(&r[..cut], "a.local");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_answer(&b, "x.local");
        }
    }
}
