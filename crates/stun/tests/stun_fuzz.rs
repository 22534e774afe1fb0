//! Randomised input tests for every parser in the crate: no panic on any
//! input, and parse → serialize → parse gives the same message whenever the
//! first parse succeeds.
//!
//! Three sources of input:
//! * a corpus of valid messages of every kind (every attribute type, ICE
//!   checks, each TURN method and class, integrity and fingerprint,
//!   ChannelData), mutated with a seeded generator (bit flips, byte
//!   writes, truncation, insertion, length-field and attribute-header
//!   edits, splices of two messages);
//! * proptest-generated messages whose attributes are random TLVs over the
//!   known types (so every attribute decoder sees random values);
//! * proptest-generated raw bytes, and random streams for the framer.

use std::net::SocketAddr;

use bytes::Bytes;
use proptest::prelude::*;
use sanderling_stun::attr::{
    AdditionalAddressFamily, AddressErrorCode, AddressFamily, AlternateDomain, AlternateServer,
    ChannelNumber, Data, DontFragment, ErrorCode, EvenPort, IceControlled, IceControlling, Icmp,
    Lifetime, MappedAddress, Nonce, PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms,
    Priority, Realm, RequestedAddressFamily, RequestedTransport, ReservationToken, Software,
    UnknownAttributes, UseCandidate, UserHash, Username, XorMappedAddress, XorPeerAddress,
    XorRelayedAddress,
};
use sanderling_stun::{
    AttrType, Attribute, BuildError, ChannelData, Class, Frame, Framer, IntegrityKey, Message,
    MessageBuilder, MessageHeader, MessageType, Method, TransactionId, is_stun,
};

/// Seeded generator (SplitMix64): the same seed gives the same run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

fn key() -> IntegrityKey {
    IntegrityKey::short_term("fuzz-password")
}

fn v4() -> SocketAddr {
    "192.0.2.1:32853".parse().unwrap()
}

fn v6() -> SocketAddr {
    "[2001:db8::1234]:3478".parse().unwrap()
}

/// One valid message per attribute type, plus the messages ICE and TURN
/// exchange, with and without integrity and fingerprint.
fn corpus() -> Vec<Bytes> {
    let tid = TransactionId([0x5a; 12]);
    let every_attribute: Vec<Attribute> = vec![
        MappedAddress(v4()).into(),
        MappedAddress(v6()).into(),
        XorMappedAddress(v4()).into(),
        XorMappedAddress(v6()).into(),
        Username::new("remote:local").unwrap().into(),
        UserHash([7; 32]).into(),
        ErrorCode::new(438, "Stale Nonce").unwrap().into(),
        Realm::new("example.org").unwrap().into(),
        Nonce::new(&b"obMatJos2AAABxyz"[..]).unwrap().into(),
        PasswordAlgorithms(vec![PasswordAlgorithm::SHA256, PasswordAlgorithm::MD5]).into(),
        PasswordAlgorithm {
            algorithm: PasswordAlgorithmId(0x1234),
            params: Bytes::from_static(b"par"),
        }
        .into(),
        UnknownAttributes(vec![AttrType(0x7001), AttrType(0x0003), AttrType(0x7fff)]).into(),
        Software::new("sanderling fuzz").unwrap().into(),
        AlternateServer(v6()).into(),
        AlternateDomain::new("turn.example.org").unwrap().into(),
        Priority(0x6e00_01ff).into(),
        UseCandidate.into(),
        IceControlled(u64::MAX).into(),
        IceControlling(1).into(),
        ChannelNumber(0x4001).into(),
        Lifetime(600).into(),
        XorPeerAddress(v4()).into(),
        XorPeerAddress(v6()).into(),
        Data(Bytes::from_static(b"some relayed data")).into(),
        XorRelayedAddress(v6()).into(),
        RequestedAddressFamily(AddressFamily::IPV6).into(),
        EvenPort { reserve_next: true }.into(),
        RequestedTransport::UDP.into(),
        DontFragment.into(),
        ReservationToken([1, 2, 3, 4, 5, 6, 7, 8]).into(),
        AdditionalAddressFamily(AddressFamily::IPV6).into(),
        AddressErrorCode::new(AddressFamily::IPV4, 440, "nope")
            .unwrap()
            .into(),
        Icmp {
            icmp_type: 3,
            code: 4,
            data: 1280,
        }
        .into(),
        Attribute::Unknown {
            typ: AttrType(0x7abc),
            value: Bytes::from_static(b"required?"),
        },
        Attribute::Unknown {
            typ: AttrType(0xc0de),
            value: Bytes::from_static(b"optional"),
        },
    ];
    let mut out = Vec::new();
    // Each attribute alone, then all together, in each class.
    for (i, a) in every_attribute.iter().enumerate() {
        let class = [
            Class::Request,
            Class::Indication,
            Class::Success,
            Class::Error,
        ][i % 4];
        let b = MessageBuilder::new(MessageType::new(Method::BINDING, class), tid).attr(a.clone());
        out.push(b.build().unwrap());
    }
    let mut all = MessageBuilder::request(Method::ALLOCATE, tid);
    for a in &every_attribute {
        all.add(a.clone());
    }
    out.push(all.message_integrity(&key()).fingerprint().build().unwrap());
    // ICE checks and answers.
    out.push(
        MessageBuilder::request(Method::BINDING, tid)
            .attr(Username::new("abcd:efgh").unwrap())
            .attr(Priority(1_845_501_695))
            .attr(IceControlling(0x1122_3344_5566_7788))
            .attr(UseCandidate)
            .message_integrity(&key())
            .fingerprint()
            .build()
            .unwrap(),
    );
    out.push(
        MessageBuilder::new(MessageType::BINDING_SUCCESS, tid)
            .attr(XorMappedAddress(v6()))
            .message_integrity_sha256_truncated(&key(), 16)
            .fingerprint()
            .build()
            .unwrap(),
    );
    out.push(
        MessageBuilder::new(MessageType::BINDING_ERROR, tid)
            .attr(ErrorCode::with_default_reason(487).unwrap())
            .message_integrity(&key())
            .message_integrity_sha256(&key())
            .fingerprint()
            .build()
            .unwrap(),
    );
    out.push(
        MessageBuilder::new(MessageType::BINDING_INDICATION, tid)
            .fingerprint()
            .build()
            .unwrap(),
    );
    // TURN.
    let lt = IntegrityKey::long_term_md5("user", "example.org", "pass");
    out.push(
        MessageBuilder::request(Method::ALLOCATE, tid)
            .attr(RequestedTransport::UDP)
            .attr(Username::new("user").unwrap())
            .attr(Realm::new("example.org").unwrap())
            .attr(Nonce::new(&b"nonce"[..]).unwrap())
            .attr(Lifetime(3600))
            .attr(DontFragment)
            .message_integrity(&lt)
            .fingerprint()
            .build()
            .unwrap(),
    );
    out.push(
        MessageBuilder::new(MessageType::new(Method::ALLOCATE, Class::Success), tid)
            .attr(XorRelayedAddress(v4()))
            .attr(XorRelayedAddress(v6()))
            .attr(XorMappedAddress(v4()))
            .attr(Lifetime(600))
            .message_integrity(&lt)
            .build()
            .unwrap(),
    );
    for method in [
        Method::REFRESH,
        Method::CREATE_PERMISSION,
        Method::CHANNEL_BIND,
    ] {
        out.push(
            MessageBuilder::request(method, tid)
                .attr(XorPeerAddress(v4()))
                .attr(XorPeerAddress(v6()))
                .attr(ChannelNumber(0x4abc))
                .attr(Lifetime(0))
                .message_integrity(&lt)
                .build()
                .unwrap(),
        );
    }
    for method in [Method::SEND, Method::DATA] {
        out.push(
            MessageBuilder::indication(method, tid)
                .attr(XorPeerAddress(v4()))
                .attr(Data(Bytes::from(vec![0xee; 200])))
                .build()
                .unwrap(),
        );
    }
    out
}

fn channel_data_corpus() -> Vec<Bytes> {
    let mut out = Vec::new();
    for (len, pad) in [(0, false), (1, true), (5, false), (100, true)] {
        out.push(
            ChannelData {
                channel: 0x4000 + len as u16,
                data: Bytes::from(vec![0x42; len]),
            }
            .to_bytes(pad),
        );
    }
    out
}

/// Everything a receiver might do with untrusted bytes. Must not panic.
/// Returns the parsed message, if any, after checking the round trip.
fn exercise(bytes: &[u8]) -> Option<Message> {
    let _ = is_stun(bytes);
    let _ = MessageHeader::parse(bytes);
    let _ = ChannelData::is_channel_data(bytes);
    if let Ok(cd) = ChannelData::parse(Bytes::copy_from_slice(bytes)) {
        let again = ChannelData::parse(cd.to_bytes(true)).expect("ChannelData round trip");
        assert_eq!(again, cd);
    }
    let m = Message::parse_slice(bytes).ok()?;
    assert!(is_stun(bytes));
    let _ = m.verify_integrity(&key());
    let _ = m.verify_fingerprint();
    let _ = m.unknown_comprehension_required();
    let _ = (m.mapped_address(), m.username(), m.error_code(), m.nonce());
    let _ = m.xor_relayed_addresses().count();
    if let Some(n) = m.nonce() {
        let _ = n.security_features();
    }
    assert_round_trip(&m);
    Some(m)
}

/// parse → serialize → parse gives an equal message.
fn assert_round_trip(m: &Message) {
    let mut b = MessageBuilder::new(m.typ(), m.transaction_id());
    for a in m.attributes() {
        b.add(a.clone());
    }
    match b.build() {
        Ok(bytes) => {
            let again = Message::parse(bytes).expect("a rebuilt message parses");
            assert_eq!(&again, m);
            assert_eq!(again.ignored_attributes(), 0);
        }
        // Re-encoding may add padding a peer left out inside a
        // PASSWORD-ALGORITHM(S) value: only a message at the size limit can
        // overflow because of it.
        Err(BuildError::MessageTooLarge { .. }) => assert!(m.as_bytes().len() > 0xFFFC),
        Err(e) => panic!("a parsed message does not rebuild: {e}"),
    }
}

/// One random mutation of `buf`, sometimes using `other` (another valid
/// message).
fn mutate(rng: &mut Rng, buf: &mut Vec<u8>, other: &[u8]) {
    let len = buf.len();
    match rng.below(10) {
        0 if len > 0 => {
            let i = rng.below(len);
            buf[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            buf[i] = rng.byte();
        }
        2 => buf.truncate(rng.below(len + 1)),
        3 => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(8);
            for _ in 0..n {
                buf.insert(i, rng.byte());
            }
        }
        // The message length field: random, or consistent with the bytes.
        4 if len >= 4 => {
            let l = if rng.below(2) == 0 {
                rng.next() as u16
            } else {
                len.saturating_sub(20) as u16
            };
            buf[2..4].copy_from_slice(&l.to_be_bytes());
        }
        // An attribute header somewhere after the message header: random
        // type from the known range, random length.
        5 if len >= 24 => {
            let at = 20 + 4 * rng.below((len - 20) / 4);
            if at + 4 <= len {
                let typ = [
                    0x0001u16, 0x0008, 0x0009, 0x0013, 0x001C, 0x0020, 0x8028, 0x8002,
                ][rng.below(8)];
                buf[at..at + 2].copy_from_slice(&typ.to_be_bytes());
                let l = rng.below(48) as u16;
                buf[at + 2..at + 4].copy_from_slice(&l.to_be_bytes());
            }
        }
        // Splice: our head, the other's tail.
        6 => {
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            buf.truncate(cut);
            buf.extend_from_slice(&other[from..]);
        }
        // Remove a 4-byte aligned chunk (drops or splits an attribute).
        7 if len >= 24 => {
            let at = 20 + 4 * rng.below((len - 20) / 4);
            let end = (at + 4 * (1 + rng.below(4))).min(len);
            buf.drain(at..end);
        }
        // Duplicate a 4-byte aligned chunk.
        8 if len >= 24 => {
            let at = 20 + 4 * rng.below((len - 20) / 4);
            let end = (at + 4 * (1 + rng.below(4))).min(len);
            let chunk = buf[at..end].to_vec();
            buf.splice(at..at, chunk);
        }
        _ => {
            if len > 0 {
                let i = rng.below(len);
                buf[i] = buf[i].wrapping_add(1);
            }
        }
    }
}

#[test]
fn corpus_is_valid() {
    for bytes in corpus() {
        let m = exercise(&bytes).expect("corpus message parses");
        if m.has_integrity() {
            let long_term = IntegrityKey::long_term_md5("user", "example.org", "pass");
            assert!(m.verify_integrity(&key()).is_ok() || m.verify_integrity(&long_term).is_ok());
        }
        if m.has_fingerprint() {
            assert_eq!(m.verify_fingerprint(), Ok(()));
        }
    }
    for bytes in channel_data_corpus() {
        assert!(ChannelData::parse(bytes).is_ok());
    }
}

#[test]
fn seeded_mutations_never_panic() {
    let corpus: Vec<Vec<u8>> = corpus()
        .into_iter()
        .chain(channel_data_corpus())
        .map(|b| b.to_vec())
        .collect();
    let mut rng = Rng(0x5EED_57E0);
    let mut parsed = 0;
    let mut total = 0;
    for _ in 0..60 {
        for (i, base) in corpus.iter().enumerate() {
            let mut buf = base.clone();
            let other = &corpus[(i + 1 + rng.below(corpus.len())) % corpus.len()];
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut buf, other);
                total += 1;
                if exercise(&buf).is_some() {
                    parsed += 1;
                }
            }
        }
    }
    // The mutations must leave a good share parseable, or the deep paths
    // (attribute decoders, integrity) would go unexercised.
    assert!(parsed * 10 > total, "{parsed} of {total} parsed");
}

#[test]
fn framer_survives_random_streams() {
    let corpus: Vec<Vec<u8>> = corpus()
        .into_iter()
        .map(|b| b.to_vec())
        .chain(channel_data_corpus().into_iter().map(|b| {
            // Streams carry padded ChannelData.
            let cd = ChannelData::parse(b).unwrap();
            cd.to_bytes(true).to_vec()
        }))
        .collect();
    let mut rng = Rng(42);
    for round in 0..300 {
        let mut stream = Vec::new();
        let mut count = 0;
        for _ in 0..1 + rng.below(6) {
            stream.extend_from_slice(&corpus[rng.below(corpus.len())]);
            count += 1;
        }
        let corrupt = round % 3 == 0;
        if corrupt {
            let other = corpus[rng.below(corpus.len())].clone();
            mutate(&mut rng, &mut stream, &other);
        }
        let mut f = Framer::with_capacity(4096);
        let mut frames = 0;
        let mut pos = 0;
        'feed: while pos < stream.len() {
            let n = (1 + rng.below(200)).min(stream.len() - pos).min(f.space());
            f.push(&stream[pos..pos + n]).unwrap();
            pos += n;
            loop {
                match f.next_frame() {
                    Ok(Some(Frame::Stun(m))) => {
                        frames += 1;
                        let _ = exercise(&m);
                    }
                    Ok(Some(Frame::ChannelData(_))) => frames += 1,
                    Ok(None) => break,
                    Err(_) => {
                        assert!(corrupt, "a clean stream failed to frame");
                        break 'feed;
                    }
                }
            }
            if f.space() == 0 {
                assert!(corrupt, "a clean stream filled the framer");
                break;
            }
        }
        if !corrupt {
            assert_eq!(frames, count);
            assert_eq!(f.buffered(), 0);
        }
    }
}

/// A known attribute type, or any type.
fn attr_type() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(vec![
            0x0001u16, 0x0006, 0x0008, 0x0009, 0x000A, 0x000C, 0x000D, 0x0012, 0x0013, 0x0014,
            0x0015, 0x0016, 0x0017, 0x0018, 0x0019, 0x001A, 0x001C, 0x001D, 0x001E, 0x0020,
            0x0022, 0x0024, 0x0025, 0x8000, 0x8001, 0x8002, 0x8003, 0x8004, 0x8022, 0x8023,
            0x8028, 0x8029, 0x802A,
        ]),
        1 => any::<u16>(),
    ]
}

/// Values of the lengths attributes have, and some others.
fn attr_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![0usize, 1, 4, 8, 12, 16, 20, 24, 32])
            .prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
        prop::collection::vec(any::<u8>(), 0..48),
        // Addresses with a valid family byte.
        (
            prop::sample::select(vec![1u8, 2]),
            prop::collection::vec(any::<u8>(), 18)
        )
            .prop_map(|(family, rest)| {
                let mut v = vec![0, family];
                v.extend_from_slice(&rest[..if family == 1 { 6 } else { 18 }]);
                v
            }),
        // Text.
        "[a-z:é]{0,20}".prop_map(String::into_bytes),
        // Error codes.
        (3u8..7, 0u8..100, "[A-Za-z ]{0,12}").prop_map(|(c, n, r)| {
            let mut v = vec![0, 0, c, n];
            v.extend_from_slice(r.as_bytes());
            v
        }),
    ]
}

/// A message from random TLVs: header and lengths consistent, values and
/// padding random.
fn tlv_message() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u16>(),
        any::<[u8; 12]>(),
        prop::collection::vec((attr_type(), attr_value(), any::<u8>()), 0..8),
    )
        .prop_map(|(typ, tid, attrs)| {
            let mut body = Vec::new();
            for (t, v, pad) in attrs {
                body.extend_from_slice(&t.to_be_bytes());
                body.extend_from_slice(&(v.len() as u16).to_be_bytes());
                body.extend_from_slice(&v);
                while body.len() % 4 != 0 {
                    body.push(pad);
                }
            }
            let mut m = Vec::new();
            m.extend_from_slice(&(typ & 0x3FFF).to_be_bytes());
            m.extend_from_slice(&(body.len() as u16).to_be_bytes());
            m.extend_from_slice(&0x2112_A442u32.to_be_bytes());
            m.extend_from_slice(&tid);
            m.extend_from_slice(&body);
            m
        })
}

fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, port)| (ip, port).into()),
        (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, port)| (ip, port).into()),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof!["[ -~]{0,40}", "[a-zé€マ]{0,30}", Just("x".repeat(max)),]
}

fn bytes_up_to(max: usize) -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

/// Any valid attribute (integrity and fingerprint values included, as raw
/// values).
fn attribute() -> impl Strategy<Value = Attribute> {
    let family = || any::<u8>().prop_map(AddressFamily);
    let algorithm = || {
        (any::<u16>(), bytes_up_to(9)).prop_map(|(a, params)| PasswordAlgorithm {
            algorithm: PasswordAlgorithmId(a),
            params,
        })
    };
    prop_oneof![
        socket_addr().prop_map(|a| MappedAddress(a).into()),
        socket_addr().prop_map(|a| XorMappedAddress(a).into()),
        socket_addr().prop_map(|a| AlternateServer(a).into()),
        socket_addr().prop_map(|a| XorPeerAddress(a).into()),
        socket_addr().prop_map(|a| XorRelayedAddress(a).into()),
        text(512).prop_map(|t| Username::new(&t).unwrap().into()),
        text(763).prop_map(|t| Realm::new(&t).unwrap().into()),
        text(763).prop_map(|t| Software::new(&t).unwrap().into()),
        text(763).prop_map(|t| AlternateDomain::new(&t).unwrap().into()),
        bytes_up_to(100).prop_map(|n| Nonce::new(n).unwrap().into()),
        any::<[u8; 32]>().prop_map(|h| UserHash(h).into()),
        (300u16..700, text(763)).prop_map(|(c, r)| ErrorCode::new(c, &r).unwrap().into()),
        (family(), 300u16..700, text(763))
            .prop_map(|(f, c, r)| AddressErrorCode::new(f, c, &r).unwrap().into()),
        prop::collection::vec(algorithm(), 0..4).prop_map(|l| PasswordAlgorithms(l).into()),
        algorithm().prop_map(Attribute::from),
        prop::collection::vec(any::<u16>().prop_map(AttrType), 0..9)
            .prop_map(|l| UnknownAttributes(l).into()),
        any::<u32>().prop_map(|p| Priority(p).into()),
        Just(UseCandidate.into()),
        any::<u64>().prop_map(|t| IceControlled(t).into()),
        any::<u64>().prop_map(|t| IceControlling(t).into()),
        any::<u16>().prop_map(|c| ChannelNumber(c).into()),
        any::<u32>().prop_map(|l| Lifetime(l).into()),
        bytes_up_to(300).prop_map(|d| Data(d).into()),
        family().prop_map(|f| RequestedAddressFamily(f).into()),
        family().prop_map(|f| AdditionalAddressFamily(f).into()),
        any::<bool>().prop_map(|r| EvenPort { reserve_next: r }.into()),
        any::<u8>().prop_map(|p| RequestedTransport(p).into()),
        Just(DontFragment.into()),
        any::<[u8; 8]>().prop_map(|t| ReservationToken(t).into()),
        (any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(icmp_type, code, data)| Icmp {
            icmp_type,
            code,
            data
        }
        .into()),
        // Unknown types (never a known one).
        (any::<u16>(), bytes_up_to(40)).prop_filter_map("known type", |(t, value)| {
            let typ = AttrType(t);
            typ.name()
                .is_none()
                .then_some(Attribute::Unknown { typ, value })
        }),
    ]
}

proptest! {
    // Each case builds and checks a whole message with up to ten attributes
    // of up to 763 bytes: fewer cases keep the test at a few seconds.
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// serialize → parse gives back exactly the attributes, for any valid
    /// attribute list; with integrity and fingerprint appended, both verify.
    #[test]
    fn valid_messages_round_trip(
        typ in any::<u16>(),
        tid in any::<[u8; 12]>(),
        attrs in prop::collection::vec(attribute(), 0..10),
        integrity in 0u8..4,
        fingerprint in any::<bool>(),
    ) {
        let typ = MessageType::from_u16(typ);
        let mut b = MessageBuilder::new(typ, TransactionId(tid));
        for a in &attrs {
            b.add(a.clone());
        }
        b = match integrity {
            1 => b.message_integrity(&key()),
            2 => b.message_integrity_sha256_truncated(&key(), 20),
            3 => b.message_integrity(&key()).message_integrity_sha256(&key()),
            _ => b,
        };
        if fingerprint {
            b = b.fingerprint();
        }
        let bytes = b.build().unwrap();
        prop_assert!(is_stun(&bytes));
        let m = exercise(&bytes).unwrap();
        prop_assert_eq!(m.typ(), typ);
        prop_assert_eq!(m.transaction_id(), TransactionId(tid));
        prop_assert_eq!(&m.attributes()[..attrs.len()], &attrs[..]);
        let extra = usize::from(integrity > 0) + usize::from(integrity == 3) + usize::from(fingerprint);
        prop_assert_eq!(m.attributes().len(), attrs.len() + extra);
        prop_assert_eq!(m.verify_integrity(&key()).is_ok(), integrity > 0);
        prop_assert_eq!(m.verify_fingerprint().is_ok(), fingerprint);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        exercise(&bytes);
        let mut f = Framer::with_capacity(1024);
        if f.push(&bytes).is_ok() {
            while let Ok(Some(_)) = f.next_frame() {}
        }
    }

    #[test]
    fn random_tlv_messages_never_panic_and_round_trip(m in tlv_message()) {
        exercise(&m);
    }

    #[test]
    fn mutated_tlv_messages_never_panic(m in tlv_message(), seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let mut buf = m.clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut buf, &m);
        }
        exercise(&buf);
    }

    #[test]
    fn mutated_corpus_never_panics(
        which in 0usize..64,
        seed in any::<u64>(),
        rounds in 1usize..6,
    ) {
        let corpus = corpus();
        let base = &corpus[which % corpus.len()];
        let other = &corpus[(which + 1) % corpus.len()];
        let mut rng = Rng(seed);
        let mut buf = base.to_vec();
        for _ in 0..rounds {
            mutate(&mut rng, &mut buf, other);
        }
        exercise(&buf);
    }
}
