//! Randomised tests of the parser.
//!
//! * proptest feeds arbitrary text, SDP-shaped random lines and mutated
//!   fixtures (a shrinkable list of edits) to the parser.
//! * A seeded loop (rand's `StdRng`, fixed seed, so a failure replays)
//!   applies thousands of random edits to the real fixtures: bit
//!   flips, special bytes, insertions, deletions, line duplication, removal
//!   and swaps, numbers replaced by huge ones, truncation, lines from a
//!   dictionary of SDP fragments. Both `parse` (when the bytes are UTF-8)
//!   and `parse_bytes` run.
//!
//! Nothing may panic. Whatever parses must print, re-parse to the same
//! model and print the same text again; its typed accessors and candidates
//! must work and round-trip. An error must name a line of the input (or
//! the one after the last).

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sanderling_sdp::{Candidate, SessionDescription};

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .collect();
    names.sort();
    names.into_iter().map(|p| fs::read(p).unwrap()).collect()
}

/// Everything a caller might do with a parsed description.
fn exercise(desc: &SessionDescription) {
    let _ = (
        desc.ice_ufrag(),
        desc.ice_pwd(),
        desc.ice_options(),
        desc.ice_lite(),
    );
    let _ = (desc.fingerprints(), desc.setup(), desc.end_of_candidates());
    let _ = (desc.groups().count(), desc.bundle_group());
    for view in desc.media_views() {
        let _ = (view.mid(), view.ice_ufrag(), view.ice_pwd(), view.trickle());
        let _ = (view.fingerprints(), view.setup(), view.end_of_candidates());
        let _ = (view.bundle_group(), view.media().is_rejected());
        for f in view.fingerprints() {
            let _ = f.bytes();
        }
        for c in view.candidates() {
            let back = Candidate::parse(&c.to_string()).expect("a parsed candidate re-parses");
            assert_eq!(back, c);
            let _ = (c.address.is_mdns(), c.address.ip());
        }
        if let Some(data) = view.data() {
            let _ = (data.protocol(), data.sctp_port(), data.sctpmap());
            let _ = data.max_message_size().limit();
        }
    }
    let _ = desc.data_section();
}

/// Parses; if that works, checks the round trip; if not, checks the line.
/// Returns whether it parsed.
fn check_str(input: &str) -> bool {
    match SessionDescription::parse(input) {
        Ok(desc) => {
            let text = desc.to_string();
            let again = SessionDescription::parse(&text)
                .unwrap_or_else(|e| panic!("re-parse failed: {e}\n{text}"));
            assert_eq!(again, desc, "model changed through print + parse\n{text}");
            assert_eq!(again.to_string(), text);
            exercise(&desc);
            true
        }
        Err(e) => {
            let lines = input.split('\n').count();
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "line {} of {lines}: {e}",
                e.line
            );
            let _ = e.to_string();
            false
        }
    }
}

/// [`check_str`] through `parse_bytes`, which must agree with `parse`.
fn check_bytes(input: &[u8]) -> bool {
    let by_bytes = SessionDescription::parse_bytes(input);
    match std::str::from_utf8(input) {
        Ok(text) => {
            assert_eq!(by_bytes, SessionDescription::parse(text));
            check_str(text)
        }
        Err(_) => {
            let e = by_bytes.expect_err("non-UTF-8 input parsed");
            let lines = input.split(|&b| b == b'\n').count();
            assert!(e.line >= 1 && e.line <= lines, "{e}");
            false
        }
    }
}

// ---------------------------------------------------------------------------
// Edits.

const SPECIAL: &[u8] = b" :=\r\n\t/0123456789-.\x00\xff\xc3";

const DICTIONARY: &[&str] = &[
    "m=application 0 DTLS/SCTP 5000",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "m=audio 9/2 RTP/AVP 0",
    "a=sctp-port:0",
    "a=sctp-port:65535",
    "a=max-message-size:0",
    "a=sctpmap:5000 webrtc-datachannel 1024",
    "a=setup:holdconn",
    "a=group:BUNDLE",
    "a=group:BUNDLE 0 1 x",
    "a=end-of-candidates",
    "a=ice-lite",
    "a=ice-options:trickle,ice2",
    "a=bundle-only",
    "a=mid:0",
    "a=fingerprint:sha-1 AB:CD",
    "a=candidate:1 1 tcp 1 ::1 9 typ host tcptype so x y",
    "a=candidate:1 2 udp 1 a.local 1 typ relay raddr 0.0.0.0 rport 0",
    "a=",
    "a=x:",
    "a=x: y ",
    "t=0 0",
    "r=604800 3600 0 90000",
    "z=2882844526 -1h 2898848070 0",
    "c=IN IP6 ::1",
    "c=IN IP4 224.2.1.1/127/3",
    "b=AS:0",
    "b=TIAS:18446744073709551615",
    "i=information",
    "u=http://example.com/",
    "e=a@example.com",
    "p=+1 555 0100",
    "k=prompt",
    "s=",
    "v=0",
    "",
];

const NUMBERS: &[&str] = &[
    "0",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999",
    "-1",
    "+1",
    "",
];

#[derive(Clone, Debug)]
enum Edit {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    DuplicateLine(usize),
    DeleteLine(usize),
    SwapLines(usize, usize),
    ReplaceNumber(usize, usize),
    Truncate(usize),
    InsertLine(usize, usize),
}

fn line_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            spans.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        spans.push((start, bytes.len()));
    }
    spans
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let len = bytes.len();
    match *edit {
        Edit::FlipBit(at, bit) if len > 0 => bytes[at % len] ^= 1 << (bit % 8),
        Edit::SetByte(at, b) if len > 0 => bytes[at % len] = b,
        Edit::Insert(at, ref new) => {
            let at = at % (len + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Edit::Delete(at, n) if len > 0 => {
            let at = at % len;
            bytes.drain(at..len.min(at + n % 16 + 1));
        }
        Edit::DuplicateLine(i) | Edit::DeleteLine(i) | Edit::InsertLine(i, _) => {
            let spans = line_spans(bytes);
            if spans.is_empty() {
                return;
            }
            let (start, end) = spans[i % spans.len()];
            match *edit {
                Edit::DuplicateLine(_) => {
                    let line = bytes[start..end].to_vec();
                    bytes.splice(start..start, line);
                }
                Edit::DeleteLine(_) => {
                    bytes.drain(start..end);
                }
                Edit::InsertLine(_, word) => {
                    let line = format!("{}\r\n", DICTIONARY[word % DICTIONARY.len()]);
                    bytes.splice(start..start, line.into_bytes());
                }
                _ => unreachable!(),
            }
        }
        Edit::SwapLines(i, j) => {
            let spans = line_spans(bytes);
            if spans.len() < 2 {
                return;
            }
            let (a, b) = (i % spans.len(), j % spans.len());
            let (a, b) = (a.min(b), a.max(b));
            if a == b {
                return;
            }
            let (s1, e1) = spans[a];
            let (s2, e2) = spans[b];
            let mut out = bytes[..s1].to_vec();
            out.extend_from_slice(&bytes[s2..e2]);
            out.extend_from_slice(&bytes[e1..s2]);
            out.extend_from_slice(&bytes[s1..e1]);
            out.extend_from_slice(&bytes[e2..]);
            *bytes = out;
        }
        Edit::ReplaceNumber(at, which) => {
            let Some(start) = (0..len)
                .map(|k| (at + k) % len)
                .find(|&k| bytes[k].is_ascii_digit())
            else {
                return;
            };
            let start = (0..=start)
                .rev()
                .take_while(|&k| bytes[k].is_ascii_digit())
                .last()
                .unwrap_or(start);
            let end = (start..len)
                .find(|&k| !bytes[k].is_ascii_digit())
                .unwrap_or(len);
            bytes.splice(start..end, NUMBERS[which % NUMBERS.len()].bytes());
        }
        Edit::Truncate(at) => bytes.truncate(at % (len + 1)),
        _ => {}
    }
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let pos = any::<usize>();
    prop_oneof![
        (pos, any::<u8>()).prop_map(|(p, b)| Edit::FlipBit(p, b)),
        (pos, proptest::sample::select(SPECIAL)).prop_map(|(p, b)| Edit::SetByte(p, b)),
        (pos, proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(p, v)| Edit::Insert(p, v)),
        (pos, 0..16usize).prop_map(|(p, n)| Edit::Delete(p, n)),
        pos.prop_map(Edit::DuplicateLine),
        pos.prop_map(Edit::DeleteLine),
        (pos, pos).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (pos, any::<usize>()).prop_map(|(p, n)| Edit::ReplaceNumber(p, n)),
        pos.prop_map(Edit::Truncate),
        (pos, any::<usize>()).prop_map(|(p, w)| Edit::InsertLine(p, w)),
    ]
}

fn random_edit(rng: &mut StdRng) -> Edit {
    let pos = rng.random::<u32>() as usize;
    match rng.random_range(0..10) {
        0 => Edit::FlipBit(pos, rng.random()),
        1 => Edit::SetByte(pos, SPECIAL[rng.random_range(0..SPECIAL.len())]),
        2 => {
            let n = rng.random_range(1..8);
            Edit::Insert(pos, (0..n).map(|_| rng.random()).collect())
        }
        3 => Edit::Delete(pos, rng.random_range(0..16)),
        4 => Edit::DuplicateLine(pos),
        5 => Edit::DeleteLine(pos),
        6 => Edit::SwapLines(pos, rng.random::<u32>() as usize),
        7 => Edit::ReplaceNumber(pos, rng.random::<u32>() as usize),
        8 => Edit::Truncate(pos),
        _ => Edit::InsertLine(pos, rng.random::<u32>() as usize),
    }
}

// ---------------------------------------------------------------------------
// Random SDP-shaped lines.

fn sdp_line() -> impl Strategy<Value = String> {
    let letter = proptest::sample::select(b"vosiuepcbtrzkamx".to_vec());
    let word = prop_oneof![
        proptest::sample::select(NUMBERS).prop_map(str::to_owned),
        "[a-zA-Z0-9./:+-]{0,12}",
        proptest::sample::select(vec![
            "IN",
            "IP4",
            "IP6",
            "UDP/DTLS/SCTP",
            "DTLS/SCTP",
            "webrtc-datachannel",
            "typ",
            "host",
            "srflx",
            "raddr",
            "rport",
            "tcptype",
            "passive",
            "candidate",
            "sctp-port",
            "max-message-size",
            "fingerprint",
            "sha-256",
            "AB:CD",
            "setup",
            "actpass",
            "mid",
            "group",
            "BUNDLE",
            "application",
            "ice-ufrag",
            "x.local",
            "::1",
        ])
        .prop_map(str::to_owned),
    ];
    (
        letter,
        proptest::collection::vec(word, 0..10),
        proptest::sample::select(vec![" ", "  ", "\t", ":"]),
    )
        .prop_map(|(l, words, sep)| format!("{}={}", char::from(l), words.join(sep)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_does_not_panic(s in "(?s).{0,400}") {
        check_str(&s);
    }

    #[test]
    fn arbitrary_bytes_do_not_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_bytes(&b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]


    #[test]
    fn sdp_shaped_lines(
        lines in proptest::collection::vec(sdp_line(), 0..30),
        crlf in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("v=0{end}o=- 1 2 IN IP4 127.0.0.1{end}s=-{end}t=0 0{end}");
        for line in &lines {
            text.push_str(line);
            text.push_str(end);
        }
        check_str(&text);
    }

    #[test]
    fn mutated_fixtures(
        which in any::<usize>(),
        edits in proptest::collection::vec(edit_strategy(), 1..8),
    ) {
        let corpus = fixtures();
        let mut bytes = corpus[which % corpus.len()].clone();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check_bytes(&bytes);
    }

    #[test]
    fn arbitrary_candidate_strings(s in "(candidate:)?[0-9a-z+/]{1,4} [0-9]{1,4} (udp|TCP|x) [0-9]{1,11} ([0-9.]{1,16}|[a-f0-9:]{2,12}|[a-z-]{1,8}\\.local) [0-9]{1,6} typ [a-z]{1,6}( [a-z-]{1,12} [a-z0-9.:]{1,12}){0,4}") {
        if let Ok(c) = Candidate::parse(&s) {
            prop_assert_eq!(Candidate::parse(&c.to_string()), Ok(c.clone()));
            prop_assert_eq!(Candidate::parse_value(&c.to_value()), Ok(c));
        }
    }

    #[test]
    fn candidate_parser_takes_anything(s in "(?s).{0,200}") {
        if let Ok(c) = Candidate::parse(&s) {
            prop_assert_eq!(Candidate::parse(&c.to_string()), Ok(c));
        }
    }
}

#[test]
fn seeded_mutation_of_fixtures() {
    let corpus = fixtures();
    let mut rng = StdRng::seed_from_u64(0x5d9_5eed);
    let (mut parsed, mut rejected) = (0u32, 0u32);
    for _ in 0..20_000 {
        let mut bytes = corpus[rng.random_range(0..corpus.len())].clone();
        for _ in 0..rng.random_range(1..6) {
            apply(&mut bytes, &random_edit(&mut rng));
        }
        check_bytes(&bytes);
        if SessionDescription::parse_bytes(&bytes).is_ok() {
            parsed += 1;
        } else {
            rejected += 1;
        }
    }
    // Both outcomes must be common, or the edits test nothing.
    assert!(
        parsed > 2_000 && rejected > 2_000,
        "parsed {parsed}, rejected {rejected}"
    );
}

#[test]
fn seeded_mutation_of_candidates() {
    let corpus: Vec<String> = fixtures()
        .iter()
        .flat_map(|f| {
            String::from_utf8(f.clone())
                .unwrap()
                .lines()
                .filter_map(|l| l.strip_prefix("a="))
                .filter(|l| l.starts_with("candidate:"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .chain([
            "candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag abcd network-id 1 network-cost 10".to_owned(),
            "candidate:3 1 tcp 92216831 2001:db8::1 50000 typ relay raddr 2001:db8::2 rport 4000 tcptype passive".to_owned(),
        ])
        .collect();
    let mut rng = StdRng::seed_from_u64(0xca4d);
    let mut parsed = 0u32;
    for _ in 0..20_000 {
        let mut bytes = corpus[rng.random_range(0..corpus.len())]
            .clone()
            .into_bytes();
        for _ in 0..rng.random_range(1..4) {
            apply(&mut bytes, &random_edit(&mut rng));
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if let Ok(c) = Candidate::parse(&text) {
            parsed += 1;
            assert_eq!(Candidate::parse(&c.to_string()), Ok(c), "{text:?}");
        }
    }
    assert!(parsed > 2_000, "parsed {parsed}");
}
