//! Randomised tests of the codec.
//!
//! * Round trip: proptest generates valid chunks of every kind (with valid
//!   parameters and error causes inside), packs them into packets and checks
//!   that parsing gives back exactly what was written.
//! * Mutation: valid packets of every chunk kind are corrupted many
//!   thousands of times (bit flips, byte changes, insertions, deletions,
//!   truncations, forged length fields) with a seeded PRNG, and fed to every
//!   parser. Nothing may panic, and whatever parses must survive
//!   serialize-then-parse unchanged.
//! * SNAP: arbitrary bytes as a signalled INIT never panic.

use std::net::{Ipv4Addr, Ipv6Addr};

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;

use sanderling_sctp::association::{Association, SnapError};
use sanderling_sctp::chunk::{
    AbortChunk, Chunk, CookieAckChunk, CookieEchoChunk, DataChunk, ErrorChunk, ForwardTsnChunk,
    GapAckBlock, HeartbeatAckChunk, HeartbeatChunk, IForwardTsnChunk, InitAckChunk, InitChunk,
    PadChunk, RawChunk, ReConfigChunk, SackChunk, ShutdownAckChunk, ShutdownChunk,
    ShutdownCompleteChunk, SkippedMessage, SkippedStream, WriteChunk,
};
use sanderling_sctp::error_cause::{
    ErrorCause, InvalidStreamIdentifierCause, MissingMandatoryParameterCause, NoUserDataCause,
    ProtocolViolationCause, RestartWithNewAddressesCause, StaleCookieCause,
    UnrecognizedChunkTypeCause, UnrecognizedParametersCause, UnresolvableAddressCause,
    UserInitiatedAbortCause, parse_error_causes,
};
use sanderling_sctp::packet::{ChecksumPolicy, Packet, PacketWriter};
use sanderling_sctp::param::{
    AddIncomingStreamsParameter, AddOutgoingStreamsParameter, CookiePreservativeParameter,
    ForwardTsnSupportedParameter, HeartbeatInfoParameter, IncomingSsnResetRequestParameter,
    Ipv4AddressParameter, Ipv6AddressParameter, NextTsns, OutgoingSsnResetRequestParameter,
    Parameter, RawParameter, RawParameters, ReconfigResponseParameter, ReconfigResult,
    SsnTsnResetRequestParameter, StateCookieParameter, SupportedAddressTypesParameter,
    SupportedExtensionsParameter, UnrecognizedParameter, ZeroChecksumAcceptableParameter,
    parse_parameters,
};
use sanderling_sctp::types::{Data, Fsn, Mid, Ppid, Ssn, StreamId, Tsn};

// ---------------------------------------------------------------------------
// Strategies for valid values.

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..=max).prop_map(Bytes::from)
}

fn nonempty_bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 1..=max).prop_map(Bytes::from)
}

fn stream_ids(max: usize) -> impl Strategy<Value = Vec<StreamId>> {
    proptest::collection::vec(any::<u16>().prop_map(StreamId), 0..=max)
}

const KNOWN_PARAMETERS: [u16; 16] = [
    1, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 0x8001, 0x8008, 0xC000,
];

fn parameter() -> BoxedStrategy<Parameter> {
    prop_oneof![
        bytes(32).prop_map(|info| Parameter::HeartbeatInfo(HeartbeatInfoParameter { info })),
        any::<[u8; 4]>().prop_map(|a| Parameter::Ipv4Address(Ipv4AddressParameter {
            address: Ipv4Addr::from(a)
        })),
        any::<[u8; 16]>().prop_map(|a| Parameter::Ipv6Address(Ipv6AddressParameter {
            address: Ipv6Addr::from(a)
        })),
        bytes(64).prop_map(|cookie| Parameter::StateCookie(StateCookieParameter { cookie })),
        bytes(16).prop_map(
            |parameter| Parameter::UnrecognizedParameter(UnrecognizedParameter { parameter })
        ),
        any::<u32>().prop_map(
            |ms| Parameter::CookiePreservative(CookiePreservativeParameter {
                life_span_increment_ms: ms
            })
        ),
        proptest::collection::vec(any::<u16>(), 0..5).prop_map(|t| {
            Parameter::SupportedAddressTypes(SupportedAddressTypesParameter { address_types: t })
        }),
        (any::<u32>(), any::<u32>(), any::<u32>(), stream_ids(6)).prop_map(|(a, b, c, s)| {
            Parameter::OutgoingSsnResetRequest(OutgoingSsnResetRequestParameter {
                request_seq: a,
                response_seq: b,
                sender_last_tsn: Tsn(c),
                streams: s,
            })
        }),
        (any::<u32>(), stream_ids(6)).prop_map(|(a, s)| Parameter::IncomingSsnResetRequest(
            IncomingSsnResetRequestParameter {
                request_seq: a,
                streams: s
            }
        )),
        any::<u32>().prop_map(
            |a| Parameter::SsnTsnResetRequest(SsnTsnResetRequestParameter { request_seq: a })
        ),
        (any::<u32>(), any::<u32>(), any::<Option<(u32, u32)>>()).prop_map(|(s, r, t)| {
            Parameter::ReconfigResponse(ReconfigResponseParameter {
                response_seq: s,
                result: ReconfigResult::from_code(r % 10),
                next_tsns: t.map(|(a, b)| NextTsns {
                    sender_next_tsn: Tsn(a),
                    receiver_next_tsn: Tsn(b),
                }),
            })
        }),
        (any::<u32>(), any::<u16>()).prop_map(|(a, n)| Parameter::AddOutgoingStreams(
            AddOutgoingStreamsParameter {
                request_seq: a,
                new_streams: n
            }
        )),
        (any::<u32>(), any::<u16>()).prop_map(|(a, n)| Parameter::AddIncomingStreams(
            AddIncomingStreamsParameter {
                request_seq: a,
                new_streams: n
            }
        )),
        any::<u32>().prop_map(|e| Parameter::ZeroChecksumAcceptable(
            ZeroChecksumAcceptableParameter { edmid: e }
        )),
        proptest::collection::vec(any::<u8>(), 0..7).prop_map(|t| {
            Parameter::SupportedExtensions(SupportedExtensionsParameter { chunk_types: t })
        }),
        Just(Parameter::ForwardTsnSupported(ForwardTsnSupportedParameter)),
        (
            any::<u16>().prop_filter("known type", |t| !KNOWN_PARAMETERS.contains(t)),
            bytes(12)
        )
            .prop_map(|(typ, value)| Parameter::Unknown(RawParameter { typ, value })),
    ]
    .boxed()
}

fn parameters() -> impl Strategy<Value = Vec<Parameter>> {
    proptest::collection::vec(parameter(), 0..6)
}

fn error_cause() -> BoxedStrategy<ErrorCause> {
    prop_oneof![
        any::<u16>().prop_map(|s| ErrorCause::InvalidStreamIdentifier(
            InvalidStreamIdentifierCause {
                stream_id: StreamId(s)
            }
        )),
        proptest::collection::vec(any::<u16>(), 0..5).prop_map(|t| {
            ErrorCause::MissingMandatoryParameter(MissingMandatoryParameterCause {
                missing_types: t,
            })
        }),
        any::<u32>().prop_map(|s| ErrorCause::StaleCookie(StaleCookieCause { staleness_us: s })),
        Just(ErrorCause::OutOfResource),
        bytes(20)
            .prop_map(|a| ErrorCause::UnresolvableAddress(UnresolvableAddressCause { address: a })),
        bytes(20).prop_map(
            |c| ErrorCause::UnrecognizedChunkType(UnrecognizedChunkTypeCause { chunk: c })
        ),
        Just(ErrorCause::InvalidMandatoryParameter),
        bytes(20).prop_map(
            |p| ErrorCause::UnrecognizedParameters(UnrecognizedParametersCause { parameters: p })
        ),
        any::<u32>().prop_map(|t| ErrorCause::NoUserData(NoUserDataCause { tsn: Tsn(t) })),
        Just(ErrorCause::CookieReceivedWhileShuttingDown),
        bytes(20).prop_map(
            |a| ErrorCause::RestartWithNewAddresses(RestartWithNewAddressesCause { addresses: a })
        ),
        bytes(20)
            .prop_map(|r| ErrorCause::UserInitiatedAbort(UserInitiatedAbortCause { reason: r })),
        bytes(20).prop_map(|i| ErrorCause::ProtocolViolation(ProtocolViolationCause { info: i })),
        (
            any::<u16>().prop_filter("known code", |c| !(1..=13).contains(c)),
            bytes(12)
        )
            .prop_map(|(code, value)| ErrorCause::Unknown { code, value }),
    ]
    .boxed()
}

fn error_causes() -> impl Strategy<Value = Vec<ErrorCause>> {
    proptest::collection::vec(error_cause(), 0..5)
}

/// A DATA chunk in the form parsing produces (no MID/FSN).
fn data_chunk() -> impl Strategy<Value = DataChunk> {
    (
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        nonempty_bytes(100),
        any::<[bool; 4]>(),
    )
        .prop_map(|(tsn, sid, ssn, ppid, payload, [b, e, u, i])| DataChunk {
            tsn: Tsn(tsn),
            immediate_ack: i,
            data: Data {
                stream_id: StreamId(sid),
                ssn: Ssn(ssn),
                ppid: Ppid(ppid),
                payload,
                is_beginning: b,
                is_end: e,
                is_unordered: u,
                ..Data::default()
            },
        })
}

/// An I-DATA chunk in the form parsing produces (PPID only on the first
/// fragment, FSN only on the others, no SSN).
fn idata_chunk() -> impl Strategy<Value = DataChunk> {
    (
        any::<u32>(),
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        nonempty_bytes(100),
        any::<[bool; 4]>(),
    )
        .prop_map(|(tsn, sid, mid, word, payload, [b, e, u, i])| DataChunk {
            tsn: Tsn(tsn),
            immediate_ack: i,
            data: Data {
                stream_id: StreamId(sid),
                mid: Mid(mid),
                ppid: Ppid(if b { word } else { 0 }),
                fsn: Fsn(if b { 0 } else { word }),
                payload,
                is_beginning: b,
                is_end: e,
                is_unordered: u,
                ..Data::default()
            },
        })
}

fn init_fields() -> impl Strategy<Value = (u32, u32, u16, u16, u32, Vec<Parameter>)> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        parameters(),
    )
}

const KNOWN_CHUNKS: [u8; 18] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 132, 192, 194,
];

fn chunk() -> BoxedStrategy<Chunk> {
    prop_oneof![
        data_chunk().prop_map(Chunk::Data),
        idata_chunk().prop_map(Chunk::IData),
        init_fields().prop_map(|(t, a, o, i, tsn, p)| Chunk::Init(InitChunk {
            initiate_tag: t,
            a_rwnd: a,
            outbound_streams: o,
            inbound_streams: i,
            initial_tsn: Tsn(tsn),
            parameters: p,
        })),
        init_fields().prop_map(|(t, a, o, i, tsn, p)| Chunk::InitAck(InitAckChunk {
            initiate_tag: t,
            a_rwnd: a,
            outbound_streams: o,
            inbound_streams: i,
            initial_tsn: Tsn(tsn),
            parameters: p,
        })),
        (
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec(any::<(u16, u16)>(), 0..20),
            proptest::collection::vec(any::<u32>(), 0..10),
        )
            .prop_map(|(c, a, g, d)| Chunk::Sack(SackChunk {
                cumulative_tsn_ack: Tsn(c),
                a_rwnd: a,
                gap_ack_blocks: g
                    .into_iter()
                    .map(|(start, end)| GapAckBlock { start, end })
                    .collect(),
                duplicate_tsns: d.into_iter().map(Tsn).collect(),
            })),
        bytes(48).prop_map(|info| Chunk::Heartbeat(HeartbeatChunk { info })),
        bytes(48).prop_map(|info| Chunk::HeartbeatAck(HeartbeatAckChunk { info })),
        (any::<bool>(), error_causes()).prop_map(|(t, c)| Chunk::Abort(AbortChunk {
            tag_reflected: t,
            causes: c
        })),
        any::<u32>().prop_map(|t| Chunk::Shutdown(ShutdownChunk {
            cumulative_tsn_ack: Tsn(t)
        })),
        Just(Chunk::ShutdownAck(ShutdownAckChunk)),
        error_causes().prop_map(|causes| Chunk::Error(ErrorChunk { causes })),
        bytes(80).prop_map(|cookie| Chunk::CookieEcho(CookieEchoChunk { cookie })),
        Just(Chunk::CookieAck(CookieAckChunk)),
        any::<bool>()
            .prop_map(|t| Chunk::ShutdownComplete(ShutdownCompleteChunk { tag_reflected: t })),
        parameters().prop_map(|parameters| Chunk::ReConfig(ReConfigChunk { parameters })),
        (0usize..64).prop_map(|n| Chunk::Pad(PadChunk { padding_len: n })),
        (
            any::<u32>(),
            proptest::collection::vec(any::<(u16, u16)>(), 0..10)
        )
            .prop_map(|(t, s)| Chunk::ForwardTsn(ForwardTsnChunk {
                new_cumulative_tsn: Tsn(t),
                skipped_streams: s
                    .into_iter()
                    .map(|(sid, ssn)| SkippedStream {
                        stream_id: StreamId(sid),
                        ssn: Ssn(ssn),
                    })
                    .collect(),
            })),
        (
            any::<u32>(),
            proptest::collection::vec(any::<(u16, bool, u32)>(), 0..10)
        )
            .prop_map(|(t, s)| Chunk::IForwardTsn(IForwardTsnChunk {
                new_cumulative_tsn: Tsn(t),
                skipped: s
                    .into_iter()
                    .map(|(sid, unordered, mid)| SkippedMessage {
                        stream_id: StreamId(sid),
                        unordered,
                        mid: Mid(mid),
                    })
                    .collect(),
            })),
        (
            any::<u8>().prop_filter("known type", |t| !KNOWN_CHUNKS.contains(t)),
            any::<u8>(),
            bytes(40)
        )
            .prop_map(|(typ, flags, value)| Chunk::Unknown(RawChunk { typ, flags, value })),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Helpers.

fn serialize(chunk: &Chunk) -> BytesMut {
    let mut out = BytesMut::new();
    chunk.serialize(&mut out);
    out
}

/// Parses a datagram and everything inside it, as the association would, and
/// checks that whatever parses survives serialize-then-parse unchanged.
/// Returns how many chunks parsed successfully.
fn exercise(datagram: Bytes, policy: ChecksumPolicy) -> usize {
    let Ok(packet) = Packet::parse(datagram, policy) else {
        return 0;
    };
    let mut parsed = 0;
    for raw in packet.chunks() {
        // Every TLV-shaped interpretation of the value, from a few offsets,
        // must fail cleanly or succeed.
        for skip in [0usize, 4, 16] {
            if let Some(v) = raw.value.get(skip..) {
                let v = Bytes::copy_from_slice(v);
                let _ = parse_parameters(&v);
                let _ = parse_error_causes(&v);
                for p in RawParameters::new(v).flatten() {
                    let _ = Parameter::parse(&p);
                }
            }
        }
        let Ok(chunk) = Chunk::parse(&raw) else {
            continue;
        };
        parsed += 1;
        let out = serialize(&chunk);
        assert_eq!(out.len(), chunk.serialized_len(), "{chunk:?}");
        let mut w = PacketWriter::new(1, 2, 3, 65535);
        w.push(&chunk)
            .expect("a parsed chunk fits a maximal packet");
        let again = Packet::parse(w.finish(true), ChecksumPolicy::Verify).expect("own packet");
        let reparsed: Vec<_> = again
            .chunks()
            .map(|c| Chunk::parse(&c).expect("own chunk parses"))
            .collect();
        assert_eq!(reparsed, vec![chunk]);
    }
    parsed
}

// ---------------------------------------------------------------------------
// Round trips.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn chunk_round_trip(chunk in chunk()) {
        let out = serialize(&chunk);
        prop_assert_eq!(out.len(), chunk.serialized_len());
        prop_assert_eq!(out.len() % 4, 0);
        prop_assert_eq!(out[0], chunk.chunk_type());
        let len = usize::from(u16::from_be_bytes([out[2], out[3]]));
        prop_assert!(len <= out.len() && out.len() - len < 4);
        let raw = RawChunk {
            typ: out[0],
            flags: out[1],
            value: out.freeze().slice(4..len),
        };
        prop_assert_eq!(Chunk::parse(&raw), Ok(chunk));
    }

    #[test]
    fn packet_round_trip(
        chunks in proptest::collection::vec(chunk(), 1..6),
        tag in any::<u32>(),
        zero_checksum in any::<bool>(),
    ) {
        let mut w = PacketWriter::new(5000, 5000, tag, 65535);
        for c in &chunks {
            w.push(c).unwrap();
        }
        let datagram = w.finish(!zero_checksum);
        let policy = if zero_checksum { ChecksumPolicy::AcceptZero } else { ChecksumPolicy::Verify };
        let packet = Packet::parse(datagram, policy).unwrap();
        prop_assert_eq!(packet.header.verification_tag, tag);
        let parsed: Vec<_> = packet.chunks().map(|c| Chunk::parse(&c).unwrap()).collect();
        prop_assert_eq!(parsed, chunks);
    }

    #[test]
    fn parameter_and_cause_round_trip(p in parameter(), c in error_cause()) {
        let mut out = BytesMut::new();
        p.serialize(&mut out);
        prop_assert_eq!(out.len(), p.serialized_len());
        prop_assert_eq!(parse_parameters(&out.freeze()), Ok(vec![p]));
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        prop_assert_eq!(out.len(), c.serialized_len());
        prop_assert_eq!(parse_error_causes(&out.freeze()), Ok(vec![c]));
    }

    #[test]
    fn arbitrary_datagrams_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        exercise(Bytes::from(bytes), ChecksumPolicy::Skip);
    }

    #[test]
    fn arbitrary_chunk_values_do_not_panic(
        typ in prop_oneof![proptest::sample::select(KNOWN_CHUNKS.to_vec()), any::<u8>()],
        flags in any::<u8>(),
        value in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let raw = RawChunk { typ, flags, value: Bytes::from(value) };
        if let Ok(chunk) = Chunk::parse(&raw) {
            let out = serialize(&chunk);
            prop_assert_eq!(out.len(), chunk.serialized_len());
        }
    }
}

proptest! {
    /// SNAP's signalled INIT comes from the signalling, as hostile as the
    /// network: arbitrary bytes never panic, and a valid INIT with a
    /// non-zero tag and streams round-trips through it.
    #[test]
    fn signalled_inits(
        junk in proptest::collection::vec(any::<u8>(), 0..120),
        (tag, a_rwnd, os, is, tsn, parameters) in init_fields(),
    ) {
        let _ = Association::parse_signalled_init(&junk);
        let init = InitChunk {
            initiate_tag: tag,
            a_rwnd,
            outbound_streams: os,
            inbound_streams: is,
            initial_tsn: Tsn(tsn),
            parameters,
        };
        let mut out = BytesMut::new();
        init.serialize(&mut out);
        let parsed = Association::parse_signalled_init(&out);
        if tag != 0 && os != 0 && is != 0 {
            prop_assert_eq!(parsed, Ok(init));
        } else {
            prop_assert_eq!(parsed, Err(SnapError::Invalid));
        }
    }
}

// ---------------------------------------------------------------------------
// Mutation.

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// One valid packet per chunk kind, plus a few bundles, as seeds.
fn corpus() -> Vec<Vec<u8>> {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = chunk();
    let mut seeds = Vec::new();
    // Deterministic sampling until every chunk type is represented a few
    // times.
    let mut per_type = [0usize; 256];
    let mut all = Vec::new();
    while per_type
        .iter()
        .enumerate()
        .filter(|(t, _)| KNOWN_CHUNKS.contains(&(*t as u8)))
        .any(|(_, n)| *n < 3)
    {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        let t = usize::from(c.chunk_type());
        if per_type[t] < 3 || !KNOWN_CHUNKS.contains(&(t as u8)) && per_type[t] < 1 {
            per_type[t] += 1;
            all.push(c);
        }
    }
    for c in &all {
        let mut w = PacketWriter::new(5000, 5000, 0x1234_5678, 65535);
        w.push(c).unwrap();
        seeds.push(w.finish(true).to_vec());
    }
    for group in all.chunks(4) {
        let mut w = PacketWriter::new(5000, 5000, 0x1234_5678, 65535);
        for c in group {
            w.push(c).unwrap();
        }
        seeds.push(w.finish(true).to_vec());
    }
    seeds
}

fn mutate(rng: &mut Rng, p: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            0 => {
                let i = rng.below(p.len());
                if let Some(b) = p.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(p.len());
                if let Some(b) = p.get_mut(i) {
                    *b = rng.byte();
                }
            }
            2 => {
                let i = rng.below(p.len() + 1);
                p.insert(i, rng.byte());
            }
            3 => {
                if !p.is_empty() {
                    let i = rng.below(p.len());
                    p.remove(i);
                }
            }
            4 => {
                let n = rng.below(p.len() + 1);
                p.truncate(n);
            }
            5 => {
                // Forge a 16-bit length field at a 4-byte boundary + 2: chunk,
                // parameter and cause lengths all live there.
                let i = 2 + 4 * rng.below(p.len() / 4 + 1);
                let v: u16 = match rng.below(4) {
                    0 => rng.below(8) as u16,
                    1 => 0xFFFF - rng.below(8) as u16,
                    _ => rng.next() as u16,
                };
                if let Some(f) = p.get_mut(i..i + 2) {
                    f.copy_from_slice(&v.to_be_bytes());
                }
            }
            6 => {
                // Forge a 16-bit count (SACK counts, I-FORWARD-TSN flags...).
                let i = rng.below(p.len());
                let v = rng.next() as u16;
                if let Some(f) = p.get_mut(i..i + 2) {
                    f.copy_from_slice(&v.to_be_bytes());
                }
            }
            7 => {
                // Duplicate a range (bundles chunks or parameters twice).
                let a = rng.below(p.len());
                let b = (a + rng.below(64)).min(p.len());
                let copy = p[a..b].to_vec();
                let at = rng.below(p.len() + 1);
                p.splice(at..at, copy);
            }
            _ => {
                // Change a chunk or parameter type byte near the start.
                let i = [12, 13, 28, 29, 32, 33][rng.below(6)];
                if let Some(b) = p.get_mut(i) {
                    *b = rng.byte();
                }
            }
        }
    }
}

#[test]
fn mutated_packets_never_panic() {
    let seeds = corpus();
    assert!(seeds.len() > 50);
    let mut rng = Rng(0x5EED_0F5C_7B00_0001);
    let mut parsed_chunks = 0;
    let iterations = 150_000;
    for i in 0..iterations {
        let mut p = seeds[rng.below(seeds.len())].clone();
        mutate(&mut rng, &mut p);
        let datagram = Bytes::from(p);
        parsed_chunks += exercise(datagram.clone(), ChecksumPolicy::Skip);
        // Every few rounds, also go through real checksum verification with a
        // fixed-up checksum so Verify and AcceptZero paths see mutated data.
        if i % 8 == 0 && datagram.len() >= 12 {
            let mut fixed = datagram.to_vec();
            fixed[8..12].copy_from_slice(&[0; 4]);
            let crc = sanderling_sctp::packet::compute_checksum(&fixed);
            let zero = Bytes::from(fixed.clone());
            fixed[8..12].copy_from_slice(&crc.to_le_bytes());
            exercise(Bytes::from(fixed), ChecksumPolicy::Verify);
            exercise(zero, ChecksumPolicy::AcceptZero);
        }
    }
    eprintln!("{parsed_chunks} chunks parsed from {iterations} mutated packets");
    // The mutations must leave plenty of parseable input, or the test is
    // only exercising the first length check.
    assert!(
        parsed_chunks > iterations / 4,
        "only {parsed_chunks} chunks parsed"
    );
}
