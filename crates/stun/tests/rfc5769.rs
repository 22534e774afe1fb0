//! The test vectors of RFC 5769 ("Test Vectors for Session Traversal
//! Utilities for NAT (STUN)"), copied from the RFC's text: parse, attribute
//! values, XOR-MAPPED-ADDRESS decoding, MESSAGE-INTEGRITY with the given
//! credentials, FINGERPRINT, and rebuilding with the builder.
//!
//! Note that §2.1–§2.3 pad USERNAME and SOFTWARE with spaces (0x20), which
//! receivers must accept; our builder pads with zeros, so rebuilding those
//! three gives different bytes (and MESSAGE-INTEGRITY) but the same message.

use std::net::SocketAddr;

use bytes::Bytes;
use sanderling_stun::attr::{
    IceControlled, MessageIntegrity, Nonce, Priority, Realm, Software, Username, XorMappedAddress,
};
use sanderling_stun::{
    Attribute, Class, FingerprintError, IntegrityError, IntegrityKey, Message, MessageBuilder,
    MessageType, Method, TransactionId, is_stun,
};

/// Hex as the RFC prints it (spaces and line breaks) to bytes.
fn hex(s: &str) -> Bytes {
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => c - b'A' + 10,
        })
        .collect();
    assert_eq!(digits.len() % 2, 0);
    Bytes::from(
        digits
            .chunks(2)
            .map(|p| p[0] << 4 | p[1])
            .collect::<Vec<u8>>(),
    )
}

/// §2.1 Sample Request.
const SAMPLE_REQUEST: &str = "
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

/// §2.2 Sample IPv4 Response.
const SAMPLE_IPV4_RESPONSE: &str = "
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

/// §2.3 Sample IPv6 Response.
const SAMPLE_IPV6_RESPONSE: &str = "
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

/// §2.4 Sample Request with Long-Term Authentication.
const SAMPLE_LONG_TERM_REQUEST: &str = "
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46
                53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

/// The short-term password of §2.1–§2.3.
const PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

/// §2.4's credentials. The password is given in the RFC as
/// "The<U+00AD>M<U+00AA>tr<U+2168>"; SASLprep makes it "TheMatrIX", which is
/// what we are handed (no SASLprep here).
const LT_USERNAME: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
const LT_PASSWORD: &str = "TheMatrIX";
const LT_REALM: &str = "example.org";
const LT_NONCE: &[u8] = b"f//499k954d6OL34oL9FSTvy64sA";

const TID: TransactionId = TransactionId([
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
]);

fn parse(vector: &str) -> Message {
    let bytes = hex(vector);
    assert!(is_stun(&bytes));
    Message::parse(bytes).expect("the vector parses")
}

/// Every bit flip in the covered part fails the integrity check (or the
/// parse), and one in the FINGERPRINT-covered part fails the fingerprint.
fn assert_tamper_evident(vector: &str, key: &IntegrityKey) {
    let bytes = hex(vector);
    let m = Message::parse(bytes.clone()).unwrap();
    let has_fp = m.has_fingerprint();
    let covered = if has_fp { bytes.len() - 8 } else { bytes.len() };
    for i in 0..covered {
        for bit in [0x01, 0x80] {
            let mut bad = bytes.to_vec();
            bad[i] ^= bit;
            let Ok(m) = Message::parse_slice(&bad) else {
                continue;
            };
            // Padding bytes are covered by the HMAC and CRC too.
            assert!(
                m.verify_integrity(key).is_err() || !m.has_integrity(),
                "byte {i} bit {bit:#x}: integrity still verifies"
            );
            if has_fp {
                assert!(
                    m.verify_fingerprint().is_err(),
                    "byte {i} bit {bit:#x}: fingerprint still verifies"
                );
            }
        }
    }
}

#[test]
fn sample_request() {
    let m = parse(SAMPLE_REQUEST);
    assert_eq!(m.typ(), MessageType::BINDING_REQUEST);
    assert_eq!(m.transaction_id(), TID);
    assert_eq!(m.get::<Software>().unwrap().as_str(), "STUN test client");
    assert_eq!(m.priority(), Some(0x6e00_01ff));
    assert_eq!(m.ice_controlled(), Some(0x932f_f9b1_5126_3b36));
    assert_eq!(m.username(), Some("evtj:h6vY"));
    assert!(m.unknown_comprehension_required().is_empty());
    assert_eq!(m.attributes().len(), 6);

    let key = IntegrityKey::short_term(PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(
        m.verify_integrity(&IntegrityKey::short_term("VOkJxbRl1RmTxUk/WvJxBu")),
        Err(IntegrityError::Mismatch)
    );
    assert_eq!(m.verify_fingerprint(), Ok(()));
    assert_tamper_evident(SAMPLE_REQUEST, &key);
}

#[test]
fn sample_ipv4_response() {
    let m = parse(SAMPLE_IPV4_RESPONSE);
    assert_eq!(m.typ(), MessageType::new(Method::BINDING, Class::Success));
    assert_eq!(m.transaction_id(), TID);
    assert_eq!(m.get::<Software>().unwrap().as_str(), "test vector");
    let expected: SocketAddr = "192.0.2.1:32853".parse().unwrap();
    assert_eq!(m.xor_mapped_address(), Some(expected));
    assert_eq!(m.mapped_address(), Some(expected));
    let key = IntegrityKey::short_term(PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    assert_tamper_evident(SAMPLE_IPV4_RESPONSE, &key);
}

#[test]
fn sample_ipv6_response() {
    let m = parse(SAMPLE_IPV6_RESPONSE);
    assert_eq!(m.typ(), MessageType::BINDING_SUCCESS);
    let expected: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
        .parse()
        .unwrap();
    assert_eq!(m.xor_mapped_address(), Some(expected));
    let key = IntegrityKey::short_term(PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    assert_tamper_evident(SAMPLE_IPV6_RESPONSE, &key);
}

#[test]
fn sample_long_term_request() {
    let m = parse(SAMPLE_LONG_TERM_REQUEST);
    assert_eq!(m.typ(), MessageType::BINDING_REQUEST);
    assert_eq!(
        m.transaction_id(),
        TransactionId([
            0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e
        ])
    );
    assert_eq!(m.username(), Some(LT_USERNAME));
    assert_eq!(&m.nonce().unwrap().as_bytes()[..], LT_NONCE);
    assert_eq!(m.realm(), Some(LT_REALM));
    assert!(!m.has_fingerprint());
    assert_eq!(m.verify_fingerprint(), Err(FingerprintError::Missing));

    let key = IntegrityKey::long_term_md5(LT_USERNAME, LT_REALM, LT_PASSWORD);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    // The unprepared password, a short-term key or the SHA-256 derivation
    // do not verify.
    for wrong in [
        IntegrityKey::long_term_md5(LT_USERNAME, LT_REALM, "The\u{00AD}M\u{00AA}tr\u{2168}"),
        IntegrityKey::short_term(LT_PASSWORD),
        IntegrityKey::long_term_sha256(LT_USERNAME, LT_REALM, LT_PASSWORD),
    ] {
        assert_eq!(m.verify_integrity(&wrong), Err(IntegrityError::Mismatch));
    }
    assert_tamper_evident(SAMPLE_LONG_TERM_REQUEST, &key);
}

#[test]
fn long_term_request_rebuilds_byte_for_byte() {
    // Its padding is zeros, so the builder reproduces it exactly,
    // MESSAGE-INTEGRITY included.
    let key = IntegrityKey::long_term_md5(LT_USERNAME, LT_REALM, LT_PASSWORD);
    let m = parse(SAMPLE_LONG_TERM_REQUEST);
    let rebuilt = MessageBuilder::new(m.typ(), m.transaction_id())
        .attr(Username::new(LT_USERNAME).unwrap())
        .attr(Nonce::new(LT_NONCE).unwrap())
        .attr(Realm::new(LT_REALM).unwrap())
        .message_integrity(&key)
        .build()
        .unwrap();
    assert_eq!(rebuilt, hex(SAMPLE_LONG_TERM_REQUEST));
}

#[test]
fn short_term_vectors_rebuild_to_equal_messages() {
    let key = IntegrityKey::short_term(PASSWORD);
    for vector in [SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, SAMPLE_IPV6_RESPONSE] {
        let m = parse(vector);
        let mut b = MessageBuilder::new(m.typ(), m.transaction_id());
        for a in m.attributes() {
            match a {
                Attribute::MessageIntegrity(_) | Attribute::Fingerprint(_) => {}
                other => {
                    b.add(other.clone());
                }
            }
        }
        let rebuilt = b.message_integrity(&key).fingerprint().build().unwrap();
        assert_eq!(rebuilt.len(), hex(vector).len());
        let again = Message::parse(rebuilt).unwrap();
        assert_eq!(again.verify_integrity(&key), Ok(()));
        assert_eq!(again.verify_fingerprint(), Ok(()));
        // Same attributes up to the (recomputed) MESSAGE-INTEGRITY.
        let n = m.attributes().len() - 2;
        assert_eq!(again.attributes()[..n], m.attributes()[..n]);
        assert!(matches!(
            again.attributes()[n],
            Attribute::MessageIntegrity(MessageIntegrity(_))
        ));
    }
}

#[test]
fn sample_request_built_from_scratch() {
    // The §2.1 request, written with the builder the way an ICE agent would.
    let key = IntegrityKey::short_term(PASSWORD);
    let bytes = MessageBuilder::request(Method::BINDING, TID)
        .attr(Software::new("STUN test client").unwrap())
        .attr(Priority(0x6e00_01ff))
        .attr(IceControlled(0x932f_f9b1_5126_3b36))
        .attr(Username::new("evtj:h6vY").unwrap())
        .message_integrity(&key)
        .fingerprint()
        .build()
        .unwrap();
    let vector = hex(SAMPLE_REQUEST);
    // Identical up to USERNAME's padding (zeros here, spaces in the RFC).
    // USERNAME's padding is 3 bytes before the 24 of MESSAGE-INTEGRITY and
    // the 8 of FINGERPRINT.
    let pad = bytes.len() - 35;
    assert_eq!(bytes.len(), vector.len());
    assert_eq!(bytes[..pad], vector[..pad]);
    assert_eq!(&bytes[pad..pad + 3], &[0, 0, 0]);
    assert_eq!(&vector[pad..pad + 3], b"   ");
    let m = Message::parse(bytes).unwrap();
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    // The same attributes; MESSAGE-INTEGRITY and FINGERPRINT differ since
    // the padding they cover does.
    let vector = parse(SAMPLE_REQUEST);
    assert_eq!(m.attributes()[..4], vector.attributes()[..4]);
    assert_ne!(m, vector);
}

#[test]
fn xor_mapped_address_of_the_vectors_round_trips() {
    for (vector, addr) in [
        (SAMPLE_IPV4_RESPONSE, "192.0.2.1:32853"),
        (
            SAMPLE_IPV6_RESPONSE,
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853",
        ),
    ] {
        let m = parse(vector);
        let addr: SocketAddr = addr.parse().unwrap();
        assert_eq!(m.get::<XorMappedAddress>(), Some(&XorMappedAddress(addr)));
        let key = IntegrityKey::short_term(PASSWORD);
        let built = MessageBuilder::success_response(&parse(SAMPLE_REQUEST))
            .attr(Software::new("test vector").unwrap())
            .attr(XorMappedAddress(addr))
            .message_integrity(&key)
            .fingerprint()
            .build()
            .unwrap();
        // The XOR-MAPPED-ADDRESS attribute's bytes are the vector's (it
        // follows the 20-byte header and SOFTWARE's 16 bytes).
        let end = 36 + 4 + if addr.is_ipv4() { 8 } else { 20 };
        assert_eq!(built[36..end], hex(vector)[36..end]);
    }
}
